"""Touch-screen benchmarks: cold start, ink latency, submit to thank-you, memory over signers.

    .venv/bin/python -m bench ui            (or: python -m bench.bench_ui [--signers N])

Targets (issue 3): cold start to the attract screen under 1.0 s (a bare Qt Quick window takes
about 0.1 s here); pointer-event handling on the pad under 0.5 ms per event for a 1,000-point
stroke; submit to thank-you under 20 ms; under 250 MB RSS after 1,000 signers, with no growth
per signer (measured over the next 1,000, once caches are warm). Everything runs offscreen
(``QT_QPA_PLATFORM=offscreen``); the memory run is a separate process.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault(
    "QT_LOGGING_RULES",
    "qt.multimedia.symbolsresolver.warning=false;qt.qml.propertyCache.append.warning=false",
)

from bench.harness import Row, print_table

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "bench passphrase"

_COLD_CHILD = """
import sys, time
from kiosk.app import run_app
def ready(ui):
    print("READY", ui.vm.mode, flush=True)
    ui.app.quit()
sys.exit(run_app(sys.argv[1], windowed=True, on_ready=ready))
"""

_BARE_CHILD = """
import sys
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickWindow
app = QGuiApplication(sys.argv[:1])
w = QQuickWindow()
w.resize(1280, 800)
def done():
    print("READY", flush=True)
    app.quit()
w.frameSwapped.connect(done)
w.show()
app.exec()
"""


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _prepare_kiosk(data_dir: Path) -> None:
    from kiosk.app import open_kiosk
    from kiosk.services.pin import PinGate

    kiosk = open_kiosk(data_dir)
    try:
        if not kiosk.keys.has_public_key():
            kiosk.keys.init(PASSPHRASE)
        gate = PinGate(kiosk.store, kiosk.pins)
        if not gate.has_pin():
            gate.set_pin("2468")
    finally:
        kiosk.close()


def _child_time(code: str, *args: str) -> float:
    """Seconds from starting a Python process to its READY line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("READY"):
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError("the child never got ready")
    proc.wait(30)
    if "READY signer" not in line and line != "READY\n":
        raise RuntimeError(f"unexpected start: {line.strip()}")
    return elapsed


def bench_cold_start(tmp: Path, runs: int = 7) -> list[Row]:
    data = tmp / "cold"
    _prepare_kiosk(data)
    _child_time(_COLD_CHILD, str(data))  # warm-up: builds the .qm cache and QML disk cache
    starts = [_child_time(_COLD_CHILD, str(data)) for _ in range(runs)]
    bare = [_child_time(_BARE_CHILD) for _ in range(runs)]
    return [
        Row(
            "cold start: process start to attract screen drawn, median",
            statistics.median(starts),
            "s",
            1.0,
            note=f"min {min(starts):.3f}, max {max(starts):.3f}, {runs} runs",
        ),
        Row(
            "bare Qt Quick window: process start to first frame, median",
            statistics.median(bare),
            "s",
            note="baseline",
        ),
    ]


def bench_pad(points: int = 1000, strokes: int = 9) -> list[Row]:
    from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtQuick import QQuickWindow
    from PySide6.QtTest import QTest

    from kiosk.ui.pad import SignaturePad

    window = QQuickWindow()
    window.resize(1180, 420)
    pad = SignaturePad(window.contentItem())
    pad.setSize(window.size().toSizeF())
    window.show()
    QTest.qWaitForWindowExposed(window)

    def send(kind: QEvent.Type, x: float, y: float) -> None:
        pos = QPointF(x, y)
        buttons = (
            Qt.MouseButton.NoButton
            if kind == QEvent.Type.MouseButtonRelease
            else Qt.MouseButton.LeftButton
        )
        QCoreApplication.sendEvent(
            window,
            QMouseEvent(
                kind,
                pos,
                pos,
                pos,
                Qt.MouseButton.LeftButton,
                buttons,
                Qt.KeyboardModifier.NoModifier,
            ),
        )

    per_event: list[float] = []
    frame_ms: list[float] = []
    for s in range(strokes):
        pad.clear()
        path = [(40 + i * 1.1, 210 + 140 * math.sin(i / (25 + s))) for i in range(points)]
        send(QEvent.Type.MouseButtonPress, *path[0])
        start = time.perf_counter()
        for x, y in path[1:]:
            send(QEvent.Type.MouseMove, x, y)
        per_event.append((time.perf_counter() - start) / (points - 1) * 1000)
        send(QEvent.Type.MouseButtonRelease, *path[-1])
        start = time.perf_counter()
        window.grabWindow()  # renders the frame with the new ink
        frame_ms.append((time.perf_counter() - start) * 1000)
    ink = pad.ink()
    assert ink is not None and ink.point_count == points
    window.close()
    return [
        Row(
            f"pad: handling one pointer event ({points}-point stroke), median",
            statistics.median(per_event),
            "ms",
            0.5,
            note="event delivery + curve segment drawn into the image + partial update",
        ),
        Row(
            "pad: rendering and reading back a full frame after a stroke",
            statistics.median(frame_ms),
            "ms",
            note="offscreen grabWindow, for reference",
        ),
    ]


