"""Bulk writes on PostgreSQL, a statement per batch instead of a row at a time.

psycopg's pipelined ``executemany`` still handles every row in Python (about 25 µs a row here);
these send a whole batch at once:

- :func:`copy_rows`: ``COPY ... FROM STDIN (FORMAT BINARY)`` for rows known to be new (the
  signature facts of signatures inserted in the same transaction).
- :func:`insert_new`: rows that may already be stored (a retried batch). First a ``COPY`` inside
  a savepoint, which is what nearly every batch needs (sent once, all new): about two thirds of
  the database's CPU of the statement below and half of the client's. Only when that meets a row
  already there (a unique violation: a retry, or another push of the same ids in flight) does
  it roll back to the savepoint and run :func:`insert_new_returning_unnest`: one ``INSERT ...
  SELECT * FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING``.

And on SQLite, :func:`sqlite_insert_rows`: the driver's ``executemany`` of a plain ``INSERT`` for
rows known to be new (SQLAlchemy's multi-row ``INSERT ... RETURNING`` builds and parses a
statement of thousands of parameters and a dict a row: about half of a push's time there).

Both run in the caller's transaction on its connection. Naive datetimes are refused, as the
:class:`kiosk.server.db.UTCDateTime` column type refuses them in SQLAlchemy statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Uuid,
)

from kiosk.server.db import UTCDateTime, utc_of

# Most specific first: BigInteger and SmallInteger are Integers, Text is a String.
_PG_TYPES: tuple[tuple[type, str], ...] = (
    (UTCDateTime, "timestamptz"),
    (Uuid, "uuid"),
    (BigInteger, "int8"),
    (SmallInteger, "int2"),
    (Integer, "int4"),
    (Boolean, "bool"),
    (LargeBinary, "bytea"),
    (String, "text"),
)


def pg_type(table: Table, column: str) -> str:
    """The PostgreSQL type name a column's values are sent as (``text`` for every string
    column: the server still applies the column's own length limit)."""
    kind = table.c[column].type
    for cls, name in _PG_TYPES:
        if isinstance(kind, cls):
            return name
    raise TypeError(f"no bulk type for {table.name}.{column} ({kind!r})")


