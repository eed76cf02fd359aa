"""Routing a ZIP or a city to its local campaign, offline."""

from __future__ import annotations

from pathlib import Path

from kiosk.adapters.geo import ZipcodesDirectory
from kiosk.domain.campaign_format import load_campaign_dir
from kiosk.domain.routing import campaigns_for_place, route_city, route_zip
from tests.helpers import mini_campaign

DIRECTORY = ZipcodesDirectory()


def test_city_zip_routes_to_its_local_campaign() -> None:
    loc = route_zip(mini_campaign(), "47708", DIRECTORY)
    assert loc is not None and loc.slug == "evansville"
    assert loc.target().en == "To: Mayor Denise Lynn"


def test_zip_plus_four_routes_too() -> None:
    assert route_zip(mini_campaign(), "47708-1234", DIRECTORY).slug == "evansville"  # type: ignore[union-attr]


def test_county_level_campaign_by_county_of_zip() -> None:
    # 63105 is Clayton / Saint Louis, in St. Louis County.
    loc = route_zip(mini_campaign(), "63105", DIRECTORY)
    assert loc is not None and loc.slug == "st-louis-county"


def test_elsewhere_and_unknown_fall_back_to_parent() -> None:
    assert route_zip(mini_campaign(), "55802", DIRECTORY) is None  # Duluth
    assert route_zip(mini_campaign(), "00000", DIRECTORY) is None
    assert route_zip(mini_campaign(), "abc", DIRECTORY) is None


def test_city_and_state_without_zip() -> None:
    assert route_city(mini_campaign(), "evansville", "in").slug == "evansville"  # type: ignore[union-attr]
    assert route_city(mini_campaign(), "Evansville", "WI") is None


def test_shipped_umbrella_routes_every_local_campaign() -> None:
    from kiosk.app import load_catalog

    catalog, errors = load_catalog(None)
    assert not errors
    umbrella = next(c for c in catalog.all() if len(c.locals) == 9)
    for loc in umbrella.locals:
        if loc.level == "county":
            zips = DIRECTORY.zips_for_county(loc.county or "", loc.state)
        else:
            zips = DIRECTORY.zips_for_city(loc.place, loc.state)
        assert zips or loc.zips, f"no ZIP data for {loc.place}, {loc.state}"
        z = (list(loc.zips) + zips)[0]
        routed = route_zip(umbrella, z, DIRECTORY)
        assert routed is not None and routed.slug == loc.slug, (loc.slug, z)


def test_a_campaign_addressing_a_place_is_found_by_its_zips() -> None:
    campaigns, errors = load_campaign_dir(Path(__file__).parents[2] / "resources" / "campaigns")
    assert not errors
    directory = ZipcodesDirectory()
    # Duluth ZIPs find the Duluth petition (it names the city; no ZIP list needed)...
    for zip_code in ("55802", "55811", "55806-1234"):
        assert [c.slug for c in campaigns_for_place(campaigns, zip_code, directory)] == [
            "duluth-sanctuary"
        ]
    # ...Evansville, elsewhere in Minnesota and unknown ZIPs find none.
    for zip_code in ("47708", "55101", "00000"):
        assert campaigns_for_place(campaigns, zip_code, directory) == []
