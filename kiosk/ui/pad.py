"""The signature pad: finger, stylus or mouse ink, smooth, low-latency, kept as vectors.

Each new sample is drawn at once into a backing image as the next piece of a smooth curve
(quadratic Béziers through the midpoints of successive samples), and only the rectangle around
that piece is repainted (Qt's Scribble example approach). The samples themselves are kept as
vector strokes (x, y, t in ms, pressure when the device reports it) in *canvas* coordinates:
the pad's size when the first stroke began. When the pad is resized or the screen rotates, the
strokes are scaled uniformly into the new size and the image is re-rendered, so the drawing
survives and new strokes land in the same coordinate space.

Qt merges high-frequency touch and tablet events by default; ``main.configure_qt`` turns that
off so every sample reaches the pad.
"""

from __future__ import annotations

import math

from PySide6.QtCore import (
    Property,
    QElapsedTimer,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QEventPoint,
    QGuiApplication,
    QImage,
    QInputDevice,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QTouchEvent,
)
from PySide6.QtQml import QmlElement
from PySide6.QtQuick import QQuickItem, QQuickPaintedItem

from kiosk.domain.ink import MAX_POINTS, MAX_STROKES, Ink, Point
from kiosk.ui.theme import PALETTE

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

#: Samples closer than this (canvas pixels) to the previous one add nothing and are dropped.
_MIN_STEP = 0.4


def _mid(a: Point, b: Point) -> tuple[float, float]:
    return ((a.x + b.x) / 2, (a.y + b.y) / 2)


