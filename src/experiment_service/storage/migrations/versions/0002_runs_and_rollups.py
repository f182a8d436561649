"""runs, session scores, model counts and rollup cache

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import experiment_service.storage.tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiment_models",
        sa.Column("experiment_id", sa.String(length=64), nullable=False),
        sa.Column("model_name", sa.String(length=255), nullable=False),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("experiment_id", "model_name"),
    )
    op.create_table(
        "experiment_rollups",
        sa.Column("experiment_id", sa.String(length=64), nullable=False),
        sa.Column("runs_version", sa.Integer(), nullable=False),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "computed_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("experiment_id"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("experiment_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("test_case_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "started_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "ended_at", experiment_service.storage.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column(
            "model_names", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("input", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column(
            "output", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column(
            "evaluator_results",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "ingested_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_runs_experiment_cost", ["experiment_id", "cost_usd"], unique=False
        )
        batch_op.create_index(
            "ix_runs_experiment_latency", ["experiment_id", "latency_ms"], unique=False
        )
        batch_op.create_index(
            "ix_runs_experiment_started", ["experiment_id", "started_at"], unique=False
        )
        batch_op.create_index(
            "uq_runs_experiment_session", ["experiment_id", "session_id"], unique=True
        )

    op.create_table(
        "session_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("experiment_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("session_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_session_scores_experiment_name_value",
            ["experiment_id", "name", "value"],
            unique=False,
        )
        batch_op.create_index(
            "ix_session_scores_experiment_session", ["experiment_id", "session_id"], unique=False
        )

    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("runs_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_column("runs_version")

    with op.batch_alter_table("session_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_session_scores_experiment_session")
        batch_op.drop_index("ix_session_scores_experiment_name_value")

    op.drop_table("session_scores")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("uq_runs_experiment_session")
        batch_op.drop_index("ix_runs_experiment_started")
        batch_op.drop_index("ix_runs_experiment_latency")
        batch_op.drop_index("ix_runs_experiment_cost")

    op.drop_table("runs")
    op.drop_table("experiment_rollups")
    op.drop_table("experiment_models")
