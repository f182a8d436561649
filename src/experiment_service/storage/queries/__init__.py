"""Every query of the service, one module per resource; callers use `queries.<resource>.<query>`.

Each query takes the `Transaction` that `Database.transaction()` yields, so the domain decides
what one transaction holds and storage alone knows the SQL.
"""

from experiment_service.storage.queries import (
    annotations,
    api_keys,
    comparisons,
    datasets,
    evaluations,
    evaluator_results,
    evaluators,
    experiments,
    groups,
    leases,
    owned,
    paging,
    prompts,
    runs,
    sessions,
    telemetry,
    traces,
)

__all__ = [
    "annotations",
    "api_keys",
    "comparisons",
    "datasets",
    "evaluations",
    "evaluator_results",
    "evaluators",
    "experiments",
    "groups",
    "leases",
    "owned",
    "paging",
    "prompts",
    "runs",
    "sessions",
    "telemetry",
    "traces",
]
