"""Checks that a screen fits its window: no text cut (elided or truncated), no word broken in
the middle ("Cance/lar" in a box narrower than the word), nothing outside the window (or,
inside a scrolling area, outside that area's width)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFontMetricsF
from PySide6.QtQml import QQmlContext, QQmlEngine, QQmlExpression
from PySide6.QtQuick import QQuickItem, QQuickWindow


def _modes(item: QQuickItem, context: QQmlContext) -> tuple[int, int, int]:
    """A text item's elide mode, wrap mode and horizontal alignment (enums PySide cannot
    read as properties)."""
    expr = QQmlExpression(
        QQmlEngine.contextForObject(item) or context, item, "[elide, wrapMode, horizontalAlignment]"
    )
    value, _ = expr.evaluate()
    values = value.toVariant() if hasattr(value, "toVariant") else value
    elide, wrap, align = (int(v) for v in values)
    return elide, wrap, align


def _scene_rect(item: QQuickItem, width: float | None = None) -> QRectF:
    top_left = item.mapToScene(QPointF(0, 0))
    return QRectF(
        top_left.x(), top_left.y(), item.width() if width is None else width, item.height()
    )


def _shown(item: QQuickItem) -> bool:
    node: QQuickItem | None = item
    while node is not None:
        if not node.isVisible() or node.opacity() <= 0.01:
            return False
        node = node.parentItem()
    return item.width() > 0 and item.height() > 0


def _flickable(item: QQuickItem) -> QQuickItem | None:
    node = item.parentItem()
    while node is not None:
        if node.inherits("QQuickFlickable"):
            return node
        node = node.parentItem()
    return None


def _text_extent(item: QQuickItem, modes: tuple[int, int, int]) -> float:
    """How wide a text item paints: its width, or more when its text does not fit it."""
    width = item.width()
    content = float(item.property("contentWidth") or 0)
    elide, wrap, _align = modes
    if elide or wrap:
        return width
    return max(width, content)


def problems(window: QQuickWindow, context: QQmlContext) -> list[str]:
    """What does not fit on the screen shown in ``window`` (empty when everything fits)."""
    found: list[str] = []
    w, h = window.width(), window.height()
    pending: list[QQuickItem] = [window.contentItem()]
    while pending:
        item = pending.pop()
        if not _shown(item):
            continue
        if item.objectName() == "keyboard":
            continue
        pending.extend(item.childItems())
        is_text = item.inherits("QQuickText")
        is_control = (
            item.inherits("QQuickAbstractButton")
            or item.inherits("QQuickTextInput")
            or item.objectName() == "pad.canvas"
        )
        if not (is_text or is_control):
            continue
        text = str(item.property("text") or "") if is_text else ""
        if is_text and not text.strip():
            continue
        label = item.objectName() or (repr(text[:40]) if text else item.metaObject().className())
        if is_text and item.property("truncated"):
            found.append(f"{label}: text cut (elided or too many lines)")
        modes = _modes(item, context) if is_text else (0, 0, 0)
        if is_text and modes[1] and item.width() > 0:
            metrics = QFontMetricsF(item.property("font"))
            room = item.width() - float(item.property("leftPadding") or 0)
            room -= float(item.property("rightPadding") or 0)
            for word in text.split():
                if metrics.horizontalAdvance(word) > room + 1:
                    found.append(f"{label}: the word {word!r} is broken (wider than its box)")
                    break
        if (
            is_text
            and not modes[0]
            and not modes[1]
            and item.clip()
            and float(item.property("contentWidth") or 0) > item.width() + 1
        ):
            found.append(f"{label}: text wider than its clipped box")
        rect = _scene_rect(item, _text_extent(item, modes) if is_text else None)
        flick = _flickable(item)
        if flick is not None:
            area = _scene_rect(flick)
            if rect.left() < area.left() - 1 or rect.right() > area.right() + 1:
                found.append(
                    f"{label}: outside its scrolling area horizontally "
                    f"({rect.left():.0f}-{rect.right():.0f} of "
                    f"{area.left():.0f}-{area.right():.0f})"
                )
            continue
        if rect.left() < -1 or rect.right() > w + 1 or rect.top() < -1 or rect.bottom() > h + 1:
            found.append(
                f"{label}: outside the {w}x{h} window ({rect.left():.0f},"
                f"{rect.top():.0f} {rect.width():.0f}x{rect.height():.0f})"
            )
    return found
