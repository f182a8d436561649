"""runs: token counts are NULL when a run's sender gave none (missing is not zero)

Rollups cached before this revision counted missing token counts as zero; they are dropped so
that the next read computes them again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.alter_column("input_tokens", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("output_tokens", existing_type=sa.Integer(), nullable=True)
    op.execute("DELETE FROM experiment_rollups")


def downgrade() -> None:
    op.execute("UPDATE runs SET input_tokens = 0 WHERE input_tokens IS NULL")
    op.execute("UPDATE runs SET output_tokens = 0 WHERE output_tokens IS NULL")
    with op.batch_alter_table("runs") as batch:
        batch.alter_column("input_tokens", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("output_tokens", existing_type=sa.Integer(), nullable=False)
