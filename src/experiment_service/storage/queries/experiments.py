"""Queries on experiments."""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.storage.driver_sql import execute
from experiment_service.storage.queries.paging import ListQuery, fetch_page
from experiment_service.storage.tables import ExperimentRow


async def get_live_by_name(
    session: AsyncSession, workspace: str, kind: str, name: str
) -> ExperimentRow | None:
    return await session.scalar(
        select(ExperimentRow).where(
            ExperimentRow.workspace == workspace,
            ExperimentRow.kind == kind,
            ExperimentRow.name == name,
            ExperimentRow.deleted_at.is_(None),
        )
    )


def change_marker(row: ExperimentRow) -> Hashable:
    """What changes whenever the experiment or its runs do."""
    return (row.status, row.progress, row.runs_version, row.updated_at)


async def list_page(
    session: AsyncSession, kind: str, query: ListQuery
) -> tuple[list[ExperimentRow], int]:
    rows, total = await fetch_page(
        session, select(ExperimentRow).where(ExperimentRow.kind == kind), ExperimentRow, query
    )
    return [row[0] for row in rows], total


async def was_deleted(session: AsyncSession, workspace: str, kind: str, name: str) -> bool:
    """Whether an experiment of this name existed and was deleted (and none is live now)."""
    found = await session.scalar(
        select(ExperimentRow.id)
        .where(
            ExperimentRow.workspace == workspace,
            ExperimentRow.kind == kind,
            ExperimentRow.name == name,
            ExperimentRow.deleted_at.is_not(None),
        )
        .limit(1)
    )
    return found is not None


async def live_ids_by_name(
    session: AsyncSession, workspace: str, kind: str, names: list[str]
) -> dict[str, str]:
    """{name: id} of the live experiments among `names`."""
    # Driver-level: this runs on every ingest, and SQLAlchemy compiles an expanding IN anew.
    rows = await execute(
        await session.connection(),
        "SELECT name, id FROM experiments WHERE workspace = ? AND kind = ?"
        f" AND deleted_at IS NULL AND name IN ({', '.join('?' * len(names))})",
        (workspace, kind, *names),
    )
    return {name: experiment_id for name, experiment_id in rows}
