"""Rollups of an experiment's runs, cached per runs version so that reads stay fast.

Every transaction that changes an experiment's runs bumps `experiments.runs_version`. A read
uses the cached rollups when they were computed at the current version, and otherwise computes
them from the runs in the same read transaction (one snapshot) and caches them. An older
computation never overwrites a newer one, so a cached entry is always exact for its version.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from experiment_service.domain.clock import utcnow
from experiment_service.domain.models import Aggregate, Rollups
from experiment_service.domain.statistics import aggregate
from experiment_service.storage import runs as run_queries
from experiment_service.storage.database import Database
from experiment_service.storage.tables import ExperimentRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FreshRollups:
    """Rollups computed during a read, to be cached once the read transaction is over."""

    experiment_id: str
    runs_version: int
    rollups: Rollups


async def read_rollups(
    session: AsyncSession, experiments: Sequence[ExperimentRow]
) -> tuple[dict[str, Rollups], list[FreshRollups]]:
    """Rollups of each experiment, from the cache or computed now (reported as fresh)."""
    with_runs = [row for row in experiments if row.runs_version > 0]
    cached = await run_queries.cached_rollups(session, [row.id for row in with_runs])
    found: dict[str, Rollups] = {row.id: Rollups() for row in experiments if row.runs_version == 0}
    fresh: list[FreshRollups] = []
    for row in with_runs:
        version, payload = cached.get(row.id, (-1, {}))
        if version == row.runs_version:
            found[row.id] = rollups_from_payload(payload)
            continue
        started = time.perf_counter()
        rollups = await compute_rollups(session, row.id, row.run_count)
        log.debug(
            "rollups computed",
            extra={
                "experiment_id": row.id,
                "runs": row.run_count,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        found[row.id] = rollups
        fresh.append(FreshRollups(row.id, row.runs_version, rollups))
    return found, fresh


async def remember(database: Database, fresh: list[FreshRollups]) -> None:
    if not fresh:
        return
    async with database.transaction(write=True) as session:
        for item in fresh:
            await run_queries.store_rollups(
                session,
                item.experiment_id,
                item.runs_version,
                dataclasses.asdict(item.rollups),
                utcnow(),
            )


async def compute_rollups(session: AsyncSession, experiment_id: str, run_count: int) -> Rollups:
    costs: list[float] = []
    latencies: list[float] = []
    models: set[str] = set()
    for cost, latency, model_names in await run_queries.run_metrics(session, experiment_id):
        if cost is not None:
            costs.append(cost)
        if latency is not None:
            latencies.append(latency)
        models.update(model_names or ())
    per_evaluator: dict[str, list[float]] = defaultdict(list)
    for name, session_mean in await run_queries.session_score_means(session, experiment_id):
        per_evaluator[name].append(session_mean)
    scores = {name: aggregate(values) for name, values in sorted(per_evaluator.items())}
    return Rollups(
        run_count=run_count,
        evaluator_names=sorted(per_evaluator),
        model_names=sorted(models),
        aggregate_scores={name: value for name, value in scores.items() if value is not None},
        cost_usd=aggregate(costs),
        latency_ms=aggregate(latencies),
    )


def rollups_from_payload(payload: dict[str, Any]) -> Rollups:
    def agg(value: dict[str, Any] | None) -> Aggregate | None:
        return Aggregate(**value) if value is not None else None

    return Rollups(
        run_count=payload["run_count"],
        evaluator_names=list(payload["evaluator_names"]),
        model_names=list(payload["model_names"]),
        aggregate_scores={
            name: Aggregate(**value) for name, value in payload["aggregate_scores"].items()
        },
        cost_usd=agg(payload["cost_usd"]),
        latency_ms=agg(payload["latency_ms"]),
    )
