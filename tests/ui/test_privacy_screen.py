"""Staff mode's privacy screen: the retention policy, "Delete now" and the audit trail.

Everything goes through the real QML with the automation driver over a real SQLite store;
"synced" signatures are marked the way the sync engine marks them after the server's answer.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.app import Kiosk
from kiosk.domain.audit import AuditAction
from kiosk.domain.signature import SignatureMeta, SyncState
from kiosk.privacy import SETTING_RETENTION, SETTING_VACUUM_DUE
from kiosk.ui.automation import Driver
from kiosk.ui.messages import audit_action_text
from tests.helpers import entry, ink
from tests.ui.conftest import PIN

pytestmark = pytest.mark.gui

CAMPAIGN = "defy-trump-expand-sanctuary"


def sign(kiosk: Kiosk, n: int) -> list[SignatureMeta]:
    """``n`` signatures saved through the signing service (sealed personal data)."""
    service = kiosk.service()
    names = ["Ana", "Luis", "Sofía", "Zoë", "Minh", "Omar"]
    return [
        service.submit(CAMPAIGN, None, entry(first_name=names[i]), ink(i), "en") for i in range(n)
    ]


def to_privacy(d: Driver) -> None:
    """Into staff mode with the PIN, then the Privacy tab, once its figures are read."""
    d.wait_shown("attract.signButton")
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    d.type(PIN)
    d.click("pin.submit")
    d.wait_shown("staff.close")
    d.click("staff.tab.privacy")
    settle(d)


def settle(d: Driver) -> None:
    """Wait until the privacy screen has nothing running in the background."""
    privacy = d.ui.vm.privacy
    d.wait(
        lambda: (
            privacy.state["loaded"]
            and not privacy.state["loading"]
            and not privacy.state["busy"]
            and not privacy.chain["checking"]
            and not d.ui.tasks.running
        ),
        "the privacy screen to read the store",
    )


def retention_changes(kiosk: Kiosk) -> list[str]:
    """The retention policies recorded in the audit trail, oldest first."""
    return [
        e.detail["value"]
        for e in kiosk.store.audit_entries()
        if e.action == AuditAction.SETTINGS_CHANGED and e.detail.get("setting") == SETTING_RETENTION
    ]


def test_each_policy_is_stored_audited_and_applied(
    make_ui: Callable[..., Driver], make_kiosk: Callable[..., Kiosk]
) -> None:
    kiosk = make_kiosk()
    metas = sign(kiosk, 3)
    kiosk.store.mark_signatures([m.id for m in metas[:2]], SyncState.SYNCED)
    d = make_ui(kiosk)
    to_privacy(d)
    # The default keeps everything until exported; nothing was exported.
    assert d.text("staff.privacy.policyText").startswith("Personal data is kept until")
    assert d.text("staff.privacy.purgeable") == (
        "Waiting to be deleted under this policy: 0 signatures."
    )
    assert d.text("staff.privacy.waiting").endswith(": 1 signature.")

    d.click("staff.privacy.policy.immediate")
    d.wait(lambda: kiosk.store.get_setting(SETTING_RETENTION) == "immediate", "the setting")
    settle(d)
    # Applied at once: the two acknowledged signatures lose their personal data...
    assert d.text("staff.privacy.purged") == "Already deleted: 2 signatures (they still count)."
    assert [kiosk.store.get(m.id).signature.sealed == b"" for m in metas] == [True, True, False]
    # ...and the one the server does not have yet keeps it, whatever the policy.
    assert d.text("staff.privacy.waiting").endswith(": 1 signature.")
    assert d.text("staff.privacy.policyText") == (
        "Personal data is deleted as soon as the server has confirmed it has the signature."
    )

    d.click("staff.privacy.days.7")
    d.wait(lambda: kiosk.store.get_setting(SETTING_RETENTION) == "days:7", "days:7")
    settle(d)
    assert d.text("staff.privacy.policyText").startswith(
        "Personal data is deleted 7 days after signing"
    )
    d.click("staff.privacy.policy.untilExported")
    d.wait(lambda: kiosk.store.get_setting(SETTING_RETENTION) == "until_exported", "kept")
    settle(d)
    # "A number of days" without a number: the 30-day default.
    d.click("staff.privacy.policy.days")
    d.wait(lambda: kiosk.store.get_setting(SETTING_RETENTION) == "days:30", "days:30")
    settle(d)
    d.click("staff.privacy.days.90")
    d.wait(lambda: kiosk.store.get_setting(SETTING_RETENTION) == "days:90", "days:90")
    settle(d)
    d.click("staff.privacy.days.90")  # the same choice again changes nothing
    settle(d)

    assert retention_changes(kiosk) == [
        "immediate",
        "days:7",
        "until_exported",
        "days:30",
        "days:90",
    ]
    purges = [e.detail for e in kiosk.store.audit_entries() if e.action == AuditAction.PURGE]
    assert purges == [{"count": 2, "policy": "immediate"}]
    assert kiosk.store.counts().total == 3
    assert kiosk.auditor.verify().ok
    # The audit list shows the newest change first, in words.
    d.wait(
        lambda: d.text("staff.privacy.audit.0.detail") == "Personal data: After 90 days",
        "the newest entry",
    )
    assert d.text("staff.privacy.audit.0.action") == "Setting changed"


def test_delete_now_purges_acknowledged_personal_data_and_keeps_counts(
    make_ui: Callable[..., Driver], make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk()
    kiosk.store.set_setting(SETTING_RETENTION, "immediate")
    metas = sign(kiosk, 4)
    blobs = [kiosk.store.get(m.id).signature.sealed for m in metas]
    kiosk.store.mark_signatures([m.id for m in metas[:3]], SyncState.SYNCED)
    d = make_ui(kiosk)
    to_privacy(d)
    assert d.text("staff.privacy.purgeable") == (
        "Waiting to be deleted under this policy: 3 signatures."
    )
    assert d.text("staff.count.all") == "4"

    d.click("staff.privacy.deleteNow")
    d.wait(lambda: d.text("staff.privacy.deleteResult") != "", "the result")
    settle(d)
    assert d.text("staff.privacy.deleteResult") == "Deleted the personal data of 3 signatures."
    assert d.text("staff.privacy.purgeable").endswith(": 0 signatures.")
    assert d.text("staff.privacy.purged") == "Already deleted: 3 signatures (they still count)."
    assert [kiosk.store.get(m.id).signature.sealed == b"" for m in metas] == [
        True,
        True,
        True,
        False,
    ]
    assert kiosk.store.counts().total == 4
    d.ui.vm.staff.refresh()
    assert d.text("staff.count.all") == "4"
    purge = [e for e in kiosk.store.audit_entries() if e.action == AuditAction.PURGE]
    assert [e.detail for e in purge] == [{"count": 3, "policy": "immediate"}]
    # VACUUM rewrote the file: the deleted sealed blobs are nowhere on disk any more.
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kiosk.db*"))
    assert not any(blob[:64] in data for blob in blobs[:3])
    assert blobs[3][:64] in data  # the signature the server does not have is still there
    assert kiosk.store.get_setting(SETTING_VACUUM_DUE) == "0"  # nothing left for idle time

    d.click("staff.privacy.deleteNow")
    d.wait(
        lambda: d.text("staff.privacy.deleteResult") == "Nothing to delete under this policy.",
        "the second result",
    )


def test_audit_list_in_both_languages(
    make_ui: Callable[..., Driver], make_kiosk: Callable[..., Kiosk]
) -> None:
    kiosk = make_kiosk()
    kiosk.auditor.record(AuditAction.EXPORT, kind="csv", campaign=CAMPAIGN, local=None, rows=12)
    kiosk.auditor.record(AuditAction.PIN_LOCKED, seconds=30)
    kiosk.auditor.record(AuditAction.VOID, signature="0190a4c2-0000-7000-8000-000000000001")
    kiosk.store.mark_audit([1, 2], SyncState.SYNCED)
    d = make_ui(kiosk)
    to_privacy(d)
    # Newest first: entering staff mode, the void, the lockout, the export.
    rows = [
        (
            d.text(f"staff.privacy.audit.{i}.action"),
            d.text(f"staff.privacy.audit.{i}.detail"),
            d.text(f"staff.privacy.audit.{i}.sync"),
        )
        for i in range(4)
    ]
    assert rows == [
        ("Staff mode opened", "", "Not on the server yet"),
        ("Entry voided", "", "Not on the server yet"),  # the signature's id is not shown
        ("PIN entry locked", "for 30 seconds", "On the server"),
        ("Signatures exported", f"CSV · {CAMPAIGN} · 12 signatures", "On the server"),
    ]
    assert d.text("staff.privacy.audit.0.time") != ""
    assert d.text("staff.privacy.chain") == "Intact: 4 entries"

    english = {a: audit_action_text(a) for a in AuditAction}
    d.click("lang.es")
    d.wait(
        lambda: d.text("staff.privacy.audit.0.action") == "Modo de personal abierto",
        "the Spanish list",
    )
    assert d.text("staff.privacy.audit.2.action") == "Entrada de PIN bloqueada"
    assert d.text("staff.privacy.audit.2.detail") == "durante 30 segundos"
    assert d.text("staff.privacy.audit.2.sync") == "En el servidor"
    assert d.text("staff.privacy.audit.3.detail") == f"CSV · {CAMPAIGN} · 12 firmas"
    assert d.text("staff.privacy.chain") == "Intacto: 4 entradas"
    assert d.text("staff.privacy.policyText").startswith("Los datos personales se guardan")
    # Every action has its own wording in both languages.
    spanish = {a: audit_action_text(a) for a in AuditAction}
    assert len(set(english.values())) == len(AuditAction)
    assert len(set(spanish.values())) == len(AuditAction)
    assert all(english[a] != spanish[a] and english[a] != a.value for a in AuditAction)


@pytest.mark.parametrize(
    ("tamper", "warning"),
    [
        pytest.param(
            [
                "DROP TRIGGER audit_log_no_update",
                "UPDATE audit_log SET detail_json = '{\"seconds\": 1}' WHERE seq = 2",
            ],
            "Warning: the audit trail was tampered with. Entry 2 was changed after it was written.",
            id="edited",
        ),
        pytest.param(
            ["DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 2"],
            "Warning: the audit trail was tampered with. An entry before entry 3 was removed.",
            id="removed",
        ),
    ],
)
def test_a_tampered_audit_trail_shows_a_warning(
    make_ui: Callable[..., Driver],
    make_kiosk: Callable[..., Kiosk],
    tmp_path: Path,
    tamper: list[str],
    warning: str,
) -> None:
    kiosk = make_kiosk()
    for seconds in (30, 60, 120):
        kiosk.auditor.record(AuditAction.PIN_LOCKED, seconds=seconds)
    assert kiosk.auditor.verify().ok
    kiosk.close()
    # Someone with the file removes the append-only trigger and edits the trail directly.
    conn = sqlite3.connect(tmp_path / "data" / "kiosk.db")
    for statement in tamper:
        conn.execute(statement)
    conn.commit()
    conn.close()

    d = make_ui(make_kiosk())
    to_privacy(d)
    assert d.text("staff.privacy.chain") == warning
    assert not d.ui.vm.privacy.chain["ok"]
    d.click("lang.es")
    d.wait(
        lambda: d.text("staff.privacy.chain").startswith(
            "Atención: el registro de auditoría fue alterado."
        ),
        "the Spanish warning",
    )


def test_a_failed_deletion_is_said_in_the_language_switched_to(
    make_ui: Callable[..., Driver],
    make_kiosk: Callable[..., Kiosk],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The problem was worded once, when it happened: a volunteer who then chose Español
    read it in English."""
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    to_privacy(d)

    def broken(vacuum: bool) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(d.ui.vm.privacy._privacy, "purge", broken)
    d.click("staff.privacy.deleteNow")
    d.wait(lambda: d.text("staff.privacy.error") != "", "the problem")
    assert d.text("staff.privacy.error").startswith("This kiosk could not read or change its data.")
    d.click("lang.es")
    d.wait(
        lambda: d.text("staff.privacy.error").startswith("Este quiosco no pudo leer ni cambiar"),
        "the problem in Spanish",
    )


