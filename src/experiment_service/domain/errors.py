"""Domain errors. The servicer layer maps each class to one gRPC status code (one table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# A refusal lists at most this many problems, and says how many more there are.
MAX_LISTED_VIOLATIONS = 100


@dataclass(frozen=True)
class FieldViolation:
    """One problem with one request field.

    `field` is the dotted path in the request message (`experiment.agent_name`,
    `sessions[3].cost_usd`); `reason` is a short machine-readable kind (`missing`,
    `string_too_long`, `greater_than_equal`, ...), the vocabulary REST clients know from
    pydantic-style 422 bodies.
    """

    field: str
    description: str
    reason: str = "value_error"


class DomainError(Exception):
    """Base class: a request the domain refuses, with a one-sentence message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    """The request itself is malformed; nothing was changed. `violations` holds every problem
    found; `listed` chooses the ones a refusal shows."""

    def __init__(self, violations: list[FieldViolation], message: str | None = None) -> None:
        super().__init__(message or _summarize(violations))
        self.violations = violations

    def listed(
        self, budget: int, size: Callable[[FieldViolation], int]
    ) -> tuple[list[FieldViolation], int]:
        """The first violations (at most MAX_LISTED_VIOLATIONS) whose sizes add up to at most
        `budget` (the first always), and how many are left out: a refusal stays small enough
        for any client and proxy, whatever the request held."""
        shown: list[FieldViolation] = []
        used = 0
        for violation in self.violations[:MAX_LISTED_VIOLATIONS]:
            used += size(violation)
            if shown and used > budget:
                break
            shown.append(violation)
        return shown, len(self.violations) - len(shown)


class MalformedBody(InvalidArgument):
    """A raw request body (not JSON fields) that cannot be decoded: REST answers 400."""

    def __init__(self, message: str) -> None:
        super().__init__([FieldViolation("body", message, "malformed")], message)


class UnsupportedMediaType(InvalidArgument):
    """A raw request body in a format the method does not take: REST answers 415."""

    def __init__(self, message: str) -> None:
        super().__init__([FieldViolation("body.content_type", message, "unsupported")], message)


class NotFound(DomainError):
    """The resource named does not exist (or is invisible to the caller)."""


class AlreadyExists(DomainError):
    """The write would duplicate or overwrite an identity that exists."""


class FailedPrecondition(DomainError):
    """The request is well-formed but the system's state does not allow it."""


class TooLarge(FailedPrecondition):
    """The request asks for more work than one call does (REST: 413); narrowing it helps."""


class Unauthenticated(DomainError):
    """No credentials, or credentials that are not valid."""


class PermissionDenied(DomainError):
    """Valid credentials that do not grant this call."""


class Unavailable(DomainError):
    """A dependency (the database) is out of reach; retrying later may succeed."""


class Internal(DomainError):
    """The server failed: a fault of its own, never of the caller's request."""


def _summarize(violations: list[FieldViolation]) -> str:
    if len(violations) == 1:
        return f"Invalid request: {violations[0].field}: {violations[0].description[:500]}"
    return f"Invalid request: {len(violations)} field violations."


def unlisted_message(count: int) -> str:
    """What a refusal says of the problems it does not list."""
    noun = "problem" if count == 1 else "problems"
    return f"{count} more {noun} not listed."
