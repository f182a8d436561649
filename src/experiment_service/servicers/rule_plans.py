"""What the declared rules of a message type ask of its fields, read once from its descriptor
(field_rules.py), and the full look at a value that fails its field's quick test, which names
each problem. rule_code.py compiles a plan into the check that runs on every request.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from google.protobuf import descriptor, struct_pb2

from experiment_service.domain.validation import Violations
from experiment_service.field_rules import Condition, Rules, json_validator, rules_of
from experiment_service.servicers.json_values import struct_to_dict, value_to_python

# google.protobuf.Value's kinds by the JSON type names that rules use.
JSON_KINDS = {
    "string": "string_value",
    "number": "number_value",
    "boolean": "bool_value",
    "object": "struct_value",
}
JSON_MESSAGES = frozenset(
    {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
)
NESTED_KINDS = ("struct_value", "list_value")
# google.protobuf.Value's kinds by the JSON Schema types they hold.
JSON_TYPE_KINDS = {
    "null": "null_value",
    "number": "number_value",
    "string": "string_value",
    "boolean": "bool_value",
    "object": "struct_value",
    "array": "list_value",
}
VALUE_KINDS = frozenset(JSON_TYPE_KINDS.values())
# A JSON Schema problem's description is cut here: it may quote the caller's value.
MAX_JSON_PROBLEM = 200
# Messages whose JSON form is free-form: no declared rules inside them.
FREE_FORM = frozenset(
    {
        "google.protobuf.Struct",
        "google.protobuf.Value",
        "google.protobuf.ListValue",
        "google.protobuf.Timestamp",
        "google.protobuf.FieldMask",
        "google.api.HttpBody",
    }
)


@dataclass(frozen=True)
class FieldCheck:
    """One field's checks, with what its descriptor says read once: descriptor properties are
    slow to ask on every request."""

    name: str
    repeated: bool
    presence: bool
    default: Any
    rules: Rules
    # The plan of the field's message type, when its values hold fields with rules.
    inner: Plan | None
    # A quick test of a scalar value (None: nothing to test). Only a value it fails is looked
    # at again, to name the problem: requests of thousands of items are checked on every call.
    accepts: Callable[[Any], bool] | None
    # A free-form JSON value (Struct, Value, ListValue): none of its strings may hold NUL.
    json: bool = False
    # The JSON Schema a free-form JSON value matches, compiled once.
    shape: jsonschema_rs.Validator | None = None
    # When the field is also required, each with the shape it then has.
    conditions: tuple[tuple[Condition, jsonschema_rs.Validator | None], ...] = ()
    # A google.protobuf.Value, whose JSON null is no value.
    nullable: bool = False
    # Holds nothing a rule looks at inside (a Timestamp): only its presence is checked.
    opaque: bool = False


@dataclass
class Plan:
    """What to check in messages of one type."""

    message: str
    checks: list[FieldCheck] = field(default_factory=list)
    # Fields whose only rule is that no string in them holds NUL: plain strings, and free-form
    # JSON values.
    text_fields: list[str] = field(default_factory=list)
    json_fields: list[str] = field(default_factory=list)


_PLANS: dict[str, Plan | None] = {}


def plan_of(message: descriptor.Descriptor) -> Plan | None:
    """What to check in messages of this type; None when nothing, so most response-shaped
    messages are looked at once and then skipped. Built once per type."""
    if message.full_name in _PLANS:
        return _PLANS[message.full_name]
    plan = _PLANS[message.full_name] = Plan(message.full_name)  # first: it may hold itself
    for field_ in message.fields:
        rules = rules_of(field_)
        inner = None
        kind = field_.message_type
        if kind is not None and kind.full_name not in FREE_FORM and not kind.GetOptions().map_entry:
            inner = plan_of(kind)
        json = kind is not None and kind.full_name in JSON_MESSAGES
        text = field_.type == descriptor.FieldDescriptor.TYPE_STRING or json
        if text and not rules.constrains and not field_.is_repeated:
            # Only "no NUL": a lane of its own, as most fields of a request are such.
            (plan.json_fields if json else plan.text_fields).append(field_.name)
        elif rules.constrains or inner is not None or text:
            plan.checks.append(
                FieldCheck(
                    name=field_.name,
                    repeated=field_.is_repeated,
                    presence=field_.has_presence,
                    default=field_.default_value,
                    rules=rules,
                    inner=inner,
                    # A JSON value's conditional shapes are checked before this test; only a
                    # shape of its own needs the full look.
                    accepts=(
                        plain_json
                        if json and rules.json_schema is None
                        else _quick_test(field_, rules)
                    ),
                    json=json,
                    shape=_validator(field_, rules.json_schema),
                    conditions=tuple(
                        (when, _validator(field_, when.json_schema)) for when in rules.required_when
                    ),
                    nullable=kind is not None and kind.full_name == "google.protobuf.Value",
                    opaque=kind is not None and not json and inner is None,
                )
            )
    if not (plan.checks or plan.text_fields or plan.json_fields):
        _PLANS[message.full_name] = None
    return _PLANS[message.full_name]


def _validator(
    field_: descriptor.FieldDescriptor, schema: str | None
) -> jsonschema_rs.Validator | None:
    return json_validator(field_, schema) if schema is not None else None


def _quick_test(field_: descriptor.FieldDescriptor, rules: Rules) -> Callable[[Any], bool] | None:
    """The quick test of a scalar field's values, made for its type and rules; None for a
    message field, whose values get the full look."""
    if field_.message_type is not None:
        return None
    if field_.type != descriptor.FieldDescriptor.TYPE_STRING:
        return _number_test(rules.minimum, rules.maximum)
    if rules.allowed:  # none of them holds NUL
        return frozenset(rules.allowed).__contains__
    if rules.format is not None:
        return None  # formats are checked the slow way
    pattern = re.compile(rules.pattern) if rules.pattern is not None else None
    shortest, longest = rules.min_length or 0, rules.max_length
    if pattern is None and not shortest and longest is None:
        return _without_nul

    def accepts(value: str) -> bool:
        return (
            "\x00" not in value
            and shortest <= len(value)
            and (longest is None or len(value) <= longest)
            and (pattern is None or pattern.search(value) is not None)
        )

    return accepts


def _number_test(lowest: float | None, highest: float | None) -> Callable[[Any], bool]:
    if lowest is None and highest is None:
        return _anything
    if highest is None:
        return lambda value: value >= lowest  # NaN fails it, and is looked at again
    if lowest is None:
        return lambda value: value <= highest
    return lambda value: lowest <= value <= highest


def _anything(value: Any) -> bool:
    return True


def _without_nul(value: str) -> bool:
    return "\x00" not in value


def plain_json(value: Any) -> bool:
    """True for free-form JSON without text in it (a number, an empty object), the common case;
    anything else is looked at in full."""
    if isinstance(value, struct_pb2.Value):
        kind = value.WhichOneof("kind")
        if kind == "string_value":
            return "\x00" not in value.string_value
        return kind not in NESTED_KINDS
    if isinstance(value, struct_pb2.Struct):
        return not value.fields
    if isinstance(value, struct_pb2.ListValue):
        return not value.values
    return True


@dataclass(frozen=True)
class Then:
    """What a sibling's value makes of a field: required or not, and the JSON shapes it then
    has. `kinds`: for a google.protobuf.Value field whose shapes ask only for JSON types, the
    kinds of Value that have them all, a test that needs no JSON form of the value (None: the
    shapes themselves must be asked)."""

    required: bool = False
    shapes: tuple[jsonschema_rs.Validator, ...] = ()
    kinds: frozenset[str] | None = VALUE_KINDS

    def also(self, other: Then) -> Then:
        return Then(
            self.required or other.required,
            (*self.shapes, *other.shapes),
            None if self.kinds is None or other.kinds is None else self.kinds & other.kinds,
        )


class Conditions:
    """A field's `required_when` rules as tables: for each sibling they read, what each of its
    values makes of the field, looked up once per message."""

    def __init__(self, check: FieldCheck) -> None:
        tables: dict[str, dict[Any, Then]] = {}
        for when, shape in check.conditions:
            then = Then(
                required=not when.shape_only,
                shapes=() if shape is None else (shape,),
                kinds=_kinds(when.json_schema) if check.nullable else None,
            )
            table = tables.setdefault(when.field, {})
            for value in when.equals:
                table[value] = table[value].also(then) if value in table else then
        self.tables = tuple(tables.items())

    def applying(self, message: Any) -> Then | None:
        """What the message's siblings make of the field; None when nothing."""
        found = [
            then
            for sibling, table in self.tables
            if (then := table.get(getattr(message, sibling))) is not None
        ]
        return functools.reduce(Then.also, found) if found else None


