"""Evaluator results as resources of their own (NVIDIA's intake): each create adds one.

A result names its session (and span) loosely: it may arrive before the session does. It
scores every run of its session, whenever that run appears: runs made from spans pick up the
results already stored, a run's JSON list of results and its session scores gain each new one.
Results carried inside a session summary are rows too, tied to their run's experiment, so
that every result reads the same way; re-ingesting the summary replaces those.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from experiment_service.domain.clock import new_id, utcnow
from experiment_service.domain.errors import NotFound
from experiment_service.domain.evaluator_scores import result_from_values, session_scores
from experiment_service.domain.listing import Page, page_request, parse_sort
from experiment_service.domain.models import EvaluatorResult
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.statuses import DataType, ExperimentKind
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.queries.evaluator_results import EvaluatorResultQuery
from experiment_service.storage.tables import EvaluatorResultRow
from experiment_service.types import RowValues

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 10
SORT_FIELDS = ("created_at", "value")


@dataclass(frozen=True)
class EvaluatorResultInput:
    span_id: str
    session_id: str
    name: str
    data_type: str
    value: float | None = None
    string_value: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class StoredEvaluatorResult:
    id: str
    workspace: str
    session_id: str
    span_id: str
    name: str
    data_type: str
    value: float | None
    string_value: str | None
    comment: str | None
    created_by: str | None
    created_at: datetime
    ingested_at: datetime


@dataclass(frozen=True)
class EvaluatorResultFilter:
    equals: dict[str, str] = field(default_factory=dict)
    value_gte: float | None = None
    value_lte: float | None = None
    created_at_gte: datetime | None = None
    created_at_lte: datetime | None = None


class EvaluatorResults:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, item: EvaluatorResultInput) -> StoredEvaluatorResult:
        violations = Violations()
        violations.name("workspace", workspace)
        _validate(violations, item)
        violations.raise_if_any()
        now = utcnow()
        values = {
            "id": new_id("er"),
            "workspace": workspace,
            "session_id": item.session_id,
            "span_id": item.span_id,
            "experiment_id": None,
            "name": item.name,
            "data_type": item.data_type,
            "value": item.value,
            "string_value": item.string_value,
            "comment": item.comment,
            "created_by": None,
            "created_at": now,
            "ingested_at": now,
        }
        async with self._db.transaction(write=True) as session:
            await queries.evaluator_results.add(session, [values])
            await _score_runs(session, workspace, item.session_id, session_result(values))
        return StoredEvaluatorResult(**values_without_experiment(values))

    async def get(self, workspace: str, result_id: str) -> StoredEvaluatorResult:
        async with self._db.transaction() as session:
            row = await queries.evaluator_results.get(session, workspace, result_id)
        if row is None:
            raise NotFound(f"Evaluator result '{result_id}' not found in workspace '{workspace}'.")
        return stored_result(row)

    async def of_span(self, workspace: str, span_id: str) -> list[StoredEvaluatorResult]:
        async with self._db.transaction() as session:
            rows = await queries.evaluator_results.of_span(session, workspace, span_id)
        return [stored_result(row) for row in rows]

    async def list(
        self,
        workspace: str,
        page: int | None,
        page_size: int | None,
        sort: str,
        where: EvaluatorResultFilter,
    ) -> tuple[Page[StoredEvaluatorResult], str]:
        violations = Violations()
        request = page_request(
            violations,
            page,
            page_size,
            max_page_size=MAX_PAGE_SIZE,
            default_page_size=DEFAULT_PAGE_SIZE,
        )
        chosen = parse_sort(violations, sort, SORT_FIELDS)
        data_type = where.equals.get("data_type")
        if data_type is not None:
            violations.one_of("filter.data_type", data_type, tuple(DataType))
        violations.raise_if_any()
        query = EvaluatorResultQuery(
            workspace=workspace,
            equals=where.equals,
            value_gte=where.value_gte,
            value_lte=where.value_lte,
            created_at_gte=where.created_at_gte,
            created_at_lte=where.created_at_lte,
            sort_by_value=chosen.field == "value",
            descending=chosen.descending,
            offset=request.offset,
            limit=request.page_size,
        )
        async with self._db.transaction() as session:
            rows, total = await queries.evaluator_results.page(session, query)
        return Page([stored_result(row) for row in rows], request, total), str(chosen)


def _validate(violations: Violations, item: EvaluatorResultInput) -> None:
    for name, text in (
        ("span_id", item.span_id),
        ("session_id", item.session_id),
        ("name", item.name),
    ):
        if violations.required(name, text):
            violations.text(name, text, MAX_NAME_LENGTH)
    violations.text("comment", item.comment)
    if not violations.required("data_type", item.data_type) or not violations.one_of(
        "data_type", item.data_type, tuple(DataType)
    ):
        return
    value = item.value
    if item.data_type == DataType.NUMERIC:
        if value is None or not math.isfinite(value):
            violations.add("value", "NUMERIC results need a finite number", "float_type")
    elif item.data_type == DataType.BOOLEAN:
        if value not in (0, 1):
            violations.add("value", "BOOLEAN results need 0 or 1", "literal_error")
    elif item.string_value is None:
        violations.add("string_value", f"{item.data_type} results need a string_value", "missing")
    else:
        violations.text("string_value", item.string_value)


def session_result(values: RowValues) -> EvaluatorResult:
    """A stored result as a session carries it (BOOLEAN values as true / false)."""
    value = values["value"]
    if value is not None and values["data_type"] == DataType.BOOLEAN:
        value = value == 1
    return EvaluatorResult(values["name"], values["data_type"], value, values["string_value"])


def result_rows(
    workspace: str,
    experiment_id: str,
    sessions: Sequence[tuple[str, Sequence[EvaluatorResult]]],
    now: datetime,
) -> list[RowValues]:
    """The rows of the results that came inside a batch of session summaries (session id,
    results) of an experiment."""
    # One random prefix per batch and a counter: unique, and cheaper than a UUID per row.
    prefix = new_id("er")
    return [
        {
            "id": f"{prefix}-{index}",
            "workspace": workspace,
            "session_id": session_id,
            "span_id": "",
            "experiment_id": experiment_id,
            "name": result.name,
            "data_type": result.data_type,
            "value": None if result.value is None else float(result.value),
            "string_value": result.string_value,
            "comment": None,
            "created_by": None,
            "created_at": now,
            "ingested_at": now,
        }
        for index, (session_id, result) in enumerate(
            (session_id, result) for session_id, results in sessions for result in results
        )
    ]


async def loose_results(
    session: Transaction, workspace: str, session_ids: Sequence[str]
) -> dict[str, list[EvaluatorResult]]:
    """Per session, the results created on their own so far, oldest first."""
    found: dict[str, list[EvaluatorResult]] = {}
    rows = await queries.evaluator_results.loose_of_sessions(session, workspace, session_ids)
    for session_id, name, data_type, value, string_value in rows:
        values = {
            "name": name,
            "data_type": data_type,
            "value": value,
            "string_value": string_value,
        }
        found.setdefault(session_id, []).append(session_result(values))
    return found


async def attach_loose_results(
    session: Transaction, workspace: str, experiment_id: str, runs: Sequence[RowValues]
) -> None:
    """Give new runs (as `runs` rows) the results their sessions received before they
    became runs."""
    by_session = {run["session_id"]: run for run in runs}
    loose = await loose_results(session, workspace, list(by_session))
    for session_id, results in loose.items():
        await queries.runs.set_evaluator_results(
            session,
            experiment_id,
            session_id,
            by_session[session_id]["test_case_id"],
            results,
            dict(session_scores(results)),
        )


async def _score_runs(
    session: Transaction, workspace: str, session_id: str, result: EvaluatorResult
) -> None:
    """Add `result` to every live run of its session and score it again for that evaluator."""
    runs = await queries.runs.find_live_runs(session, workspace, ExperimentKind.INTAKE, session_id)
    for run, _ in runs:
        results = [result_from_values(values) for values in run.evaluator_results or []]
        results.append(result)
        scores = session_scores([r for r in results if r.name == result.name])
        await queries.runs.set_evaluator_results(
            session,
            run.experiment_id,
            run.session_id,
            run.test_case_id,
            results,
            {result.name: scores.get(result.name)},
        )


def values_without_experiment(values: RowValues) -> RowValues:
    return {key: value for key, value in values.items() if key != "experiment_id"}


def stored_result(row: EvaluatorResultRow) -> StoredEvaluatorResult:
    return StoredEvaluatorResult(
        id=row.id,
        workspace=row.workspace,
        session_id=row.session_id,
        span_id=row.span_id,
        name=row.name,
        data_type=row.data_type,
        value=row.value,
        string_value=row.string_value,
        comment=row.comment,
        created_by=row.created_by,
        created_at=row.created_at,
        ingested_at=row.ingested_at,
    )
