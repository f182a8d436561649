"""Time and identifiers: the two things every write needs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4()}"


def new_platform_id() -> str:
    """A Platform API resource's id: 32 hex digits."""
    return uuid.uuid4().hex
