"""session scores carry their run's test case, indexed for comparisons

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("test_case_id", sa.String(length=255), nullable=True))
    op.execute(
        "UPDATE session_scores SET test_case_id = (SELECT runs.test_case_id FROM runs"
        " WHERE runs.experiment_id = session_scores.experiment_id"
        " AND runs.session_id = session_scores.session_id)"
    )
    op.create_index(
        "ix_session_scores_experiment_case",
        "session_scores",
        ["experiment_id", "test_case_id", "name", "value"],
    )


def downgrade() -> None:
    op.drop_index("ix_session_scores_experiment_case", table_name="session_scores")
    with op.batch_alter_table("session_scores", schema=None) as batch_op:
        batch_op.drop_column("test_case_id")
