"""Platform experiments: traces over a dataset, filled by workflows, scored by evaluators.

Status: custom experiments start `running` and complete when no trace is pending (submitted
or expired); built-in ones start `pending` until the runner takes them.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable, Hashable, Mapping

from experiment_service.domain.clock import new_platform_id, utcnow
from experiment_service.domain.errors import FailedPrecondition
from experiment_service.domain.exports import export_format, export_runs, scored_names
from experiment_service.domain.listing import Page, parse_sort, platform_page
from experiment_service.domain.models import Aggregate, Session
from experiment_service.domain.platform import workflows as workflow_rules
from experiment_service.domain.platform.evaluators import by_slugs
from experiment_service.domain.platform.models import (
    ExperimentEvent,
    PlatformExperiment,
    Trace,
    TraceSummary,
)
from experiment_service.domain.platform.resources import (
    apply_patch,
    check_patch,
    list_page,
    require_owned,
)
from experiment_service.domain.platform.scoring import check_human_scores, score_trace
from experiment_service.domain.platform.spans import (
    CallUsage,
    evaluator_spans,
    span,
    span_from_row,
    span_from_values,
)
from experiment_service.domain.platform.traces import (
    create_traces,
    finish_pending,
    owned_trace,
    record_result,
    submission_deadline,
    trace_from_row,
)
from experiment_service.domain.rollups import read_rollups, remember, score_aggregates
from experiment_service.domain.validation import Violations
from experiment_service.domain.watching import Broadcasts
from experiment_service.statuses import (
    UNFINISHED_EXPERIMENT,
    UNFINISHED_RUN,
    ExperimentKind,
    ExperimentStatus,
    RunStatus,
    SpanKind,
    WorkflowType,
)
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.tables import DatasetRow, ExperimentRow, PromptRow, RunRow
from experiment_service.types import JSON, JSONObject, Workflow

SORT_FIELDS = ("name", "created_at", "updated_at", "status")
# What a rerun may take up again, and takes by default.
RERUNNABLE = (RunStatus.ERROR, RunStatus.EXPIRED, RunStatus.CANCELLED)
DEFAULT_RERUN = (RunStatus.ERROR, RunStatus.EXPIRED)
TRACE_STATUSES = tuple(s for s in RunStatus if s != RunStatus.UNKNOWN)
TRACE_SORT_FIELDS = tuple(queries.traces.TRACE_SORT_COLUMNS)


class PlatformExperiments:
    def __init__(self, database: Database, on_created: Callable[[], None] = lambda: None) -> None:
        self._db = database
        # Wakes a local runner at once; other replicas find the work when they next poll.
        self._on_created = on_created
        self._broadcasts = Broadcasts(database)

    async def create(
        self,
        workspace: str,
        name: str,
        description: str | None,
        dataset_id: str,
        workflows: list[Workflow],
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
                kind=ExperimentKind.PLATFORM,
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
                status=ExperimentStatus.RUNNING if custom else ExperimentStatus.PENDING,
                progress=0.0,
                started_at=now if custom else None,
            )
            queries.owned.add(session, row)
            await queries.owned.flush(session)
            row.run_count = await create_traces(session, row, now)
            if row.run_count == 0:
                row.status, row.progress, row.completed_at = ExperimentStatus.COMPLETED, 100.0, now
        if not custom:
            self._on_created()
        return experiment_from_row(row)

    async def get(self, workspace: str, experiment_id: str) -> PlatformExperiment:
        row = await self._refreshed(workspace, experiment_id)
        return experiment_from_row(row)

    async def list(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort_by: str,
        status: str | None = None,
    ) -> Page[PlatformExperiment]:
        _check_status("status", status, tuple(ExperimentStatus))
        equals: dict[str, object] = {"kind": ExperimentKind.PLATFORM}
        if status is not None:
            equals["status"] = status
        return await list_page(
            self._db,
            ExperimentRow,
            workspace,
            page=page,
            page_size=page_size,
            sort_by=sort_by,
            sort_fields=SORT_FIELDS,
            to_domain=experiment_from_row,
            equals=equals,
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
            if row.status not in UNFINISHED_EXPERIMENT:
                raise FailedPrecondition(f"Experiment '{experiment_id}' is already {row.status}.")
            row.status, row.completed_at = ExperimentStatus.CANCELLED, now
            await queries.owned.flush(session)
            cancelled = {
                "status": RunStatus.CANCELLED,
                "error_message": "Cancelled.",
                "ended_at": now,
            }
            await finish_pending(session, row, cancelled, now)
        return experiment_from_row(row)

    async def rerun(
        self, workspace: str, experiment_id: str, statuses: builtins.list[str]
    ) -> PlatformExperiment:
        """Put the traces that ended in `statuses` back in the queue; the runner runs them
        (and only them) again, and the experiment completes as usual."""
        chosen: tuple[str, ...] = tuple(statuses) or DEFAULT_RERUN
        violations = Violations()
        for index, status in enumerate(chosen):
            violations.one_of(f"statuses[{index}]", status, RERUNNABLE)
        violations.raise_if_any()
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            if workflow_rules.is_custom(row.workflows or []):
                raise FailedPrecondition(
                    "A custom workflow's results are submitted by its caller; "
                    "there is nothing for the service to run again."
                )
            if row.status in UNFINISHED_EXPERIMENT:
                raise FailedPrecondition(
                    f"Experiment '{experiment_id}' is still {row.status}; "
                    "rerun it once it has finished."
                )
            reset = await queries.traces.reset_for_rerun(session, row.id, chosen)
            if reset == 0:
                raise FailedPrecondition(
                    f"No trace of experiment '{experiment_id}' is {' or '.join(chosen)}."
                )
            await queries.runs.bump_runs_version(session, row.id)
            finished = await queries.traces.recount_finished(session, row.id, UNFINISHED_RUN)
            await queries.traces.update_experiment(
                session,
                row.id,
                {
                    "status": ExperimentStatus.PENDING,
                    "finished_count": finished,
                    "progress": 100.0 * finished / row.run_count if row.run_count else 100.0,
                    "error_message": None,
                    "completed_at": None,
                    "updated_at": now,
                },
            )
            await queries.traces.refresh(session, row)
        self._on_created()
        return experiment_from_row(row)

    async def delete(self, workspace: str, experiment_id: str) -> None:
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            await queries.traces.delete_experiment(session, row.id)

    async def list_traces(
        self,
        workspace: str,
        experiment_id: str,
        page: int | None,
        page_size: int | None,
        sort_by: str,
        status: str | None = None,
    ) -> Page[Trace]:
        _check_status("status", status, TRACE_STATUSES)
        violations = Violations()
        request = platform_page(violations, page, page_size)
        order = parse_sort(
            violations, sort_by, TRACE_SORT_FIELDS, field="sort_by", default="created_at"
        )
        violations.raise_if_any()
        row = await self._refreshed(workspace, experiment_id)
        async with self._db.transaction() as session:
            runs, total = await queries.traces.page_traces(
                session,
                row.id,
                sort_field=order.field,
                descending=order.descending,
                offset=request.offset,
                limit=request.page_size,
                status=status,
            )
            spans = await queries.traces.spans_of_runs(session, [run.id for run in runs])
        traces = [
            trace_from_row(run, row, [span_from_row(span) for span in spans[run.id]])
            for run in runs
        ]
        return Page(traces, request, total)

    async def get_trace(self, workspace: str, experiment_id: str, trace_id: str) -> Trace:
        row = await self._refreshed(workspace, experiment_id)
        async with self._db.transaction() as session:
            run = await owned_trace(session, row.id, trace_id)
            spans = await queries.traces.spans_of(session, run.id)
            return trace_from_row(run, row, [span_from_row(span) for span in spans])

    async def submit_result(
        self,
        workspace: str,
        experiment_id: str,
        trace_id: str,
        output: JSON,
        input_: JSON,
        metrics: JSONObject,
        metadata: JSONObject,
        human_scores: JSONObject,
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
            run = await owned_trace(session, row.id, trace_id)
            if run.status == RunStatus.EXPIRED:
                raise FailedPrecondition(f"Trace '{trace_id}' expired; it takes no results.")
            evaluators = await by_slugs(session, workspace, list(row.evaluator_slugs or []))
            check_human_scores(evaluators, human_scores)
            final_input = input_ if input_ is not None else run.input
            scores, _ = await score_trace(
                evaluators, final_input, output, run.expected_output, human_scores=human_scores
            )
            latency = metrics.get("latency")
            model = metrics.get("model")
            result = Session(
                session_id=run.session_id,
                experiment_name=row.name,
                status=RunStatus.SUCCESS,
                started_at=run.ingested_at,
                ended_at=now,
                latency_ms=latency * 1000 if latency is not None else None,
                input=final_input,
                output=output,
                model_names=[model] if model else [],
                input_tokens=_optional_int(metrics.get("prompt_tokens")),
                output_tokens=_optional_int(metrics.get("completion_tokens")),
                cost_usd=metrics.get("cost"),
                evaluator_results=[result for _, result in scores],
                metadata=metadata,
            )
            usage = CallUsage(
                model,
                result.input_tokens or 0,
                result.output_tokens or 0,
                result.cost_usd or 0.0,
                latency or 0.0,
            )
            step = span(
                0,
                SpanKind.WORKFLOW,
                WorkflowType.CUSTOM,
                input_=final_input,
                output=output,
                usage=usage,
                error=None,
                start=run.ingested_at,
                end=now,
            )
            spans = [step, *evaluator_spans(1, scores, output, now)]
            new_run = await record_result(session, row, run, result, spans, None, now)
            return trace_from_row(new_run, row, [span_from_values(s) for s in spans])

    def watch(self, workspace: str, experiment_id: str) -> AsyncIterator[ExperimentEvent]:
        """The experiment, its trace counts and summary: at once, then on every change, until
        it is completed, failed or cancelled."""

        async def read(last: Hashable) -> tuple[Hashable, ExperimentEvent] | None:
            # Read many times a second while a run writes, in one transaction of a few
            # statements: each round trip waits its turn on an event loop the run keeps busy.
            expired = False
            while True:
                async with self._db.transaction() as session:
                    row = await _owned(session, workspace, experiment_id)
                    if expired or not _expiry_due(row):
                        marker = queries.experiments.change_marker(row)
                        if marker == last:
                            return None
                        return marker, await _event(session, row)
                await self._expire(workspace, experiment_id)
                expired = True

        def finished(event: ExperimentEvent) -> bool:
            return event.experiment.status not in UNFINISHED_EXPERIMENT

        return self._broadcasts.watch((workspace, experiment_id), read, finished)

    async def export(
        self, workspace: str, experiment_id: str, format_: str
    ) -> tuple[str, AsyncIterator[bytes]]:
        """The content type, and every trace of the experiment in that format, streamed."""
        form = export_format(format_)
        row = await self._refreshed(workspace, experiment_id)
        names = await scored_names(self._db, row.id, list(row.evaluator_slugs or []))
        chunks = export_runs(self._db, row.id, form, TRACE_COLUMNS, _trace_values, names)
        return form.content_type, chunks

    async def summary(
        self, workspace: str, experiment_id: str, *, cache: bool = True
    ) -> TraceSummary:
        """Totals and score statistics; `cache` keeps freshly computed rollups for the next
        reader (a watcher of a running experiment does not: they change again at once, and
        storing them would be one more write beside the runner's)."""
        row = await self._refreshed(workspace, experiment_id)
        async with self._db.transaction() as session:
            totals = await queries.traces.totals(session, row.id)
            rollups, fresh = await read_rollups(session, [row])
        if cache:
            await remember(self._db, fresh)
        return _summary(totals, rollups[row.id].aggregate_scores)

    async def _refreshed(self, workspace: str, experiment_id: str) -> ExperimentRow:
        """The experiment, after expiring traces whose submission window has passed."""
        async with self._db.transaction() as session:
            row = await _owned(session, workspace, experiment_id)
        return await self._expire(workspace, experiment_id) if _expiry_due(row) else row

    async def _expire(self, workspace: str, experiment_id: str) -> ExperimentRow:
        """Expire the traces still waiting for a result after the submission window."""
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, experiment_id)
            expired = {
                "status": RunStatus.EXPIRED,
                "error_message": "No result before the timeout.",
            }
            await finish_pending(session, row, expired, utcnow())
        return row


