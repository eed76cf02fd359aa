"""A real ``kiosk-server serve`` process for end-to-end tests and benchmarks.

Usage::

    from tests.server.live import LiveServer

    with LiveServer() as server:                      # SQLite in a temporary data directory
        device_id, token = server.enroll("Kiosk A")   # enroll-code via the CLI, then /enroll
        r = httpx.get(server.url("/totals"), headers={"Authorization": f"Bearer {token}"})

    with LiveServer(database_url="postgresql+psycopg://postgres@127.0.0.1/kiosk_x") as server:
        ...

The server listens on 127.0.0.1 on a free port; ``__enter__`` returns once
``GET /api/v1/health`` answers 200 and ``__exit__`` stops it (SIGTERM, then SIGKILL). Its output
goes to ``server.log_path``; when start-up fails the error includes the end of that log.
:meth:`LiveServer.cli` runs any other ``kiosk-server`` command against the same database, and
:meth:`LiveServer.kill` / :meth:`LiveServer.start` let a test simulate a crash and a restart.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from kiosk.wire import API_PREFIX

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def server_command(*args: str) -> list[str]:
    """The command line running ``kiosk-server ARGS`` with this interpreter."""
    return [sys.executable, "-m", "kiosk.server.cli", *args]


class LiveServerError(RuntimeError):
    """The server process did not start or a CLI command failed."""


class LiveServer:
    """A ``kiosk-server serve`` subprocess on 127.0.0.1 and a free port."""

    def __init__(
        self,
        database_url: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        workers: int = 1,
        server_name: str = "Live test server",
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        startup_timeout: float = 120.0,
        access_log: bool = False,
    ) -> None:
        """Configure (nothing starts before ``__enter__`` / :meth:`start`).

        Args:
            database_url: the server's database; None for SQLite in ``data_dir``.
            data_dir: data directory (a temporary one, removed at exit, if None).
            workers: uvicorn worker processes.
            server_name: the name the server reports at enrollment.
            extra_args: more ``serve`` options.
            env: extra environment variables for the process.
            startup_timeout: seconds to wait for ``/api/v1/health`` (a server that exits is
                reported at once; the wait is long because a loaded machine, e.g. the chaos
                test restarting a killed server among busy kiosks, can take over 30 s).
            access_log: keep uvicorn's per-request log lines.
        """
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-live-")
            data_dir = self._tmp.name
        self.data_dir = Path(data_dir)
        self.database_url = database_url
        self.workers = workers
        self.server_name = server_name
        self.extra_args = extra_args
        self.env = env or {}
        self.startup_timeout = startup_timeout
        self.access_log = access_log
        self.host = "127.0.0.1"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "server.log"

    # -- addresses -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "") -> str:
        """The absolute URL of an API path, e.g. ``url("/totals")``."""
        return f"{self.base_url}{API_PREFIX}{path}"

    # -- process ---------------------------------------------------------------------------

    def global_args(self) -> list[str]:
        """The global options pointing any ``kiosk-server`` command at this server's database."""
        args = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return args

    def _environ(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("KIOSK_DATABASE_URL", None)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        env.update(self.env)
        return env

    def start(self, port: int | None = None) -> None:
        """Start the process and wait until it answers ``/health``.

        Args:
            port: a port to reuse (e.g. after :meth:`kill`); a free one if None.

        Raises:
            LiveServerError: it exited or did not answer in time (the log tail is included).
        """
        if self.process is not None and self.process.poll() is None:
            raise LiveServerError("server already running")
        attempts = 1 if port else 3
        for attempt in range(attempts):
            self.port = port or free_port()
            cmd = server_command(
                *self.global_args(),
                "serve",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--server-name",
                self.server_name,
                "--log-level",
                "info",
                *(() if self.access_log else ("--no-access-log",)),
                *self.extra_args,
            )
            log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
            try:
                self.process = subprocess.Popen(
                    cmd, stdout=log, stderr=subprocess.STDOUT, env=self._environ(), cwd=REPO_ROOT
                )
            finally:
                log.close()
            try:
                self._wait_healthy()
                return
            except LiveServerError:
                self.stop()
                address_in_use = "address already in use" in self.log_tail().lower()
                if not address_in_use or attempt == attempts - 1:
                    raise

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LiveServerError(
                    f"kiosk-server exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                r = httpx.get(self.url("/health"), timeout=1.0)
                if r.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise LiveServerError(
            f"kiosk-server did not answer within {self.startup_timeout}s:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop the process gracefully (SIGTERM; SIGKILL after ``timeout``).

        Returns:
            Its exit status, or None if it was not running.
        """
        proc, self.process = self.process, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash or power cut would."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's output."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self._cleanup()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- administration --------------------------------------------------------------------

    def cli(
        self, *args: str, check: bool = True, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        """Run ``kiosk-server ARGS`` against this server's database.

        Args:
            args: the command and its options, e.g. ``("devices", "list")``.
            check: raise :class:`LiveServerError` on a non-zero exit.
            timeout: seconds before giving up.
        """
        result = subprocess.run(
            server_command(*self.global_args(), *args),
            capture_output=True,
            text=True,
            env=self._environ(),
            cwd=REPO_ROOT,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise LiveServerError(
                f"kiosk-server {' '.join(args)} exited with {result.returncode}:\n{result.stderr}"
            )
        return result

    def enrollment_code(self, name: str = "Live kiosk", valid_hours: float = 24) -> str:
        """A fresh one-time enrollment code (``kiosk-server enroll-code``)."""
        out = self.cli("enroll-code", "--name", name, "--valid-hours", str(valid_hours))
        return out.stdout.strip()

    def enroll(self, name: str = "Live kiosk") -> tuple[str, str]:
        """Make a code and enroll with it over HTTP.

        Returns:
            ``(device_id, token)``.
        """
        r = httpx.post(self.url("/enroll"), json={"code": self.enrollment_code(name)}, timeout=10)
        if r.status_code != 200:
            raise LiveServerError(f"enroll failed: {r.status_code} {r.text}")
        data: dict[str, Any] = r.json()
        return data["device_id"], data["token"]

    def import_campaigns(self, *files: str | os.PathLike[str]) -> None:
        """``kiosk-server campaigns import FILE...``."""
        self.cli("campaigns", "import", *(str(f) for f in files))
