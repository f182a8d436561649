"""Built-in code evaluators: deterministic functions chosen by an evaluator's config.

config = {"function": NAME, ...options}:
    exact_match        output equals expected_output as a person would read them (options:
                       case_sensitive=true, strip=true): text compares as text (stripped of
                       surrounding whitespace by default); two numbers, or text that is a
                       number, compare as numbers ("4" = 4, "4.50" = 4.5); "true"/"false"
                       compare with booleans; objects and lists compare as JSON, also when one
                       side is their JSON text
    contains           output contains `value` (default: expected_output; case_sensitive=true)
    regex              output matches `pattern` (re.search; ignore_case=false)
    json_valid         output is JSON (a JSON object/array, or a string that parses as JSON)
    numeric_closeness  |output - expected_output| <= `tolerance` (default 0; relative=false)
    length             `min` <= len(output) <= `max` (either bound optional)

A `boolean` evaluator scores pass/fail; a `numerical` one scores 1.0/0.0, except
numeric_closeness (the absolute difference) and length (the length).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from experiment_service.domain.validation import Violations

Score = float | bool


class EvaluationError(Exception):
    """The evaluator could not score this output (recorded on the trace, not raised further)."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _number(value: Any, what: str) -> float:
    try:
        number = float(value if not isinstance(value, str) else value.strip())
    except (TypeError, ValueError):
        raise EvaluationError(f"{what} is not a number: {_text(value)[:100]!r}") from None
    if not math.isfinite(number):
        raise EvaluationError(f"{what} is not a finite number")
    return number


def _exact_match(config: dict[str, Any], output: Any, expected: Any) -> tuple[bool, float]:
    if expected is None:
        raise EvaluationError("exact_match needs an expected_output")
    passed = _comparable(output, config) == _comparable(expected, config)
    return passed, float(passed)


_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _comparable(value: Any, config: dict[str, Any]) -> tuple[str, Any]:
    """A value in the form exact_match compares: (kind, canonical value)."""
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, int | float):
        return "number", float(value)
    if not isinstance(value, str):
        return "json", json.dumps(value, sort_keys=True)
    text = value.strip() if config.get("strip", True) else value
    if _NUMBER_TEXT.match(text.strip()):
        return "number", float(text)
    if text.strip().lower() in ("true", "false"):
        return "boolean", text.strip().lower() == "true"
    if text.strip()[:1] in ("{", "["):
        try:
            return "json", json.dumps(json.loads(text), sort_keys=True)
        except ValueError:
            pass
    return "text", text if config.get("case_sensitive", True) else text.casefold()


def _contains(config: dict[str, Any], output: Any, expected: Any) -> tuple[bool, float]:
    needle = config.get("value", expected)
    if needle is None:
        raise EvaluationError("contains needs a `value` in its config or an expected_output")
    haystack, needle = _text(output), _text(needle)
    if not config.get("case_sensitive", True):
        haystack, needle = haystack.casefold(), needle.casefold()
    return needle in haystack, float(needle in haystack)


def _regex(config: dict[str, Any], output: Any, expected: Any) -> tuple[bool, float]:
    flags = re.IGNORECASE if config.get("ignore_case") else 0
    passed = re.search(config["pattern"], _text(output), flags) is not None
    return passed, float(passed)


def _json_valid(config: dict[str, Any], output: Any, expected: Any) -> tuple[bool, float]:
    if isinstance(output, dict | list):
        return True, 1.0
    try:
        json.loads(_text(output))
    except ValueError:
        return False, 0.0
    return True, 1.0


def _numeric_closeness(config: dict[str, Any], output: Any, expected: Any) -> tuple[bool, float]:
    if expected is None:
        raise EvaluationError("numeric_closeness needs an expected_output")
    got, want = _number(output, "output"), _number(expected, "expected_output")
    difference = abs(got - want)
    tolerance = float(config.get("tolerance", 0))
    if config.get("relative"):
        return difference <= tolerance * abs(want), difference
    return difference <= tolerance, difference


def _length(config: dict[str, Any], output: Any, expected: Any) -> tuple[bool, float]:
    size = len(_text(output))
    low, high = config.get("min"), config.get("max")
    passed = (low is None or size >= low) and (high is None or size <= high)
    return passed, float(size)


FUNCTIONS: dict[str, Callable[[dict[str, Any], Any, Any], tuple[bool, float]]] = {
    "exact_match": _exact_match,
    "contains": _contains,
    "regex": _regex,
    "json_valid": _json_valid,
    "numeric_closeness": _numeric_closeness,
    "length": _length,
}


def validate_config(violations: Violations, field: str, config: dict[str, Any]) -> None:
    function = config.get("function")
    if function is None:
        violations.add(f"{field}.function", "Field required", "missing")
        return
    if not violations.one_of(f"{field}.function", str(function), tuple(FUNCTIONS)):
        return
    if function == "regex":
        pattern = config.get("pattern")
        if not isinstance(pattern, str) or not pattern:
            violations.add(f"{field}.pattern", "regex needs a pattern", "missing")
        else:
            try:
                re.compile(pattern)
            except re.error as error:
                violations.add(f"{field}.pattern", f"Invalid regular expression: {error}")
    if function == "numeric_closeness":
        tolerance = config.get("tolerance", 0)
        if not isinstance(tolerance, int | float) or tolerance < 0:
            violations.add(f"{field}.tolerance", "Must be a number >= 0", "greater_than_equal")
    if function == "length":
        low, high = config.get("min"), config.get("max")
        for name, bound in (("min", low), ("max", high)):
            if bound is not None and (not isinstance(bound, int | float) or bound < 0):
                violations.add(f"{field}.{name}", "Must be a number >= 0", "greater_than_equal")
        if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            violations.add(f"{field}.max", "Must not be below min", "value_error")


def evaluate(config: dict[str, Any], score_value_type: str, output: Any, expected: Any) -> Score:
    """The score of `output`; raises EvaluationError when it cannot be scored."""
    passed, number = FUNCTIONS[config["function"]](config, output, expected)
    return passed if score_value_type == "boolean" else number
