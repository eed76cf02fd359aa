"""Campaigns, local campaigns and the text versions signers put their names to.

A campaign's texts come in English and optionally Spanish (``LocalizedText``). Every distinct
text a signer can be shown (target + statement + background, in every language) has a content
hash: a ``TextVersion``. Signatures record that hash, so a campaign whose wording changes later
makes a new version and never touches the signatures given under the old one.

Campaign text is plain text everywhere: front ends must never interpret it as HTML or rich text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

Lang = Literal["en", "es"]
LANGUAGES: tuple[Lang, ...] = ("en", "es")


class CampaignKind(StrEnum):
    """A petition asks a decision-maker for something; a letter thanks or addresses them."""

    PETITION = "petition"
    LETTER = "letter"


class FieldRule(StrEnum):
    """Whether the form shows a field and whether the signer must fill it."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    HIDDEN = "hidden"


#: Form fields a campaign can configure. Names, ZIP and the signature are always required.
CONFIGURABLE_FIELDS: tuple[str, ...] = ("email", "phone", "street", "city", "state", "comment")

DEFAULT_FIELD_RULES: dict[str, FieldRule] = {
    "email": FieldRule.OPTIONAL,
    "phone": FieldRule.OPTIONAL,
    "street": FieldRule.HIDDEN,
    "city": FieldRule.HIDDEN,
    "state": FieldRule.HIDDEN,
    "comment": FieldRule.OPTIONAL,
}


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in English and optionally Spanish."""

    en: str
    es: str | None = None

    def get(self, lang: str) -> str:
        """Return the text in ``lang``, falling back to English."""
        if lang == "es" and self.es:
            return self.es
        return self.en

    def as_dict(self) -> dict[str, str]:
        """Return the languages present, for hashing and the wire."""
        out = {"en": self.en}
        if self.es:
            out["es"] = self.es
        return out


@dataclass(frozen=True, slots=True)
class Update:
    """A dated update appended to a petition ("Update (01/31/2017 @ 3:10 PM)")."""

    posted_at: datetime
    text: LocalizedText


@dataclass(frozen=True, slots=True)
class LocalCampaign:
    """A campaign aimed at one city's or county's decision-maker, under a parent campaign."""

    slug: str
    place: str
    state: str
    level: Literal["city", "county"]
    decision_maker: str
    decision_maker_title: LocalizedText
    title: LocalizedText
    statement: LocalizedText
    goal: int
    known_count: int = 0
    created_by: str | None = None
    county: str | None = None
    zips: tuple[str, ...] = ()

    def target(self) -> LocalizedText:
        """The target line, e.g. "To: Mayor Denise Lynn"."""
        es_title = self.decision_maker_title.es or self.decision_maker_title.en
        return LocalizedText(
            en=f"To: {self.decision_maker_title.en} {self.decision_maker}",
            es=f"Para: {es_title} {self.decision_maker}",
        )


@dataclass(frozen=True, slots=True)
class Area:
    """The one place a campaign addresses (a city's mayor, a county's executive).

    A kiosk offers such a campaign to a signer of another campaign whose ZIP lies there and
    who has no local campaign of their own ("There is a petition to your mayor...").
    """

    place: str
    state: str
    level: Literal["city", "county"]
    decision_maker: str
    decision_maker_title: LocalizedText
    county: str | None = None
    zips: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CampaignText:
    """The parts of a campaign's text that make up a version."""

    target: LocalizedText
    title: LocalizedText
    statement: LocalizedText
    background: LocalizedText


@dataclass(frozen=True, slots=True)
class TextVersion:
    """One distinct text signers were shown, identified by its content hash."""

    hash: str
    campaign: str
    local_campaign: str | None
    text: CampaignText

    @property
    def short(self) -> str:
        """The first 12 hex digits, for footers and screens."""
        return self.hash[:12]


def text_hash(campaign_slug: str, local_slug: str | None, text: CampaignText) -> str:
    """Return the SHA-256 content hash of a text version.

    The hash covers the target, the statement and the background in every language, and the
    campaign (and local campaign) they belong to; titles are presentation and do not count.
    """
    canonical = json.dumps(
        {
            "campaign": campaign_slug,
            "local": local_slug,
            "target": text.target.as_dict(),
            "statement": text.statement.as_dict(),
            "background": text.background.as_dict(),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Campaign:
    """A petition or letter, with optional local campaigns and earlier text versions."""

    slug: str
    kind: CampaignKind
    organization: str
    text: CampaignText
    goal: int
    known_count: int = 0
    updates: tuple[Update, ...] = ()
    locals: tuple[LocalCampaign, ...] = ()
    history: tuple[CampaignText, ...] = ()
    consent: LocalizedText | None = None
    fields: dict[str, FieldRule] = field(default_factory=lambda: dict(DEFAULT_FIELD_RULES))
    source: str | None = None
    area: Area | None = None

    @property
    def target(self) -> LocalizedText:
        """The target line, e.g. "To: U.S. Mayors"."""
        return self.text.target

    @property
    def title(self) -> LocalizedText:
        """The campaign's title."""
        return self.text.title

    def local(self, slug: str) -> LocalCampaign | None:
        """Return the local campaign ``slug``, or None."""
        for loc in self.locals:
            if loc.slug == slug:
                return loc
        return None

    def rule(self, field_name: str) -> FieldRule:
        """Return whether ``field_name`` is required, optional or hidden on the form."""
        return self.fields.get(field_name, DEFAULT_FIELD_RULES.get(field_name, FieldRule.HIDDEN))

    def text_for(self, local_slug: str | None = None) -> CampaignText:
        """Return the text signers of this campaign (or one of its local campaigns) are shown."""
        if local_slug is None:
            return self.text
        loc = self.local(local_slug)
        if loc is None:
            raise KeyError(local_slug)
        return CampaignText(
            target=loc.target(),
            title=loc.title,
            statement=loc.statement,
            background=self.text.background,
        )

    def current_version(self, local_slug: str | None = None) -> TextVersion:
        """Return the current text version for the campaign or one of its local campaigns."""
        text = self.text_for(local_slug)
        return TextVersion(text_hash(self.slug, local_slug, text), self.slug, local_slug, text)

    def all_versions(self) -> list[TextVersion]:
        """Every version this campaign file knows: current ones, then the earlier texts."""
        versions = [self.current_version(None)]
        versions += [self.current_version(loc.slug) for loc in self.locals]
        versions += [
            TextVersion(text_hash(self.slug, None, old), self.slug, None, old)
            for old in self.history
        ]
        return versions


def text_to_dict(text: CampaignText) -> dict[str, dict[str, str]]:
    """A campaign text as plain dicts (for storing a text version)."""
    return {
        "target": text.target.as_dict(),
        "title": text.title.as_dict(),
        "statement": text.statement.as_dict(),
        "background": text.background.as_dict(),
    }


def text_from_dict(d: dict[str, dict[str, str]]) -> CampaignText:
    """The inverse of :func:`text_to_dict`."""

    def lt(part: dict[str, str]) -> LocalizedText:
        return LocalizedText(part["en"], part.get("es"))

    return CampaignText(lt(d["target"]), lt(d["title"]), lt(d["statement"]), lt(d["background"]))
