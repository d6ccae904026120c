"""Shared pieces of the table definitions: the metadata, column types and statement
helpers (`aad`, `insert_or_skip`, `new_id`, `ids_in`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    Table,
    any_,
    bindparam,
)
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.sql import ColumnElement, Executable
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite (which stores naive) and PG."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)


Id = BigInteger().with_variant(Integer(), "sqlite")
Ts = UtcDateTime


def aad(table: Table, column: str) -> str:
    """Associated data binding a ciphertext to its column."""
    return f"{table.name}.{column}"


def insert_or_skip(conn: Connection, table: Table) -> PgInsert | SqliteInsert:
    """An INSERT that can take ON CONFLICT (DO NOTHING / DO UPDATE), in the connection's
    dialect: the two databases spell the same statement with different classes."""
    return pg_insert(table) if conn.dialect.name == "postgresql" else sqlite_insert(table)


def upsert_statement(
    table: Table, finish: Callable[[PgInsert | SqliteInsert], Executable]
) -> Callable[[Connection], Executable]:
    """An INSERT .. ON CONFLICT into `table` (`finish` adds the clause), built once per
    dialect, on first use with a connection of it: hot statements are built once."""
    built: dict[str, Executable] = {}

    def for_connection(conn: Connection) -> Executable:
        stmt = built.get(conn.dialect.name)
        if stmt is None:
            stmt = built[conn.dialect.name] = finish(insert_or_skip(conn, table))
        return stmt

    return for_connection


def new_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT just assigned."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("INSERT returned no primary key")
    return int(key[0])


def ids_in(conn: Connection, column: ColumnElement[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids`, for a read of many cases at once (the live queue). On PostgreSQL the ids
    go as one array parameter (`= ANY(...)`): the statement is the same whatever their number,
    so neither SQLAlchemy nor psycopg re-renders and re-parses a statement of hundreds of
    placeholders (about 3 ms a query with 500); SQLite takes an IN list."""
    values = list(ids)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(BigInteger)))
    return column.in_(values)
