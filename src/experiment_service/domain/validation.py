"""Collecting every field violation of a request before refusing it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import orjson

from experiment_service.domain.errors import FieldViolation, InvalidArgument

MAX_NAME_LENGTH = 255
MAX_TEXT_LENGTH = 10_000
MAX_URI_LENGTH = 2048
MAX_METADATA_BYTES = 64 * 1024
# The most a cost may be, in USD (a session's, a call's, a span's): sums over any number of
# runs stay finite. The protos declare the same bound on every cost field (a test compares).
MAX_COST_USD = 1e9
# PostgreSQL stores no U+0000 in text or JSON; refusing it everywhere keeps backends alike.
NUL_MESSAGE = "Text must not contain NUL (U+0000) characters"
# No text the service stores holds NUL (PostgreSQL's text and JSONB cannot): as a JSON Schema
# pattern, in the syntax ECMA-262, Python and Rust regexes read alike.
NUL_FREE_PATTERN = "^[^\\x00]*$"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")


class Violations:
    """Accumulates violations; `raise_if_any` refuses the request listing all of them."""

    def __init__(self) -> None:
        self.items: list[FieldViolation] = []
        self._prefix = ""

    def within(self, prefix: str) -> Violations:
        """A view that adds to the same list, with field names under `prefix` (e.g.
        "sessions[3]."): nested validators name fields locally, and the full path is only
        built for the fields that are in fact wrong."""
        view = Violations.__new__(Violations)
        view.items = self.items
        view._prefix = self._prefix + prefix
        return view

    def add(self, field: str, description: str, reason: str = "value_error") -> None:
        self.items.append(FieldViolation(self._prefix + field, description, reason))

    def extend(self, other: Violations) -> None:
        self.items.extend(other.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidArgument(list(self.items))

    def name(self, field: str, value: str | None, *, required: bool = True) -> None:
        """A resource name: 1..255 characters, usable as one URL path segment."""
        if not value:
            if required:
                self.add(field, "Field required", "missing")
            return
        self.text(field, value, MAX_NAME_LENGTH)
        if "/" in value:
            self.add(field, "Must not contain '/'", "string_pattern_mismatch")
        elif value != value.strip():
            self.add(field, "Must not start or end with whitespace", "string_pattern_mismatch")

    def required(self, field: str, value: object) -> bool:
        if value is None or value == "":
            self.add(field, "Field required", "missing")
            return False
        return True

    def text(self, field: str, value: str | None, max_length: int | None = MAX_TEXT_LENGTH) -> None:
        if value is None:
            return
        self.length(field, value, at_least=None, at_most=max_length)
        if "\x00" in value:
            self.add(field, NUL_MESSAGE, "string_nul_character")

    def json_value(self, field: str, value: Any) -> None:
        """Any JSON value: no NUL character in any of its strings."""
        if value is not None and b"\\u0000" in orjson.dumps(value):
            self.add(field, NUL_MESSAGE, "string_nul_character")

    def absolute_uri(self, field: str, value: str | None) -> None:
        if value is None:
            return
        if len(value) > MAX_URI_LENGTH:
            self.add(field, f"URL should have at most {MAX_URI_LENGTH} characters", "url_too_long")
            return
        if not _is_absolute_uri(value):
            self.add(field, "Input should be a valid absolute URI", "url_parsing")

    def json_object_size(self, field: str, value: dict[str, Any] | None) -> None:
        if not value:
            return
        encoded = orjson.dumps(value)
        if len(encoded) > MAX_METADATA_BYTES:
            self.add(
                field, f"Must serialize to at most {MAX_METADATA_BYTES} bytes of JSON", "too_long"
            )
        if b"\\u0000" in encoded:
            self.add(field, NUL_MESSAGE, "string_nul_character")

    def number_range(
        self,
        field: str,
        value: float | None,
        *,
        ge: float | None = None,
        le: float | None = None,
    ) -> None:
        if value is None:
            return
        if ge is not None and not value >= ge:
            self.add(
                field, f"Input should be greater than or equal to {ge:g}", "greater_than_equal"
            )
        elif le is not None and not value <= le:
            self.add(field, f"Input should be less than or equal to {le:g}", "less_than_equal")

    def length(self, field: str, value: str, *, at_least: int | None, at_most: int | None) -> None:
        if at_least is not None and len(value) < at_least:
            noun = "character" if at_least == 1 else "characters"
            self.add(field, f"String should have at least {at_least} {noun}", "string_too_short")
        elif at_most is not None and len(value) > at_most:
            self.add(field, f"String should have at most {at_most} characters", "string_too_long")

    def matches(self, field: str, value: str, pattern: str, message: str | None = None) -> None:
        if re.search(pattern, value) is None:
            message = message or f"String should match pattern '{pattern}'"
            self.add(field, message, "string_pattern_mismatch")

    def item_count(
        self, field: str, count: int, *, at_least: int | None, at_most: int | None
    ) -> None:
        if at_least is not None and count < at_least:
            noun = "item" if at_least == 1 else "items"
            self.add(field, f"List should have at least {at_least} {noun}", "too_short")
        elif at_most is not None and count > at_most:
            self.add(field, f"List should have at most {at_most} items", "too_long")

    def one_of(self, field: str, value: str, allowed: tuple[str, ...]) -> bool:
        if value not in allowed:
            quoted = ", ".join(f"'{choice}'" for choice in allowed)
            self.add(field, f"Input should be one of {quoted}", "enum")
            return False
        return True


def _is_absolute_uri(value: str) -> bool:
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not parts.scheme or not _SCHEME.match(parts.scheme):
        return False
    if parts.scheme.lower() in {"http", "https", "ftp", "ws", "wss"}:
        return bool(parts.hostname)
    return True  # RFC 3986: a scheme, a colon, and a hier-part that may be empty (`urn:`)