def test_delete_now_deletes_the_exports_saved_on_the_tablet(
    make_ui: Callable[..., Driver],
    make_kiosk: Callable[..., Kiosk],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An export saved into the exports folder (the tablet's own disk) holds its signers in
    clear: "Delete now" deletes it too, says how many files went, and leaves anything else in
    the folder; the screen says so beforehand. Idle housekeeping deletes those older than a
    day."""
    folder = tmp_path / "exports"
    folder.mkdir()
    monkeypatch.setenv("KIOSK_EXPORT_DIR", str(folder))
    saved = [
        folder / f"{CAMPAIGN}-contacts-2026-12-06.csv",
        folder / f"{CAMPAIGN}-packet-2026-12-06.pdf",
    ]
    for path in saved:
        path.write_text("Ana Pérez,ana@example.org")
    mine = folder / "volunteer-notes.txt"
    mine.write_text("bring more pens")
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    to_privacy(d)
    assert "also deletes the exports saved on this tablet" in d.text("staff.privacy.savedExports")
    assert not d.shown("staff.privacy.deletedFiles")
    d.click("staff.privacy.deleteNow")
    d.wait_shown("staff.privacy.deletedFiles")
    settle(d)
    assert d.text("staff.privacy.deletedFiles") == "Deleted 2 export files saved on this tablet."
    assert [p.exists() for p in saved] == [False, False] and mine.exists()

    # Idle housekeeping: a day-old one goes, a fresh one stays.
    old, fresh = (
        folder / f"{CAMPAIGN}-packet-2026-12-01.pdf",
        folder / f"{CAMPAIGN}-packet-2026-12-06.pdf",
    )
    for path in (old, fresh):
        path.write_text("x")
    os.utime(old, (time.time() - 25 * 3600,) * 2)
    kiosk.services().privacy.idle_housekeeping()
    assert not old.exists() and fresh.exists() and mine.exists()
