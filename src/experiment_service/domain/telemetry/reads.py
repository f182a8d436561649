"""Reading telemetry back: sessions, traces (root spans with rollups) and spans."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from experiment_service.domain.errors import NotFound
from experiment_service.domain.listing import Page, PageRequest, page_request, parse_sort
from experiment_service.domain.telemetry.model import (
    ERROR_PREVIEW_CHARS,
    PREVIEW_CHARS,
    Mode,
    SessionTelemetry,
    Span,
    SpanGroup,
    SpanKind,
    Trace,
    Usage,
)
from experiment_service.domain.telemetry.runs import RUN_SOURCE, session_outcome
from experiment_service.domain.validation import Violations
from experiment_service.statuses import REPORTED_RUN_STATUSES, ExperimentKind
from experiment_service.storage import queries
from experiment_service.storage.database import Database
from experiment_service.storage.queries.telemetry import SpanQuery
from experiment_service.storage.tables import RunRow, TelemetrySpanRow

MAX_PAGE_SIZE = 1000
# A detailed trace read carries at most this many spans (a response stays within gRPC's limit).
MAX_TRACE_SPANS = 10_000
DEFAULT_PAGE_SIZE = 10
TIME_SORT = ("started_at",)
GROUP_SORT = ("span_count",)
GROUP_FIELDS = ("trace_id", "session_id")


@dataclass(frozen=True)
class SpanFilter:
    """Exact span fields (column: value) and a start-time range."""

    equals: dict[str, str] = field(default_factory=dict)
    started_at_gte: datetime | None = None
    started_at_lte: datetime | None = None


@dataclass(frozen=True)
class SessionFilter:
    """A session list's filters: its experiment, exact run fields, a start-time range."""

    experiment_name: str | None = None
    equals: dict[str, str] = field(default_factory=dict)
    started_at_gte: datetime | None = None
    started_at_lte: datetime | None = None


def session_of_run(workspace: str, run: RunRow, experiment_name: str) -> SessionTelemetry:
    """A session as its run records it (spans' counts where spans made it)."""
    metadata = run.metadata_json or {}
    from_spans = metadata.get("source") == RUN_SOURCE
    return SessionTelemetry(
        id=run.session_id,
        workspace=workspace,
        started_at=run.started_at,
        ended_at=run.ended_at,
        duration_ms=run.latency_ms,
        status=run.status,
        usage=Usage(
            input_tokens=run.input_tokens,
            output_tokens=run.output_tokens,
            cost_usd=run.cost_usd,
        ),
        trace_count=int(metadata.get("trace_count", 0)) if from_spans else 0,
        span_count=int(metadata.get("span_count", 0)) if from_spans else 0,
        experiment_name=experiment_name,
        test_case_id=run.test_case_id,
    )


