"""A volunteer witnesses a typed signature with the staff PIN (issue #17): a wrong PIN does not
witness it and loses nothing the signer typed (the name, the confirmation); the right PIN
witnesses it, and the saved signature gets its own audit entry, ``signature_witnessed``, naming
it by its uuid only, in the real store. The wrong PIN is in the audit trail as a wrong staff PIN
(``pin_failed``, ``via: witness``)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from kiosk.app import Kiosk
from kiosk.domain.audit import AuditAction
from kiosk.domain.signature import SignatureMethod
from kiosk.ui.automation import Driver
from kiosk.ui.messages import audit_detail_text
from tests.ui.conftest import PIN

pytestmark = pytest.mark.gui

NAME = "Ana María Pérez"


def witnessed_entries(kiosk: Kiosk) -> list[dict[str, object]]:
    return [
        e.detail
        for e in kiosk.store.audit_entries()
        if e.action == AuditAction.SIGNATURE_WITNESSED.value
    ]


def _failed(kiosk: Kiosk) -> list[dict[str, object]]:
    return [e.detail for e in kiosk.store.audit_entries() if e.action == "pin_failed"]


def test_a_wrong_pin_keeps_the_typed_signature_and_the_right_one_is_audited(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    flow = d.ui.vm.flow
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.fill("form.firstName", "Ana María")
    d.fill("form.lastName", "Pérez")
    d.fill("form.zip", "55802")
    d.click("form.next")
    d.click("local.confirm")
    d.click("pad.typeInstead")
    d.fill("pad.typedName", NAME)
    d.click("pad.typedConfirm")
    d.wait(lambda: flow.typedConfirmed, "the confirmation")

    d.fill("pad.witnessPin", "0000")
    d.click("pad.witness")
    d.wait(lambda: flow.witnessState == "wrong", "the wrong PIN")
    assert not flow.witnessed
    assert flow.typing and flow.typedConfirmed
    assert d.text("pad.typedName") == NAME  # nothing the signer typed is lost
    assert d.text("pad.witnessPin") == ""  # the wrong PIN is not left in the field
    assert d.text("pad.witnessStatus").startswith("!")
    assert witnessed_entries(kiosk) == []
    d.wait(lambda: _failed(kiosk) == [{"via": "witness"}], "the wrong PIN in the audit trail")

    d.fill("pad.witnessPin", PIN)
    d.click("pad.witness")
    d.wait(lambda: flow.witnessed, "the witness")
    assert d.text("pad.typedName") == NAME and flow.typedConfirmed
    assert witnessed_entries(kiosk) == []  # written with the signature, not before
    d.click("pad.submit")
    d.wait_shown("thanks.done")

    [stored] = kiosk.store.recent(1)
    meta = stored.signature.meta
    assert meta.method is SignatureMethod.TYPED_WITNESSED
    assert witnessed_entries(kiosk) == [{"signature": str(meta.id)}]
    assert _failed(kiosk) == [{"via": "witness"}]  # the right PIN is not a failure
    shown = audit_detail_text("pin_failed", {"via": "witness"})  # on the staff audit screen
    assert shown == "to witness a typed signature"
    trail = json.dumps([e.detail for e in kiosk.store.audit_entries()], ensure_ascii=False)
    assert "Ana" not in trail and "Pérez" not in trail and "55802" not in trail
