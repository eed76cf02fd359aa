"""A tiny HTTP server that answers whatever a test scripts: garbage, truncated bodies, errors,
dropped connections, slow replies. A fault injector for the sync client's error handling."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self


@dataclass
class Reply:
    """What the fake server does with one request.

    Attributes:
        status: the HTTP status.
        body: the body bytes (or a JSON-able object, encoded with a JSON content type).
        headers: extra headers.
        content_type: the Content-Type (None: none sent).
        declared_length: a Content-Length to claim instead of the real one (truncation).
        drop: close the connection without answering.
        delay: seconds to wait before answering.
        drip: seconds between the body's bytes (sent one at a time), 0 for all at once.
    """

    status: int = 200
    body: bytes | Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    declared_length: int | None = None
    drop: bool = False
    delay: float = 0.0
    drip: float = 0.0


#: Given the method, path and request body, decide the reply.
Script = Callable[[str, str, bytes], Reply]


class _QuietServer(ThreadingHTTPServer):
    """Ignores clients that hang up first (a test's timeout), instead of printing them."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class FakeServer:
    """A scripted HTTP(S) server on 127.0.0.1 and a free port, in a background thread."""

    def __init__(
        self, script: Script, certfile: Path | None = None, keyfile: Path | None = None
    ) -> None:
        """Configure the server.

        Args:
            script: decides each reply.
            certfile: serve HTTPS with this certificate (PEM).
            keyfile: the certificate's private key (PEM).
        """
        self.script = script
        self.requests: list[tuple[str, str, bytes]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.requests.append((self.command, self.path, body))
                reply = owner.script(self.command, self.path, body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                payload = reply.body
                if not isinstance(payload, bytes):
                    payload = json.dumps(payload).encode()
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                declared = len(payload) if reply.declared_length is None else reply.declared_length
                self.send_header("Content-Length", str(declared))
                if reply.declared_length is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if reply.drip:
                    for i in range(len(payload)):
                        self.wfile.write(payload[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                    return
                self.wfile.write(payload)
                self.wfile.flush()

            do_GET = _handle
            do_POST = _handle

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if certfile is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
