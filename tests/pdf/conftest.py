"""Helpers for reading packets back: text per page, content streams, signature groups."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from pypdf import PdfReader

from kiosk.pdf.ink_path import SIGNATURE_TAG
from kiosk.pdf.render import render_packet


@dataclass
class Rendered:
    """A rendered packet, read back with pypdf."""

    data: bytes
    reader: PdfReader

    @property
    def pages(self) -> int:
        return len(self.reader.pages)

    def text(self, page: int) -> str:
        """NFC text of a page (0-based)."""
        return unicodedata.normalize("NFC", self.reader.pages[page].extract_text())

    def all_text(self) -> str:
        return "\n".join(self.text(i) for i in range(self.pages))

    def content(self, page: int) -> bytes:
        """The decompressed content stream of a page."""
        contents = self.reader.pages[page].get_contents()
        assert contents is not None
        return contents.get_data()

    def signatures(self, page: int) -> list[bytes]:
        """The marked signature groups on a page."""
        return re.findall(
            rb"/" + SIGNATURE_TAG.encode() + rb" BMC(.*?)EMC", self.content(page), re.DOTALL
        )

    def drawn(self, page: int) -> list[tuple[str, str, float, float]]:
        """Every piece of text a page draws: (text, font base name without the subset tag,
        x, y of its start in page space), in drawing order."""
        out: list[tuple[str, str, float, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if not text.strip() or not isinstance(font, dict):
                return
            base = str(font.get("/BaseFont", "")).split("+", 1)[-1]
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            out.append((text.strip(), base, x, y))

        self.reader.pages[page].extract_text(visitor_text=visit)
        return out

    def all_bytes(self) -> bytes:
        """Every page's decompressed content, and the file itself, for "never present" checks."""
        return b"\n".join(self.content(i) for i in range(self.pages)) + self.data


def render(packet) -> Rendered:  # type: ignore[no-untyped-def]
    data = render_packet(packet)
    assert data.startswith(b"%PDF-")
    return Rendered(data, PdfReader(io.BytesIO(data)))
