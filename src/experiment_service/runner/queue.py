"""The runner's work queue: pending traces of built-in workflows, claimed with leases.

A claim marks traces `running` under the claimer's lease. The claimer renews its leases while
it works; a result is stored only while its lease still holds, so a trace never completes twice.
A claimer that dies leaves leases that expire; the traces are then claimed again, up to
MAX_ATTEMPTS times. Claims lock rows with FOR UPDATE SKIP LOCKED where the database has it, so
replicas sharing a database claim disjoint traces.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from experiment_service.domain.clock import utcnow
from experiment_service.domain.models import Session
from experiment_service.domain.platform import workflows as workflow_rules
from experiment_service.domain.platform.evaluators import by_slugs
from experiment_service.domain.platform.experiments import (
    PLATFORM,
    UNFINISHED,
    finished_now,
    record_result,
    update_progress,
)
from experiment_service.domain.platform.models import Evaluator, PromptVersion
from experiment_service.domain.platform.prompts import version_in_use
from experiment_service.storage.database import Database
from experiment_service.storage.queries import runs as run_queries
from experiment_service.storage.tables import ExperimentRow, PromptRow, RunRow

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Claim:
    run_id: int
    experiment_id: str
    session_id: str
    input: Any
    expected_output: Any


# What running a trace produced: the claim, the result, its spans, and the error if it failed.
Outcome = tuple[Claim, Session, list[dict[str, Any]], str | None]


@dataclass(frozen=True)
class Plan:
    """What the runner needs to run any trace of one experiment."""

    experiment_id: str
    experiment_name: str
    workflows: list[dict[str, Any]]
    prompt_versions: dict[str, PromptVersion]
    evaluators: list[Evaluator]

    def models(self) -> set[str]:
        """Every model the experiment calls: workflow steps and LLM judges."""
        found = {e.config["model"] for e in self.evaluators if e.type == "llm"}
        for workflow in self.workflows:
            config = workflow.get("config") or {}
            if workflow["type"] == workflow_rules.COMPLETION:
                found.add(config["model"])
            elif workflow["type"] == workflow_rules.PROMPT:
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
            active = await session.execute(
                select(ExperimentRow.id, ExperimentRow.workflows)
                .where(ExperimentRow.kind == PLATFORM, ExperimentRow.status.in_(UNFINISHED))
                .order_by(ExperimentRow.created_at)
            )
            for experiment_id, workflows in active.all():
                if len(claims) >= limit or workflow_rules.is_custom(workflows or []):
                    continue
                await self._give_up_on_poison(session, experiment_id, now)
                claimable = or_(
                    RunRow.status == "pending",
                    (RunRow.status == "running") & (RunRow.lease_expires_at < now),
                )
                ids = list(
                    await session.scalars(
                        select(RunRow.id)
                        .where(RunRow.experiment_id == experiment_id, claimable)
                        .order_by(RunRow.id)
                        .limit(limit - len(claims))
                        .with_for_update(skip_locked=True)
                    )
                )
                if not ids:
                    continue
                await session.execute(
                    update(RunRow)
                    .where(RunRow.id.in_(ids), claimable)
                    .values(
                        status="running",
                        lease_owner=owner,
                        lease_expires_at=lease_end,
                        attempts=RunRow.attempts + 1,
                        started_at=now,
                    )
                )
                rows = await session.execute(
                    select(RunRow.id, RunRow.session_id, RunRow.input, RunRow.expected_output)
                    .where(RunRow.id.in_(ids), RunRow.lease_owner == owner)
                    .order_by(RunRow.id)
                )
                claims.extend(
                    Claim(run_id, experiment_id, session_id, input_, expected)
                    for run_id, session_id, input_, expected in rows.all()
                )
                await session.execute(
                    update(ExperimentRow)
                    .where(ExperimentRow.id == experiment_id, ExperimentRow.status == "pending")
                    .values(status="running", started_at=now, updated_at=now)
                )
        return claims

    async def _give_up_on_poison(self, session: Any, experiment_id: str, now: datetime) -> None:
        """A trace whose lease lapsed MAX_ATTEMPTS times keeps killing its runner: stop."""
        result = await session.execute(
            update(RunRow)
            .where(
                RunRow.experiment_id == experiment_id,
                RunRow.status == "running",
                RunRow.lease_expires_at < now,
                RunRow.attempts >= MAX_ATTEMPTS,
            )
            .values(
                status="error",
                lease_owner=None,
                error_message=f"Gave up after {MAX_ATTEMPTS} attempts.",
                ended_at=now,
            )
        )
        if result.rowcount:
            experiment = await session.get(ExperimentRow, experiment_id)
            await run_queries.bump_runs_version(session, experiment_id)
            await update_progress(session, experiment, int(result.rowcount), now)

    async def renew(self, owner: str, run_ids: list[int], lease_seconds: float) -> None:
        """Extend the leases of the traces in work (in id order, the order every writer locks
        traces in, so that concurrent writers cannot deadlock)."""
        async with self._db.transaction(write=True) as session:
            await session.execute(
                update(RunRow)
                .where(
                    RunRow.id.in_(sorted(run_ids)),
                    RunRow.lease_owner == owner,
                    RunRow.status == "running",
                )
                .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
            )

    async def release(self, owner: str) -> None:
        """Hand back unfinished claims at once (on a clean shutdown)."""
        async with self._db.transaction(write=True) as session:
            await session.execute(
                update(RunRow)
                .where(RunRow.lease_owner == owner, RunRow.status == "running")
                .values(
                    status="pending",
                    lease_owner=None,
                    lease_expires_at=None,
                    attempts=RunRow.attempts - 1,
                )
            )

    async def plan(self, experiment_id: str) -> Plan | None:
        async with self._db.transaction() as session:
            row = await session.get(ExperimentRow, experiment_id)
            if row is None:
                return None
            versions: dict[str, PromptVersion] = {}
            for workflow in row.workflows or []:
                prompt_id = (workflow.get("config") or {}).get("prompt_id")
                if workflow["type"] == workflow_rules.PROMPT and prompt_id not in versions:
                    prompt = await session.get(PromptRow, prompt_id)
                    version = await version_in_use(session, prompt) if prompt else None
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
                run = await session.get(RunRow, claim.run_id)
                if run is None or run.lease_owner != owner or run.status != "running":
                    stored[claim.run_id] = False
                    continue
                experiment = await session.get(ExperimentRow, claim.experiment_id)
                finished[experiment.id] += finished_now(run, result)
                await record_result(
                    session, experiment, run, result, spans, error, now, count_progress=False
                )
                stored[claim.run_id] = True
            # Progress moves once per experiment per batch, not once per trace.
            for experiment_id, count in sorted(finished.items()):
                experiment = await session.get(ExperimentRow, experiment_id)
                await update_progress(session, experiment, count, now)
        return [stored[claim.run_id] for claim, *_ in outcomes]

    async def fail_experiment(self, experiment_id: str, message: str) -> None:
        """Nothing can run (e.g. no provider serves a model): fail it, with the reason."""
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            await session.execute(
                update(RunRow)
                .where(RunRow.experiment_id == experiment_id, RunRow.status.in_(UNFINISHED))
                .values(status="error", error_message=message, lease_owner=None, ended_at=now)
            )
            await session.execute(
                update(ExperimentRow)
                .where(ExperimentRow.id == experiment_id, ExperimentRow.status.in_(UNFINISHED))
                .values(
                    status="failed",
                    error_message=message,
                    completed_at=now,
                    updated_at=now,
                    progress=100.0,
                )
            )
            await run_queries.bump_runs_version(session, experiment_id)
