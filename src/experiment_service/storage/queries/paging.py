"""Filtering, ordering and paging of list queries, the same for every table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
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
