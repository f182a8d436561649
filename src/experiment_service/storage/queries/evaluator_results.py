"""Queries on evaluator results (one row per result, on a session or span)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.storage.driver_sql import execute, in_chunks, insert_rows
from experiment_service.storage.queries.paging import bounded, rows_page
from experiment_service.storage.tables import EvaluatorResultRow, table_of
from experiment_service.types import RowValues


@dataclass(frozen=True)
class EvaluatorResultQuery:
    workspace: str
    equals: dict[str, str] = field(default_factory=dict)
    value_gte: float | None = None
    value_lte: float | None = None
    created_at_gte: datetime | None = None
    created_at_lte: datetime | None = None
    sort_by_value: bool = False
    descending: bool = True
    offset: int = 0
    limit: int = 10


async def add(session: AsyncSession, rows: Sequence[RowValues]) -> None:
    await insert_rows(await session.connection(), table_of(EvaluatorResultRow), rows)


async def get(session: AsyncSession, workspace: str, result_id: str) -> EvaluatorResultRow | None:
    return await session.scalar(
        select(EvaluatorResultRow).where(
            EvaluatorResultRow.workspace == workspace, EvaluatorResultRow.id == result_id
        )
    )


async def loose_of_sessions(
    session: AsyncSession, workspace: str, session_ids: Sequence[str]
) -> list[tuple[str, str, str, float | None, str | None]]:
    """(session id, name, data type, value, string value) of the results created on their
    own (not inside a session summary) for these sessions, oldest first."""
    # Driver-level: this runs on every ingested batch, and SQLAlchemy compiles an expanding
    # IN anew each time.
    found: list[tuple[str, str, str, float | None, str | None]] = []
    for chunk in in_chunks(session_ids):
        rows = await execute(
            await session.connection(),
            "SELECT session_id, name, data_type, value, string_value FROM evaluator_results"
            " WHERE workspace = ? AND experiment_id IS NULL"
            f" AND session_id IN ({', '.join('?' * len(chunk))}) ORDER BY created_at, id",
            (workspace, *chunk),
        )
        found.extend((row[0], row[1], row[2], row[3], row[4]) for row in rows)
    return found


async def of_span(session: AsyncSession, workspace: str, span_id: str) -> list[EvaluatorResultRow]:
    row = EvaluatorResultRow
    return list(
        await session.scalars(
            select(row)
            .where(row.workspace == workspace, row.span_id == span_id)
            .order_by(row.created_at, row.id)
        )
    )


async def page(
    session: AsyncSession, query: EvaluatorResultQuery
) -> tuple[list[EvaluatorResultRow], int]:
    row = EvaluatorResultRow
    conditions: list[ColumnElement[bool]] = [row.workspace == query.workspace]
    conditions.extend(getattr(row, column) == value for column, value in query.equals.items())
    conditions.extend(
        bounded(
            [
                (row.value, query.value_gte, True),
                (row.value, query.value_lte, False),
                (row.created_at, query.created_at_gte, True),
                (row.created_at, query.created_at_lte, False),
            ]
        )
    )
    keys = (row.value, row.created_at, row.id) if query.sort_by_value else (row.created_at, row.id)
    # Results without a value (TEXT, CATEGORICAL) come last either way.
    order: list[ColumnElement[Any]] = [row.value.is_(None)] if query.sort_by_value else []
    order.extend(key.desc() if query.descending else key.asc() for key in keys)
    return await rows_page(session, row, conditions, order, query.offset, query.limit)
