"""Queries on telemetry spans: storing them, summarizing their sessions, and reading them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from experiment_service.storage.driver_sql import execute, in_chunks, insert_rows
from experiment_service.storage.tables import TelemetrySpanRow, table_of
from experiment_service.types import RowValues

_IDENTITY = ("workspace", "trace_id", "span_id")


async def upsert_spans(session: AsyncSession, rows: list[RowValues]) -> None:
    """Store spans; a span stored before (same workspace, trace and span id) is replaced.
    `rows` holds each identity once."""
    if not rows:
        return
    columns = tuple(name for name in rows[0] if name not in _IDENTITY)
    # In identity order, so that concurrent upserts of the same spans lock rows in one order.
    ordered = sorted(rows, key=lambda row: (row["trace_id"], row["span_id"]))
    await insert_rows(
        await session.connection(),
        table_of(TelemetrySpanRow),
        ordered,
        conflict_columns=_IDENTITY,
        update_columns=columns,
    )


async def lock_traces(session: AsyncSession, workspace: str, trace_ids: Sequence[str]) -> None:
    """Hold these traces until the transaction ends: spans of one trace take turns, so the
    session a trace's spans name reaches every span of it, whichever request came first."""
    await _hold(session, [f"trace:{workspace}:{trace_id}" for trace_id in trace_ids])


async def lock_sessions(session: AsyncSession, workspace: str, session_ids: Sequence[str]) -> None:
    """Hold these sessions until the transaction ends, so that transactions summarizing the
    same session take turns and the last to commit has seen every span committed before it."""
    await _hold(session, [f"session:{workspace}:{session_id}" for session_id in session_ids])


async def _hold(session: AsyncSession, keys: list[str]) -> None:
    """Transaction-scoped locks on PostgreSQL (advisory, taken in one order so that no two
    transactions wait on each other; traces are always taken before sessions). SQLite runs one
    write transaction at a time already."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql" or not keys:
        return
    await execute(
        connection,
        "SELECT pg_advisory_xact_lock(key) FROM (SELECT DISTINCT hashtextextended(name, 0) AS key"
        " FROM unnest(CAST(? AS text[])) AS name ORDER BY key) AS keys",
        (keys,),
    )


async def sessions_of_traces(
    session: AsyncSession, workspace: str, trace_ids: Sequence[str]
) -> list[tuple[str, str]]:
    """The distinct (trace id, session id) of the stored spans of these traces."""
    found: set[tuple[str, str]] = set()
    for chunk in in_chunks(trace_ids):
        # No DISTINCT in SQL: with it, SQLite walks the session index of the whole workspace
        # to avoid a sort; without it, it seeks the identity index per trace.
        rows = await session.execute(
            select(TelemetrySpanRow.trace_id, TelemetrySpanRow.session_id).where(
                TelemetrySpanRow.workspace == workspace, TelemetrySpanRow.trace_id.in_(chunk)
            )
        )
        found.update((trace_id, session_id) for trace_id, session_id in rows.all())
    return sorted(found)


async def move_unnamed_spans(
    session: AsyncSession, workspace: str, trace_id: str, session_id: str
) -> None:
    """Put the trace's spans stored in its own per-trace session into `session_id`."""
    await session.execute(
        update(TelemetrySpanRow)
        .where(
            TelemetrySpanRow.workspace == workspace,
            TelemetrySpanRow.trace_id == trace_id,
            TelemetrySpanRow.session_id == trace_id,
        )
        .values(session_id=session_id)
    )


@dataclass(frozen=True)
class RootSpan:
    """What a session's outcome is read from: one of its root spans."""

    started_at: datetime
    ended_at: datetime | None
    duration_ms: float | None
    status: str
    test_case_id: str | None
    input: str | None
    output: str | None


@dataclass
class SessionSpans:
    """What a session's runs are computed from: sums over its spans, its roots, its models."""

    session_id: str
    span_count: int
    trace_count: int
    started_at: datetime
    ended_at: datetime | None
    experiment_name: str | None
    test_case_id: str | None
    sums: dict[str, Any]
    roots: list[RootSpan] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


SUMMED = (
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "total_tokens",
    "cost_usd",
    "cost_input_usd",
    "cost_output_usd",
)


