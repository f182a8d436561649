"""Evaluator results as scores: validation, and a run's per-evaluator session means (the unit
that an experiment's `aggregate_scores` pool)."""

from __future__ import annotations

import math
from typing import Any

from experiment_service.domain.models import EvaluatorResult
from experiment_service.domain.validation import Violations
from experiment_service.statuses import SCORED_DATA_TYPES, DataType
from experiment_service.types import RowValues


def validate_result(violations: Violations, result: EvaluatorResult) -> None:
    """The value a result of its data type needs, in the words of the domain's models. The
    declared rules of the API layer keep the rest (name, data type, lengths)."""
    value = result.value
    if result.data_type == DataType.NUMERIC:
        # bool is an int subclass, and not a number here.
        if (
            isinstance(value, bool)
            or not isinstance(value, float | int)
            or not math.isfinite(value)
        ):
            violations.add("value", "NUMERIC results need a finite number", "float_type")
    elif result.data_type == DataType.BOOLEAN:
        if type(value) is not bool:
            violations.add("value", "BOOLEAN results need true or false", "bool_type")
    elif result.data_type in (DataType.TEXT, DataType.CATEGORICAL) and result.string_value is None:
        violations.add("string_value", f"{result.data_type} results need a string_value", "missing")


def session_scores(results: list[EvaluatorResult]) -> dict[str, float]:
    """Per evaluator, the mean of a session's NUMERIC and BOOLEAN (true = 1) results."""
    values: dict[str, list[float]] = {}
    for result in results:
        if result.value is not None and result.data_type in SCORED_DATA_TYPES:
            values.setdefault(result.name, []).append(float(result.value))
    return {
        name: scores[0] if len(scores) == 1 else math.fsum(scores) / len(scores)
        for name, scores in values.items()
    }


def score_rows(
    experiment_id: str,
    session_id: str,
    test_case_id: str | None,
    results: list[EvaluatorResult],
) -> list[RowValues]:
    """A run's `session_scores` rows: its mean per scored evaluator, with its test case (what
    comparisons pair runs by)."""
    return [
        {
            "experiment_id": experiment_id,
            "session_id": session_id,
            "test_case_id": test_case_id,
            "name": name,
            "value": mean,
        }
        for name, mean in session_scores(results).items()
    ]


def result_from_values(values: dict[str, Any]) -> EvaluatorResult:
    return EvaluatorResult(
        values["name"],
        values["data_type"],
        values.get("value"),
        values.get("string_value"),
        values.get("error"),
    )
