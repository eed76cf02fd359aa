"""The composition root: wires the store, keys, campaigns, ZIP data and the signing service.

Everything that runs the kiosk (the Qt app, the command line, the simulator, tests) builds its
parts here, so a test can wire them differently (an in-memory store, a fixed clock).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.adapters import printing, usb
from kiosk.adapters.crypto import (
    AUDIT_ANCHOR_FILE,
    DEVICE_TOKEN_FILE,
    Argon2idPinHasher,
    CryptoError,
    KeyFolder,
)
from kiosk.adapters.files import atomic_write
from kiosk.adapters.geo import ZipcodesDirectory
from kiosk.config import (
    DataFolderError,
    DataLayout,
    make_data_folder,
    resolve_data_dir,
    resources_dir,
)
from kiosk.domain.campaign_format import (
    CampaignFormatError,
    load_campaign_dir,
    load_campaign_file,
)
from kiosk.domain.ports import Clock, PinHasher, utc_now
from kiosk.domain.service import CampaignCatalog, SigningService
from kiosk.privacy import Auditor
from kiosk.services import (
    Events,
    Exports,
    KioskSettings,
    Outbox,
    Privacy,
    Services,
    Signing,
    StaffDesk,
)
from kiosk.store.sql import SqlStore, open_store

if TYPE_CHECKING:
    from kiosk.sync.engine import SyncEngine
    from kiosk.ui.main import UiHandle

log = logging.getLogger("kiosk")

SETTING_KIOSK_ID = "kiosk_id"
SETTING_DEDUPE_SECRET = "dedupe_secret"


class NoOrganizationKey(CryptoError):
    """The kiosk has no organization public key, so it cannot seal personal data."""


@dataclass
class Kiosk:
    """A kiosk's wired parts over one data directory."""

    data_dir: Path
    store: SqlStore
    keys: KeyFolder
    catalog: CampaignCatalog
    kiosk_id: str
    directory: ZipcodesDirectory
    clock: Clock = utc_now
    #: Hashes and checks the staff PIN (:class:`kiosk.services.pin.PinGate` takes it).
    pins: PinHasher = field(default_factory=Argon2idPinHasher)
    campaign_errors: list[CampaignFormatError] = field(default_factory=list)
    _service: SigningService | None = None
    _services: Services | None = None

    @property
    def auditor(self) -> Auditor:
        """Records staff actions in the audit trail."""
        return Auditor(self.store, self.kiosk_id, self.clock, self.keys)

    @property
    def layout(self) -> DataLayout:
        """What lives where in the data folder."""
        return DataLayout(self.data_dir)

    @property
    def imported_campaigns_dir(self) -> Path:
        """Campaign files imported on this kiosk (override built-in ones of the same slug)."""
        return self.layout.campaigns

    @property
    def server_campaigns_dir(self) -> Path:
        """Campaign documents pulled from the sync server (override all others of the slug)."""
        return self.layout.server_campaigns

    def sync_engine(self, **options: Any) -> SyncEngine:
        """The sync engine over this kiosk's store, keys and server campaigns folder.

        Args:
            options: passed to :class:`kiosk.sync.engine.SyncEngine` (transport, clock...).
        """
        from kiosk.domain.audit import AuditAction
        from kiosk.privacy import apply_retention
        from kiosk.sync.engine import SyncEngine

        options.setdefault("clock", self.clock)
        # Personal data the server has acknowledged may now be purged, per the retention policy.
        options.setdefault(
            "on_acknowledged", lambda: apply_retention(self.store, self.auditor, self.clock)
        )
        options.setdefault(
            "on_enrolled",
            lambda e: self.auditor.record(
                AuditAction.ENROLLED,
                server=e.server_url,
                device_id=e.device_id,
                allow_insecure=e.allow_insecure,
            ),
        )
        return SyncEngine(self.store, self.keys, self.server_campaigns_dir, **options)

    def service(self) -> SigningService:
        """The signing service, sealing to the organization's public key.

        Raises:
            NoOrganizationKey: no public key is installed yet.
        """
        if self._service is None:
            if not self.keys.has_public_key():
                raise NoOrganizationKey(
                    "this kiosk has no organization key yet: run `kiosk keys init` "
                    "or connect it to a server (`kiosk enroll`)"
                )
            secret = self.store.get_setting(SETTING_DEDUPE_SECRET)
            assert secret is not None
            self._service = SigningService(
                repo=self.store,
                catalog=self.catalog,
                sealer=self.keys.sealer(),
                dedupe_secret=bytes.fromhex(secret),
                kiosk_id=self.kiosk_id,
                directory=self.directory,
                clock=self.clock,
            )
        return self._service

    def services(self) -> Services:
        """The application layer over this kiosk (:mod:`kiosk.services`), built once."""
        if self._services is None:
            auditor = self.auditor
            settings = KioskSettings(self.store, lambda: self.catalog, auditor)
            signing = Signing(self.service, settings)
            events = Events(self.store, settings, self.store, self.clock)
            self._services = Services(
                settings=settings,
                events=events,
                signing=signing,
                staff=StaffDesk(
                    self.store, settings, signing, self.keys, self.pins, auditor, self.clock
                ),
                privacy=Privacy(self.store, auditor, self.clock),
                outbox=Outbox(self.store),
                exports=Exports(
                    self.store,
                    settings,
                    events,
                    self.directory,
                    auditor,
                    self.clock,
                    printers=printing,
                    drives=usb,
                ),
            )
        return self._services

    def reload_campaigns(self) -> None:
        """Re-read built-in and imported campaign files."""
        self.catalog, self.campaign_errors = load_catalog(
            self.imported_campaigns_dir, self.server_campaigns_dir
        )
        if self._service is not None:
            self._service.catalog = self.catalog

    def import_campaign(self, path: Path) -> str:
        """Validate a campaign file and copy it into this kiosk's data; return its slug.

        Raises:
            CampaignFormatError: the file is not a valid campaign.
        """
        campaign = load_campaign_file(path)
        target = self.imported_campaigns_dir / f"{campaign.slug}.toml"
        atomic_write(target, path.read_bytes())
        self.reload_campaigns()
        return campaign.slug

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def open_demo_kiosk(data_dir: str | Path | None = None) -> Kiosk:
    """Open the demo kiosk (``kiosk --demo``): its own data folder unless ``data_dir`` is given,
    set up on first use (:func:`kiosk.demo.prepare_demo`).

    Raises:
        NotADemoFolder: ``data_dir`` holds a real kiosk.
    """
    from kiosk.config import demo_data_dir
    from kiosk.demo import prepare_demo

    kiosk = open_kiosk(data_dir or demo_data_dir())
    try:
        prepare_demo(kiosk)
    except BaseException:
        kiosk.close()
        raise
    return kiosk


