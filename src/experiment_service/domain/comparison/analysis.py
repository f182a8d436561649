"""The comparison itself, from two sides' per-unit values: pairs, tests, intervals, verdicts.

Pure functions of the data (no storage): a metric is compared only over the units where both
sides have a value; a metric that has none is `not_comparable`, left out of the tests and of
the Holm family, so a value one side never reported cannot decide anything.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from experiment_service.domain.comparison import statistics
from experiment_service.domain.comparison.model import (
    RUN_METRICS,
    Comparison,
    Direction,
    Method,
    MetricComparison,
    Regression,
    Verdict,
)
from experiment_service.domain.comparison.summary import overall_verdict, summarize
from experiment_service.storage.queries.comparisons import TEST_CASE_KEY

ALPHA = 0.05
# Regressions kept per metric before a request's `top` cuts them.
MAX_TOP = 100
WILCOXON, MANN_WHITNEY = "wilcoxon_signed_rank", "mann_whitney_u"


@dataclass(frozen=True)
class Side:
    """One experiment's comparable runs, averaged per unit (test case, or lone run)."""

    label: str
    experiment_id: str
    runs: int
    run_keys: np.ndarray
    run_values: np.ndarray
    score_names: list[str]
    score_keys: np.ndarray
    score_values: np.ndarray

    def _keyed(self, metric: str) -> tuple[np.ndarray, np.ndarray]:
        if metric in RUN_METRICS:
            return self.run_keys, self.run_values[:, RUN_METRICS.index(metric)]
        if metric in self.score_names:
            return self.score_keys, self.score_values[:, self.score_names.index(metric)]
        return np.array([], dtype=str), np.array([])

    def column(self, metric: str, universe: np.ndarray) -> np.ndarray:
        """The metric's unit values aligned on `universe` (sorted keys); NaN where absent."""
        return _align(*self._keyed(metric), universe)

    def values(self, metric: str) -> np.ndarray:
        """Every unit's value of the metric (unpaired use)."""
        found = self._keyed(metric)[1]
        present: np.ndarray = found[~np.isnan(found)]
        return present


def compare(base: Side, cand: Side) -> Comparison:
    """The comparison of candidate against baseline, without regressions' run ids."""
    base_cases = {k for k in base.run_keys.tolist() if k.startswith(TEST_CASE_KEY)}
    cand_cases = {k for k in cand.run_keys.tolist() if k.startswith(TEST_CASE_KEY)}
    paired_cases = np.array(sorted(base_cases & cand_cases), dtype=str)
    names = sorted(set(base.score_names) | set(cand.score_names))
    metrics = [*names, *RUN_METRICS]
    directions = [Direction.HIGHER_IS_BETTER] * len(names) + [Direction.LOWER_IS_BETTER] * len(
        RUN_METRICS
    )
    if paired_cases.size:
        rows = _paired(base, cand, paired_cases, metrics, directions)
        method = Method.PAIRED
    else:
        rows = _unpaired(base, cand, metrics, directions)
        method = Method.UNPAIRED
    adjusted = statistics.holm([row.p_value for row in rows if row.p_value is not None])
    judged: list[MetricComparison] = []
    for row in rows:
        if row.p_value is None:
            judged.append(row)
            continue
        p_adjusted = adjusted.pop(0)
        verdict = Verdict.NO_SIGNIFICANT_CHANGE
        if p_adjusted < ALPHA and row.mean_difference:
            better = (row.mean_difference > 0) == (row.direction == Direction.HIGHER_IS_BETTER)
            verdict = Verdict.IMPROVED if better else Verdict.REGRESSED
        judged.append(dataclasses.replace(row, p_value_adjusted=p_adjusted, verdict=verdict))
    return Comparison(
        baseline=base.label,
        candidate=cand.label,
        method=method,
        paired_test_cases=int(paired_cases.size),
        baseline_only_test_cases=len(base_cases - cand_cases),
        candidate_only_test_cases=len(cand_cases - base_cases),
        baseline_runs=base.runs,
        candidate_runs=cand.runs,
        alpha=ALPHA,
        confidence=statistics.CONFIDENCE,
        bootstrap_resamples=statistics.BOOTSTRAP_RESAMPLES,
        metrics=judged,
        verdict=overall_verdict(judged),
        summary=summarize(base.label, cand.label, judged),
    )


def _paired(
    base: Side,
    cand: Side,
    cases: np.ndarray,
    metrics: list[str],
    directions: list[Direction],
) -> list[MetricComparison]:
    before = np.column_stack([base.column(metric, cases) for metric in metrics])
    after = np.column_stack([cand.column(metric, cases) for metric in metrics])
    differences = after - before
    intervals = statistics.percentile_intervals(statistics.bootstrap_means(differences))
    rows = []
    for index, (metric, direction) in enumerate(zip(metrics, directions, strict=True)):
        both = ~np.isnan(differences[:, index])
        pairs = int(both.sum())
        if pairs == 0:
            rows.append(_nothing(metric, direction, WILCOXON, base, cand, index))
            continue
        diff = differences[both, index]
        sign = 1.0 if direction == Direction.HIGHER_IS_BETTER else -1.0
        rows.append(
            _row(
                metric,
                direction,
                WILCOXON,
                pairs=pairs,
                counts=(pairs, pairs),
                means=(float(before[both, index].mean()), float(after[both, index].mean())),
                interval=(float(intervals[index, 0]), float(intervals[index, 1])),
                p_value=statistics.wilcoxon_signed_rank(diff),
                outcomes=(
                    int((sign * diff > 0).sum()),
                    int((diff == 0).sum()),
                    int((sign * diff < 0).sum()),
                ),
                regressions=_worst(cases[both], before[both, index], after[both, index], sign),
            )
        )
    return rows


