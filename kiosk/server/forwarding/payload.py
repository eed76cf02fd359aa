"""The documents one signature becomes: the OSDI record-signature body and the webhook JSON.

Both carry the consent the signer gave: the text version they signed (its hash, the language they
read it in, and for webhooks the petition's words in that language) and the opt-in wording they
saw next to the checkbox. Email and phone subscriptions follow the opt-in: an OSDI body marks
them ``subscribed`` only for a signer who opted in. Nothing here logs anything.

Webhook schema (``type`` ``signature.created``, version 1) — see docs/forwarding.md::

    {"type": "signature.created", "timestamp": "...", "data": {
        "id", "campaign", "local_campaign", "signed_at", "utc_offset_minutes", "kiosk_id",
        "event": {"id", "name", "location", "started_at"} | null,
        "signer": {"first_name", "last_name", "email", "phone", "street", "city", "state",
                   "zip", "country"},
        "comment", "opt_in",
        "consent": {"text_version", "lang", "opt_in_text", "target", "title", "statement"}}}
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.domain.campaign import TextVersion
from kiosk.domain.personal import PersonalFields
from kiosk.domain.signature import SignatureMeta

SCHEMA_VERSION = 1
IDENTIFIER_PREFIX = "petition-kiosk"


@dataclass(frozen=True, slots=True)
class SignatureFacts:
    """What forwarding needs of a stored signature besides its personal data: its metadata
    (the one description, :class:`~kiosk.domain.signature.SignatureMeta`) and its event's
    details, which the server keeps apart."""

    meta: SignatureMeta
    event_name: str | None = None
    event_location: str | None = None
    event_started_at: datetime | None = None


def identifier(signature_id: uuid.UUID) -> str:
    """The signature's OSDI identifier, ``petition-kiosk:<uuid>``."""
    return f"{IDENTIFIER_PREFIX}:{signature_id}"


def webhook_message_id(signature_id: uuid.UUID) -> str:
    """The ``webhook-id`` of a signature's message: the same at every retry (receivers use it
    to drop a message they already took)."""
    return f"msg_{signature_id.hex}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def consent(
    facts: SignatureFacts, personal: PersonalFields, version: TextVersion | None
) -> dict[str, Any]:
    """What the signer agreed to: the text version and language, the opt-in wording."""
    out: dict[str, Any] = {
        "text_version": facts.meta.text_version,
        "lang": facts.meta.lang,
        "opt_in_text": personal.consent_text or None,
    }
    if version is not None:
        out["target"] = version.text.target.get(facts.meta.lang)
        out["title"] = version.text.title.get(facts.meta.lang)
        out["statement"] = version.text.statement.get(facts.meta.lang)
    return out


def webhook_document(
    facts: SignatureFacts, personal: PersonalFields, version: TextVersion | None, now: datetime
) -> bytes:
    """The webhook body (UTF-8 JSON) of one signature."""
    event = None
    if facts.meta.event_id is not None:
        event = {
            "id": facts.meta.event_id,
            "name": facts.event_name,
            "location": facts.event_location,
            "started_at": _iso(facts.event_started_at) if facts.event_started_at else None,
        }
    doc = {
        "type": "signature.created",
        "schema": SCHEMA_VERSION,
        "timestamp": _iso(now),
        "data": {
            "id": str(facts.meta.id),
            "campaign": facts.meta.campaign,
            "local_campaign": facts.meta.local_campaign,
            "signed_at": _iso(facts.meta.created_at),
            "utc_offset_minutes": facts.meta.utc_offset_minutes,
            "kiosk_id": facts.meta.kiosk_id,
            "event": event,
            "signer": {
                "first_name": personal.first_name,
                "last_name": personal.last_name,
                "email": personal.email or None,
                "phone": personal.phone or None,
                "street": personal.street or None,
                "city": personal.city or None,
                "state": personal.state or None,
                "zip": personal.zip,
                "country": "US",
            },
            "comment": personal.comment or None,
            "opt_in": personal.opt_in,
            "consent": consent(facts, personal, version),
        },
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def referrer_source(facts: SignatureFacts) -> str:
    """``petition-kiosk:<kiosk>`` plus ``:<event>`` — the kiosk and event, for the CRM's reports."""
    source = f"{IDENTIFIER_PREFIX}:{facts.meta.kiosk_id}"
    if facts.event_name:
        source += f":{facts.event_name}"
    return source[:200]


def osdi_skip_reason(personal: PersonalFields, without_opt_in: str) -> str | None:
    """Why a signature must not go to an OSDI destination, or None.

    ``no_opt_in``: the signer did not opt in and the destination skips such signers (Action
    Network subscribes every person it creates: see docs/forwarding.md). ``no_contact``: neither
    email nor phone, which the helper needs to match a person.
    """
    if not personal.opt_in and without_opt_in == "skip":
        return "no_opt_in"
    if not personal.email and not personal.phone:
        return "no_contact"
    return None


def osdi_body(facts: SignatureFacts, personal: PersonalFields) -> dict[str, Any]:
    """The record-signature helper body of one signature (check :func:`osdi_skip_reason`
    first): email and phone ``subscribed`` with an opt-in, ``unsubscribed`` without.

    Args:
        facts: the signature's metadata.
        personal: the opened, validated personal data.
    """
    status = "subscribed" if personal.opt_in else "unsubscribed"
    person: dict[str, Any] = {
        "given_name": personal.first_name,
        "family_name": personal.last_name,
        "postal_addresses": [
            {
                k: v
                for k, v in {
                    "primary": True,
                    "address_lines": [personal.street] if personal.street else None,
                    "locality": personal.city or None,
                    "region": personal.state or None,
                    "postal_code": personal.zip,
                    "country": "US",
                }.items()
                if v is not None
            }
        ],
        "custom_fields": {
            "petition_kiosk_text_version": facts.meta.text_version,
            "petition_kiosk_lang": facts.meta.lang,
            "petition_kiosk_opt_in_text": personal.consent_text,
        },
    }
    if personal.email:
        person["email_addresses"] = [{"address": personal.email, "primary": True, "status": status}]
    if personal.phone:
        person["phone_numbers"] = [
            {"number": personal.phone, "number_type": "Mobile", "primary": True, "status": status}
        ]
    tags = [IDENTIFIER_PREFIX]
    if facts.event_name:
        tags.append(f"event:{facts.event_name}"[:100])
    if facts.meta.local_campaign:
        tags.append(f"local:{facts.meta.local_campaign}")
    body: dict[str, Any] = {
        "identifiers": [identifier(facts.meta.id)],
        "person": person,
        "action_date": _iso(facts.meta.created_at),
        "action_network:referrer_data": {"source": referrer_source(facts)},
        "add_tags": tags,
    }
    if personal.comment:
        body["comments"] = personal.comment
    return body
