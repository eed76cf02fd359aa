"""Routing a signer to the local campaign of their place, offline.

A ZIP (or a city and state) is looked up in a ``ZipDirectory`` (the offline ZIP data lives
outside the domain, in :mod:`kiosk.adapters.geo`); the local campaign whose explicit ZIP list,
city or county matches is chosen, else the parent campaign (None).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Protocol

from kiosk.domain.campaign import Area, Campaign, LocalCampaign


@dataclass(frozen=True, slots=True)
class Place:
    """What the ZIP data knows about one ZIP code."""

    zip: str
    city: str
    state: str
    county: str | None = None
    other_cities: tuple[str, ...] = ()


class ZipDirectory(Protocol):
    """Offline ZIP code data."""

    def lookup(self, zip5: str) -> Place | None:
        """Return the place of a five-digit ZIP, or None if unknown."""
        ...


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("saint ", "st ").replace("st. ", "st ").replace(".", "")
    return " ".join(text.split())


def _county_norm(text: str) -> str:
    text = _norm(text)
    for suffix in (" county", " parish", " borough"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def route_place(campaign: Campaign, place: Place) -> LocalCampaign | None:
    """Return the local campaign for ``place``, or None for the parent campaign."""
    zip5 = place.zip[:5]
    for loc in campaign.locals:
        if zip5 in loc.zips:
            return loc
    cities = {_norm(place.city), *(_norm(c) for c in place.other_cities)}
    for loc in campaign.locals:
        if loc.level == "city" and loc.state == place.state and _norm(loc.place) in cities:
            return loc
    if place.county:
        county = _county_norm(place.county)
        for loc in campaign.locals:
            if (
                loc.level == "county"
                and loc.state == place.state
                and loc.county
                and _county_norm(loc.county) == county
            ):
                return loc
    return None


def route_zip(campaign: Campaign, zip_code: str, directory: ZipDirectory) -> LocalCampaign | None:
    """Return the local campaign for a ZIP, or None (unknown ZIP or no local campaign there)."""
    if not campaign.locals:
        return None
    zip5 = zip_code.strip()[:5]
    for loc in campaign.locals:
        if zip5 in loc.zips:
            return loc
    place = directory.lookup(zip5)
    return route_place(campaign, place) if place else None


def route_city(campaign: Campaign, city: str, state: str) -> LocalCampaign | None:
    """Return the local campaign for a city and state (no county known), or None."""
    return route_place(campaign, Place(zip="", city=city, state=state.strip().upper()))


def area_matches(area: Area, place: Place) -> bool:
    """Whether ``place`` lies in a campaign's area (its ZIPs, its city or its county)."""
    if place.zip[:5] in area.zips:
        return True
    if area.state != place.state:
        return False
    if area.level == "city":
        cities = {_norm(place.city), *(_norm(c) for c in place.other_cities)}
        return _norm(area.place) in cities
    return bool(
        area.county and place.county and _county_norm(area.county) == _county_norm(place.county)
    )


def campaigns_for_place(
    campaigns: list[Campaign], zip_code: str, directory: ZipDirectory
) -> list[Campaign]:
    """The campaigns whose area holds this ZIP (cities before counties), for an offer."""
    zip5 = zip_code.strip()[:5]
    place = directory.lookup(zip5) or Place(zip=zip5, city="", state="")
    found = [c for c in campaigns if c.area is not None and area_matches(c.area, place)]
    return sorted(found, key=lambda c: (c.area.level != "city", c.slug))  # type: ignore[union-attr]
