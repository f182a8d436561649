"""What a request field accepts, read from its descriptor: the service's own option
(proto/experiment_service/api/rules/v2/rules.proto), `google.api.field_behavior` REQUIRED, and
the range of its wire type.

Two readers share this: the server checks requests with it (servicers/request_rules.py), and
the OpenAPI generator declares it (rest/openapi.py), so the document and the service cannot
drift. Works on descriptors of any pool: the generator reads a fresh descriptor set, whose
option classes this process may not have imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import jsonschema_rs
from google.api import field_behavior_pb2
from google.protobuf import descriptor, descriptor_pool, empty_pb2, message_factory, unknown_fields

FIELD_RULES = "experiment_service.api.rules.v2.FieldRules"
FIELD_RULES_NUMBER = 52001
JSON_SHAPE = "experiment_service.api.rules.v2.JsonShape"
JSON_SHAPES_NUMBER = 52002
INT32_RANGE = (-(2**31), 2**31 - 1)
INTEGRAL_TYPES = (descriptor.FieldDescriptor.TYPE_INT32,)
# What the `name` format stands for: a resource name, usable as one URL path segment (1..255
# characters, no "/", no NUL, no leading or trailing whitespace as Python's str.strip() sees it).
# Written out so that ECMA-262 and Python read the same characters as whitespace.
_SPACE = "\\t-\\r\\x1c- \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NAME_PATTERN = f"^[^{_SPACE}/\\x00](?:[^/\\x00]*[^{_SPACE}/\\x00])?$"
NAME_MAX_LENGTH = 255
NAME_MISMATCH = "Must be a name: no '/' or NUL, no leading or trailing whitespace"
# The messages whose JSON form is free-form JSON: a JSON Schema rule may shape them.
JSON = frozenset({"google.protobuf.Struct", "google.protobuf.Value"})
STRING_RULES = ("min_length", "max_length", "pattern", "allowed", "format")


@dataclass(frozen=True)
class Condition:
    """Required (unless `shape_only`) and matching `json_schema` when the sibling `field` holds
    one of `equals`."""

    field: str
    equals: tuple[str, ...]
    json_schema: str | None = None
    shape_only: bool = False


@dataclass(frozen=True)
class Rules:
    """One field's rules. Value rules (bounds, lengths, pattern, allowed, format) apply to each
    item of a repeated field; `min_items` / `max_items` to the list."""

    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    allowed: tuple[str, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    format: str | None = None
    partial: bool = False
    item_type: str | None = None
    json_schema: str | None = None
    required_when: tuple[Condition, ...] = ()
    # What a value not matching `pattern` is told, when the pattern stands for a format.
    pattern_mismatch: str | None = None

    @property
    def constrains(self) -> bool:
        return self != Rules()


def rules_of(field: descriptor.FieldDescriptor) -> Rules:
    declared = _declared(field)
    required = field_behavior_pb2.REQUIRED in behaviors(field)
    rules = Rules(
        required=required,
        minimum=_number(declared, "minimum"),
        maximum=_number(declared, "maximum"),
        min_length=_number(declared, "min_length"),
        max_length=_number(declared, "max_length"),
        pattern=_text(declared, "pattern"),
        allowed=tuple(declared.allowed) if declared is not None else (),
        min_items=_number(declared, "min_items"),
        max_items=_number(declared, "max_items"),
        format=_text(declared, "format"),
        partial=bool(declared is not None and declared.partial),
        item_type=_text(declared, "item_type"),
        json_schema=_text(declared, "json_schema"),
        required_when=_conditions(declared),
    )
    if rules.format == "name":
        return replace(
            rules,
            format=None,
            pattern=NAME_PATTERN,
            max_length=NAME_MAX_LENGTH,
            pattern_mismatch=NAME_MISMATCH,
        )
    return rules


def number_range(field: descriptor.FieldDescriptor, rules: Rules) -> tuple[Any, Any]:
    """The field's bounds, with its wire type's range where it declares none: values beyond an
    int32's do not decode."""
    if field.type in INTEGRAL_TYPES:
        return (
            INT32_RANGE[0] if rules.minimum is None else rules.minimum,
            INT32_RANGE[1] if rules.maximum is None else rules.maximum,
        )
    return rules.minimum, rules.maximum


