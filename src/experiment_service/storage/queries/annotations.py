"""Queries on annotations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.storage.database import affected_rows
from experiment_service.storage.queries.paging import bounded, rows_page
from experiment_service.storage.tables import AnnotationRow
from experiment_service.types import RowValues


@dataclass(frozen=True)
class AnnotationQuery:
    workspace: str
    equals: dict[str, str] = field(default_factory=dict)
    value_numeric_gte: float | None = None
    value_numeric_lte: float | None = None
    created_at_gte: datetime | None = None
    created_at_lte: datetime | None = None
    descending: bool = True
    offset: int = 0
    limit: int = 10


async def add(session: AsyncSession, values: RowValues) -> AnnotationRow:
    row = AnnotationRow(**values)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, workspace: str, annotation_id: str) -> AnnotationRow | None:
    return await session.scalar(
        select(AnnotationRow).where(
            AnnotationRow.workspace == workspace, AnnotationRow.id == annotation_id
        )
    )


async def remove(session: AsyncSession, workspace: str, annotation_id: str) -> bool:
    result = await session.execute(
        delete(AnnotationRow).where(
            AnnotationRow.workspace == workspace, AnnotationRow.id == annotation_id
        )
    )
    return affected_rows(result) > 0


async def page(session: AsyncSession, query: AnnotationQuery) -> tuple[list[AnnotationRow], int]:
    row = AnnotationRow
    conditions: list[ColumnElement[bool]] = [row.workspace == query.workspace]
    conditions.extend(getattr(row, column) == value for column, value in query.equals.items())
    conditions.extend(
        bounded(
            [
                (row.value_numeric, query.value_numeric_gte, True),
                (row.value_numeric, query.value_numeric_lte, False),
                (row.created_at, query.created_at_gte, True),
                (row.created_at, query.created_at_lte, False),
            ]
        )
    )
    order = (
        (row.created_at.desc(), row.id.desc())
        if query.descending
        else (row.created_at.asc(), row.id.asc())
    )
    return await rows_page(session, row, conditions, order, query.offset, query.limit)
