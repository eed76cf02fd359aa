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
organization public key    ``KIOSK_ORG_PUBLIC_KEY``     none (returned to kiosks at enrollment)
=========================  ===========================  ============================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from kiosk.wire import MAX_BODY_BYTES

ENV_DATABASE_URL = "KIOSK_DATABASE_URL"
ENV_DATA_DIR = "KIOSK_SERVER_DATA_DIR"
ENV_SERVER_NAME = "KIOSK_SERVER_NAME"
ENV_ORG_PUBLIC_KEY = "KIOSK_ORG_PUBLIC_KEY"

DEFAULT_SERVER_NAME = "Petition Kiosk server"
SQLITE_FILE_NAME = "kiosk-server.sqlite3"


def default_data_dir() -> Path:
    """The platform's per-user data directory for the server."""
    return Path(platformdirs.user_data_dir("kiosk-server", "petition-kiosk"))


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything the server needs to start; built once, passed to the app factory."""

    database_url: str
    data_dir: Path | None = None
    server_name: str = DEFAULT_SERVER_NAME
    org_public_key: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES

    @classmethod
    def resolve(
        cls,
        database_url: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        server_name: str | None = None,
        org_public_key: str | None = None,
        environ: dict[str, str] | None = None,
    ) -> ServerSettings:
        """Resolve settings from explicit values, then the environment, then defaults.

        Args:
            database_url: SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``).
            data_dir: directory for the default SQLite file.
            server_name: the name kiosks show for this server.
            org_public_key: the organization's public key handed to kiosks at enrollment.
            environ: the environment to read (``os.environ`` by default).
        """
        env = os.environ if environ is None else environ
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
        )

    def to_environ(self) -> dict[str, str]:
        """The environment variables that make :meth:`resolve` give these settings back."""
        env = {ENV_DATABASE_URL: self.database_url, ENV_SERVER_NAME: self.server_name}
        if self.data_dir is not None:
            env[ENV_DATA_DIR] = str(self.data_dir)
        if self.org_public_key:
            env[ENV_ORG_PUBLIC_KEY] = self.org_public_key
        return env
