"""Exports: every run of an experiment as CSV or JSON lines, produced page by page.

Runs are read in pages of EXPORT_PAGE by id, each page encoded and handed on before the next is
read, so an export of any size holds one page in memory. CSV has one column per evaluator
(`score.<name>`: the mean of that evaluator's NUMERIC/BOOLEAN results on the run, or its label
for TEXT/CATEGORICAL ones); JSON lines carry every result under `scores`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from typing import Any

import orjson

from experiment_service.domain.validation import Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database
from experiment_service.storage.tables import RunRow
from experiment_service.types import JSON

EXPORT_PAGE = 1000


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"

    @property
    def content_type(self) -> str:
        return "text/csv; charset=utf-8" if self == ExportFormat.CSV else "application/x-ndjson"


def export_format(value: str) -> ExportFormat:
    violations = Violations()
    chosen = value or ExportFormat.CSV
    violations.one_of("format", chosen, tuple(ExportFormat))
    violations.raise_if_any()
    return ExportFormat(chosen)


# A run as the values of one exported record (without its scores), in column order.
Values = Callable[[RunRow], tuple[JSON, ...]]


async def export_runs(
    database: Database,
    experiment_id: str,
    form: ExportFormat,
    columns: tuple[str, ...],
    values: Values,
    score_names: list[str],
) -> AsyncIterator[bytes]:
    """The experiment's runs encoded in `form`, one chunk per page (the CSV header first)."""
    after = 0
    header = form == ExportFormat.CSV
    while True:
        async with database.transaction() as session:
            runs = await queries.runs.page_after(session, experiment_id, after, EXPORT_PAGE)
        records = [(values(run), _scores(run)) for run in runs]
        if form == ExportFormat.CSV:
            chunk = _csv(records, columns if header else None, score_names)
            header = False
        else:
            chunk = b"".join(
                orjson.dumps({**dict(zip(columns, record, strict=True)), "scores": scores}) + b"\n"
                for record, scores in records
            )
        if chunk:
            yield chunk
        if len(runs) < EXPORT_PAGE:
            return
        after = runs[-1].id


async def scored_names(database: Database, experiment_id: str, declared: list[str]) -> list[str]:
    """The score columns: the evaluators declared for the experiment, then any other with
    NUMERIC/BOOLEAN results."""
    async with database.transaction() as session:
        found = await queries.runs.scored_names(session, experiment_id)
    return [*declared, *(name for name in found if name not in declared)]


def _scores(run: RunRow) -> dict[str, Any]:
    """Each evaluator's verdict on the run: the mean of its numbers (booleans as 0/1), else
    its label, else its error."""
    grouped: dict[str, list[Any]] = {}
    for result in run.evaluator_results or []:
        value = result.get("value")
        if value is None:
            value = result.get("string_value")
        if value is None and result.get("error"):
            value = {"error": result["error"]}
        grouped.setdefault(result["name"], []).append(value)
    scores: dict[str, Any] = {}
    for name, values in grouped.items():
        numbers = [float(v) for v in values if isinstance(v, int | float)]
        scores[name] = sum(numbers) / len(numbers) if numbers else values[-1]
    return scores


def _csv(
    records: list[tuple[tuple[JSON, ...], dict[str, Any]]],
    header: tuple[str, ...] | None,
    score_names: list[str],
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow([*header, *(f"score.{name}" for name in score_names)])
    for record, scores in records:
        writer.writerow(
            [_cell(value) for value in record] + [_cell(scores.get(name)) for name in score_names]
        )
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    """Text as is, numbers as numbers, anything structured as JSON, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return orjson.dumps(value).decode()
