"""Is B better than A? Two experiments of a workspace compared, paired per test case.

Runs are matched by test case (an intake session's `test_case_id`, the dataset row of a
platform trace); repeats of a test case are averaged first. Every evaluator on either side is
compared, and cost, latency and tokens. Answers are cached by both experiments' `runs_version`,
so asking again before either changes costs one lookup.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

from experiment_service.domain.comparison.analysis import MAX_TOP, Side, compare
from experiment_service.domain.comparison.model import Comparison, Regression
from experiment_service.domain.errors import FailedPrecondition, NotFound
from experiment_service.domain.platform.resources import require_owned
from experiment_service.domain.validation import Violations
from experiment_service.statuses import ExperimentKind
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.queries.comparisons import TEST_CASE_KEY
from experiment_service.storage.tables import ExperimentRow

DEFAULT_TOP = 5
CACHE_SIZE = 256
# Sides hold arrays of every unit of an experiment: fewer of them are kept.
SIDE_CACHE_SIZE = 16

# Finds one side's experiment by what the caller named it with (intake name, platform id).
Finder = Callable[[Transaction, str], Awaitable[ExperimentRow]]


class Comparisons:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._cache: OrderedDict[tuple[object, ...], Comparison] = OrderedDict()
        # Each experiment's units by (id, runs_version): comparing several candidates with one
        # baseline reads the baseline once.
        self._sides: OrderedDict[tuple[str, int], Side] = OrderedDict()

    async def compare_intake(
        self, workspace: str, candidate: str, baseline: str, top: int | None
    ) -> Comparison:
        async def find(session: Transaction, name: str) -> ExperimentRow:
            row = await queries.experiments.get_live_by_name(
                session, workspace, ExperimentKind.INTAKE, name
            )
            if row is None:
                raise NotFound(f"Experiment '{workspace}/{name}' not found.")
            return row

        return await self._compare(find, candidate, baseline, top)

    async def compare_platform(
        self, workspace: str, candidate: str, baseline: str, top: int | None
    ) -> Comparison:
        async def find(session: Transaction, experiment_id: str) -> ExperimentRow:
            return await require_owned(
                session,
                ExperimentRow,
                "Experiment",
                workspace,
                experiment_id,
                kind=ExperimentKind.PLATFORM,
            )

        return await self._compare(find, candidate, baseline, top)

    async def _compare(
        self, find: Finder, candidate: str, baseline: str, top: int | None
    ) -> Comparison:
        violations = Violations()
        violations.required("baseline", baseline)
        if top is not None and not 0 <= top <= MAX_TOP:
            violations.add("top", f"Must be between 0 and {MAX_TOP}", "less_than_equal")
        violations.raise_if_any()
        regressions = DEFAULT_TOP if top is None else top
        async with self._db.transaction() as session:
            candidate_row = await find(session, candidate)
            baseline_row = await find(session, baseline)
            if candidate_row.id == baseline_row.id:
                raise FailedPrecondition("An experiment cannot be compared with itself.")
            key = (
                baseline_row.id,
                baseline_row.runs_version,
                candidate_row.id,
                candidate_row.runs_version,
                regressions,
            )
            if (cached := self._cache.get(key)) is not None:
                self._cache.move_to_end(key)
                return cached
            base = await self._side(session, baseline, baseline_row)
            cand = await self._side(session, candidate, candidate_row)
            empty = [side.label for side in (base, cand) if side.runs == 0]
            if empty:
                names = " and ".join(f"'{label}'" for label in empty)
                raise FailedPrecondition(f"Nothing to compare: {names} has no finished runs.")
            answer = compare(base, cand)
            answer = await _with_regressions(session, answer, base, cand, regressions)
        _remember(self._cache, key, answer)
        return answer

    async def _side(self, session: Transaction, label: str, row: ExperimentRow) -> Side:
        key = (row.id, row.runs_version)
        side = self._sides.get(key)
        if side is None:
            side = await _side(session, label, row.id)
        _remember(self._sides, key, side, SIDE_CACHE_SIZE)
        return dataclasses.replace(side, label=label)


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int = CACHE_SIZE) -> None:
    cache[key] = value
    cache.move_to_end(key)
    if len(cache) > size:
        cache.popitem(last=False)


async def _side(session: Transaction, label: str, experiment_id: str) -> Side:
    run_keys, run_values, runs = await queries.comparisons.run_units(session, experiment_id)
    names, score_keys, score_values = await queries.comparisons.score_units(session, experiment_id)
    return Side(
        label,
        experiment_id,
        runs,
        np.array(run_keys, dtype=str),
        run_values,
        names,
        np.array(score_keys, dtype=str),
        score_values,
    )


async def _with_regressions(
    session: Transaction, answer: Comparison, base: Side, cand: Side, top: int
) -> Comparison:
    """Cut each metric's regressions to `top` and name both sides' runs of each."""
    cut = {m.metric: m.regressions[:top] for m in answer.metrics}
    keys = sorted({TEST_CASE_KEY + r.test_case_id for found in cut.values() for r in found})
    base_runs = await queries.comparisons.runs_of_units(session, base.experiment_id, keys)
    cand_runs = await queries.comparisons.runs_of_units(session, cand.experiment_id, keys)
    metrics = []
    for metric in answer.metrics:
        named = [
            Regression(
                r.test_case_id,
                r.baseline_value,
                r.candidate_value,
                r.difference,
                base_runs[TEST_CASE_KEY + r.test_case_id],
                cand_runs[TEST_CASE_KEY + r.test_case_id],
            )
            for r in cut[metric.metric]
        ]
        metrics.append(dataclasses.replace(metric, regressions=named))
    return dataclasses.replace(answer, metrics=metrics)
