"""Platform experiments: traces over a dataset, filled by workflows, scored by evaluators.

A trace is a run of the experiment, stored like an intake session (its id is the dataset row's
id, unique within the experiment), so rollups and the logs summary come from the same place.
Status: custom experiments start `running` and complete when no trace is pending (submitted
or expired); built-in ones start `pending` until the runner takes them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.domain.clock import utcnow
from experiment_service.domain.errors import FailedPrecondition, NotFound
from experiment_service.domain.intake.sessions import run_values, session_scores
from experiment_service.domain.listing import Page, parse_sort, platform_page
from experiment_service.domain.models import EvaluatorResult, Session
from experiment_service.domain.platform import workflows as workflow_rules
from experiment_service.domain.platform.datasets import new_platform_id
from experiment_service.domain.platform.evaluators import by_slugs, score_with_code
from experiment_service.domain.platform.models import (
    Evaluator,
    PlatformExperiment,
    ScoreResult,
    Span,
    Trace,
    TraceSummary,
)
from experiment_service.domain.platform.resources import apply_patch, check_patch, list_page
from experiment_service.domain.rollups import read_rollups, remember
from experiment_service.domain.validation import Violations
from experiment_service.storage.database import Database
from experiment_service.storage.queries import runs as run_queries
from experiment_service.storage.queries.owned import get_owned
from experiment_service.storage.tables import (
    DatasetRecordRow,
    DatasetRow,
    ExperimentRow,
    PromptRow,
    RunRow,
    SpanRow,
)

PLATFORM = "platform"
SORT_FIELDS = ("name", "created_at", "updated_at", "status")
TRACE_SORTS = {
    "created_at": "id",
    "status": "status",
    "total_cost": "cost_usd",
    "duration": "latency_ms",
}
PENDING, RUNNING, COMPLETED, CANCELLED = "pending", "running", "completed", "cancelled"
UNFINISHED = ("pending", "running")
DATA_TYPES = {
    "numerical": "NUMERIC",
    "boolean": "BOOLEAN",
    "categorical": "CATEGORICAL",
    "text": "TEXT",
}
SCORE_VALUE_TYPES = {data_type: value_type for value_type, data_type in DATA_TYPES.items()}


class PlatformExperiments:
    def __init__(self, database: Database, on_created: Callable[[], None] = lambda: None) -> None:
        self._db = database
        # Wakes a local runner at once; other replicas find the work when they next poll.
        self._on_created = on_created

    async def create(
        self,
        workspace: str,
        name: str,
        description: str | None,
        dataset_id: str,
        workflows: list[dict[str, Any]],
        evaluator_slugs: list[str],
    ) -> PlatformExperiment:
        violations = Violations()
        violations.name("experiment.name", name)
        violations.text("experiment.description", description)
        prompt_ids = workflow_rules.validate(violations, workflows)
        if len(set(evaluator_slugs)) != len(evaluator_slugs):
            violations.add("experiment.evaluator_slugs", "Evaluator slugs repeat", "value_error")
        now = utcnow()
        custom = workflow_rules.is_custom(workflows)
        async with self._db.transaction(write=True) as session:
            await _check_references(
                session,
                violations,
                workspace,
                dataset_id,
                workflows,
                prompt_ids,
                evaluator_slugs,
            )
            violations.raise_if_any()
            row = ExperimentRow(
                id=new_platform_id(),
                workspace=workspace,
                kind=PLATFORM,
                name=name,
                description=description,
                metadata_json={},
                created_at=now,
                updated_at=now,
                deleted_at=None,
                run_count=0,
                runs_version=1,
                dataset_id=dataset_id,
                workflows=workflows,
                evaluator_slugs=evaluator_slugs,
                status=RUNNING if custom else PENDING,
                progress=0.0,
                started_at=now if custom else None,
            )
            session.add(row)
            await session.flush()
            row.run_count = await _create_traces(session, row, now)
            if row.run_count == 0:
                row.status, row.progress, row.completed_at = COMPLETED, 100.0, now
        if not custom:
            self._on_created()
        return experiment_from_row(row)

    async def get(self, workspace: str, experiment_id: str) -> PlatformExperiment:
        row = await self._refreshed(workspace, experiment_id)
        return experiment_from_row(row)

    async def list(
        self, workspace: str, page: int, page_size: int, sort_by: str
    ) -> Page[PlatformExperiment]:
        return await list_page(
            self._db,
            ExperimentRow,
            workspace,
            page=page,
            page_size=page_size,
            sort_by=sort_by,
            sort_fields=SORT_FIELDS,
            to_domain=experiment_from_row,
            where=(ExperimentRow.kind == PLATFORM,),
        )

    async def update(
        self, workspace: str, experiment_id: str, name: str | None, description: str | None
    ) -> PlatformExperiment:
        check_patch(name, description, "experiment.")
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            apply_patch(row, name, description)
            row.updated_at = utcnow()
        return experiment_from_row(row)

    async def cancel(self, workspace: str, experiment_id: str) -> PlatformExperiment:
        """Stop an unfinished experiment: pending traces are cancelled, finished ones stay, and
        traces being run now are stored when they finish."""
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            if row.status not in UNFINISHED:
                raise FailedPrecondition(f"Experiment '{experiment_id}' is already {row.status}.")
            cancelled = await session.execute(
                update(RunRow)
                .where(RunRow.experiment_id == row.id, RunRow.status == PENDING)
                .values(status=CANCELLED, error_message="Cancelled.", ended_at=now)
            )
            await run_queries.bump_runs_version(session, row.id)
            row.status, row.completed_at = CANCELLED, now
            await session.flush()
            await update_progress(session, row, _rowcount(cancelled), now)
        return experiment_from_row(row)

    async def delete(self, workspace: str, experiment_id: str) -> None:
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            # Traces, spans, scores and cached rollups go with it (foreign keys cascade).
            await session.execute(delete(ExperimentRow).where(ExperimentRow.id == row.id))

    async def list_traces(
        self, workspace: str, experiment_id: str, page: int, page_size: int, sort_by: str
    ) -> Page[Trace]:
        violations = Violations()
        request = platform_page(violations, page, page_size)
        order = parse_sort(
            violations, sort_by, tuple(TRACE_SORTS), field="sort_by", default="created_at"
        )
        violations.raise_if_any()
        row = await self._refreshed(workspace, experiment_id)
        column = getattr(RunRow, TRACE_SORTS[order.field])
        ordering = (column.desc(), RunRow.id.desc()) if order.descending else (column, RunRow.id)
        async with self._db.transaction() as session:
            where = RunRow.experiment_id == row.id
            total = await session.scalar(select(func.count()).where(where))
            runs = await session.scalars(
                select(RunRow)
                .where(where)
                .order_by(*ordering)
                .offset(request.offset)
                .limit(request.page_size)
            )
            traces = [trace_from_row(run, row) for run in runs]
        return Page(traces, request, int(total or 0))

    async def get_trace(self, workspace: str, experiment_id: str, trace_id: str) -> Trace:
        row = await self._refreshed(workspace, experiment_id)
        async with self._db.transaction() as session:
            run = await _trace(session, row.id, trace_id)
            spans = await session.scalars(
                select(SpanRow).where(SpanRow.run_id == run.id).order_by(SpanRow.position)
            )
            return trace_from_row(run, row, [span_from_row(span) for span in spans])

    async def submit_result(
        self,
        workspace: str,
        experiment_id: str,
        trace_id: str,
        output: Any,
        input_: Any,
        metrics: dict[str, Any],
        metadata: dict[str, Any],
        human_scores: dict[str, Any],
    ) -> Trace:
        """Store a custom workflow's result for a trace and score it with the experiment's
        evaluators, in one transaction."""
        violations = Violations()
        if output is None:
            violations.add("output", "Field required", "missing")
        for key in ("cost", "latency", "prompt_tokens", "completion_tokens"):
            violations.number_range(f"metrics.{key}", metrics.get(key), ge=0)
        violations.text("metrics.model", metrics.get("model"), 255)
        violations.json_object_size("metadata", metadata)
        violations.json_value("output", output)
        violations.json_value("input", input_)
        violations.raise_if_any()
        row = await self._refreshed(workspace, experiment_id)
        if not workflow_rules.is_custom(row.workflows or []):
            raise FailedPrecondition(
                "Results can be submitted only to experiments with a custom workflow."
            )
        config = (row.workflows or [{}])[0].get("config") or {}
        if not config.get("allow_submission", True):
            raise FailedPrecondition("This experiment does not allow submissions.")
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            run = await _trace(session, row.id, trace_id)
            if run.status == "expired":
                raise FailedPrecondition(f"Trace '{trace_id}' expired; it takes no results.")
            evaluators = await by_slugs(session, workspace, list(row.evaluator_slugs or []))
            bad = _check_human_scores(evaluators, human_scores)
            if bad:
                raise bad
            final_input = input_ if input_ is not None else run.input
            scores, _ = await score_trace(
                evaluators, final_input, output, run.expected_output, human_scores=human_scores
            )
            latency = metrics.get("latency")
            model = metrics.get("model")
            result = Session(
                session_id=run.session_id,
                experiment_name=row.name,
                status="success",
                started_at=run.ingested_at,
                ended_at=now,
                latency_ms=latency * 1000 if latency is not None else None,
                input=final_input,
                output=output,
                model_names=[model] if model else [],
                input_tokens=int(metrics.get("prompt_tokens") or 0),
                output_tokens=int(metrics.get("completion_tokens") or 0),
                cost_usd=metrics.get("cost"),
                evaluator_results=[result for _, result in scores],
                metadata=metadata,
            )
            step = workflow_span(
                0,
                workflow_rules.CUSTOM,
                final_input,
                output,
                model,
                result.input_tokens,
                result.output_tokens,
                result.cost_usd or 0.0,
                latency or 0.0,
                None,
                run.ingested_at,
                now,
            )
            spans = [step, *evaluator_spans(1, scores, output, now)]
            new_run = await record_result(session, row, run, result, spans, None, now)
            return trace_from_row(new_run, row, [span_from_row(SpanRow(**s)) for s in spans])

    async def summary(self, workspace: str, experiment_id: str) -> TraceSummary:
        row = await self._refreshed(workspace, experiment_id)
        async with self._db.transaction() as session:
            totals = (
                await session.execute(
                    select(
                        func.count(),
                        func.sum(RunRow.cost_usd),
                        func.sum(RunRow.input_tokens),
                        func.sum(RunRow.output_tokens),
                        func.avg(RunRow.latency_ms),
                    ).where(RunRow.experiment_id == row.id)
                )
            ).one()
            rollups, fresh = await read_rollups(session, [row])
        await remember(self._db, fresh)
        count, cost, prompt_tokens, completion_tokens, latency_ms = totals
        return TraceSummary(
            total_count=int(count),
            total_cost=float(cost or 0.0),
            total_prompt_tokens=int(prompt_tokens or 0),
            total_completion_tokens=int(completion_tokens or 0),
            avg_latency=float(latency_ms) / 1000 if latency_ms is not None else None,
            scores=dict(rollups[row.id].aggregate_scores),
        )

    async def _refreshed(self, workspace: str, experiment_id: str) -> ExperimentRow:
        """The experiment, after expiring traces whose submission window has passed."""
        async with self._db.transaction() as session:
            row = await _owned(session, workspace, experiment_id)
        deadline = submission_deadline(row)
        if row.status != RUNNING or deadline is None or utcnow() < deadline:
            return row
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            now = utcnow()
            expired = await session.execute(
                update(RunRow)
                .where(RunRow.experiment_id == row.id, RunRow.status == PENDING)
                .values(status="expired", error_message="No result before the timeout.")
            )
            await run_queries.bump_runs_version(session, row.id)
            await update_progress(session, row, _rowcount(expired), now)
        return row


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def submission_deadline(row: ExperimentRow) -> datetime | None:
    if not workflow_rules.is_custom(row.workflows or []):
        return None
    hours = ((row.workflows or [{}])[0].get("config") or {}).get("timeout_hours")
    return row.created_at + timedelta(hours=float(hours)) if hours else None


async def _check_references(
    session: AsyncSession,
    violations: Violations,
    workspace: str,
    dataset_id: str,
    workflows: list[dict[str, Any]],
    prompt_ids: list[str],
    evaluator_slugs: list[str],
) -> None:
    if violations.required("experiment.dataset_id", dataset_id):
        if await get_owned(session, DatasetRow, workspace, dataset_id) is None:
            violations.add(
                "experiment.dataset_id", f"Dataset '{dataset_id}' not found.", "not_found"
            )
    for index, workflow in enumerate(workflows):
        prompt_id = (workflow.get("config") or {}).get("prompt_id")
        if workflow.get("type") != workflow_rules.PROMPT or prompt_id not in prompt_ids:
            continue
        prompt = await get_owned(session, PromptRow, workspace, prompt_id)
        field = f"experiment.workflows[{index}].config.prompt_id"
        if prompt is None:
            violations.add(field, f"Prompt '{prompt_id}' not found.", "not_found")
        elif prompt.latest_version == 0:
            violations.add(field, f"Prompt '{prompt_id}' has no versions yet.", "value_error")
    found = {e.slug for e in await by_slugs(session, workspace, evaluator_slugs)}
    for index, slug in enumerate(evaluator_slugs):
        if slug not in found:
            violations.add(
                f"experiment.evaluator_slugs[{index}]",
                f"Evaluator '{slug}' not found.",
                "not_found",
            )


async def _create_traces(session: AsyncSession, row: ExperimentRow, now: datetime) -> int:
    """One pending trace per dataset row, copied inside the database in one statement."""
    deadline = submission_deadline(row)
    table = RunRow.__table__.c
    rows = (
        select(
            literal(row.id),
            DatasetRecordRow.unique_id,
            DatasetRecordRow.unique_id,
            literal(PENDING),
            DatasetRecordRow.input,
            DatasetRecordRow.expected_output,
            literal(0),
            literal(0),
            literal([], type_=table.model_names.type),
            literal([], type_=table.evaluator_results.type),
            literal({}, type_=table.metadata.type),
            literal(now, type_=table.ingested_at.type),
            literal(deadline, type_=table.expires_at.type),
        )
        .where(DatasetRecordRow.dataset_id == row.dataset_id)
        .order_by(DatasetRecordRow.id)
    )
    columns = [
        "experiment_id",
        "session_id",
        "dataset_row_id",
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
    result = await session.execute(insert(RunRow.__table__).from_select(columns, rows))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def update_progress(
    session: AsyncSession, row: ExperimentRow, newly_finished: int, now: datetime
) -> None:
    """Count traces that just finished; complete the experiment when none is left.

    The count moves with one atomic UPDATE ... RETURNING, so concurrent writers (several
    runners, several replicas) never lose an increment, and no write rescans the traces.
    """
    counted = (
        await session.execute(
            update(ExperimentRow)
            .where(ExperimentRow.id == row.id)
            .values(finished_count=ExperimentRow.finished_count + newly_finished, updated_at=now)
            .returning(ExperimentRow.finished_count, ExperimentRow.run_count)
        )
    ).one()
    finished, total = counted
    values: dict[str, Any] = {"progress": 100.0 * finished / total if total else 100.0}
    if finished >= total:
        await session.execute(
            update(ExperimentRow)
            .where(ExperimentRow.id == row.id, ExperimentRow.status.in_(UNFINISHED))
            .values(status=COMPLETED, completed_at=now)
        )
    await session.execute(update(ExperimentRow).where(ExperimentRow.id == row.id).values(**values))
    await session.refresh(row)


def _check_human_scores(
    evaluators: list[Evaluator], human_scores: dict[str, Any]
) -> FailedPrecondition | None:
    humans = {e.slug for e in evaluators if e.type == "human"}
    unknown = sorted(set(human_scores) - humans)
    if unknown:
        return FailedPrecondition(f"Not human evaluators of this experiment: {', '.join(unknown)}.")
    return None


# A judge scores with an LLM: (evaluator, input, output, expected) -> (score, call usage).
Judge = Callable[[Evaluator, Any, Any, Any], Awaitable[tuple[ScoreResult, dict[str, Any] | None]]]
NO_JUDGE_REASON = "LLM judges run with the workflow runner and a configured LLM provider."


async def score_trace(
    evaluators: list[Evaluator],
    input_: Any,
    output: Any,
    expected: Any,
    *,
    human_scores: dict[str, Any] | None = None,
    judge: Judge | None = None,
) -> tuple[list[tuple[Evaluator, EvaluatorResult]], dict[str, dict[str, Any]]]:
    """Every evaluator's verdict on one trace (code directly, LLM through `judge`, human from
    `human_scores`, skipped when absent), and each judge call's usage by slug."""
    scored: list[tuple[Evaluator, EvaluatorResult]] = []
    usage: dict[str, dict[str, Any]] = {}
    for evaluator in evaluators:
        if evaluator.type == "code":
            score = score_with_code(evaluator, output, expected)
        elif evaluator.type == "human":
            if evaluator.slug not in (human_scores or {}):
                continue
            score = ScoreResult((human_scores or {})[evaluator.slug], evaluator.score_value_type)
        elif judge is None:
            score = ScoreResult(None, evaluator.score_value_type, NO_JUDGE_REASON)
        else:
            score, call = await judge(evaluator, input_, output, expected)
            if call is not None:
                usage[evaluator.slug] = call
        scored.append((evaluator, to_result(evaluator, score)))
    return scored, usage