def run_app(
    data_dir: str | Path | None = None,
    windowed: bool = False,
    on_ready: Callable[[UiHandle], object] | None = None,
    demo: bool = False,
) -> int:
    """Run the touch-screen app (``kiosk``) until staff exit it; return the exit code.

    Args:
        data_dir: the kiosk's data folder (None: ``KIOSK_DATA_DIR`` or the user data folder).
        windowed: a normal 1280 x 800 window (development) instead of full screen.
        on_ready: called once the first frame of the attract screen is on screen (the
            start-up benchmark and tests use it).
        demo: the demo kiosk (:mod:`kiosk.demo`): its own data folder unless ``data_dir``,
            set up with the demo PIN and passphrase, so it opens on the attract screen.
    """
    from kiosk.adapters.process import forbid_core_dumps
    from kiosk.ui.main import run_ui

    forbid_core_dumps()  # signers' details are in memory in clear while they type

    def open_it() -> Kiosk:
        try:
            return open_demo_kiosk(data_dir) if demo else open_kiosk(data_dir)
        except Exception as exc:
            from kiosk.store.damage import store_damaged_message

            damaged = store_damaged_message(exc)
            if damaged is not None:  # in words in the journal, before the traceback
                log.critical("%s", damaged)
            raise

    return run_ui(open_it, windowed=windowed, on_ready=on_ready)


