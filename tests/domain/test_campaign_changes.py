"""What publishing a campaign file changes, compared with the published one (shown in the
console before a coordinator publishes)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from kiosk.domain.campaign_changes import NAMED, Change, campaign_changes
from kiosk.domain.campaign_format import campaign_to_dict, load_campaign_file, parse_campaign

CAMPAIGNS = Path(__file__).resolve().parents[2] / "resources" / "campaigns"
WIDE = CAMPAIGNS / "defy-trump-expand-sanctuary.toml"


def codes(changes: list[Change]) -> list[str]:
    return [c.code for c in changes]


def test_first_publication_and_the_same_file_again() -> None:
    c = load_campaign_file(WIDE)
    assert codes(campaign_changes(None, c)) == ["first"]
    again = parse_campaign(campaign_to_dict(c), "again")  # the stored JSON, read back
    assert codes(campaign_changes(c, again)) == ["none"]


def test_each_change_is_named_with_its_values() -> None:
    old = load_campaign_file(WIDE)
    doc: dict[str, Any] = copy.deepcopy(campaign_to_dict(old))
    assert len(doc["local"]) >= 3
    doc["goal"] = old.goal * 2
    gone = doc["local"].pop(0)
    added = copy.deepcopy(doc["local"][0])
    added["slug"], added["place"] = "new-town", "New Town"
    doc["local"].append(added)
    doc["local"][1]["statement"]["en"] += " We ask again."
    doc["local"][2]["goal"] += 50
    doc.setdefault("updates", []).append(
        {"posted_at": "2026-12-01T10:00:00", "text": {"en": "We reached the council."}}
    )
    doc["fields"]["phone"] = "hidden" if doc["fields"].get("phone") != "hidden" else "optional"
    new = parse_campaign(doc, "new")
    changes = {c.code: c.values for c in campaign_changes(old, new)}
    assert set(changes) == {
        "goal",
        "locals_added",
        "locals_removed",
        "locals_text",
        "locals_goal",
        "updates_added",
        "fields",
    }
    assert changes["goal"] == {"old": f"{old.goal:,}", "new": f"{old.goal * 2:,}"}
    assert changes["locals_added"] == {
        "n": "1",
        "names": f"New Town, {added['state']}",
        "more": "0",
    }
    assert changes["locals_removed"]["names"] == f"{gone['place']}, {gone['state']}"
    assert changes["locals_text"]["n"] == "1"
    assert doc["local"][1]["place"] in changes["locals_text"]["names"]
    assert doc["local"][2]["place"] in changes["locals_goal"]["names"]
    assert changes["updates_added"] == {"n": "1"}
    assert changes["fields"]["names"].startswith("phone (")


def test_a_new_campaign_text_is_one_change_not_one_per_local_campaign() -> None:
    old = load_campaign_file(WIDE)
    doc = copy.deepcopy(campaign_to_dict(old))
    doc["background"]["en"] += " We ask again."  # every local campaign shows it too
    changes = campaign_changes(old, parse_campaign(doc, "new"))
    assert codes(changes) == ["text"]
    # A title is presentation: no new text version, said apart.
    doc = copy.deepcopy(campaign_to_dict(old))
    doc["title"]["en"] += " now"
    doc["local"][0]["title"]["en"] += " now"
    changes = campaign_changes(old, parse_campaign(doc, "new"))
    assert codes(changes) == ["title", "locals_title"]
    assert changes[0].values == {"old": old.text.title.en, "new": old.text.title.en + " now"}
    # Many local campaigns removed: the first few by name, and how many more.
    doc = copy.deepcopy(campaign_to_dict(old))
    removed = doc.pop("local")
    (change,) = campaign_changes(old, parse_campaign(doc, "new"))
    assert change.code == "locals_removed" and change.values["n"] == str(len(removed))
    assert change.values["names"].count(",") == 2 * min(NAMED, len(removed)) - 1
    assert change.values["more"] == str(max(0, len(removed) - NAMED))
