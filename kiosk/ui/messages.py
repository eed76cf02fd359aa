"""The one place where the domain's codes become sentences in the signer's language.

The domain returns codes (:class:`kiosk.domain.errors.Code`, :class:`kiosk.sync.status
.SyncErrorCode`); the UI words them here through ``QCoreApplication.translate``, so
``pyside6-lupdate`` extracts every message into the ``.ts`` files and a language switch
re-words them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from kiosk.domain.errors import Code
from kiosk.sync.status import SyncErrorCode

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
        return translate("Messages", "Please fill this in.")
    if code == Code.TOO_LONG:
        return translate("Messages", "This is too long.")
    if code == Code.CONTROL_CHARACTERS:
        return translate("Messages", "This contains characters that are not allowed.")
    if code == Code.INVALID_NAME:
        return translate(
            "Messages",
            "Please use letters only (accents, spaces, hyphens and apostrophes are "
            "fine).")
    if code == Code.INVALID_EMAIL:
        return translate(
            "Messages", "This email address does not look right (example: name@example.com)."
        )
    if code == Code.INVALID_PHONE:
        return translate(
            "Messages",
            "This phone number does not look right (example: 612 555 0134).")
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
    if code == Code.SIGNATURE_INVALID:
        return translate(
            "Messages",
            "The signature could not be read. Please clear it and sign again.")
    if code == Code.UNKNOWN_CAMPAIGN:
        return translate(
            "Messages",
            "This campaign is no longer on this kiosk. Please ask a volunteer.")
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


def sync_error_message(code: SyncErrorCode | str | None) -> str:
    """Why the last sync failed, in the staff's language ("" when it did not fail)."""
    if code is None or code == "":
        return ""
    code = str(code)
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
        return translate("Messages", "The server sent an unexpected answer.")
    if code == SyncErrorCode.REFUSED:
        return translate("Messages", "The server refused the request.")
    if code == SyncErrorCode.BAD_CODE:
        return translate("Messages", "This enrollment code is wrong, used or expired.")
    if code == SyncErrorCode.INSECURE_URL:
        return translate("Messages", "Use an https:// address for this server.")
    if code == "bad_url":
        return translate("Messages", "This server address is not valid.")
    if code == "key_mismatch":
        return translate(
            "Messages",
            "This server uses a different organization key. Not connected.")
    if code == "local_error":
        return translate(
            "Messages", "This kiosk could not read or write its sync data. Nothing was lost."
        )
    return translate("Messages", "Sync failed.")
