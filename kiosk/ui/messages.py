"""The one place where the domain's codes become sentences in the signer's language.

The domain returns codes (:class:`kiosk.domain.errors.Code`, :class:`kiosk.sync.status
.SyncErrorCode`, :class:`kiosk.domain.audit.AuditAction` with its details, retention policies);
the UI words them here through ``QCoreApplication.translate``, so
``pyside6-lupdate`` extracts every message into the ``.ts`` files and a language switch
re-words them. The staff screens' own problems (saving, printing, exports, the passphrase, the
event, first start, the PIN) come as codes from their view-models; QML hands them to
:meth:`kiosk.ui.i18n.I18n.message`, which words them with :func:`staff_message`. No QML file
words a problem itself (``tests/ui/test_messages.py``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QCoreApplication

from kiosk.domain.audit import AuditAction, ChainReport
from kiosk.domain.errors import Code
from kiosk.privacy import SETTING_RETENTION, RetentionPolicy
from kiosk.sync.status import SyncErrorCode
from kiosk.ui_state import SETTING_ACTIVE_CAMPAIGN, SETTING_EVENT, SETTING_FIXED_LOCAL

#: A UI-only check: the opt-in needs an email or a phone number to be useful.
OPT_IN_NEEDS_CONTACT = "opt_in_needs_contact"
#: A UI-only message: the store refused or failed to save (disk full, damaged file).
SAVE_FAILED = "save_failed"


translate = QCoreApplication.translate  # lupdate finds the "translate(" calls below


def error_message(code: Code | str, field: str = "") -> str:
    """The message shown next to a field (or on the form) for a domain error code.

    Args:
        code: the domain's code (or :data:`OPT_IN_NEEDS_CONTACT`).
        field: the form field it is about, for messages that name it.
    """
    code = str(code)
    if code == Code.REQUIRED:
        if field == "first_name":
            return translate("Messages", "Please enter your first name.")
        if field == "last_name":
            return translate("Messages", "Please enter your last name.")
        if field == "zip":
            return translate("Messages", "Please enter your ZIP code.")
        if field == "email":
            return translate("Messages", "Please enter your email address.")
        if field == "phone":
            return translate("Messages", "Please enter your phone number.")
        if field == "reason":
            return translate("Messages", "Please give a reason.")
        if field == "typed_name":  # what a typed signature must hold, as when it is wrong
            return error_message(Code.TYPED_NAME_MISMATCH)
        return translate("Messages", "Please fill this in.")
    if code == Code.TOO_LONG:
        return translate("Messages", "This is too long.")
    if code == Code.CONTROL_CHARACTERS:
        return translate("Messages", "This contains characters that are not allowed.")
    if code == Code.INVALID_NAME:
        return translate(
            "Messages",
            "Please use letters only (accents, spaces, hyphens and apostrophes are fine).",
        )
    if code == Code.INVALID_EMAIL:
        return translate(
            "Messages", "This email address does not look right (example: name@example.com)."
        )
    if code == Code.INVALID_PHONE:
        return translate(
            "Messages", "This phone number does not look right (example: 612 555 0134)."
        )
    if code == Code.INVALID_ZIP:
        return translate("Messages", "A ZIP code has 5 digits (example: 55802).")
    if code == Code.INVALID_STATE:
        return translate("Messages", "Use the two-letter state code (example: MN).")
    if code == Code.ZIP_STATE_MISMATCH:
        return translate("Messages", "This ZIP code is not in that state.")
    if code == Code.SIGNATURE_MISSING:
        return translate("Messages", "Please sign with your finger in the box.")
    if code == Code.SIGNATURE_TOO_SHORT:
        return translate("Messages", "Your signature is too short. Please sign your name.")
    if code == Code.TYPED_NAME_MISMATCH:
        return translate(
            "Messages", "Please type your full name: your first and last name as in the form."
        )
    if code == Code.SIGNATURE_NOT_CONFIRMED:
        return translate("Messages", "Please confirm that the typed name is your signature.")
    if code == Code.SIGNATURE_INVALID:
        return translate(
            "Messages", "The signature could not be read. Please clear it and sign again."
        )
    if code == Code.UNKNOWN_CAMPAIGN:
        return translate(
            "Messages", "This campaign is no longer on this kiosk. Please ask a volunteer."
        )
    if code == Code.UNKNOWN_LOCAL_CAMPAIGN:
        return translate(
            "Messages", "This local campaign is no longer on this kiosk. Please choose another."
        )
    if code == Code.ALREADY_SIGNED:
        return translate("Messages", "You have already signed this petition at this kiosk.")
    if code == Code.UNKNOWN_SIGNATURE:
        return translate("Messages", "This entry no longer exists.")
    if code == Code.ALREADY_VOID:
        return translate("Messages", "This entry is already void.")
    if code == OPT_IN_NEEDS_CONTACT:
        return translate("Messages", "Add an email address or a phone number to get updates.")
    if code == SAVE_FAILED:
        return translate(
            "Messages", "Your signature could not be saved. Please ask a volunteer for help."
        )
    return translate("Messages", "Something went wrong. Please try again.")


def sync_error_message(code: SyncErrorCode | str | None, enrolling: bool = False) -> str:
    """Why the last sync failed, in the staff's language ("" when it did not fail).

    Args:
        enrolling: for the connect form: nothing there is tried again by itself, so no message
            says it will be.
    """
    if code is None or code == "":
        return ""
    code = str(code)
    if enrolling and code == SyncErrorCode.SERVER_ERROR:
        return translate("Messages", "The server had an error. Try again in a few minutes.")
    if enrolling and code == SyncErrorCode.RATE_LIMITED:
        return translate("Messages", "The server is busy. Try again in a minute.")
    if code == SyncErrorCode.NOT_CONNECTED:
        return translate("Messages", "Not connected to a server.")
    if code == SyncErrorCode.OFFLINE:
        return translate("Messages", "The server cannot be reached (no network?).")
    if code == SyncErrorCode.TIMEOUT:
        return translate("Messages", "The server took too long to answer.")
    if code == SyncErrorCode.TLS:
        return translate("Messages", "The server's security certificate was refused.")
    if code == SyncErrorCode.UNAUTHORIZED:
        return translate("Messages", "The server no longer accepts this kiosk. Connect it again.")
    if code == SyncErrorCode.SERVER_ERROR:
        return translate("Messages", "The server had an error. It will be retried.")
    if code == SyncErrorCode.BAD_RESPONSE:
        return translate(
            "Messages",
            "This address does not answer like a Petition Kiosk server. Check the address.",
        )
    if code == SyncErrorCode.REFUSED:
        return translate("Messages", "The server refused the request.")
    if code == SyncErrorCode.RATE_LIMITED:
        return translate("Messages", "The server is busy. It will be retried later.")
    if code == SyncErrorCode.BAD_CODE:
        return translate("Messages", "This enrollment code is wrong, used or expired.")
    if code == SyncErrorCode.INSECURE_URL:
        return translate(
            "Messages",
            "This address is not encrypted (http://). Use an https:// address, or, for a "
            "server on your local network, turn on “Allow unencrypted connection”.",
        )
    if code == "bad_url":
        return translate("Messages", "This server address is not valid.")
    if code == "key_mismatch":
        return translate(
            "Messages", "This server uses a different organization key. Not connected."
        )
    if code == "local_error":
        return translate(
            "Messages", "This kiosk could not read or write its sync data. Nothing was lost."
        )
    if code == SyncErrorCode.DEMO_KIOSK:
        return translate(
            "Messages",
            "This is a demo kiosk and the server is not in demo mode. Use the kiosk without "
            "demo mode, or a demo server.",
        )
    if code == SyncErrorCode.DEMO_SERVER:
        return translate(
            "Messages",
            "This server is in demo mode and takes only demo kiosks. Connect to your "
            "organization's server.",
        )
    return translate("Messages", "Sync failed.")


# -- the audit trail and retention (staff mode's privacy screen) --------------------------


def audit_action_text(action: str) -> str:
    """An audit entry's action in the staff's language.

    Args:
        action: an :class:`~kiosk.domain.audit.AuditAction` value (an unknown one, e.g. from a
            newer version, is shown as it is).
    """
    words = {
        AuditAction.STAFF_ENTERED: translate("Messages", "Staff mode opened"),
        AuditAction.STAFF_LEFT: translate("Messages", "Staff mode closed"),
        AuditAction.PIN_SET: translate("Messages", "Staff PIN set"),
        AuditAction.PIN_FAILED: translate("Messages", "Wrong staff PIN"),
        AuditAction.PIN_LOCKED: translate("Messages", "PIN entry locked"),
        AuditAction.VOID: translate("Messages", "Entry voided"),
        AuditAction.EXPORT: translate("Messages", "Signatures exported"),
        AuditAction.PRINT: translate("Messages", "Signatures printed"),
        AuditAction.UNLOCK: translate("Messages", "Names unlocked with the passphrase"),
        AuditAction.UNLOCK_FAILED: translate("Messages", "Wrong coordinator passphrase"),
        AuditAction.LOCK: translate("Messages", "Names locked again"),
        AuditAction.PURGE: translate("Messages", "Personal data deleted"),
        AuditAction.SETTINGS_CHANGED: translate("Messages", "Setting changed"),
        AuditAction.ENROLLED: translate("Messages", "Connected to a server"),
        AuditAction.KEYS_CREATED: translate("Messages", "Organization key created"),
        AuditAction.SIGNATURE_WITNESSED: translate(
            "Messages", "Typed signature witnessed by a volunteer"
        ),
    }
    try:
        return words[AuditAction(action)]
    except ValueError:
        return action


def policy_text(policy: RetentionPolicy) -> str:
    """A retention policy's name, short (``After 30 days``)."""
    if policy.kind == "immediate":
        return translate("Messages", "As soon as the server has it")
    if policy.kind == "days":
        return translate("Messages", "After %n day(s)", None, policy.days)
    return translate("Messages", "Keep until exported")


