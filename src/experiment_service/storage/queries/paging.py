"""Filtering, ordering and paging of list queries, the same for every table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

# A SELECT of any columns (Select is generic over the types of all its columns).
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class ListQuery:
    """What a list call asks of a table whose rows have workspace, created_at, deleted_at."""

    workspace: str
    equals: dict[str, Any] = field(default_factory=dict)
    created_at_gte: datetime | None = None
    created_at_lte: datetime | None = None
    deleted: bool = False
    sort_column: str = "created_at"
    descending: bool = True
    offset: int = 0
    limit: int = 100


def filtered(statement: AnySelect, model: Any, query: ListQuery) -> AnySelect:
    statement = statement.where(model.workspace == query.workspace)
    deleted_at: InstrumentedAttribute[Any] = model.deleted_at
    statement = statement.where(deleted_at.is_not(None) if query.deleted else deleted_at.is_(None))
    for column, value in query.equals.items():
        statement = statement.where(getattr(model, column) == value)
    if query.created_at_gte is not None:
        statement = statement.where(model.created_at >= query.created_at_gte)
    if query.created_at_lte is not None:
        statement = statement.where(model.created_at <= query.created_at_lte)
    return statement


async def fetch_page(
    session: AsyncSession, statement: AnySelect, model: Any, query: ListQuery
) -> tuple[list[Any], int]:
    """The rows of one page and the total across pages; ties in the sort break on id."""
    statement = filtered(statement, model, query)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    column = getattr(model, query.sort_column)
    order = (column.desc(), model.id.desc()) if query.descending else (column.asc(), model.id)
    rows = await session.execute(statement.order_by(*order).offset(query.offset).limit(query.limit))
    return list(rows.all()), int(total or 0)


# (column, bound, True for "at least" / False for "at most"); a None bound is no condition.
Bound = tuple[Any, Any, bool]


def bounded(bounds: Iterable[Bound]) -> list[ColumnElement[bool]]:
    """The conditions of range filters (`filter[value][$gte]`, `filter[created_at][$lte]`)."""
    return [
        column >= bound if at_least else column <= bound
        for column, bound, at_least in bounds
        if bound is not None
    ]


async def rows_page(
    session: AsyncSession,
    model: Any,
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any]],
    offset: int,
    limit: int | None,
) -> tuple[list[Any], int]:
    """One page of `model` rows matching every condition, in `order`, and the total."""
    total = await session.scalar(select(func.count()).select_from(model).where(*conditions))
    statement = select(model).where(*conditions).order_by(*order).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return list(await session.scalars(statement)), int(total or 0)
