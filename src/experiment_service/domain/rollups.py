"""Rollups of an experiment's runs, cached per runs version so that reads stay fast.

Every transaction that changes an experiment's runs bumps `experiments.runs_version`. A read
uses the cached rollups when they were computed at the current version, and otherwise computes
them from the runs in the same read transaction (one snapshot) and caches them. An older
computation never overwrites a newer one, so a cached entry is always exact for its version.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from experiment_service.domain.clock import utcnow
from experiment_service.domain.models import Aggregate, PerTestCaseRollups, Rollups
from experiment_service.domain.statistics import build_aggregate, percentile_indexes
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.tables import ExperimentRow

log = logging.getLogger(__name__)

CURRENT_FIELDS = frozenset(field.name for field in dataclasses.fields(Rollups))


@dataclass(frozen=True)
class FreshRollups:
    """Rollups computed during a read, to be cached once the read transaction is over."""

    experiment_id: str
    runs_version: int
    rollups: Rollups


async def read_rollups(
    session: Transaction, experiments: Sequence[ExperimentRow], *, by_test_case: bool = False
) -> tuple[dict[str, Rollups], list[FreshRollups]]:
    """Rollups of each experiment, from the cache or computed now (reported as fresh); with
    `by_test_case`, also pooled per test case (NVIDIA's evaluations)."""
    with_runs = [row for row in experiments if row.runs_version > 0]
    cached = await queries.runs.cached_rollups(session, [row.id for row in with_runs])
    found: dict[str, Rollups] = {row.id: Rollups() for row in experiments if row.runs_version == 0}
    fresh: list[FreshRollups] = []
    for row in with_runs:
        version, payload = cached.get(row.id, (-1, {}))
        # A payload cached before a rollup was added lacks it: computed again, like a stale one.
        if version == row.runs_version and CURRENT_FIELDS <= payload.keys():
            rollups = rollups_from_payload(payload)
            computed = False
        else:
            started = time.perf_counter()
            rollups = await compute_rollups(session, row)
            computed = True
            log.debug(
                "rollups computed",
                extra={
                    "experiment_id": row.id,
                    "runs": row.run_count,
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )
        if by_test_case and rollups.by_test_case is None:
            pooled = await compute_per_test_case(session, row.id)
            rollups = dataclasses.replace(rollups, by_test_case=pooled)
            computed = True
        found[row.id] = rollups
        if computed:
            fresh.append(FreshRollups(row.id, row.runs_version, rollups))
    if by_test_case:
        for row in experiments:
            if row.runs_version == 0:
                found[row.id] = Rollups(by_test_case=PerTestCaseRollups())
    return found, fresh


async def compute_per_test_case(session: Transaction, experiment_id: str) -> PerTestCaseRollups:
    scores = await queries.runs.scores_per_test_case(session, experiment_id)
    return PerTestCaseRollups(
        aggregate_scores={
            name: aggregate
            for name, values in sorted(scores.items())
            if (aggregate := _aggregate_of(sorted(values))) is not None
        },
        cost_usd=_aggregate_of(
            sorted(await queries.runs.metric_per_test_case(session, experiment_id, "cost_usd"))
        ),
        latency_ms=_aggregate_of(
            sorted(await queries.runs.metric_per_test_case(session, experiment_id, "latency_ms"))
        ),
    )


async def remember(database: Database, fresh: list[FreshRollups]) -> None:
    if not fresh:
        return
    async with database.transaction(write=True) as session:
        for item in fresh:
            await queries.runs.store_rollups(
                session,
                item.experiment_id,
                item.runs_version,
                dataclasses.asdict(item.rollups),
                utcnow(),
            )


async def compute_rollups(session: Transaction, experiment: ExperimentRow) -> Rollups:
    """Rollups read off covering indexes: each statistic is a count, a sum and four
    single-row seeks, so the cost grows with the index walk, not with Python work per run;
    the statistics share their statements, so a read is a handful of round trips."""
    experiment_id, run_count = experiment.id, experiment.run_count
    agent_names, agent_versions = await queries.runs.span_agents(
        session, experiment.workspace, experiment.name
    )
    if run_count:
        # The experiment's declared agent ran every session reported for it.
        agent_names.update(filter(None, [experiment.agent_name]))
        agent_versions.update(filter(None, [experiment.agent_version]))
    scores = await score_aggregates(session, experiment_id)
    per_case = sorted(await queries.runs.tokens_per_test_case(session, experiment_id))
    cost, latency = await _aggregates(
        session,
        [
            queries.runs.run_metric(experiment_id, "cost_usd"),
            queries.runs.run_metric(experiment_id, "latency_ms"),
        ],
    )
    return Rollups(
        run_count=run_count,
        evaluator_names=list(scores),
        model_names=await queries.runs.model_names(session, experiment_id),
        aggregate_scores={name: value for name, value in scores.items() if value is not None},
        cost_usd=cost,
        latency_ms=latency,
        test_case_count=await queries.runs.test_case_count(session, experiment_id),
        tokens=_aggregate_of(per_case),
        agent_names=sorted(agent_names),
        agent_versions=sorted(agent_versions),
    )


async def score_aggregates(session: Transaction, experiment_id: str) -> dict[str, Aggregate | None]:
    """The statistics of each evaluator's session scores, by evaluator name in order (None for
    an evaluator that scored no run): three statements, however many evaluators."""
    names = await queries.runs.evaluator_names(session, experiment_id)
    metrics = [queries.runs.session_score_metric(experiment_id, name) for name in names]
    return dict(zip(names, await _aggregates(session, metrics), strict=True))


def _aggregate_of(ordered: list[float]) -> Aggregate | None:
    """The statistics of values already in ascending order."""
    if not ordered:
        return None
    indexes = percentile_indexes(len(ordered))
    picks = {name: ordered[index] for name, index in indexes.items()}
    return build_aggregate(len(ordered), math.fsum(ordered), picks)


async def _aggregates(
    session: Transaction, metrics: Sequence[queries.runs.Metric]
) -> list[Aggregate | None]:
    """The statistics of several metrics in two statements: their counts and sums, then
    every percentile value of all of them (a round trip per statement is what a read costs
    while a run keeps the event loop busy)."""
    counted = await queries.runs.metrics_counts_and_sums(session, metrics)
    picks = [
        (metric, index, count)
        for metric, (count, _) in zip(metrics, counted, strict=True)
        if count
        for index in sorted(set(percentile_indexes(count).values()))
    ]
    values = iter(await queries.runs.metric_values_at(session, picks))
    found: list[Aggregate | None] = []
    for count, total in counted:
        if not count:
            found.append(None)
            continue
        indexes = percentile_indexes(count)
        at = {index: next(values) for index in sorted(set(indexes.values()))}
        found.append(build_aggregate(count, total, {n: at[i] for n, i in indexes.items()}))
    return found


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
        test_case_count=payload["test_case_count"],
        tokens=agg(payload["tokens"]),
        agent_names=list(payload["agent_names"]),
        agent_versions=list(payload["agent_versions"]),
        by_test_case=_per_test_case_from_payload(payload["by_test_case"]),
    )


def _per_test_case_from_payload(payload: dict[str, Any] | None) -> PerTestCaseRollups | None:
    if payload is None:
        return None
    return PerTestCaseRollups(
        aggregate_scores={
            name: Aggregate(**value) for name, value in payload["aggregate_scores"].items()
        },
        cost_usd=Aggregate(**payload["cost_usd"]) if payload["cost_usd"] else None,
        latency_ms=Aggregate(**payload["latency_ms"]) if payload["latency_ms"] else None,
    )
