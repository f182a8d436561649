"""The spans of a platform trace: one per workflow step, one per evaluator run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from experiment_service.domain.clock import new_platform_id
from experiment_service.domain.models import EvaluatorResult
from experiment_service.domain.platform.models import Evaluator, Span
from experiment_service.statuses import SpanKind, SpanStatus
from experiment_service.storage.tables import SpanRow
from experiment_service.types import JSON, RowValues


@dataclass(frozen=True)
class CallUsage:
    """What one model call (a workflow step, a judge) used; zeros when no call was made."""

    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    latency: float = 0.0
    started_at: datetime | None = None


def evaluator_spans(
    first_position: int,
    scores: list[tuple[Evaluator, EvaluatorResult]],
    scored_output: JSON,
    now: datetime,
    usage: dict[str, CallUsage] | None = None,
) -> list[RowValues]:
    """One span per evaluator run; `usage` (by slug) adds a judge call's tokens, cost and
    latency."""
    spans = []
    for position, (evaluator, score) in enumerate(scores, start=first_position):
        call = (usage or {}).get(evaluator.slug, CallUsage())
        verdict = score.value if score.value is not None else score.string_value
        judged = CallUsage(
            evaluator.config.get("model"),
            call.prompt_tokens,
            call.completion_tokens,
            call.cost,
            call.latency,
        )
        spans.append(
            span(
                position,
                SpanKind.EVALUATOR,
                evaluator.slug,
                input_=scored_output,
                output=None if score.error else verdict,
                usage=judged,
                error=score.error,
                start=call.started_at or now,
                end=now,
            )
        )
    return spans


def span(
    position: int,
    kind: SpanKind,
    name: str,
    *,
    input_: JSON,
    output: JSON,
    usage: CallUsage,
    error: str | None,
    start: datetime | None,
    end: datetime,
) -> RowValues:
    """One span's column values: a workflow step or an evaluator run, and its model call."""
    return {
        "id": new_platform_id(),
        "position": position,
        "kind": kind.value,
        "name": name,
        "status": (SpanStatus.ERROR if error else SpanStatus.SUCCESS).value,
        "input": input_,
        "output": output,
        "model": usage.model,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "cost": usage.cost,
        "latency": usage.latency,
        "error": error,
        "start_time": start,
        "end_time": end,
    }


def span_from_row(row: SpanRow) -> Span:
    return Span(
        id=row.id,
        kind=row.kind,
        name=row.name,
        status=row.status,
        input=row.input,
        output=row.output,
        model=row.model,
        prompt_tokens=row.prompt_tokens or 0,
        completion_tokens=row.completion_tokens or 0,
        cost=row.cost or 0.0,
        latency=row.latency or 0.0,
        error=row.error,
        start_time=row.start_time,
        end_time=row.end_time,
    )


def span_from_values(values: RowValues) -> Span:
    """A span just built (not read back), as the API shows it."""
    return span_from_row(SpanRow(**values))
