"""Scoring a trace with an experiment's evaluators: code directly, LLM judges through the
runner, human scores as submitted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from experiment_service.domain.errors import FailedPrecondition
from experiment_service.domain.models import EvaluatorResult
from experiment_service.domain.platform.evaluators import score_with_code
from experiment_service.domain.platform.models import Evaluator, ScoreResult
from experiment_service.domain.platform.spans import CallUsage
from experiment_service.statuses import DataType, EvaluatorType, ScoreValueType
from experiment_service.types import JSON

# A judge scores with an LLM: (evaluator, input, output, expected) -> (score, call usage).
Judge = Callable[[Evaluator, JSON, JSON, JSON], Awaitable[tuple[ScoreResult, CallUsage | None]]]
NO_JUDGE_REASON = "LLM judges run with the workflow runner and a configured LLM provider."


async def score_trace(
    evaluators: list[Evaluator],
    input_: JSON,
    output: JSON,
    expected: JSON,
    *,
    human_scores: dict[str, Any] | None = None,
    judge: Judge | None = None,
) -> tuple[list[tuple[Evaluator, EvaluatorResult]], dict[str, CallUsage]]:
    """Every evaluator's verdict on one trace (code directly, LLM through `judge`, human from
    `human_scores`, skipped when absent), and each judge call's usage by slug."""
    scored: list[tuple[Evaluator, EvaluatorResult]] = []
    usage: dict[str, CallUsage] = {}
    for evaluator in evaluators:
        if evaluator.type == EvaluatorType.CODE:
            score = score_with_code(evaluator, output, expected)
        elif evaluator.type == EvaluatorType.HUMAN:
            if evaluator.slug not in (human_scores or {}):
                continue
            score = ScoreResult((human_scores or {})[evaluator.slug], evaluator.score_value_type)
        elif judge is None:
            score = ScoreResult(None, evaluator.score_value_type, NO_JUDGE_REASON)
        else:
            score, call = await judge(evaluator, input_, output, expected)
            if call is not None:
                usage[evaluator.slug] = call
        scored.append((evaluator, to_result(evaluator, score)))
    return scored, usage


def to_result(evaluator: Evaluator, score: ScoreResult) -> EvaluatorResult:
    data_type = ScoreValueType(evaluator.score_value_type).data_type
    value = score.value
    if score.error is not None or value is None:
        return EvaluatorResult(evaluator.slug, data_type, error=score.error or "No score.")
    if data_type in (DataType.CATEGORICAL, DataType.TEXT):
        return EvaluatorResult(evaluator.slug, data_type, string_value=str(value))
    number = value if isinstance(value, bool) else float(value)
    return EvaluatorResult(evaluator.slug, data_type, value=number)


def check_human_scores(evaluators: list[Evaluator], human_scores: dict[str, Any]) -> None:
    """Human scores may only name the experiment's human evaluators."""
    humans = {e.slug for e in evaluators if e.type == EvaluatorType.HUMAN}
    unknown = sorted(set(human_scores) - humans)
    if unknown:
        raise FailedPrecondition(f"Not human evaluators of this experiment: {', '.join(unknown)}.")
