"""What platform resources (owned by a workspace, addressed by id) have in common:
paged lists and name/description patches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from experiment_service.domain.errors import NotFound
from experiment_service.domain.listing import Page, parse_sort, platform_page
from experiment_service.domain.validation import Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database, Transaction
from experiment_service.storage.queries.owned import OwnedRow, page_owned

Item = TypeVar("Item")


async def list_page(
    database: Database,
    model: type[OwnedRow],
    workspace: str,
    *,
    page: int | None,
    page_size: int | None,
    sort_by: str,
    sort_fields: tuple[str, ...],
    to_domain: Callable[[OwnedRow], Item],
    equals: dict[str, object] | None = None,
) -> Page[Item]:
    violations = Violations()
    request = platform_page(violations, page, page_size)
    order = parse_sort(violations, sort_by, sort_fields, field="sort_by")
    violations.raise_if_any()
    async with database.transaction() as session:
        rows, total = await page_owned(
            session,
            model,
            workspace,
            sort_column=order.field,
            descending=order.descending,
            offset=request.offset,
            limit=request.page_size,
            equals=equals,
        )
    return Page([to_domain(row) for row in rows], request, total)


def check_patch(name: str | None, description: str | None, prefix: str = "") -> None:
    """PATCH of a name (when given, not empty) and a description."""
    violations = Violations()
    if name is not None:
        violations.name(f"{prefix}name", name)
    violations.text(f"{prefix}description", description)
    violations.raise_if_any()


def apply_patch(row: Any, name: str | None, description: str | None) -> None:
    if name is not None:
        row.name = name
    if description is not None:
        row.description = description


async def require_owned(
    session: Transaction,
    model: type[OwnedRow],
    noun: str,
    workspace: str,
    resource_id: str,
    **equals: object,
) -> OwnedRow:
    """The workspace's `model` row with this id; NotFound ("<noun> '<id>' not found.") for a
    missing one and for another workspace's, alike."""
    row = await queries.owned.get_owned(session, model, workspace, resource_id, **equals)
    if row is None:
        raise NotFound(f"{noun} '{resource_id}' not found.")
    return row
