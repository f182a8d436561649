"""What a comparison reads of an experiment: its comparable runs, averaged per unit.

A unit is a test case (runs that share one are repeats, averaged), or a single run without
one. Keys say which: 't:<test case id>' or 's:<session id>'. Only finished runs count
(success, error, unknown). These statements run at the driver level: they return tens of
thousands of rows, which SQLAlchemy's result processing would more than double the cost of.
Scores are read pivoted, one row per unit with a column per evaluator, from the
(experiment, test case, evaluator, value) index of `session_scores`.
"""

from __future__ import annotations

import numpy as np

from experiment_service.statuses import RunStatus
from experiment_service.storage.database import Transaction
from experiment_service.storage.driver_sql import execute
from experiment_service.storage.tables import RUN_TOTAL_TOKENS

COMPARED_STATUSES = (RunStatus.SUCCESS.value, RunStatus.ERROR.value, RunStatus.UNKNOWN.value)
TEST_CASE_KEY, SESSION_KEY = "t:", "s:"
# The unit of a run: its test case, or the run itself when it has none.
_UNIT = "CASE WHEN test_case_id IS NULL THEN 's:' || session_id ELSE 't:' || test_case_id END"
_STATUSES = ", ".join("?" * len(COMPARED_STATUSES))
_TOTAL_TOKENS = str(RUN_TOTAL_TOKENS.compile(compile_kwargs={"literal_binds": True}))


def _matrix(rows: list[tuple[object, ...]], columns: int) -> np.ndarray:
    """Rows' numeric columns (after the key) as floats, NaN for NULL."""
    values = np.array([row[1 : 1 + columns] for row in rows], dtype=object).reshape(
        len(rows), columns
    )
    values[values == None] = np.nan  # noqa: E711 (elementwise comparison)
    return values.astype(np.float64)


async def _per_unit(
    session: Transaction, table: str, columns: str, where: str, parameters: tuple[object, ...]
) -> list[tuple[object, ...]]:
    """`columns` (aggregates) per unit: grouped by test case in the order of the table's
    (experiment, test case) index, and per run for the runs without a test case."""
    connection = await session.connection()
    by_case = await execute(
        connection,
        f"SELECT '{TEST_CASE_KEY}' || test_case_id, {columns} FROM {table} WHERE {where}"
        " AND test_case_id IS NOT NULL GROUP BY test_case_id",
        parameters,
    )
    alone = await execute(
        connection,
        f"SELECT '{SESSION_KEY}' || session_id, {columns} FROM {table} WHERE {where}"
        " AND test_case_id IS NULL GROUP BY session_id",
        parameters,
    )
    return [tuple(row) for row in (*by_case, *alone)]


async def run_units(session: Transaction, experiment_id: str) -> tuple[list[str], np.ndarray, int]:
    """Unit keys, their mean cost, latency and tokens (units x 3, NaN where absent), and the
    number of runs they hold."""
    rows = await _per_unit(
        session,
        "runs",
        f"AVG(cost_usd), AVG(latency_ms), AVG(CAST({_TOTAL_TOKENS} AS REAL)), COUNT(*)",
        f"experiment_id = ? AND status IN ({_STATUSES})",
        (experiment_id, *COMPARED_STATUSES),
    )
    runs = sum(int(str(row[4])) for row in rows)
    return [str(row[0]) for row in rows], _matrix(rows, 3), runs


async def score_units(
    session: Transaction, experiment_id: str
) -> tuple[list[str], list[str], np.ndarray]:
    """The evaluators with scores, the unit keys, and each unit's mean score per evaluator
    (units x evaluators, NaN where a unit has none)."""
    names = [
        str(row[0])
        for row in await execute(
            await session.connection(),
            "SELECT DISTINCT name FROM session_scores WHERE experiment_id = ? ORDER BY name",
            (experiment_id,),
        )
    ]
    if not names:
        return [], [], np.zeros((0, 0))
    pivot = ", ".join("AVG(CASE WHEN name = ? THEN value END)" for _ in names)
    rows = await _per_unit(
        session, "session_scores", pivot, "experiment_id = ?", (*names, experiment_id)
    )
    return names, [str(row[0]) for row in rows], _matrix(rows, len(names))


async def runs_of_units(
    session: Transaction, experiment_id: str, keys: list[str]
) -> dict[str, list[str]]:
    """The session (trace) ids of the comparable runs of each unit."""
    found: dict[str, list[str]] = {k: [] for k in keys}
    if not keys:
        return found
    rows = await execute(
        await session.connection(),
        f"SELECT {_UNIT}, session_id FROM runs WHERE experiment_id = ?"
        f" AND status IN ({_STATUSES}) AND {_UNIT} IN ({', '.join('?' * len(keys))})"
        " ORDER BY id",
        (experiment_id, *COMPARED_STATUSES, *keys),
    )
    for unit, session_id in rows:
        found[str(unit)].append(str(session_id))
    return found
