"""Annotations: feedback, notes, metadata and labels on a session or one of its spans.

References are loose, as NVIDIA's intake has them: a session or span that has not arrived
(yet) may be annotated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from experiment_service.domain.clock import new_id, utcnow
from experiment_service.domain.errors import NotFound
from experiment_service.domain.listing import Page, page_request, parse_sort
from experiment_service.domain.validation import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database
from experiment_service.storage.queries.annotations import AnnotationQuery
from experiment_service.storage.tables import AnnotationRow
from experiment_service.types import JSON, JSONObject

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 10
MAX_LABEL_NAME_LENGTH = 256


class AnnotationKind(StrEnum):
    FEEDBACK = "feedback"
    NOTE = "note"
    METADATA = "metadata"
    LABEL = "label"


FEEDBACK_VALUES = ("positive", "negative")
LABEL_VALUE_TYPES = ("text", "numeric")


@dataclass(frozen=True)
class AnnotationInput:
    session_id: str
    kind: str
    span_id: str | None = None
    value: JSON = None
    value_type: str | None = None
    name: str | None = None
    text: str | None = None
    metadata: JSONObject | None = None


@dataclass(frozen=True)
class Annotation:
    id: str
    workspace: str
    session_id: str
    span_id: str | None
    kind: str
    value: JSON
    value_type: str | None
    name: str | None
    text: str | None
    metadata: JSONObject | None
    created_by: str | None
    created_at: datetime
    ingested_at: datetime


@dataclass(frozen=True)
class AnnotationFilter:
    equals: dict[str, str] = field(default_factory=dict)
    value_numeric_gte: float | None = None
    value_numeric_lte: float | None = None
    created_at_gte: datetime | None = None
    created_at_lte: datetime | None = None


class Annotations:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, item: AnnotationInput) -> Annotation:
        violations = Violations()
        violations.name("workspace", workspace)
        _validate(violations, item)
        violations.raise_if_any()
        now = utcnow()
        numeric = item.kind == AnnotationKind.LABEL and item.value_type == "numeric"
        values = {
            "id": new_id("ann"),
            "workspace": workspace,
            "session_id": item.session_id,
            "span_id": item.span_id,
            "kind": item.kind,
            "value_text": None if numeric or item.value is None else str(item.value),
            "value_numeric": float(item.value) if numeric else None,
            "value_type": item.value_type if item.kind == AnnotationKind.LABEL else None,
            "name": item.name if item.kind == AnnotationKind.LABEL else None,
            "text": item.text if item.kind == AnnotationKind.NOTE else None,
            "metadata_json": item.metadata if item.kind == AnnotationKind.METADATA else None,
            "created_by": None,
            "created_at": now,
            "ingested_at": now,
        }
        async with self._db.transaction(write=True) as session:
            row = await queries.annotations.add(session, values)
        return annotation_of(row)

    async def get(self, workspace: str, annotation_id: str) -> Annotation:
        async with self._db.transaction() as session:
            row = await queries.annotations.get(session, workspace, annotation_id)
        if row is None:
            raise NotFound(f"Annotation '{annotation_id}' not found in workspace '{workspace}'.")
        return annotation_of(row)

    async def delete(self, workspace: str, annotation_id: str) -> None:
        async with self._db.transaction(write=True) as session:
            if not await queries.annotations.remove(session, workspace, annotation_id):
                raise NotFound(
                    f"Annotation '{annotation_id}' not found in workspace '{workspace}'."
                )

    async def list(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        where: AnnotationFilter,
    ) -> tuple[Page[Annotation], str]:
        violations = Violations()
        request = page_request(
            violations,
            page,
            page_size,
            max_page_size=MAX_PAGE_SIZE,
            default_page_size=DEFAULT_PAGE_SIZE,
        )
        chosen = parse_sort(violations, sort, ("created_at",))
        kind = where.equals.get("kind")
        if kind is not None:
            violations.one_of("filter.kind", kind, tuple(AnnotationKind))
        violations.raise_if_any()
        query = AnnotationQuery(
            workspace=workspace,
            equals=where.equals,
            value_numeric_gte=where.value_numeric_gte,
            value_numeric_lte=where.value_numeric_lte,
            created_at_gte=where.created_at_gte,
            created_at_lte=where.created_at_lte,
            descending=chosen.descending,
            offset=request.offset,
            limit=request.page_size,
        )
        async with self._db.transaction() as session:
            rows, total = await queries.annotations.page(session, query)
        return Page([annotation_of(row) for row in rows], request, total), str(chosen)


def _validate(violations: Violations, item: AnnotationInput) -> None:
    if violations.required("session_id", item.session_id):
        violations.text("session_id", item.session_id, MAX_NAME_LENGTH)
    violations.text("span_id", item.span_id, MAX_NAME_LENGTH)
    if not violations.required("kind", item.kind) or not violations.one_of(
        "kind", item.kind, tuple(AnnotationKind)
    ):
        return
    if item.kind == AnnotationKind.FEEDBACK:
        if item.value not in FEEDBACK_VALUES:
            violations.add("value", "Input should be 'positive' or 'negative'", "enum")
    elif item.kind == AnnotationKind.NOTE:
        if not item.text:
            violations.add("text", "Field required", "missing")
        else:
            violations.text("text", item.text, MAX_TEXT_LENGTH)
    elif item.kind == AnnotationKind.METADATA:
        if not item.metadata:
            violations.add("metadata", "Dictionary should have at least 1 item", "too_short")
        violations.json_object_size("metadata", item.metadata)
    else:
        _validate_label(violations, item)


def _validate_label(violations: Violations, item: AnnotationInput) -> None:
    if not violations.required("value_type", item.value_type) or not violations.one_of(
        "value_type", item.value_type or "", LABEL_VALUE_TYPES
    ):
        return
    violations.text("name", item.name, MAX_LABEL_NAME_LENGTH)
    value = item.value
    if item.value_type == "text":
        if not isinstance(value, str) or not value:
            violations.add("value", "A text label's value is a string", "string_type")
        else:
            violations.text("value", value)
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        violations.add("value", "A numeric label's value is a finite number", "float_type")
    if not item.name:
        violations.add("name", "Numeric labels need a name", "missing")


def annotation_of(row: AnnotationRow) -> Annotation:
    value: JSON = row.value_numeric if row.value_type == "numeric" else row.value_text
    return Annotation(
        id=row.id,
        workspace=row.workspace,
        session_id=row.session_id,
        span_id=row.span_id,
        kind=row.kind,
        value=value,
        value_type=row.value_type,
        name=row.name,
        text=row.text,
        metadata=row.metadata_json,
        created_by=row.created_by,
        created_at=row.created_at,
        ingested_at=row.ingested_at,
    )
