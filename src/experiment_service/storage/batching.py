"""Group commit for single-row creates.

Concurrent creates of one table are gathered and written by one multi-row
`INSERT ... ON CONFLICT DO NOTHING RETURNING id` in one transaction. The unique indexes still
decide every conflict: a row whose id does not come back lost to a live row (or to an earlier
row of the same batch) holding its unique key. When the service is idle a create is written at
once; under load, the creates that arrive while one batch commits form the next batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from experiment_service.storage.database import Database
from experiment_service.storage.driver_sql import MAX_PARAMETERS, insert_rows
from experiment_service.storage.tables import Base, table_of

MAX_BATCH_ROWS = 200


# After a batch is inserted, on the same connection: the ids, among the inserted rows, that
# need a follow-up (one query per batch instead of one per row).
Probe = Callable[[AsyncConnection, list[dict[str, Any]]], Awaitable[set[str]]]


class UniqueInsertBatcher:
    def __init__(self, database: Database, model: type[Base], probe: Probe | None = None) -> None:
        self._db = database
        self._probe = probe
        self.probed: set[str] = set()
        self._table = table = table_of(model)
        # A batch must fit one statement: it is written without a transaction around it.
        self._max_rows = min(MAX_BATCH_ROWS, MAX_PARAMETERS // len(table.columns))
        self._pending: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def insert(self, row: dict[str, Any]) -> bool:
        """Insert `row` (which carries its own `id`); False when a unique key was taken. With
        a probe, an inserted row's id is in `probed` when the probe picked it (the caller
        takes it out)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = (
                self._pending[: self._max_rows],
                self._pending[self._max_rows :],
            )
            try:
                inserted = await self._write([row for row, _ in batch])
            except Exception as error:  # every caller of the batch gets the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for row, future in batch:
                if not future.done():
                    future.set_result(row["id"] in inserted)

    async def _write(self, rows: list[dict[str, Any]]) -> set[str]:
        async with self._db.single_statement_write() as connection:
            inserted = set(
                await insert_rows(
                    connection, self._table, rows, skip_conflicts=True, returning="id"
                )
            )
            if self._probe is not None and inserted:
                self.probed |= await self._probe(
                    connection, [row for row in rows if row["id"] in inserted]
                )
            return inserted
