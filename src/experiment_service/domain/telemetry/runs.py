"""Sessions as runs: a session whose spans name a live intake experiment is one run of it.

A run is recomputed from all of its session's stored spans whenever spans of the session
arrive, so spans may come in any order, in many requests, and again (exporters retry):
the run is always the summary of what is stored, and nothing counts twice. A session that
names an experiment created later becomes its run when the experiment is created.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from experiment_service.domain.intake.evaluator_results import attach_loose_results
from experiment_service.statuses import ExperimentKind, RunStatus
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.queries.telemetry import RootSpan, SessionSpans
from experiment_service.types import RowValues

# The `source` in the metadata of runs made from spans: those that span ingestion keeps.
RUN_SOURCE = "spans"


async def sync_session_runs(
    session: Transaction, workspace: str, session_ids: Collection[str], now: datetime
) -> None:
    """Make the runs of these sessions match their spans, in the caller's transaction."""
    if not session_ids:
        return
    ordered = sorted(session_ids)
    await queries.telemetry.lock_sessions(session, workspace, ordered)
    summaries = await queries.telemetry.session_spans(session, workspace, ordered)
    named = sorted({s.experiment_name for s in summaries.values() if s.experiment_name})
    experiments = (
        await queries.experiments.live_ids_by_name(session, workspace, ExperimentKind.INTAKE, named)
        if named
        else {}
    )
    wanted: dict[str, list[RowValues]] = defaultdict(list)
    for summary in summaries.values():
        experiment_id = experiments.get(summary.experiment_name or "")
        if experiment_id is not None:
            wanted[experiment_id].append(run_values(experiment_id, summary, now))
    # Runs made from spans that no longer belong there (their spans moved to another session).
    stale: dict[str, list[str]] = defaultdict(list)
    for experiment_id, session_id, metadata in await queries.runs.runs_of_sessions(
        session, workspace, ExperimentKind.INTAKE, ordered
    ):
        from_spans = (metadata or {}).get("source") == RUN_SOURCE
        kept = any(run["session_id"] == session_id for run in wanted.get(experiment_id, []))
        if from_spans and not kept:
            stale[experiment_id].append(session_id)
    for experiment_id, session_list in sorted(stale.items()):
        await queries.runs.delete_runs(session, experiment_id, session_list)
    for experiment_id, runs in sorted(wanted.items()):
        new_sessions = set(await queries.runs.refresh_runs(session, experiment_id, runs))
        if new_sessions:
            await attach_loose_results(
                session,
                workspace,
                experiment_id,
                [run for run in runs if run["session_id"] in new_sessions],
            )


async def adopt_experiment_sessions(
    database: Database, workspace: str, experiment_name: str, now: datetime
) -> None:
    """Make the sessions whose spans name `experiment_name` runs of its new experiment."""
    async with database.transaction(write=True) as session:
        session_ids = await queries.telemetry.sessions_naming_experiment(
            session, workspace, experiment_name
        )
        await sync_session_runs(session, workspace, session_ids, now)


def session_outcome(roots: list[RootSpan]) -> tuple[float | None, str]:
    """A session's latency in ms and status from its root spans: the root's duration (from
    the first root's start to the last one's end when it has several; none until every root
    has ended), and error if a root failed (unknown until a root has arrived)."""
    latency = None
    if roots and all(root.ended_at is not None for root in roots):
        if len(roots) == 1 and roots[0].duration_ms is not None:
            latency = roots[0].duration_ms  # exact to the nanosecond, as sent
        else:
            last_end = max(root.ended_at for root in roots if root.ended_at is not None)
            first_start = min(root.started_at for root in roots)
            latency = (last_end - first_start).total_seconds() * 1000
    if not roots:
        return latency, RunStatus.UNKNOWN
    if any(root.status == RunStatus.ERROR for root in roots):
        return latency, RunStatus.ERROR
    return latency, RunStatus.SUCCESS


def run_values(experiment_id: str, spans: SessionSpans, now: datetime) -> RowValues:
    """The session's run: latency and status from its roots (`session_outcome`), cost and
    tokens summed over its spans, models the distinct models of its spans."""
    roots = spans.roots
    latency, status = session_outcome(roots)
    root = roots[0] if roots else None
    sums = spans.sums
    return {
        "experiment_id": experiment_id,
        "session_id": spans.session_id,
        "test_case_id": (root.test_case_id if root else None) or spans.test_case_id,
        "status": status,
        "started_at": spans.started_at,
        "ended_at": spans.ended_at,
        "latency_ms": latency,
        "cost_usd": sums["cost_usd"],
        # None when no span of the session reported the count.
        "input_tokens": None if sums["input_tokens"] is None else int(sums["input_tokens"]),
        "output_tokens": None if sums["output_tokens"] is None else int(sums["output_tokens"]),
        "model_names": spans.models,
        "input": root.input if root else None,
        "output": root.output if root else None,
        "evaluator_results": [],
        "metadata": {
            "source": RUN_SOURCE,
            "span_count": spans.span_count,
            "trace_count": spans.trace_count,
        },
        "ingested_at": now,
    }
