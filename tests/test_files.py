"""The one atomic-write helper: old file or new file, never half of one, and durable."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.adapters import files
from kiosk.adapters.files import atomic_write, fsync_dir
from tests.helpers import ROOT

OLD = b"old content\n" * 1000
NEW = b"new content\n" * 5000


def _leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_writes_a_new_file_private_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "key.bin"
    atomic_write(target, NEW)
    assert target.read_bytes() == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _leftovers(target.parent, "key.bin") == []


def test_replaces_an_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    target.write_bytes(OLD)
    atomic_write(target, NEW)
    assert target.read_bytes() == NEW
    atomic_write(target, b"")
    assert target.read_bytes() == b""
    assert _leftovers(tmp_path, "doc.json") == []


def test_syncs_the_file_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "anchor.json"
    target.write_bytes(OLD)
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        mode = os.fstat(fd).st_mode
        events.append("fsync folder" if stat.S_ISDIR(mode) else "fsync file")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        assert Path(src).parent == Path(dst).parent == tmp_path  # same folder: atomic rename
        assert Path(src).read_bytes() == NEW  # complete before it takes the final name
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    atomic_write(target, NEW)
    assert events == ["fsync file", "rename", "fsync folder"]
    assert target.read_bytes() == NEW


def test_a_failure_before_the_rename_keeps_the_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "public.key"
    target.write_bytes(OLD)

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full_disk)
    with pytest.raises(OSError) as exc:
        atomic_write(target, NEW)
    assert exc.value.errno == 28
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path, "public.key") == []


def test_a_crash_before_the_rename_leaves_the_old_file_intact(tmp_path: Path) -> None:
    """A real crash: the writing process is killed (SIGKILL) just before the rename."""
    target = tmp_path / "campaign.json"
    target.write_bytes(OLD)
    child = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from kiosk.adapters import files

        def die(src, dst):
            sys.stdout.write(Path(src).name)
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        files.os.replace = die
        files.atomic_write(Path({str(target)!r}), {NEW!r})
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", child], cwd=ROOT, capture_output=True, timeout=60, check=False
    )
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()
    assert target.read_bytes() == OLD  # the final name still holds the old file, whole
    temp_name = run.stdout.decode()
    assert temp_name.startswith(".campaign.json.") and temp_name.endswith(".tmp")
    assert (tmp_path / temp_name).read_bytes() == NEW  # the new bytes were complete on disk
    assert not temp_name.endswith(".json")  # never read as a campaign document
    atomic_write(target, NEW)  # the next write succeeds over the leftover
    assert target.read_bytes() == NEW


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"x")
    with pytest.raises(OSError):
        atomic_write(blocker / "file.bin", NEW)
    assert blocker.read_bytes() == b"x"


def test_fsync_dir_refuses_a_missing_folder(tmp_path: Path) -> None:
    fsync_dir(tmp_path)
    with pytest.raises(FileNotFoundError):
        fsync_dir(tmp_path / "gone")


def test_the_data_folder_layout_is_what_the_kiosk_uses(tmp_path: Path) -> None:
    from kiosk.app import open_kiosk
    from kiosk.config import DataLayout

    kiosk = open_kiosk(tmp_path / "data")
    try:
        layout = kiosk.layout
        assert layout == DataLayout(tmp_path / "data")
        assert layout.store == kiosk.store.path and layout.store.is_file()
        assert kiosk.keys.path == layout.keys
        assert kiosk.imported_campaigns_dir == layout.campaigns
        assert kiosk.server_campaigns_dir == layout.server_campaigns
        assert layout.server_campaigns.parent == layout.campaigns
        assert all(p.parent == layout.root for p in layout.store_files)
    finally:
        kiosk.close()


def test_mode_is_set_before_the_first_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.csv"
    seen: list[tuple[int, int]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            seen.append((stat.S_IMODE(info.st_mode), info.st_size))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    old_umask = os.umask(0o077)  # the mode asked for wins over the umask
    try:
        atomic_write(target, NEW, mode=0o644)
    finally:
        os.umask(old_umask)
    assert seen == [(0o644, len(NEW))]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_without_overwrite_an_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "org.key"
    target.write_bytes(OLD)
    with pytest.raises(FileExistsError):
        atomic_write(target, NEW, overwrite=False)
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path, "org.key") == []
    fresh = tmp_path / "new.key"
    atomic_write(fresh, NEW, overwrite=False)
    assert fresh.read_bytes() == NEW
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert _leftovers(tmp_path, "org.key") == ["new.key"]
