"""The benchmarks' synthetic signatures are signatures the product can read: a bench whose
data the export path refuses measures nothing (``bench scale``'s export stopped with "no
signatures match" once decoding began to refuse digits in names)."""

from __future__ import annotations

from pathlib import Path

from bench.bench_scale import CAMPAIGN, TEST_PRIVATE_KEY, Builder, make_kiosk
from bench.harness import letters
from kiosk.adapters.crypto import SealedBoxOpener
from kiosk.domain.ports import SignatureFilter
from kiosk.exports import ExportResult, collect


def test_letters_are_distinct_and_only_letters() -> None:
    written = [letters(i) for i in range(5000)]
    assert len(set(written)) == len(written)
    assert all(w.isalpha() and w.islower() for w in written)


def test_the_scale_bench_signatures_open_and_export(tmp_path: Path) -> None:
    kiosk = make_kiosk(tmp_path / "k")
    try:
        Builder(kiosk, seed=5).add(70)  # more than its pool of 64 sealed blobs
        result = ExportResult()
        opener = SealedBoxOpener(bytes(TEST_PRIVATE_KEY))
        rows = list(collect(kiosk.store, opener, SignatureFilter(campaign=CAMPAIGN), result))
    finally:
        kiosk.close()
    assert len(rows) == 70 and result.undecryptable == 0 and result.unreadable == 0
    assert {r.personal.first_name for r in rows} >= {"Ana-a", "Ana-bl"}