def _unpaired(
    base: Side, cand: Side, metrics: list[str], directions: list[Direction]
) -> list[MetricComparison]:
    before = [base.values(metric) for metric in metrics]
    after = [cand.values(metric) for metric in metrics]
    resampled = statistics.bootstrap_means(
        _padded(after), statistics.BOOTSTRAP_SEED
    ) - statistics.bootstrap_means(_padded(before), statistics.BOOTSTRAP_SEED + 1)
    intervals = statistics.percentile_intervals(resampled)
    rows = []
    for index, (metric, direction) in enumerate(zip(metrics, directions, strict=True)):
        x, y = before[index], after[index]
        if x.size == 0 or y.size == 0:
            rows.append(_nothing(metric, direction, MANN_WHITNEY, base, cand, index))
            continue
        rows.append(
            _row(
                metric,
                direction,
                MANN_WHITNEY,
                pairs=0,
                counts=(int(x.size), int(y.size)),
                means=(float(x.mean()), float(y.mean())),
                interval=(float(intervals[index, 0]), float(intervals[index, 1])),
                p_value=statistics.mann_whitney_u(x, y),
            )
        )
    return rows


def _nothing(
    metric: str, direction: Direction, test: str, base: Side, cand: Side, index: int
) -> MetricComparison:
    """A metric with nothing to compare (no pairs, or no values on one side)."""
    counts = (int(base.values(metric).size), int(cand.values(metric).size))
    row = _row(metric, direction, test, pairs=0, counts=counts)
    return dataclasses.replace(row, verdict=Verdict.NOT_COMPARABLE)


def _row(
    metric: str,
    direction: Direction,
    test: str,
    *,
    pairs: int,
    counts: tuple[int, int],
    means: tuple[float, float] | None = None,
    interval: tuple[float, float] | None = None,
    p_value: float | None = None,
    outcomes: tuple[int, int, int] = (0, 0, 0),
    regressions: list[Regression] | None = None,
) -> MetricComparison:
    """One metric's comparison, before the adjustment across metrics decides its verdict."""
    difference = means[1] - means[0] if means else None
    relative = _relative(means[1] - means[0], means[0]) if means else None
    return MetricComparison(
        metric=metric,
        is_score=metric not in RUN_METRICS,
        direction=direction,
        pairs=pairs,
        baseline_count=counts[0],
        candidate_count=counts[1],
        baseline_mean=means[0] if means else None,
        candidate_mean=means[1] if means else None,
        mean_difference=difference,
        relative_change=relative,
        ci_lower=interval[0] if interval else None,
        ci_upper=interval[1] if interval else None,
        p_value=p_value,
        p_value_adjusted=None,
        test=test,
        wins=outcomes[0],
        ties=outcomes[1],
        losses=outcomes[2],
        verdict=Verdict.NO_SIGNIFICANT_CHANGE,
        regressions=regressions or [],
    )


def _worst(
    cases: np.ndarray, before: np.ndarray, after: np.ndarray, sign: float
) -> list[Regression]:
    """Every test case where the candidate is worse, worst first (cut to `top` later)."""
    change = sign * (after - before)
    worse = np.flatnonzero(change < 0)
    order = worse[np.argsort(change[worse], kind="stable")][:MAX_TOP]
    return [
        Regression(
            test_case_id=str(cases[i])[len(TEST_CASE_KEY) :],
            baseline_value=float(before[i]),
            candidate_value=float(after[i]),
            difference=float(after[i] - before[i]),
            baseline_run_ids=[],
            candidate_run_ids=[],
        )
        for i in order
    ]


def _align(keys: np.ndarray, values: np.ndarray, universe: np.ndarray) -> np.ndarray:
    aligned = np.full(universe.size, np.nan)
    if keys.size == 0 or universe.size == 0:
        return aligned
    positions = np.searchsorted(universe, keys)
    inside = positions < universe.size
    matched = np.zeros(keys.size, dtype=bool)
    matched[inside] = universe[positions[inside]] == keys[inside]
    aligned[positions[matched]] = values[matched]
    return aligned


def _padded(columns: list[np.ndarray]) -> np.ndarray:
    """Columns of different lengths as one matrix, NaN below each column's end."""
    height = max((c.size for c in columns), default=0)
    matrix = np.full((height, len(columns)), np.nan)
    for index, column in enumerate(columns):
        matrix[: column.size, index] = column
    return matrix


def _relative(difference: float, baseline_mean: float) -> float | None:
    return difference / abs(baseline_mean) if baseline_mean else None
