"""Queries on datasets' rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update

from experiment_service.storage.database import Transaction
from experiment_service.storage.tables import DatasetRecordRow, DatasetRow, table_of
from experiment_service.types import RowValues


async def add_records(
    session: Transaction, dataset_id: str, records: list[RowValues], now: datetime
) -> int:
    """Insert `records` (column values) and count them on the dataset; returns its new count."""
    await session.execute(insert(table_of(DatasetRecordRow)), records)
    await session.execute(
        update(DatasetRow)
        .where(DatasetRow.id == dataset_id)
        .values(row_count=DatasetRow.row_count + len(records), updated_at=now)
    )
    row_count = await session.scalar(
        select(DatasetRow.row_count).where(DatasetRow.id == dataset_id)
    )
    return int(row_count or 0)


async def page_records(
    session: Transaction, dataset_id: str, offset: int, limit: int
) -> tuple[list[DatasetRecordRow], int]:
    """One page of a dataset's rows in insertion order, and the total."""
    where = DatasetRecordRow.dataset_id == dataset_id
    total = await session.scalar(select(func.count()).where(where))
    rows = await session.scalars(
        select(DatasetRecordRow)
        .where(where)
        .order_by(DatasetRecordRow.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)
