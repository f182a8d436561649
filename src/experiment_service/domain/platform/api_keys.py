"""Platform API keys: one workspace each, shown once, stored only as a SHA-256 digest.

A key is 256 random bits, so a plain digest (not a slow password hash) is what protects it at
rest: no dictionary exists to attack it with.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from experiment_service.domain.clock import new_id, utcnow
from experiment_service.domain.errors import NotFound, Unauthenticated
from experiment_service.domain.validation import Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database
from experiment_service.storage.tables import ApiKeyRow

KEY_PREFIX = "esk_"
MISSING_CREDENTIALS = "Authentication credentials were not provided."
INVALID_KEY = "Your API key is invalid or expired."


@dataclass(frozen=True)
class ApiKey:
    id: str
    workspace: str
    name: str | None
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeys:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, name: str | None = None) -> tuple[ApiKey, str]:
        """A new key of `workspace`: its record, and the key itself (never stored)."""
        violations = Violations()
        violations.name("workspace", workspace)
        violations.text("name", name, 255)
        violations.raise_if_any()
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            id=new_id("key"),
            workspace=workspace,
            name=name,
            prefix=key[:12],
            key_hash=digest(key),
            created_at=utcnow(),
            revoked_at=None,
        )
        async with self._db.transaction(write=True) as session:
            queries.owned.add(session, row)
        return _to_domain(row), key

    async def list(self, workspace: str | None = None) -> list[ApiKey]:
        async with self._db.transaction() as session:
            return [_to_domain(row) for row in await queries.api_keys.list_keys(session, workspace)]

    async def revoke(self, key_id: str) -> ApiKey:
        async with self._db.transaction(write=True) as session:
            row = await queries.api_keys.get(session, key_id)
            if row is None:
                raise NotFound(f"API key '{key_id}' not found.")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
        return _to_domain(row)

    async def workspace_of(self, authorization: str | None) -> str:
        """The workspace of the key in an `authorization: Bearer <key>` header."""
        if not authorization:
            raise Unauthenticated(MISSING_CREDENTIALS)
        scheme, _, key = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthenticated(MISSING_CREDENTIALS)
        async with self._db.transaction() as session:
            workspace = await queries.api_keys.workspace_of_digest(session, digest(key.strip()))
        if workspace is None:
            raise Unauthenticated(INVALID_KEY)
        return workspace


def _to_domain(row: ApiKeyRow) -> ApiKey:
    return ApiKey(row.id, row.workspace, row.name, row.prefix, row.created_at, row.revoked_at)
