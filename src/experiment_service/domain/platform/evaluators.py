"""Evaluators: code functions, LLM judges and human scores, named by a workspace-unique slug."""

from __future__ import annotations

import re
from typing import Any

from experiment_service.domain.clock import new_platform_id, utcnow
from experiment_service.domain.errors import AlreadyExists, FailedPrecondition
from experiment_service.domain.listing import Page
from experiment_service.domain.platform import code_evaluators, templates
from experiment_service.domain.platform.models import Evaluator, ScoreResult
from experiment_service.domain.platform.resources import list_page, require_owned
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.statuses import EvaluatorType, ScoreValueType
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction, UniqueViolation
from experiment_service.storage.tables import EvaluatorRow

SORT_FIELDS = ("name", "created_at", "updated_at")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class Evaluators:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, spec: Evaluator) -> Evaluator:
        validate(spec, "evaluator")
        now = utcnow()
        row = EvaluatorRow(
            id=new_platform_id(),
            workspace=workspace,
            slug=spec.slug,
            name=spec.name,
            description=spec.description,
            type=spec.type,
            score_value_type=spec.score_value_type,
            config=dict(spec.config),
            categories=list(spec.categories),
            created_at=now,
            updated_at=now,
        )
        try:
            async with self._db.transaction(write=True) as session:
                queries.owned.add(session, row)
        except UniqueViolation:
            raise AlreadyExists(
                f"An evaluator with slug '{spec.slug}' already exists in this workspace."
            ) from None
        return evaluator_from_row(row)

    async def get(self, workspace: str, evaluator_id: str) -> Evaluator:
        async with self._db.transaction() as session:
            return evaluator_from_row(await _owned(session, workspace, evaluator_id))

    async def list(
        self, workspace: str, page: int | None, page_size: int | None, sort_by: str
    ) -> Page[Evaluator]:
        return await list_page(
            self._db,
            EvaluatorRow,
            workspace,
            page=page,
            page_size=page_size,
            sort_by=sort_by,
            sort_fields=SORT_FIELDS,
            to_domain=evaluator_from_row,
        )

    async def update(self, workspace: str, evaluator_id: str, changes: dict[str, Any]) -> Evaluator:
        """Apply `changes` (a subset of the writable fields); the slug cannot change."""
        async with self._db.transaction(write=True) as session:
            row = await _owned(session, workspace, evaluator_id)
            current = evaluator_from_row(row)
            if "slug" in changes and changes["slug"] != current.slug:
                raise FailedPrecondition("An evaluator's slug cannot change.")
            merged = Evaluator(**{**current.__dict__, **changes})
            validate(merged, "evaluator")
            row.name, row.description = merged.name, merged.description
            row.type, row.score_value_type = merged.type, merged.score_value_type
            row.config, row.categories = dict(merged.config), list(merged.categories)
            row.updated_at = utcnow()
        return evaluator_from_row(row)

    async def delete(self, workspace: str, evaluator_id: str) -> None:
        async with self._db.transaction(write=True) as session:
            await queries.owned.delete(session, await _owned(session, workspace, evaluator_id))

    async def run(
        self, workspace: str, evaluator_id: str, input_: Any, output: Any, expected: Any
    ) -> ScoreResult:
        evaluator = await self.get(workspace, evaluator_id)
        if evaluator.type != EvaluatorType.CODE:
            raise FailedPrecondition(
                f"Only code evaluators run on demand; '{evaluator.slug}' is a {evaluator.type} "
                "evaluator (LLM judges score traces of experiments, humans submit scores)."
            )
        return score_with_code(evaluator, output, expected)


async def by_slugs(session: Transaction, workspace: str, slugs: list[str]) -> list[Evaluator]:
    """The workspace's evaluators named by `slugs`, in that order (unknown slugs left out)."""
    rows = await queries.evaluators.by_slugs(session, workspace, slugs)
    found = {row.slug: evaluator_from_row(row) for row in rows}
    return [found[slug] for slug in slugs if slug in found]


def score_with_code(evaluator: Evaluator, output: Any, expected: Any) -> ScoreResult:
    try:
        value = code_evaluators.evaluate(
            evaluator.config, evaluator.score_value_type, output, expected
        )
    except code_evaluators.EvaluationError as error:
        return ScoreResult(None, evaluator.score_value_type, str(error))
    return ScoreResult(value, evaluator.score_value_type)


def validate(spec: Evaluator, prefix: str) -> None:
    violations = Violations()
    violations.name(f"{prefix}.name", spec.name)
    if violations.required(f"{prefix}.evaluator_slug", spec.slug):
        violations.text(f"{prefix}.evaluator_slug", spec.slug, MAX_NAME_LENGTH)
        if not _SLUG.match(spec.slug):
            violations.add(
                f"{prefix}.evaluator_slug",
                "Use letters, digits, '_', '-' and '.', starting with a letter or digit",
                "string_pattern_mismatch",
            )
    violations.text(f"{prefix}.description", spec.description)
    type_ok = violations.required(f"{prefix}.type", spec.type) and violations.one_of(
        f"{prefix}.type", spec.type, tuple(EvaluatorType)
    )
    value_type_ok = violations.required(
        f"{prefix}.score_value_type", spec.score_value_type
    ) and violations.one_of(
        f"{prefix}.score_value_type", spec.score_value_type, tuple(ScoreValueType)
    )
    violations.json_object_size(f"{prefix}.config", spec.config)
    if value_type_ok and spec.score_value_type == "categorical" and not spec.categories:
        violations.add(f"{prefix}.categories", "Categorical evaluators need categories", "missing")
    if type_ok and spec.type == EvaluatorType.CODE:
        code_evaluators.validate_config(violations, f"{prefix}.config", spec.config)
        if value_type_ok and spec.score_value_type not in (
            ScoreValueType.BOOLEAN,
            ScoreValueType.NUMERICAL,
        ):
            violations.add(
                f"{prefix}.score_value_type",
                "Code evaluators score 'boolean' or 'numerical'",
                "enum",
            )
    if type_ok and spec.type == EvaluatorType.LLM:
        _validate_llm_config(violations, f"{prefix}.config", spec.config)
    violations.raise_if_any()


def _validate_llm_config(violations: Violations, field: str, config: dict[str, Any]) -> None:
    model = config.get("model")
    if not isinstance(model, str) or not model:
        violations.add(f"{field}.model", "LLM evaluators need a judge model", "missing")
    prompt = config.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        violations.add(f"{field}.prompt", "LLM evaluators need a judge prompt", "missing")
        return
    try:
        templates.check(prompt)
    except templates.TemplateProblem as problem:
        violations.add(f"{field}.prompt", str(problem), "template_error")
    pattern = config.get("score_pattern")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as error:
            violations.add(f"{field}.score_pattern", f"Invalid regular expression: {error}")


async def _owned(session: Transaction, workspace: str, evaluator_id: str) -> EvaluatorRow:
    return await require_owned(session, EvaluatorRow, "Evaluator", workspace, evaluator_id)


def evaluator_from_row(row: EvaluatorRow) -> Evaluator:
    return Evaluator(
        id=row.id,
        name=row.name,
        slug=row.slug,
        description=row.description,
        type=row.type,
        score_value_type=row.score_value_type,
        config=dict(row.config or {}),
        categories=list(row.categories or []),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
