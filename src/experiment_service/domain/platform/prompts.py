"""Prompts with immutable, numbered versions of Jinja2-templated messages."""

from __future__ import annotations

import builtins
from typing import Any

from experiment_service.domain.clock import new_platform_id, utcnow
from experiment_service.domain.errors import FailedPrecondition, NotFound
from experiment_service.domain.listing import Page, platform_page
from experiment_service.domain.platform import templates
from experiment_service.domain.platform.models import Prompt, PromptVersion
from experiment_service.domain.platform.resources import (
    apply_patch,
    check_patch,
    list_page,
    require_owned,
)
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.tables import PromptRow, PromptVersionRow

SORT_FIELDS = ("name", "created_at", "updated_at")
ROLES = ("system", "user", "assistant", "tool", "developer")
MAX_MESSAGES = 100
SAMPLING_RANGES = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "frequency_penalty": (-2.0, 2.0),
    "presence_penalty": (-2.0, 2.0),
}


class Prompts:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, workspace: str, name: str, description: str | None) -> Prompt:
        violations = Violations()
        violations.name("name", name)
        violations.text("description", description)
        violations.raise_if_any()
        now = utcnow()
        row = PromptRow(
            id=new_platform_id(),
            workspace=workspace,
            name=name,
            description=description,
            deployed_version=None,
            latest_version=0,
            created_at=now,
            updated_at=now,
        )
        async with self._db.transaction(write=True) as session:
            queries.owned.add(session, row)
        return prompt_from_row(row)

    async def get(self, workspace: str, prompt_id: str) -> Prompt:
        async with self._db.transaction() as session:
            return prompt_from_row(await owned_prompt(session, workspace, prompt_id))

    async def list(
        self, workspace: str, page: int | None, page_size: int | None, sort_by: str
    ) -> Page[Prompt]:
        return await list_page(
            self._db,
            PromptRow,
            workspace,
            page=page,
            page_size=page_size,
            sort_by=sort_by,
            sort_fields=SORT_FIELDS,
            to_domain=prompt_from_row,
        )

    async def update(
        self,
        workspace: str,
        prompt_id: str,
        name: str | None,
        description: str | None,
        deployed_version: int | None,
    ) -> Prompt:
        check_patch(name, description)
        async with self._db.transaction(write=True) as session:
            row = await owned_prompt(session, workspace, prompt_id)
            if deployed_version is not None and not 1 <= deployed_version <= row.latest_version:
                raise NotFound(
                    f"Prompt '{prompt_id}' has no version {deployed_version}; "
                    f"it has versions 1 to {row.latest_version}."
                )
            apply_patch(row, name, description)
            if deployed_version is not None:
                row.deployed_version = deployed_version
            row.updated_at = utcnow()
        return prompt_from_row(row)

    async def delete(self, workspace: str, prompt_id: str) -> None:
        async with self._db.transaction(write=True) as session:
            await queries.owned.delete(session, await owned_prompt(session, workspace, prompt_id))

    async def create_version(
        self, workspace: str, prompt_id: str, spec: PromptVersion
    ) -> PromptVersion:
        variables = validate_version(spec)
        async with self._db.transaction(write=True) as session:
            prompt = await owned_prompt(session, workspace, prompt_id)
            number = await queries.prompts.take_version_number(session, prompt, utcnow())
            row = PromptVersionRow(
                id=new_platform_id(),
                prompt_id=prompt_id,
                version=number,
                messages=[dict(m) for m in spec.messages],
                model=spec.model,
                temperature=spec.temperature,
                max_tokens=spec.max_tokens,
                top_p=spec.top_p,
                frequency_penalty=spec.frequency_penalty,
                presence_penalty=spec.presence_penalty,
                extra_params=dict(spec.extra_params),
                variables=sorted(variables),
                created_at=utcnow(),
            )
            queries.owned.add(session, row)
        return version_from_row(row)

    async def list_versions(
        self, workspace: str, prompt_id: str, page: int | None, page_size: int | None
    ) -> Page[PromptVersion]:
        violations = Violations()
        request = platform_page(violations, page, page_size)
        violations.raise_if_any()
        async with self._db.transaction() as session:
            await owned_prompt(session, workspace, prompt_id)
            rows, total = await queries.prompts.page_versions(
                session, prompt_id, request.offset, request.page_size
            )
        return Page([version_from_row(row) for row in rows], request, total)

    async def render(
        self, workspace: str, prompt_id: str, version: int, variables: dict[str, Any]
    ) -> builtins.list[dict[str, str]]:
        async with self._db.transaction() as session:
            await owned_prompt(session, workspace, prompt_id)
            row = await queries.prompts.version(session, prompt_id, version)
        if row is None:
            raise NotFound(f"Prompt '{prompt_id}' has no version {version}.")
        try:
            return render_messages(version_from_row(row), variables)
        except templates.TemplateProblem as problem:
            raise FailedPrecondition(str(problem)) from None


