"""Reading and writing campaign files (format version 1, see docs/campaign-format.md).

``parse_campaign`` validates a parsed TOML/JSON document and reports every problem it finds
(one per part of the file: each top-level field, update, local campaign and earlier text), each
with the file, the dotted field path and what is wrong. ``campaign_to_dict`` writes the same
structure back (the server serves it as JSON).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from kiosk.domain.campaign import (
    CONFIGURABLE_FIELDS,
    DEFAULT_FIELD_RULES,
    Area,
    Campaign,
    CampaignKind,
    CampaignText,
    FieldRule,
    LocalCampaign,
    LocalizedText,
    Update,
)
from kiosk.domain.validation import US_STATES

FORMAT = "petition-kiosk/campaign"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 1_000_000
MAX_TEXT = 20_000
MAX_SHORT = 300
MAX_LOCALS = 1_000
#: The most problems one file's error carries (the first, and this many less one in ``more``).
MAX_PROBLEMS = 50
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
#: Characters no campaign text may hold: Unicode's control (Cc), surrogate (Cs) and
#: private-use (Co) code points, whose ranges Unicode's stability policy fixes for good, and the
#: bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which make a text read
#: otherwise than it is stored (the kiosk's wire refuses them in every text too)
#: (tests/domain/test_campaign_format.py checks them against ``unicodedata``). One regular
#: expression instead of a category look-up per character: campaign files load at each start.
_NOT_IN_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)
#: The same, but a multi-line text keeps its tabs and line feeds.
_NOT_IN_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)
_ZIP5_RE = re.compile(r"^[0-9]{5}$")

_TOP_KEYS = {
    "format",
    "format_version",
    "slug",
    "kind",
    "organization",
    "goal",
    "known_count",
    "target",
    "title",
    "statement",
    "background",
    "consent",
    "fields",
    "updates",
    "local",
    "history",
    "area",
}
_LOCAL_KEYS = {
    "slug",
    "place",
    "state",
    "level",
    "county",
    "decision_maker",
    "decision_maker_title",
    "title",
    "statement",
    "goal",
    "known_count",
    "created_by",
    "zips",
}
_HISTORY_KEYS = {"target", "title", "statement", "background"}
_AREA_KEYS = {"place", "state", "level", "county", "decision_maker", "decision_maker_title", "zips"}


@dataclass(eq=False)
class CampaignFormatError(ValueError):
    """A campaign file is not valid: where (file and field) and what is wrong.

    ``message`` is in English. ``template`` is the same sentence before its ``values`` were put
    in (``"must be at least {minimum}"``), so that a console can say it in another language;
    it is empty when the message was not built from one.
    """

    source: str
    field: str
    message: str
    template: str = ""
    values: Mapping[str, str] = dataclass_field(default_factory=dict)
    #: The file's other problems, in the order found (:func:`parse_campaign` checks each part
    #: of a file on its own: every top-level field, update, local campaign and earlier text;
    #: at most :data:`MAX_PROBLEMS` in all).
    more: tuple[CampaignFormatError, ...] = ()

    @property
    def where(self) -> str:
        """The file, and the field when there is one (``duluth.toml: local[2].goal``)."""
        return f"{self.source}: {self.field}" if self.field else self.source

    @property
    def problems(self) -> tuple[CampaignFormatError, ...]:
        """This problem and the file's others."""
        return (self, *self.more)

    def __str__(self) -> str:
        more = len(self.more)
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        return f"{self.where}: {self.message}{tail}"


def campaign_error(source: str, field: str, template: str, **values: object) -> CampaignFormatError:
    """A :class:`CampaignFormatError` whose message is ``template`` with ``values`` put in."""
    words = {k: str(v) for k, v in values.items()}
    return CampaignFormatError(source, field, template.format(**words), template, words)


