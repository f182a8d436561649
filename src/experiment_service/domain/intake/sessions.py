"""Intake sessions: batch ingestion, listing and export."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from experiment_service.domain.clock import utcnow
from experiment_service.domain.errors import FailedPrecondition, NotFound
from experiment_service.domain.evaluator_scores import (
    result_from_values,
    score_rows,
    validate_result,
)
from experiment_service.domain.exports import export_format, export_runs, scored_names
from experiment_service.domain.intake.evaluator_results import loose_results, result_rows
from experiment_service.domain.listing import Page, page_request
from experiment_service.domain.models import (
    EvaluatorResult,
    Session,
)
from experiment_service.domain.validation import Violations
from experiment_service.statuses import (
    REPORTED_RUN_STATUSES,
    ExperimentKind,
)
from experiment_service.storage import queries
from experiment_service.storage.database import Database
from experiment_service.storage.tables import RunRow
from experiment_service.types import JSON

MAX_BATCH = 1000
MAX_PAGE_SIZE = 1000


class IntakeSessions:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def ingest(self, workspace: str, sessions: list[Session]) -> int:
        """Store a batch atomically; a session id seen before in its experiment is replaced."""
        violations = Violations()
        violations.name("workspace", workspace)
        if not 1 <= len(sessions) <= MAX_BATCH:
            violations.add(
                "sessions",
                f"A batch holds 1 to {MAX_BATCH} sessions, not {len(sessions)}",
                "too_short" if not sessions else "too_long",
            )
        for index, item in enumerate(sessions):
            validate_session(violations.within(f"sessions[{index}]."), item)
        violations.raise_if_any()

        # Within a batch the last occurrence of a session id wins, as a later batch would.
        by_experiment: dict[str, dict[str, Session]] = defaultdict(dict)
        for item in sessions:
            by_experiment[item.experiment_name][item.session_id] = item
        now = utcnow()
        async with self._db.transaction(write=True) as session:
            ids = await queries.experiments.live_ids_by_name(
                session, workspace, ExperimentKind.INTAKE, list(by_experiment)
            )
            missing = sorted(set(by_experiment) - set(ids))
            if missing:
                names = ", ".join(f"'{workspace}/{name}'" for name in missing)
                noun = "Experiment" if len(missing) == 1 else "Experiments"
                verb = "does" if len(missing) == 1 else "do"
                raise FailedPrecondition(f"{noun} {names} {verb} not exist.")
            for name, batch in by_experiment.items():
                experiment_id = ids[name]
                loose = await loose_results(session, workspace, list(batch))
                runs = []
                scores = []
                for item in batch.values():
                    merged = [*item.evaluator_results, *loose.get(item.session_id, [])]
                    runs.append(run_values(experiment_id, item, now, merged))
                    scores.extend(
                        score_rows(experiment_id, item.session_id, item.test_case_id, merged)
                    )
                results = result_rows(
                    workspace,
                    experiment_id,
                    [(item.session_id, item.evaluator_results) for item in batch.values()],
                    now,
                )
                await queries.runs.replace_runs(session, experiment_id, runs, scores)
                await queries.evaluator_results.add(session, results)
        return sum(len(batch) for batch in by_experiment.values())

    async def export(
        self, workspace: str, name: str, format_: str
    ) -> tuple[str, AsyncIterator[bytes]]:
        """The content type, and every session of the experiment in that format, streamed."""
        form = export_format(format_)
        async with self._db.transaction() as session:
            row = await queries.experiments.get_live_by_name(
                session, workspace, ExperimentKind.INTAKE, name
            )
        if row is None:
            raise NotFound(f"Experiment '{workspace}/{name}' not found.")
        names = await scored_names(self._db, row.id, [])
        chunks = export_runs(self._db, row.id, form, SESSION_COLUMNS, _session_values, names)
        return form.content_type, chunks

    async def list(
        self,
        workspace: str,
        experiment_name: str,
        page: int | None,
        page_size: int | None,
        status: str | None,
        test_case_id: str | None,
    ) -> Page[Session]:
        violations = Violations()
        request = page_request(violations, page, page_size, max_page_size=MAX_PAGE_SIZE)
        if status is not None:
            violations.one_of("filter.status", status, REPORTED_RUN_STATUSES)
        violations.raise_if_any()
        equals = {
            column: value
            for column, value in (("status", status), ("test_case_id", test_case_id))
            if value is not None
        }
        async with self._db.transaction() as session:
            experiment = await queries.experiments.get_live_by_name(
                session, workspace, ExperimentKind.INTAKE, experiment_name
            )
            if experiment is None:
                raise NotFound(f"Experiment '{workspace}/{experiment_name}' not found.")
            rows, total = await queries.runs.list_runs(
                session, experiment.id, equals, request.offset, request.page_size
            )
        return Page([session_from_row(row, experiment_name) for row in rows], request, total)


SESSION_COLUMNS = (
    "session_id",
    "test_case_id",
    "status",
    "started_at",
    "ended_at",
    "latency_ms",
    "cost_usd",
    "input_tokens",
    "output_tokens",
    "model_names",
    "input",
    "output",
)


def _session_values(run: RunRow) -> tuple[JSON, ...]:
    return (
        run.session_id,
        run.test_case_id,
        run.status,
        _iso(run.started_at),
        _iso(run.ended_at),
        run.latency_ms,
        run.cost_usd,
        run.input_tokens,
        run.output_tokens,
        list(run.model_names or []),
        run.input,
        run.output,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def validate_session(violations: Violations, item: Session) -> None:
    """What no declared rule of the Session message states. The rules (required fields,
    lengths, allowed values, bounds, item counts, no NUL) are kept by the API layer before any
    method runs (servicers/request_rules.py), so each is checked once."""
    if item.started_at and item.ended_at and item.ended_at < item.started_at:
        violations.add("ended_at", "Must not be before started_at", "value_error")
    for field, value in (("latency_ms", item.latency_ms), ("cost_usd", item.cost_usd)):
        if value is not None and not math.isfinite(value):
            violations.add(field, "Input should be a finite number", "finite_number")
    if item.evaluator_results:
        results = violations.within("evaluator_results")
        for index, result in enumerate(item.evaluator_results):
            validate_result(results.within(f"[{index}]."), result)
    violations.json_object_size("metadata", item.metadata)


def run_values(
    experiment_id: str, item: Session, now: datetime, results: list[EvaluatorResult]
) -> dict[str, Any]:
    """The session as a `runs` row (column names as keys), with all of its `results`."""
    return {
        "experiment_id": experiment_id,
        "session_id": item.session_id,
        "test_case_id": item.test_case_id,
        "status": item.status,
        "started_at": item.started_at,
        "ended_at": item.ended_at,
        "latency_ms": item.latency_ms,
        "cost_usd": item.cost_usd,
        "input_tokens": item.input_tokens,
        "output_tokens": item.output_tokens,
        "model_names": item.model_names,
        "input": item.input,
        "output": item.output,
        # Stored as JSON objects of the results' fields (the JSON serializer writes dataclasses).
        "evaluator_results": results,
        "metadata": item.metadata,
        "ingested_at": now,
    }


def session_from_row(row: RunRow, experiment_name: str) -> Session:
    return Session(
        session_id=row.session_id,
        experiment_name=experiment_name,
        status=row.status,
        started_at=row.started_at,
        ended_at=row.ended_at,
        test_case_id=row.test_case_id,
        latency_ms=row.latency_ms,
        input=row.input,
        output=row.output,
        model_names=list(row.model_names or []),
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost_usd=row.cost_usd,
        evaluator_results=[result_from_values(result) for result in row.evaluator_results or []],
        metadata=dict(row.metadata_json or {}),
    )
