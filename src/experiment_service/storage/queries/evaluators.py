"""Queries on evaluators."""

from __future__ import annotations

from sqlalchemy import select

from experiment_service.storage.database import Transaction
from experiment_service.storage.tables import EvaluatorRow


async def by_slugs(session: Transaction, workspace: str, slugs: list[str]) -> list[EvaluatorRow]:
    """The workspace's evaluators among `slugs` (in no particular order)."""
    rows = await session.scalars(
        select(EvaluatorRow).where(
            EvaluatorRow.workspace == workspace, EvaluatorRow.slug.in_(slugs)
        )
    )
    return list(rows)
