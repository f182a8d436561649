"""An evaluation's sessions (its runs) in NVIDIA's shape: the root span's trace, cached tokens
from the spans, and each evaluator's session-mean score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from experiment_service.domain.intake.evaluations import MAX_PAGE_SIZE, live_evaluation
from experiment_service.domain.listing import Page, page_request
from experiment_service.domain.validation import Violations
from experiment_service.statuses import REPORTED_RUN_STATUSES
from experiment_service.storage import queries
from experiment_service.storage.database import Database

PREVIEW_CHARS = 300
SESSION_SORTS = (
    "test_case_id",
    "started_at",
    "ended_at",
    "latency_ms",
    "status",
    "cost_total_usd",
    "tokens",
)
SESSION_MODES = ("summary", "preview", "detailed")


@dataclass(frozen=True)
class EvaluationSession:
    session_id: str
    test_case_id: str | None
    trace_id: str
    root_span_id: str
    started_at: datetime | None
    ended_at: datetime | None
    latency_ms: float | None
    status: str
    input: str | None
    output: str | None
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost_usd: float | None
    scores: dict[str, float]


class EvaluationSessions:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def list(
        self,
        workspace: str,
        name: str,
        page: int | None,
        page_size: int | None,
        mode: str,
        sort: str,
        equals: dict[str, str],
    ) -> Page[EvaluationSession]:
        violations = Violations()
        request = page_request(violations, page, page_size, max_page_size=MAX_PAGE_SIZE)
        mode = mode or "detailed"
        violations.one_of("mode", mode, SESSION_MODES)
        order = _parse_fields(violations, sort or "started_at", SESSION_SORTS)
        if "status" in equals:
            violations.one_of("filter.status", equals["status"], REPORTED_RUN_STATUSES)
        violations.raise_if_any()
        async with self._db.transaction() as session:
            row = await live_evaluation(session, workspace, name)
            runs, total = await queries.evaluations.session_page(
                session, row.id, equals, order, request.offset, request.page_size
            )
            ids = [run.session_id for run in runs]
            roots, cached = await queries.evaluations.session_roots_and_cached_tokens(
                session, workspace, ids
            )
            scores = await queries.evaluations.session_scores(session, row.id, ids)
        items = [
            EvaluationSession(
                session_id=run.session_id,
                test_case_id=run.test_case_id,
                trace_id=roots.get(run.session_id, ("", ""))[0],
                root_span_id=roots.get(run.session_id, ("", ""))[1],
                started_at=run.started_at,
                ended_at=run.ended_at,
                latency_ms=run.latency_ms,
                status=run.status,
                input=_payload_text(run.input, mode),
                output=_payload_text(run.output, mode),
                input_tokens=run.input_tokens or 0,
                output_tokens=run.output_tokens or 0,
                cached_tokens=cached.get(run.session_id, 0),
                cost_usd=run.cost_usd,
                scores=scores.get(run.session_id, {}),
            )
            for run in runs
        ]
        return Page(items, request, total)


def _parse_fields(
    violations: Violations, text: str, allowed: tuple[str, ...]
) -> list[tuple[str, bool]]:
    order = []
    for part in text.split(","):
        name = part.strip().removeprefix("-")
        if name not in allowed:
            violations.add(
                "sort", f"Unknown sort field '{name}'; one of {', '.join(allowed)}", "enum"
            )
            continue
        order.append((name, part.strip().startswith("-")))
    return order


def _payload_text(value: Any, mode: str) -> str | None:
    if mode == "summary" or value is None:
        return None
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text[:PREVIEW_CHARS] if mode == "preview" else text
