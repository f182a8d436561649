"""Queries of the runner's work queue: pending traces of built-in workflows, claimed under
leases (FOR UPDATE SKIP LOCKED where the database has it, so that replicas claim disjoint
traces)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update

from experiment_service.statuses import RunStatus
from experiment_service.storage.database import Transaction, affected_rows
from experiment_service.storage.tables import ExperimentRow, RunRow
from experiment_service.types import JSON, Workflow


async def active_experiments(
    session: Transaction, kind: str, statuses: tuple[str, ...]
) -> list[tuple[str, list[Workflow]]]:
    """(id, workflows) of the experiments of `kind` in `statuses`, oldest first."""
    rows = await session.execute(
        select(ExperimentRow.id, ExperimentRow.workflows)
        .where(ExperimentRow.kind == kind, ExperimentRow.status.in_(statuses))
        .order_by(ExperimentRow.created_at)
    )
    return [(experiment_id, list(workflows or [])) for experiment_id, workflows in rows.all()]


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending, or running under a lease that has lapsed."""
    return or_(
        RunRow.status == RunStatus.PENDING,
        (RunRow.status == RunStatus.RUNNING) & (RunRow.lease_expires_at < now),
    )


async def claim(
    session: Transaction,
    experiment_id: str,
    owner: str,
    limit: int,
    now: datetime,
    lease_end: datetime,
) -> tuple[list[tuple[int, str, JSON, JSON]], int]:
    """Lease up to `limit` claimable traces of the experiment to `owner`; returns their
    (run id, trace id, input, expected output) in id order, and how many of them were taken
    over from a lapsed lease (a runner that died or stopped renewing)."""
    candidates = (
        await session.execute(
            select(RunRow.id, RunRow.status)
            .where(RunRow.experiment_id == experiment_id, _claimable(now))
            .order_by(RunRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    ids = [run_id for run_id, _ in candidates]
    taken_over = sum(1 for _, status in candidates if status == RunStatus.RUNNING)
    if not ids:
        return [], 0
    await session.execute(
        update(RunRow)
        .where(RunRow.id.in_(ids), _claimable(now))
        .values(
            status=RunStatus.RUNNING,
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
    claimed = [(run_id, trace_id, input_, expected) for run_id, trace_id, input_, expected in rows]
    return claimed, taken_over


async def held_leases(session: Transaction, now: datetime) -> tuple[int, datetime | None]:
    """How many traces are leased now, and when the last of those leases lapses."""
    count, last = (
        await session.execute(
            select(func.count(), func.max(RunRow.lease_expires_at)).where(
                RunRow.status == RunStatus.RUNNING, RunRow.lease_expires_at >= now
            )
        )
    ).one()
    return int(count), last


async def give_up_lapsed(
    session: Transaction, experiment_id: str, max_attempts: int, now: datetime
) -> int:
    """Traces whose lease lapsed `max_attempts` times become errors; returns how many."""
    result = await session.execute(
        update(RunRow)
        .where(
            RunRow.experiment_id == experiment_id,
            RunRow.status == RunStatus.RUNNING,
            RunRow.lease_expires_at < now,
            RunRow.attempts >= max_attempts,
        )
        .values(
            status=RunStatus.ERROR,
            lease_owner=None,
            error_message=f"Gave up after {max_attempts} attempts.",
            ended_at=now,
        )
    )
    return affected_rows(result)


async def renew(session: Transaction, owner: str, run_ids: list[int], lease_end: datetime) -> None:
    """Extend the owner's leases (in id order, the order every writer locks traces in, so
    that concurrent writers cannot deadlock)."""
    await session.execute(
        update(RunRow)
        .where(
            RunRow.id.in_(sorted(run_ids)),
            RunRow.lease_owner == owner,
            RunRow.status == RunStatus.RUNNING,
        )
        .values(lease_expires_at=lease_end)
    )


async def release(session: Transaction, owner: str) -> None:
    """Hand the owner's unfinished traces back to the queue, the attempt not counted."""
    await session.execute(
        update(RunRow)
        .where(RunRow.lease_owner == owner, RunRow.status == RunStatus.RUNNING)
        .values(
            status=RunStatus.PENDING,
            lease_owner=None,
            lease_expires_at=None,
            attempts=RunRow.attempts - 1,
        )
    )