class TelemetryReads:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get_session(self, workspace: str, session_id: str) -> SessionTelemetry:
        async with self._db.transaction() as session:
            found = await queries.telemetry.session_spans(session, workspace, [session_id])
            if session_id not in found:
                # A session reported as a summary (`/ingest/sessions`) reads the same way.
                runs = await queries.runs.find_live_runs(
                    session, workspace, ExperimentKind.INTAKE, session_id
                )
                if not runs or runs[0][0].started_at is None:
                    raise NotFound(f"Session '{session_id}' not found in workspace '{workspace}'.")
                return session_of_run(workspace, *runs[0])
        spans = found[session_id]
        duration, status = session_outcome(spans.roots)
        return SessionTelemetry(
            id=session_id,
            workspace=workspace,
            started_at=spans.started_at,
            ended_at=spans.ended_at,
            duration_ms=duration,
            status=status,
            usage=Usage(**spans.sums),
            trace_count=spans.trace_count,
            span_count=spans.span_count,
        )

    async def list_sessions(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        where: SessionFilter,
    ) -> tuple[Page[SessionTelemetry], str]:
        """The workspace's sessions that are runs of its live experiments."""
        violations = Violations()
        request, descending, chosen = _paging(
            violations, page, page_size, sort, tuple(queries.sessions.SORT_COLUMNS)
        )
        violations.raise_if_any()
        query = queries.sessions.SessionQuery(
            workspace=workspace,
            experiment_name=where.experiment_name,
            equals=where.equals,
            started_at_gte=where.started_at_gte,
            started_at_lte=where.started_at_lte,
            sort=chosen.lstrip("-"),
            descending=descending,
            offset=request.offset,
            limit=request.page_size,
        )
        async with self._db.transaction() as session:
            rows, total = await queries.sessions.list_sessions(session, query)
        items = [session_of_run(workspace, run, name) for run, name in rows]
        return Page(items, request, total), chosen

    async def list_spans(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        mode: str,
        where: SpanFilter,
    ) -> tuple[Page[Span], str]:
        request, chosen, shown, query = _span_list(
            workspace, page, page_size, sort, mode, where, Mode.DETAILED, roots_only=False
        )
        async with self._db.transaction() as session:
            rows, total = await queries.telemetry.list_spans(session, query)
        return Page([span_of(row, shown) for row in rows], request, total), chosen

    async def get_span(self, workspace: str, span_id: str) -> Span:
        async with self._db.transaction() as session:
            row = await queries.telemetry.get_span(session, workspace, span_id)
        if row is None:
            raise NotFound(f"Span '{span_id}' not found in workspace '{workspace}'.")
        return span_of(row, Mode.DETAILED)

    async def span_groups(
        self,
        workspace: str,
        by: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        where: SpanFilter,
    ) -> tuple[Page[SpanGroup], str, list[str]]:
        violations = Violations()
        fields = [name.strip() for name in by.split(",") if name.strip()]
        if not fields or any(name not in GROUP_FIELDS for name in fields):
            violations.add(
                "by",
                f"Invalid group-by parameter '{by}': one or more of "
                + ", ".join(GROUP_FIELDS)
                + ", comma-separated",
                "enum",
            )
        request, descending, chosen = _paging(
            violations, page, page_size, sort, GROUP_SORT, default="-span_count"
        )
        _check_filter(violations, where)
        violations.raise_if_any()
        fields = list(dict.fromkeys(fields))
        query = _query(workspace, where, request, descending)
        async with self._db.transaction() as session:
            groups, total = await queries.telemetry.span_groups(session, query, fields)
        page_of = Page([SpanGroup(group, count) for group, count in groups], request, total)
        return page_of, chosen, fields

    async def list_traces(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        mode: str,
        where: SpanFilter,
    ) -> tuple[Page[Trace], str]:
        request, chosen, shown, query = _span_list(
            workspace, page, page_size, sort, mode, where, Mode.PREVIEW, roots_only=True
        )
        async with self._db.transaction() as session:
            roots, total = await queries.telemetry.list_spans(session, query)
            rollups = (
                await queries.telemetry.trace_rollups(
                    session, workspace, [root.trace_id for root in roots]
                )
                if shown != Mode.SUMMARY
                else {}
            )
        traces = [_trace(root, rollups.get(root.trace_id), shown) for root in roots]
        return Page(traces, request, total), chosen

    async def get_trace(self, workspace: str, trace_id: str, mode: str) -> Trace:
        violations = Violations()
        shown = _mode(violations, mode, Mode.DETAILED)
        violations.raise_if_any()
        async with self._db.transaction() as session:
            root = await queries.telemetry.get_root(session, workspace, trace_id)
            if root is None:
                raise NotFound(f"Trace '{trace_id}' not found in workspace '{workspace}'.")
            rollups = (
                await queries.telemetry.trace_rollups(session, workspace, [trace_id])
                if shown != Mode.SUMMARY
                else {}
            )
            spans = (
                await queries.telemetry.trace_spans(session, workspace, trace_id, MAX_TRACE_SPANS)
                if shown == Mode.DETAILED
                else []
            )
        trace = _trace(root, rollups.get(trace_id), shown)
        return dataclasses.replace(
            trace, spans=tuple(span_of(row, shown) for row in tree_order(spans))
        )


def _span_list(
    workspace: str,
    page: int | None,
    page_size: int | None,
    sort: str,
    mode: str,
    where: SpanFilter,
    default_mode: Mode,
    *,
    roots_only: bool,
) -> tuple[PageRequest, str, Mode, SpanQuery]:
    """A span or trace list request, checked: (page, sort applied, mode, query)."""
    violations = Violations()
    request, descending, chosen = _paging(violations, page, page_size, sort, TIME_SORT)
    shown = _mode(violations, mode, default_mode)
    _check_filter(violations, where)
    violations.raise_if_any()
    return (
        request,
        chosen,
        shown,
        _query(workspace, where, request, descending, roots_only=roots_only),
    )


