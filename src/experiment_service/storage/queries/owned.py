"""Queries shared by resources that belong to a workspace and are addressed by id."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

Row = TypeVar("Row")


async def get_owned(
    session: AsyncSession,
    model: type[Row],
    workspace: str,
    resource_id: str,
    *where: ColumnElement[bool],
) -> Row | None:
    """The row with this id in this workspace; None for another workspace's row, so a caller
    never learns that it exists."""
    return await session.scalar(
        select(model).where(
            model.id == resource_id,  # type: ignore[attr-defined]
            model.workspace == workspace,  # type: ignore[attr-defined]
            *where,
        )
    )


async def page_owned(
    session: AsyncSession,
    model: type[Row],
    workspace: str,
    *,
    sort_column: str,
    descending: bool,
    offset: int,
    limit: int,
    where: tuple[ColumnElement[bool], ...] = (),
) -> tuple[list[Row], int]:
    statement = select(model).where(model.workspace == workspace, *where)  # type: ignore[attr-defined]
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    column: Any = getattr(model, sort_column)
    tiebreak: Any = model.id  # type: ignore[attr-defined]
    order = (column.desc(), tiebreak.desc()) if descending else (column.asc(), tiebreak.asc())
    rows = await session.scalars(statement.order_by(*order).offset(offset).limit(limit))
    return list(rows), int(total or 0)
