"""Evaluations: NVIDIA's newer name for intake experiments, served in its shapes.

An evaluation is an intake experiment row: the same runs, rollups and name space, so what
one vocabulary writes the other reads. What the evaluations vocabulary adds: membership of
several experiment groups (each must exist), pinning, a producer-defined status and root
cause, lineage, and lists sorted or filtered by rollups.
"""

from __future__ import annotations

import builtins
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from experiment_service.domain.clock import new_id, utcnow
from experiment_service.domain.errors import AlreadyExists, FailedPrecondition, NotFound, TooLarge
from experiment_service.domain.intake.evaluation_metrics import (
    Metric,
    parse_bound,
    parse_metric,
)
from experiment_service.domain.listing import Page, page_request
from experiment_service.domain.models import PerTestCaseRollups, Rollups
from experiment_service.domain.rollups import read_rollups, remember
from experiment_service.domain.telemetry.runs import adopt_experiment_sessions
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.statuses import ExperimentKind
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.queries.evaluations import EvaluationQuery
from experiment_service.storage.tables import ExperimentRow

MAX_PAGE_SIZE = 1000
# Sorting or filtering by a rollup reads every matching evaluation's rollups.
MAX_METRIC_ROWS = 1000
ATTRIBUTE_SORTS = ("name", "created_at", "updated_at", "pinned_at")
DEFAULT_SORT = "-pinned_at,-created_at"
EQUALS_FILTERS = ("name", "dataset_name", "dataset_version")


@dataclass(frozen=True)
class EvaluationSpec:
    name: str
    dataset_name: str
    experiment_ids: list[str] = field(default_factory=list)
    dataset_version: str | None = None
    source_link: str | None = None
    # String values once validated; as given until then.
    metadata: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    parent_evaluation_id: str | None = None
    status: str | None = None
    root_cause: str | None = None


# Fields a PUT must not change.
IMMUTABLE_FIELDS = ("name", "dataset_name", "dataset_version")
# Fields stored in the experiment row's column of the same name.
COLUMN_FIELDS = ("source_link", "description", "status", "root_cause")


@dataclass(frozen=True)
class EvaluationPatch:
    """The fields a PATCH gives; None leaves a field as it is."""

    experiment_ids: list[Any] | None = None
    source_link: str | None = None
    metadata: dict[str, Any] | None = None
    description: str | None = None
    parent_evaluation_id: str | None = None
    status: str | None = None
    root_cause: str | None = None


@dataclass(frozen=True)
class Evaluation:
    id: str
    workspace: str
    spec: EvaluationSpec
    created_at: datetime
    updated_at: datetime
    pinned_at: datetime | None
    rollups: Rollups


@dataclass(frozen=True)
class EvaluationFilter:
    equals: dict[str, str] = field(default_factory=dict)
    group_id: str | None = None
    created_by: str | None = None
    ranges: list[tuple[str, str, datetime]] = field(default_factory=list)
    is_deleted: bool = False
    is_pinned: bool | None = None
    metadata: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)