def usage_columns() -> list[Any]:
    """SUMs of the token and cost columns, in SUMMED order (NULL where no span has a value)."""
    return [func.sum(getattr(TelemetrySpanRow, name)).label(name) for name in SUMMED]


async def session_spans(
    session: AsyncSession, workspace: str, session_ids: Sequence[str]
) -> dict[str, SessionSpans]:
    """The sessions among `session_ids` that have spans, summarized.

    One query reads the few columns a summary needs of every span of the sessions (payloads
    of roots only) off the session index; the sums are taken here, exactly (fsum).
    """
    span = TelemetrySpanRow
    is_root = span.parent_span_id.is_(None)
    spans: dict[str, list[Any]] = {}
    for chunk in in_chunks(session_ids):
        rows = await session.execute(
            select(
                span.session_id,
                span.trace_id,
                is_root,
                span.started_at,
                span.ended_at,
                span.duration_ms,
                span.status,
                span.experiment_name,
                span.test_case_id,
                span.model,
                case((is_root, span.input)),
                case((is_root, span.output)),
                *(getattr(span, name) for name in SUMMED),
            ).where(span.workspace == workspace, span.session_id.in_(chunk))
        )
        for row in rows.all():
            spans.setdefault(row[0], []).append(row)
    return {session_id: _summary(session_id, rows) for session_id, rows in spans.items()}


def _summary(session_id: str, rows: list[Any]) -> SessionSpans:
    ended = [row[4] for row in rows if row[4] is not None]
    experiments = [row[7] for row in rows if row[7] is not None]
    test_cases = [row[8] for row in rows if row[8] is not None]
    sums: dict[str, Any] = {}
    for offset, name in enumerate(SUMMED, start=12):
        values = [row[offset] for row in rows if row[offset] is not None]
        total = math.fsum(values) if values else None
        sums[name] = int(total) if total is not None and name.endswith("tokens") else total
    roots = sorted(
        (
            RootSpan(row[3], row[4], row[5], row[6], row[8], row[10], row[11])
            for row in rows
            if row[2]
        ),
        key=lambda root: root.started_at,
    )
    return SessionSpans(
        session_id=session_id,
        span_count=len(rows),
        trace_count=len({row[1] for row in rows}),
        started_at=min(row[3] for row in rows),
        ended_at=max(ended) if ended else None,
        experiment_name=max(experiments) if experiments else None,
        test_case_id=max(test_cases) if test_cases else None,
        sums=sums,
        roots=roots,
        models=sorted({row[9] for row in rows if row[9] is not None}),
    )


async def experiments_named_by_spans(
    connection: AsyncConnection, experiments: list[dict[str, Any]]
) -> set[str]:
    """The ids of the new experiments (rows with id, workspace, name) whose names stored spans
    name already: one indexed query for a batch of creates."""
    workspaces = sorted({row["workspace"] for row in experiments})
    names = sorted({row["name"] for row in experiments})
    found = await execute(
        connection,
        "SELECT DISTINCT workspace, experiment_name FROM telemetry_spans"
        f" WHERE workspace IN ({', '.join('?' * len(workspaces))})"
        f" AND experiment_name IN ({', '.join('?' * len(names))})",
        (*workspaces, *names),
    )
    named = {(workspace, name) for workspace, name in found}
    return {row["id"] for row in experiments if (row["workspace"], row["name"]) in named}


async def sessions_naming_experiment(
    session: AsyncSession, workspace: str, experiment_name: str
) -> list[str]:
    rows = await session.scalars(
        select(TelemetrySpanRow.session_id)
        .where(
            TelemetrySpanRow.workspace == workspace,
            TelemetrySpanRow.experiment_name == experiment_name,
        )
        .distinct()
    )
    return list(rows)


# --- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpanQuery:
    """What a span or trace list asks for: exact fields, a start-time range, a page."""

    workspace: str
    equals: dict[str, str] = field(default_factory=dict)
    started_at_gte: datetime | None = None
    started_at_lte: datetime | None = None
    roots_only: bool = False
    descending: bool = True
    offset: int = 0
    limit: int = 10


