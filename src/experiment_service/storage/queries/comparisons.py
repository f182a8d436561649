"""What a comparison reads of an experiment: its comparable runs, averaged per unit.

A unit is a test case (runs that share one are repeats, averaged), or a single run without
one. Keys say which: 't:<test case id>' or 's:<session id>'. Only finished runs count
(success, error, unknown). Scores come from `session_scores` by its (experiment, evaluator,
test case) index, returned per evaluator as one delimited string of key/value pairs, so that a
10,000-unit experiment crosses from the database in a few strings rather than 50,000 rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Float, String, case, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from experiment_service.statuses import RunStatus
from experiment_service.storage.database import Transaction
from experiment_service.storage.tables import RunRow, SessionScoreRow

COMPARED_STATUSES = (RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.UNKNOWN)
TEST_CASE_KEY, SESSION_KEY = "t:", "s:"
_PAIR, _ITEM = "\x1f", "\x1e"


class exact_text(FunctionElement[str]):
    """A float as text that reads back to the same float."""

    type = String()
    inherit_cache = True


@compiles(exact_text, "sqlite")
def _sqlite_exact_text(element: exact_text, compiler: Any, **kw: Any) -> str:
    return f"printf('%!.17g', {compiler.process(element.clauses, **kw)})"


@compiles(exact_text, "postgresql")
def _postgresql_exact_text(element: exact_text, compiler: Any, **kw: Any) -> str:
    # PostgreSQL 12+ prints the shortest text that reads back exactly.
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


def _unit_key(test_case: Any, session_id: Any) -> Any:
    return case(
        (test_case.is_not(None), literal(TEST_CASE_KEY) + test_case),
        else_=literal(SESSION_KEY) + session_id,
    )


async def run_units(session: Transaction, experiment_id: str) -> tuple[list[str], np.ndarray, int]:
    """Unit keys, their mean cost, latency and tokens (units x 3, NaN where absent), and the
    number of runs they hold."""
    key = _unit_key(RunRow.test_case_id, RunRow.session_id).label("unit")
    rows = (
        await session.execute(
            select(
                key,
                func.avg(RunRow.cost_usd),
                func.avg(RunRow.latency_ms),
                func.avg(cast(RunRow.input_tokens + RunRow.output_tokens, Float)),
                func.count(),
            )
            .where(RunRow.experiment_id == experiment_id, RunRow.status.in_(COMPARED_STATUSES))
            .group_by(key)
        )
    ).all()
    keys = [row[0] for row in rows]
    values = np.array(
        [[np.nan if v is None else float(v) for v in row[1:4]] for row in rows], dtype=np.float64
    ).reshape(len(rows), 3)
    return keys, values, int(sum(row[4] for row in rows))


async def score_units(
    session: Transaction, experiment_id: str
) -> dict[str, tuple[list[str], np.ndarray]]:
    """Per evaluator: unit keys and the unit's mean score."""
    key = _unit_key(SessionScoreRow.test_case_id, SessionScoreRow.session_id)
    per_unit = (
        select(
            SessionScoreRow.name.label("name"),
            key.label("unit"),
            func.avg(SessionScoreRow.value).label("mean"),
        )
        .where(SessionScoreRow.experiment_id == experiment_id)
        .group_by(SessionScoreRow.name, key)
        .subquery()
    )
    pair = per_unit.c.unit + literal(_PAIR) + exact_text(per_unit.c.mean)
    rows = await session.execute(
        select(per_unit.c.name, func.aggregate_strings(pair, _ITEM)).group_by(per_unit.c.name)
    )
    found: dict[str, tuple[list[str], np.ndarray]] = {}
    for name, joined in rows:
        parts = joined.replace(_ITEM, _PAIR).split(_PAIR)
        found[name] = (parts[0::2], np.array(parts[1::2], dtype=np.float64))
    return found


async def runs_of_units(
    session: Transaction, experiment_id: str, keys: list[str]
) -> dict[str, list[str]]:
    """The session (trace) ids of the comparable runs of each unit."""
    test_cases = [k[len(TEST_CASE_KEY) :] for k in keys if k.startswith(TEST_CASE_KEY)]
    sessions = [k[len(SESSION_KEY) :] for k in keys if k.startswith(SESSION_KEY)]
    found: dict[str, list[str]] = {k: [] for k in keys}
    for column, values, prefix in (
        (RunRow.test_case_id, test_cases, TEST_CASE_KEY),
        (RunRow.session_id, sessions, SESSION_KEY),
    ):
        if not values:
            continue
        rows = await session.execute(
            select(column, RunRow.session_id)
            .where(
                RunRow.experiment_id == experiment_id,
                RunRow.status.in_(COMPARED_STATUSES),
                column.in_(values),
            )
            .order_by(RunRow.id)
        )
        for unit, session_id in rows:
            found[f"{prefix}{unit}"].append(session_id)
    return found