class Evaluations:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, spec: EvaluationSpec) -> Evaluation:
        _validate(workspace, spec)
        now = utcnow()
        values = {
            "id": new_id("exp"),
            "workspace": workspace,
            "kind": ExperimentKind.INTAKE,
            "name": spec.name,
            "experiment_group_id": spec.experiment_ids[0] if spec.experiment_ids else None,
            "dataset_name": spec.dataset_name,
            "dataset_version": spec.dataset_version,
            "parent_experiment_id": spec.parent_evaluation_id,
            "metadata": spec.metadata,
            **{column: getattr(spec, column) for column in COLUMN_FIELDS},
            "created_at": now,
            "updated_at": now,
            "run_count": 0,
            "runs_version": 0,
        }
        async with self._db.transaction(write=True) as session:
            await _require_groups(session, workspace, spec.experiment_ids)
            if not await queries.evaluations.insert(session, values):
                raise AlreadyExists(f"Evaluation '{workspace}/{spec.name}' already exists.")
            await queries.evaluations.set_later_groups(
                session, values["id"], spec.experiment_ids[1:]
            )
        await adopt_experiment_sessions(self._db, workspace, spec.name, now)
        return await self.get(workspace, spec.name)

    async def get(self, workspace: str, name: str) -> Evaluation:
        async with self._db.transaction() as session:
            row = await live_evaluation(session, workspace, name)
            found = await _evaluations(session, [row])
        await remember(self._db, found.fresh)
        return found.items[0]

    async def update(self, workspace: str, name: str, spec: EvaluationSpec) -> Evaluation:
        _validate(workspace, spec)
        async with self._db.transaction(write=True) as session:
            row = await live_evaluation(session, workspace, name)
            current = {"name": row.name, **{f: getattr(row, f) for f in IMMUTABLE_FIELDS[1:]}}
            for immutable in IMMUTABLE_FIELDS:
                if getattr(spec, immutable) != current[immutable]:
                    raise AlreadyExists(
                        f"Evaluation '{workspace}/{name}' cannot change its immutable field "
                        f"'{immutable}'; create a new evaluation instead."
                    )
            await _require_groups(session, workspace, spec.experiment_ids)
            await _set_groups(session, row, spec.experiment_ids)
            for column in COLUMN_FIELDS:
                setattr(row, column, getattr(spec, column))
            row.metadata_json = dict(spec.metadata)
            row.parent_experiment_id = spec.parent_evaluation_id
            row.updated_at = utcnow()
        return await self.get(workspace, name)

    async def patch(self, workspace: str, name: str, patch: EvaluationPatch) -> Evaluation:
        violations = Violations()
        group_ids = _patched_groups(violations, patch.experiment_ids)
        metadata = _string_map(violations, "evaluation.metadata", patch.metadata)
        _validate_text_fields(violations, patch)
        violations.raise_if_any()
        async with self._db.transaction(write=True) as session:
            row = await live_evaluation(session, workspace, name)
            if group_ids is not None:
                if not group_ids:
                    raise FailedPrecondition(
                        "An evaluation belongs to at least one experiment group: "
                        "experiment_ids must not be empty."
                    )
                await _require_groups(session, workspace, group_ids)
                await _set_groups(session, row, group_ids)
            for column in COLUMN_FIELDS:
                if getattr(patch, column) is not None:
                    setattr(row, column, getattr(patch, column))
            if patch.parent_evaluation_id is not None:
                row.parent_experiment_id = patch.parent_evaluation_id
            if metadata is not None:
                row.metadata_json = metadata
            row.updated_at = utcnow()
        return await self.get(workspace, name)

    async def delete(self, workspace: str, name: str) -> None:
        async with self._db.transaction(write=True) as session:
            row = await live_evaluation(session, workspace, name)
            row.deleted_at = utcnow()

    async def pin(self, workspace: str, name: str, pinned: bool) -> Evaluation:
        async with self._db.transaction(write=True) as session:
            row = await live_evaluation(session, workspace, name)
            row.pinned_at = utcnow() if pinned else None
        return await self.get(workspace, name)

    async def list(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        where: EvaluationFilter,
    ) -> tuple[Page[Evaluation], str]:
        violations = Violations()
        request = page_request(violations, page, page_size, max_page_size=MAX_PAGE_SIZE)
        order = _parse_sort(violations, sort or DEFAULT_SORT)
        bounds = [parse_bound(violations, text) for text in where.metrics]
        equals = dict(where.equals)
        for pair in where.metadata:
            key, separator, _ = pair.partition("=")
            if not separator or not key:
                violations.add("filter.metadata", f"'{pair}' is not key=value", "value_error")
        violations.raise_if_any()
        by_metric = [b for b in bounds if b is not None]
        metric_sort = any(isinstance(key, Metric) for key, _ in order)
        query = EvaluationQuery(
            workspace=workspace,
            kind=ExperimentKind.INTAKE,
            equals=equals,
            group_id=where.group_id,
            ranges=where.ranges,
            deleted=where.is_deleted,
            pinned=where.is_pinned,
            order=[(key, descending) for key, descending in order if isinstance(key, str)],
        )
        if where.created_by is not None:
            # Authors are not recorded, so no evaluation matches one.
            return Page([], request, 0), sort or DEFAULT_SORT
        in_python = metric_sort or by_metric or where.metadata
        async with self._db.transaction() as session:
            if not in_python:
                rows, total = await queries.evaluations.page(
                    session,
                    _paged(query, request.offset, request.page_size),
                )
                found = await _evaluations(session, rows)
                items = found.items
            else:
                rows, total = await queries.evaluations.page(
                    session, _paged(query, 0, MAX_METRIC_ROWS + 1)
                )
                if total > MAX_METRIC_ROWS:
                    raise TooLarge(
                        f"Too many evaluations ({total}) to sort or filter by rollups or "
                        f"metadata in one request; at most {MAX_METRIC_ROWS}. Narrow the filter."
                    )
                found = await _evaluations(session, rows)
                kept = [
                    item
                    for item in found.items
                    if all(bound.admits(item.rollups) for bound in by_metric)
                    and _metadata_matches(item, where.metadata)
                ]
                kept = _sorted(kept, order)
                total = len(kept)
                items = kept[request.offset : request.offset + request.page_size]
        await remember(self._db, found.fresh)
        return Page(items, request, total), sort or DEFAULT_SORT


