"""The look: one calm palette, type sizes and spacing, shared by every QML screen.

Colours are declared once here so a test can check every text/background pair against WCAG AA
(4.5:1 for text, 3:1 for large text and control outlines). QML reads them through the ``Theme``
singleton (``Theme.color.primary``, ``Theme.size.body``); ``Theme.scale`` grows every type size
for the larger-text toggle.
"""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal
from PySide6.QtQml import QmlElement, QmlSingleton

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

#: Every colour the screens use.
PALETTE: dict[str, str] = {
    "background": "#F5F3EE",  # warm paper
    "surface": "#FFFFFF",
    "surfaceAlt": "#ECEAE4",
    "text": "#1C2430",
    "textMuted": "#4A5565",
    "primary": "#0A5BA8",  # buttons, links, focus
    "primaryPressed": "#074A8A",
    "onPrimary": "#FFFFFF",
    "accent": "#0E7A5C",  # progress, success
    "accentSoft": "#DDF1EA",
    "track": "#D3CFC6",
    "error": "#B3261E",
    "errorSoft": "#FBE9E7",
    "outline": "#6F7782",  # field borders (3:1 against white and paper)
    "divider": "#DAD6CD",
    "header": "#123A63",  # navy bands
    "onHeader": "#FFFFFF",
    "quote": "#FFF6DA",  # the statement of a letter
    "quoteBar": "#9A6A00",
    "disabled": "#D7DBE0",
    "onDisabled": "#4A5565",
    "scrim": "#101820",  # opaque: nothing of the entry behind it can be read (idle overlay)
    "ink": "#0B1F44",  # signature ink
    "staff": "#2D2A4A",  # staff mode band
}

#: The high-contrast theme (issue #17): the same names, every pair of ``CONTRAST_PAIRS`` at
#: least 7:1 (WCAG AAA for text; controls and outlines held to the same 7:1), near-black on
#: white with dark, saturated actions. Meaning never rests on colour alone in either theme:
#: errors carry a "!" mark and words, a checked box a tick, the focused control a thick ring.
HIGH_CONTRAST_PALETTE: dict[str, str] = {
    "background": "#FFFFFF",
    "surface": "#FFFFFF",
    "surfaceAlt": "#F2F2F2",
    "text": "#000000",
    "textMuted": "#1F1F1F",
    "primary": "#002A6B",
    "primaryPressed": "#001A45",
    "onPrimary": "#FFFFFF",
    "accent": "#003D28",
    "accentSoft": "#E6F2EC",
    "track": "#FFFFFF",
    "error": "#7A0000",
    "errorSoft": "#FFF0F0",
    "outline": "#000000",
    "divider": "#000000",
    "header": "#000000",
    "onHeader": "#FFFFFF",
    "quote": "#FFF8E0",
    "quoteBar": "#4D3300",
    "disabled": "#E0E0E0",
    "onDisabled": "#1F1F1F",
    "scrim": "#000000",
    "ink": "#000000",
    "staff": "#000000",
}

#: The high-contrast theme's minimum for every pair of ``CONTRAST_PAIRS``.
HIGH_CONTRAST_MIN = 7.0

#: (foreground, background, minimum ratio) pairs that must meet WCAG AA.
CONTRAST_PAIRS: tuple[tuple[str, str, float], ...] = (
    ("text", "background", 4.5),
    ("text", "surface", 4.5),
    ("text", "surfaceAlt", 4.5),
    ("text", "quote", 4.5),
    ("text", "accentSoft", 4.5),
    ("textMuted", "background", 4.5),
    ("textMuted", "surface", 4.5),
    ("textMuted", "surfaceAlt", 4.5),
    ("onPrimary", "primary", 4.5),
    ("onPrimary", "primaryPressed", 4.5),
    ("primary", "surface", 4.5),
    ("primary", "background", 4.5),
    ("onHeader", "header", 4.5),
    ("onHeader", "staff", 4.5),
    ("error", "surface", 4.5),
    ("error", "background", 4.5),
    ("error", "errorSoft", 4.5),
    ("accent", "surface", 4.5),
    ("accent", "background", 4.5),
    ("onPrimary", "accent", 4.5),
    ("onDisabled", "disabled", 4.5),
    ("quoteBar", "quote", 3.0),
    ("outline", "surface", 3.0),
    ("outline", "background", 3.0),
    ("accent", "track", 3.0),  # the progress bar against its track (non-text, 3:1)
)

#: Type sizes in pixels at scale 1 (a 1280 x 800 tablet held at arm's length).
SIZES: dict[str, float] = {
    "display": 46,
    "title": 34,
    "heading": 27,
    "body": 22,
    "small": 18,
    "button": 24,
}

LARGE_TEXT_SCALE = 1.25
#: The text sizes a signer can choose (the "A A" toggle steps through them; 200 % at most).
TEXT_SCALES = (1.0, 1.25, 1.5, 2.0)


def _channel(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG relative luminance of an ``#RRGGBB`` colour."""
    h = hex_colour.lstrip("#")[-6:]
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio between two opaque colours (1 to 21)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


@QmlElement
@QmlSingleton
class Theme(QObject):
    """The palette and type sizes, as a QML singleton."""

    scaleChanged = Signal()
    highContrastChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._high_contrast = False

    def _get_color(self) -> dict[str, str]:
        return dict(HIGH_CONTRAST_PALETTE if self._high_contrast else PALETTE)

    color = Property("QVariantMap", _get_color, notify=highContrastChanged)

    def _get_high_contrast(self) -> bool:
        return self._high_contrast

    def _set_high_contrast(self, on: bool) -> None:
        if bool(on) != self._high_contrast:
            self._high_contrast = bool(on)
            self.highContrastChanged.emit()

    #: The high-contrast palette instead of the calm one (for one signer).
    highContrast = Property(
        bool, _get_high_contrast, _set_high_contrast, notify=highContrastChanged
    )

    def _get_scale(self) -> float:
        return self._scale

    def _set_scale(self, value: float) -> None:
        value = max(1.0, min(float(value), 2.0))
        if value != self._scale:
            self._scale = value
            self.scaleChanged.emit()

    scale = Property(float, _get_scale, _set_scale, notify=scaleChanged)

    def _get_size(self) -> dict[str, int]:
        return {k: round(v * self._scale) for k, v in SIZES.items()}

    size = Property("QVariantMap", _get_size, notify=scaleChanged)

    def _get_touch(self) -> int:
        return 64  # comfortable finger target (>= 48 px required)

    touch = Property(int, _get_touch, constant=True)
