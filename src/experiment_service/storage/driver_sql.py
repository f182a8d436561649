"""Statements written at the driver level, for the hot paths of ingestion and creation.

SQLAlchemy's executemany sends every parameter of every row through its type machinery
(bind processors, per-row parameter construction): about 20 us per `runs` row, twice what
SQLite needs to store it. And on SQLite each statement through SQLAlchemy's asyncio adapter
costs four hand-offs to the driver's thread (cursor, execute, fetch, close) where one would do.
So the tables that ingestion fills are written here: each row is encoded once, by a plan built
per (table, columns, dialect), into one multi-row `INSERT ... VALUES (...), (...)` per chunk;
and the few small statements of every ingest run here too. The encodings are the ones the
column types bind (`UTCDateTime`, JSON through the engine's serializer), so rows written here
read back exactly like rows written through SQLAlchemy; tests/test_driver_sql.py compares them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from experiment_service.storage.tables import UTCDateTime

# Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 32,767.
MAX_PARAMETERS = 30_000

Encoder = Callable[[Any], Any]


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What `UTCDateTime` binds on SQLite: naive UTC in SQLAlchemy's storage format
    (`YYYY-MM-DD HH:MM:SS.ffffff`, microseconds always written so text order is time order)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:-6]  # without the "+00:00"


class _LastValueMemo:
    """An encoder that remembers its last value: a batch's rows share their ingest time."""

    def __init__(self, encode: Encoder) -> None:
        self._encode = encode
        self._last: Any = None
        self._encoded: Any = None

    def __call__(self, value: Any) -> Any:
        if value is not self._last:
            self._last, self._encoded = value, self._encode(value)
        return self._encoded


def _aware_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def _column_encoder(column_type: Any, dialect: Dialect) -> Encoder | None:
    if isinstance(column_type, UTCDateTime):
        return _LastValueMemo(_sqlite_datetime) if dialect.name == "sqlite" else _aware_utc
    if isinstance(column_type, JSON):
        # As JSON(none_as_null=False) binds: None is stored as the JSON text 'null'.
        return dialect._json_serializer
    return None


