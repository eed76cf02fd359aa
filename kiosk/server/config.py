"""Server settings: where the database is, what the server calls itself.

Precedence for each setting: command-line option, then environment variable, then default.

=========================  ===========================  ============================================
setting                    environment variable         default
=========================  ===========================  ============================================
database URL               ``KIOSK_DATABASE_URL``       SQLite file ``kiosk-server.sqlite3`` in the
                                                        data directory
data directory             ``KIOSK_SERVER_DATA_DIR``    the platform's user data directory
                                                        (``platformdirs``)
server name                ``KIOSK_SERVER_NAME``        ``Petition Kiosk server``
organization public key    ``KIOSK_ORG_PUBLIC_KEY``     none (returned to kiosks at enrollment;
                                                        checked at start-up: base64 of 32 bytes)
private key file(s)        ``KIOSK_ORG_PRIVATE_KEY_     none (exports and unique-signer counts are
                           FILE`` (comma-separated)     then refused); the passphrase of encrypted
                                                        files: the first line of the file named by
                                                        ``KIOSK_ORG_KEY_PASSPHRASE_FILE`` (0600),
                                                        else ``KIOSK_ORG_KEY_PASSPHRASE``
upload memory budget       ``KIOSK_UPLOAD_BUDGET_BYTES``  32 MiB: request bodies (declared sizes) one
                                                        process holds at once; 0 turns it off
wait for upload room       ``KIOSK_UPLOAD_WAIT``        10 s, then 503 ``server_busy``
body idle timeout          ``KIOSK_BODY_IDLE_TIMEOUT``  15 s without a byte: 408 ``body_timeout``
body total timeout         ``KIOSK_BODY_TIMEOUT``       120 s for a whole body: 408
trusted reverse proxies    ``KIOSK_TRUSTED_PROXIES``    none: ``X-Forwarded-For`` is ignored and the
                           (comma-separated addresses   client address is the TCP peer's
                           or networks)
internal networks that     ``KIOSK_FORWARD_ALLOW_       none: a destination must be a public address
forwarding may reach       NETWORKS`` (comma-separated  (link-local and metadata addresses are never
                           addresses or networks)       allowed; see
                                                        :mod:`kiosk.server.forwarding.netguard`)
=========================  ===========================  ============================================

Private keys are loaded from their files when needed and never stored in the database.
Rate limits come from ``KIOSK_RATE_*`` variables (see :mod:`kiosk.server.ratelimit`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from kiosk.server.forwarding.netguard import (
    DEFAULT_ALLOWED,
    ENV_FORWARD_ALLOW_NETWORKS,
    NetworkPolicy,
    parse_allowed,
)
from kiosk.server.ratelimit import RateLimits
from kiosk.wire import MAX_BODY_BYTES

ENV_DATABASE_URL = "KIOSK_DATABASE_URL"
ENV_DATA_DIR = "KIOSK_SERVER_DATA_DIR"
ENV_SERVER_NAME = "KIOSK_SERVER_NAME"
ENV_ORG_PUBLIC_KEY = "KIOSK_ORG_PUBLIC_KEY"
ENV_ORG_PRIVATE_KEY_FILE = "KIOSK_ORG_PRIVATE_KEY_FILE"
ENV_TRUSTED_PROXIES = "KIOSK_TRUSTED_PROXIES"
ENV_DEMO = "KIOSK_SERVER_DEMO"

DEFAULT_SERVER_NAME = "Petition Kiosk server"
SQLITE_FILE_NAME = "kiosk-server.sqlite3"


def default_data_dir() -> Path:
    """The platform's per-user data directory for the server."""
    return Path(platformdirs.user_data_dir("kiosk-server", "petition-kiosk"))


