"""Queries on API keys."""

from __future__ import annotations

from sqlalchemy import select

from experiment_service.storage.database import Transaction
from experiment_service.storage.tables import ApiKeyRow


async def list_keys(session: Transaction, workspace: str | None) -> list[ApiKeyRow]:
    """Every key (of one workspace when given), oldest first."""
    statement = select(ApiKeyRow).order_by(ApiKeyRow.created_at)
    if workspace is not None:
        statement = statement.where(ApiKeyRow.workspace == workspace)
    return list(await session.scalars(statement))


async def get(session: Transaction, key_id: str) -> ApiKeyRow | None:
    return await session.get(ApiKeyRow, key_id)


async def workspace_of_digest(session: Transaction, key_digest: str) -> str | None:
    """The workspace of the unrevoked key with this digest."""
    workspace = await session.scalar(
        select(ApiKeyRow.workspace).where(
            ApiKeyRow.key_hash == key_digest, ApiKeyRow.revoked_at.is_(None)
        )
    )
    return None if workspace is None else str(workspace)
