"""What the coordinator chooses to export, and how many signatures that covers.

Campaign, local campaign or one packet per local campaign, period, event, PDF or CSV, paper,
rows a sheet, opted-in signers only, a CSV for Excel, synthetic signatures or not. Counting
needs no key.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from PySide6.QtCore import Property, QDate, QLocale, QObject, Signal, Slot

from kiosk.domain.ports import SignatureFilter
from kiosk.domain.sheets import PAGE_SIZES, PageSize
from kiosk.domain.sheets import ROWS_PER_SHEET_CHOICES as ROWS_CHOICES
from kiosk.services.exports import PERIODS, Exports, ExportSpec
from kiosk.ui.i18n import I18n


class ExportChoice(QObject):
    """The choice, as ``ExportsSection.qml`` shows it.

    Args:
        exports: the exports use cases.
        i18n: the UI language.
    """

    changed = Signal()

    def __init__(self, exports: Exports, i18n: I18n, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._exports = exports
        self._i18n = i18n
        self._campaign = ""
        # None: the default (one packet per local campaign when there are any); "" the whole
        # campaign as one; "*" one packet per local campaign; else one local campaign's slug.
        self._local: str | None = None
        self._period = "all"
        self._event = ""
        self._kind: Literal["pdf", "csv"] = "pdf"
        self._paper: PageSize = "letter"
        self._rows = 10
        self._opted_in_only = False
        self._excel = False
        self._synthetic = False
        #: (when, filter, count) of the last count: ``matchCount`` and ``matchText`` are read
        #: together at each change, and each read counted the signatures again (10 ms at
        #: 200,000 stored, on the screen's thread).
        self._counted: tuple[float, Any, int] | None = None

    # -- what the other jobs read ------------------------------------------------------------

    def campaign_slug(self) -> str:
        """The chosen campaign, else the active one ("" when none is installed)."""
        if self._campaign and self._exports.campaign(self._campaign) is not None:
            return self._campaign
        return self._exports.settings.active_campaign() or ""

    def local_choice(self) -> str:
        """ "" (the whole campaign, one packet), "*" (one packet per local campaign) or a slug."""
        campaign = self._exports.campaign(self.campaign_slug())
        if campaign is None or not campaign.locals:
            return ""
        if self._local == "" or self._local == "*":
            return self._local
        if self._local is not None and campaign.local(self._local) is not None:
            return self._local
        return "*"  # a coordinator delivering to each mayor wants one packet each

    def filter(self) -> SignatureFilter:
        """Which signatures the choice covers."""
        local = self.local_choice()
        return SignatureFilter(
            campaign=self.campaign_slug() or None,
            local_campaign=local if local not in ("", "*") else None,
            event_id=self._event or None,
            since=self._exports.since(self._period),
            include_synthetic=self._synthetic,
        )

    def spec(self) -> ExportSpec:
        """The export to make, in the current language."""
        return ExportSpec(
            kind=self._kind,
            campaign=self.campaign_slug(),
            flt=self.filter(),
            per_local=self.local_choice() == "*",
            paper=self._paper,
            rows_per_sheet=self._rows,
            opted_in_only=self._opted_in_only,
            language=self._i18n.language,
            excel=self._excel,
        )

    # -- campaign and local campaign ---------------------------------------------------------

    def _get_campaigns(self) -> list[dict[str, Any]]:
        lang = self._i18n.language
        chosen = self.campaign_slug()
        return [
            {"slug": c.slug, "title": c.title.get(lang), "chosen": c.slug == chosen}
            for c in self._exports.settings.campaigns()
        ]

    campaigns = Property("QVariantList", _get_campaigns, notify=changed)

    def _get_campaign(self) -> str:
        return self.campaign_slug()

    campaign = Property(str, _get_campaign, notify=changed)

    @Slot(str)
    def setCampaign(self, slug: str) -> None:  # noqa: N802 - Qt naming for QML
        """Export this campaign."""
        if self._exports.campaign(slug) is not None and slug != self.campaign_slug():
            self._campaign = slug
            self._local = None
            self._event = ""
            self.changed.emit()

    def _get_locals(self) -> list[dict[str, str]]:
        campaign = self._exports.campaign(self.campaign_slug())
        if campaign is None:
            return []
        return [
            {"slug": loc.slug, "label": f"{loc.place}, {loc.state}"}
            for loc in sorted(campaign.locals, key=lambda loc: loc.place)
        ]

    localCampaigns = Property("QVariantList", _get_locals, notify=changed)

    def _get_local(self) -> str:
        return self.local_choice()

    localChoice = Property(str, _get_local, notify=changed)

    @Slot(str)
    def setLocal(self, choice: str) -> None:  # noqa: N802 - Qt naming for QML
        """Whole campaign (""), one packet per local campaign ("*") or one local campaign."""
        self._campaign = self.campaign_slug()
        self._local = choice
        self.changed.emit()

    # -- period and event --------------------------------------------------------------------

    def _get_period(self) -> str:
        return self._period

    @Slot(str)
    def setPeriod(self, period: str) -> None:  # noqa: N802 - Qt naming for QML
        """``today``, ``week`` (the last 7 days), ``month`` (the last 30 days) or ``all``."""
        if period in PERIODS:
            self._period = period
            self.changed.emit()

    period = Property(str, _get_period, setPeriod, notify=changed)

    def _get_events(self) -> list[dict[str, str]]:
        out = []
        for e in self._exports.events():
            when = e.started_at.astimezone()
            label = e.name + (f" · {e.location}" if e.location else "")
            day = self._i18n.locale.toString(
                QDate(when.year, when.month, when.day), QLocale.FormatType.ShortFormat
            )
            out.append({"id": e.id, "label": label, "date": day})
        return out

    events = Property("QVariantList", _get_events, notify=changed)

    def _get_event(self) -> str:
        return self._event

    @Slot(str)
    def setEvent(self, event_id: str) -> None:  # noqa: N802 - Qt naming for QML
        """One event's signatures ("" for every event)."""
        self._event = event_id
        self.changed.emit()

    eventChoice = Property(str, _get_event, setEvent, notify=changed)

    # -- kind, paper, rows, opt-in, Excel, synthetic -----------------------------------------

    def _get_kind(self) -> str:
        return self._kind

    @Slot(str)
    def setKind(self, kind: str) -> None:  # noqa: N802 - Qt naming for QML
        """``pdf`` (signature packet) or ``csv`` (contact list)."""
        if kind in ("pdf", "csv"):
            self._kind = "pdf" if kind == "pdf" else "csv"
            self.changed.emit()

    kind = Property(str, _get_kind, setKind, notify=changed)

    def _get_paper(self) -> str:
        return self._paper

    @Slot(str)
    def setPaper(self, paper: str) -> None:  # noqa: N802 - Qt naming for QML
        """``letter`` or ``a4``."""
        if paper in PAGE_SIZES:
            self._paper = "a4" if paper == "a4" else "letter"
            self.changed.emit()

    paper = Property(str, _get_paper, setPaper, notify=changed)

    def _get_rows(self) -> int:
        return self._rows

    @Slot(int)
    def setRowsPerSheet(self, rows: int) -> None:  # noqa: N802 - Qt naming for QML
        """Signatures per sheet (one of :data:`ROWS_CHOICES`)."""
        if rows in ROWS_CHOICES:
            self._rows = rows
            self.changed.emit()

    rowsPerSheet = Property(int, _get_rows, setRowsPerSheet, notify=changed)

    def _get_rows_choices(self) -> list[int]:
        return list(ROWS_CHOICES)

    rowsChoices = Property("QVariantList", _get_rows_choices, constant=True)

    def _get_opted(self) -> bool:
        return self._opted_in_only

    @Slot(bool)
    def setOptedInOnly(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """CSV: only signers who opted in to updates."""
        self._opted_in_only = bool(on)
        self.changed.emit()

    optedInOnly = Property(bool, _get_opted, setOptedInOnly, notify=changed)

    def _get_excel(self) -> bool:
        return self._excel

    @Slot(bool)
    def setExcel(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """CSV: for Excel on Windows (the UTF-8 byte-order mark first)."""
        self._excel = bool(on)
        self.changed.emit()

    excel = Property(bool, _get_excel, setExcel, notify=changed)

    def _get_synthetic(self) -> bool:
        return self._synthetic

    @Slot(bool)
    def setIncludeSynthetic(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """Include signatures made by ``kiosk simulate`` (off by default)."""
        self._synthetic = bool(on)
        self.changed.emit()

    includeSynthetic = Property(bool, _get_synthetic, setIncludeSynthetic, notify=changed)

    # -- the count ---------------------------------------------------------------------------

    def _get_match(self) -> int:
        if not self.campaign_slug():
            return 0
        wanted = self.filter()
        now = time.monotonic()
        kept = self._counted
        if kept is not None and now - kept[0] < 0.5 and kept[1] == wanted:
            return kept[2]
        n = self._exports.count(wanted)
        self._counted = (now, wanted, n)
        return n

    #: How many (non-void) signatures the choice covers; needs no key.
    matchCount = Property(int, _get_match, notify=changed)

    def _get_match_text(self) -> str:
        return self._i18n.number(self._get_match())

    matchText = Property(str, _get_match_text, notify=changed)