def _letters(n: int) -> str:
    """A distinct run of letters for each n (names must be letters; each signer differs)."""
    out = ""
    for _ in range(4):
        out += chr(97 + n % 26)
        n //= 26
    return out


def _to_pad(d: object, n: int) -> None:
    """Put signer ``n`` on the signature pad through the view-model (no typing)."""
    from kiosk.ui.automation import Driver

    assert isinstance(d, Driver)
    flow = d.ui.vm.flow
    flow.start()
    flow.toForm()
    flow.setField("first_name", "Bench" + _letters(n))
    flow.setField("last_name", "Núñez")
    flow.setField("zip", "47708")
    flow.submitForm()
    flow.confirmLocal()
    assert flow.step == "pad", flow.step


def _draw(pad: object, n: int) -> None:
    """A signature through the pad's own input path (stylus slots: no event overhead)."""
    from PySide6.QtCore import QPointF

    pts = [QPointF(80 + i * 6, 200 + 60 * math.sin(i / 6 + n)) for i in range(120)]
    pad.stylusPress(pts[0], 0.5)  # type: ignore[attr-defined]
    for p in pts[1:]:
        pad.stylusMove(p, 0.5)  # type: ignore[attr-defined]
    pad.stylusRelease(pts[-1], 0.5)  # type: ignore[attr-defined]


def _open_ui(tmp: Path, name: str) -> tuple[object, object]:
    from kiosk.app import open_kiosk
    from kiosk.ui.automation import Driver
    from kiosk.ui.main import build_ui
    from kiosk.ui.shell_config import UiConfig

    data = tmp / name
    _prepare_kiosk(data)
    kiosk = open_kiosk(data)
    ui = build_ui(kiosk, config=UiConfig(thanks_s=3600), qm_dir=tmp / "qm")
    d = Driver(ui)
    d.wait_shown("attract.signButton")
    return kiosk, d


