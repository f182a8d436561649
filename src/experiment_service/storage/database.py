"""The database handle: engine, transactions and start-up migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeAlias

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Result, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState
from sqlalchemy.util import await_

from experiment_service.storage.checkpoints import WalCheckpointer
from experiment_service.storage.migrate import upgrade_to_head

log = logging.getLogger(__name__)

_WRITE = "experiment_service_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Every SQLite connection's settings: write-ahead log (readers never block the writer), no
# fsync per commit (a crash may lose the last commits, never consistency), enforced foreign keys,
# checkpoints left to the background checkpointer.
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    # Checkpoints run beside the writers (storage/checkpoints.py), not inside their commits.
    "wal_autocheckpoint=0",
    f"journal_size_limit={64 << 20}",
    f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
)
MIGRATION_LOCK_KEY = 0x6578_7073  # any constant shared by all replicas


# What `Database.transaction()` yields and every query in `storage/queries/` takes: the domain
# passes it through without touching it, so only storage knows it is a SQLAlchemy session.
Transaction: TypeAlias = AsyncSession


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (its cursor's rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


# Set while a request that breaks its declared field rules runs only so that the domain can
# name its own problems too (servicers/request_rules.py): nothing it writes is committed.
WRITES_REFUSED: ContextVar[bool] = ContextVar("writes_refused", default=False)


class WritesRefused(Exception):
    """A write was to be committed while WRITES_REFUSED was set; it was rolled back."""


def _refuse_refused_writes() -> None:
    if WRITES_REFUSED.get():
        raise WritesRefused()


class UniqueViolation(Exception):
    """A write hit a unique constraint: another row already holds the key."""


class StorageUnavailable(Exception):
    """The database cannot be reached or is too busy right now; the call may be retried."""


class DatabaseUnusable(Exception):
    """A database URL that cannot be used at all (malformed, unknown driver, unreachable at
    start-up), said in one line that names the URL without its password."""


def _hide_password(url: str) -> str:
    """A URL that make_url could not read, with whatever sits between '//user:' and '@'
    hidden."""
    return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


class Database:
    """One engine per process; every unit of work is one transaction."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        pool_timeout: float = 30.0,
        echo: bool = False,
    ) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as error:
            raise DatabaseUnusable(
                f"cannot use database '{_hide_password(url)}': {_first_line(error)}"
            ) from None
        # The URL as logs and commands may show it: password hidden, SQLite's file absolute.
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            parsed = parsed.set(database=str(Path(parsed.database).resolve()))
        self.display_url = parsed.render_as_string(hide_password=True)
        self.dialect = parsed.get_backend_name()
        self.is_sqlite = self.dialect == "sqlite"
        options: dict[str, Any] = {
            "echo": echo,
            "pool_pre_ping": not self.is_sqlite,
            # JSON columns are written per row on every ingest; orjson is ~10x json.dumps.
            "json_serializer": _dump_json,
            "json_deserializer": _load_json,
        }
        if self.is_sqlite:
            try:
                _ensure_parent_dir(parsed.database)
            except OSError as error:
                raise DatabaseUnusable(
                    f"cannot use database '{self.display_url}': {_first_line(error)}"
                ) from None
            # Every unit of work ends in commit or rollback; `_configure_sqlite` rolls back only
            # a connection that still holds a transaction (see `on_reset`).
            options["pool_reset_on_return"] = None
            options["pool_use_lifo"] = True
        else:
            options.update(pool_size=pool_size, max_overflow=pool_size, pool_timeout=pool_timeout)
        try:
            self.engine: AsyncEngine = create_async_engine(url, **options)
        except (ArgumentError, ImportError) as error:
            raise DatabaseUnusable(
                f"cannot use database '{self.display_url}': {_first_line(error)}"
            ) from None
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time and its busy handler waits by sleeping; queueing this
        # process's writers here instead hands the lock over as soon as it is free.
        self._sqlite_writer = asyncio.Lock() if self.is_sqlite else None
        self._statement_connection: AsyncConnection | None = None
        self._checkpoints = (
            WalCheckpointer(self.engine, self._sqlite_writer)
            if self._sqlite_writer is not None
            else None
        )
        # Write transactions of this process committed so far, and an event set by the next:
        # watchers wake on a local write at once instead of waiting for their next poll.
        self.writes = 0
        self._next_write = asyncio.Event()

    @asynccontextmanager
    async def transaction(self, *, write: bool = False) -> AsyncIterator[Transaction]:
        """A session in one transaction: committed on success, rolled back on any error.

        On SQLite a write transaction takes the write lock up front (BEGIN IMMEDIATE), so two
        read-then-write transactions queue on the busy timeout instead of failing mid-way.
        A unique-constraint failure surfaces as `UniqueViolation`.
        """
        async with _unavailable_on_outage():
            if write and self._sqlite_writer is not None:
                async with self._sqlite_writer:
                    async with self._unit_of_work(write=True) as session:
                        yield session
                self._written()
            else:
                async with self._unit_of_work(write=write) as session:
                    yield session
                if write:
                    self._written()

    @asynccontextmanager
    async def single_statement_write(self) -> AsyncIterator[AsyncConnection]:
        """A connection outside any transaction, for a write that is one statement: the
        statement is atomic and commits on its own. Skipping BEGIN and COMMIT saves two thread
        hand-offs on SQLite and two round trips on PostgreSQL per write."""
        _refuse_refused_writes()
        if self._sqlite_writer is not None:
            # SQLite: one connection kept for these writes (a local file's connection does not
            # go stale), so a write is the statement's one hand-off, without a pool checkout.
            async with _unavailable_on_outage(), self._sqlite_writer:
                if self._statement_connection is None:
                    self._statement_connection = await self.engine.connect()
                yield self._statement_connection
            self._written()
            return
        async with _unavailable_on_outage(), self.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection
        self._written()

    def _written(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.written()
        self.writes += 1
        written, self._next_write = self._next_write, asyncio.Event()
        written.set()

    async def wait_for_write(self, seen: int, longest: float) -> None:
        """Return once this process has committed a write since `seen` (a value of `writes`),
        or after `longest` seconds: writes of other processes are only seen by polling."""
        if self.writes != seen:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._next_write.wait(), longest)

    @asynccontextmanager
    async def _unit_of_work(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            await session.connection(execution_options={_WRITE: write})
            try:
                yield session
                # Refused at commit, not at BEGIN: the domain's checks inside the transaction
                # have run by now, and named their problems if they found any.
                _refuse_refused_writes()
                await session.commit()
            except IntegrityError as error:
                await session.rollback()
                if _is_unique_violation(error):
                    raise UniqueViolation(str(error.orig)) from error
                raise
            except BaseException:
                await session.rollback()
                raise

    async def migrate(self) -> None:
        """Upgrade the schema to head. On PostgreSQL, replicas starting together take turns
        (a transaction-scoped advisory lock), so one migrates and the others find it done."""
        try:
            connection = await self.engine.connect()
        except (OSError, DBAPIError, TimeoutError) as error:
            raise DatabaseUnusable(
                f"cannot reach database '{self.display_url}': {_first_line(error)}"
            ) from None
        try:
            if self.dialect == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            await connection.run_sync(upgrade_to_head)
            await connection.commit()
        finally:
            await connection.close()

    async def close(self) -> None:
        if self._checkpoints is not None:
            await self._checkpoints.stop()
        if self._statement_connection is not None:
            await self._statement_connection.close()
            self._statement_connection = None
        await self.engine.dispose()


def _dump_json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _load_json(value: Any) -> Any:
    # SQLite gives a column declared JSON numeric affinity: a top-level JSON number is stored,
    # and read back, as a number.
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _ensure_parent_dir(database: str | None) -> None:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


@asynccontextmanager
async def _unavailable_on_outage() -> AsyncIterator[None]:
    try:
        yield
    except OperationalError as error:
        if not _is_outage(error):
            raise
        raise StorageUnavailable(f"Database unavailable: {error}") from error
    except (InterfaceError, PoolTimeout, TimeoutError, OSError) as error:
        raise StorageUnavailable(f"Database unavailable: {error}") from error
    except DBAPIError as error:
        if error.connection_invalidated:
            raise StorageUnavailable(f"Database connection lost: {error}") from error
        raise


# SQLite's primary result code for a statement it cannot run (no such table, a syntax error).
_SQLITE_ERROR = 1


def _is_outage(error: OperationalError) -> bool:
    """SQLite reports a statement it cannot run with the same exception class as a database it
    cannot reach (busy, locked, I/O, cannot open); only the latter is worth a retry."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return not isinstance(code, int) or code & 0xFF != _SQLITE_ERROR


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver must not open transactions itself: `on_begin` decides how they start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    # Each aiosqlite call is a hand-off to its worker thread (~0.1 ms): BEGIN goes to the driver
    # in one call rather than SQLAlchemy's cursor open/execute/close, and a connection going
    # back to the pool is rolled back only when a transaction is still open on it.
    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, True)
        driver = connection.connection.driver_connection
        assert driver is not None  # a checked-out connection always has its driver's
        await_(driver.execute("BEGIN IMMEDIATE" if write else "BEGIN"))

    @event.listens_for(engine.sync_engine, "reset")
    def on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        if state.asyncio_safe and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()


def _is_unique_violation(error: IntegrityError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return "UNIQUE constraint failed" in str(error.orig)
