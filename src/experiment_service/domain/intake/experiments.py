"""Intake experiments: registered by producers, read back with their rollups."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass
from functools import partial

from experiment_service.domain.clock import new_id, utcnow
from experiment_service.domain.errors import (
    AlreadyExists,
    InvalidArgument,
    NotFound,
)
from experiment_service.domain.listing import (
    CreatedFilter,
    Page,
    list_query,
    page_request,
    parse_sort,
)
from experiment_service.domain.models import (
    IDENTITY_FIELDS,
    Experiment,
    ExperimentSpec,
    Rollups,
)
from experiment_service.domain.rollups import read_rollups, remember
from experiment_service.domain.telemetry.runs import adopt_experiment_sessions
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.domain.watching import Broadcasts
from experiment_service.statuses import ExperimentKind
from experiment_service.storage import queries
from experiment_service.storage.batching import UniqueInsertBatcher
from experiment_service.storage.database import Database
from experiment_service.storage.tables import ExperimentRow

MAX_PAGE_SIZE = 1000
SORT_FIELDS = ("name", "created_at", "updated_at", "run_count")
SPEC_FIELDS = tuple(field.name for field in dataclasses.fields(ExperimentSpec))


@dataclass(frozen=True)
class ExperimentFilter(CreatedFilter):
    """Exact matches on request fields, a created_at range, and live or deleted rows."""

    equals: dict[str, str] = dataclasses.field(default_factory=dict)


FILTER_FIELDS = (
    "name",
    "experiment_group_id",
    "agent_name",
    "agent_version",
    "dataset_name",
    "dataset_version",
)


class IntakeExperiments:
    def __init__(self, database: Database) -> None:
        self._db = database
        # Creates are batched; each batch also finds the new experiments that stored spans
        # name already (they adopt those sessions as runs).
        self._inserts = UniqueInsertBatcher(
            database, ExperimentRow, probe=queries.telemetry.experiments_named_by_spans
        )
        self._broadcasts = Broadcasts(database)

    async def create(self, workspace: str, spec: ExperimentSpec) -> Experiment:
        # experiment_group_id is a soft reference (seed 000): stored as given, never checked.
        validate_spec(workspace, spec, SPEC_FIELDS)
        now = utcnow()
        experiment = Experiment(
            id=new_id("exp"),
            workspace=workspace,
            spec=spec,
            created_at=now,
            updated_at=now,
            deleted_at=None,
            rollups=Rollups(),
        )
        # The row as columns (the spec's field names are its column names), without building
        # an ORM object: creates are the hottest write after ingestion.
        row = {
            **{field: getattr(experiment.spec, field) for field in SPEC_FIELDS},
            "id": experiment.id,
            "workspace": workspace,
            "kind": ExperimentKind.INTAKE,
            "created_at": now,
            "updated_at": now,
            "run_count": 0,
            "runs_version": 0,
        }
        if not await self._inserts.insert(row):
            raise AlreadyExists(f"Experiment '{workspace}/{spec.name}' already exists.")
        if experiment.id in self._inserts.probed:
            self._inserts.probed.discard(experiment.id)
            await adopt_experiment_sessions(self._db, workspace, spec.name, now)
            return await self.get(workspace, spec.name)
        return experiment

    def watch(self, workspace: str, name: str) -> AsyncIterator[Experiment]:
        """The experiment with its rollups: at once, then whenever its runs change, until the
        watcher leaves (an intake experiment never finishes)."""
        return self._broadcasts.watch(
            (workspace, name), partial(self._read, workspace, name), lambda _: False
        )

    async def get(self, workspace: str, name: str) -> Experiment:
        found = await self._read(workspace, name, object())
        assert found is not None  # no marker equals a new object
        return found[1]

    async def _read(
        self, workspace: str, name: str, last: Hashable
    ) -> tuple[Hashable, Experiment] | None:
        """The experiment's change marker and the experiment with its rollups, or None while
        the marker is `last`."""
        async with self._db.transaction() as session:
            row = await queries.experiments.get_live_by_name(
                session, workspace, ExperimentKind.INTAKE, name
            )
            if row is None:
                raise _not_found(workspace, name)
            marker = queries.experiments.change_marker(row)
            if marker == last:
                return None
            rollups, fresh = await read_rollups(session, [row])
        await remember(self._db, fresh)
        return marker, to_domain(row, rollups[row.id])

    async def list(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        where: ExperimentFilter,
    ) -> tuple[Page[Experiment], str]:
        violations = Violations()
        request = page_request(violations, page, page_size, max_page_size=MAX_PAGE_SIZE)
        order = parse_sort(violations, sort, SORT_FIELDS)
        for column in where.equals:
            if column not in FILTER_FIELDS:
                violations.add(f"filter.{column}", "Unknown filter field", "extra_forbidden")
        violations.raise_if_any()
        query = list_query(workspace, dict(where.equals), where, order, request)
        async with self._db.transaction() as session:
            rows, total = await queries.experiments.list_page(session, ExperimentKind.INTAKE, query)
            rollups, fresh = await read_rollups(session, rows)
        await remember(self._db, fresh)
        items = [to_domain(row, rollups[row.id]) for row in rows]
        return Page(items, request, total), str(order)

    async def update(
        self,
        workspace: str,
        name: str,
        spec: ExperimentSpec,
        update_mask: builtins.list[str] | None = None,
    ) -> Experiment:
        fields = _checked_mask(update_mask)
        validate_spec(workspace, spec, fields)
        async with self._db.transaction(write=True) as session:
            row = await queries.experiments.get_live_by_name(
                session, workspace, ExperimentKind.INTAKE, name
            )
            if row is None:
                raise _not_found(workspace, name)
            changed = [
                f for f in IDENTITY_FIELDS if f in fields and getattr(spec, f) != getattr(row, f)
            ]
            if changed:
                raise AlreadyExists(
                    f"Experiment '{workspace}/{name}' cannot change its identity field "
                    f"'{changed[0]}'; create a new experiment instead."
                )
            _apply(row, spec, fields)
            row.updated_at = utcnow()
            rollups, fresh = await read_rollups(session, [row])
        await remember(self._db, fresh)
        return to_domain(row, rollups[row.id])

    async def delete(self, workspace: str, name: str) -> None:
        async with self._db.transaction(write=True) as session:
            row = await queries.experiments.get_live_by_name(
                session, workspace, ExperimentKind.INTAKE, name
            )
            if row is None:
                raise _not_found(workspace, name)
            row.deleted_at = utcnow()


def validate_spec(workspace: str, spec: ExperimentSpec, fields: tuple[str, ...]) -> None:
    violations = Violations()
    violations.name("workspace", workspace)
    prefix = "experiment."
    if "name" in fields:
        violations.name(prefix + "name", spec.name)
    for field in ("agent_name", "agent_version", "dataset_name"):
        if field in fields and violations.required(prefix + field, getattr(spec, field)):
            violations.text(prefix + field, getattr(spec, field), MAX_NAME_LENGTH)
    for field in ("dataset_version", "experiment_group_id"):
        if field in fields:
            violations.text(prefix + field, getattr(spec, field), MAX_NAME_LENGTH)
    if "source_link" in fields:
        violations.absolute_uri(prefix + "source_link", spec.source_link)
    if "metadata" in fields:
        violations.json_object_size(prefix + "metadata", spec.metadata)
    for field in ("description", "summary"):
        if field in fields:
            violations.text(prefix + field, getattr(spec, field))
    violations.raise_if_any()


def to_domain(row: ExperimentRow, rollups: Rollups | None = None) -> Experiment:
    spec = ExperimentSpec(
        name=row.name,
        agent_name=row.agent_name or "",
        agent_version=row.agent_version or "",
        dataset_name=row.dataset_name or "",
        experiment_group_id=row.experiment_group_id,
        dataset_version=row.dataset_version,
        source_link=row.source_link,
        metadata=dict(row.metadata_json or {}),
        description=row.description,
        summary=row.summary,
    )
    return Experiment(
        id=row.id,
        workspace=row.workspace,
        spec=spec,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
        rollups=rollups or Rollups(run_count=row.run_count),
    )


def _apply(row: ExperimentRow, spec: ExperimentSpec, fields: tuple[str, ...]) -> None:
    for field in fields:
        value = getattr(spec, field)
        if field == "metadata":
            row.metadata_json = dict(value or {})
        else:
            setattr(row, field, value)


def _checked_mask(update_mask: list[str] | None) -> tuple[str, ...]:
    if not update_mask:
        return SPEC_FIELDS
    violations = Violations()
    for path in update_mask:
        if path not in SPEC_FIELDS:
            violations.add("update_mask", f"Unknown field '{path}'", "enum")
    if violations.items:
        raise InvalidArgument(violations.items)
    return tuple(update_mask)


def _not_found(workspace: str, name: str) -> NotFound:
    return NotFound(f"Experiment '{workspace}/{name}' not found.")