def bench_submit(tmp: Path, submits: int = 25) -> list[Row]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from kiosk.domain.ports import SignatureFilter

    kiosk, d = _open_ui(tmp, "submit")
    ui = d.ui  # type: ignore[attr-defined]
    flow = ui.vm.flow
    to_state: list[float] = []
    to_frame: list[float] = []
    for n in range(submits):
        _to_pad(d, n)
        pad = d.wait_shown("pad.canvas")  # type: ignore[attr-defined]
        _draw(pad, n)
        button = d.wait_shown("pad.submit")  # type: ignore[attr-defined]
        d.frame()  # type: ignore[attr-defined]
        pos = d._settled_center(button)  # type: ignore[attr-defined]
        swapped: list[float] = []

        def on_frame(store: list[float] = swapped) -> None:
            if flow.step == "thanks" and not store:
                store.append(time.perf_counter())

        ui.window.frameSwapped.connect(on_frame)
        start = time.perf_counter()
        QTest.mouseClick(ui.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        to_state.append((time.perf_counter() - start) * 1000)
        assert flow.step == "thanks", flow.step
        ui.window.update()
        d.wait(lambda s=swapped: bool(s), "the thank-you frame")  # type: ignore[attr-defined]
        ui.window.frameSwapped.disconnect(on_frame)
        to_frame.append((swapped[0] - start) * 1000)
        flow.finish()
        d.idle()  # type: ignore[attr-defined]
    assert kiosk.store.count(SignatureFilter()) == submits  # type: ignore[attr-defined]
    ui.close()
    kiosk.close()  # type: ignore[attr-defined]
    return [
        Row(
            "submit: tap to thank-you state (durable save included), median",
            statistics.median(to_state),
            "ms",
            20,
            note=f"p90 {_p90(to_state):.1f} ms",
        ),
        Row(
            "submit: tap to thank-you screen drawn, median",
            statistics.median(to_frame),
            "ms",
            20,
            note=f"p90 {_p90(to_frame):.1f} ms",
        ),
    ]


def memory_child(signers: int) -> None:
    """Run in its own process: many signers through the whole flow; print RSS figures.

    The loop talks to the view-models and the pad directly (as the QML does) and waits for
    each new signer's screens to be built; it does not walk the item tree between steps, so
    what is measured is the app, not the test driver.
    """
    import json

    from PySide6.QtTest import QTest

    from kiosk.domain.ports import SignatureFilter
    from kiosk.ui.main import configure_qt

    configure_qt()
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-mem-") as tmp_name:
        kiosk, d = _open_ui(Path(tmp_name), "memory")
        flow = d.ui.vm.flow  # type: ignore[attr-defined]
        loader = d.find("sessionLoader")  # type: ignore[attr-defined]
        pad = d.find("pad.canvas")  # type: ignore[attr-defined]
        gc.collect()
        rss: dict[int, float] = {0: _rss_mb()}
        started = time.perf_counter()
        for n in range(1, signers + 1):
            flow.start()
            flow.toForm()
            flow.setField("first_name", "Bench" + _letters(n))
            flow.setField("last_name", "Núñez")
            flow.setField("zip", "47708")
            flow.submitForm()
            flow.confirmLocal()
            _draw(pad, n)
            flow.submit(pad)
            assert flow.step == "thanks", flow.step
            flow.finish()  # wipes, and the next signer's screens are built afresh
            while float(loader.property("progress")) < 1.0:
                QTest.qWait(1)
            if n % 100 == 0 or n == signers:
                gc.collect()
                rss[n] = _rss_mb()
        elapsed = time.perf_counter() - started
        saved = kiosk.store.count(SignatureFilter())  # type: ignore[attr-defined]
        d.ui.close()  # type: ignore[attr-defined]
        kiosk.close()  # type: ignore[attr-defined]
    del app
    print(json.dumps({"rss": rss, "elapsed": elapsed, "saved": saved}))


def bench_memory(signers: int) -> list[Row]:
    """RSS after ``signers`` signers, and the growth per signer over the next ``signers``
    (the first few hundred fill caches that then stay full: SQLite's pages, Qt's glyphs)."""
    import json

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    total = 2 * signers
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_ui", "--memory-child", str(total)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    rss = {int(k): v for k, v in doc["rss"].items()}
    assert doc["saved"] == total, doc["saved"]
    growth_kb = (rss[total] - rss[signers]) * 1024 / signers
    steps = [k for k in sorted(rss) if k and k % max(100, total // 8) == 0]
    return [
        Row(
            f"memory: RSS after {signers} signers",
            rss[signers],
            "MB",
            250,
            note=f"{rss[0]:.0f} MB on the attract screen before the first",
        ),
        Row(
            f"memory: growth per signer (signers {signers}-{total})",
            growth_kb,
            "KB",
            1.0,
            note="target: none; RSS (MB) " + " ".join(f"{k}:{rss[k]:.0f}" for k in steps),
        ),
        Row(
            "signers per second through the whole flow (no typing delays)",
            total / doc["elapsed"],
            "/s",
            note=f"{doc['elapsed']:.0f} s for {total}",
        ),
    ]


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    """Print the touch-screen benchmark table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7, help="cold starts to time")
    parser.add_argument("--memory-child", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return 0

    from kiosk.ui.main import configure_qt

    configure_qt()
    from PySide6.QtGui import QGuiApplication

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-ui-") as tmp_name:
        tmp = Path(tmp_name)
        rows = bench_cold_start(tmp, args.runs)
        rows += bench_memory(args.signers)
        app = QGuiApplication(sys.argv[:1])
        rows += bench_pad()
        rows += bench_submit(tmp)
        del app
    print_table("touch screen (offscreen)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
