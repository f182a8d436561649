"""evaluations: pinning, lineage, root cause, and membership of further experiment groups

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("experiments") as batch:
        batch.add_column(sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("parent_experiment_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("root_cause", sa.Text(), nullable=True))
    op.create_table(
        "experiment_group_memberships",
        sa.Column("experiment_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("experiment_id", "group_id"),
    )
    op.create_index(
        "ix_experiment_group_memberships_group", "experiment_group_memberships", ["group_id"]
    )


def downgrade() -> None:
    op.drop_table("experiment_group_memberships")
    with op.batch_alter_table("experiments") as batch:
        batch.drop_column("root_cause")
        batch.drop_column("parent_experiment_id")
        batch.drop_column("pinned_at")