def _setting_text(name: str, value: str) -> str:
    if name == SETTING_RETENTION:
        try:
            shown = policy_text(RetentionPolicy.parse(value))
        except ValueError:
            shown = value
        return translate("Messages", "Personal data: %1").replace("%1", shown)
    if name == SETTING_ACTIVE_CAMPAIGN:
        return translate("Messages", "Campaign shown: %1").replace("%1", value)
    if name == SETTING_FIXED_LOCAL:
        return (
            translate("Messages", "Local campaign: %1").replace("%1", value)
            if value
            else translate("Messages", "Local campaign: by ZIP code")
        )
    if name == SETTING_EVENT:
        return (
            translate("Messages", "Event started or changed")
            if value
            else translate("Messages", "Event ended")
        )
    return name


def audit_detail_text(action: str, detail: dict[str, Any]) -> str:
    """An audit entry's detail in words ("" when there is nothing worth saying).

    Details never hold personal data (ids, counts, setting names and values, a server
    address); a signature's id is not shown, and keys this version does not know are left out.

    Args:
        action: the entry's action value.
        detail: the entry's detail.
    """
    parts: list[str] = []
    if action == AuditAction.SETTINGS_CHANGED and "setting" in detail:
        parts.append(_setting_text(str(detail["setting"]), str(detail.get("value", ""))))
    if action == AuditAction.PURGE and isinstance(detail.get("count"), int):
        parts.append(translate("Messages", "%n signature(s)", None, int(detail["count"])))
        if "policy" in detail:
            with contextlib.suppress(ValueError):
                parts.append(policy_text(RetentionPolicy.parse(str(detail["policy"]))))
    if action == AuditAction.PIN_LOCKED and isinstance(detail.get("seconds"), int):
        parts.append(translate("Messages", "for %n second(s)", None, int(detail["seconds"])))
    if action in (AuditAction.EXPORT, AuditAction.PRINT):
        if detail.get("kind"):
            parts.append(str(detail["kind"]).upper())
        if detail.get("campaign"):
            parts.append(str(detail["campaign"]))
        if isinstance(detail.get("rows"), int):
            parts.append(translate("Messages", "%n signature(s)", None, int(detail["rows"])))
    if action == AuditAction.ENROLLED:
        if detail.get("server"):
            parts.append(str(detail["server"]))
        if detail.get("allow_insecure"):
            parts.append(translate("Messages", "unencrypted connection allowed"))
    if action in (AuditAction.PIN_FAILED, AuditAction.PIN_LOCKED) and (
        detail.get("via") == "witness"
    ):
        parts.append(translate("Messages", "to witness a typed signature"))
    if action in (AuditAction.UNLOCK, AuditAction.UNLOCK_FAILED) and detail.get("via") == "cli":
        parts.append(translate("Messages", "from the command line"))
    return " · ".join(parts)


def chain_text(report: ChainReport) -> str:
    """The chain check in words: intact with its length, or a warning naming the first break."""
    if report.ok:
        return translate("Messages", "Intact: %n entries", None, report.entries)
    at = str(report.broken_at) if report.broken_at is not None else "?"
    if report.reason == "was altered":
        text = translate(
            "Messages",
            "Warning: the audit trail was tampered with. Entry %1 was changed "
            "after it was written.",
        )
    elif report.reason.endswith("is missing"):
        text = translate(
            "Messages",
            "Warning: the audit trail was tampered with. An entry before entry %1 was removed.",
        )
    elif report.reason == "does not follow the previous entry":
        text = translate(
            "Messages",
            "Warning: the audit trail was tampered with. Entry %1 does not follow "
            "the entry before it.",
        )
    else:
        text = translate("Messages", "Warning: the audit trail was tampered with at entry %1.")
    return text.replace("%1", at)


# -- staff screens: what the view-models report as codes, worded here for QML ---------------
#
# The QML asks through ``I18n.message(language, kind, code, n)`` (kiosk/ui/i18n.py); no QML file
# words an error itself (tests/ui/test_messages.py checks that).


def _save_message(code: str, n: int) -> str:
    """Why an export was not saved (:func:`kiosk.exports.save_error_code`)."""
    if code == "full":
        return translate(
            "Messages",
            "Not saved: the USB stick or disk is full. Nothing was lost: free some space or "
            "choose another place.",
        )
    if code == "read_only":
        return translate(
            "Messages",
            "Not saved: this place cannot be written to (it is read-only or locked). Nothing "
            "was lost: choose another place.",
        )
    if code == "gone":
        return translate(
            "Messages",
            "Not saved: the USB stick is not there any more. Nothing was lost: plug it in "
            "again, look for USB sticks and save again.",
        )
    return translate(
        "Messages", "Not saved: the file could not be written. Nothing was lost: try another place."
    )


