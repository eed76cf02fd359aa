"""Signing: what the signer flow asks for, one signer at a time.

The domain's :class:`kiosk.domain.service.SigningService` validates, checks the duplicate hint,
seals and saves. This use case puts it together with what staff chose (the active campaign, a
fixed local campaign, the current event), so the signer screens ask for an operation ("check
this form", "save this signature") and get the outcome, without knowing where campaigns,
settings or signatures live.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from kiosk.domain.audit import AuditAction
from kiosk.domain.campaign import Campaign, LocalCampaign
from kiosk.domain.ink import Ink
from kiosk.domain.service import SigningService
from kiosk.domain.signature import SignatureMeta, SignatureMethod, Void
from kiosk.domain.validation import SignerEntry, SignerFields, TypedSignature
from kiosk.services.settings import KioskSettings

log = logging.getLogger("kiosk.services")


class Signing:
    """The signer flow's use cases.

    Args:
        service: the domain's signing service (it raises when the kiosk has no key yet, so it
            is asked for only when a signer needs it).
        settings: what staff chose.
    """

    def __init__(self, service: Callable[[], SigningService], settings: KioskSettings) -> None:
        self._service = service
        self.settings = settings

    def campaign(self, slug: str | None) -> Campaign | None:
        """The installed campaign of this slug, or None."""
        return self.settings.campaign(slug)

    def active_campaign(self) -> str | None:
        """The campaign signers are shown."""
        return self.settings.active_campaign()

    def fixed_local(self, campaign_slug: str | None) -> str | None:
        """The local campaign staff fixed the kiosk to, if it belongs to ``campaign_slug``."""
        return self.settings.fixed_local(campaign_slug)

    def progress(self, campaign: Campaign, local: str | None) -> tuple[int, int]:
        """(count, goal) of a campaign or one of its local campaigns: what is known from the
        campaign file plus what was collected here; before the kiosk has a key (the set-up
        screen), what the campaign file says."""
        try:
            p = self._service().progress(campaign.slug, local)
        except Exception:  # noqa: BLE001 - no key yet (set-up screen): counts from files
            loc = campaign.local(local) if local else None
            if loc is not None:
                return loc.known_count, loc.goal
            return campaign.known_count, campaign.goal
        return p.count, p.goal

    def check_form(self, campaign_slug: str, entry: SignerEntry, consent: str) -> SignerFields:
        """Validate the typed fields (raises :class:`kiosk.domain.errors.ValidationFailed`)."""
        return self._service().validate_form(campaign_slug, entry, consent)

    def already_signed(self, campaign_slug: str, fields: SignerFields) -> bool:
        """Whether this signer already signed the campaign here (the duplicate hint)."""
        return self._service().already_signed(campaign_slug, fields)

    def route(self, campaign_slug: str, zip_code: str) -> LocalCampaign | None:
        """The local campaign a ZIP belongs to, or None."""
        return self._service().route(campaign_slug, zip_code)

    def offer(self, campaign_slug: str, zip_code: str) -> Campaign | None:
        """Another installed campaign addressing the signer's place (nearest first), or None."""
        nearby = self._service().campaigns_for_place(campaign_slug, zip_code)
        return nearby[0] if nearby else None

    def submit(
        self,
        campaign_slug: str,
        local_slug: str | None,
        entry: SignerEntry,
        ink: Ink | None,
        lang: str,
        consent: str,
        typed: TypedSignature | None = None,
    ) -> SignatureMeta:
        """Save a signature durably, at the current event (see
        :meth:`kiosk.domain.service.SigningService.submit` for what it raises); ``typed`` is a
        typed signature instead of the drawing.

        A typed signature a volunteer witnessed with the staff PIN gets its own audit entry,
        ``signature_witnessed``, naming the signature by its uuid and nothing else (the trail
        never holds personal data). It is written after the signature is saved: a signature
        whose entry could not be written is kept (and the failure logged), never lost."""
        meta = self._service().submit(
            campaign_slug,
            local_slug,
            entry,
            ink,
            lang,
            consent_text=consent,
            event_id=self.settings.current_event_id(),
            typed=typed,
        )
        log.info(
            "signature %s saved (%s%s)",
            meta.id,
            meta.campaign,
            f"/{meta.local_campaign}" if meta.local_campaign else "",
        )
        if meta.method is SignatureMethod.TYPED_WITNESSED:
            self.settings.audit(AuditAction.SIGNATURE_WITNESSED, signature=str(meta.id))
        return meta

    def void(self, signature_id: uuid.UUID, reason: str) -> Void:
        """Void a signature with a reason (kept, marked, never deleted), audited.

        Raises:
            NotFound: no such signature.
            Refused: already void, or no reason.
        """
        void = self._service().void(signature_id, reason)
        self.settings.audit(AuditAction.VOID, signature=str(signature_id))
        log.info("signature %s voided by staff", signature_id)
        return void
