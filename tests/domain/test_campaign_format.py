"""Campaign files: the shipped ones load; malformed ones get precise errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.domain.campaign import CampaignKind
from kiosk.domain.campaign_format import (
    MAX_PROBLEMS,
    CampaignFormatError,
    campaign_to_dict,
    load_campaign_file,
    parse_campaign,
)
from tests.helpers import DATA, ROOT

SHIPPED = sorted((ROOT / "resources" / "campaigns").glob("*.toml"))


def _mini() -> dict:
    return tomllib.loads((DATA / "mini.toml").read_text())


def test_the_five_seed_texts_ship_as_four_campaigns() -> None:
    campaigns = {c.slug: c for c in (load_campaign_file(p) for p in SHIPPED)}
    assert len(campaigns) == 4, sorted(campaigns)
    kinds = sorted(c.kind.value for c in campaigns.values())
    assert kinds == ["letter", "petition", "petition", "petition"]
    umbrella = next(c for c in campaigns.values() if len(c.locals) == 9)
    assert umbrella.goal == 30000 and umbrella.known_count == 29681
    evansville = next(loc for loc in umbrella.locals if loc.place == "Evansville")
    assert evansville.target().en == "To: Mayor Denise Lynn"
    assert any(loc.level == "county" for loc in umbrella.locals)
    # Seeds 000 and 004: one petition, two text versions, 004 current.
    versioned = next(c for c in campaigns.values() if c.history)
    assert "Sessions" in versioned.text.statement.en + versioned.text.background.en
    assert "2 million" in versioned.history[0].background.en
    hashes = {v.hash for v in versioned.all_versions()}
    assert len(hashes) == 2
    letter = next(c for c in campaigns.values() if c.kind is CampaignKind.LETTER)
    assert letter.text.statement.en.startswith("Thanks for your leadership")
    assert len(letter.text.background.en) > 10 * len(letter.text.statement.en)
    duluth = next(c for c in campaigns.values() if "Emily Larson" in c.target.en)
    assert "Mayor Mayor" not in duluth.target.en
    assert duluth.updates and duluth.updates[0].posted_at.year == 2017


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_campaigns_are_clean_and_bilingual(path: Path) -> None:
    c = load_campaign_file(path)
    for text in (c.text.target, c.text.title, c.text.statement, c.text.background):
        assert text.es, f"{path.name}: missing Spanish"
        paragraphs = text.en.split("\n\n")
        assert len(paragraphs) == len(set(paragraphs)), f"{path.name}: repeated paragraph"
    assert c.consent is not None and c.consent.es


def test_round_trip_through_dict() -> None:
    for path in SHIPPED:
        c = load_campaign_file(path)
        again = parse_campaign(campaign_to_dict(c), "again")
        assert again.all_versions() == c.all_versions()
        assert again.locals == c.locals and again.updates == c.updates
        assert again.area == c.area


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d.pop("slug"), "slug", "is required"),
        (lambda d: d.update(slug="Bad Slug"), "slug", "a-z"),
        (lambda d: d.update(kind="poll"), "kind", "petition"),
        (lambda d: d.update(goal="lots"), "goal", "integer"),
        (lambda d: d.update(goal=True), "goal", "integer"),
        (lambda d: d.update(goal=0), "goal", "at least 1"),
        (lambda d: d.update(format_version=99), "format_version", "newer"),
        (lambda d: d.update(colour="red"), "colour", "unknown key"),
        (lambda d: d["statement"].pop("en"), "statement.en", "required"),
        (lambda d: d["statement"].update(en="  "), "statement.en", "empty"),
        (lambda d: d["title"].update(en="bad\x07bell"), "title.en", "control character"),
        (  # "Sign to \u202eeussi" shows as "Sign to issue": what is read is not what is stored
            lambda d: d["statement"].update(es="Firme \u202eeussi"),
            "statement.es",
            "control character (U+202E)",
        ),
        (lambda d: d["fields"].update(email="maybe"), "fields.email", "required"),
        (lambda d: d["local"][1].update(state="XX"), "local[1].state", "USPS"),
        (lambda d: d["local"][1].pop("county"), "local[1].county", "required"),
        (lambda d: d["local"][1].update(slug="evansville"), "local[1].slug", "used by another"),
        (lambda d: d["local"][0].update(zips=["4770"]), "local[0].zips[0]", "five-digit"),
        (
            lambda d: d.update(area={"place": "Duluth", "state": "MN", "level": "city"}),
            "area.decision_maker",
            "required",
        ),
        (
            lambda d: d.update(area={"place": "Duluth", "state": "ZZ", "level": "city"}),
            "area.state",
            "USPS",
        ),
        (
            lambda d: d.update(area={"place": "Duluth", "state": "MN", "level": "town"}),
            "area.level",
            "city",
        ),
    ],
)
def test_precise_errors(mutate, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    doc = _mini()
    mutate(doc)
    with pytest.raises(CampaignFormatError) as exc:
        parse_campaign(doc, "mini.toml")
    assert exc.value.source == "mini.toml"
    assert exc.value.field == field
    assert words in exc.value.message
    assert str(exc.value).startswith(f"mini.toml: {field}: ")


def test_unreadable_and_non_toml_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("slug = [unclosed")
    with pytest.raises(CampaignFormatError, match=r"bad\.toml: is not valid TOML"):
        load_campaign_file(bad)
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("title = 'Jos\xe9'".encode("latin-1"))
    with pytest.raises(CampaignFormatError, match="not UTF-8"):
        load_campaign_file(latin1)
    with pytest.raises(CampaignFormatError, match="cannot be read"):
        load_campaign_file(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    "value",
    ["[" * 5000 + "1" + "]" * 5000, "{b = " * 5000 + "1" + "}" * 5000],
    ids=["arrays", "inline-tables"],
)
def test_deeply_nested_toml_is_a_format_error(tmp_path: Path, value: str) -> None:
    """10 KB of nesting (well under the size limit) made tomllib raise RecursionError: a
    traceback from ``kiosk campaigns validate`` and a 500 from the console's upload."""
    deep = tmp_path / "deep.toml"
    deep.write_text(f"a = {value}\n")
    with pytest.raises(CampaignFormatError, match=r"deep\.toml: is not valid TOML: .*nested"):
        load_campaign_file(deep)