def unkeepable(field: descriptor.FieldDescriptor, rules: Rules) -> str | None:
    """Why the server cannot keep `rules` as the document would state them, if it cannot: on a
    plain proto3 scalar, an empty value is also an absent one."""
    message = field.message_type
    free_form = message is not None and message.full_name in JSON
    if rules.json_schema is not None and not free_form:
        return f"{field.full_name}: json_schema on a field that is not free-form JSON"
    if rules.required_when and (field.is_repeated or (message is not None and not free_form)):
        return f"{field.full_name}: required_when on a list or a message that is not JSON"
    for schema in (rules.json_schema, *(when.json_schema for when in rules.required_when)):
        if schema is not None:
            try:
                json_validator(field, schema)
            except ValueError as error:  # not JSON, not a schema, or a shape it cannot find
                return f"{field.full_name}: {str(error).splitlines()[0]}"
    if field.is_repeated or field.has_presence:
        return None
    explicit_bounds = rules.minimum is not None or rules.maximum is not None
    string_rules = any(getattr(rules, name) not in (None, ()) for name in STRING_RULES)
    if explicit_bounds or (string_rules and not rules.required):
        return f"{field.full_name}: rules on a field without presence; make it optional"
    if rules.required and field.type != descriptor.FieldDescriptor.TYPE_STRING:
        return f"{field.full_name}: REQUIRED on a scalar without presence; make it optional"
    return None


@cache
def json_shapes(file: descriptor.FileDescriptor) -> dict[str, Any]:
    """The named JSON Schemas (`json_shapes`) that the rules of the file's fields refer to."""
    return {
        shape.name: json.loads(shape.json_schema)
        for shape in _extensions(file.GetOptions(), JSON_SHAPES_NUMBER, JSON_SHAPE, file.pool)
    }


def json_validator(field: descriptor.FieldDescriptor, json_schema: str) -> jsonschema_rs.Validator:
    """A validator of one of the field's JSON Schema rules. The shapes of the field's file are
    beside the rule, at `#/components/schemas/<name>`, as they are in the OpenAPI document."""
    assert field.containing_type is not None  # rules are on fields of messages
    schema: dict[str, Any] = json.loads(json_schema)
    shapes = json_shapes(field.containing_type.file)
    if shapes:
        schema = {"allOf": [schema], "components": {"schemas": shapes}}
    return jsonschema_rs.Draft202012Validator(schema)


def _declared(field: descriptor.FieldDescriptor) -> Any:
    if field.containing_type is None:
        return None
    pool = field.containing_type.file.pool
    return next(_extensions(field.GetOptions(), FIELD_RULES_NUMBER, FIELD_RULES, pool), None)


def _extensions(
    options: Any, number: int, message: str, pool: descriptor_pool.DescriptorPool
) -> Iterator[Any]:
    """The values of an option extension of ours, each as a `message`. Every field of the
    options is unknown to Empty: the option's bytes come out whether or not this process has
    imported the extension."""
    found = unknown_fields.UnknownFieldSet(empty_pb2.Empty.FromString(options.SerializeToString()))
    for unknown in (found[index] for index in range(len(found))):
        if unknown.field_number == number:
            yield _message_class(pool, message).FromString(unknown.data)


@cache
def _message_class(pool: descriptor_pool.DescriptorPool, name: str) -> Any:
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def _conditions(declared: Any) -> tuple[Condition, ...]:
    if declared is None:
        return ()
    return tuple(
        Condition(
            when.field,
            tuple(when.equals),
            when.json_schema if when.HasField("json_schema") else None,
            when.shape_only,
        )
        for when in declared.required_when
    )


def _number(declared: Any, name: str) -> Any:
    if declared is None or not declared.HasField(name):
        return None
    value = getattr(declared, name)
    return int(value) if float(value).is_integer() else value


def _text(declared: Any, name: str) -> str | None:
    if declared is None or not declared.HasField(name):
        return None
    return str(getattr(declared, name))


def behaviors(field: descriptor.FieldDescriptor) -> list[int]:
    # googleapis-common-protos' stubs type its extensions as plain field descriptors.
    behaviors: list[int] = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]  # type: ignore[index]
    return list(behaviors)