def load_catalog(
    imported_dir: Path | None, server_dir: Path | None = None
) -> tuple[CampaignCatalog, list[CampaignFormatError]]:
    """Built-in campaigns, then imported ones, then those pulled from the sync server (each
    replaces earlier ones of the same slug)."""
    campaigns, errors = load_campaign_dir(resources_dir() / "campaigns")
    catalog = CampaignCatalog(campaigns)
    if imported_dir is not None and imported_dir.is_dir():
        more, more_errors = load_campaign_dir(imported_dir)
        for c in more:
            catalog.put(c)
        errors += more_errors
    if server_dir is not None:
        from kiosk.sync.campaigns import load_server_campaigns

        pulled, pulled_errors = load_server_campaigns(server_dir)
        for c in pulled:
            catalog.put(c)
        errors += pulled_errors
    for err in errors:
        log.warning("campaign file skipped: %s", err)
    return catalog, errors


def _make_private(path: Path) -> None:
    """Only the kiosk's own user may read its data (best effort: not every file system can)."""
    try:
        if path.exists():
            path.chmod(0o700 if path.is_dir() else 0o600)
    except OSError:
        log.warning("cannot restrict permissions of %s", path.name)


#: Files of the key folder that only a kiosk already in use has: a sync token (it was
#: connected to a server) or the head of its audit trail a server acknowledged.
_EARLIER_LIFE = (DEVICE_TOKEN_FILE, AUDIT_ANCHOR_FILE)


def _check_store_not_lost(layout: DataLayout) -> None:
    """Refuse to start afresh over a store that is gone: ``kiosk.db`` missing or empty (0 bytes)
    beside a key folder that shows the kiosk was in use. SQLite would make a new, empty store,
    and the kiosk would carry on as a new one with a new id, its signatures gone without a word.

    Raises:
        DataFolderError: the store is gone (the message says what to do).
    """
    try:
        gone = not layout.store.exists() or layout.store.stat().st_size == 0
    except OSError:
        return  # opening it says what is wrong
    if not gone or not any((layout.keys / name).exists() for name in _EARLIER_LIFE):
        return
    state = "missing" if not layout.store.exists() else "empty (0 bytes)"
    raise DataFolderError(
        f"the kiosk's store {layout.store} is {state}, but this kiosk was in use before (its "
        f"keys folder holds a sync token or the audit head a server acknowledged): the "
        "signatures it held are not there, and nothing was created over it. Restore the whole "
        "data folder from a backup (docs/deploy-kiosk.md section 8); to start this tablet as a "
        f"new kiosk instead, move {layout.keys} aside first"
    )


def open_kiosk(data_dir: str | Path | None = None, clock: Clock = utc_now) -> Kiosk:
    """Open (creating on first use) the kiosk over a data directory.

    Args:
        data_dir: the folder; None means ``KIOSK_DATA_DIR`` or the platform default.
        clock: the clock for new records.

    Raises:
        DataFolderError: the folder cannot be made or used, or its store is gone although
            the kiosk was in use before (:func:`_check_store_not_lost`).
    """
    root = resolve_data_dir(data_dir)
    make_data_folder(root)
    _make_private(root)
    layout = DataLayout(root)
    _check_store_not_lost(layout)
    store = open_store(layout.store)
    for path in (*layout.store_files, layout.keys):  # keys/: older versions made it 755
        _make_private(path)
    kiosk_id = store.get_setting(SETTING_KIOSK_ID)
    if kiosk_id is None:
        kiosk_id = f"kiosk-{uuid.uuid4().hex[:12]}"
        store.set_setting(SETTING_KIOSK_ID, kiosk_id)
    if store.get_setting(SETTING_DEDUPE_SECRET) is None:
        store.set_setting(SETTING_DEDUPE_SECRET, secrets.token_hex(32))
    keys = KeyFolder(layout.keys)
    from kiosk.sync.state import load_enrollment

    load_enrollment(store, keys)  # moves a token an older version kept in the store
    try:  # entries made before the kiosk had an audit key are signed once
        store.sign_unsigned_audit(keys.sign_audit)
    except (CryptoError, OSError) as exc:
        log.error("cannot sign the audit trail: %s", exc)
    catalog, errors = load_catalog(layout.campaigns, layout.server_campaigns)
    return Kiosk(
        data_dir=root,
        store=store,
        keys=keys,
        catalog=catalog,
        kiosk_id=kiosk_id,
        directory=ZipcodesDirectory(),
        clock=clock,
        campaign_errors=errors,
    )