async def owned_prompt(session: Transaction, workspace: str, prompt_id: str) -> PromptRow:
    return await require_owned(session, PromptRow, "Prompt", workspace, prompt_id)


async def version_in_use(session: Transaction, prompt_id: str) -> PromptVersion | None:
    """The version a prompt workflow uses: the deployed one, else the newest."""
    prompt = await queries.prompts.prompt(session, prompt_id)
    if prompt is None:
        return None
    number = prompt.deployed_version or prompt.latest_version
    row = await queries.prompts.version(session, prompt.id, number)
    return version_from_row(row) if row is not None else None


def render_messages(version: PromptVersion, variables: dict[str, Any]) -> list[dict[str, str]]:
    """The version's messages rendered with `variables`; raises templates.TemplateProblem."""
    return [
        {"role": message["role"], "content": templates.render(message["content"], variables)}
        for message in version.messages
    ]


def validate_version(spec: PromptVersion) -> set[str]:
    """Check a new version; returns the variables its templates use."""
    violations = Violations()
    variables: set[str] = set()
    if not spec.messages:
        violations.add("version.messages", "At least one message is required", "missing")
    if len(spec.messages) > MAX_MESSAGES:
        violations.add("version.messages", f"At most {MAX_MESSAGES} messages", "too_long")
    for index, message in enumerate(spec.messages):
        field = f"version.messages[{index}]"
        if violations.required(f"{field}.role", message.get("role")):
            violations.one_of(f"{field}.role", message["role"], ROLES)
        content = message.get("content", "")
        if violations.required(f"{field}.content", content):
            violations.text(f"{field}.content", content, 100_000)
            try:
                variables |= templates.check(content)
            except templates.TemplateProblem as problem:
                violations.add(f"{field}.content", str(problem), "template_error")
    if violations.required("version.model", spec.model):
        violations.text("version.model", spec.model, MAX_NAME_LENGTH)
    for name, (low, high) in SAMPLING_RANGES.items():
        violations.number_range(f"version.{name}", getattr(spec, name), ge=low, le=high)
    if spec.max_tokens is not None and spec.max_tokens < 1:
        violations.add(
            "version.max_tokens", "Input should be greater than or equal to 1", "greater_than_equal"
        )
    violations.json_object_size("version.extra_params", spec.extra_params)
    violations.raise_if_any()
    return variables


def prompt_from_row(row: PromptRow) -> Prompt:
    return Prompt(
        id=row.id,
        name=row.name,
        description=row.description,
        deployed_version=row.deployed_version,
        latest_version=row.latest_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def version_from_row(row: PromptVersionRow) -> PromptVersion:
    return PromptVersion(
        id=row.id,
        prompt_id=row.prompt_id,
        version=row.version,
        messages=[dict(m) for m in row.messages],
        model=row.model,
        temperature=row.temperature,
        max_tokens=row.max_tokens,
        top_p=row.top_p,
        frequency_penalty=row.frequency_penalty,
        presence_penalty=row.presence_penalty,
        extra_params=dict(row.extra_params or {}),
        variables=list(row.variables or []),
        created_at=row.created_at,
    )
