"""Queries that the evaluations vocabulary needs beyond experiments': group membership,
multi-field sorts, and the telemetry of a page of sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.storage.driver_sql import insert_rows
from experiment_service.storage.queries.paging import bounded, rows_page
from experiment_service.storage.tables import (
    RUN_TOTAL_TOKENS,
    ExperimentGroupMembershipRow,
    ExperimentGroupRow,
    ExperimentRow,
    RunRow,
    SessionScoreRow,
    TelemetrySpanRow,
    table_of,
)


@dataclass(frozen=True)
class EvaluationQuery:
    workspace: str
    kind: str
    equals: dict[str, str] = field(default_factory=dict)
    group_id: str | None = None
    ranges: list[tuple[str, str, datetime]] = field(default_factory=list)
    deleted: bool = False
    pinned: bool | None = None
    # (column, descending) in order; pinned_at sorts unpinned rows last either way.
    order: list[tuple[str, bool]] = field(default_factory=list)
    offset: int = 0
    limit: int | None = None


async def page(session: AsyncSession, query: EvaluationQuery) -> tuple[list[ExperimentRow], int]:
    row = ExperimentRow
    conditions: list[ColumnElement[bool]] = [
        row.workspace == query.workspace,
        row.kind == query.kind,
        row.deleted_at.is_not(None) if query.deleted else row.deleted_at.is_(None),
    ]
    conditions.extend(getattr(row, column) == value for column, value in query.equals.items())
    if query.group_id is not None:
        later = select(ExperimentGroupMembershipRow.experiment_id).where(
            ExperimentGroupMembershipRow.group_id == query.group_id
        )
        conditions.append(or_(row.experiment_group_id == query.group_id, row.id.in_(later)))
    conditions.extend(
        bounded(
            (getattr(row, column), moment, operator == "gte")
            for column, operator, moment in query.ranges
        )
    )
    if query.pinned is not None:
        conditions.append(row.pinned_at.is_not(None) if query.pinned else row.pinned_at.is_(None))
    order: list[ColumnElement[Any]] = []
    for column, descending in query.order:
        value = getattr(row, column)
        if column == "pinned_at":
            order.append(value.is_(None))
        order.append(value.desc() if descending else value.asc())
    order.append(row.id.asc())
    return await rows_page(session, row, conditions, order, query.offset, query.limit)


async def insert(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert an experiment row; False when a live one of the same name exists."""
    inserted = await insert_rows(
        await session.connection(),
        table_of(ExperimentRow),
        [values],
        skip_conflicts=True,
        returning="id",
    )
    return bool(inserted)


async def later_groups(
    session: AsyncSession, experiment_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Per experiment, the groups it belongs to after its first, in order."""
    found: dict[str, list[str]] = {}
    if not experiment_ids:
        return found
    member = ExperimentGroupMembershipRow
    rows = await session.execute(
        select(member.experiment_id, member.group_id)
        .where(member.experiment_id.in_(list(experiment_ids)))
        .order_by(member.experiment_id, member.position)
    )
    for experiment_id, group_id in rows.all():
        found.setdefault(experiment_id, []).append(group_id)
    return found


async def set_later_groups(
    session: AsyncSession, experiment_id: str, group_ids: Sequence[str]
) -> None:
    member = ExperimentGroupMembershipRow
    await session.execute(delete(member).where(member.experiment_id == experiment_id))
    await insert_rows(
        await session.connection(),
        table_of(member),
        [
            {"experiment_id": experiment_id, "group_id": group_id, "position": position}
            for position, group_id in enumerate(group_ids, start=1)
        ],
    )


async def live_group_ids(session: AsyncSession, workspace: str, ids: Sequence[str]) -> set[str]:
    group = ExperimentGroupRow
    found = await session.scalars(
        select(group.id).where(
            group.workspace == workspace, group.id.in_(list(ids)), group.deleted_at.is_(None)
        )
    )
    return set(found)


# Session sorts: API field -> runs column (tokens: input + output).
SESSION_SORT_COLUMNS = {
    "test_case_id": RunRow.test_case_id,
    "started_at": RunRow.started_at,
    "ended_at": RunRow.ended_at,
    "latency_ms": RunRow.latency_ms,
    "status": RunRow.status,
    "cost_total_usd": RunRow.cost_usd,
    "tokens": RUN_TOTAL_TOKENS,
}


async def session_page(
    session: AsyncSession,
    experiment_id: str,
    equals: dict[str, str],
    order: list[tuple[str, bool]],
    offset: int,
    limit: int,
) -> tuple[list[RunRow], int]:
    conditions: list[ColumnElement[bool]] = [RunRow.experiment_id == experiment_id]
    conditions.extend(getattr(RunRow, column) == value for column, value in equals.items())
    ordering: list[ColumnElement[Any]] = []
    for name, descending in order:
        value = SESSION_SORT_COLUMNS[name]
        # Absent values last either way, on every backend.
        ordering.extend([value.is_(None), value.desc() if descending else value.asc()])
    ordering.append(RunRow.id.asc())
    return await rows_page(session, RunRow, conditions, ordering, offset, limit)


async def session_roots_and_cached_tokens(
    session: AsyncSession, workspace: str, session_ids: Sequence[str]
) -> tuple[dict[str, tuple[str, str]], dict[str, int]]:
    """Per session, (trace id, span id) of its first root span, and its spans' cached tokens."""
    span = TelemetrySpanRow
    roots: dict[str, tuple[str, str]] = {}
    cached: dict[str, int] = {}
    if not session_ids:
        return roots, cached
    in_page = (span.workspace == workspace, span.session_id.in_(list(session_ids)))
    found = await session.execute(
        select(span.session_id, span.trace_id, span.span_id)
        .where(*in_page, span.parent_span_id.is_(None))
        .order_by(span.session_id, span.started_at, span.id)
    )
    for session_id, trace_id, span_id in found.all():
        roots.setdefault(session_id, (trace_id, span_id))
    sums = await session.execute(
        select(span.session_id, func.sum(span.cached_tokens))
        .where(*in_page, span.cached_tokens.is_not(None))
        .group_by(span.session_id)
    )
    cached.update((session_id, int(total or 0)) for session_id, total in sums.all())
    return roots, cached


async def session_scores(
    session: AsyncSession, experiment_id: str, session_ids: Sequence[str]
) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {}
    if not session_ids:
        return scores
    rows = await session.execute(
        select(SessionScoreRow.session_id, SessionScoreRow.name, SessionScoreRow.value).where(
            SessionScoreRow.experiment_id == experiment_id,
            SessionScoreRow.session_id.in_(list(session_ids)),
        )
    )
    for session_id, name, value in rows.all():
        scores.setdefault(session_id, {})[name] = value
    return scores
