"""Plain-Python references the service's rollups are checked against."""

from __future__ import annotations

import math
from typing import Any


def reference_aggregate(values: list[float]) -> dict[str, Any] | None:
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)

    def pick(q: float) -> float:
        return ordered[min(math.floor(q * n + 1e-9), n - 1)]

    return {
        "sum": math.fsum(ordered),
        "mean": math.fsum(ordered) / n,
        "median": pick(0.5),
        "p90": pick(0.9),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "count": n,
    }
