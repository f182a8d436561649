"""Watching an experiment: its state at once, then again whenever it changes.

A watcher polls a cheap change marker of the experiment (status, progress, the runs version
that every write of runs moves on) and builds a full snapshot only when the marker moved, so a
burst of results is one event, changes written by another replica are seen too, and a slow
reader only delays its own next poll: watchers read, they never hold up writers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import TypeVar

State = TypeVar("State")

POLL_SECONDS = 0.1
# An unchanged state is sent again this often, so that proxies and clients see a live stream.
KEEPALIVE_SECONDS = 15.0


async def watch(
    marker: Callable[[], Awaitable[Hashable]],
    snapshot: Callable[[], Awaitable[State]],
    finished: Callable[[State], bool],
) -> AsyncIterator[State]:
    """Snapshots of one experiment: the first at once, then one per change of `marker`, until
    `finished` says the last one is final (never, for experiments that do not finish)."""
    last: Hashable = object()
    sent_at = 0.0
    while True:
        current = await marker()
        if current != last or time.monotonic() - sent_at >= KEEPALIVE_SECONDS:
            last = current
            state = await snapshot()
            yield state
            sent_at = time.monotonic()
            if finished(state):
                return
        await asyncio.sleep(POLL_SECONDS)