def _where(query: SpanQuery) -> list[ColumnElement[bool]]:
    span = TelemetrySpanRow
    conditions = [span.workspace == query.workspace]
    conditions.extend(getattr(span, column) == value for column, value in query.equals.items())
    if query.roots_only:
        conditions.append(span.parent_span_id.is_(None))
    if query.started_at_gte is not None:
        conditions.append(span.started_at >= query.started_at_gte)
    if query.started_at_lte is not None:
        conditions.append(span.started_at <= query.started_at_lte)
    return conditions


async def list_spans(session: AsyncSession, query: SpanQuery) -> tuple[list[TelemetrySpanRow], int]:
    """One page of matching spans in start order (ties by id), and how many match."""
    span = TelemetrySpanRow
    conditions = _where(query)
    total = await session.scalar(select(func.count()).select_from(span).where(*conditions))
    order = (
        (span.started_at.desc(), span.id.desc())
        if query.descending
        else (span.started_at.asc(), span.id.asc())
    )
    rows = await session.scalars(
        select(span).where(*conditions).order_by(*order).offset(query.offset).limit(query.limit)
    )
    return list(rows), int(total or 0)


async def trace_rollups(
    session: AsyncSession, workspace: str, trace_ids: Sequence[str]
) -> dict[str, tuple[int, int, dict[str, Any]]]:
    """{trace id: (span count, error count, sums)} over each trace's spans."""
    span = TelemetrySpanRow
    found: dict[str, tuple[int, int, dict[str, Any]]] = {}
    for chunk in in_chunks(trace_ids):
        rows = await session.execute(
            select(
                span.trace_id,
                func.count(),
                func.sum(case((span.status == "error", 1), else_=0)),
                *usage_columns(),
            )
            .where(span.workspace == workspace, span.trace_id.in_(chunk))
            .group_by(span.trace_id)
        )
        for row in rows.all():
            found[row[0]] = (int(row[1]), int(row[2] or 0), dict(zip(SUMMED, row[3:], strict=True)))
    return found


async def get_span(session: AsyncSession, workspace: str, span_id: str) -> TelemetrySpanRow | None:
    """The span with this id (span ids are unique in practice; the newest wins otherwise)."""
    return await session.scalar(
        select(TelemetrySpanRow)
        .where(TelemetrySpanRow.workspace == workspace, TelemetrySpanRow.span_id == span_id)
        .order_by(TelemetrySpanRow.id.desc())
        .limit(1)
    )


async def trace_spans(
    session: AsyncSession, workspace: str, trace_id: str, limit: int
) -> list[TelemetrySpanRow]:
    """The first `limit` spans of a trace in start order (ties by id)."""
    span = TelemetrySpanRow
    rows = await session.scalars(
        select(span)
        .where(span.workspace == workspace, span.trace_id == trace_id)
        .order_by(span.started_at, span.id)
        .limit(limit)
    )
    return list(rows)


async def get_root(session: AsyncSession, workspace: str, trace_id: str) -> TelemetrySpanRow | None:
    """The trace's root span: the one without a parent (else its earliest span)."""
    span = TelemetrySpanRow
    return await session.scalar(
        select(span)
        .where(span.workspace == workspace, span.trace_id == trace_id)
        .order_by(span.parent_span_id.is_not(None), span.started_at, span.id)
        .limit(1)
    )


async def span_groups(
    session: AsyncSession, query: SpanQuery, by: Sequence[str]
) -> tuple[list[tuple[dict[str, str], int]], int]:
    """One page of ({field: value}, span count) over the matching spans, and how many groups."""
    columns = [getattr(TelemetrySpanRow, name) for name in by]
    grouped = select(*columns, func.count().label("span_count")).where(*_where(query))
    grouped = grouped.group_by(*columns)
    total = await session.scalar(select(func.count()).select_from(grouped.subquery()))
    count = func.count()
    order = [count.desc() if query.descending else count.asc(), *columns]
    rows = await session.execute(grouped.order_by(*order).offset(query.offset).limit(query.limit))
    return [
        ({name: value for name, value in zip(by, row[:-1], strict=True)}, int(row[-1]))
        for row in rows.all()
    ], int(total or 0)
