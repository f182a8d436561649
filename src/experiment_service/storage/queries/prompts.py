"""Queries on prompts' versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from experiment_service.storage.database import Transaction
from experiment_service.storage.tables import PromptRow, PromptVersionRow


async def take_version_number(session: Transaction, prompt: PromptRow, now: datetime) -> int:
    """The next version number of `prompt`, taken in this transaction (the unique
    (prompt_id, version) index catches any racing writer)."""
    number = prompt.latest_version + 1
    await session.execute(
        update(PromptRow)
        .where(PromptRow.id == prompt.id)
        .values(latest_version=number, updated_at=now)
    )
    return number


async def version(session: Transaction, prompt_id: str, number: int) -> PromptVersionRow | None:
    row: PromptVersionRow | None = await session.scalar(
        select(PromptVersionRow).where(
            PromptVersionRow.prompt_id == prompt_id, PromptVersionRow.version == number
        )
    )
    return row


async def page_versions(
    session: Transaction, prompt_id: str, offset: int, limit: int
) -> tuple[list[PromptVersionRow], int]:
    """One page of a prompt's versions, newest first, and the total."""
    where = PromptVersionRow.prompt_id == prompt_id
    total = await session.scalar(select(func.count()).where(where))
    rows = await session.scalars(
        select(PromptVersionRow)
        .where(where)
        .order_by(PromptVersionRow.version.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)


async def prompt(session: Transaction, prompt_id: str) -> PromptRow | None:
    return await session.get(PromptRow, prompt_id)
