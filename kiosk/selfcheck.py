"""``kiosk --self-check``: prove that this install (or PyInstaller bundle) has everything it needs.

Runs the kiosk's real code paths once, in a temporary data folder that is deleted afterwards, and
prints one line per step, ``ok: STEP: detail`` or ``FAILED: STEP: reason``:

1. campaigns: every shipped campaign file loads, and at least one does;
2. store: a new store opens (Alembic migrations run from their bundled scripts);
3. keys: a throwaway organization key pair is made (random passphrase, Argon2id);
4. virtual keyboard: the Qt Virtual Keyboard input-method plugin loads and its QML module
   (``QtQuick.VirtualKeyboard``) makes an ``InputPanel``;
5. translations: a compiled translation loads for every UI language (a missing ``.qm`` would
   otherwise leave the screens in English without a word);
5b. speech: Qt TextToSpeech's speechd engine is there, speech-dispatcher answers and offers an
   English and a Spanish voice (espeak-ng) for speech mode;
6. attract screen: the touch-screen UI is built (with a throwaway staff PIN, so it opens on the
   attract screen, not the set-up screen) and rendered offscreen (``QT_QPA_PLATFORM=offscreen``
   unless a platform is set), and the picture is not blank;
7. signature: one signature is saved through the signing service, read back, unsealed with the
   private key and compared field by field (ZIP data, phone and e-mail validation included);
8. pdf: a delivery packet of that one signature is rendered with :mod:`kiosk.pdf` (a cover and
   one sheet) and checked without a PDF library: the header, the end marker, as many page
   objects as the packet has pages, and the signature drawn exactly once;
9. printing: when the tablet has CUPS, it answers and keeps no copy of printed packets in its
   spool (``PreserveJobFiles No``); without CUPS, exports can only be saved, which is said.

The exit status is 0 only when every step passed. A step that cannot run because an earlier one
failed is reported as failed too: nothing is ever skipped silently. The signer used here is
made up and never logged beyond the step names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

#: A signer who does not exist (ZIP 10001 is New York, NY, in the offline ZIP data).
SELF_CHECK_ZIP = "10001"
_PAGE_RE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_STREAM_RE = re.compile(rb"/Length\s+(\d+)\s*(?:/[^>]*)?>>\s*stream\r?\n")


class StepFailed(Exception):
    """A self-check step found a problem; the message says what."""


@dataclass
class _State:
    """What the steps hand on to each other."""

    tmp: Path
    kiosk: Any = None
    passphrase: str = ""
    signature_id: Any = None
    campaign: str | None = None
    qt_keep: list[Any] = field(default_factory=list)


def _check_campaigns(state: _State) -> str:
    from kiosk.config import resources_dir
    from kiosk.domain.campaign_format import CampaignFormatError, load_campaign_file

    folder = resources_dir() / "campaigns"
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise StepFailed(f"no campaign files in {folder}")
    bad = []
    slugs = []
    for f in files:
        try:
            slugs.append(load_campaign_file(f).slug)
        except CampaignFormatError as exc:
            bad.append(str(exc))
    if bad:
        raise StepFailed("; ".join(bad))
    return f"{len(slugs)} campaign files loaded from {folder} ({', '.join(slugs)})"


def _check_store(state: _State) -> str:
    from kiosk.app import open_kiosk
    from kiosk.store.migrate import HEAD, current_revision, head_revision

    kiosk = open_kiosk(state.tmp / "data")
    state.kiosk = kiosk
    if kiosk.campaign_errors:
        raise StepFailed("; ".join(str(e) for e in kiosk.campaign_errors))
    if not kiosk.catalog.all():
        raise StepFailed("the store opened but the kiosk has no campaigns")
    head = head_revision()
    current = current_revision(kiosk.store.engine)
    if head != HEAD:
        # A migration script missing from an install: the scripts stop short of what the code
        # needs (one that only adds an index leaves no table or column out).
        raise StepFailed(f"the migration scripts end at {head}, the code needs {HEAD}")
    if head is None or current != head:
        raise StepFailed(f"store schema is at {current}, the code's newest is {head}")
    missing = _schema_gaps(kiosk.store.engine)
    if missing:
        # A migration script missing from an install leaves tables or columns out.
        raise StepFailed(f"the migrated store lacks {', '.join(missing)} (revision {current})")
    return f"temporary store opened and migrated to revision {current}"


def _schema_gaps(engine: Any) -> list[str]:
    """Tables, columns and indexes of the store's models that the migrated database does not
    have."""
    from sqlalchemy import inspect

    from kiosk.store.models import Base

    found = inspect(engine)
    tables = set(found.get_table_names())
    gaps = []
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            gaps.append(f"table {table.name}")
            continue
        columns = {c["name"] for c in found.get_columns(table.name)}
        gaps += [f"column {table.name}.{c.name}" for c in table.columns if c.name not in columns]
        indexes = {i["name"] for i in found.get_indexes(table.name)}
        gaps += [f"index {i.name}" for i in table.indexes if i.name not in indexes]
    return gaps


def _check_keys(state: _State) -> str:
    kiosk = _need_kiosk(state)
    state.passphrase = secrets.token_urlsafe(24)
    kiosk.keys.init(state.passphrase)
    if not kiosk.keys.has_public_key():
        raise StepFailed("key pair made but no public key is installed")
    return "throwaway organization key pair made"


def _ensure_qt_app() -> Any:
    """The running QGuiApplication, or a new one set up as ``kiosk`` sets it up.

    Offscreen unless a platform is chosen. The UI's ``configure_qt`` (virtual keyboard, Controls
    style, touch events) runs first when the UI is installed; importing it also applies the UI's
    work-arounds for the Qt bindings before any Qt call.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from kiosk.ui.main import configure_qt
    except ImportError:  # the attract-screen step reports the missing UI
        configure_qt = None
        os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if configure_qt is not None:
            configure_qt()
        app = QGuiApplication([sys.argv[0] if sys.argv else "kiosk"])
    return app


