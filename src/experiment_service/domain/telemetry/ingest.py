"""Storing spans as producers send them, and keeping their sessions' runs in step."""

from __future__ import annotations

from experiment_service.domain.clock import utcnow
from experiment_service.domain.telemetry.attributes import UnreadableSpan, session_of, span_values
from experiment_service.domain.telemetry.model import ReceivedSpan
from experiment_service.domain.telemetry.runs import sync_session_runs
from experiment_service.domain.validation import Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database
from experiment_service.types import RowValues


class TelemetryIngest:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def ingest(
        self, workspace: str, spans: list[ReceivedSpan], unreadable: list[str]
    ) -> list[str]:
        """Store the spans in one transaction; returns one sentence per span that could not
        be stored (`unreadable` ones, found while decoding, first).

        A span's session is the one it names, else the one another span of its trace names
        (in this request or stored), else its trace's own; when a trace's session becomes
        known, its spans stored so far move there.
        """
        violations = Violations()
        violations.name("workspace", workspace)
        violations.raise_if_any()
        errors = list(unreadable)
        # Exporters retry: the last copy of a span in the request wins, as a later request would.
        latest = {(span.trace_id, span.span_id): span for span in spans}
        named: dict[str, str] = {}
        for span in latest.values():
            session_id = session_of(span)
            if session_id is not None:
                named.setdefault(span.trace_id, session_id)
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            stored = await queries.telemetry.sessions_of_traces(
                session, workspace, sorted({trace_id for trace_id, _ in latest})
            )
            affected = {session_id for _, session_id in stored}
            stored_named = {trace: sid for trace, sid in stored if sid != trace}
            rows: list[RowValues] = []
            for span in latest.values():
                trace = span.trace_id
                session_id = (
                    session_of(span) or named.get(trace) or stored_named.get(trace) or trace
                )
                try:
                    rows.append(span_values(span, workspace, session_id, now))
                except UnreadableSpan as error:
                    errors.append(f"Span {span.span_id} of trace {trace} was not stored: {error}.")
            unnamed_stored = {trace for trace, sid in stored if sid == trace}
            for trace, session_id in named.items():
                if trace in unnamed_stored:
                    await queries.telemetry.move_unnamed_spans(
                        session, workspace, trace, session_id
                    )
            await queries.telemetry.upsert_spans(session, rows)
            affected.update(row["session_id"] for row in rows)
            await sync_session_runs(session, workspace, affected, now)
        return errors
