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