def _check_virtual_keyboard(state: _State) -> str:
    _ensure_qt_app()
    from PySide6.QtCore import QLibraryInfo, QPluginLoader, QUrl
    from PySide6.QtQml import QQmlComponent, QQmlEngine

    plugin_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    found = sorted((plugin_dir / "platforminputcontexts").glob("*qtvirtualkeyboardplugin*"))
    if not found:
        raise StepFailed(f"no Qt Virtual Keyboard plugin in {plugin_dir / 'platforminputcontexts'}")
    loader = QPluginLoader(str(found[0]))
    if not loader.load():
        raise StepFailed(f"the Qt Virtual Keyboard plugin does not load: {loader.errorString()}")
    keys = loader.metaData().get("MetaData", {}).get("Keys", [])
    if "qtvirtualkeyboard" not in keys:
        raise StepFailed(f"{found[0].name} is not the Qt Virtual Keyboard plugin (keys {keys})")
    engine = QQmlEngine()
    component = QQmlComponent(engine)
    component.setData(
        b"import QtQuick\nimport QtQuick.VirtualKeyboard\n"
        b"Item { width: 800; height: 600; InputPanel { width: parent.width } }\n",
        QUrl.fromLocalFile(str(state.tmp / "self-check-keyboard.qml")),
    )
    item = component.create() if component.isReady() else None
    if item is None:
        errors = "; ".join(e.toString() for e in component.errors())
        raise StepFailed(f"QtQuick.VirtualKeyboard's InputPanel cannot be made: {errors}")
    item.deleteLater()
    state.qt_keep.append(engine)
    return f"input-method plugin {found[0].name} and QtQuick.VirtualKeyboard QML load"


def _distinct_colours(image: Any, limit: int = 64) -> int:
    """Distinct pixel values on a sampling grid (stops counting at ``limit``)."""
    seen: set[int] = set()
    width, height = image.width(), image.height()
    step = max(1, min(width, height) // 120)
    for y in range(0, height, step):
        for x in range(0, width, step):
            seen.add(image.pixel(x, y))
            if len(seen) >= limit:
                return len(seen)
    return len(seen)


def _check_translations(state: _State) -> str:
    _ensure_qt_app()
    try:
        from kiosk.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, ensure_qm
    except ImportError as exc:
        raise StepFailed(f"the touch-screen UI is missing: {exc}") from None
    from PySide6.QtCore import QTranslator

    found = ensure_qm(state.tmp / "translations")
    missing = [lang for lang in LANGUAGES if lang not in found]
    if missing:
        raise StepFailed(f"no compiled translation for {', '.join(missing)} (see the log)")
    for lang, path in sorted(found.items()):
        translator = QTranslator()
        if not translator.load(str(path)):
            raise StepFailed(f"{path} does not load as a translation")
        # The source language may need no strings (English only carries plural forms).
        if lang != DEFAULT_LANGUAGE and translator.isEmpty():
            raise StepFailed(f"{path.name} has no translated strings")
    return ", ".join(f"{lang} ({found[lang].name})" for lang in LANGUAGES) + " load"


def _check_speech(state: _State) -> str:
    """Speech mode's engine: speechd with English and Spanish voices (issue #17)."""
    import time

    _ensure_qt_app()
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtTextToSpeech import QTextToSpeech

    from kiosk.ui.speech import DEFAULT_ENGINE, VOICE_LOCALES

    if DEFAULT_ENGINE not in QTextToSpeech.availableEngines():
        raise StepFailed(f"Qt TextToSpeech has no {DEFAULT_ENGINE} engine: speech mode is silent")
    if shutil.which("speech-dispatcher") is None:
        raise StepFailed(
            "speech-dispatcher is not installed: speech mode is silent "
            "(apt-get install speech-dispatcher speech-dispatcher-espeak-ng espeak-ng)"
        )
    from kiosk.adapters import speechd

    if speechd.hung():  # Qt's engine would wait for it for good
        raise StepFailed(
            f"speech-dispatcher is running but does not answer in {speechd.PROBE_SECONDS:g} s "
            f"({speechd.socket_path()}): stop it (pkill speech-dispatcher); it starts again "
            "when needed"
        )
    tts = QTextToSpeech(DEFAULT_ENGINE)
    state.qt_keep.append(tts)
    deadline = time.monotonic() + 10
    while tts.state() == QTextToSpeech.State.Synthesizing and time.monotonic() < deadline:
        QCoreApplication.processEvents()
    if tts.state() == QTextToSpeech.State.Error:
        raise StepFailed(f"speech-dispatcher does not answer: {tts.errorString()}")
    have = {loc.name() for loc in tts.availableLocales()}
    chosen = {
        lang: next((n for n in names if n in have), None) for lang, names in VOICE_LOCALES.items()
    }
    missing = [lang for lang, name in chosen.items() if name is None]
    if missing:
        raise StepFailed(
            f"no voice for {', '.join(missing)}: install speech-dispatcher-espeak-ng espeak-ng"
        )
    return "speech-dispatcher voices: " + ", ".join(f"{k} {v}" for k, v in chosen.items())


def _check_attract_screen(state: _State) -> str:
    kiosk = _need_kiosk(state)
    app = _ensure_qt_app()
    try:
        from kiosk.services.pin import PinGate
        from kiosk.ui.main import build_ui
    except ImportError as exc:
        raise StepFailed(f"the touch-screen UI is missing: {exc}") from None
    # A kiosk with no staff PIN opens on the set-up screen; give it a throwaway one.
    PinGate(kiosk.store, kiosk.pins).set_pin(f"{secrets.randbelow(10**8):08d}")
    ui = build_ui(kiosk, windowed=True, show=True, qm_dir=state.tmp / "translations")
    state.qt_keep.append(ui)
    mode, step = ui.vm.property("mode"), ui.vm.property("flow").property("step")
    if (mode, step) != ("signer", "attract"):
        raise StepFailed(f"the UI opened on {mode}/{step}, not the attract screen")
    window = ui.window
    for _ in range(10):
        app.processEvents()
    image = window.grabWindow()
    if image.isNull() or image.width() == 0 or image.height() == 0:
        raise StepFailed("the attract screen rendered no picture")
    colours = _distinct_colours(image)
    if colours < 2:
        raise StepFailed(
            f"the attract screen is blank ({image.width()}x{image.height()}, one colour)"
        )
    return (
        f"attract screen rendered {image.width()}x{image.height()} on "
        f"{app.platformName()} ({colours}{'+' if colours >= 64 else ''} colours)"
    )


def _self_check_ink() -> Any:
    from kiosk.simulate import human_strokes

    return human_strokes(random.Random(20261123))


def _check_signature(state: _State) -> str:
    from kiosk.domain.signature import PersonalData
    from kiosk.domain.validation import SignerEntry

    kiosk = _need_kiosk(state)
    if not state.passphrase:
        raise StepFailed("no key pair (the keys step failed)")
    place = kiosk.directory.lookup(SELF_CHECK_ZIP)
    if place is None:
        raise StepFailed(f"the offline ZIP data does not know {SELF_CHECK_ZIP}")
    slug = kiosk.services().settings.active_campaign()
    if slug is None:
        raise StepFailed("no campaign to sign")
    service = kiosk.service()
    entry = SignerEntry(
        first_name="Self",
        last_name="Check",
        zip=SELF_CHECK_ZIP,
        email="self-check@example.org",
        phone="+1 212 555 0100",
        street="1 Self Check Way",
        city=place.city,
        state=place.state,
        opt_in=True,
    )
    ink = _self_check_ink()
    consent = "Self-check: send me updates"
    local = service.route(slug, entry.zip)
    local_slug = local.slug if local is not None else None
    expected = service.validate(slug, entry, ink, consent)
    meta = service.submit(slug, local_slug, entry, ink, "en", consent_text=consent, synthetic=True)
    stored = kiosk.store.get(meta.id)
    if stored is None:
        raise StepFailed(f"signature {meta.id} was saved but cannot be read back")
    opener = kiosk.keys.unlock(state.passphrase)
    got = PersonalData.from_bytes(opener.open(stored.signature.sealed))
    if got.to_bytes() != expected.to_bytes():
        differ = [f for f in expected.__slots__ if getattr(got, f) != getattr(expected, f)]
        raise StepFailed(f"read back differs from what was written in: {', '.join(differ)}")
    # The store keeps times to the millisecond.
    millis = meta.created_at.microsecond // 1000 * 1000
    written = dataclasses.replace(meta, created_at=meta.created_at.replace(microsecond=millis))
    if stored.signature.meta != written:
        differ = [
            f for f in written.__slots__ if getattr(stored.signature.meta, f) != getattr(written, f)
        ]
        raise StepFailed(
            f"metadata read back differs from what was written in: {', '.join(differ)}"
        )
    state.signature_id = meta.id
    state.campaign = slug
    return (
        f"signature saved to {slug}{'/' + local_slug if local_slug else ''}, read back "
        f"and unsealed ({len(got.ink.strokes)} strokes)"
    )


def _pdf_page_count(data: bytes) -> int:
    """Pages of a PDF counted from its page objects (no PDF library needed)."""
    if not data.startswith(b"%PDF-"):
        raise StepFailed(f"not a PDF: starts with {data[:8]!r}")
    if b"%%EOF" not in data[-1024:]:
        raise StepFailed("the PDF has no end-of-file marker")
    return len(_PAGE_RE.findall(data))


def _pdf_streams(data: bytes) -> list[bytes]:
    """The PDF's streams, inflated where they are Flate-compressed."""
    out = []
    for m in _STREAM_RE.finditer(data):
        raw = data[m.end() : m.end() + int(m.group(1))]
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def _check_pdf(state: _State) -> str:
    kiosk = _need_kiosk(state)
    if state.signature_id is None or state.campaign is None:
        raise StepFailed("no signature to print (the signature step failed)")
    try:
        from kiosk.pdf.model import Packet, PacketSection, SheetRow
        from kiosk.pdf.render import page_count, render_packet
    except ImportError as exc:
        raise StepFailed(f"the PDF module is missing: {exc}") from None
    from kiosk.domain.signature import PersonalData

    stored = kiosk.store.get(state.signature_id)
    meta = stored.signature.meta
    personal = PersonalData.from_bytes(
        kiosk.keys.unlock(state.passphrase).open(stored.signature.sealed)
    )
    campaign = kiosk.catalog.get(meta.campaign)
    version = campaign.current_version(meta.local_campaign)
    if version.hash != meta.text_version:
        raise StepFailed("the signature's text version is not the campaign's current one")
    row = SheetRow(
        printed_name=personal.printed_name,
        city=personal.city,
        state=personal.state,
        zip=personal.zip,
        signed_at=meta.created_at,
        utc_offset_minutes=meta.utc_offset_minutes,
        ink=personal.ink,
    )
    packet = Packet(
        organization=campaign.organization,
        title=version.text.title,
        target=version.text.target,
        sections=(PacketSection(version, (row,)),),
        kind=campaign.kind,
    )
    data = render_packet(packet)
    pages = _pdf_page_count(data)
    expected = page_count(packet)
    if pages < 1 or pages != expected:
        raise StepFailed(f"the PDF has {pages} page objects, the packet {expected} pages")
    drawn = sum(s.count(b"/KioskSig BMC") for s in _pdf_streams(data))
    if drawn != 1:
        raise StepFailed(f"expected the one signature drawn once, found {drawn}")
    return (
        f"PDF packet rendered: {pages} pages (cover and one sheet), the signature drawn, "
        f"{len(data)} bytes"
    )


def _check_printing(state: _State) -> str:
    """CUPS, when the tablet has it, must not keep printed packets in its spool."""
    from kiosk.adapters import printing

    try:
        keeps = printing.spool_keeps_documents()
    except printing.PrintError as exc:
        if exc.code == "no_cups":
            return "no CUPS on this tablet: exports can be saved, not printed"
        raise StepFailed(f"CUPS does not answer ({exc.code}): printing will fail") from None
    if keeps:
        raise StepFailed(
            "CUPS keeps printed packets (signers' names) in its spool for a day: "
            "run `cupsctl PreserveJobFiles=No` as root"
        )
    return "CUPS keeps no copy of printed packets"


def _need_kiosk(state: _State) -> Any:
    if state.kiosk is None:
        raise StepFailed("no store (the store step failed)")
    return state.kiosk


STEPS: list[tuple[str, Callable[[_State], str]]] = [
    ("campaigns", _check_campaigns),
    ("store", _check_store),
    ("keys", _check_keys),
    ("virtual keyboard", _check_virtual_keyboard),
    ("translations", _check_translations),
    ("speech", _check_speech),
    ("attract screen", _check_attract_screen),
    ("signature", _check_signature),
    ("pdf", _check_pdf),
    ("printing", _check_printing),
]


def run_self_check(out: TextIO | None = None) -> int:
    """Run every step in a temporary data folder; print one line per step.

    Args:
        out: where to print (standard output by default).

    Returns:
        0 when every step passed, 1 otherwise.
    """
    stream = out if out is not None else sys.stdout
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-self-check-"))
    state = _State(tmp=tmp)
    failed = 0
    try:
        for name, step in STEPS:
            try:
                detail = step(state)
            except StepFailed as exc:
                failed += 1
                print(f"FAILED: {name}: {exc}", file=stream, flush=True)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a report line
                failed += 1
                where = traceback.extract_tb(exc.__traceback__)[-1]
                print(
                    f"FAILED: {name}: {type(exc).__name__}: {exc} "
                    f"({Path(where.filename).name}:{where.lineno})",
                    file=stream,
                    flush=True,
                )
            else:
                print(f"ok: {name}: {detail}", file=stream, flush=True)
    finally:
        _cleanup(state)
    total = len(STEPS)
    if failed:
        print(f"self-check FAILED: {failed} of {total} steps failed", file=stream, flush=True)
        return 1
    print(f"self-check passed: {total} of {total} steps", file=stream, flush=True)
    return 0


def _cleanup(state: _State) -> None:
    """Drop Qt objects and the store before deleting the temporary folder."""
    while state.qt_keep:
        obj = state.qt_keep.pop()
        for name in ("close", "deleteLater"):
            fn = getattr(obj, name, None)
            if callable(fn):
                with contextlib.suppress(Exception):  # best effort on the way out
                    fn()
                break
    try:
        from PySide6.QtCore import QCoreApplication, QEvent

        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            QCoreApplication.processEvents()
    except ImportError:
        pass
    if state.kiosk is not None:
        state.kiosk.close()
    shutil.rmtree(state.tmp, ignore_errors=True)
