"""platform: api keys, datasets, prompts, evaluators, traces and spans

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import experiment_service.storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("workspace", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "revoked_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index("ix_api_keys_workspace", ["workspace"], unique=False)

    op.create_table(
        "datasets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("workspace", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_datasets_workspace_created", ["workspace", "created_at"], unique=False
        )

    op.create_table(
        "evaluators",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("workspace", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("score_value_type", sa.String(length=16), nullable=False),
        sa.Column(
            "config", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "categories", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "created_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evaluators", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evaluators_workspace_created", ["workspace", "created_at"], unique=False
        )
        batch_op.create_index("uq_evaluators_workspace_slug", ["workspace", "slug"], unique=True)

    op.create_table(
        "prompts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("workspace", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("deployed_version", sa.Integer(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prompts_workspace_created", ["workspace", "created_at"], unique=False
        )

    op.create_table(
        "dataset_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unique_id", sa.String(length=64), nullable=False),
        sa.Column("dataset_id", sa.String(length=64), nullable=False),
        sa.Column(
            "input", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "expected_output",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "created_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unique_id"),
    )
    with op.batch_alter_table("dataset_rows", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_rows_dataset", ["dataset_id", "id"], unique=False)

    op.create_table(
        "prompt_versions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("prompt_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "messages", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("max_tokens", sa.Integer(), nullable=True),
        sa.Column("top_p", sa.Float(), nullable=True),
        sa.Column("frequency_penalty", sa.Float(), nullable=True),
        sa.Column("presence_penalty", sa.Float(), nullable=True),
        sa.Column(
            "extra_params", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "variables", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "created_at",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["prompt_id"], ["prompts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("prompt_versions", schema=None) as batch_op:
        batch_op.create_index("uq_prompt_versions_number", ["prompt_id", "version"], unique=True)

    op.create_table(
        "spans",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("input", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column(
            "output", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("model", sa.String(length=255), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("latency", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "start_time",
            experiment_service.storage.tables.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "end_time", experiment_service.storage.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("spans", schema=None) as batch_op:
        batch_op.create_index("ix_spans_run_position", ["run_id", "position"], unique=False)

    # Autogenerate does not see index predicates: only intake names must be unique.
    _replace_live_name_index("deleted_at IS NULL AND kind = 'intake'")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dataset_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "workflows", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "evaluator_slugs",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("progress", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("error_message", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "started_at",
                experiment_service.storage.tables.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "completed_at",
                experiment_service.storage.tables.UTCDateTime(timezone=True),
                nullable=True,
            )
        )

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dataset_row_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "expected_output",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("error_message", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "expires_at",
                experiment_service.storage.tables.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_runs_experiment_status", ["experiment_id", "status"], unique=False
        )


def downgrade() -> None:
    _replace_live_name_index("deleted_at IS NULL")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_experiment_status")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("error_message")
        batch_op.drop_column("expected_output")
        batch_op.drop_column("dataset_row_id")

    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("error_message")
        batch_op.drop_column("progress")
        batch_op.drop_column("status")
        batch_op.drop_column("evaluator_slugs")
        batch_op.drop_column("workflows")
        batch_op.drop_column("dataset_id")

    with op.batch_alter_table("spans", schema=None) as batch_op:
        batch_op.drop_index("ix_spans_run_position")

    op.drop_table("spans")
    with op.batch_alter_table("prompt_versions", schema=None) as batch_op:
        batch_op.drop_index("uq_prompt_versions_number")

    op.drop_table("prompt_versions")
    with op.batch_alter_table("dataset_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_rows_dataset")

    op.drop_table("dataset_rows")
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_index("ix_prompts_workspace_created")

    op.drop_table("prompts")
    with op.batch_alter_table("evaluators", schema=None) as batch_op:
        batch_op.drop_index("uq_evaluators_workspace_slug")
        batch_op.drop_index("ix_evaluators_workspace_created")

    op.drop_table("evaluators")
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_index("ix_datasets_workspace_created")

    op.drop_table("datasets")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_api_keys_workspace")

    op.drop_table("api_keys")


def _replace_live_name_index(where: str) -> None:
    op.drop_index("uq_experiments_live_name", table_name="experiments")
    op.create_index(
        "uq_experiments_live_name",
        "experiments",
        ["workspace", "kind", "name"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )
