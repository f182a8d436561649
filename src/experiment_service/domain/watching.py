"""Watching an experiment: its state at once, then again whenever it changes.

A watcher reads a cheap change marker of the experiment (status, progress, the runs version
that every write of runs moves on) and builds a full snapshot, in the same transaction, only
when the marker moved, so a burst of results is one event, and a slow reader only delays its
own next read: watchers read, they never hold up writers. It reads the marker again as soon as
this process commits a write (at most every COALESCE_SECONDS, which gathers a burst of writes
into one event), and at least every POLL_SECONDS, which is how changes written by another
replica reach it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

State = TypeVar("State")

POLL_SECONDS = 0.1
# Writes are left to gather this long between two reads of the marker.
COALESCE_SECONDS = 0.02
# An unchanged state is sent again this often, so that proxies and clients see a live stream.
KEEPALIVE_SECONDS = 15.0


class Writes(Protocol):
    """Where a watcher learns of this process's writes (the database handle)."""

    writes: int

    async def wait_for_write(self, seen: int, longest: float) -> None: ...


# What a watcher reads: given the marker of the state sent last, the current marker and state,
# or None while the marker is unchanged (one read of the database either way).
Read = Callable[[Hashable], Awaitable[tuple[Hashable, State] | None]]


async def watch(
    writes: Writes, read: Read[State], finished: Callable[[State], bool]
) -> AsyncIterator[State]:
    """States of one experiment: the first at once, then one per change of its marker, until
    `finished` says the last one is final (never, for experiments that do not finish)."""
    last: Hashable = object()
    sent_at = 0.0
    while True:
        seen = writes.writes
        stale = time.monotonic() - sent_at >= KEEPALIVE_SECONDS
        found = await read(object() if stale else last)
        if found is not None:
            last, state = found
            yield state
            sent_at = time.monotonic()
            if finished(state):
                return
        # At most one read per COALESCE_SECONDS, however busy the process is.
        await asyncio.sleep(COALESCE_SECONDS)
        await writes.wait_for_write(seen, POLL_SECONDS - COALESCE_SECONDS)


class Broadcasts:
    """One poller per watched experiment in this process, shared by all of its watchers: ten
    watchers cost the database what one does. A watcher gets the latest state at once, then
    each newer one; a slow watcher skips the states it was too slow for."""

    def __init__(self, writes: Writes) -> None:
        self._writes = writes
        self._shared: dict[Hashable, _Shared[Any]] = {}

    def watch(
        self,
        key: Hashable,
        read: Read[State],
        finished: Callable[[State], bool],
    ) -> AsyncIterator[State]:
        shared = self._shared.get(key)
        if shared is None or shared.closed:
            states = watch(self._writes, read, finished)
            shared = _Shared(states, lambda: self._drop(key))
            self._shared[key] = shared
        return shared.subscribe()

    def _drop(self, key: Hashable) -> None:
        self._shared.pop(key, None)


class _Shared(Generic[State]):
    """A poller's states, handed to every subscriber."""

    def __init__(self, states: AsyncIterator[State], on_idle: Callable[[], None]) -> None:
        self._states = states
        self._on_idle = on_idle
        self._changed = asyncio.Condition()
        self._latest: State | None = None
        self._version = 0
        self._error: BaseException | None = None
        self._done = False
        self._subscribers = 0
        self.closed = False
        self._task = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        try:
            async for state in self._states:
                async with self._changed:
                    self._latest, self._version = state, self._version + 1
                    self._changed.notify_all()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # handed to the subscribers, who raise it
            self._error = error
        async with self._changed:
            self._done = True
            self._changed.notify_all()

    def _has_news(self, seen: int) -> bool:
        return self._version > seen or self._done

    async def subscribe(self) -> AsyncIterator[State]:
        self._subscribers += 1
        seen = 0
        try:
            while True:
                async with self._changed:
                    await self._changed.wait_for(partial(self._has_news, seen))
                    fresh = self._version > seen
                    seen, state = self._version, self._latest
                if fresh:
                    assert state is not None
                    yield state
                elif self._done:
                    if self._error is not None:
                        raise self._error
                    return
        finally:
            self._subscribers -= 1
            if self._subscribers == 0:
                self.closed = True
                self._task.cancel()
                self._on_idle()
