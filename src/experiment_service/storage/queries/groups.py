"""Queries on experiment groups."""

from __future__ import annotations

from sqlalchemy import ScalarSelect, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.storage.queries.paging import ListQuery, fetch_page
from experiment_service.storage.tables import (
    ExperimentGroupMembershipRow,
    ExperimentGroupRow,
    ExperimentRow,
)


def _live_experiment_count() -> ScalarSelect[int]:
    """Live experiments whose first group is this one, or that joined it later."""
    joined_later = select(ExperimentGroupMembershipRow.experiment_id).where(
        ExperimentGroupMembershipRow.group_id == ExperimentGroupRow.id
    )
    return (
        select(func.count())
        .where(
            or_(
                ExperimentRow.experiment_group_id == ExperimentGroupRow.id,
                ExperimentRow.id.in_(joined_later),
            ),
            ExperimentRow.deleted_at.is_(None),
        )
        .correlate(ExperimentGroupRow)
        .scalar_subquery()
    )


async def get_live_by_name(
    session: AsyncSession, workspace: str, name: str
) -> tuple[ExperimentGroupRow, int] | None:
    row = await session.execute(
        select(ExperimentGroupRow, _live_experiment_count()).where(
            ExperimentGroupRow.workspace == workspace,
            ExperimentGroupRow.name == name,
            ExperimentGroupRow.deleted_at.is_(None),
        )
    )
    found = row.first()
    return (found[0], int(found[1])) if found else None


async def list_page(
    session: AsyncSession, query: ListQuery
) -> tuple[list[tuple[ExperimentGroupRow, int]], int]:
    rows, total = await fetch_page(
        session,
        select(ExperimentGroupRow, _live_experiment_count()),
        ExperimentGroupRow,
        query,
    )
    return [(row[0], int(row[1])) for row in rows], total
