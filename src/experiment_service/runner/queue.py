"""The runner's work queue: pending traces of built-in workflows, claimed with queries.leases.

A claim marks traces `running` under the claimer's lease. The claimer renews its leases while
it works; a result is stored only while its lease still holds, so a trace never completes twice.
A claimer that dies leaves leases that expire; the traces are then claimed again, up to
MAX_ATTEMPTS times. Claims lock rows with FOR UPDATE SKIP LOCKED where the database has it, so
replicas sharing a database claim disjoint traces.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from experiment_service.domain.clock import utcnow
from experiment_service.domain.models import Session
from experiment_service.domain.platform import workflows as workflow_rules
from experiment_service.domain.platform.evaluators import by_slugs
from experiment_service.domain.platform.models import Evaluator, PromptVersion
from experiment_service.domain.platform.prompts import version_in_use
from experiment_service.domain.platform.traces import finished_now, record_result, update_progress
from experiment_service.statuses import (
    UNFINISHED_EXPERIMENT,
    UNFINISHED_RUN,
    EvaluatorType,
    ExperimentKind,
    ExperimentStatus,
    RunStatus,
    WorkflowType,
)
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.tables import ExperimentRow
from experiment_service.types import JSON, RowValues, Workflow

MAX_ATTEMPTS = 3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    run_id: int
    experiment_id: str
    session_id: str
    input: JSON
    expected_output: JSON


# What running a trace produced: the claim, the result, its spans, and the error if it failed.
Outcome = tuple[Claim, Session, list[RowValues], str | None]


@dataclass(frozen=True)
class Plan:
    """What the runner needs to run any trace of one experiment."""

    experiment_id: str
    experiment_name: str
    workflows: list[Workflow]
    prompt_versions: dict[str, PromptVersion]
    evaluators: list[Evaluator]

    def models(self) -> set[str]:
        """Every model the experiment calls: workflow steps and LLM judges."""
        found = {str(e.config["model"]) for e in self.evaluators if e.type == EvaluatorType.LLM}
        for workflow in self.workflows:
            config = workflow.get("config") or {}
            if workflow["type"] == WorkflowType.COMPLETION:
                found.add(config["model"])
            elif workflow["type"] == WorkflowType.PROMPT:
                found.add(self.prompt_versions[config["prompt_id"]].model)
        return found


class TraceQueue:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, owner: str, limit: int, lease_seconds: float) -> list[Claim]:
        now = utcnow()
        lease_end = now + timedelta(seconds=lease_seconds)
        claims: list[Claim] = []
        async with self._db.transaction(write=True) as session:
            active = await queries.leases.active_experiments(
                session, ExperimentKind.PLATFORM, UNFINISHED_EXPERIMENT
            )
            for experiment_id, workflows in active:
                if len(claims) >= limit or workflow_rules.is_custom(workflows):
                    continue
                await self._give_up_on_poison(session, experiment_id, now)
                claimed, taken_over = await queries.leases.claim(
                    session, experiment_id, owner, limit - len(claims), now, lease_end
                )
                if not claimed:
                    continue
                if taken_over:
                    log.info(
                        "took over traces whose lease lapsed",
                        extra={"experiment_id": experiment_id, "traces": taken_over},
                    )
                claims.extend(Claim(run_id, experiment_id, *rest) for run_id, *rest in claimed)
                await queries.traces.update_experiment(
                    session,
                    experiment_id,
                    {"status": ExperimentStatus.RUNNING, "started_at": now, "updated_at": now},
                    statuses=(ExperimentStatus.PENDING,),
                )
        return claims

    async def _give_up_on_poison(
        self, session: Transaction, experiment_id: str, now: datetime
    ) -> None:
        """A trace whose lease lapsed MAX_ATTEMPTS times keeps killing its runner: stop."""
        given_up = await queries.leases.give_up_lapsed(session, experiment_id, MAX_ATTEMPTS, now)
        if given_up:
            experiment = await _experiment(session, experiment_id)
            await queries.runs.bump_runs_version(session, experiment_id)
            await update_progress(session, experiment, given_up, now)

    async def report_held_leases(self) -> None:
        """Say (at start-up) which traces other runners hold, e.g. a previous run of this
        server killed mid-work: they wait until their leases lapse, then are taken over."""
        async with self._db.transaction() as session:
            count, last = await queries.leases.held_leases(session, utcnow())
        if count:
            log.info(
                "traces leased by other runners are taken over if their leases lapse",
                extra={"traces": count, "last_lease_lapses_at": last.isoformat() if last else None},
            )

    async def renew(self, owner: str, run_ids: list[int], lease_seconds: float) -> None:
        """Extend the leases of the traces in work."""
        async with self._db.transaction(write=True) as session:
            await queries.leases.renew(
                session, owner, run_ids, utcnow() + timedelta(seconds=lease_seconds)
            )

    async def release(self, owner: str) -> None:
        """Hand back unfinished claims at once (on a clean shutdown)."""
        async with self._db.transaction(write=True) as session:
            await queries.leases.release(session, owner)

    async def plan(self, experiment_id: str) -> Plan | None:
        async with self._db.transaction() as session:
            row = await queries.traces.experiment(session, experiment_id)
            if row is None:
                return None
            versions: dict[str, PromptVersion] = {}
            for workflow in row.workflows or []:
                prompt_id = str((workflow.get("config") or {}).get("prompt_id"))
                if workflow["type"] == WorkflowType.PROMPT and prompt_id not in versions:
                    version = await version_in_use(session, prompt_id)
                    if version is None:
                        raise LookupError(f"Prompt '{prompt_id}' has no version to run.")
                    versions[prompt_id] = version
            evaluators = await by_slugs(session, row.workspace, list(row.evaluator_slugs or []))
            return Plan(row.id, row.name, list(row.workflows or []), versions, evaluators)

    async def complete(self, owner: str, outcomes: list[Outcome]) -> list[bool]:
        """Store claimed traces' outcomes in one transaction. Each is stored only while its
        lease still holds; the result says which were."""
        stored: dict[int, bool] = {}
        finished: Counter[str] = Counter()
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            for claim, result, spans, error in sorted(outcomes, key=lambda o: o[0].run_id):
                run = await queries.traces.run(session, claim.run_id)
                if run is None or run.lease_owner != owner or run.status != RunStatus.RUNNING:
                    stored[claim.run_id] = False
                    continue
                experiment = await _experiment(session, claim.experiment_id)
                finished[experiment.id] += finished_now(run, result)
                await record_result(
                    session, experiment, run, result, spans, error, now, count_progress=False
                )
                stored[claim.run_id] = True
            # Progress moves once per experiment per batch, not once per trace.
            for experiment_id, count in sorted(finished.items()):
                experiment = await _experiment(session, experiment_id)
                await update_progress(session, experiment, count, now)
        return [stored[claim.run_id] for claim, *_ in outcomes]

    async def fail_experiment(self, experiment_id: str, message: str) -> None:
        """Nothing can run (e.g. no provider serves a model): fail it, with the reason."""
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            await queries.traces.finish_where_status(
                session,
                experiment_id,
                UNFINISHED_RUN,
                {
                    "status": RunStatus.ERROR,
                    "error_message": message,
                    "lease_owner": None,
                    "ended_at": now,
                },
            )
            await queries.traces.update_experiment(
                session,
                experiment_id,
                {
                    "status": ExperimentStatus.FAILED,
                    "error_message": message,
                    "completed_at": now,
                    "updated_at": now,
                    "progress": 100.0,
                },
                statuses=UNFINISHED_EXPERIMENT,
            )
            await queries.runs.bump_runs_version(session, experiment_id)


async def _experiment(session: Transaction, experiment_id: str) -> ExperimentRow:
    experiment = await queries.traces.experiment(session, experiment_id)
    if experiment is None:  # traces are deleted with their experiment, in one transaction
        raise LookupError(f"Experiment '{experiment_id}' is gone.")
    return experiment
