"""evaluator_results: each evaluator result a row of its own; session summaries' results copied

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)
_COPY_BATCH = 1000


def upgrade() -> None:
    results = op.create_table(
        "evaluator_results",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("workspace", sa.String(length=255), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("span_id", sa.String(length=255), nullable=False),
        sa.Column("experiment_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("data_type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("string_value", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("ingested_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_evaluator_results_workspace_created",
        "evaluator_results",
        ["workspace", "created_at", "id"],
    )
    op.create_index(
        "ix_evaluator_results_session", "evaluator_results", ["workspace", "session_id"]
    )
    op.create_index(
        "ix_evaluator_results_span", "evaluator_results", ["workspace", "span_id", "created_at"]
    )
    op.create_index(
        "ix_evaluator_results_experiment_session",
        "evaluator_results",
        ["experiment_id", "session_id"],
    )
    _copy_session_results(results)


def _copy_session_results(results: sa.Table) -> None:
    """The results stored inside intake runs become rows of the run's experiment."""
    runs = sa.table(
        "runs",
        sa.column("experiment_id", sa.String),
        sa.column("session_id", sa.String),
        sa.column("evaluator_results", _JSON),
        sa.column("ingested_at", _TIME),
    )
    experiments = sa.table(
        "experiments",
        sa.column("id", sa.String),
        sa.column("workspace", sa.String),
        sa.column("kind", sa.String),
    )
    bind = op.get_bind()
    found = bind.execute(
        sa.select(
            experiments.c.workspace,
            runs.c.experiment_id,
            runs.c.session_id,
            runs.c.evaluator_results,
            runs.c.ingested_at,
        )
        .join(experiments, experiments.c.id == runs.c.experiment_id)
        .where(experiments.c.kind == "intake")
    )
    batch: list[dict[str, object]] = []
    for workspace, experiment_id, session_id, stored, ingested_at in found:
        for result in stored or []:
            value = result.get("value")
            batch.append(
                {
                    "id": f"er_{uuid.uuid4()}",
                    "workspace": workspace,
                    "session_id": session_id,
                    "span_id": "",
                    "experiment_id": experiment_id,
                    "name": result["name"],
                    "data_type": result["data_type"],
                    "value": None if value is None else float(value),
                    "string_value": result.get("string_value"),
                    "comment": None,
                    "created_by": None,
                    "created_at": ingested_at,
                    "ingested_at": ingested_at,
                }
            )
        if len(batch) >= _COPY_BATCH:
            op.bulk_insert(results, batch)
            batch = []
    if batch:
        op.bulk_insert(results, batch)


def downgrade() -> None:
    op.drop_table("evaluator_results")
