"""Offline US ZIP code data (the ``zipcodes`` package) behind the domain's ``ZipDirectory``."""

from __future__ import annotations

import functools

import zipcodes

from kiosk.domain.routing import Place


class ZipcodesDirectory:
    """Looks ZIPs up in the ``zipcodes`` package's bundled data; no network."""

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one long-lived instance per app
    def lookup(self, zip5: str) -> Place | None:
        """Return the place of a five-digit ZIP, or None if it is unknown or malformed."""
        if len(zip5) != 5 or not zip5.isdigit():
            return None
        try:
            found = zipcodes.matching(zip5)
        except (ValueError, TypeError):
            return None
        if not found:
            return None
        rec = found[0]
        return Place(
            zip=zip5,
            city=rec.get("city") or "",
            state=rec.get("state") or "",
            county=rec.get("county") or None,
            other_cities=tuple(rec.get("acceptable_cities") or ()),
        )

    def zips_for_city(self, city: str, state: str) -> list[str]:
        """The ZIPs of a city (for the simulator's realistic addresses)."""
        return [r["zip_code"] for r in zipcodes.filter_by(city=city, state=state)]

    def zips_for_county(self, county: str, state: str) -> list[str]:
        """The ZIPs of a county."""
        return [r["zip_code"] for r in zipcodes.filter_by(county=county, state=state)]
