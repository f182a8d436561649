"""Rows written at the driver level (storage/driver_sql.py) must be stored exactly as the same
rows written through SQLAlchemy: same stored values, same values read back, same ordering of
timestamps. Otherwise filters, sorts and reads would depend on which path wrote a row."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select, text

from experiment_service.storage.database import Database
from experiment_service.storage.driver_sql import insert_rows
from experiment_service.storage.tables import ExperimentRow, RunRow

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
VALUES: list[dict[str, Any]] = [
    {"started_at": NOW, "input": {"q": "a", "n": [1, 2.5, None]}, "output": "plain text"},
    # No microseconds: still written with them, so text order stays time order on SQLite.
    {"started_at": NOW.replace(microsecond=0), "input": None, "output": 3},
    # Another zone: stored as the same instant in UTC.
    {
        "started_at": NOW.astimezone(timezone(timedelta(hours=-5))),
        "input": [True, False],
        "output": {"nested": {"deep": "é✓"}},
    },
    {"started_at": None, "input": "", "output": None},
]


def _run(index: int, values: dict[str, Any], path: str) -> dict[str, Any]:
    return {
        "experiment_id": "exp_1",
        "session_id": f"{path}-{index}",
        "status": "success",
        "started_at": values["started_at"],
        "ended_at": NOW,
        "latency_ms": 12.5,
        "cost_usd": None,
        "input_tokens": 3,
        "output_tokens": 0,
        "model_names": ["m"],
        "input": values["input"],
        "output": values["output"],
        "evaluator_results": [{"name": "e", "data_type": "NUMERIC", "value": 0.5}],
        "metadata": {},
        "ingested_at": NOW,
    }


def test_driver_rows_are_stored_and_read_like_sqlalchemy_rows(
    new_database_url: Callable[[], str],
) -> None:
    asyncio.run(_compare(new_database_url()))


async def _compare(url: str) -> None:
    database = Database(url)
    await database.migrate()
    try:
        async with database.transaction(write=True) as session:
            session.add(
                ExperimentRow(
                    id="exp_1",
                    workspace="w",
                    kind="intake",
                    name="e",
                    metadata_json={},
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        async with database.transaction(write=True) as session:
            rows = [_run(i, values, "orm") for i, values in enumerate(VALUES)]
            await session.execute(insert(RunRow.__table__), rows)
            connection = await session.connection()
            await insert_rows(
                connection,
                RunRow.__table__,
                [_run(i, values, "driver") for i, values in enumerate(VALUES)],
            )
        async with database.transaction() as session:
            stored = await session.execute(
                text(
                    "SELECT session_id, started_at, ended_at, ingested_at, input, output, "
                    "model_names, evaluator_results, metadata FROM runs ORDER BY id"
                )
            )
            by_path: dict[str, list[tuple[Any, ...]]] = {"orm": [], "driver": []}
            for row in stored.all():
                by_path[row[0].split("-")[0]].append(tuple(row[1:]))
            assert by_path["driver"] == by_path["orm"]

            read = (await session.scalars(select(RunRow).order_by(RunRow.id))).all()
            fields = ("started_at", "ended_at", "ingested_at", "input", "output", "model_names")
            orm = [[getattr(run, f) for f in fields] for run in read[: len(VALUES)]]
            driver = [[getattr(run, f) for f in fields] for run in read[len(VALUES) :]]
            assert driver == orm
            assert orm[2][0] == NOW and orm[1][0] == NOW.replace(microsecond=0)

            ordered = await session.scalars(
                select(RunRow.session_id)
                .where(RunRow.started_at.is_not(None))
                .order_by(RunRow.started_at, RunRow.session_id)
            )
            assert list(ordered) == [
                "driver-1",
                "orm-1",
                "driver-0",
                "driver-2",
                "orm-0",
                "orm-2",
            ]
    finally:
        await database.close()