def _print_message(code: str, n: int) -> str:
    """Why printing failed (:class:`kiosk.adapters.printing.PrintError` codes, ``make``)."""
    if code == "no_cups":
        return translate(
            "Messages", "Printing is not set up on this kiosk (CUPS is not installed)."
        )
    if code == "cups_down":
        return translate("Messages", "The printing service (CUPS) is not running.")
    if code == "no_printer":
        return translate("Messages", "No printer is set up on this kiosk.")
    if code == "unknown_printer":
        return translate("Messages", "That printer is not there any more. Choose another one.")
    if code == "refused":
        return translate(
            "Messages",
            "The printer did not accept the job. Check that it is switched on and not paused.",
        )
    if code == "cancel_failed":
        return translate("Messages", "Too late to cancel: the printer already has it.")
    if code == "make":
        return translate("Messages", "The packet could not be made.")
    return translate("Messages", "Printing failed.")


def _export_message(code: str, n: int) -> str:
    """Why no export was made (``cancelled``, ``locked``, ``nothing``, ``failed``)."""
    if code == "cancelled":
        return translate("Messages", "Cancelled: nothing was made.")
    if code == "locked":
        return translate("Messages", "Exports need the coordinator's passphrase first.")
    if code == "nothing":
        return translate("Messages", "No signature matches: nothing was made.")
    return translate("Messages", "The export could not be made.")


def _unlock_message(code: str, n: int) -> str:
    """The coordinator's passphrase was refused (``wrong``)."""
    return translate("Messages", "Wrong passphrase.")


def _event_message(code: str, n: int) -> str:
    """Why an event's name was refused (``required``, ``too_long``,
    ``control_characters``)."""
    if code == Code.REQUIRED:
        return translate("Messages", "Please name the event.")
    return error_message(code)


def _setup_message(code: str, n: int) -> str:
    """First start's PIN and passphrase problems."""
    if code == "pin_format":
        return translate("Messages", "A PIN has 4 to 12 digits.")
    if code == "pin_mismatch":
        return translate("Messages", "The two PINs are not the same.")
    if code == "passphrase_short":
        return translate("Messages", "Use at least 8 characters.")
    if code == "passphrase_mismatch":
        return translate("Messages", "The two passphrases are not the same.")
    return translate("Messages", "Set-up failed. Please try again.")


def _pin_message(code: str, n: int) -> str:
    """A refused staff PIN: ``wrong`` (``n`` tries left) or ``locked`` (``%1``: how long)."""
    if code == "locked":
        return translate("Messages", "Too many wrong tries. Try again in %1.")
    return translate("Messages", "Wrong PIN. %n tries left.", None, n)


_STAFF_KINDS = {
    "save": _save_message,
    "print": _print_message,
    "export": _export_message,
    "unlock": _unlock_message,
    "event": _event_message,
    "setup": _setup_message,
    "pin": _pin_message,
    "sync": lambda code, n: sync_error_message(code),
}

#: The codes each kind words (besides its fallback), for tests and documentation.
STAFF_CODES: dict[str, tuple[str, ...]] = {
    "save": ("full", "read_only", "gone", "failed"),
    "print": (
        "no_cups",
        "cups_down",
        "no_printer",
        "unknown_printer",
        "refused",
        "cancel_failed",
        "make",
        "failed",
    ),
    "export": ("cancelled", "locked", "nothing", "failed"),
    "unlock": ("wrong",),
    "event": (Code.REQUIRED.value, Code.TOO_LONG.value),
    "setup": ("pin_format", "pin_mismatch", "passphrase_short", "passphrase_mismatch", "failed"),
    "pin": ("wrong", "locked"),
    "sync": tuple(c.value for c in SyncErrorCode),
}


def staff_message(kind: str, code: str, n: int = 0) -> str:
    """A staff screen's problem in the staff's language ("" for no code).

    Args:
        kind: which screen part reports it (a key of :data:`STAFF_CODES`).
        code: the view-model's code ("" when there is no problem).
        n: the number a plural message counts (tries left).
    """
    if not code:
        return ""
    word = _STAFF_KINDS.get(kind)
    if word is None:
        return translate("Messages", "Something went wrong. Please try again.")
    return word(code, n)