def to_result(evaluator: Evaluator, score: ScoreResult) -> EvaluatorResult:
    data_type = DATA_TYPES[evaluator.score_value_type]
    value = score.value
    if score.error is not None or value is None:
        return EvaluatorResult(evaluator.slug, data_type, error=score.error or "No score.")
    if data_type in ("CATEGORICAL", "TEXT"):
        return EvaluatorResult(evaluator.slug, data_type, string_value=str(value))
    number = value if isinstance(value, bool) else float(value)
    return EvaluatorResult(evaluator.slug, data_type, value=number)


async def record_result(
    session: AsyncSession,
    experiment: ExperimentRow,
    run: RunRow,
    result: Session,
    spans: list[dict[str, Any]],
    error: str | None,
    now: datetime,
    *,
    count_progress: bool = True,
) -> RunRow:
    """Store a trace's outcome through the same path as an intake session (scores, model
    counts, rollup invalidation), with its spans, and move the experiment's progress on
    (unless the caller counts finished traces itself: `finished_now` says whether this one
    just finished)."""
    values = run_values(experiment.id, result, run.ingested_at)
    values.update(
        dataset_row_id=run.dataset_row_id,
        expected_output=run.expected_output,
        error_message=error,
        expires_at=run.expires_at,
        attempts=run.attempts,
        lease_owner=None,
        lease_expires_at=None,
    )
    scores = [
        {"experiment_id": experiment.id, "session_id": run.session_id, "name": name, "value": v}
        for name, v in session_scores(result.evaluator_results).items()
    ]
    await run_queries.replace_runs(session, experiment.id, [values], scores)
    stored = await _trace(session, experiment.id, run.session_id)
    if spans:
        await session.execute(
            insert(SpanRow.__table__), [{**span, "run_id": stored.id} for span in spans]
        )
    if count_progress:
        await update_progress(session, experiment, int(finished_now(run, result)), now)
    return stored


