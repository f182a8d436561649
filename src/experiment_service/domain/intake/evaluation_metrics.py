"""Sorting and filtering evaluations by their rollups (`-evaluators.reward.mean`,
`filter[cost_usd.p95][$lte]=0.5`): the names NVIDIA's evaluations list accepts."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

from experiment_service.domain.models import Aggregate, Rollups
from experiment_service.domain.validation import Violations

STATS = ("mean", "median", "p90", "p95", "p99", "sum", "count")
AGGREGATES = ("cost_usd", "latency_ms", "tokens")
COUNTS = ("run_count", "test_case_count")
# The first name segment of every metric (what the REST gateway routes to `filter.metrics`).
METRIC_FILTER_ROOTS = (*COUNTS, *AGGREGATES, "evaluators")
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "gte": operator.ge,
    "lte": operator.le,
    "gt": operator.gt,
    "lt": operator.lt,
    "eq": operator.eq,
}


@dataclass(frozen=True)
class Metric:
    """A rollup value by name: a count, or one statistic of an aggregate or evaluator."""

    name: str

    def of(self, rollups: Rollups) -> float | None:
        if self.name in COUNTS:
            return float(getattr(rollups, self.name))
        head, _, stat = self.name.rpartition(".")
        aggregate: Aggregate | None
        if head.startswith("evaluators."):
            aggregate = rollups.aggregate_scores.get(head.removeprefix("evaluators."))
        else:
            aggregate = getattr(rollups, head)
        return None if aggregate is None else float(getattr(aggregate, stat))


@dataclass(frozen=True)
class MetricBound:
    metric: Metric
    operator: str
    bound: float

    def admits(self, rollups: Rollups) -> bool:
        value = self.metric.of(rollups)
        return value is not None and OPERATORS[self.operator](value, self.bound)


def parse_metric(violations: Violations, field: str, name: str) -> Metric | None:
    """The metric `name` names, or None (with a violation) when it names none."""
    if name in COUNTS:
        return Metric(name)
    head, _, stat = name.rpartition(".")
    known = head in AGGREGATES or (head.startswith("evaluators.") and len(head) > 11)
    if known and stat in STATS:
        return Metric(name)
    violations.add(
        field,
        f"Unknown metric '{name}'; one of run_count, test_case_count, cost_usd.<stat>, "
        f"latency_ms.<stat>, tokens.<stat>, evaluators.<name>.<stat> (stat: {', '.join(STATS)})",
        "enum",
    )
    return None


def parse_bound(violations: Violations, text: str) -> MetricBound | None:
    """`metric:op:number`, as the gateway writes `filter[metric][$op]=number`."""
    field = "filter.metrics"
    name, _, rest = text.partition(":")
    op, _, number = rest.partition(":")
    metric = parse_metric(violations, field, name)
    if op not in OPERATORS:
        violations.add(field, f"Unknown operator '${op}'; one of ${', $'.join(OPERATORS)}", "enum")
        return None
    try:
        bound = float(number)
    except ValueError:
        bound = math.nan
    if not math.isfinite(bound):
        violations.add(field, f"'{number}' is not a finite number", "float_parsing")
        return None
    return None if metric is None else MetricBound(metric, op, bound)