def _paging(
    violations: Violations,
    page: int | None,
    page_size: int | None,
    sort: str,
    allowed: tuple[str, ...],
    default: str = "-started_at",
) -> tuple[PageRequest, bool, str]:
    request = page_request(
        violations,
        page,
        page_size,
        max_page_size=MAX_PAGE_SIZE,
        default_page_size=DEFAULT_PAGE_SIZE,
    )
    chosen = parse_sort(violations, sort, allowed, default=default)
    return request, chosen.descending, str(chosen)


def _mode(violations: Violations, mode: str, default: Mode) -> Mode:
    mode = mode or default
    if not violations.one_of("mode", mode, tuple(Mode)):
        return default
    return Mode(mode)


def _check_filter(violations: Violations, where: SpanFilter) -> None:
    kind = where.equals.get("kind")
    if kind is not None:
        violations.one_of("filter.kind", kind, tuple(SpanKind))
    status = where.equals.get("status")
    if status is not None:
        violations.one_of("filter.status", status, REPORTED_RUN_STATUSES)


def _query(
    workspace: str,
    where: SpanFilter,
    request: PageRequest,
    descending: bool,
    *,
    roots_only: bool = False,
) -> SpanQuery:
    return SpanQuery(
        workspace=workspace,
        equals=where.equals,
        started_at_gte=where.started_at_gte,
        started_at_lte=where.started_at_lte,
        roots_only=roots_only,
        descending=descending,
        offset=request.offset,
        limit=request.page_size,
    )


def _cut(text: str | None, mode: Mode, limit: int = PREVIEW_CHARS) -> str | None:
    if text is None or mode == Mode.DETAILED:
        return text
    return text[:limit]


def span_of(row: TelemetrySpanRow, mode: Mode) -> Span:
    payloads = mode != Mode.SUMMARY
    return Span(
        span_id=row.span_id,
        trace_id=row.trace_id,
        parent_span_id=row.parent_span_id,
        session_id=row.session_id,
        workspace=row.workspace,
        source=row.source,
        name=row.name,
        kind=row.kind,
        status=row.status,
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_ms=row.duration_ms,
        experiment_name=row.experiment_name,
        test_case_id=row.test_case_id,
        model=row.model,
        provider=row.provider,
        agent_id=row.agent_id,
        agent_name=row.agent_name,
        tool_name=row.tool_name,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cached_tokens=row.cached_tokens,
        total_tokens=row.total_tokens,
        cost_usd=row.cost_usd,
        cost_input_usd=row.cost_input_usd,
        cost_output_usd=row.cost_output_usd,
        cost_source=row.cost_source,
        input=_cut(row.input, mode) if payloads else None,
        output=_cut(row.output, mode) if payloads else None,
        error_type=row.error_type,
        error_message=_cut(row.error_message, mode, ERROR_PREVIEW_CHARS),
        raw_attributes=row.raw_attributes if mode == Mode.DETAILED else None,
        ingested_at=row.ingested_at,
    )


def tree_order(spans: list[TelemetrySpanRow]) -> list[TelemetrySpanRow]:
    """Spans (in start order) depth first from their roots: each span, then its children in
    start order. A span whose parent is not among them starts a tree of its own."""
    ids = {span.span_id for span in spans}
    children: dict[str | None, list[TelemetrySpanRow]] = {}
    for span in spans:
        parent = span.parent_span_id if span.parent_span_id in ids else None
        children.setdefault(parent, []).append(span)
    ordered: list[TelemetrySpanRow] = []
    pending = list(reversed(children.get(None, [])))
    while pending:
        span = pending.pop()
        ordered.append(span)
        pending.extend(reversed(children.pop(span.span_id, [])))
    # Spans whose parents form a cycle reach no root: they follow, in start order.
    placed = {id(span) for span in ordered}
    return ordered + [span for span in spans if id(span) not in placed]


def _trace(
    root: TelemetrySpanRow, rollup: tuple[int, int, dict[str, Any]] | None, mode: Mode
) -> Trace:
    if rollup is None:
        return Trace(span_of(root, mode), None, None, None)
    span_count, error_count, sums = rollup
    return Trace(span_of(root, mode), Usage(**sums), span_count, error_count)
