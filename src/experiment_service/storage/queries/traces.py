"""Queries on platform experiments' traces (runs of an experiment over a dataset) and spans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, literal, null, select, union_all, update

from experiment_service.statuses import RunStatus
from experiment_service.storage.database import Transaction, affected_rows
from experiment_service.storage.generated_ids import random_hex_id
from experiment_service.storage.tables import (
    DatasetRecordRow,
    ExperimentRow,
    RunRow,
    SpanRow,
    table_of,
)
from experiment_service.types import RowValues

# Sortable trace fields of the API and the run columns they sort by.
TRACE_SORT_COLUMNS = {
    "created_at": "id",
    "status": "status",
    "total_cost": "cost_usd",
    "duration": "latency_ms",
}


async def create_from_dataset(
    session: Transaction,
    experiment_id: str,
    dataset_id: str,
    status: str,
    now: datetime,
    expires_at: datetime | None,
) -> int:
    """One trace per dataset row, copied inside the database in one statement; returns how
    many. Each trace gets an id of its own; the row it answers is its dataset_row_id and its
    test case (what pairs the traces of experiments over one dataset)."""
    table = table_of(RunRow).c
    rows = (
        select(
            literal(experiment_id),
            random_hex_id(),
            DatasetRecordRow.unique_id,
            DatasetRecordRow.unique_id,
            literal(status),
            DatasetRecordRow.input,
            DatasetRecordRow.expected_output,
            literal(0),
            literal(0),
            literal([], type_=table.model_names.type),
            literal([], type_=table.evaluator_results.type),
            literal({}, type_=table.metadata.type),
            literal(now, type_=table.ingested_at.type),
            literal(expires_at, type_=table.expires_at.type),
        )
        .where(DatasetRecordRow.dataset_id == dataset_id)
        .order_by(DatasetRecordRow.id)
    )
    columns = [
        "experiment_id",
        "session_id",
        "dataset_row_id",
        "test_case_id",
        "status",
        "input",
        "expected_output",
        "input_tokens",
        "output_tokens",
        "model_names",
        "evaluator_results",
        "metadata",
        "ingested_at",
        "expires_at",
    ]
    result = await session.execute(insert(table_of(RunRow)).from_select(columns, rows))
    return affected_rows(result)


async def finish_where_status(
    session: Transaction,
    experiment_id: str,
    statuses: tuple[str, ...],
    values: RowValues,
) -> int:
    """Set `values` on the experiment's traces in one of `statuses`; returns how many."""
    result = await session.execute(
        update(RunRow)
        .where(RunRow.experiment_id == experiment_id, RunRow.status.in_(statuses))
        .values(**values)
    )
    return affected_rows(result)


async def reset_for_rerun(
    session: Transaction, experiment_id: str, statuses: tuple[str, ...]
) -> int:
    """Make the experiment's traces in `statuses` pending again, without their spans, leases
    or error; returns how many. Their last results stay until new ones replace them (so the
    counts that ingestion keeps, of models and scores, stay exact)."""
    chosen = select(RunRow.id).where(
        RunRow.experiment_id == experiment_id, RunRow.status.in_(statuses)
    )
    await session.execute(delete(SpanRow).where(SpanRow.run_id.in_(chosen)))
    result = await session.execute(
        update(RunRow)
        .where(RunRow.experiment_id == experiment_id, RunRow.status.in_(statuses))
        .values(
            status=RunStatus.PENDING,
            error_message=None,
            ended_at=None,
            lease_owner=None,
            lease_expires_at=None,
            attempts=0,
        )
    )
    return affected_rows(result)


async def recount_finished(
    session: Transaction, experiment_id: str, unfinished: tuple[str, ...]
) -> int:
    """Count the experiment's finished traces again, from the traces themselves."""
    finished = await session.scalar(
        select(func.count()).where(
            RunRow.experiment_id == experiment_id, RunRow.status.not_in(unfinished)
        )
    )
    return int(finished or 0)


async def count_finished(
    session: Transaction, experiment_id: str, newly_finished: int, now: datetime
) -> tuple[int, int]:
    """Add to the experiment's count of finished traces with one atomic UPDATE ... RETURNING
    (concurrent writers never lose an increment); returns (finished, total)."""
    finished, total = (
        await session.execute(
            update(ExperimentRow)
            .where(ExperimentRow.id == experiment_id)
            .values(finished_count=ExperimentRow.finished_count + newly_finished, updated_at=now)
            .returning(ExperimentRow.finished_count, ExperimentRow.run_count)
        )
    ).one()
    return int(finished), int(total)


async def update_experiment(
    session: Transaction,
    experiment_id: str,
    values: RowValues,
    *,
    statuses: tuple[str, ...] | None = None,
) -> None:
    """Set `values` on the experiment (only while its status is one of `statuses`, if given)."""
    statement = update(ExperimentRow).where(ExperimentRow.id == experiment_id)
    if statuses is not None:
        statement = statement.where(ExperimentRow.status.in_(statuses))
    await session.execute(statement.values(**values))


