"""Database engines for the server: an embedded SQLite file or PostgreSQL.

SQLite is opened in WAL mode with ``synchronous=FULL`` (a committed batch survives a power cut),
foreign keys on and a busy timeout; a running server checkpoints the WAL on a thread of its own
(:func:`sqlite_checkpointer`). The PRAGMAs are set in a ``connect`` listener while the
driver connection is in autocommit (``isolation_level=None``): inside a transaction SQLite
refuses to change the journal mode and silently ignores ``foreign_keys``. Transactions are then
opened explicitly by a ``begin`` listener (SQLAlchemy's documented pysqlite recipe).

The SQLite file, its WAL and its shared-memory file are made ``0600`` and the folder holding
them ``0700`` (as on the kiosk): the database is created empty with mode ``0600`` before SQLite
opens it, and SQLite gives the WAL and SHM files the database file's mode; existing files of
another mode are narrowed whenever an engine is made. A folder that is sticky (``/tmp``) or
belongs to another user is left alone.

PostgreSQL is reached through psycopg 3 (``postgresql+psycopg://``); a bare ``postgresql://`` URL
is taken to mean psycopg too.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, DateTime, Engine, Table, any_, bindparam, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.types import TypeDecorator

from kiosk.adapters.sqlite_wal import Checkpointer

_T = TypeVar("_T")

#: Milliseconds a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: Seconds to open a PostgreSQL connection before the request is answered 503 (the URL's
#: ``?connect_timeout=`` overrides it).
PG_CONNECT_TIMEOUT_S = 10

#: The PRAGMAs every SQLite connection gets, in this order.
SQLITE_PRAGMAS: tuple[tuple[str, str], ...] = (
    ("journal_mode", "WAL"),
    ("synchronous", "FULL"),
    ("foreign_keys", "ON"),
    ("busy_timeout", str(SQLITE_BUSY_TIMEOUT_MS)),
    # A running server checkpoints after writes on a thread of its own (sqlite_checkpointer);
    # SQLite's own checkpoint, inside the committing push, only past this many pages (~40 MB).
    ("wal_autocheckpoint", "10000"),
)


_WRITE_OPTION = "kiosk_write"
#: Milliseconds of the busy timeout left for ``BEGIN IMMEDIATE`` (see :func:`write_transaction`).
_BUSY_LEFT_OPTION = "kiosk_busy_left_ms"

#: The lock :func:`write_transaction` takes before SQLite's write lock, per SQLite engine.
_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()


class UnsupportedDatabase(ValueError):
    """The database URL names something other than a SQLite file or PostgreSQL."""


def normalise_url(url: str | URL) -> URL:
    """Parse a database URL and pick the psycopg 3 driver for PostgreSQL.

    Args:
        url: a SQLAlchemy database URL.

    Raises:
        UnsupportedDatabase: not SQLite-with-a-file nor PostgreSQL, or unparseable.
    """
    try:
        u = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise UnsupportedDatabase(f"cannot parse database URL: {exc}") from None
    backend = u.get_backend_name()
    if backend == "sqlite":
        if u.database in (None, "", ":memory:") or (u.database or "").startswith("file:"):
            raise UnsupportedDatabase("SQLite needs a database file path (sqlite:////abs/path)")
        return u
    if backend == "postgresql":
        if u.drivername == "postgresql":
            return u.set(drivername="postgresql+psycopg")
        if u.drivername != "postgresql+psycopg":
            raise UnsupportedDatabase("PostgreSQL is supported through psycopg 3 only")
        return u
    raise UnsupportedDatabase(
        f"unsupported database {backend!r}: use sqlite:///FILE or postgresql+psycopg://..."
    )


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # autocommit: PRAGMAs must run outside a transaction
    cur = dbapi_conn.cursor()
    try:
        for name, value in SQLITE_PRAGMAS:
            cur.execute(f"PRAGMA {name}={value}")
            cur.fetchall()
    finally:
        cur.close()


def _sqlite_begin(conn: Any) -> None:
    options = conn.get_execution_options()
    if options.get(_WRITE_OPTION):
        left = options.get(_BUSY_LEFT_OPTION)
        if left is None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        # What is left of the busy timeout after waiting on the process's writer lock, so a
        # writer never waits more than the timeout in all ("database is locked" at 30 s, not 60)
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(left)}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    else:
        conn.exec_driver_sql("BEGIN")


_log = logging.getLogger("kiosk.server")


def secure_sqlite_files(path: Path) -> None:
    """Make a SQLite database private: folder ``0700``; file, WAL and SHM ``0600``.

    Creates the folder (``0700``) and an empty database file (``0600``) when missing, so SQLite
    creates the WAL and SHM files with the same narrow mode. Best effort on file systems without
    Unix modes (a warning, never a failure).

    Args:
        path: the database file.
    """
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)
            folder.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened
        else:
            info = folder.stat()
            if (
                info.st_uid == os.getuid()
                and not info.st_mode & stat.S_ISVTX
                and stat.S_IMODE(info.st_mode) & 0o077
            ):
                folder.chmod(stat.S_IMODE(info.st_mode) & 0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
            f = folder / name
            if f.exists() and stat.S_IMODE(f.stat().st_mode) & 0o077:
                f.chmod(0o600)
    except FileExistsError:
        pass  # another process created it a moment ago
    except OSError as exc:
        _log.warning("cannot restrict the permissions of the database files: %s", exc.strerror)


def create_db_engine(url: str | URL) -> Engine:
    """Create the engine for ``url`` with the server's settings.

    Statement parameters are hidden from error messages (they may carry sealed blobs).

    Args:
        url: ``sqlite:///PATH`` or ``postgresql+psycopg://USER@HOST:PORT/DB``.

    Raises:
        UnsupportedDatabase: see :func:`normalise_url`.
    """
    u = normalise_url(url)
    if u.get_backend_name() == "sqlite":
        assert u.database is not None
        secure_sqlite_files(Path(u.database).expanduser())
        engine = create_engine(
            u,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
            pool_size=8,
            max_overflow=8,
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        _WRITERS[engine] = threading.RLock()  # re-entrant: a nested write fails as SQLite says
        return engine
    # A database host that stops answering (a network cut, not a stopped server) would hold each
    # new connection for the system's TCP timeout, minutes, and every request with it. The
    # URL's own ``connect_timeout`` wins, and so do libpq's ``PGCONNECT_TIMEOUT`` and a
    # ``?service=`` (whose file may set one): a keyword given here would override them.
    named = "connect_timeout" in u.query or "service" in u.query
    connect_args = (
        {}
        if named or "PGCONNECT_TIMEOUT" in os.environ
        else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    )
    return create_engine(
        u,
        connect_args=connect_args,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
    )


def sqlite_checkpointer(engine: Engine) -> Checkpointer | None:
    """Background WAL checkpoints for a server on SQLite (None on PostgreSQL), so a push does
    not pay for copying the WAL back into the database file: half a second after the last
    commit, at least every second while pushes keep coming. The caller closes it."""
    if engine.dialect.name != "sqlite":
        return None
    return Checkpointer(engine, max_wait_s=1.0, thread_name="kiosk-server-checkpoint")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction meant to write; commits on success, rolls back on error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock at once
    (waiting up to the busy timeout) instead of failing with "database is locked" when a
    transaction that has read tries to write after another connection committed.

    Args:
        engine: the server's engine.
    """
    lock = _WRITERS.get(engine)
    # Writers of this process queue on a lock of their own before SQLite's: a writer waiting on
    # SQLite's lock polls it (sleeps of 1, 2, 5 ... 25 ms), so each push that came while another
    # was being stored lost up to a poll's sleep after the lock was free (0.45 s a sync of
    # 10,000 in pushes of 1,000, two in flight); this lock wakes the next writer as it is let
    # go. Writers of other processes (a ``kiosk-server`` command beside the server) still wait
    # on SQLite's busy timeout, for what is left of it after this wait: a writer that waited it
    # all out here is answered "database is locked" at once. The same thread nesting writes
    # re-enters (and SQLite decides).
    options: dict[str, Any] = {_WRITE_OPTION: True}
    held = False
    if lock is not None:
        started = time.monotonic()
        held = lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        waited_ms = (time.monotonic() - started) * 1000
        if waited_ms >= 1:
            options[_BUSY_LEFT_OPTION] = max(0, SQLITE_BUSY_TIMEOUT_MS - waited_ms)
    try:
        with engine.connect() as conn:
            conn.execution_options(**options)
            with conn.begin():
                yield conn
    finally:
        if held:
            assert lock is not None
            lock.release()