class SettingsError(ValueError):
    """A setting's value (an environment variable's, mostly) is not one: the message says which
    and why, for the command line to print as it is."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything the server needs to start; built once, passed to the app factory."""

    database_url: str
    data_dir: Path | None = None
    server_name: str = DEFAULT_SERVER_NAME
    org_public_key: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    org_private_key_files: tuple[str, ...] = ()
    rate_limits: RateLimits = field(default_factory=RateLimits)
    trusted_proxies: tuple[str, ...] = ()
    upload_budget_bytes: int = 4 * MAX_BODY_BYTES
    upload_wait_seconds: float = 10.0
    body_idle_timeout: float = 15.0
    body_total_timeout: float = 120.0
    #: Demo mode: only demo kiosks (``kiosk --demo``) may enroll and push, and no real one.
    demo: bool = False
    #: The console marks a kiosk not seen for this many hours (``KIOSK_CONSOLE_STALE_HOURS``).
    kiosk_stale_hours: float = 6.0
    #: Internal networks forwarding destinations may be in (``KIOSK_FORWARD_ALLOW_NETWORKS``;
    #: unset: this machine only; ``none``: no internal address).
    forward_allow_networks: tuple[str, ...] = DEFAULT_ALLOWED

    def __post_init__(self) -> None:
        if self.org_public_key is not None:
            from kiosk.server.keys import parse_public_key

            parse_public_key(self.org_public_key)  # raises KeyConfigError

    @classmethod
    def resolve(
        cls,
        database_url: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        server_name: str | None = None,
        org_public_key: str | None = None,
        environ: dict[str, str] | None = None,
        org_private_key_files: tuple[str, ...] | list[str] | None = None,
        trusted_proxies: str | None = None,
        demo: bool | None = None,
    ) -> ServerSettings:
        """Resolve settings from explicit values, then the environment, then defaults.

        Args:
            database_url: SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``).
            data_dir: directory for the default SQLite file.
            server_name: the name kiosks show for this server.
            org_public_key: the organization's public key handed to kiosks at enrollment.
            environ: the environment to read (``os.environ`` by default).
            org_private_key_files: private key files for exports, current key first.
            trusted_proxies: comma-separated proxy addresses whose forwarded headers count.
            demo: demo mode (else ``KIOSK_SERVER_DEMO=1``).

        Raises:
            KeyConfigError: the public key is not base64 of 32 bytes.
            SettingsError: a rate limit variable is not a non-negative number
                (see :mod:`kiosk.server.ratelimit`), or ``KIOSK_FORWARD_ALLOW_NETWORKS`` or
                ``KIOSK_TRUSTED_PROXIES`` holds something other than addresses and networks
                (internal ones for the first).
        """
        env = os.environ if environ is None else environ
        try:
            return cls._resolve(
                database_url,
                data_dir,
                server_name,
                org_public_key,
                env,
                org_private_key_files,
                trusted_proxies,
                demo,
            )
        except SettingsError:
            raise
        except ValueError as exc:  # a variable's value: said as it is, never "unexpected"
            raise SettingsError(str(exc)) from None

    @classmethod
    def _resolve(
        cls,
        database_url: str | None,
        data_dir: str | os.PathLike[str] | None,
        server_name: str | None,
        org_public_key: str | None,
        env: Any,
        org_private_key_files: tuple[str, ...] | list[str] | None,
        trusted_proxies: str | None,
        demo: bool | None,
    ) -> ServerSettings:
        from kiosk.server.keys import split_paths

        url = database_url or env.get(ENV_DATABASE_URL) or None
        dir_value = data_dir or env.get(ENV_DATA_DIR) or None
        resolved_dir = Path(dir_value).expanduser() if dir_value else None
        if url is None:
            resolved_dir = resolved_dir or default_data_dir()
            url = f"sqlite:///{(resolved_dir / SQLITE_FILE_NAME).absolute()}"
        return cls(
            database_url=url,
            data_dir=resolved_dir,
            server_name=server_name or env.get(ENV_SERVER_NAME) or DEFAULT_SERVER_NAME,
            org_public_key=org_public_key or env.get(ENV_ORG_PUBLIC_KEY) or None,
            org_private_key_files=tuple(org_private_key_files or ())
            or split_paths(env.get(ENV_ORG_PRIVATE_KEY_FILE)),
            rate_limits=RateLimits.from_env(env),
            trusted_proxies=_split_proxies(trusted_proxies or env.get(ENV_TRUSTED_PROXIES)),
            upload_budget_bytes=int(_number(env, "KIOSK_UPLOAD_BUDGET_BYTES", 4 * MAX_BODY_BYTES)),
            upload_wait_seconds=_number(env, "KIOSK_UPLOAD_WAIT", 10.0),
            body_idle_timeout=_number(env, "KIOSK_BODY_IDLE_TIMEOUT", 15.0, positive=True),
            body_total_timeout=_number(env, "KIOSK_BODY_TIMEOUT", 120.0, positive=True),
            demo=bool(demo) or env.get(ENV_DEMO, "") == "1",
            kiosk_stale_hours=_number(env, "KIOSK_CONSOLE_STALE_HOURS", 6.0, positive=True),
            forward_allow_networks=(
                DEFAULT_ALLOWED
                if env.get(ENV_FORWARD_ALLOW_NETWORKS) is None
                else tuple(str(n) for n in parse_allowed(env[ENV_FORWARD_ALLOW_NETWORKS]))
            ),
        )

    def to_environ(self) -> dict[str, str]:
        """The environment variables that make :meth:`resolve` give these settings back."""
        env = {ENV_DATABASE_URL: self.database_url, ENV_SERVER_NAME: self.server_name}
        if self.demo:
            env[ENV_DEMO] = "1"
        if self.data_dir is not None:
            env[ENV_DATA_DIR] = str(self.data_dir)
        if self.org_public_key:
            env[ENV_ORG_PUBLIC_KEY] = self.org_public_key
        if self.org_private_key_files:
            env[ENV_ORG_PRIVATE_KEY_FILE] = ",".join(self.org_private_key_files)
        if self.trusted_proxies:
            env[ENV_TRUSTED_PROXIES] = ",".join(self.trusted_proxies)
        env[ENV_FORWARD_ALLOW_NETWORKS] = ",".join(self.forward_allow_networks) or "none"
        return env

    def forward_network(self) -> NetworkPolicy:
        """Which addresses forwarding destinations may reach (see
        :mod:`kiosk.server.forwarding.netguard`)."""
        return NetworkPolicy(parse_allowed(",".join(self.forward_allow_networks)))

    def keyring(self, environ: dict[str, str] | None = None) -> Any:
        """Load the private key files (None if none are configured).

        Args:
            environ: where the passphrase is found (:func:`kiosk.server.keys.key_passphrase`;
                ``os.environ`` by default).

        Raises:
            KeyConfigError: a file cannot be read or unlocked, or the passphrase file used.
        """
        from kiosk.server.keys import key_passphrase, load_keyring

        if not self.org_private_key_files:
            return None
        return load_keyring(self.org_private_key_files, key_passphrase(environ))


def _split_proxies(value: str | None) -> tuple[str, ...]:
    """``"10.0.0.1, 10.0.1.0/24"`` → ``("10.0.0.1", "10.0.1.0/24")``.

    Raises:
        ValueError: an entry is neither an IP address nor a network.
    """
    import ipaddress

    out: list[str] = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValueError(
                f"${ENV_TRUSTED_PROXIES}: {part!r} is not an IP address or network"
            ) from None
        out.append(part)
    return tuple(out)


def _number(env: Any, name: str, default: float, positive: bool = False) -> float:
    """A non-negative number from the environment (``default`` when unset).

    Raises:
        ValueError: not a number, negative, or 0 where it must be positive.
    """
    import math

    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"${name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(
            f"${name} must be {'more than' if positive else 'at least'} 0, not {raw!r}"
        )
    return value