async def refresh(session: Transaction, row: object) -> None:
    """Reload a row that statements of this transaction changed."""
    await session.refresh(row)


async def experiment(session: Transaction, experiment_id: str) -> ExperimentRow | None:
    return await session.get(ExperimentRow, experiment_id)


async def delete_experiment(session: Transaction, experiment_id: str) -> None:
    """The experiment, with its traces, spans, scores and cached rollups (foreign keys
    cascade)."""
    await session.execute(delete(ExperimentRow).where(ExperimentRow.id == experiment_id))


async def page_traces(
    session: Transaction,
    experiment_id: str,
    *,
    sort_field: str,
    descending: bool,
    offset: int,
    limit: int,
    status: str | None = None,
) -> tuple[list[RunRow], int]:
    """One page of the experiment's traces (of one status, if given), sorted by an API field
    (ties break on id)."""
    column: Any = getattr(RunRow, TRACE_SORT_COLUMNS[sort_field])
    ordering = (column.desc(), RunRow.id.desc()) if descending else (column, RunRow.id)
    where = RunRow.experiment_id == experiment_id
    if status is not None:
        where = where & (RunRow.status == status)
    total = await session.scalar(select(func.count()).where(where))
    runs = await session.scalars(
        select(RunRow).where(where).order_by(*ordering).offset(offset).limit(limit)
    )
    return list(runs), int(total or 0)


async def trace(session: Transaction, experiment_id: str, trace_id: str) -> RunRow | None:
    run: RunRow | None = await session.scalar(
        select(RunRow).where(RunRow.experiment_id == experiment_id, RunRow.session_id == trace_id)
    )
    return run


async def run(session: Transaction, run_id: int) -> RunRow | None:
    return await session.get(RunRow, run_id)


async def spans_of(session: Transaction, run_id: int) -> list[SpanRow]:
    """A trace's spans, in the order they ran."""
    spans = await session.scalars(
        select(SpanRow).where(SpanRow.run_id == run_id).order_by(SpanRow.position)
    )
    return list(spans)


async def spans_of_runs(session: Transaction, run_ids: list[int]) -> dict[int, list[SpanRow]]:
    """The spans of several traces (one page of a list), by run id, each in the order they ran."""
    found: dict[int, list[SpanRow]] = {run_id: [] for run_id in run_ids}
    if run_ids:
        spans = await session.scalars(
            select(SpanRow)
            .where(SpanRow.run_id.in_(run_ids))
            .order_by(SpanRow.run_id, SpanRow.position)
        )
        for span in spans:
            found[span.run_id].append(span)
    return found


async def add_spans(session: Transaction, run_id: int, spans: list[RowValues]) -> None:
    if spans:
        await session.execute(
            insert(table_of(SpanRow)), [{**span, "run_id": run_id} for span in spans]
        )


Totals = tuple[int, float | None, int | None, int | None, float | None]


def _totals_columns() -> tuple[Any, ...]:
    return (
        func.count(),
        func.sum(RunRow.cost_usd),
        func.sum(RunRow.input_tokens),
        func.sum(RunRow.output_tokens),
        func.avg(RunRow.latency_ms),
    )


def _totals_of(row: Any) -> Totals:
    count, cost, prompt_tokens, completion_tokens, latency_ms = row
    return (
        int(count),
        None if cost is None else float(cost),
        None if prompt_tokens is None else int(prompt_tokens),
        None if completion_tokens is None else int(completion_tokens),
        None if latency_ms is None else float(latency_ms),
    )


async def totals(session: Transaction, experiment_id: str) -> Totals:
    """(count, total cost, prompt tokens, completion tokens, mean latency in ms) of the
    experiment's traces."""
    statement = select(*_totals_columns()).where(RunRow.experiment_id == experiment_id)
    return _totals_of((await session.execute(statement)).one())


async def totals_and_counts(
    session: Transaction, experiment_id: str
) -> tuple[Totals, dict[str, int]]:
    """The totals, and how many traces are in each status, in one statement: a watcher reads
    them many times a second while a run keeps the event loop busy."""
    mine = RunRow.experiment_id == experiment_id
    # A status is never NULL, so NULL marks the totals row.
    overall = select(null(), *_totals_columns()).where(mine)
    per_status = (
        select(RunRow.status, func.count(), null(), null(), null(), null())
        .where(mine)
        .group_by(RunRow.status)
    )
    found: Totals = (0, None, None, None, None)
    counts: dict[str, int] = {}
    for status, *values in (await session.execute(union_all(overall, per_status))).all():
        if status is None:
            found = _totals_of(values)
        else:
            counts[str(status)] = int(values[0])
    return found, counts