def dialect_insert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT construct, which has ``on_conflict_do_nothing`` / ``_do_update``.

    Args:
        conn: a connection (its dialect picks SQLite's or PostgreSQL's INSERT).
        table: the table to insert into.
    """
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


_PG_SQL_CACHE: dict[tuple[str, tuple[str, ...], str], str] = {}


def insert_new_returning(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    conflict_columns: tuple[str, ...],
    returning: str,
) -> list[Any]:
    """``INSERT ... ON CONFLICT (conflict_columns) DO NOTHING RETURNING returning`` for many rows.

    Returns the ``returning`` value of each row actually inserted. One round of statements in the
    caller's transaction:

    - SQLite: SQLAlchemy's multi-row INSERT (``insertmanyvalues``).
    - PostgreSQL: the one-row statement, compiled once by SQLAlchemy, run by psycopg's
      ``executemany(..., returning=True)`` (pipelined and prepared). SQLAlchemy's multi-row form
      has thousands of parameters, which psycopg re-parses on every call (it caches only small
      statements): three times slower for a batch of 500.

    Args:
        conn: a connection inside a transaction.
        table: the table.
        rows: one dict per row, keyed by column name, values ready for the driver (aware UTC
            datetimes, UUIDs, bytes).
        conflict_columns: the unique columns that make a row "already there".
        returning: the column to return for inserted rows.
    """
    if not rows:
        return []
    stmt = dialect_insert(conn, table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    stmt = stmt.returning(table.c[returning])
    if conn.dialect.name != "postgresql":
        return list(conn.execute(stmt, rows).scalars())
    columns = tuple(rows[0])
    key = (table.name, columns, returning)
    sql = _PG_SQL_CACHE.get(key)
    if sql is None:
        single = stmt.values({c: bindparam(c, type_=table.c[c].type) for c in columns})
        sql = str(single.compile(dialect=conn.dialect))
        _PG_SQL_CACHE[key] = sql
    times = [c for c in columns if isinstance(table.c[c].type, UTCDateTime)]
    values = rows
    if times:  # refuse naive datetimes, as the column type does for SQLAlchemy statements
        utc = UTCDateTime()
        values = [
            {**row, **{c: utc.process_bind_param(row[c], _PG_DIALECT) for c in times}}
            for row in rows
        ]
    out: list[Any] = []
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.executemany(sql, values, returning=True)
        while True:
            out.extend(r[0] for r in cur.fetchall())
            if not cur.nextset():
                break
    return out


#: Ids per ``IN (...)`` list: well under SQLite's bound on a statement's parameters.
IN_CHUNK = 500


def chunked(items: Sequence[_T], size: int = IN_CHUNK) -> Iterator[Sequence[_T]]:
    """``items`` ``size`` at a time (for ``IN (...)`` lists of ids)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def column_in(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(array)``, a single parameter.

    SQLAlchemy's IN renders one parameter per value, which psycopg would re-parse on every call.

    Args:
        conn: the connection that will run the query.
        column: a table column.
        values: the values to match.
    """
    if conn.dialect.name == "postgresql" and values:
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(list(values))


def is_sqlite(engine_or_dialect: Engine | Dialect) -> bool:
    """Whether an engine (or dialect) is SQLite."""
    dialect = (
        engine_or_dialect.dialect if isinstance(engine_or_dialect, Engine) else engine_or_dialect
    )
    return dialect.name == "sqlite"


def utc_of(value: datetime) -> datetime:
    """``value`` in UTC; a naive value is refused (its zone is unknown) with ``ValueError``,
    the one check every way of writing a UTC column goes through."""
    if value.utcoffset() is None:
        raise ValueError("naive datetime given to a UTC column")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC date-time on both backends.

    PostgreSQL stores ``timestamptz``. SQLite has no time zones: values are stored as naive UTC
    text of fixed width, so they sort and compare correctly, and come back aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; refuse naive values (their zone is unknown)."""
        if value is None:
            return None
        value = utc_of(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# SQLAlchemy's dialect constructors carry no annotations (a gap in its typing).
_PG_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
