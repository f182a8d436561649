"""Migrations: an old database upgrades to head with its data, and head matches the models."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from experiment_service.storage.migrate import alembic_config, upgrade_to, upgrade_to_head
from experiment_service.storage.tables import Base


async def test_upgrade_from_the_first_migration_to_head_keeps_data(
    new_database_url: Callable[[], str],
) -> None:
    engine = create_async_engine(new_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(upgrade_to, "0001")
            await connection.execute(
                text(
                    "INSERT INTO experiments (id, workspace, kind, name, agent_name, "
                    "agent_version, dataset_name, metadata, created_at, updated_at, run_count) "
                    "VALUES ('exp_1', 'w', 'intake', 'old', 'a', '1', 'd', '{}', "
                    "'2024-01-01 00:00:00', '2024-01-01 00:00:00', 0)"
                )
            )
            await connection.commit()

            await connection.run_sync(upgrade_to_head)
            await connection.commit()
            row = (
                await connection.execute(
                    text("SELECT name, runs_version, finished_count, progress FROM experiments")
                )
            ).one()
            assert tuple(row) == ("old", 0, 0, 0.0)
            current = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert current == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert differences == [], "the models changed without a migration"


async def test_platform_traces_get_ids_of_their_own_and_keep_their_scores(
    new_database_url: Callable[[], str],
) -> None:
    """0005: trace ids used to be the dataset row ids; each trace gets a fresh id, the row id
    stays in dataset_row_id and becomes the test case, and session scores follow."""
    engine = create_async_engine(new_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(upgrade_to, "0004")
            for experiment in ("exp_a", "exp_b"):
                await connection.execute(
                    text(
                        "INSERT INTO experiments (id, workspace, kind, name, metadata,"
                        " created_at, updated_at, run_count) VALUES (:id, 'w', 'platform',"
                        " :id, '{}', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 2)"
                    ),
                    {"id": experiment},
                )
                for row in ("row1", "row2"):
                    await connection.execute(
                        text(
                            "INSERT INTO runs (experiment_id, session_id, dataset_row_id, status,"
                            " model_names, evaluator_results, metadata, input_tokens,"
                            " output_tokens, ingested_at) VALUES (:e, :r, :r, 'success', '[]',"
                            " '[]', '{}', 0, 0, '2024-01-01 00:00:00')"
                        ),
                        {"e": experiment, "r": row},
                    )
                    await connection.execute(
                        text(
                            "INSERT INTO session_scores (experiment_id, session_id, name, value)"
                            " VALUES (:e, :r, 'exact', 1.0)"
                        ),
                        {"e": experiment, "r": row},
                    )
            await connection.commit()

            await connection.run_sync(upgrade_to_head)
            await connection.commit()
            runs = (
                await connection.execute(
                    text("SELECT experiment_id, session_id, dataset_row_id, test_case_id FROM runs")
                )
            ).all()
            scores = (
                await connection.execute(
                    text("SELECT experiment_id, session_id FROM session_scores")
                )
            ).all()
    finally:
        await engine.dispose()
    assert len({session_id for _, session_id, _, _ in runs}) == 4
    assert all(session_id not in ("row1", "row2") for _, session_id, _, _ in runs)
    assert sorted((e, row, case) for e, _, row, case in runs) == [
        ("exp_a", "row1", "row1"),
        ("exp_a", "row2", "row2"),
        ("exp_b", "row1", "row1"),
        ("exp_b", "row2", "row2"),
    ]
    assert sorted(scores) == sorted((e, session_id) for e, session_id, _, _ in runs)


async def test_results_inside_stored_sessions_become_rows_of_their_experiment(
    new_database_url: Callable[[], str],
) -> None:
    """0009: every result kept inside an intake run is a row of its own, tied to the run's
    experiment (so a new summary of the session replaces it) and listed like any other."""
    engine = create_async_engine(new_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(upgrade_to, "0008")
            await connection.execute(
                text(
                    "INSERT INTO experiments (id, workspace, kind, name, metadata, created_at,"
                    " updated_at, run_count) VALUES ('exp_1', 'w', 'intake', 'e', '{}',"
                    " '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO runs (experiment_id, session_id, status, model_names,"
                    " evaluator_results, metadata, input_tokens, output_tokens, ingested_at)"
                    " VALUES ('exp_1', 's1', 'success', '[]', '"
                    '[{"name": "q", "data_type": "NUMERIC", "value": 0.5},'
                    ' {"name": "ok", "data_type": "BOOLEAN", "value": true},'
                    ' {"name": "t", "data_type": "TEXT", "string_value": "fine"}]'
                    "', '{}', 0, 0, '2024-01-02 00:00:00')"
                )
            )
            await connection.commit()

            await connection.run_sync(upgrade_to_head)
            await connection.commit()
            rows = (
                await connection.execute(
                    text(
                        "SELECT workspace, session_id, span_id, experiment_id, name, data_type,"
                        " value, string_value FROM evaluator_results ORDER BY name"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("w", "s1", "", "exp_1", "ok", "BOOLEAN", 1.0, None),
        ("w", "s1", "", "exp_1", "q", "NUMERIC", 0.5, None),
        ("w", "s1", "", "exp_1", "t", "TEXT", None, "fine"),
    ]