def _kinds(json_schema: str | None) -> frozenset[str] | None:
    """The kinds of google.protobuf.Value that a schema of JSON types alone accepts."""
    if json_schema is None:
        return VALUE_KINDS
    schema = json.loads(json_schema)
    if set(schema) != {"type"}:
        return None
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not all(kind in JSON_TYPE_KINDS for kind in types):
        return None  # "integer": a number's kind does not say
    return frozenset(JSON_TYPE_KINDS[kind] for kind in types)


def check_shapes(then: Then, value: Any, violations: Violations, name: str) -> None:
    document = json_of(value)
    for shape in then.shapes:
        check_json(shape, document, violations, name)


def check_json(
    shape: jsonschema_rs.Validator, document: Any, violations: Violations, name: str
) -> None:
    """The problems of a value's JSON form against its declared JSON Schema, named by where
    they are (`request.messages[0].role`)."""
    if shape.is_valid(document):  # the common case, and cheaper than listing no errors
        return
    for error in shape.iter_errors(document):
        where = name + "".join(
            f"[{step}]" if isinstance(step, int) else f".{step}" for step in error.instance_path
        )
        kind = error.kind
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            violations.add(f"{where}.{kind.property}", "Field required", "missing")
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            for key in kind.unexpected:
                violations.add(
                    f"{where}.{key}", "Extra inputs are not permitted", "extra_forbidden"
                )
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.AnyOf):
            violations.add(where, "Input matches none of the shapes it may have", "any_of")
        else:
            reason = re.sub(r"(?<!^)(?=[A-Z])", "_", type(kind).__name__).lower()
            violations.add(where, error.message[:MAX_JSON_PROBLEM], reason)