async def _event(session: Transaction, row: ExperimentRow) -> ExperimentEvent:
    """What a watcher is sent: the trace counts, totals and score statistics so far (only the
    statistics the event carries, not all of the rollups)."""
    totals, counts = await queries.traces.totals_and_counts(session, row.id)
    scores = await score_aggregates(session, row.id)
    summary = _summary(totals, {name: a for name, a in scores.items() if a is not None})
    return ExperimentEvent(experiment_from_row(row), counts, summary)


def _expiry_due(row: ExperimentRow) -> bool:
    """Whether a running experiment's submission window has passed."""
    deadline = submission_deadline(row)
    return row.status == ExperimentStatus.RUNNING and deadline is not None and utcnow() >= deadline


async def _check_references(
    session: Transaction,
    violations: Violations,
    workspace: str,
    dataset_id: str,
    workflows: list[Workflow],
    prompt_ids: list[str],
    evaluator_slugs: list[str],
) -> None:
    if violations.required("experiment.dataset_id", dataset_id):
        if await queries.owned.get_owned(session, DatasetRow, workspace, dataset_id) is None:
            violations.add(
                "experiment.dataset_id", f"Dataset '{dataset_id}' not found.", "not_found"
            )
    for index, workflow in enumerate(workflows):
        prompt_id = (workflow.get("config") or {}).get("prompt_id")
        if workflow.get("type") != WorkflowType.PROMPT or prompt_id not in prompt_ids:
            continue
        prompt = await queries.owned.get_owned(session, PromptRow, workspace, prompt_id)
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


