"""The offline ZIP index: the same answers as the ``zipcodes`` package it is built from."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import zipcodes

from kiosk.adapters.geo import ZipcodesDirectory, index_path

ROOT = Path(__file__).resolve().parent.parent


def test_the_index_is_the_package_data_rebuilt() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_zip_index
    finally:
        sys.path.pop(0)
    shipped = gzip.decompress(index_path().read_bytes()).decode("utf-8").splitlines()
    assert shipped == build_zip_index.rows(), "run scripts/build_zip_index.py"


def test_lookups_match_the_package() -> None:
    d = ZipcodesDirectory()
    for zip5 in ("47708", "55802", "63105", "00501", "10001", "99950", "96799", "20500"):
        rec = zipcodes.matching(zip5)[0]
        place = d.lookup(zip5)
        assert place is not None
        assert (place.city, place.state, place.county) == (
            rec["city"],
            rec["state"],
            rec["county"] or None,
        )
        assert place.other_cities == tuple(rec["acceptable_cities"])
    evansville = d.lookup("47708")
    assert evansville is not None and evansville.city == "Evansville" and evansville.state == "IN"


def test_unknown_and_malformed_zips() -> None:
    d = ZipcodesDirectory()
    for bad in ("00000", "1234", "123456", "abcde", "", "4770８", " 4770"):
        assert d.lookup(bad) is None


def test_city_and_county_listings() -> None:
    d = ZipcodesDirectory()
    assert sorted(d.zips_for_city("Duluth", "MN")) == sorted(
        r["zip_code"] for r in zipcodes.filter_by(city="Duluth", state="MN")
    )
    county = d.zips_for_county("St. Louis County", "MO")
    assert "63105" in county and len(county) > 20


def test_the_app_does_not_need_the_package() -> None:
    probe = (
        "import sys\n"
        "from kiosk.adapters.geo import ZipcodesDirectory\n"
        "p = ZipcodesDirectory().lookup('47708')\n"
        "print(p.city, 'zipcodes' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Evansville", "False"]
