"""Queries shared by resources that belong to a workspace and are addressed by id, and the
unit-of-work writes (add, delete) of any mapped row."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select

from experiment_service.storage.database import Transaction
from experiment_service.storage.tables import Base

# A mapped table with an `id` and the `workspace` that owns each row.
OwnedRow = TypeVar("OwnedRow", bound=Base)


async def get_owned(
    session: Transaction,
    model: type[OwnedRow],
    workspace: str,
    resource_id: str,
    **equals: object,
) -> OwnedRow | None:
    """The row with this id in this workspace; None for another workspace's row, so a caller
    never learns that it exists."""
    table: Any = model
    statement = select(model).where(
        table.id == resource_id, table.workspace == workspace, *_equal(model, equals)
    )
    row: OwnedRow | None = await session.scalar(statement)
    return row


async def page_owned(
    session: Transaction,
    model: type[OwnedRow],
    workspace: str,
    *,
    sort_column: str,
    descending: bool,
    offset: int,
    limit: int,
    equals: dict[str, object] | None = None,
) -> tuple[list[OwnedRow], int]:
    table: Any = model
    statement = select(model).where(table.workspace == workspace, *_equal(model, equals or {}))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    column: Any = getattr(model, sort_column)
    tiebreak = table.id
    order = (column.desc(), tiebreak.desc()) if descending else (column.asc(), tiebreak.asc())
    rows = await session.scalars(statement.order_by(*order).offset(offset).limit(limit))
    return list(rows), int(total or 0)


def _equal(model: type[OwnedRow], equals: dict[str, object]) -> list[ColumnElement[bool]]:
    return [getattr(model, column) == value for column, value in equals.items()]


def add(session: Transaction, row: object) -> None:
    """Insert `row` when the transaction flushes."""
    session.add(row)


async def delete(session: Transaction, row: object) -> None:
    """Delete `row` (rows that reference it go with it: foreign keys cascade)."""
    await session.delete(row)


async def flush(session: Transaction) -> None:
    """Write pending rows now, so that the database's defaults and checks apply in order."""
    await session.flush()
