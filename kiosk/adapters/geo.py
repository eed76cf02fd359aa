"""Offline US ZIP code data behind the domain's ``ZipDirectory``.

The data is ``resources/geo/us-zips.tsv.gz`` (built from the ``zipcodes`` package by
``scripts/build_zip_index.py``): one line per ZIP, loaded on first use, in about 20 ms and a
few MB, and kept as the raw lines, parsed only for the ZIPs actually looked up.
"""

from __future__ import annotations

import functools
import gzip
import threading
from pathlib import Path

from kiosk.config import resources_dir
from kiosk.domain.routing import Place


def index_path() -> Path:
    """Where the ZIP index lives."""
    return resources_dir() / "geo" / "us-zips.tsv.gz"


class ZipcodesDirectory:
    """Looks ZIPs up in the bundled index; no network.

    Args:
        path: the index file (default: :func:`index_path`).
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path or index_path()
        self._lines: dict[str, str] | None = None
        self._by_place: dict[tuple[int, str, str], list[str]] | None = None
        self._lock = threading.Lock()

    def _index(self) -> dict[str, str]:
        if self._lines is None:
            with self._lock:
                if self._lines is None:
                    text = gzip.decompress(self._path.read_bytes()).decode("utf-8")
                    self._lines = {line[:5]: line for line in text.splitlines() if line}
        return self._lines

    @staticmethod
    def _place(line: str) -> Place:
        zip5, city, state, county, others = line.split("\t")
        return Place(
            zip=zip5,
            city=city,
            state=state,
            county=county or None,
            other_cities=tuple(c for c in others.split(";") if c),
        )

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one long-lived instance per app
    def lookup(self, zip5: str) -> Place | None:
        """Return the place of a five-digit ZIP, or None if it is unknown or malformed."""
        if len(zip5) != 5 or not (zip5.isascii() and zip5.isdigit()):
            return None
        line = self._index().get(zip5)
        return self._place(line) if line is not None else None

    def _places(self) -> dict[tuple[int, str, str], list[str]]:
        """ZIPs by (column, city or county, state), in the index's order: made in one pass on
        the first city or county question (the simulator asks one per local campaign)."""
        if self._by_place is None:
            lines = self._index()
            with self._lock:
                if self._by_place is None:
                    by_place: dict[tuple[int, str, str], list[str]] = {}
                    for line in lines.values():
                        zip5, city, state, county, _others = line.split("\t")
                        by_place.setdefault((1, city, state), []).append(zip5)
                        by_place.setdefault((3, county, state), []).append(zip5)
                    self._by_place = by_place
        return self._by_place

    def _where(self, column: int, value: str, state: str) -> list[str]:
        return list(self._places().get((column, value, state), ()))

    def zips_for_city(self, city: str, state: str) -> list[str]:
        """The ZIPs of a city (for the simulator's realistic addresses)."""
        return self._where(1, city, state)

    def zips_for_county(self, county: str, state: str) -> list[str]:
        """The ZIPs of a county."""
        return self._where(3, county, state)
