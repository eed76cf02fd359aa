"""Rebuild ``resources/geo/us-zips.tsv.gz``, the kiosk's offline ZIP index, from the
``zipcodes`` package (MIT licence; installed with the test extra).

One line per ZIP (retired ones too: a signer may still write one): ``zip<TAB>city<TAB>state<TAB>county<TAB>other cities`` (the other
cities joined by ``;``), sorted by ZIP. About 0.6 MB compressed; the kiosk loads it in
milliseconds and keeps it in a few MB, where the package's full data takes about 37 MB.

    .venv/bin/python scripts/build_zip_index.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "geo" / "us-zips.tsv.gz"


def rows() -> list[str]:
    import zipcodes

    out = []
    for z in zipcodes.list_all():
        fields = [
            z["zip_code"],
            z.get("city") or "",
            z.get("state") or "",
            z.get("county") or "",
            ";".join(z.get("acceptable_cities") or ()),
        ]
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"a tab or newline in the data of ZIP {z['zip_code']}")
        out.append("\t".join(fields))
    return sorted(out)


def main() -> int:
    data = ("\n".join(rows()) + "\n").encode("utf-8")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same data gives the same file, so a rebuild shows no diff
    OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
