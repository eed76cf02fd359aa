"""Campaign import and the campaigns endpoint: documents kiosks can parse, ETag and 304."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kiosk.domain.campaign_format import CampaignFormatError, load_campaign_file, parse_campaign
from kiosk.server import campaigns
from kiosk.server.db import write_transaction
from kiosk.server.models import TextVersionRecord
from kiosk.wire import CampaignsResponse
from tests.server.helpers import ApiClient

IMPORT_SHIPPED_CAMPAIGNS = False  # these tests import campaigns themselves

CAMPAIGN_DIR = Path(__file__).resolve().parents[2] / "resources" / "campaigns"
FILES = sorted(CAMPAIGN_DIR.glob("*.toml"))


def _import(engine: Engine, paths: list[Path]) -> list[campaigns.ImportResult]:
    prepared = campaigns.load_files(paths)
    with write_transaction(engine) as conn:
        return [campaigns.store(conn, p, datetime.now(UTC)) for p in prepared]


def test_shipped_campaign_files_exist() -> None:
    assert len(FILES) >= 2


def test_served_documents_parse_to_the_same_campaigns(api: ApiClient, engine: Engine) -> None:
    _import(engine, FILES)
    r = api.get("/campaigns")
    assert r.status_code == 200
    docs = CampaignsResponse.model_validate_json(r.content).campaigns
    assert [d["slug"] for d in docs] == sorted(load_campaign_file(f).slug for f in FILES)
    for path in FILES:
        original = load_campaign_file(path)
        doc = next(d for d in docs if d["slug"] == original.slug)
        served = parse_campaign(doc, "server")
        assert [v.hash for v in served.all_versions()] == [v.hash for v in original.all_versions()]
        assert [loc.slug for loc in served.locals] == [loc.slug for loc in original.locals]
        assert served.updates == original.updates


def test_etag_and_304(api: ApiClient, engine: Engine, tmp_path: Path) -> None:
    empty = api.get("/campaigns")
    assert empty.json() == {"campaigns": []}
    _import(engine, FILES[:1])
    r = api.get("/campaigns")
    tag = r.headers["etag"]
    assert tag.startswith('"') and tag != empty.headers["etag"]
    assert r.headers["cache-control"] == "no-cache"
    for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        not_modified = api.get("/campaigns", **{"If-None-Match": header})
        assert not_modified.status_code == 304, header
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == tag
    assert api.get("/campaigns", **{"If-None-Match": '"stale"'}).status_code == 200
    # Importing the same file again changes nothing, not even the ETag.
    assert [r.status for r in _import(engine, FILES[:1])] == ["unchanged"]
    assert api.get("/campaigns").headers["etag"] == tag
    # A changed campaign gives a new ETag.
    changed = tmp_path / FILES[0].name
    text = FILES[0].read_text(encoding="utf-8").replace("goal = ", "goal = 1", 1)
    changed.write_text(text, encoding="utf-8")
    assert [r.status for r in _import(engine, [changed])] == ["updated"]
    r = api.get("/campaigns", **{"If-None-Match": tag})
    assert r.status_code == 200 and r.headers["etag"] != tag


def test_text_versions_are_kept_when_a_file_drops_them(engine: Engine, tmp_path: Path) -> None:
    source = next(f for f in FILES if "\n[[history]]" in f.read_text(encoding="utf-8"))
    before = load_campaign_file(source)
    _import(engine, [source])
    trimmed = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    trimmed.write_text(text[: text.index("\n[[history]]")], encoding="utf-8")
    _import(engine, [trimmed])
    with engine.connect() as conn:
        stored = set(conn.execute(select(TextVersionRecord.hash)).scalars())
    assert {v.hash for v in before.all_versions()} <= stored


def test_invalid_file_imports_nothing(engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    shutil.copy(FILES[0], good)
    bad = tmp_path / "bad.toml"
    bad.write_text(FILES[0].read_text(encoding="utf-8").replace('kind = "', 'kind = "x'), "utf-8")
    with pytest.raises(CampaignFormatError) as info:
        campaigns.load_files([good, bad])
    assert info.value.field == "kind"
    with engine.connect() as conn:
        assert campaigns.documents(conn) == []


def test_same_slug_twice_refused(tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    shutil.copy(FILES[0], copy)
    with pytest.raises(CampaignFormatError, match="two of these files"):
        campaigns.load_files([FILES[0], copy])


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"a"', True),
        ('W/"a"', True),
        ('"b", "a"', True),
        ("*", True),
        ('"b"', False),
        ("a", False),
    ],
)
def test_if_none_match_parsing(header: str | None, matches: bool) -> None:
    assert campaigns.if_none_match(header, '"a"') is matches
