"""telemetry_spans: where a span's cost came from (reported by its sender, or computed)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("telemetry_spans") as batch:
        batch.add_column(sa.Column("cost_source", sa.String(length=16), nullable=True))
    op.execute("UPDATE telemetry_spans SET cost_source = 'reported' WHERE cost_usd IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("telemetry_spans") as batch:
        batch.drop_column("cost_source")
