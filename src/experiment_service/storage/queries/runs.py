"""Queries on runs (intake sessions, platform traces), their scores and the rollup inputs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.storage.database import affected_rows
from experiment_service.storage.driver_sql import execute, in_chunks, insert_rows
from experiment_service.storage.tables import (
    RUN_TOTAL_TOKENS,
    EvaluatorResultRow,
    ExperimentModelRow,
    ExperimentRollupRow,
    ExperimentRow,
    RunRow,
    SessionScoreRow,
    TelemetrySpanRow,
    table_of,
)
from experiment_service.types import RowValues


async def replace_runs(
    session: AsyncSession,
    experiment_id: str,
    runs: list[dict[str, Any]],
    session_scores: list[dict[str, Any]],
) -> int:
    """Store `runs` and their per-evaluator session scores, replacing runs with the same
    session ids. Returns how many runs were new, so counts never count a session twice.

    New sessions (the usual case) go in with one INSERT ... ON CONFLICT DO NOTHING: the unique
    (experiment_id, session_id) index decides, whatever the planner's statistics say, and no
    lookup precedes the insert. Sessions that conflicted are then replaced, keeping their row
    ids so that orderings and references stay stable.
    """
    table = table_of(RunRow)
    connection = await session.connection()
    models = Counter(model for run in runs for model in set(run["model_names"]))
    fresh = set(
        await insert_rows(
            connection,
            table,
            runs,
            skip_conflicts=True,
            conflict_columns=("experiment_id", "session_id"),
            returning="session_id",
        )
    )
    again = [run for run in runs if run["session_id"] not in fresh]
    if again:
        replaced: dict[str, int] = {}
        for chunk in in_chunks([run["session_id"] for run in again]):
            found = await session.execute(
                select(RunRow.session_id, RunRow.id, RunRow.model_names).where(
                    RunRow.experiment_id == experiment_id, RunRow.session_id.in_(chunk)
                )
            )
            for session_id, run_id, model_names in found.all():
                replaced[session_id] = run_id
                models.subtract(set(model_names))
            await _delete_sessions(session, experiment_id, chunk)
        await insert_rows(
            connection, table, [{**run, "id": replaced[run["session_id"]]} for run in again]
        )
    await insert_rows(connection, table_of(SessionScoreRow), session_scores)
    await _count_models(session, experiment_id, models)
    await bump_runs_version(session, experiment_id, len(fresh))
    return len(fresh)


# The columns of a run that its spans decide; its evaluator results are kept when they change.
SUMMARY_COLUMNS = (
    "test_case_id",
    "status",
    "started_at",
    "ended_at",
    "latency_ms",
    "cost_usd",
    "input_tokens",
    "output_tokens",
    "model_names",
    "input",
    "output",
    "metadata",
    "ingested_at",
)


async def refresh_runs(
    session: AsyncSession, experiment_id: str, runs: list[RowValues]
) -> list[str]:
    """Store `runs` (each session once) as the new summaries of their sessions: new sessions
    are added, known ones get the new summary and keep their evaluator results and scores.
    Returns the new sessions' ids."""
    if not runs:
        return []
    models = Counter(model for run in runs for model in set(run["model_names"]))
    known: dict[str, str | None] = {}
    for chunk in in_chunks([run["session_id"] for run in runs]):
        found = await session.execute(
            select(RunRow.session_id, RunRow.model_names, RunRow.test_case_id).where(
                RunRow.experiment_id == experiment_id, RunRow.session_id.in_(chunk)
            )
        )
        for session_id, model_names, test_case_id in found.all():
            known[session_id] = test_case_id
            models.subtract(set(model_names))
    await insert_rows(
        await session.connection(),
        table_of(RunRow),
        runs,
        conflict_columns=("experiment_id", "session_id"),
        update_columns=SUMMARY_COLUMNS,
    )
    for run in runs:
        session_id = run["session_id"]
        if session_id in known and known[session_id] != run["test_case_id"]:
            await session.execute(
                update(SessionScoreRow)
                .where(
                    SessionScoreRow.experiment_id == experiment_id,
                    SessionScoreRow.session_id == session_id,
                )
                .values(test_case_id=run["test_case_id"])
            )
    await _count_models(session, experiment_id, models)
    await bump_runs_version(session, experiment_id, len(runs) - len(known))
    return [run["session_id"] for run in runs if run["session_id"] not in known]


