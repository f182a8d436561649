"""Alembic environment: migrations run on the connection handed over by `migrate.py`."""

from __future__ import annotations

from alembic import context

from experiment_service.storage.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Migrations run through experiment_service.storage.migrate (the server runs them at "
        "start-up), which hands Alembic a connection."
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