def test_text_is_kept_plain() -> None:
    c = load_campaign_file(DATA / "mini.toml")
    assert c.title.en == "A <b>test</b> & petition"  # stored as typed, never interpreted
    assert c.text.statement.en == "We ask for things.\n\nSecond paragraph."


def test_changed_text_makes_a_new_version_only_for_the_changed_part() -> None:
    doc = _mini()
    before = parse_campaign(doc, "a")
    doc["statement"]["en"] = "We ask for other things."
    after = parse_campaign(doc, "b")
    assert before.current_version().hash != after.current_version().hash
    # The title is presentation: changing it alone keeps the version.
    doc2 = _mini()
    doc2["title"]["en"] = "Another title"
    assert parse_campaign(doc2, "c").current_version().hash == before.current_version().hash
    # Local campaigns have versions of their own.
    assert before.current_version("evansville").hash != before.current_version().hash


@pytest.mark.parametrize("multiline", [False, True], ids=["line", "text"])
def test_the_forbidden_characters_are_exactly_unicodes_control_surrogate_and_private_use(
    multiline: bool,
) -> None:
    """The parser's one regular expression refuses exactly the code points whose category is
    Cc, Cs or Co (a multi-line text keeps tab and line feed), and the bidirectional overrides
    and isolates (U+202A-U+202E, U+2066-U+2069: reordering text to read otherwise than it is
    stored, on the kiosk and on the printed sheet), checked over all of Unicode."""
    import unicodedata

    from kiosk.domain.campaign_format import _NOT_IN_LINE, _NOT_IN_TEXT

    pattern = _NOT_IN_TEXT if multiline else _NOT_IN_LINE
    bidi = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    kept = "\t\n" if multiline else ""
    wrong = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if (pattern.match(chr(code)) is not None)
        != (
            (unicodedata.category(chr(code)) in ("Cc", "Cs", "Co") or chr(code) in bidi)
            and chr(code) not in kept
        )
    ]
    assert wrong == []


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    """One problem per part of the file, in the order they are checked, each with its field;
    the error's own text names the first and how many more there are."""
    doc = _mini()
    doc.update(colour="red", slug="Bad Slug", goal=0)
    doc["statement"].pop("en")
    doc["local"][0].update(zips=["4770"])
    doc["local"][1].update(state="XX")
    with pytest.raises(CampaignFormatError) as exc:
        parse_campaign(doc, "mini.toml")
    assert [p.field for p in exc.value.problems] == [
        "colour",
        "slug",
        "statement.en",
        "goal",
        "local[0].zips[0]",
        "local[1].state",
    ]
    assert all(p.source == "mini.toml" and not p.more for p in exc.value.more)
    assert str(exc.value) == (
        "mini.toml: colour: unknown key (allowed: area, background, consent, fields, format, "
        "format_version, goal, history, kind, known_count, local, organization, slug, "
        "statement, target, title, updates) (and 5 more problems)"
    )


def test_a_file_of_another_format_stops_at_that() -> None:
    doc = _mini()
    doc.update(format_version=99, slug="Bad Slug", goal=0)
    with pytest.raises(CampaignFormatError) as exc:
        parse_campaign(doc, "mini.toml")
    assert [p.field for p in exc.value.problems] == ["format_version"]
    assert str(exc.value) == "mini.toml: format_version: 99 is newer than this kiosk reads (1)"


def test_at_most_fifty_problems_are_kept() -> None:
    doc = _mini()
    doc["local"] = [dict(doc["local"][0], state="XX") for _ in range(200)]
    with pytest.raises(CampaignFormatError) as exc:
        parse_campaign(doc, "mini.toml")
    assert len(exc.value.problems) == MAX_PROBLEMS
    assert exc.value.problems[-1].field == f"local[{MAX_PROBLEMS - 1}].state"