class _InsertPlan:
    def __init__(self, table: Table, columns: tuple[str, ...], dialect: Dialect) -> None:
        self.table = table
        self.columns = columns
        self.dialect = dialect
        self.values_of = itemgetter(*columns) if len(columns) > 1 else _one(columns[0])
        self.encoders = [
            (index, encoder)
            for index, name in enumerate(columns)
            if (encoder := _column_encoder(table.c[name].type, dialect)) is not None
        ]
        self.rows_per_statement = max(1, MAX_PARAMETERS // len(columns))
        self._statements: dict[_StatementKey, str] = {}

    def encode(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The rows' parameters, flattened in statement order."""
        values_of, encoders = self.values_of, self.encoders
        encoded = []
        for row in rows:
            values = list(values_of(row))
            for index, encoder in encoders:
                values[index] = encoder(values[index])
            encoded.append(values)
        return list(chain.from_iterable(encoded))

    def statement(self, key: _StatementKey) -> str:
        sql = self._statements.get(key)
        if sql is None:
            sql = self._statements[key] = self._render(key)
        return sql

    def _render(self, key: _StatementKey) -> str:
        rows, skip_conflicts, conflict_columns, update_columns, returning = key
        quote = self.dialect.identifier_preparer.quote
        width = len(self.columns)
        if self.dialect.paramstyle == "qmark":
            groups = ["(" + ",".join("?" * width) + ")"] * rows
        else:  # numeric_dollar (asyncpg)
            groups = [
                "(" + ",".join(f"${row * width + column + 1}" for column in range(width)) + ")"
                for row in range(rows)
            ]
        sql = (
            f"INSERT INTO {quote(self.table.name)} ({', '.join(map(quote, self.columns))}) "
            f"VALUES {', '.join(groups)}"
        )
        target = f" ({', '.join(map(quote, conflict_columns))})" if conflict_columns else ""
        if update_columns:
            assignments = ", ".join(
                f"{quote(name)} = excluded.{quote(name)}" for name in update_columns
            )
            sql += f" ON CONFLICT{target} DO UPDATE SET {assignments}"
        elif skip_conflicts:
            sql += f" ON CONFLICT{target} DO NOTHING"
        if returning:
            sql += f" RETURNING {quote(returning)}"
        return sql


# (rows, skip_conflicts, conflict_columns, update_columns, returning)
_StatementKey = tuple[int, bool, tuple[str, ...], tuple[str, ...], str | None]


def _one(name: str) -> Callable[[Mapping[str, Any]], tuple[Any]]:
    return lambda row: (row[name],)


@lru_cache(maxsize=64)
def _plan(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _InsertPlan:
    return _InsertPlan(table, columns, dialect)


async def insert_rows(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_conflicts: bool = False,
    conflict_columns: tuple[str, ...] = (),
    update_columns: tuple[str, ...] = (),
    returning: str | None = None,
) -> list[Any]:
    """Insert `rows` (dicts with the same keys) on `connection`, in its transaction if any.

    With `skip_conflicts`, rows that collide with a unique index (the one on
    `conflict_columns`, or any when none are named) are left out: ON CONFLICT DO NOTHING.
    With `update_columns`, a row that collides with the unique index on `conflict_columns`
    updates those columns of the stored row instead (an upsert; `rows` must not repeat a key).
    With `returning`, that column of each inserted or updated row is returned.
    """
    if not rows:
        return []
    plan = _plan(table, tuple(rows[0]), connection.dialect)
    execute = await _executor(connection)
    returned: list[Any] = []
    step = plan.rows_per_statement
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        sql = plan.statement(
            (len(chunk), skip_conflicts, conflict_columns, update_columns, returning)
        )
        result = await execute(sql, tuple(plan.encode(chunk)))
        if returning:
            returned.extend(row[0] for row in result)
    return returned


# Keeps each IN (...) list well under every backend's bound-parameter limit.
IN_LIST_CHUNK = 500


def in_chunks(items: Sequence[str]) -> list[Sequence[str]]:
    """`items` in slices small enough for one IN (...) list each."""
    return [items[i : i + IN_LIST_CHUNK] for i in range(0, len(items), IN_LIST_CHUNK)]


async def execute(
    connection: AsyncConnection, sql: str, parameters: tuple[Any, ...] = ()
) -> list[Sequence[Any]]:
    """Run one hand-written statement (placeholders as `?`, SQL that every backend accepts)
    and return its rows as the driver gives them: no result processing."""
    if connection.dialect.paramstyle != "qmark":
        numbers = iter(range(1, len(parameters) + 1))
        sql = _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)
    run = await _executor(connection)
    return list(await run(sql, parameters))


_PLACEHOLDER = re.compile(r"\?")

Executor = Callable[[str, tuple[Any, ...]], Awaitable[Iterable[Sequence[Any]]]]


async def _executor(connection: AsyncConnection) -> Executor:
    """How to run one statement and fetch its rows on this connection.

    On SQLite every aiosqlite call is a hand-off to its worker thread (~0.1 ms), and
    SQLAlchemy's cursor makes four (open, execute, fetch, close); the driver's
    `execute_fetchall` makes one. Driver errors are raised as SQLAlchemy's, as
    SQLAlchemy would raise them, so callers handle them one way.
    """
    if connection.dialect.name != "sqlite":

        async def through_sqlalchemy(sql: str, parameters: tuple[Any, ...]) -> Any:
            result = await connection.exec_driver_sql(sql, parameters)
            return result.all() if result.returns_rows else []

        return through_sqlalchemy
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None

    async def through_driver(sql: str, parameters: tuple[Any, ...]) -> Any:
        try:
            return await driver.execute_fetchall(sql, parameters)
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, None, error, sqlite3.Error) from error

    return through_driver
