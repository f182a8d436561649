"""SQLite write-ahead-log checkpoints, run beside the writers instead of inside them.

With automatic checkpoints, the commit that crosses the threshold copies the log back into the
database file (and syncs it) before it returns: about 7 ms on a 1000-session ingest. The
connections therefore run with `wal_autocheckpoint=0`, and this task checkpoints shortly after
writes, from a pooled connection whose driver thread does the copying while the event loop goes
on serving.

A checkpoint copies the log while writers go on appending to it, so under steady writes it never
quite catches up, and a log is only started over (its file cut back to `journal_size_limit`)
once it has been copied completely. So when the log file has grown past RESTART_LOG_BYTES, a
second pass holds this process's write lock and copies what was appended meanwhile; the next
write then starts the log over. Without it the log would grow without bound, and reads through a
large log get slow.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

# How long writes may accumulate before a checkpoint: long enough to copy many commits at once,
# short enough that little of the log is left to read through.
CHECKPOINT_DELAY_SECONDS = 0.25
# The log file size at which the second pass (under the write lock) runs, letting the log start
# over; below it, writers are never held up by checkpoints.
RESTART_LOG_BYTES = 32 << 20


class WalCheckpointer:
    def __init__(
        self,
        engine: AsyncEngine,
        writer_lock: asyncio.Lock,
        delay: float = CHECKPOINT_DELAY_SECONDS,
    ) -> None:
        self._engine = engine
        self._writer_lock = writer_lock
        self._delay = delay
        self._written = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._page_size: int | None = None

    def written(self) -> None:
        """Note a committed write; a checkpoint follows within the delay."""
        self._written.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="sqlite-wal-checkpoints")

    async def _run(self) -> None:
        while True:
            await self._written.wait()
            await asyncio.sleep(self._delay)
            self._written.clear()
            try:
                await self.checkpoint()
            except Exception:  # the next write tries again; the log only grows meanwhile
                log.warning("WAL checkpoint failed", exc_info=True)

    async def checkpoint(self) -> None:
        async with self._engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            # PASSIVE: never waits for readers, so a long read cannot stall the writers here.
            [(_, log_pages, _)] = await driver.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
            if self._page_size is None:  # fixed once the database exists
                [(self._page_size,)] = await driver.execute_fetchall("PRAGMA page_size")
            if log_pages * self._page_size >= RESTART_LOG_BYTES:
                async with self._writer_lock:
                    await driver.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def stop(self) -> None:
        """Stop, after one last checkpoint if writes are pending."""
        if self._task is None:
            return
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        if self._written.is_set():
            await self.checkpoint()
