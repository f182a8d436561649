"""The sessions of a workspace: every run of its live intake experiments, across them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.statuses import ExperimentKind
from experiment_service.storage.tables import ExperimentRow, RunRow

# Sortable session fields: API name -> runs column.
SORT_COLUMNS = {
    "started_at": RunRow.started_at,
    "duration_ms": RunRow.latency_ms,
    "cost_usd": RunRow.cost_usd,
}


@dataclass(frozen=True)
class SessionQuery:
    """What a session list asks for: exact fields, a start-time range, an order, a page."""

    workspace: str
    experiment_name: str | None = None
    equals: dict[str, str] = field(default_factory=dict)
    started_at_gte: datetime | None = None
    started_at_lte: datetime | None = None
    sort: str = "started_at"
    descending: bool = True
    offset: int = 0
    limit: int = 10


async def list_sessions(
    session: AsyncSession, query: SessionQuery
) -> tuple[list[tuple[RunRow, str]], int]:
    """One page of runs with their experiment's name, and how many match."""
    run, experiment = RunRow, ExperimentRow
    conditions = [
        experiment.workspace == query.workspace,
        experiment.kind == ExperimentKind.INTAKE,
        experiment.deleted_at.is_(None),
    ]
    if query.experiment_name is not None:
        conditions.append(experiment.name == query.experiment_name)
    conditions.extend(getattr(run, column) == value for column, value in query.equals.items())
    if query.started_at_gte is not None:
        conditions.append(run.started_at >= query.started_at_gte)
    if query.started_at_lte is not None:
        conditions.append(run.started_at <= query.started_at_lte)
    joined = select(run, experiment.name).join(experiment, experiment.id == run.experiment_id)
    total = await session.scalar(
        select(func.count())
        .select_from(run)
        .join(experiment, experiment.id == run.experiment_id)
        .where(*conditions)
    )
    column = SORT_COLUMNS[query.sort]
    order = column.desc() if query.descending else column.asc()
    rows = await session.execute(
        joined.where(*conditions)
        .order_by(column.is_(None), order, run.id.desc() if query.descending else run.id)
        .offset(query.offset)
        .limit(query.limit)
    )
    return [(row, name) for row, name in rows.all()], int(total or 0)
