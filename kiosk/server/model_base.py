"""The declarative base every server table derives from (the server's own in
:mod:`kiosk.server.models`, forwarding's in :mod:`kiosk.server.forwarding.models`), kept apart so
that a package's tables can register in the one metadata without importing the other's."""

from __future__ import annotations

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention (stable constraint names for migrations)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as the ``Table`` it is (SQLAlchemy types ``__table__`` as any
    ``FromClause``; a declarative model's is always a ``Table``).

    Raises:
        TypeError: the model is not mapped to a table.
    """
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table