@QmlElement
class SignaturePad(QQuickPaintedItem):
    """A QML item (``SignaturePad`` in ``import Kiosk``) that collects one signature."""

    inkChanged = Signal()
    strokeFinished = Signal()
    penColorChanged = Signal()
    penWidthChanged = Signal()

    def __init__(self, parent: QQuickItem | None = None) -> None:
        super().__init__(parent)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setAcceptTouchEvents(True)
        self.setAntialiasing(True)
        self.setFlag(QQuickItem.Flag.ItemHasContents, True)
        self._strokes: list[list[Point]] = []
        self._current: list[Point] | None = None
        self._canvas = QSizeF(0, 0)
        self._scale = 1.0
        self._ox = 0.0
        self._oy = 0.0
        self._image: QImage | None = None
        self._dpr = 1.0
        self._dpr_known: float | None = None
        self._clock = QElapsedTimer()
        self._t0: int | None = None
        self._use_clock = False
        self._last_t = 0
        self._points = 0
        self._touch_id: int | None = None
        self._enough = False
        self._pen_color = QColor(PALETTE["ink"])
        self._pen_width = 3.4

    # -- properties --------------------------------------------------------------------------

    def _get_enough(self) -> bool:
        return self._enough

    inkEnough = Property(bool, _get_enough, notify=inkChanged)

    def _get_empty(self) -> bool:
        return not self._strokes

    empty = Property(bool, _get_empty, notify=inkChanged)

    def _get_stroke_count(self) -> int:
        return len(self._strokes)

    strokeCount = Property(int, _get_stroke_count, notify=inkChanged)

    def _get_point_count(self) -> int:
        return self._points

    pointCount = Property(int, _get_point_count, notify=inkChanged)

    def _get_pen_color(self) -> QColor:
        return self._pen_color

    def _set_pen_color(self, color: QColor) -> None:
        if QColor(color) != self._pen_color:
            self._pen_color = QColor(color)
            self._rerender()
            self.penColorChanged.emit()

    penColor = Property(QColor, _get_pen_color, _set_pen_color, notify=penColorChanged)

    def _get_pen_width(self) -> float:
        return self._pen_width

    def _set_pen_width(self, width: float) -> None:
        width = max(0.5, float(width))
        if width != self._pen_width:
            self._pen_width = width
            self._rerender()
            self.penWidthChanged.emit()

    penWidth = Property(float, _get_pen_width, _set_pen_width, notify=penWidthChanged)

    # -- the signature -----------------------------------------------------------------------

    def ink(self) -> Ink | None:
        """The finished strokes as an :class:`Ink`, or None when nothing was drawn."""
        strokes = tuple(tuple(s) for s in self._strokes if s)
        if not strokes:
            return None
        return Ink(round(self._canvas.width(), 1), round(self._canvas.height(), 1), strokes)

    @Slot()
    def clear(self) -> None:
        """Erase everything (strokes, image, timestamps)."""
        self._strokes = []
        self._current = None
        self._touch_id = None
        self._t0 = None
        self._last_t = 0
        self._points = 0
        self._canvas = QSizeF(self.width(), self.height())
        self._scale, self._ox, self._oy = 1.0, 0.0, 0.0
        if self._image is not None:
            self._image.fill(Qt.GlobalColor.transparent)
        self._set_enough(False)
        self.inkChanged.emit()
        self.update()

    def _set_enough(self, value: bool) -> None:
        self._enough = value

    # -- coordinates -------------------------------------------------------------------------

    def _to_canvas(self, pos: QPointF) -> tuple[float, float]:
        return (pos.x() - self._ox) / self._scale, (pos.y() - self._oy) / self._scale

    def _fit(self) -> None:
        """Place the canvas in the item: uniform scale, centred."""
        w, h = self.width(), self.height()
        cw, ch = self._canvas.width(), self._canvas.height()
        if not self._strokes or cw <= 0 or ch <= 0:
            self._canvas = QSizeF(w, h)
            self._scale, self._ox, self._oy = 1.0, 0.0, 0.0
            return
        s = min(w / cw, h / ch) if w > 0 and h > 0 else 1.0
        self._scale = s or 1.0
        self._ox = (w - cw * self._scale) / 2
        self._oy = (h - ch * self._scale) / 2

    # -- input -------------------------------------------------------------------------------

    def _stamp(self, timestamp: int) -> int:
        if self._t0 is None:
            self._t0 = timestamp
            self._use_clock = timestamp == 0
            self._clock.start()
        t = self._clock.elapsed() if self._use_clock else timestamp - self._t0
        t = max(int(t), self._last_t)
        self._last_t = t
        return t

    def _begin(self, pos: QPointF, timestamp: int, pressure: float | None) -> bool:
        if len(self._strokes) >= MAX_STROKES or self._points >= MAX_POINTS:
            return False
        if not self._strokes:
            self._canvas = QSizeF(self.width(), self.height())
            self._fit()
        x, y = self._to_canvas(pos)
        stroke = [Point(x, y, self._stamp(timestamp), pressure)]
        self._strokes.append(stroke)
        self._current = stroke
        self._points += 1
        self._draw_piece(stroke, 0)
        return True

    def _extend(self, pos: QPointF, timestamp: int, pressure: float | None) -> None:
        stroke = self._current
        if stroke is None or self._points >= MAX_POINTS:
            return
        x, y = self._to_canvas(pos)
        last = stroke[-1]
        if abs(x - last.x) < _MIN_STEP and abs(y - last.y) < _MIN_STEP:
            return
        stroke.append(Point(x, y, self._stamp(timestamp), pressure))
        self._points += 1
        self._draw_piece(stroke, len(stroke) - 1)

    def _end(self) -> None:
        stroke = self._current
        if stroke is None:
            return
        self._current = None
        self._touch_id = None
        if len(stroke) > 1:
            self._draw_piece(stroke, len(stroke), final=True)
        ink = self.ink()
        self._set_enough(bool(ink is not None and ink.is_enough()))
        self.inkChanged.emit()
        self.strokeFinished.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Start a stroke (mouse, or a touch/stylus Qt turned into a mouse event)."""
        if event.button() != Qt.MouseButton.LeftButton or self._current is not None:
            event.ignore()
            return
        if self._begin(event.position(), event.timestamp(), None):
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Extend the stroke."""
        self._extend(event.position(), event.timestamp(), None)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Finish the stroke."""
        if self._current is not None:
            self._extend(event.position(), event.timestamp(), None)
            self._end()
        event.accept()

    def mouseUngrabEvent(self) -> None:  # noqa: N802 - Qt override
        """Another item took the pointer: keep what was drawn."""
        self._end()

    def touchEvent(self, event: QTouchEvent) -> None:  # noqa: N802 - Qt override
        """Follow one finger; a second finger or a resting palm is ignored."""
        caps = event.device().capabilities() if event.device() is not None else 0
        has_pressure = bool(caps & QInputDevice.Capability.Pressure)
        for point in event.points():
            state = point.state()
            if self._touch_id is None:
                if state == QEventPoint.State.Pressed and self._current is None:
                    pressure = point.pressure() if has_pressure else None
                    if self._begin(point.position(), event.timestamp(), pressure):
                        self._touch_id = point.id()
                continue
            if point.id() != self._touch_id:
                continue
            pressure = point.pressure() if has_pressure else None
            if state == QEventPoint.State.Released:
                self._extend(point.position(), event.timestamp(), pressure)
                self._end()
            elif state == QEventPoint.State.Updated:
                self._extend(point.position(), event.timestamp(), pressure)
        event.accept()

    def touchUngrabEvent(self) -> None:  # noqa: N802 - Qt override
        """Touch taken away (e.g. by a gesture): keep what was drawn."""
        self._end()

    # A stylus reports its pressure to Qt Quick 6 only through pointer handlers: the pad's QML
    # gives it a ``PointHandler`` for styluses that calls these (Qt synthesises mouse events,
    # without pressure, for a stylus nobody handles).

    @Slot(QPointF, float)
    def stylusPress(self, pos: QPointF, pressure: float) -> None:  # noqa: N802 - QML naming
        """A stylus touched the pad."""
        if self._current is None:
            self._begin(pos, 0, max(0.0, min(1.0, pressure)))

    @Slot(QPointF, float)
    def stylusMove(self, pos: QPointF, pressure: float) -> None:  # noqa: N802 - QML naming
        """The stylus moved while touching."""
        if self._current is not None:
            self._extend(pos, 0, max(0.0, min(1.0, pressure)))

    @Slot(QPointF, float)
    def stylusRelease(self, pos: QPointF, pressure: float) -> None:  # noqa: N802 - QML naming
        """The stylus left the pad."""
        if self._current is not None:
            self._extend(pos, 0, max(0.0, min(1.0, pressure)))
            self._end()

    # -- drawing -----------------------------------------------------------------------------

    def _device_pixel_ratio(self) -> float:
        # Not self.window(): with PySide6 6.12, asking a Python item for its window ties the
        # window's lifetime to the item, and destroying the pad then destroys the window.
        if self._dpr_known is None:
            screen = QGuiApplication.primaryScreen()
            self._dpr_known = screen.devicePixelRatio() if screen is not None else 1.0
        return self._dpr_known

    def itemChange(  # noqa: N802 - Qt override
        self, change: QQuickItem.ItemChange, value: QQuickItem.ItemChangeData
    ) -> None:
        """Re-render sharp when moved to a screen with another pixel ratio."""
        super().itemChange(change, value)
        if change == QQuickItem.ItemChange.ItemDevicePixelRatioHasChanged:
            self._dpr_known = float(value.realValue)
            self._rerender()

    def _ensure_image(self) -> QImage | None:
        w, h = self.width(), self.height()
        if w < 1 or h < 1:
            return None
        dpr = self._device_pixel_ratio()
        pw, ph = math.ceil(w * dpr), math.ceil(h * dpr)
        img = self._image
        if img is None or img.width() != pw or img.height() != ph or dpr != self._dpr:
            img = QImage(pw, ph, QImage.Format.Format_ARGB32_Premultiplied)
            img.setDevicePixelRatio(dpr)
            img.fill(Qt.GlobalColor.transparent)
            self._image = img
            self._dpr = dpr
        return img

    def _pen(self, pressure: float | None) -> QPen:
        width = self._pen_width * self._scale
        if pressure is not None:
            width *= 0.55 + 0.9 * pressure
        pen = QPen(self._pen_color, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _piece(self, stroke: list[Point], k: int, final: bool) -> QPainterPath | None:
        """The curve piece added by sample ``k`` (or the closing piece when ``final``)."""
        s, ox, oy = self._scale, self._ox, self._oy
        path = QPainterPath()
        if final:
            a, b = stroke[-2], stroke[-1]
            mx, my = _mid(a, b)
            path.moveTo(mx * s + ox, my * s + oy)
            path.lineTo(b.x * s + ox, b.y * s + oy)
            return path
        if k == 0:
            return None
        if k == 1:
            a, b = stroke[0], stroke[1]
            mx, my = _mid(a, b)
            path.moveTo(a.x * s + ox, a.y * s + oy)
            path.lineTo(mx * s + ox, my * s + oy)
            return path
        a, b, c = stroke[k - 2], stroke[k - 1], stroke[k]
        sx, sy = _mid(a, b)
        ex, ey = _mid(b, c)
        path.moveTo(sx * s + ox, sy * s + oy)
        path.quadTo(b.x * s + ox, b.y * s + oy, ex * s + ox, ey * s + oy)
        return path

    def _draw_piece(self, stroke: list[Point], k: int, final: bool = False) -> None:
        img = self._ensure_image()
        if img is None:
            return
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self._paint_piece(painter, stroke, k, final)
        painter.end()
        if rect is not None:
            self.update(rect.toAlignedRect())

    def _paint_piece(
        self, painter: QPainter, stroke: list[Point], k: int, final: bool
    ) -> QRectF | None:
        point = stroke[-1] if final else stroke[k]
        pen = self._pen(point.pressure)
        half = pen.widthF() / 2 + 2
        if not final and k == 0:
            x, y = point.x * self._scale + self._ox, point.y * self._scale + self._oy
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._pen_color)
            r = pen.widthF() / 2
            painter.drawEllipse(QPointF(x, y), r, r)
            return QRectF(x - half, y - half, 2 * half, 2 * half)
        path = self._piece(stroke, k, final)
        if path is None:
            return None
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        return path.controlPointRect().adjusted(-half, -half, half, half)

    def _rerender(self) -> None:
        img = self._ensure_image()
        if img is None:
            return
        img.fill(Qt.GlobalColor.transparent)
        if self._strokes:
            painter = QPainter(img)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for stroke in self._strokes:
                if len(stroke) == 1:
                    self._paint_piece(painter, stroke, 0, False)
                    continue
                for k in range(1, len(stroke)):
                    self._paint_piece(painter, stroke, k, False)
                if stroke is not self._current:
                    self._paint_piece(painter, stroke, len(stroke), True)
            painter.end()
        self.update()

    def geometryChange(self, new: QRectF, old: QRectF) -> None:  # noqa: N802 - Qt override
        """Resized or rotated: refit the strokes and redraw them."""
        super().geometryChange(new, old)
        if new.size() != old.size():
            self._fit()
            self._rerender()

    def paint(self, painter: QPainter) -> None:
        """Copy the changed part of the backing image."""
        if self._image is not None:
            painter.drawImage(QPointF(0, 0), self._image)