@dataclass(frozen=True)
class _Found:
    items: builtins.list[Evaluation]
    fresh: builtins.list[Any]


async def _evaluations(session: Transaction, rows: builtins.list[ExperimentRow]) -> _Found:
    rollups, fresh = await read_rollups(session, rows, by_test_case=True)
    later = await queries.evaluations.later_groups(session, [row.id for row in rows])
    return _Found(
        [_to_domain(row, _pooled(rollups[row.id]), later.get(row.id, [])) for row in rows], fresh
    )


def _pooled(rollups: Rollups) -> Rollups:
    """The rollups as evaluations pool them: scores, cost and latency per test case first."""
    pooled = rollups.by_test_case or PerTestCaseRollups()
    return dataclasses.replace(
        rollups,
        aggregate_scores=pooled.aggregate_scores,
        cost_usd=pooled.cost_usd,
        latency_ms=pooled.latency_ms,
    )


def _to_domain(
    row: ExperimentRow, rollups: Rollups, later_groups: builtins.list[str]
) -> Evaluation:
    groups = [row.experiment_group_id, *later_groups] if row.experiment_group_id else later_groups
    spec = EvaluationSpec(
        name=row.name,
        dataset_name=row.dataset_name or "",
        experiment_ids=groups,
        dataset_version=row.dataset_version,
        source_link=row.source_link,
        # Experiments registered through /experiments may hold any JSON; evaluations show text.
        metadata={
            key: value if isinstance(value, str) else orjson.dumps(value).decode()
            for key, value in (row.metadata_json or {}).items()
        },
        description=row.description,
        parent_evaluation_id=row.parent_experiment_id,
        status=row.status,
        root_cause=row.root_cause,
    )
    return Evaluation(
        id=row.id,
        workspace=row.workspace,
        spec=spec,
        created_at=row.created_at,
        updated_at=row.updated_at,
        pinned_at=row.pinned_at,
        rollups=rollups,
    )


async def live_evaluation(session: Transaction, workspace: str, name: str) -> ExperimentRow:
    row = await queries.experiments.get_live_by_name(
        session, workspace, ExperimentKind.INTAKE, name
    )
    if row is None:
        raise NotFound(f"Evaluation '{workspace}/{name}' not found.")
    return row


async def _require_groups(
    session: Transaction, workspace: str, group_ids: builtins.list[str]
) -> None:
    if not group_ids:
        return
    live = await queries.evaluations.live_group_ids(session, workspace, group_ids)
    missing = [group_id for group_id in group_ids if group_id not in live]
    if missing:
        names = ", ".join(f"'{group_id}'" for group_id in missing)
        noun = "Experiment group" if len(missing) == 1 else "Experiment groups"
        verb = "does" if len(missing) == 1 else "do"
        raise FailedPrecondition(f"{noun} {names} {verb} not exist in workspace '{workspace}'.")


async def _set_groups(
    session: Transaction, row: ExperimentRow, group_ids: builtins.list[str]
) -> None:
    row.experiment_group_id = group_ids[0] if group_ids else None
    await queries.evaluations.set_later_groups(session, row.id, group_ids[1:])


