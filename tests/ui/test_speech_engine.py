"""Speech mode's engines: the ``mock`` engine (what the other speech tests listen to) and the
real ``speechd`` engine (speech-dispatcher with espeak-ng), which must speak English and
Spanish on this machine: its state goes from speaking back to ready without an error.

The speechd test runs its own speech-dispatcher (a private socket and configuration, audio to
libao's null driver, since a test machine has no sound card), so it neither needs nor disturbs
a desktop's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtTextToSpeech import QTextToSpeech

from kiosk.ui.i18n import I18n
from kiosk.ui.speech import VOICE_LOCALES, Speech

pytestmark = pytest.mark.gui


class _Lang(I18n):
    """Just the language, without a QML engine."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject

        QObject.__init__(self)
        self._lang = "en"

    @property
    def language(self) -> str:  # type: ignore[override]
        return self._lang

    def set_language(self, lang: str) -> None:  # type: ignore[override]
        self._lang = lang
        self.languageChanged.emit()


@pytest.fixture
def speech_dispatcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private speech-dispatcher on a socket of its own, audio to a null sink."""
    binary = shutil.which("speech-dispatcher")
    assert binary, "speech-dispatcher is not installed: run scripts/bootstrap.sh"
    assert Path("/etc/speech-dispatcher/modules/espeak-ng.conf").exists(), (
        "speech-dispatcher-espeak-ng is not installed: run scripts/bootstrap.sh"
    )
    conf = tmp_path / "conf"
    shutil.copytree("/etc/speech-dispatcher", conf)
    with (conf / "speechd.conf").open("a") as f:
        f.write('\nAudioOutputMethod "libao"\nDefaultModule espeak-ng\n')
    home = tmp_path / "home"
    home.mkdir()
    (home / ".libao").write_text("default_driver=null\n")
    sock = tmp_path / "speechd.sock"
    proc = subprocess.Popen(
        [binary, "-s", "-c", "unix_socket", "-S", str(sock), "-C", str(conf), "-t", "0"],
        env={**os.environ, "HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not sock.exists() and time.monotonic() < deadline:
            assert proc.poll() is None, "speech-dispatcher exited at start"
            time.sleep(0.05)
        assert sock.exists(), "speech-dispatcher did not open its socket"
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{sock}")
        yield sock
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_speechd_really_speaks_english_and_spanish(
    qtbot, speech_dispatcher: Path, lang: str
) -> None:  # type: ignore[no-untyped-def]
    assert "speechd" in QTextToSpeech.availableEngines()
    i18n = _Lang()
    i18n.set_language(lang)
    speech = Speech(i18n, engine="speechd")
    tts = speech.engine()
    assert isinstance(tts, QTextToSpeech)
    qtbot.waitUntil(lambda: tts.state() == QTextToSpeech.State.Ready, timeout=20_000)
    assert tts.locale().name() in VOICE_LOCALES[lang], tts.locale().name()
    states: list[QTextToSpeech.State] = []
    tts.stateChanged.connect(states.append)
    speech.setEnabled(True)  # says that speech is on, with the headphones notice
    qtbot.waitUntil(lambda: QTextToSpeech.State.Speaking in states, timeout=20_000)
    qtbot.waitUntil(lambda: tts.state() == QTextToSpeech.State.Ready, timeout=30_000)
    assert tts.errorReason() == QTextToSpeech.ErrorReason.NoError, tts.errorString()
    assert QTextToSpeech.State.Error not in states
    speech.reset()
    tts.deleteLater()


def test_mock_engine_says_the_words_in_order(qtbot) -> None:  # type: ignore[no-untyped-def]
    speech = Speech(_Lang(), engine="mock")
    words: list[str] = []
    speech.setEnabled(True)
    tts = speech.engine()
    assert isinstance(tts, QTextToSpeech)
    tts.sayingWord.connect(lambda word, _id, _start, _length: words.append(word))
    speech.say("Sign the petition")
    qtbot.waitUntil(lambda: words[-3:] == ["Sign", "the", "petition"], timeout=10_000)
    speech.reset()


def test_a_hung_speech_dispatcher_leaves_speech_off_instead_of_freezing(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Qt's speechd engine waits in its constructor, on the screen's thread, for a
    speech-dispatcher that runs but does not answer: turning speech on froze the touch screen.
    Now the engine is not made: speech mode stays silent, the screen keeps working."""
    from tests.test_speechd_probe import unix_server

    path = tmp_path / "speechd.sock"
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{path}")
    with unix_server(path, None):
        speech = Speech(_Lang(), engine="speechd")
        started = time.monotonic()
        assert speech.engine() is None
        assert time.monotonic() - started < 10
        assert speech.engine() is None  # not asked again
