"""Queries on runs (intake sessions, platform traces), their scores and the rollup cache."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.storage.tables import (
    ExperimentRollupRow,
    ExperimentRow,
    RunRow,
    RunScoreRow,
)

SCORED_TYPES = ("NUMERIC", "BOOLEAN")
# Keeps each IN (...) list well under every backend's bound-parameter limit.
_CHUNK = 500


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


async def replace_runs(
    session: AsyncSession,
    experiment_id: str,
    runs: list[dict[str, Any]],
    scores: list[dict[str, Any]],
) -> int:
    """Store `runs` (and their `scores`), replacing runs with the same session ids.

    Returns how many runs were new, so the caller's counts never count a session twice.
    """
    session_ids = [run["session_id"] for run in runs]
    existing: list[str] = []
    for chunk in _chunks(session_ids):
        found = await session.scalars(
            select(RunRow.session_id).where(
                RunRow.experiment_id == experiment_id, RunRow.session_id.in_(chunk)
            )
        )
        existing.extend(found)
    # Usually every session is new; replaced ones go first, with their scores.
    for chunk in _chunks(existing):
        await session.execute(
            delete(RunScoreRow).where(
                RunScoreRow.experiment_id == experiment_id, RunScoreRow.session_id.in_(chunk)
            )
        )
        await session.execute(
            delete(RunRow).where(
                RunRow.experiment_id == experiment_id, RunRow.session_id.in_(chunk)
            )
        )
    # Core inserts of the tables (not the mapped classes) skip the ORM's per-row bookkeeping.
    await session.execute(insert(RunRow.__table__), runs)
    if scores:
        await session.execute(insert(RunScoreRow.__table__), scores)
    new_runs = len(runs) - len(existing)
    await bump_runs_version(session, experiment_id, new_runs)
    return new_runs


async def bump_runs_version(session: AsyncSession, experiment_id: str, new_runs: int = 0) -> None:
    """Invalidate the experiment's cached rollups (and count new runs) in this transaction."""
    await session.execute(
        update(ExperimentRow)
        .where(ExperimentRow.id == experiment_id)
        .values(
            run_count=ExperimentRow.run_count + new_runs,
            runs_version=ExperimentRow.runs_version + 1,
        )
    )


async def replace_scores(
    session: AsyncSession,
    experiment_id: str,
    session_id: str,
    name: str,
    scores: list[dict[str, Any]],
) -> None:
    await session.execute(
        delete(RunScoreRow).where(
            RunScoreRow.experiment_id == experiment_id,
            RunScoreRow.session_id == session_id,
            RunScoreRow.name == name,
        )
    )
    await session.execute(insert(RunScoreRow.__table__), scores)
    await bump_runs_version(session, experiment_id)


async def find_live_runs(
    session: AsyncSession,
    workspace: str,
    kind: str,
    session_id: str,
    experiment_name: str | None = None,
) -> list[tuple[RunRow, str]]:
    """Runs with this session id in the live experiments of a workspace, with their names."""
    statement = (
        select(RunRow, ExperimentRow.name)
        .join(ExperimentRow, ExperimentRow.id == RunRow.experiment_id)
        .where(
            RunRow.session_id == session_id,
            ExperimentRow.workspace == workspace,
            ExperimentRow.kind == kind,
            ExperimentRow.deleted_at.is_(None),
        )
    )
    if experiment_name is not None:
        statement = statement.where(ExperimentRow.name == experiment_name)
    return [(run, name) for run, name in (await session.execute(statement)).all()]


async def list_runs(
    session: AsyncSession,
    experiment_id: str,
    equals: dict[str, str],
    offset: int,
    limit: int,
) -> tuple[list[RunRow], int]:
    statement = select(RunRow).where(RunRow.experiment_id == experiment_id)
    for column, value in equals.items():
        statement = statement.where(getattr(RunRow, column) == value)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(
        statement.order_by(RunRow.started_at, RunRow.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def scores_of(
    session: AsyncSession, experiment_id: str, session_ids: Sequence[str]
) -> list[RunScoreRow]:
    found: list[RunScoreRow] = []
    for chunk in _chunks(session_ids):
        rows = await session.scalars(
            select(RunScoreRow)
            .where(RunScoreRow.experiment_id == experiment_id, RunScoreRow.session_id.in_(chunk))
            .order_by(RunScoreRow.id)
        )
        found.extend(rows)
    return found


async def run_metrics(
    session: AsyncSession, experiment_id: str
) -> list[tuple[float | None, float | None, list[str]]]:
    """(cost_usd, latency_ms, model_names) of every run of the experiment."""
    result = await session.execute(
        select(RunRow.cost_usd, RunRow.latency_ms, RunRow.model_names).where(
            RunRow.experiment_id == experiment_id
        )
    )
    return [tuple(row) for row in result.all()]  # type: ignore[misc]


async def session_score_means(session: AsyncSession, experiment_id: str) -> list[tuple[str, float]]:
    """(evaluator name, mean of one session's numeric/boolean results) per session and name."""
    result = await session.execute(
        select(RunScoreRow.name, func.avg(RunScoreRow.value))
        .where(
            RunScoreRow.experiment_id == experiment_id,
            RunScoreRow.data_type.in_(SCORED_TYPES),
            RunScoreRow.value.is_not(None),
        )
        .group_by(RunScoreRow.session_id, RunScoreRow.name)
    )
    return [(name, float(mean)) for name, mean in result.all()]


async def cached_rollups(
    session: AsyncSession, experiment_ids: Sequence[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """{experiment id: (runs_version computed at, payload)}."""
    if not experiment_ids:
        return {}
    rows = await session.execute(
        select(
            ExperimentRollupRow.experiment_id,
            ExperimentRollupRow.runs_version,
            ExperimentRollupRow.payload,
        ).where(ExperimentRollupRow.experiment_id.in_(experiment_ids))
    )
    return {experiment_id: (version, payload) for experiment_id, version, payload in rows.all()}


async def store_rollups(
    session: AsyncSession,
    experiment_id: str,
    runs_version: int,
    payload: dict[str, Any],
    computed_at: datetime,
) -> None:
    """Keep the newest computation: an older one never overwrites a newer one."""
    result = await session.execute(
        update(ExperimentRollupRow)
        .where(
            ExperimentRollupRow.experiment_id == experiment_id,
            ExperimentRollupRow.runs_version < runs_version,
        )
        .values(runs_version=runs_version, payload=payload, computed_at=computed_at)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        exists = await session.scalar(
            select(ExperimentRollupRow.runs_version).where(
                ExperimentRollupRow.experiment_id == experiment_id
            )
        )
        if exists is None:
            session.add(
                ExperimentRollupRow(
                    experiment_id=experiment_id,
                    runs_version=runs_version,
                    payload=payload,
                    computed_at=computed_at,
                )
            )