def finished_now(run: RunRow, result: Session) -> bool:
    return run.status in UNFINISHED and result.status not in UNFINISHED


def workflow_span(
    position: int,
    name: str,
    input_: Any,
    output: Any,
    model: str | None,
    prompt_tokens: int,
    completion_tokens: int,
    cost: float,
    latency: float,
    error: str | None,
    start: datetime | None,
    end: datetime,
) -> dict[str, Any]:
    return {
        "id": new_platform_id(),
        "position": position,
        "kind": "workflow",
        "name": name,
        "status": "error" if error else "success",
        "input": input_,
        "output": output,
        "model": model,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "cost": cost,
        "latency": latency,
        "error": error,
        "start_time": start,
        "end_time": end,
    }


def evaluator_spans(
    first_position: int,
    scores: list[tuple[Evaluator, EvaluatorResult]],
    scored_output: Any,
    now: datetime,
    usage: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One span per evaluator run; `usage` adds a judge call's tokens, cost and latency."""
    spans = []
    for position, (evaluator, score) in enumerate(scores, start=first_position):
        call = (usage or {}).get(evaluator.slug, {})
        spans.append(
            {
                "id": new_platform_id(),
                "position": position,
                "kind": "evaluator",
                "name": evaluator.slug,
                "status": "error" if score.error else "success",
                "input": scored_output,
                "output": None
                if score.error
                else (score.value if score.value is not None else score.string_value),
                "model": evaluator.config.get("model"),
                "prompt_tokens": call.get("prompt_tokens", 0),
                "completion_tokens": call.get("completion_tokens", 0),
                "cost": call.get("cost", 0.0),
                "latency": call.get("latency", 0.0),
                "error": score.error,
                "start_time": call.get("start_time", now),
                "end_time": now,
            }
        )
    return spans


async def _owned(session: AsyncSession, workspace: str, experiment_id: str) -> ExperimentRow:
    row = await get_owned(
        session, ExperimentRow, workspace, experiment_id, ExperimentRow.kind == PLATFORM
    )
    if row is None:
        raise NotFound(f"Experiment '{experiment_id}' not found.")
    return row


async def _trace(session: AsyncSession, experiment_id: str, trace_id: str) -> RunRow:
    run = await session.scalar(
        select(RunRow).where(RunRow.experiment_id == experiment_id, RunRow.session_id == trace_id)
    )
    if run is None:
        raise NotFound(f"Trace '{trace_id}' not found.")
    return run


def experiment_from_row(row: ExperimentRow) -> PlatformExperiment:
    return PlatformExperiment(
        id=row.id,
        name=row.name,
        description=row.description,
        dataset_id=row.dataset_id or "",
        workflows=list(row.workflows or []),
        evaluator_slugs=list(row.evaluator_slugs or []),
        status=row.status or PENDING,
        progress=row.progress,
        error_message=row.error_message,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        completed_at=row.completed_at,
    )


def trace_from_row(
    run: RunRow, experiment: ExperimentRow, spans: list[Span] | None = None
) -> Trace:
    scores: dict[str, ScoreResult] = {}
    for result in run.evaluator_results or []:
        value = result.get("value")
        if value is None:
            value = result.get("string_value")
        scores[result["name"]] = ScoreResult(
            value, SCORE_VALUE_TYPES.get(result["data_type"], ""), result.get("error")
        )
    finished = run.status not in UNFINISHED
    duration = run.latency_ms / 1000 if run.latency_ms is not None else None
    return Trace(
        id=run.session_id,
        experiment_id=experiment.id,
        dataset_row_id=run.dataset_row_id,
        status=run.status,
        input=run.input,
        output=run.output,
        expected_output=run.expected_output,
        model=(run.model_names or [None])[-1],
        total_cost=run.cost_usd or 0.0,
        total_prompt_tokens=run.input_tokens,
        total_completion_tokens=run.output_tokens,
        duration=duration,
        scores=scores,
        start_time=run.started_at or run.ingested_at,
        end_time=run.ended_at if finished else None,
        metadata=dict(run.metadata_json or {}),
        error_message=run.error_message,
        spans=spans or [],
    )


def span_from_row(row: SpanRow) -> Span:
    return Span(
        id=row.id,
        kind=row.kind,
        name=row.name,
        status=row.status,
        input=row.input,
        output=row.output,
        model=row.model,
        prompt_tokens=row.prompt_tokens or 0,
        completion_tokens=row.completion_tokens or 0,
        cost=row.cost or 0.0,
        latency=row.latency or 0.0,
        error=row.error,
        start_time=row.start_time,
        end_time=row.end_time,
    )