def _validate(workspace: str, spec: EvaluationSpec) -> None:
    violations = Violations()
    violations.name("workspace", workspace)
    prefix = "evaluation."
    violations.name(prefix + "name", spec.name)
    if violations.required(prefix + "dataset_name", spec.dataset_name):
        violations.text(prefix + "dataset_name", spec.dataset_name, MAX_NAME_LENGTH)
    violations.text(prefix + "dataset_version", spec.dataset_version, MAX_NAME_LENGTH)
    # Each id's form is a declared rule of the field it came in (`experiment_ids` or the
    # deprecated `experiment_group_id`), kept before this runs.
    if len(set(spec.experiment_ids)) != len(spec.experiment_ids):
        violations.add(prefix + "experiment_ids", "Group ids must be distinct", "value_error")
    violations.absolute_uri(prefix + "source_link", spec.source_link)
    _string_map(violations, prefix + "metadata", spec.metadata)
    _validate_text_fields(violations, spec)
    violations.raise_if_any()


def _validate_text_fields(violations: Violations, fields: EvaluationSpec | EvaluationPatch) -> None:
    prefix = "evaluation."
    violations.text(prefix + "parent_evaluation_id", fields.parent_evaluation_id, MAX_NAME_LENGTH)
    violations.text(prefix + "status", fields.status, MAX_NAME_LENGTH)
    for name in ("description", "root_cause"):
        violations.text(prefix + name, getattr(fields, name))
    if isinstance(fields, EvaluationPatch) and fields.source_link is not None:
        violations.absolute_uri(prefix + "source_link", fields.source_link)


def _patched_groups(
    violations: Violations, given: builtins.list[Any] | None
) -> builtins.list[str] | None:
    if given is None:
        return None
    # Each item is a string of the name form: declared rules, kept before this runs.
    if len(set(map(str, given))) != len(given):
        violations.add("evaluation.experiment_ids", "Group ids must be distinct", "value_error")
    return [str(group_id) for group_id in given]


def _string_map(
    violations: Violations, field_name: str, given: dict[str, Any] | None
) -> dict[str, str] | None:
    if given is None:
        return None
    for key, value in given.items():
        if not isinstance(value, str):
            violations.add(f"{field_name}.{key}", "Input should be a string", "string_type")
    violations.json_object_size(field_name, given)
    return {key: str(value) for key, value in given.items()}


def _parse_sort(violations: Violations, text: str) -> builtins.list[tuple[str | Metric, bool]]:
    order: builtins.list[tuple[str | Metric, bool]] = []
    for part in text.split(","):
        name = part.strip().removeprefix("-")
        descending = part.strip().startswith("-")
        if name in ATTRIBUTE_SORTS:
            order.append((name, descending))
        else:
            metric = parse_metric(violations, "sort", name)
            if metric is not None:
                order.append((metric, descending))
    return order


def _sorted(
    items: builtins.list[Evaluation], order: builtins.list[tuple[str | Metric, bool]]
) -> builtins.list[Evaluation]:
    """A stable sort by each key from the last to the first; absent values last."""
    ordered = sorted(items, key=lambda item: item.id)
    for key, descending in reversed(order):
        present = [item for item in ordered if _sort_value(item, key) is not None]
        absent = [item for item in ordered if _sort_value(item, key) is None]
        present.sort(key=lambda item: _sort_value(item, key), reverse=descending)
        ordered = present + absent
    return ordered


def _sort_value(item: Evaluation, key: str | Metric) -> Any:
    if isinstance(key, Metric):
        return key.of(item.rollups)
    if key == "name":
        return item.spec.name
    return getattr(item, key)


def _metadata_matches(item: Evaluation, pairs: builtins.list[str]) -> bool:
    for pair in pairs:
        key, _, value = pair.partition("=")
        if item.spec.metadata.get(key) != value:
            return False
    return True


def _paged(query: EvaluationQuery, offset: int, limit: int) -> EvaluationQuery:
    return dataclasses.replace(query, offset=offset, limit=limit)