def check_value(check: FieldCheck, value: Any, violations: Violations, name: str) -> None:
    """The full look at a value that failed its field's quick test, naming each problem. (A
    message value with rules inside is checked by its own type's check.)"""
    rules = check.rules
    if check.json or check.shape is not None:
        document = json_of(value)  # once, for both checks
        if check.json:
            violations.json_value(name, document)
        if check.shape is not None:
            check_json(check.shape, document, violations, name)
    if isinstance(value, struct_pb2.ListValue):
        items = value.values
        violations.item_count(name, len(items), at_least=rules.min_items, at_most=rules.max_items)
        for index, item in enumerate(items):
            kind = item.WhichOneof("kind")
            if rules.item_type is not None and kind != JSON_KINDS[rules.item_type]:
                violations.add(
                    f"{name}[{index}]", f"Input should be a valid {rules.item_type}", "type_error"
                )
            elif kind == "string_value":
                check_string(rules, item.string_value, violations, f"{name}[{index}]")
    elif isinstance(value, str):
        check_string(rules, value, violations, name)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        violations.number_range(name, value, ge=rules.minimum, le=rules.maximum)


def json_of(value: Any) -> Any:
    """A field value's JSON form (a scalar's is itself)."""
    if isinstance(value, struct_pb2.Struct):
        return struct_to_dict(value)
    if isinstance(value, struct_pb2.Value):
        return value_to_python(value)
    if isinstance(value, struct_pb2.ListValue):
        return [value_to_python(item) for item in value.values]
    return value


def check_string(rules: Rules, value: str, violations: Violations, name: str) -> None:
    if "\x00" in value:  # refused alike everywhere, whatever else the field's rules say
        violations.text(name, value, max_length=None)
        return
    if rules.allowed:
        violations.one_of(name, value, rules.allowed)
        return
    if rules.min_length is not None or rules.max_length is not None:
        violations.length(name, value, at_least=rules.min_length, at_most=rules.max_length)
    if rules.pattern is not None:
        violations.matches(name, value, rules.pattern, rules.pattern_mismatch)
    if rules.format == "uri":
        violations.absolute_uri(name, value)


def is_null(value: Any) -> bool:
    """A google.protobuf.Value holding JSON null is no value: `"output": null` gives none."""
    return isinstance(value, struct_pb2.Value) and value.WhichOneof("kind") in (None, "null_value")