async def runs_of_sessions(
    session: AsyncSession, workspace: str, kind: str, session_ids: Sequence[str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(experiment id, session id, metadata) of the live experiments' runs of these sessions."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for chunk in in_chunks(session_ids):
        rows = await session.execute(
            select(RunRow.experiment_id, RunRow.session_id, RunRow.metadata_json)
            .join(ExperimentRow, ExperimentRow.id == RunRow.experiment_id)
            .where(
                ExperimentRow.workspace == workspace,
                ExperimentRow.kind == kind,
                ExperimentRow.deleted_at.is_(None),
                RunRow.session_id.in_(chunk),
            )
        )
        found.extend((experiment_id, sid, metadata) for experiment_id, sid, metadata in rows.all())
    return found


async def delete_runs(session: AsyncSession, experiment_id: str, session_ids: list[str]) -> None:
    """Remove these sessions' runs and scores from the experiment."""
    if not session_ids:
        return
    models: Counter[str] = Counter()
    removed = 0
    for chunk in in_chunks(session_ids):
        found = await session.scalars(
            select(RunRow.model_names).where(
                RunRow.experiment_id == experiment_id, RunRow.session_id.in_(chunk)
            )
        )
        for model_names in found:
            removed += 1
            models.subtract(set(model_names))
        await _delete_sessions(session, experiment_id, chunk)
    await _count_models(session, experiment_id, models)
    await bump_runs_version(session, experiment_id, -removed)


async def _delete_sessions(
    session: AsyncSession, experiment_id: str, session_ids: Sequence[str]
) -> None:
    """Remove these runs with their scores and the results that came inside them."""
    for model_table in (SessionScoreRow, EvaluatorResultRow, RunRow):
        await session.execute(
            delete(model_table).where(
                model_table.experiment_id == experiment_id,
                model_table.session_id.in_(session_ids),
            )
        )


async def _count_models(session: AsyncSession, experiment_id: str, deltas: Counter[str]) -> None:
    changes = [(experiment_id, name, delta) for name, delta in sorted(deltas.items()) if delta]
    if not changes:
        return
    await execute(
        await session.connection(),
        "INSERT INTO experiment_models (experiment_id, model_name, run_count) VALUES "
        + ", ".join(["(?, ?, ?)"] * len(changes))
        + " ON CONFLICT (experiment_id, model_name) DO UPDATE"
        " SET run_count = experiment_models.run_count + excluded.run_count",
        tuple(value for change in changes for value in change),
    )


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


async def set_evaluator_results(
    session: AsyncSession,
    experiment_id: str,
    session_id: str,
    test_case_id: str | None,
    evaluator_results: list[Any],
    scores: dict[str, float | None],
) -> None:
    """Store a run's new result list (JSON objects, or result dataclasses, which the JSON
    serializer writes as objects) and its session scores for the evaluators in `scores`
    (None: no score any more)."""
    await session.execute(
        update(RunRow)
        .where(RunRow.experiment_id == experiment_id, RunRow.session_id == session_id)
        .values(evaluator_results=evaluator_results)
    )
    await session.execute(
        delete(SessionScoreRow).where(
            SessionScoreRow.experiment_id == experiment_id,
            SessionScoreRow.session_id == session_id,
            SessionScoreRow.name.in_(list(scores)),
        )
    )
    await insert_rows(
        await session.connection(),
        table_of(SessionScoreRow),
        [
            {
                "experiment_id": experiment_id,
                "session_id": session_id,
                "test_case_id": test_case_id,
                "name": name,
                "value": value,
            }
            for name, value in scores.items()
            if value is not None
        ],
    )
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


# --- rollup inputs -------------------------------------------------------------------------


class Metric:
    """A column of per-run values, filtered to one experiment, that rollups summarize."""

    def __init__(self, column: Any, where: Iterable[ColumnElement[bool]]) -> None:
        self.column = column
        self.where = list(where)


def run_metric(experiment_id: str, column_name: str) -> Metric:
    column = getattr(RunRow, column_name)
    return Metric(column, [RunRow.experiment_id == experiment_id, column.is_not(None)])


def session_score_metric(experiment_id: str, name: str) -> Metric:
    return Metric(
        SessionScoreRow.value,
        [SessionScoreRow.experiment_id == experiment_id, SessionScoreRow.name == name],
    )


async def metrics_counts_and_sums(
    session: AsyncSession, metrics: Sequence[Metric]
) -> list[tuple[int, float]]:
    """Each metric's count and sum, all in one statement (one round trip, however many)."""
    if not metrics:
        return []
    columns = [
        select(aggregate(metric.column)).where(*metric.where).scalar_subquery()
        for metric in metrics
        for aggregate in (func.count, func.sum)
    ]
    row = await _select_scalars(session, columns)
    return [(int(row[i]), float(row[i + 1] or 0.0)) for i in range(0, len(row), 2)]


async def metric_values_at(
    session: AsyncSession, picks: Sequence[tuple[Metric, int, int]]
) -> list[float]:
    """For each (metric, index, count), the index-th smallest of the metric's `count` values
    (0-based), all in one statement. Each is read off the metric's covering index from
    whichever end is nearer, so no seek walks more than half of it."""
    if not picks:
        return []
    columns = []
    for metric, index, count in picks:
        from_top = index > count // 2
        order = metric.column.desc() if from_top else metric.column.asc()
        offset = count - 1 - index if from_top else index
        seek = select(metric.column).where(*metric.where).order_by(order).offset(offset).limit(1)
        columns.append(seek.scalar_subquery())
    row = await _select_scalars(session, columns)
    # 0 <= index < count for values counted in this transaction, so every seek finds its row
    return [float(value) for value in row]


# PostgreSQL takes at most 1,664 columns in a select list (SQLite 2,000): an experiment with a
# thousand evaluators asks for more, so its scalars are read in statements of this many.
_COLUMNS_PER_STATEMENT = 500


async def _select_scalars(session: AsyncSession, columns: Sequence[Any]) -> list[Any]:
    """The values of scalar subqueries, as few statements as the column limit allows."""
    values: list[Any] = []
    for start in range(0, len(columns), _COLUMNS_PER_STATEMENT):
        chunk = columns[start : start + _COLUMNS_PER_STATEMENT]
        values.extend((await session.execute(select(*chunk))).one())
    return values


async def tokens_per_test_case(session: AsyncSession, experiment_id: str) -> list[float]:
    """Each test case's mean total tokens (input + output) over its runs that report tokens; a
    run without a test case is a test case of its own."""
    means = await session.scalars(
        select(func.avg(RUN_TOTAL_TOKENS))
        .where(RunRow.experiment_id == experiment_id, RUN_TOTAL_TOKENS.is_not(None))
        .group_by(*_test_case_key())
    )
    return [float(mean) for mean in means]


async def test_case_count(session: AsyncSession, experiment_id: str) -> int:
    """Distinct test cases among the experiment's runs; a run without one counts alone."""
    cases = select(*_test_case_key()).where(RunRow.experiment_id == experiment_id).distinct()
    return int(await session.scalar(select(func.count()).select_from(cases.subquery())) or 0)


def _test_case_key() -> tuple[Any, ...]:
    """GROUP BY keys of a test case: its id, or the session for runs without one."""
    return (RunRow.test_case_id, case((RunRow.test_case_id.is_(None), RunRow.session_id)))


async def metric_per_test_case(
    session: AsyncSession, experiment_id: str, column_name: str
) -> list[float]:
    """Each test case's mean of a run column, over its runs that have a value."""
    column = getattr(RunRow, column_name)
    means = await session.scalars(
        select(func.avg(column))
        .where(RunRow.experiment_id == experiment_id, column.is_not(None))
        .group_by(*_test_case_key())
    )
    return [float(mean) for mean in means]


async def scores_per_test_case(session: AsyncSession, experiment_id: str) -> dict[str, list[float]]:
    """Per evaluator, each test case's mean of its runs' session scores."""
    score = SessionScoreRow
    rows = await session.execute(
        select(score.name, func.avg(score.value))
        .where(score.experiment_id == experiment_id)
        .group_by(
            score.name,
            score.test_case_id,
            case((score.test_case_id.is_(None), score.session_id)),
        )
    )
    found: dict[str, list[float]] = {}
    for name, mean in rows.all():
        found.setdefault(name, []).append(float(mean))
    return found


async def evaluator_names(session: AsyncSession, experiment_id: str) -> list[str]:
    names = await session.scalars(
        select(SessionScoreRow.name)
        .where(SessionScoreRow.experiment_id == experiment_id)
        .group_by(SessionScoreRow.name)
        .order_by(SessionScoreRow.name)
    )
    return list(names)


async def span_agents(
    session: AsyncSession, workspace: str, experiment_name: str
) -> tuple[set[str], set[str]]:
    """The distinct agent names and versions named by the spans of the sessions whose spans
    name the experiment (its runs made from spans). Starts from the spans naming it (an
    index), so experiments reported as session summaries cost one empty lookup."""
    span = TelemetrySpanRow
    naming = select(span.session_id).where(
        span.workspace == workspace, span.experiment_name == experiment_name
    )
    found = await session.execute(
        select(span.agent_name, span.agent_version)
        .distinct()
        .where(
            span.workspace == workspace,
            span.session_id.in_(naming),
            (span.agent_name.is_not(None)) | (span.agent_version.is_not(None)),
        )
    )
    names: set[str] = set()
    versions: set[str] = set()
    for name, version in found.all():
        names.update(filter(None, [name]))
        versions.update(filter(None, [version]))
    return names, versions


async def model_names(session: AsyncSession, experiment_id: str) -> list[str]:
    names = await session.scalars(
        select(ExperimentModelRow.model_name)
        .where(ExperimentModelRow.experiment_id == experiment_id, ExperimentModelRow.run_count > 0)
        .order_by(ExperimentModelRow.model_name)
    )
    return list(names)


# --- rollup cache --------------------------------------------------------------------------


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
            # Equal versions hold the same rollups; a later one may add the per-test-case part.
            ExperimentRollupRow.runs_version <= runs_version,
        )
        .values(runs_version=runs_version, payload=payload, computed_at=computed_at)
    )
    if affected_rows(result) == 0:
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


async def page_after(
    session: AsyncSession, experiment_id: str, after_id: int, limit: int
) -> list[RunRow]:
    """Up to `limit` runs of the experiment after run id `after_id`, in id order: pages that
    stay correct while runs are added (keyset paging)."""
    rows = await session.scalars(
        select(RunRow)
        .where(RunRow.experiment_id == experiment_id, RunRow.id > after_id)
        .order_by(RunRow.id)
        .limit(limit)
    )
    return list(rows)


async def scored_names(session: AsyncSession, experiment_id: str) -> list[str]:
    """The evaluators with NUMERIC or BOOLEAN results in the experiment, sorted."""
    names = await session.scalars(
        select(SessionScoreRow.name)
        .where(SessionScoreRow.experiment_id == experiment_id)
        .distinct()
        .order_by(SessionScoreRow.name)
    )
    return list(names)
