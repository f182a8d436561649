"""What a comparison of two experiments answers: per metric, whether B differs from A."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Verdict(StrEnum):
    IMPROVED = "improved"
    REGRESSED = "regressed"
    NO_SIGNIFICANT_CHANGE = "no_significant_change"
    # A metric with no value on one side (or no pair with both): not tested, not adjusted.
    NOT_COMPARABLE = "not_comparable"


class OverallVerdict(StrEnum):
    """The comparison's answer, from its score metrics' adjusted verdicts."""

    IMPROVED = "improved"
    REGRESSED = "regressed"
    MIXED = "mixed"
    NO_SIGNIFICANT_CHANGE = "no_significant_change"
    NOT_COMPARABLE = "not_comparable"


class Method(StrEnum):
    """How runs were matched: by test case, or not at all (no test case in common)."""

    PAIRED = "paired"
    UNPAIRED = "unpaired"


# The run metrics compared besides the evaluators' scores, and which way is better.
COST, LATENCY, TOKENS = "cost_usd", "latency_ms", "tokens"
RUN_METRICS = (COST, LATENCY, TOKENS)


@dataclass(frozen=True)
class Regression:
    """A test case where the candidate does worst against the baseline on one metric."""

    test_case_id: str
    baseline_value: float
    candidate_value: float
    difference: float
    baseline_run_ids: list[str]
    candidate_run_ids: list[str]


@dataclass(frozen=True)
class MetricComparison:
    metric: str
    """An evaluator's name, or cost_usd, latency_ms, tokens."""
    is_score: bool
    direction: Direction
    pairs: int
    """Test cases with a value on both sides (paired), or runs with one (unpaired: both)."""
    baseline_count: int
    candidate_count: int
    baseline_mean: float | None
    candidate_mean: float | None
    mean_difference: float | None
    """candidate - baseline."""
    relative_change: float | None
    """mean_difference / |baseline_mean|; None when the baseline mean is 0."""
    ci_lower: float | None
    ci_upper: float | None
    p_value: float | None
    p_value_adjusted: float | None
    """Holm-adjusted across the metrics of this comparison."""
    test: str
    wins: int
    ties: int
    losses: int
    verdict: Verdict
    regressions: list[Regression] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    baseline: str
    candidate: str
    method: Method
    paired_test_cases: int
    baseline_only_test_cases: int
    candidate_only_test_cases: int
    baseline_runs: int
    candidate_runs: int
    alpha: float
    confidence: float
    bootstrap_resamples: int
    metrics: list[MetricComparison]
    verdict: OverallVerdict
    summary: str
    """One line for a person: which scores moved, which did not, and what cost changed."""