def _refuse_naive(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    for i, c in enumerate(columns):
        if isinstance(table.c[c].type, UTCDateTime):
            for row in rows:
                v = row[i]
                if isinstance(v, datetime):
                    utc_of(v)  # raises for a naive one


#: How SQLAlchemy's SQLite ``DATETIME`` writes a time (its default storage format), which
#: :func:`_sqlite_utc_text` writes by ``datetime.isoformat`` instead.
_SQLITE_DATETIME_FORMAT = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


def _sqlite_utc_text(value: datetime | None) -> str | None:
    """What :class:`kiosk.server.db.UTCDateTime` and SQLite's ``DATETIME`` bind processors
    together make of a time (naive UTC text, microseconds always written), in one C call
    instead of two Python ones: a pushed signature carries two times, its facts more."""
    if value is None:
        return None
    return utc_of(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_processor(kind: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The bind processor of a column type on SQLite (the fast one for a UTC time column
    stored in SQLAlchemy's default format)."""
    impl = kind.dialect_impl(dialect)
    if (
        isinstance(kind, UTCDateTime)
        and getattr(impl.impl, "_storage_format", None) == _SQLITE_DATETIME_FORMAT
    ):
        return _sqlite_utc_text
    proc: Callable[[Any], Any] | None = impl.bind_processor(dialect)
    return proc


def _driver(conn: Connection) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


def copy_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``COPY table (columns) FROM STDIN`` (binary) of ``rows`` (tuples in ``columns`` order).

    Args:
        conn: a PostgreSQL connection inside a transaction.
        table: the table.
        columns: the column names, in the order of each row's values.
        rows: the rows.
    """
    if not rows:
        return
    _refuse_naive(table, columns, rows)
    types = [pg_type(table, c) for c in columns]
    with (
        _driver(conn).cursor() as cur,
        cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


_SQL: dict[tuple[str, tuple[str, ...], tuple[str, ...], str], str] = {}

_SQLITE: dict[tuple[str, tuple[str, ...]], tuple[str, list[tuple[int, Any]]]] = {}


def sqlite_insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """A plain ``INSERT`` of ``rows`` (tuples in ``columns`` order) by the driver's
    ``executemany``, each value converted by its column type's own bind processor (so stored
    exactly as a SQLAlchemy insert stores it: UUIDs as hex, aware times as naive UTC text; naive
    times refused).

    For rows known to be new (looked up in the same write transaction, which on SQLite holds the
    write lock from ``BEGIN IMMEDIATE``): a row that exists after all raises the driver's
    ``sqlite3.IntegrityError``; it is never skipped silently.

    Args:
        conn: a SQLite connection inside a transaction.
        table: the table.
        columns: the column names, in the order of each row's values.
        rows: the rows.
    """
    if not rows:
        return
    key = (table.name, tuple(columns))
    cached = _SQLITE.get(key)
    if cached is None:
        dialect = conn.dialect
        processors = []
        for i, c in enumerate(columns):
            proc = _sqlite_processor(table.c[c].type, dialect)
            if proc is not None:
                processors.append((i, proc))
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        cached = _SQLITE[key] = (sql, processors)
    sql, processors = cached
    if processors:
        values: list[Sequence[Any]] = []
        for row in rows:
            out = list(row)
            for i, proc in processors:
                out[i] = proc(out[i])
            values.append(out)
    else:
        values = list(rows)
    cur = _driver(conn).cursor()
    try:
        cur.executemany(sql, values)
    finally:
        cur.close()


def insert_new(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_columns: tuple[str, ...],
    returning: str,
    try_copy: bool = True,
) -> list[Any]:
    """Insert the rows not stored yet; return the ``returning`` value of each row inserted now.

    ``COPY`` of the whole batch in a savepoint; if a row is already there (PostgreSQL refuses
    the ``COPY`` with a unique violation, and its server log says so), the savepoint is rolled
    back and :func:`insert_new_returning_unnest` stores the rest. Without ``try_copy`` (rows
    known to be stored in part), straight to that. Either way the caller's
    transaction goes on, and rows sorted in one order (as the caller sorts them) lock in that
    order on both paths.

    Args:
        conn: a PostgreSQL connection inside a transaction.
        table: the table.
        columns: the column names, in the order of each row's values.
        rows: the rows (no two with the same conflict key).
        conflict_columns: the unique columns that make a row "already there".
        returning: the column to return for the rows inserted.
    """
    if not rows:
        return []
    if not try_copy:
        return insert_new_returning_unnest(conn, table, columns, rows, conflict_columns, returning)
    try:
        with conn.begin_nested():
            copy_rows(conn, table, columns, rows)
    except psycopg.errors.UniqueViolation:
        return insert_new_returning_unnest(conn, table, columns, rows, conflict_columns, returning)
    at = list(columns).index(returning)
    return [row[at] for row in rows]


def insert_new_returning_unnest(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_columns: tuple[str, ...],
    returning: str,
) -> list[Any]:
    """``INSERT ... SELECT * FROM unnest(...) ON CONFLICT (conflict_columns) DO NOTHING
    RETURNING returning``: one statement (prepared once per connection) for the whole batch.

    Args:
        conn: a PostgreSQL connection inside a transaction.
        table: the table.
        columns: the column names, in the order of each row's values.
        rows: the rows (no two with the same conflict key: PostgreSQL would refuse the batch).
        conflict_columns: the unique columns that make a row "already there".
        returning: the column to return for the rows inserted.

    Returns:
        The ``returning`` value of each row inserted now.
    """
    if not rows:
        return []
    _refuse_naive(table, columns, rows)
    key = (table.name, tuple(columns), conflict_columns, returning)
    sql = _SQL.get(key)
    if sql is None:
        arrays = ", ".join(f"%b::{pg_type(table, c)}[]" for c in columns)
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(conflict_columns)}) DO NOTHING RETURNING {returning}"
        )
        _SQL[key] = sql
    params = [list(values) for values in zip(*rows, strict=True)]
    with _driver(conn).cursor() as cur:
        cur.execute(sql, params, prepare=True)
        return [r[0] for r in cur.fetchall()]
