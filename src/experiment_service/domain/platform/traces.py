"""Traces of platform experiments: their creation, their outcomes, and the experiment's progress.

A trace is a run of the experiment, stored like an intake session (with an id of its own; the
dataset row it answers is its `dataset_row_id` and test case), so rollups and the logs summary
come from the same place.
Both the API (custom workflows' submissions) and the runner store outcomes through
`record_result`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from experiment_service.domain.errors import NotFound
from experiment_service.domain.evaluator_scores import score_rows
from experiment_service.domain.intake.sessions import run_values
from experiment_service.domain.models import Session
from experiment_service.domain.platform import workflows as workflow_rules
from experiment_service.domain.platform.models import ScoreResult, Span, Trace
from experiment_service.statuses import (
    UNFINISHED_EXPERIMENT,
    UNFINISHED_RUN,
    ExperimentStatus,
    RunStatus,
    ScoreValueType,
)
from experiment_service.storage import queries
from experiment_service.storage.database import Transaction
from experiment_service.storage.tables import ExperimentRow, RunRow
from experiment_service.types import RowValues


def submission_deadline(row: ExperimentRow) -> datetime | None:
    """When a custom workflow's pending traces expire (None: never, or not custom)."""
    if not workflow_rules.is_custom(row.workflows or []):
        return None
    hours = ((row.workflows or [{}])[0].get("config") or {}).get("timeout_hours")
    return row.created_at + timedelta(hours=float(hours)) if hours else None


async def create_traces(session: Transaction, row: ExperimentRow, now: datetime) -> int:
    """One pending trace per dataset row; returns how many."""
    return await queries.traces.create_from_dataset(
        session, row.id, row.dataset_id or "", RunStatus.PENDING, now, submission_deadline(row)
    )


async def finish_pending(
    session: Transaction, row: ExperimentRow, values: RowValues, now: datetime
) -> None:
    """Finish the experiment's pending traces with `values` (cancelled, expired), count them."""
    finished = await queries.traces.finish_where_status(
        session, row.id, (RunStatus.PENDING,), values
    )
    await queries.runs.bump_runs_version(session, row.id)
    await update_progress(session, row, finished, now)


async def update_progress(
    session: Transaction, row: ExperimentRow, newly_finished: int, now: datetime
) -> None:
    """Count traces that just finished; complete the experiment when none is left. No write
    rescans the traces, and concurrent writers never lose a count."""
    finished, total = await queries.traces.count_finished(session, row.id, newly_finished, now)
    if finished >= total:
        await queries.traces.update_experiment(
            session,
            row.id,
            {"status": ExperimentStatus.COMPLETED, "completed_at": now},
            statuses=UNFINISHED_EXPERIMENT,
        )
    progress = 100.0 * finished / total if total else 100.0
    await queries.traces.update_experiment(session, row.id, {"progress": progress})
    await queries.traces.refresh(session, row)


async def record_result(
    session: Transaction,
    experiment: ExperimentRow,
    run: RunRow,
    result: Session,
    spans: list[RowValues],
    error: str | None,
    now: datetime,
    *,
    count_progress: bool = True,
) -> RunRow:
    """Store a trace's outcome through the same path as an intake session (scores, model
    counts, rollup invalidation), with its spans, and move the experiment's progress on
    (unless the caller counts finished traces itself, with `finished_now`)."""
    values = run_values(experiment.id, result, run.ingested_at, result.evaluator_results)
    values.update(
        test_case_id=run.test_case_id,
        dataset_row_id=run.dataset_row_id,
        expected_output=run.expected_output,
        error_message=error,
        expires_at=run.expires_at,
        attempts=run.attempts,
        lease_owner=None,
        lease_expires_at=None,
    )
    scores = score_rows(experiment.id, run.session_id, run.test_case_id, result.evaluator_results)
    await queries.runs.replace_runs(session, experiment.id, [values], scores)
    stored = await owned_trace(session, experiment.id, run.session_id)
    await queries.traces.add_spans(session, stored.id, spans)
    if count_progress:
        await update_progress(session, experiment, int(finished_now(run, result)), now)
    return stored


def finished_now(run: RunRow, result: Session) -> bool:
    """Whether storing `result` finishes a trace that was not finished before."""
    return run.status in UNFINISHED_RUN and result.status not in UNFINISHED_RUN


async def owned_trace(session: Transaction, experiment_id: str, trace_id: str) -> RunRow:
    run = await queries.traces.trace(session, experiment_id, trace_id)
    if run is None:
        raise NotFound(f"Trace '{trace_id}' not found.")
    return run


def trace_from_row(
    run: RunRow, experiment: ExperimentRow, spans: list[Span] | None = None
) -> Trace:
    scores: dict[str, ScoreResult] = {}
    for result in run.evaluator_results or []:
        value = result.get("value")
        if value is None:
            value = result.get("string_value")
        value_type = ScoreValueType.of(result["data_type"])
        scores[result["name"]] = ScoreResult(value, value_type or "", result.get("error"))
    finished = run.status not in UNFINISHED_RUN
    duration = run.latency_ms / 1000 if run.latency_ms is not None else None
    return Trace(
        id=run.session_id,
        experiment_id=experiment.id,
        dataset_row_id=run.dataset_row_id,
        status=run.status,
        input=run.input,
        output=run.output,
        expected_output=run.expected_output,
        model=run.model_names[-1] if run.model_names else None,
        total_cost=run.cost_usd or 0.0,
        total_prompt_tokens=run.input_tokens or 0,
        total_completion_tokens=run.output_tokens or 0,
        duration=duration,
        scores=scores,
        start_time=run.started_at or run.ingested_at,
        end_time=run.ended_at if finished else None,
        metadata=dict(run.metadata_json or {}),
        error_message=run.error_message,
        spans=spans or [],
    )
