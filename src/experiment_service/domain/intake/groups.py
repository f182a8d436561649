"""Experiment groups: named folders of intake experiments."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from experiment_service.domain.clock import new_id, utcnow
from experiment_service.domain.errors import AlreadyExists, InvalidArgument, NotFound
from experiment_service.domain.listing import (
    CreatedFilter,
    Page,
    list_query,
    page_request,
    parse_sort,
)
from experiment_service.domain.models import ExperimentGroup, ExperimentGroupSpec
from experiment_service.domain.validation import Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database, UniqueViolation
from experiment_service.storage.tables import ExperimentGroupRow

MAX_PAGE_SIZE = 1000
SORT_FIELDS = ("name", "created_at", "updated_at")
UPDATABLE_FIELDS = ("name", "description")


@dataclass(frozen=True)
class GroupFilter(CreatedFilter):
    name: str | None = None


class ExperimentGroups:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, spec: ExperimentGroupSpec) -> ExperimentGroup:
        _validate(workspace, spec, prefix="experiment_group")
        now = utcnow()
        row = ExperimentGroupRow(
            id=new_id("group"),
            workspace=workspace,
            name=spec.name,
            description=spec.description,
            created_at=now,
            updated_at=now,
            deleted_at=None,
        )
        try:
            async with self._db.transaction(write=True) as session:
                queries.owned.add(session, row)
        except UniqueViolation:
            raise _duplicate(workspace, spec.name) from None
        return _to_domain(row, 0)

    async def get(self, workspace: str, name: str) -> ExperimentGroup:
        async with self._db.transaction() as session:
            found = await queries.groups.get_live_by_name(session, workspace, name)
        if found is None:
            raise _not_found(workspace, name)
        return _to_domain(*found)

    async def list(
        self, workspace: str, page: int | None, page_size: int | None, sort: str, where: GroupFilter
    ) -> tuple[Page[ExperimentGroup], str]:
        violations = Violations()
        request = page_request(violations, page, page_size, max_page_size=MAX_PAGE_SIZE)
        order = parse_sort(violations, sort, SORT_FIELDS)
        violations.raise_if_any()
        equals = {"name": where.name} if where.name is not None else {}
        query = list_query(workspace, equals, where, order, request)
        async with self._db.transaction() as session:
            rows, total = await queries.groups.list_page(session, query)
        return Page([_to_domain(*row) for row in rows], request, total), str(order)

    async def update(
        self,
        workspace: str,
        name: str,
        spec: ExperimentGroupSpec,
        update_mask: builtins.list[str] | None = None,
    ) -> ExperimentGroup:
        fields = _checked_mask(update_mask)
        _validate(workspace, spec, prefix="experiment_group", only=fields)
        try:
            async with self._db.transaction(write=True) as session:
                found = await queries.groups.get_live_by_name(session, workspace, name)
                if found is None:
                    raise _not_found(workspace, name)
                row, count = found
                if "name" in fields:
                    row.name = spec.name
                if "description" in fields:
                    row.description = spec.description
                row.updated_at = utcnow()
                await queries.owned.flush(session)
        except UniqueViolation:
            raise _duplicate(workspace, spec.name) from None
        return _to_domain(row, count)

    async def delete(self, workspace: str, name: str) -> None:
        async with self._db.transaction(write=True) as session:
            found = await queries.groups.get_live_by_name(session, workspace, name)
            if found is None:
                raise _not_found(workspace, name)
            found[0].deleted_at = utcnow()


def _validate(
    workspace: str,
    spec: ExperimentGroupSpec,
    *,
    prefix: str,
    only: tuple[str, ...] = UPDATABLE_FIELDS,
) -> None:
    violations = Violations()
    violations.name("workspace", workspace)
    if "name" in only:
        violations.name(f"{prefix}.name", spec.name)
    if "description" in only:
        violations.text(f"{prefix}.description", spec.description)
    violations.raise_if_any()


def _checked_mask(update_mask: list[str] | None) -> tuple[str, ...]:
    if not update_mask:
        return UPDATABLE_FIELDS
    unknown = [path for path in update_mask if path not in UPDATABLE_FIELDS]
    if unknown:
        violations = Violations()
        for path in unknown:
            violations.add("update_mask", f"Unknown or immutable field '{path}'", "enum")
        raise InvalidArgument(violations.items)
    return tuple(update_mask)


def _to_domain(row: ExperimentGroupRow, experiment_count: int) -> ExperimentGroup:
    return ExperimentGroup(
        id=row.id,
        workspace=row.workspace,
        name=row.name,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
        experiment_count=experiment_count,
    )


def _not_found(workspace: str, name: str) -> NotFound:
    return NotFound(f"Experiment group '{workspace}/{name}' not found.")


def _duplicate(workspace: str, name: str) -> AlreadyExists:
    return AlreadyExists(f"Experiment group '{workspace}/{name}' already exists.")
