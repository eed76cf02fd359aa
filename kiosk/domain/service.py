"""The signing service: what the UI, the command line and the simulator call to collect.

It validates an entry, checks the duplicate hint, seals the personal data and hands the record
to the repository, which returns only once it is durable.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.campaign import Campaign, LocalCampaign, TextVersion
from kiosk.domain.errors import Code, NotFound, Refused, ValidationFailed
from kiosk.domain.ids import uuid7
from kiosk.domain.ink import Ink
from kiosk.domain.ports import Clock, Sealer, SignatureFilter, SignatureRepository, utc_now
from kiosk.domain.routing import ZipDirectory, campaigns_for_place, route_zip
from kiosk.domain.signature import (
    PersonalData,
    SealedSignature,
    SignatureMeta,
    SignatureMethod,
    Void,
)
from kiosk.domain.validation import (
    SignerEntry,
    SignerFields,
    TypedSignature,
    validate_entry,
    validate_fields,
)


def local_offset_minutes(moment: datetime) -> int:
    """The machine's UTC offset at ``moment``, in minutes."""
    offset = moment.astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


class CampaignCatalog:
    """The campaigns this kiosk knows, by slug."""

    def __init__(self, campaigns: Iterable[Campaign] = ()) -> None:
        self._by_slug: dict[str, Campaign] = {}
        for c in campaigns:
            self.put(c)

    def put(self, campaign: Campaign) -> None:
        """Add or replace a campaign (a new text makes a new version; old ones stay stored)."""
        self._by_slug[campaign.slug] = campaign

    def get(self, slug: str) -> Campaign:
        """Return a campaign.

        Raises:
            NotFound: no campaign has that slug.
        """
        try:
            return self._by_slug[slug]
        except KeyError:
            raise NotFound(Code.UNKNOWN_CAMPAIGN, slug) from None

    def all(self) -> list[Campaign]:
        """All campaigns, in the order they were added."""
        return list(self._by_slug.values())

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug


def _norm_key_part(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def dedupe_keys(
    secret: bytes, campaign: str, personal: PersonalData | SignerFields
) -> tuple[str, ...]:
    """Keyed hashes of normalised name + email and name + ZIP.

    They let the kiosk recognise a repeat signer without keeping names in clear: without the
    kiosk's secret, a key reveals nothing (HMAC-SHA256).
    """
    name = _norm_key_part(f"{personal.first_name} {personal.last_name}")
    parts = [f"zip:{personal.zip[:5]}"]
    if personal.email:
        parts.append(f"email:{_norm_key_part(personal.email)}")
    return tuple(
        hmac.new(secret, f"{campaign}\x1f{name}\x1f{p}".encode(), hashlib.sha256).hexdigest()
        for p in parts
    )


@dataclass(frozen=True, slots=True)
class Submission:
    """One signer of a :meth:`SigningService.submit_many` batch."""

    local_slug: str | None
    entry: SignerEntry
    ink: Ink | None
    lang: str
    consent_text: str = ""
    typed: TypedSignature | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """Progress to a goal: signatures known from elsewhere plus those collected here."""

    count: int
    goal: int

    @property
    def fraction(self) -> float:
        """Progress as a fraction in 0..1."""
        return min(1.0, self.count / self.goal) if self.goal > 0 else 0.0


class SigningService:
    """Collects signatures durably; the one path used by the UI, CLI and simulator."""

    def __init__(
        self,
        repo: SignatureRepository,
        catalog: CampaignCatalog,
        sealer: Sealer,
        dedupe_secret: bytes,
        kiosk_id: str,
        directory: ZipDirectory,
        clock: Clock = utc_now,
        offset: Callable[[datetime], int] = local_offset_minutes,
    ) -> None:
        """Wire the service.

        Args:
            repo: durable storage.
            catalog: the campaigns.
            sealer: seals personal data to the organization's key.
            dedupe_secret: the kiosk's secret for duplicate-hint keys.
            kiosk_id: this kiosk's id, recorded on every signature.
            directory: offline ZIP data for routing.
            clock: returns the current aware UTC time.
            offset: returns the local UTC offset in minutes at a moment.
        """
        self.repo = repo
        self.catalog = catalog
        self._sealer = sealer
        self._secret = dedupe_secret
        self.kiosk_id = kiosk_id
        self._directory = directory
        self._clock = clock
        self._offset = offset

    def route(self, campaign_slug: str, zip_code: str) -> LocalCampaign | None:
        """The local campaign for a ZIP, or None for the parent campaign."""
        return route_zip(self.catalog.get(campaign_slug), zip_code, self._directory)

    def campaigns_for_place(self, campaign_slug: str, zip_code: str) -> list[Campaign]:
        """Other installed campaigns addressing the place of this ZIP (a Duluth signer of a
        national campaign: the Duluth petition to its mayor), nearest level first."""
        others = [c for c in self.catalog.all() if c.slug != campaign_slug]
        return campaigns_for_place(others, zip_code, self._directory)

    def validate(
        self,
        campaign_slug: str,
        entry: SignerEntry,
        ink: Ink | None,
        consent_text: str = "",
    ) -> PersonalData:
        """Validate an entry without saving it (raises :class:`ValidationFailed`)."""
        return validate_entry(entry, self.catalog.get(campaign_slug), ink, consent_text)

    def validate_form(
        self, campaign_slug: str, entry: SignerEntry, consent_text: str = ""
    ) -> SignerFields:
        """Validate the typed fields only, before the signature is drawn (raises
        :class:`ValidationFailed`); :meth:`already_signed` takes the result."""
        return validate_fields(entry, self.catalog.get(campaign_slug), consent_text)

    def already_signed(self, campaign_slug: str, personal: PersonalData | SignerFields) -> bool:
        """Whether this signer already signed this campaign at this kiosk (duplicate hint)."""
        keys = dedupe_keys(self._secret, campaign_slug, personal)
        return self.repo.has_dedupe_key(campaign_slug, keys)

    def submit(
        self,
        campaign_slug: str,
        local_slug: str | None,
        entry: SignerEntry,
        ink: Ink | None,
        lang: str,
        consent_text: str = "",
        event_id: str | None = None,
        synthetic: bool = False,
        typed: TypedSignature | None = None,
    ) -> SignatureMeta:
        """Validate, seal and durably save one signature.

        ``typed`` is a typed signature instead of the drawing (``ink`` then only gives the pad
        size, or is None); the record's ``method`` says which it was.

        Returns:
            The saved signature's metadata; the signature is on disk when this returns.

        Raises:
            ValidationFailed: the entry has field errors.
            NotFound: unknown campaign or local campaign.
            Refused: ``ALREADY_SIGNED`` when the duplicate hint matches.
        """
        signature, version = self._prepare(
            campaign_slug, local_slug, entry, ink, lang, consent_text, event_id, synthetic, typed
        )
        self.repo.add(signature, version)
        return signature.meta

    def submit_many(
        self,
        campaign_slug: str,
        items: list[Submission],
        event_id: str | None = None,
        synthetic: bool = False,
    ) -> list[SignatureMeta | ValidationFailed | NotFound | Refused]:
        """Validate, seal and durably save several signatures in one transaction.

        Each item is judged on its own (a refused or invalid one is returned in its place and
        the others are saved); a duplicate of an earlier item of the same batch is refused as
        it would be one save later. Every returned :class:`SignatureMeta` is on disk when this
        returns; nothing is reported saved before the commit.
        """
        out: list[SignatureMeta | ValidationFailed | NotFound | Refused] = []
        ready: list[tuple[SealedSignature, TextVersion]] = []
        batch_keys: set[str] = set()
        for it in items:
            try:
                signature, version = self._prepare(
                    campaign_slug,
                    it.local_slug,
                    it.entry,
                    it.ink,
                    it.lang,
                    it.consent_text,
                    event_id,
                    synthetic,
                    it.typed,
                )
                if batch_keys.intersection(signature.dedupe_keys):
                    raise Refused(Code.ALREADY_SIGNED)
            except (ValidationFailed, NotFound, Refused) as exc:
                out.append(exc)
                continue
            batch_keys.update(signature.dedupe_keys)
            ready.append((signature, version))
            out.append(signature.meta)
        self.repo.add_many(ready)
        return out

    def _prepare(
        self,
        campaign_slug: str,
        local_slug: str | None,
        entry: SignerEntry,
        ink: Ink | None,
        lang: str,
        consent_text: str,
        event_id: str | None,
        synthetic: bool,
        typed: TypedSignature | None = None,
    ) -> tuple[SealedSignature, TextVersion]:
        """Validate, check the duplicate hint and seal: everything of a save but the write."""
        campaign = self.catalog.get(campaign_slug)
        if local_slug is not None and campaign.local(local_slug) is None:
            raise NotFound(Code.UNKNOWN_LOCAL_CAMPAIGN, local_slug)
        personal = validate_entry(entry, campaign, ink, consent_text, typed)
        keys = dedupe_keys(self._secret, campaign_slug, personal)
        if self.repo.has_dedupe_key(campaign_slug, keys):
            raise Refused(Code.ALREADY_SIGNED)
        version = campaign.current_version(local_slug)
        now = self._clock()
        meta = SignatureMeta(
            id=uuid7(int(now.timestamp() * 1000)),
            campaign=campaign_slug,
            local_campaign=local_slug,
            text_version=version.hash,
            lang=lang if lang in ("en", "es") else "en",
            kiosk_id=self.kiosk_id,
            event_id=event_id,
            created_at=now,
            utc_offset_minutes=self._offset(now),
            synthetic=synthetic,
            method=typed.method if typed is not None else SignatureMethod.DRAWN,
        )
        sealed = self._sealer.seal(personal.to_bytes())
        return SealedSignature(meta, sealed, keys), version

    def void(self, signature_id: uuid.UUID, reason: str) -> Void:
        """Void a signature with a reason; it is kept and marked, never deleted.

        Raises:
            NotFound: no such signature.
            Refused: ``ALREADY_VOID``, or ``REQUIRED`` when the reason is empty.
        """
        stored = self.repo.get(signature_id)
        if stored is None:
            raise NotFound(Code.UNKNOWN_SIGNATURE, str(signature_id))
        if stored.void is not None:
            raise Refused(Code.ALREADY_VOID, str(signature_id))
        reason = " ".join(reason.split())
        if not reason:
            raise Refused(Code.REQUIRED, "reason")
        void = Void(signature_id, reason[:200], self._clock(), self.kiosk_id)
        self.repo.add_void(void)
        return void

    def progress(self, campaign_slug: str, local_slug: str | None = None) -> Progress:
        """Known count plus signatures collected here (not void), against the goal.

        Synthetic signatures (``kiosk simulate``) are left out, as the server's counts and the
        rally screen leave them out: signers never see test data counted as support."""
        campaign = self.catalog.get(campaign_slug)
        here = self.repo.count(
            SignatureFilter(
                campaign=campaign_slug, local_campaign=local_slug, include_synthetic=False
            )
        )
        if local_slug is None:
            return Progress(campaign.known_count + here, campaign.goal)
        loc = campaign.local(local_slug)
        if loc is None:
            raise NotFound(Code.UNKNOWN_LOCAL_CAMPAIGN, local_slug)
        return Progress(loc.known_count + here, loc.goal)

    def current_version(self, campaign_slug: str, local_slug: str | None) -> TextVersion:
        """The text version a new signer of this campaign is given."""
        return self.catalog.get(campaign_slug).current_version(local_slug)
