"""The page preview of a made PDF export, rendered in memory with QtPdf.

Pages go to QML through an image provider (``image://exportpreview/<generation>/<file>/<page>``,
:mod:`kiosk.ui.pdf_preview`); clearing bumps the generation so no old page is shown again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QImage

from kiosk.exports.make import MadeExport
from kiosk.ui.i18n import I18n
from kiosk.ui.pdf_preview import PROVIDER_ID, PdfPreview, PreviewImageProvider


class ExportPreview(QObject):
    """The page shown, and turning pages and files.

    Args:
        i18n: the UI language (page numbers).
    """

    changed = Signal()

    def __init__(self, i18n: I18n, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._i18n = i18n
        self._preview = PdfPreview()
        self.provider = PreviewImageProvider(self._preview)
        self._file = 0
        self._page = 0
        self._pages: list[int] = []

    def show(self, made: MadeExport) -> None:
        """Preview a made export (PDF only; a CSV has no pages)."""
        self._pages = self._preview.load([f.data for f in made.files]) if made.kind == "pdf" else []
        self._file = self._page = 0
        self.changed.emit()

    def clear(self) -> None:
        """Drop every rendered page."""
        self._preview.clear()
        self._preview.generation += 1
        self._pages = []
        self._file = self._page = 0
        self.changed.emit()

    def _get_preview(self) -> dict[str, Any]:
        pages = self._pages[self._file] if self._file < len(self._pages) else 0
        source = ""
        if pages:
            source = f"image://{PROVIDER_ID}/{self._preview.generation}/{self._file}/{self._page}"
        n = self._i18n.number
        return {
            "file": self._file,
            "page": self._page,
            "pages": pages,
            "pageText": n(self._page + 1),
            "pagesText": n(pages),
            "source": source,
        }

    #: The page shown: file, page (from 0), pages, and the image source.
    page = Property("QVariantMap", _get_preview, notify=changed)

    @Slot()
    def nextPage(self) -> None:  # noqa: N802 - Qt naming for QML
        """The next page of the file shown."""
        if self._file < len(self._pages) and self._page + 1 < self._pages[self._file]:
            self._page += 1
            self.changed.emit()

    @Slot()
    def previousPage(self) -> None:  # noqa: N802 - Qt naming for QML
        """The previous page."""
        if self._page > 0:
            self._page -= 1
            self.changed.emit()

    @Slot(int)
    def showFile(self, index: int) -> None:  # noqa: N802 - Qt naming for QML
        """Preview another file of the export (one per packet), from its first page."""
        if 0 <= index < len(self._pages):
            self._file, self._page = index, 0
            self.changed.emit()

    def image(self, file: int, page: int) -> QImage:
        """The rendered page, as QML gets it."""
        return self._preview.image(file, page)
