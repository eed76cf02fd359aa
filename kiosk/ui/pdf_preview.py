"""Page previews of a generated PDF, rendered in memory, for QML's ``Image``.

:class:`PdfPreview` opens PDF bytes with QtPdf (``QPdfDocument`` reading a ``QBuffer``: no file
is written) and renders pages to ``QImage``. :class:`PreviewImageProvider` hands them to QML
under ``image://exportpreview/<generation>/<file>/<page>``; ``build_ui`` registers it on the
engine. Dropping the preview (staff mode left, idle wipe) forgets the documents and every
rendered page.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtQml import QQmlImageProviderBase
from PySide6.QtQuick import QQuickImageProvider

log = logging.getLogger("kiosk.ui")

PROVIDER_ID = "exportpreview"
#: Width of a rendered page in pixels (the preview is shown about 600 px wide: sharp enough).
PAGE_WIDTH = 900


class PdfPreview:
    """In-memory PDF documents of one export, and their rendered pages.

    Not thread-safe: used on the UI thread only (QML asks for images there).
    """

    def __init__(self) -> None:
        self._docs: list[tuple[QPdfDocument, QBuffer]] = []
        self._cache: dict[tuple[int, int], QImage] = {}
        self.generation = 0

    def load(self, files: list[bytes]) -> list[int]:
        """Open the PDFs; return each one's page count (0 when it cannot be read)."""
        self.clear()
        self.generation += 1
        counts = []
        for data in files:
            buf = QBuffer()
            buf.setData(QByteArray(data))
            buf.open(QIODevice.OpenModeFlag.ReadOnly)
            doc = QPdfDocument()
            doc.load(buf)
            if doc.status() != QPdfDocument.Status.Ready:
                log.warning("preview: the PDF could not be opened (%s)", doc.error().name)
            self._docs.append((doc, buf))
            counts.append(max(0, doc.pageCount()))
        return counts

    def page_count(self, file: int) -> int:
        """Pages of one file (0 if there is no such file)."""
        if not 0 <= file < len(self._docs):
            return 0
        return max(0, self._docs[file][0].pageCount())

    def image(self, file: int, page: int, width: int = PAGE_WIDTH) -> QImage:
        """One page as an image ``width`` pixels wide, on white (a null image if none)."""
        key = (file, page)
        if key in self._cache:
            return self._cache[key]
        if not 0 <= page < self.page_count(file):
            return QImage()
        doc = self._docs[file][0]
        points = doc.pagePointSize(page)
        if points.width() <= 0:
            return QImage()
        size = QSize(width, round(width * points.height() / points.width()))
        rendered = doc.render(page, size)
        img = QImage(size, QImage.Format.Format_RGB32)
        img.fill(QColor("white"))
        painter = QPainter(img)
        painter.drawImage(0, 0, rendered)
        painter.end()
        self._cache = {
            k: v for k, v in self._cache.items() if k[0] == file and abs(k[1] - page) <= 2
        }
        self._cache[key] = img
        return img

    def clear(self) -> None:
        """Forget the documents and the rendered pages."""
        self._cache.clear()
        for doc, buf in self._docs:
            doc.close()
            buf.close()
            buf.setData(QByteArray())
        self._docs.clear()


class PreviewImageProvider(QQuickImageProvider):
    """``image://exportpreview/<generation>/<file>/<page>`` for QML."""

    def __init__(self, preview: PdfPreview) -> None:
        super().__init__(QQmlImageProviderBase.ImageType.Image)
        self._preview = preview

    def requestImage(self, image_id: str, size: QSize, requested: QSize) -> QImage:  # noqa: N802
        """Render the page the id names (a blank 1 x 1 image for a stale or wrong id)."""
        try:
            gen, file, page = (int(x) for x in image_id.split("/")[:3])
        except ValueError:
            gen, file, page = -1, 0, 0
        img = QImage()
        if gen == self._preview.generation:
            width = requested.width() if requested.width() > 0 else PAGE_WIDTH
            img = self._preview.image(file, page, width)
        if img.isNull():
            img = QImage(1, 1, QImage.Format.Format_RGB32)
            img.fill(QColor("white"))
        size.setWidth(img.width())
        size.setHeight(img.height())
        return img