_T = TypeVar("_T")
_D = TypeVar("_D")
_P = ParamSpec("_P")


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[CampaignFormatError] = []

    def fail(self, path: str, template: str, **values: object) -> CampaignFormatError:
        return campaign_error(self.source, path, template, **values)

    def part(
        self, default: _D, parse: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> _T | _D:
        """``parse(*args, **kwargs)``, or ``default`` if it finds a problem, which is kept to
        be reported with the file's others (:meth:`check`): one part's problem does not hide
        the next part's."""
        try:
            return parse(*args, **kwargs)
        except CampaignFormatError as exc:
            self.problems.append(exc)
            return default

    def check(self) -> None:
        """Raise the first problem found, with the others (up to :data:`MAX_PROBLEMS`)."""
        if self.problems:
            first, *more = self.problems[:MAX_PROBLEMS]
            first.more = tuple(more)
            raise first

    def table(
        self, value: Any, path: str, allowed: set[str], keep_going: bool = False
    ) -> dict[str, Any]:
        """``value`` as a table of ``allowed`` keys. With ``keep_going``, an unknown key is a
        problem kept for later (:meth:`part`) and the table's other keys are read."""
        if not isinstance(value, dict):
            raise self.fail(path, "must be a table, not {type}", type=_type_name(value))
        unknown = sorted(set(value) - allowed)
        if unknown:
            where = f"{path}.{unknown[0]}" if path else unknown[0]
            problem = self.fail(
                where, "unknown key (allowed: {allowed})", allowed=", ".join(sorted(allowed))
            )
            if not keep_going:
                raise problem
            self.problems.append(problem)
        return value

    def string(self, value: Any, path: str, limit: int = MAX_SHORT, multiline: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(path, "must be a string, not {type}", type=_type_name(value))
        bad = (_NOT_IN_TEXT if multiline else _NOT_IN_LINE).search(value)
        if bad is not None:
            raise self.fail(
                path, "contains a control character (U+{code})", code=f"{ord(bad.group()):04X}"
            )
        text = _clean_paragraphs(value) if multiline else " ".join(value.split())
        if not text:
            raise self.fail(path, "must not be empty")
        if len(text) > limit:
            raise self.fail(
                path,
                "is too long ({length} characters, at most {limit})",
                length=len(text),
                limit=limit,
            )
        return text

    def integer(self, value: Any, path: str, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "must be an integer, not {type}", type=_type_name(value))
        if value < minimum:
            raise self.fail(path, "must be at least {minimum}", minimum=minimum)
        return value

    def slug(self, value: Any, path: str) -> str:
        text = self.string(value, path, 64)
        if not _SLUG_RE.match(text):
            raise self.fail(path, "must be 3-64 characters of a-z, 0-9 and '-', starting alnum")
        return text

    def text(
        self, value: Any, path: str, limit: int = MAX_TEXT, multiline: bool = True
    ) -> LocalizedText:
        tbl = self.table(value, path, {"en", "es"})
        if "en" not in tbl:
            raise self.fail(f"{path}.en", "is required (English text)")
        en = self.string(tbl["en"], f"{path}.en", limit, multiline)
        es = self.string(tbl["es"], f"{path}.es", limit, multiline) if "es" in tbl else None
        return LocalizedText(en, es)

    def require(self, tbl: dict[str, Any], key: str, path: str) -> Any:
        if key not in tbl:
            raise self.fail(f"{path}.{key}" if path else key, "is required")
        return tbl[key]


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _clean_paragraphs(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _parse_when(ctx: _Ctx, value: Any, path: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ctx.fail(path, "must be a date or date-time (e.g. 2017-01-31T15:10:00)")


def _parse_text_block(ctx: _Ctx, tbl: dict[str, Any], path: str) -> CampaignText:
    return CampaignText(**{key: _parse_text_field(ctx, tbl, path, key) for key in _TEXT_KEYS})


def _parse_text_field(ctx: _Ctx, tbl: dict[str, Any], path: str, key: str) -> LocalizedText:
    """One part of a campaign's text: ``target`` and ``title`` are one short line each,
    ``statement`` and ``background`` paragraphs."""
    p = f"{path}." if path else ""
    short = key in ("target", "title")
    value = ctx.require(tbl, key, path)
    if short:
        return ctx.text(value, f"{p}{key}", MAX_SHORT, False)
    return ctx.text(value, f"{p}{key}")


def _parse_place(ctx: _Ctx, tbl: dict[str, Any], path: str) -> dict[str, Any]:
    """The place fields a local campaign and a campaign's area share."""
    level = ctx.string(ctx.require(tbl, "level", path), f"{path}.level")
    if level not in ("city", "county"):
        raise ctx.fail(f"{path}.level", 'must be "city" or "county"')
    state = ctx.string(ctx.require(tbl, "state", path), f"{path}.state").upper()
    if state not in US_STATES:
        raise ctx.fail(
            f"{path}.state", "{state} is not a two-letter USPS state code", state=repr(state)
        )
    county = None
    if "county" in tbl:
        county = ctx.string(tbl["county"], f"{path}.county")
    elif level == "county":
        raise ctx.fail(f"{path}.county", 'is required when level = "county"')
    zips_raw = tbl.get("zips", [])
    if not isinstance(zips_raw, list):
        raise ctx.fail(f"{path}.zips", "must be an array, not {type}", type=_type_name(zips_raw))
    zips = []
    for i, z in enumerate(zips_raw):
        if not isinstance(z, str) or not _ZIP5_RE.match(z):
            raise ctx.fail(f"{path}.zips[{i}]", "must be a five-digit ZIP string")
        zips.append(z)
    return {
        "place": ctx.string(ctx.require(tbl, "place", path), f"{path}.place"),
        "state": state,
        "level": level,
        "county": county,
        "decision_maker": ctx.string(
            ctx.require(tbl, "decision_maker", path), f"{path}.decision_maker"
        ),
        "decision_maker_title": ctx.text(
            ctx.require(tbl, "decision_maker_title", path),
            f"{path}.decision_maker_title",
            MAX_SHORT,
            False,
        ),
        "zips": tuple(zips),
    }


def _parse_area(ctx: _Ctx, value: Any) -> Area:
    return Area(**_parse_place(ctx, ctx.table(value, "area", _AREA_KEYS), "area"))


def _parse_local(ctx: _Ctx, value: Any, path: str) -> LocalCampaign:
    tbl = ctx.table(value, path, _LOCAL_KEYS)
    return LocalCampaign(
        slug=ctx.slug(ctx.require(tbl, "slug", path), f"{path}.slug"),
        **_parse_place(ctx, tbl, path),
        title=ctx.text(ctx.require(tbl, "title", path), f"{path}.title", MAX_SHORT, False),
        statement=ctx.text(ctx.require(tbl, "statement", path), f"{path}.statement"),
        goal=ctx.integer(ctx.require(tbl, "goal", path), f"{path}.goal", 1),
        known_count=ctx.integer(tbl.get("known_count", 0), f"{path}.known_count", 0),
        created_by=(
            ctx.string(tbl["created_by"], f"{path}.created_by") if "created_by" in tbl else None
        ),
    )


def parse_campaign(data: Any, source: str = "<campaign>") -> Campaign:
    """Validate a parsed campaign document and build the campaign.

    Args:
        data: the document as parsed from TOML or JSON.
        source: the file name (or other origin) to name in errors.

    Raises:
        CampaignFormatError: naming the file, the field and what is wrong.
    """
    ctx = _Ctx(source)
    tbl = ctx.table(data, "", _TOP_KEYS, keep_going=True)
    # What says how to read the rest: a problem here stops at once.
    if not ctx.part(False, _check_format, ctx, tbl):
        ctx.check()
    # Each part on its own from here: every problem of the file is reported at once.
    slug = ctx.part("", _required, ctx, tbl, "slug", ctx.slug)
    kind = ctx.part(CampaignKind.PETITION, _parse_kind, ctx, tbl)
    organization = ctx.part("", _required, ctx, tbl, "organization", ctx.string)
    text = {key: ctx.part(None, _parse_text_field, ctx, tbl, "", key) for key in _TEXT_KEYS}
    goal = ctx.part(1, _required, ctx, tbl, "goal", _at_least(ctx, 1))
    known_count = ctx.part(0, ctx.integer, tbl.get("known_count", 0), "known_count", 0)
    consent = (
        ctx.part(None, ctx.text, tbl["consent"], "consent", MAX_SHORT * 2)
        if "consent" in tbl
        else None
    )
    fields: dict[str, FieldRule] = dict(DEFAULT_FIELD_RULES)
    if "fields" in tbl:
        chosen = ctx.part({}, ctx.table, tbl["fields"], "fields", set(CONFIGURABLE_FIELDS))
        for name, rule in chosen.items():
            fields[name] = ctx.part(FieldRule.OPTIONAL, _field_rule, ctx, rule, name)
    updates = [
        u
        for i, raw in enumerate(ctx.part([], _array, ctx, tbl, "updates"))
        if (u := ctx.part(None, _parse_update, ctx, raw, f"updates[{i}]")) is not None
    ]
    locals_ = _parse_locals(ctx, tbl)
    history = [
        h
        for i, raw in enumerate(ctx.part([], _array, ctx, tbl, "history"))
        if (h := ctx.part(None, _parse_history, ctx, raw, f"history[{i}]")) is not None
    ]
    area = ctx.part(None, _parse_area, ctx, tbl["area"]) if "area" in tbl else None
    ctx.check()
    target, title, statement, background = (text[key] for key in _TEXT_KEYS)
    assert target and title and statement and background  # else check() raised
    return Campaign(
        slug=slug,
        kind=kind,
        organization=organization,
        text=CampaignText(target, title, statement, background),
        goal=goal,
        known_count=known_count,
        updates=tuple(updates),
        locals=tuple(locals_),
        history=tuple(history),
        consent=consent,
        fields=fields,
        source=source,
        area=area,
    )


def _check_format(ctx: _Ctx, tbl: dict[str, Any]) -> bool:
    """``format`` and ``format_version``: a file this kiosk reads (True), else raises."""
    if ctx.require(tbl, "format", "") != FORMAT:
        raise ctx.fail("format", 'must be "{format}"', format=FORMAT)
    version = ctx.integer(ctx.require(tbl, "format_version", ""), "format_version", 1)
    if version > FORMAT_VERSION:
        raise ctx.fail(
            "format_version",
            "{version} is newer than this kiosk reads ({newest})",
            version=version,
            newest=FORMAT_VERSION,
        )
    return True


def _required(ctx: _Ctx, tbl: dict[str, Any], key: str, read: Callable[[Any, str], _T]) -> _T:
    """``tbl[key]`` (a problem if missing), read by ``read(value, key)``."""
    return read(ctx.require(tbl, key, ""), key)


def _at_least(ctx: _Ctx, minimum: int) -> Callable[[Any, str], int]:
    """A reader of an integer of at least ``minimum``."""
    return lambda value, path: ctx.integer(value, path, minimum)


#: The parts of a campaign's text (:class:`CampaignText`), in a file's top level or a
#: ``[[history]]`` entry.
_TEXT_KEYS = ("target", "title", "statement", "background")


def _parse_kind(ctx: _Ctx, tbl: dict[str, Any]) -> CampaignKind:
    kind_raw = ctx.string(ctx.require(tbl, "kind", ""), "kind")
    try:
        return CampaignKind(kind_raw)
    except ValueError:
        raise ctx.fail("kind", 'must be "petition" or "letter"') from None


def _field_rule(ctx: _Ctx, rule: Any, name: str) -> FieldRule:
    try:
        return FieldRule(rule)
    except ValueError:
        raise ctx.fail(f"fields.{name}", 'must be "required", "optional" or "hidden"') from None


def _parse_history(ctx: _Ctx, value: Any, path: str) -> CampaignText:
    return _parse_text_block(ctx, ctx.table(value, path, _HISTORY_KEYS), path)


def _array(ctx: _Ctx, tbl: dict[str, Any], key: str) -> list[Any]:
    """``tbl[key]``, an array of tables (``[[key]]``; none: empty)."""
    value = tbl.get(key, [])
    if not isinstance(value, list):
        raise ctx.fail(key, f"must be an array of tables ([[{key}]])")
    return value


def _parse_update(ctx: _Ctx, value: Any, path: str) -> Update:
    utbl = ctx.table(value, path, {"posted_at", "text"})
    return Update(
        posted_at=_parse_when(ctx, ctx.require(utbl, "posted_at", path), f"{path}.posted_at"),
        text=ctx.text(ctx.require(utbl, "text", path), f"{path}.text"),
    )


def _parse_locals(ctx: _Ctx, tbl: dict[str, Any]) -> list[LocalCampaign]:
    """The ``[[local]]`` campaigns, each checked on its own (a problem in one is kept and the
    next is read); a slug used twice is a problem of the second."""
    raw_locals = ctx.part([], _array, ctx, tbl, "local")
    if len(raw_locals) > MAX_LOCALS:
        ctx.problems.append(
            ctx.fail(
                "local",
                "has {count} entries, at most {limit}",
                count=len(raw_locals),
                limit=MAX_LOCALS,
            )
        )
        return []
    locals_: list[LocalCampaign] = []
    seen: set[str] = set()
    for i, loc_raw in enumerate(raw_locals):
        loc = ctx.part(None, _parse_local, ctx, loc_raw, f"local[{i}]")
        if loc is None:
            continue
        if loc.slug in seen:
            ctx.problems.append(
                ctx.fail(
                    f"local[{i}].slug",
                    "{slug} is used by another local campaign",
                    slug=repr(loc.slug),
                )
            )
            continue
        seen.add(loc.slug)
        locals_.append(loc)
    return locals_


def load_campaign_file(path: str | Path) -> Campaign:
    """Read and validate one campaign TOML file.

    Raises:
        CampaignFormatError: unreadable, not TOML, or not a valid campaign.
    """
    p = Path(path)
    source = p.name
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise campaign_error(
            source, "", "cannot be read ({reason})", reason=exc.strerror or exc
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise campaign_error(source, "", "is larger than {limit} bytes", limit=MAX_FILE_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise campaign_error(source, "", "is not UTF-8 (byte {offset})", offset=exc.start) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(source, str(exc)) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise campaign_error(
            source, "", "is not valid TOML: arrays or tables nested too deeply"
        ) from None
    return parse_campaign(data, source)


#: How :mod:`tomllib` (Python 3.11-3.13) ends its messages: where the parse stopped.
_TOML_AT = re.compile(r"^(?P<reason>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")
_TOML_AT_END = re.compile(r"^(?P<reason>.*) \(at end of document\)$")


def _toml_error(source: str, message: str) -> CampaignFormatError:
    """The parser's message with where it stopped apart, so that a translation says the line
    and column in its own words and names the parser's own (English) words as such."""
    at = _TOML_AT.match(message)
    if at is not None:
        return campaign_error(
            source,
            "",
            "is not valid TOML at line {line}, column {column}: {reason}",
            line=at["line"],
            column=at["column"],
            reason=at["reason"],
        )
    end = _TOML_AT_END.match(message)
    if end is not None:
        return campaign_error(
            source, "", "is not valid TOML at the end of the file: {reason}", reason=end["reason"]
        )
    return campaign_error(source, "", "is not valid TOML: {reason}", reason=message)


def _text_dict(t: LocalizedText) -> dict[str, str]:
    return t.as_dict()


def _block_dict(t: CampaignText) -> dict[str, Any]:
    return {
        "target": _text_dict(t.target),
        "title": _text_dict(t.title),
        "statement": _text_dict(t.statement),
        "background": _text_dict(t.background),
    }


def campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    """Return the campaign as a document in the file format (JSON-safe)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "slug": campaign.slug,
        "kind": campaign.kind.value,
        "organization": campaign.organization,
        "goal": campaign.goal,
        "known_count": campaign.known_count,
        **_block_dict(campaign.text),
        "fields": {k: v.value for k, v in campaign.fields.items()},
    }
    if campaign.consent:
        doc["consent"] = _text_dict(campaign.consent)
    if campaign.updates:
        doc["updates"] = [
            {"posted_at": u.posted_at.isoformat(), "text": _text_dict(u.text)}
            for u in campaign.updates
        ]
    if campaign.locals:
        locs = []
        for loc in campaign.locals:
            d: dict[str, Any] = {
                "slug": loc.slug,
                "place": loc.place,
                "state": loc.state,
                "level": loc.level,
                "decision_maker": loc.decision_maker,
                "decision_maker_title": _text_dict(loc.decision_maker_title),
                "title": _text_dict(loc.title),
                "statement": _text_dict(loc.statement),
                "goal": loc.goal,
                "known_count": loc.known_count,
            }
            if loc.county:
                d["county"] = loc.county
            if loc.created_by:
                d["created_by"] = loc.created_by
            if loc.zips:
                d["zips"] = list(loc.zips)
            locs.append(d)
        doc["local"] = locs
    if campaign.area:
        area = campaign.area
        a: dict[str, Any] = {
            "place": area.place,
            "state": area.state,
            "level": area.level,
            "decision_maker": area.decision_maker,
            "decision_maker_title": _text_dict(area.decision_maker_title),
        }
        if area.county:
            a["county"] = area.county
        if area.zips:
            a["zips"] = list(area.zips)
        doc["area"] = a
    if campaign.history:
        doc["history"] = [_block_dict(h) for h in campaign.history]
    return doc


def load_campaign_dir(directory: str | Path) -> tuple[list[Campaign], list[CampaignFormatError]]:
    """Load every ``*.toml`` in a folder; bad files are reported, not fatal."""
    campaigns: list[Campaign] = []
    errors: list[CampaignFormatError] = []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            campaigns.append(load_campaign_file(path))
        except CampaignFormatError as exc:
            errors.append(exc)
    return campaigns, errors
