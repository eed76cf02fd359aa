"""Fonts for packets: embedded TrueType faces, per-script fallback and right-to-left text.

Every packet embeds subsets of the fonts in ``resources/fonts`` (see its README): Noto Sans and
Noto Serif for Latin (Spanish, Vietnamese, ...), Greek and Cyrillic; Noto Sans Arabic, Hebrew,
Ethiopic, Armenian and Georgian; WenQuanYi Micro Hei for Chinese, Japanese and Korean.

A line of text is prepared once: NFC-normalised, control characters turned into spaces, Arabic
letters shaped into their joined forms (arabic-reshaper) and right-to-left runs put in visual
order (python-bidi). It is then cut into runs, each in the first font that has its glyphs.
Characters no font has (scripts that need shaping reportlab cannot do, such as Devanagari or
Thai) become one visible placeholder, U+FFFD, per run: a reader sees that something is there
and not printable, rather than a silently wrong name; the cover page explains the mark.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from kiosk.config import resources_dir

#: Shown instead of characters no embedded font can print.
PLACEHOLDER = "\ufffd"

#: The main faces, by role.
ROLE_FILES: dict[str, str] = {
    "sans": "NotoSans-Regular.ttf",
    "sans-bold": "NotoSans-Bold.ttf",
    "sans-italic": "NotoSans-Italic.ttf",
    "serif": "NotoSerif-Regular.ttf",
    "serif-bold": "NotoSerif-Bold.ttf",
}

#: Fallback faces, tried in this order for characters the role's face lacks.
FALLBACK_FILES: tuple[tuple[str, int], ...] = (
    ("NotoSansArabic-Regular.ttf", 0),
    ("NotoSansHebrew-Regular.ttf", 0),
    ("NotoSansEthiopic-Regular.ttf", 0),
    ("NotoSansArmenian-Regular.ttf", 0),
    ("NotoSansGeorgian-Regular.ttf", 0),
    ("wqy-microhei.ttc", 0),
)

_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)


@dataclass(frozen=True, slots=True)
class Run:
    """Text in one font, in visual (left-to-right drawing) order."""

    font: str
    text: str


@dataclass(frozen=True, slots=True)
class _Face:
    name: str
    ttf: TTFont
    cmap: dict[int, int]
    widths: dict[str, float]  # advance per character, in 1/1000 em
    default_width: float


# Escapes for a PDF literal string of single-byte codes: ( ) \ and anything not printable ASCII.
_ESCAPES = {i: f"\\{i:03o}" for i in range(256) if not 32 <= i < 127}
_ESCAPES.update({ord("("): "\\(", ord(")"): "\\)", ord("\\"): "\\\\"})


def pdf_string(data: bytes) -> str:
    """Escape single-byte codes for a PDF literal string ``(...)``.

    Args:
        data: the codes (a font subset's encoding).
    """
    return data.decode("latin-1").translate(_ESCAPES)


def _font_name(file: str) -> str:
    return "Kiosk-" + file.rsplit(".", 1)[0]


class FontSet:
    """The faces of a packet, registered with reportlab once per process."""

    def __init__(self, font_dir: Path) -> None:
        """Load and register the fonts.

        Args:
            font_dir: the folder holding the font files.

        Raises:
            FileNotFoundError: a font file is missing.
        """
        self.font_dir = font_dir
        self.roles = {role: self._load(file, 0) for role, file in ROLE_FILES.items()}
        self.fallbacks = tuple(self._load(file, index) for file, index in FALLBACK_FILES)
        self._by_name = {f.name: f for f in (*self.roles.values(), *self.fallbacks)}
        self._pick_cache: dict[tuple[str, int], _Face | None] = {}
        self._runs_cache: dict[tuple[str, str], tuple[Run, ...]] = {}
        # Encoded text per document: a character keeps its subset code for the whole document.
        self._show_cache: dict[int, dict[tuple[tuple[Run, ...], float], str]] = {}

    def _load(self, file: str, index: int) -> _Face:
        path = self.font_dir / file
        if not path.is_file():
            raise FileNotFoundError(path)
        name = _font_name(file)
        # Only look up a name already registered: getFont() of an unknown name makes reportlab
        # parse every Type 1 metrics (AFM) file on the system first (583 here, 8 s).
        ttf = pdfmetrics.getFont(name) if name in pdfmetrics.getRegisteredFontNames() else None
        if not isinstance(ttf, TTFont):
            ttf = TTFont(name, str(path), subfontIndex=index)
            pdfmetrics.registerFont(ttf)
        widths = {chr(code): w for code, w in ttf.face.charWidths.items()}
        return _Face(name, ttf, ttf.face.charToGlyph, widths, float(ttf.face.defaultWidth))

    def font_name(self, role: str) -> str:
        """The registered reportlab name of a role's face ("sans", "serif-bold", ...).

        Args:
            role: a key of :data:`ROLE_FILES`.
        """
        return self.roles[role].name

    # --- preparing text ---------------------------------------------------------------------

    @staticmethod
    def clean(text: str) -> str:
        """NFC-normalise and replace control and format characters by spaces.

        Args:
            text: any text.
        """
        if text.isascii():
            if text.isprintable():
                return text
            return "".join(c if c.isprintable() else " " for c in text)
        text = unicodedata.normalize("NFC", text)
        out = []
        for c in text:
            cat = unicodedata.category(c)
            if cat == "Cc" or cat in ("Zl", "Zp"):
                out.append(" ")
            elif cat == "Cf" and c not in ("\u200c", "\u200d"):
                continue
            else:
                out.append(c)
        return "".join(out)

    @staticmethod
    def visual(text: str) -> str:
        """Shape Arabic letters and put right-to-left text in visual order.

        Args:
            text: cleaned text in logical order.
        """
        if text.isascii():
            return text
        rtl = False
        arabic = False
        for c in text:
            if unicodedata.bidirectional(c) in ("R", "AL"):
                rtl = True
                o = ord(c)
                if any(a <= o <= b for a, b in _ARABIC_RANGES):
                    arabic = True
                    break
        if not rtl:
            return text
        if arabic:
            text = arabic_reshaper.reshape(text)
        return str(get_display(text))

    def _pick(self, role: str, code: int) -> _Face | None:
        key = (role, code)
        try:
            return self._pick_cache[key]
        except KeyError:
            pass
        face: _Face | None = None
        for f in (self.roles[role], *self.fallbacks):
            if code in f.cmap:
                face = f
                break
        self._pick_cache[key] = face
        return face

    def runs(self, text: str, role: str = "sans", *, logical: bool = False) -> tuple[Run, ...]:
        """Cut one line of text into font runs, in visual order.

        Args:
            text: the line (control characters become spaces).
            role: the main face ("sans", "sans-bold", "serif", ...).
            logical: keep logical order, without shaping (for reportlab paragraphs).
        """
        key = (text, role if not logical else role + "/logical")
        cached = self._runs_cache.get(key)
        if cached is not None:
            return cached
        main = self.roles[role]
        line = self.clean(text)
        if not logical:
            line = self.visual(line)
        if line.isascii():
            result: tuple[Run, ...] = (Run(main.name, line),)
        else:
            result = self._cut(line, role, main)
        if len(self._runs_cache) > 50_000:
            self._runs_cache.clear()
        self._runs_cache[key] = result
        return result

    def _cut(self, line: str, role: str, main: _Face) -> tuple[Run, ...]:
        runs: list[Run] = []
        cur: _Face | None = None
        buf: list[str] = []
        main_cmap = main.cmap
        for c in line:
            code = ord(c)
            # Stay in the current face, except that a letter or digit the main face has goes
            # back to it: a fallback face (WenQuanYi has Latin too) must not carry on through
            # the rest of a line ("Henry Lo 羅達倫 of Monterey Park" in the title's bold serif).
            # Spaces and punctuation stay in the current run.
            if (
                cur is not None
                and code in cur.cmap
                and (cur is main or code not in main_cmap or not c.isalnum())
            ):
                buf.append(c)
                continue
            face = self._pick(role, code)
            if face is None:
                if unicodedata.category(c) == "Mn":
                    continue  # a mark on an unprintable letter: the placeholder stands for both
                if cur is main and buf and buf[-1] == PLACEHOLDER:
                    continue  # one placeholder per unprintable run
                face = main
                c = PLACEHOLDER
            if face is not cur:
                if buf and cur is not None:
                    runs.append(Run(cur.name, "".join(buf)))
                buf = []
                cur = face
            buf.append(c)
        if buf and cur is not None:
            runs.append(Run(cur.name, "".join(buf)))
        return tuple(runs)

    # --- measuring and drawing ----------------------------------------------------------------

    def width(self, runs: tuple[Run, ...], size: float) -> float:
        """The advance width of ``runs`` at ``size`` points.

        Args:
            runs: text runs from :meth:`runs`.
            size: the font size.
        """
        total = 0.0
        for r in runs:
            face = self._by_name[r.font]
            total += sum(map(face.widths.get, r.text, repeat(face.default_width)))
        return total * size * 0.001

    def show_ops(self, doc: object, runs: tuple[Run, ...], size: float) -> str:
        """Return ``Tf``/``Tj`` operators showing ``runs`` (inside ``BT ... ET``).

        Args:
            doc: the reportlab document (``canvas._doc``) the font subsets belong to.
            runs: text runs from :meth:`runs`.
            size: the font size.
        """
        cache = self._show_cache.setdefault(id(doc), {})
        key = (runs, size)
        hit = cache.get(key)
        if hit is not None:
            return hit
        out = []
        by_name = self._by_name
        current = None
        for r in runs:
            ttf = by_name[r.font].ttf
            for subset, chunk in ttf.splitString(r.text, doc):
                name = ttf.getSubsetInternalName(subset, doc)
                if name != current:
                    out.append(f"{name} {size:.4g} Tf")
                    current = name
                out.append(f"({pdf_string(chunk)}) Tj")
        ops = " ".join(out)
        if len(cache) > 100_000:
            cache.clear()
        cache[key] = ops
        return ops

    def markup(self, text: str, role: str = "sans") -> str:
        """Return reportlab Paragraph markup printing ``text`` literally, with font fallback.

        Everything is escaped, so "<", ">" and "&" in campaign text print as themselves. Text
        is kept in logical order (paragraphs wrap lines themselves; campaign texts are English
        or Spanish).

        Args:
            text: plain text, one paragraph line (no newlines).
            role: the paragraph's main face.
        """
        main = self.roles[role].name
        parts = []
        for r in self.runs(text, role, logical=True):
            body = escape(r.text).replace("  ", "\u00a0 ")
            if r.font == main:
                parts.append(body)
            else:
                parts.append(f'<font face="{r.font}">{body}</font>')
        return "".join(parts)

    def forget(self, doc: object) -> None:
        """Drop the per-document subset state reportlab keeps in each font.

        Args:
            doc: the reportlab document (``canvas._doc``) that was saved.
        """
        for face in self._by_name.values():
            face.ttf.state.pop(doc, None)
        self._show_cache.pop(id(doc), None)


@functools.cache
def _fontset(font_dir: Path) -> FontSet:
    return FontSet(font_dir)


def get_fonts(font_dir: Path | None = None) -> FontSet:
    """Return the process-wide font set (loaded on first use).

    Args:
        font_dir: the folder of font files; ``resources/fonts`` by default.
    """
    return _fontset((font_dir or resources_dir() / "fonts").resolve())


def has_placeholder(runs: tuple[Run, ...]) -> bool:
    """Whether some characters of ``runs`` could not be printed.

    Args:
        runs: text runs from :meth:`FontSet.runs`.
    """
    return any(PLACEHOLDER in r.text for r in runs)
