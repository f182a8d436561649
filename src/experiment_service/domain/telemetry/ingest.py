"""Storing spans as producers send them, and keeping their sessions' runs in step.

Exports that arrive together are written together (group commit): the requests that come in
while one transaction commits form the next one, so many small exports (one span each, as
simple span processors send them) cost one transaction, not one each. Each request still gets
its own answer: the spans of its own that could not be stored.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

from experiment_service.domain.clock import utcnow
from experiment_service.domain.pricing import PriceTable
from experiment_service.domain.telemetry.attributes import (
    NO_PRICES,
    UnreadableSpan,
    session_of,
    span_values,
)
from experiment_service.domain.telemetry.model import ReceivedSpan
from experiment_service.domain.telemetry.runs import sync_session_runs
from experiment_service.domain.validation import Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.types import RowValues

# A transaction takes waiting exports until it holds about this many spans.
MAX_SPANS_PER_TRANSACTION = 2000


@dataclass
class _Export:
    workspace: str
    spans: list[ReceivedSpan]
    errors: list[str]
    done: asyncio.Future[list[str]]


class TelemetryIngest:
    def __init__(self, database: Database, prices: PriceTable = NO_PRICES) -> None:
        self._db = database
        self._prices = prices
        self._waiting: list[_Export] = []
        self._writer: asyncio.Task[None] | None = None

    async def ingest(
        self, workspace: str, spans: list[ReceivedSpan], unreadable: list[str]
    ) -> list[str]:
        """Store the spans; returns one sentence per span that could not be stored
        (`unreadable` ones, found while decoding, first)."""
        violations = Violations()
        violations.name("workspace", workspace)
        violations.raise_if_any()
        if not spans:
            return list(unreadable)
        done: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Export(workspace, spans, list(unreadable), done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        return await done

    async def _write_waiting(self) -> None:
        while self._waiting:
            taken, spans = 0, 0
            while taken < len(self._waiting) and (
                taken == 0 or spans + len(self._waiting[taken].spans) <= MAX_SPANS_PER_TRANSACTION
            ):
                spans += len(self._waiting[taken].spans)
                taken += 1
            batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
            try:
                async with self._db.transaction(write=True) as session:
                    by_workspace: dict[str, list[_Export]] = defaultdict(list)
                    for export in batch:
                        by_workspace[export.workspace].append(export)
                    for workspace, exports in sorted(by_workspace.items()):
                        await _store(session, workspace, exports, self._prices)
            except Exception as error:  # every request of the batch gets the failure
                for export in batch:
                    if not export.done.done():
                        export.done.set_exception(error)
                continue
            for export in batch:
                if not export.done.done():
                    export.done.set_result(export.errors)


async def _store(
    session: Transaction, workspace: str, exports: list[_Export], prices: PriceTable
) -> None:
    """Store the exports' spans of one workspace in the caller's transaction, adding the
    sentences about spans that cannot be stored to their exports' errors.

    A span's session is the one it names, else the one another span of its trace names (in
    these exports or stored), else its trace's own; when a trace's session becomes known, its
    spans stored so far move there.
    """
    # Exporters retry: the last copy of a span wins, as a later request would.
    latest: dict[tuple[str, str], tuple[ReceivedSpan, _Export]] = {}
    for export in exports:
        for span in export.spans:
            latest[(span.trace_id, span.span_id)] = (span, export)
    named: dict[str, str] = {}
    for span, _ in latest.values():
        try:
            session_id = session_of(span)
        except UnreadableSpan:  # reported with the span below
            continue
        if session_id is not None:
            named.setdefault(span.trace_id, session_id)
    traces = sorted({trace_id for trace_id, _ in latest})
    now = utcnow()
    await queries.telemetry.lock_traces(session, workspace, traces)
    stored = await queries.telemetry.sessions_of_traces(session, workspace, traces)
    affected = {session_id for _, session_id in stored}
    stored_named = {trace: sid for trace, sid in stored if sid != trace}
    rows: list[RowValues] = []
    for span, export in latest.values():
        trace = span.trace_id
        try:
            session_id = session_of(span) or named.get(trace) or stored_named.get(trace) or trace
            rows.append(span_values(span, workspace, session_id, now, prices))
        except UnreadableSpan as error:
            export.errors.append(f"Span {span.span_id} of trace {trace} was not stored: {error}.")
    unnamed_stored = {trace for trace, sid in stored if sid == trace}
    for trace, session_id in named.items():
        if trace in unnamed_stored:
            await queries.telemetry.move_unnamed_spans(session, workspace, trace, session_id)
    await queries.telemetry.upsert_spans(session, rows)
    affected.update(row["session_id"] for row in rows)
    await sync_session_runs(session, workspace, affected, now)