TRACE_COLUMNS = (
    "trace_id",
    "dataset_row_id",
    "status",
    "input",
    "output",
    "expected_output",
    "model",
    "total_cost",
    "prompt_tokens",
    "completion_tokens",
    "duration_seconds",
    "error_message",
)


def _trace_values(run: RunRow) -> tuple[JSON, ...]:
    return (
        run.session_id,
        run.dataset_row_id,
        run.status,
        run.input,
        run.output,
        run.expected_output,
        run.model_names[-1] if run.model_names else None,
        run.cost_usd,
        run.input_tokens,
        run.output_tokens,
        run.latency_ms / 1000 if run.latency_ms is not None else None,
        run.error_message,
    )


def _optional_int(value: JSON) -> int | None:
    """A validated count, or None when the caller gave none (missing is not zero)."""
    return None if value is None else int(value)


def _check_status(field: str, status: str | None, allowed: tuple[str, ...]) -> None:
    if status is not None:
        violations = Violations()
        violations.one_of(field, status, allowed)
        violations.raise_if_any()


def _summary(
    totals: tuple[int, float | None, int | None, int | None, float | None],
    scores: Mapping[str, Aggregate],
) -> TraceSummary:
    count, cost, prompt_tokens, completion_tokens, latency_ms = totals
    return TraceSummary(
        total_count=int(count),
        total_cost=float(cost or 0.0),
        total_prompt_tokens=int(prompt_tokens or 0),
        total_completion_tokens=int(completion_tokens or 0),
        avg_latency=float(latency_ms) / 1000 if latency_ms is not None else None,
        scores=dict(scores),
    )


async def _owned(session: Transaction, workspace: str, experiment_id: str) -> ExperimentRow:
    return await require_owned(
        session, ExperimentRow, "Experiment", workspace, experiment_id, kind=ExperimentKind.PLATFORM
    )


def experiment_from_row(row: ExperimentRow) -> PlatformExperiment:
    return PlatformExperiment(
        id=row.id,
        name=row.name,
        description=row.description,
        dataset_id=row.dataset_id or "",
        workflows=list(row.workflows or []),
        evaluator_slugs=list(row.evaluator_slugs or []),
        status=row.status or ExperimentStatus.PENDING,
        progress=row.progress,
        error_message=row.error_message,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        completed_at=row.completed_at,
    )
