"""The statistics of the rollups: exact, without interpolation."""

from __future__ import annotations

import math
from collections.abc import Iterable

from experiment_service.domain.models import Aggregate

# Percentiles as whole percents keep the index arithmetic exact (no 0.9 * n rounding).
PERCENTS = {"median": 50, "p90": 90, "p95": 95, "p99": 99}


def percentile_index(percent: int, count: int) -> int:
    """Index of the q-th percentile in n sorted values: min(floor(q * n), n - 1)."""
    return min(percent * count // 100, count - 1)


def aggregate(values: Iterable[float]) -> Aggregate | None:
    """sum, mean, median, p90, p95, p99 and count; None when there are no values."""
    ordered = sorted(values)
    count = len(ordered)
    if count == 0:
        return None
    total = math.fsum(ordered)
    picks = {name: ordered[percentile_index(p, count)] for name, p in PERCENTS.items()}
    return Aggregate(sum=total, mean=total / count, count=count, **picks)
