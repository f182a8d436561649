"""telemetry spans: OTLP spans as producers send them, the source of their sessions' runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "telemetry_spans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace", sa.String(length=255), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("parent_span_id", sa.String(length=16), nullable=True),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("experiment_name", sa.String(length=255), nullable=True),
        sa.Column("test_case_id", sa.String(length=255), nullable=True),
        sa.Column("model", sa.String(length=255), nullable=True),
        sa.Column("provider", sa.String(length=255), nullable=True),
        sa.Column("agent_id", sa.String(length=255), nullable=True),
        sa.Column("agent_name", sa.String(length=255), nullable=True),
        sa.Column("agent_version", sa.String(length=255), nullable=True),
        sa.Column("tool_name", sa.String(length=255), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("cached_tokens", sa.Integer(), nullable=True),
        sa.Column("total_tokens", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("cost_input_usd", sa.Float(), nullable=True),
        sa.Column("cost_output_usd", sa.Float(), nullable=True),
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("error_type", sa.String(length=255), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("raw_attributes", _JSON, nullable=False),
        sa.Column("ingested_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_telemetry_spans_identity",
        "telemetry_spans",
        ["workspace", "trace_id", "span_id"],
        unique=True,
    )
    op.create_index(
        "ix_telemetry_spans_session", "telemetry_spans", ["workspace", "session_id", "started_at"]
    )
    op.create_index(
        "ix_telemetry_spans_parent_started",
        "telemetry_spans",
        ["workspace", "parent_span_id", "started_at", "id"],
    )
    op.create_index(
        "ix_telemetry_spans_started", "telemetry_spans", ["workspace", "started_at", "id"]
    )
    op.create_index("ix_telemetry_spans_span_id", "telemetry_spans", ["workspace", "span_id"])
    op.create_index(
        "ix_telemetry_spans_experiment",
        "telemetry_spans",
        ["workspace", "experiment_name", "session_id"],
    )


def downgrade() -> None:
    op.drop_table("telemetry_spans")
