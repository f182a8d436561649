"""Datasets and their rows."""

from __future__ import annotations

import builtins

import orjson

from experiment_service.domain.clock import new_platform_id, utcnow
from experiment_service.domain.listing import Page, platform_page
from experiment_service.domain.platform.models import Dataset, DatasetRecord
from experiment_service.domain.platform.resources import (
    apply_patch,
    check_patch,
    list_page,
    require_owned,
)
from experiment_service.domain.validation import Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.tables import DatasetRecordRow, DatasetRow

SORT_FIELDS = ("name", "created_at", "updated_at")
MAX_BATCH_ROWS = 10_000
MAX_ROW_BYTES = 1024 * 1024


class Datasets:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, name: str, description: str | None) -> Dataset:
        violations = Violations()
        violations.name("name", name)
        violations.text("description", description)
        violations.raise_if_any()
        now = utcnow()
        row = DatasetRow(
            id=new_platform_id(),
            workspace=workspace,
            name=name,
            description=description,
            row_count=0,
            created_at=now,
            updated_at=now,
        )
        async with self._db.transaction(write=True) as session:
            queries.owned.add(session, row)
        return dataset_from_row(row)

    async def get(self, workspace: str, dataset_id: str) -> Dataset:
        async with self._db.transaction() as session:
            return dataset_from_row(await _owned(session, workspace, dataset_id))

    async def list(
        self, workspace: str, page: int | None, page_size: int | None, sort_by: str
    ) -> Page[Dataset]:
        return await list_page(
            self._db,
            DatasetRow,
            workspace,
            page=page,
            page_size=page_size,
            sort_by=sort_by,
            sort_fields=SORT_FIELDS,
            to_domain=dataset_from_row,
        )

    async def update(
        self, workspace: str, dataset_id: str, name: str | None, description: str | None
    ) -> Dataset:
        check_patch(name, description)
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, dataset_id)
            apply_patch(row, name, description)
            row.updated_at = utcnow()
        return dataset_from_row(row)

    async def delete(self, workspace: str, dataset_id: str) -> None:
        async with self._db.transaction(write=True) as session:
            await queries.owned.delete(session, await _owned(session, workspace, dataset_id))

    async def add_rows(
        self, workspace: str, dataset_id: str, records: builtins.list[DatasetRecord]
    ) -> tuple[builtins.list[DatasetRecord], int]:
        """Add rows atomically; returns them (with ids) and the dataset's new row count."""
        violations = Violations()
        if not 1 <= len(records) <= MAX_BATCH_ROWS:
            violations.add(
                "rows",
                f"A batch holds 1 to {MAX_BATCH_ROWS} rows, not {len(records)}",
                "too_short" if not records else "too_long",
            )
        prefix = "rows" if len(records) != 1 else "row"
        for index, record in enumerate(records):
            field = f"{prefix}[{index}]" if prefix == "rows" else prefix
            if record.input is None:
                violations.add(f"{field}.input", "Field required", "missing")
            elif len(orjson.dumps([record.input, record.expected_output])) > MAX_ROW_BYTES:
                violations.add(field, f"A row is at most {MAX_ROW_BYTES} bytes of JSON", "too_long")
            else:
                violations.json_value(f"{field}.input", record.input)
                violations.json_value(f"{field}.expected_output", record.expected_output)
            violations.json_object_size(f"{field}.metadata", record.metadata)
        violations.raise_if_any()
        now = utcnow()
        stored = [
            DatasetRecord(
                new_platform_id(), dataset_id, r.input, r.expected_output, r.metadata, now
            )
            for r in records
        ]
        async with self._db.transaction(write=True) as session:
            await _owned(session, workspace, dataset_id)
            row_count = await queries.datasets.add_records(
                session,
                dataset_id,
                [
                    {
                        "unique_id": r.unique_id,
                        "dataset_id": dataset_id,
                        "input": r.input,
                        "expected_output": r.expected_output,
                        "metadata": r.metadata,
                        "created_at": now,
                    }
                    for r in stored
                ],
                now,
            )
        return stored, row_count

    async def list_rows(
        self, workspace: str, dataset_id: str, page: int | None, page_size: int | None
    ) -> Page[DatasetRecord]:
        violations = Violations()
        request = platform_page(violations, page, page_size)
        violations.raise_if_any()
        async with self._db.transaction() as session:
            await _owned(session, workspace, dataset_id)
            rows, total = await queries.datasets.page_records(
                session, dataset_id, request.offset, request.page_size
            )
        return Page([record_from_row(row) for row in rows], request, total)


async def _owned(session: Transaction, workspace: str, dataset_id: str) -> DatasetRow:
    return await require_owned(session, DatasetRow, "Dataset", workspace, dataset_id)


def dataset_from_row(row: DatasetRow) -> Dataset:
    return Dataset(
        id=row.id,
        name=row.name,
        description=row.description,
        row_count=row.row_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def record_from_row(row: DatasetRecordRow) -> DatasetRecord:
    return DatasetRecord(
        unique_id=row.unique_id,
        dataset_id=row.dataset_id,
        input=row.input,
        expected_output=row.expected_output,
        metadata=dict(row.metadata_json or {}),
        created_at=row.created_at,
    )
