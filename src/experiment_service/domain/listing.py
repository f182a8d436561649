"""Page numbering and sort orders shared by every list method."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from experiment_service.domain.validation import Violations
from experiment_service.storage.queries.paging import ListQuery

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
DEFAULT_SORT = "-created_at"


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool

    def __str__(self) -> str:
        return f"-{self.field}" if self.descending else self.field


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    request: PageRequest
    total: int

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.request.page_size) if self.total else 0


def page_request(
    violations: Violations,
    page: int | None,
    page_size: int | None,
    *,
    max_page_size: int,
    default_page_size: int = DEFAULT_PAGE_SIZE,
) -> PageRequest:
    """None means "not given": page 1, the default size."""
    page = 1 if page is None else page
    page_size = min(default_page_size, max_page_size) if page_size is None else page_size
    if page < 1:
        violations.add("page", "Input should be greater than or equal to 1", "greater_than_equal")
    if page_size < 1:
        violations.add(
            "page_size", "Input should be greater than or equal to 1", "greater_than_equal"
        )
    elif page_size > max_page_size:
        violations.add(
            "page_size",
            f"Input should be less than or equal to {max_page_size}",
            "less_than_equal",
        )
    return PageRequest(page, page_size)


def parse_sort(
    violations: Violations,
    value: str,
    allowed: tuple[str, ...],
    *,
    field: str = "sort",
    default: str = DEFAULT_SORT,
) -> Sort:
    value = value or default
    descending = value.startswith("-")
    name = value[1:] if descending else value
    if name not in allowed:
        choices = ", ".join(allowed)
        violations.add(field, f"Unknown sort field '{name}'; one of {choices}", "enum")
        return Sort("created_at", True)
    return Sort(name, descending)


# The platform dialect pages like Django REST framework: page_size up to 100, 20 by default.
PLATFORM_MAX_PAGE_SIZE = 100
PLATFORM_DEFAULT_PAGE_SIZE = 20


def platform_page(violations: Violations, page: int | None, page_size: int | None) -> PageRequest:
    return page_request(
        violations,
        page,
        page_size,
        max_page_size=PLATFORM_MAX_PAGE_SIZE,
        default_page_size=PLATFORM_DEFAULT_PAGE_SIZE,
    )


@dataclass(frozen=True)
class CreatedFilter:
    """What the Intake API's lists filter on besides exact fields: a created_at range, and
    live or (soft-)deleted rows."""

    created_at_gte: datetime | None = None
    created_at_lte: datetime | None = None
    is_deleted: bool = False


def list_query(
    workspace: str,
    equals: dict[str, Any],
    where: CreatedFilter,
    order: Sort,
    request: PageRequest,
) -> ListQuery:
    """The storage query of one page of a workspace's filtered, sorted rows."""
    return ListQuery(
        workspace=workspace,
        equals=equals,
        created_at_gte=where.created_at_gte,
        created_at_lte=where.created_at_lte,
        deleted=where.is_deleted,
        sort_column=order.field,
        descending=order.descending,
        offset=request.offset,
        limit=request.page_size,
    )
