"""unique trace ids: a platform trace gets an id of its own; the dataset row stays a field

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Until now a trace's id was the id of the dataset row it answers, so two experiments over one
dataset had the same trace ids. Each existing trace gets a fresh id; the row it answers stays in
`dataset_row_id` and becomes its `test_case_id` (what pairs the traces of two experiments), and
its session scores follow it.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    traces = connection.execute(
        sa.text(
            "SELECT runs.id, runs.experiment_id, runs.session_id FROM runs"
            " JOIN experiments ON experiments.id = runs.experiment_id"
            " WHERE experiments.kind = 'platform'"
        )
    ).all()
    moves = [
        {"run": run_id, "experiment": experiment_id, "old": old, "new": uuid.uuid4().hex}
        for run_id, experiment_id, old in traces
    ]
    if not moves:
        return
    connection.execute(
        sa.text(
            "UPDATE runs SET session_id = :new,"
            " test_case_id = COALESCE(test_case_id, dataset_row_id) WHERE id = :run"
        ),
        moves,
    )
    connection.execute(
        sa.text(
            "UPDATE session_scores SET session_id = :new"
            " WHERE experiment_id = :experiment AND session_id = :old"
        ),
        moves,
    )


def downgrade() -> None:
    # Trace ids before this revision were the dataset row ids they answer.
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE session_scores SET session_id = (SELECT runs.dataset_row_id FROM runs"
            " WHERE runs.experiment_id = session_scores.experiment_id"
            " AND runs.session_id = session_scores.session_id)"
            " WHERE EXISTS (SELECT 1 FROM runs JOIN experiments ON experiments.id ="
            " runs.experiment_id WHERE experiments.kind = 'platform'"
            " AND runs.experiment_id = session_scores.experiment_id"
            " AND runs.session_id = session_scores.session_id)"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE runs SET session_id = dataset_row_id WHERE dataset_row_id IS NOT NULL"
            " AND experiment_id IN (SELECT id FROM experiments WHERE kind = 'platform')"
        )
    )
