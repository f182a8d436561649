"""The statistics of the rollups: exact, without interpolation."""

from __future__ import annotations

from experiment_service.domain.models import Aggregate

# Percentiles as whole percents keep the index arithmetic exact (no 0.9 * n rounding).
PERCENTS = {"median": 50, "p90": 90, "p95": 95, "p99": 99}


def percentile_index(percent: int, count: int) -> int:
    """Index of the q-th percentile in n sorted values: min(floor(q * n), n - 1)."""
    return min(percent * count // 100, count - 1)


def percentile_indexes(count: int) -> dict[str, int]:
    return {name: percentile_index(percent, count) for name, percent in PERCENTS.items()}


def build_aggregate(count: int, total: float, picks: dict[str, float]) -> Aggregate:
    """An Aggregate from a count, a sum and the values at `percentile_indexes(count)`."""
    return Aggregate(sum=total, mean=total / count, count=count, **picks)
