"""Refuses requests that break their fields' declared rules, before any method runs.

The rules are the ones the OpenAPI document states (field_rules.py reads both), so a request
the document calls valid passes here, and one it calls invalid is refused with every violation
listed. Domain services keep their own, deeper checks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial as partial_function
from typing import Any, cast

import jsonschema_rs
from google.protobuf import descriptor, struct_pb2
from google.protobuf.message import Message

from experiment_service.domain.errors import DomainError, FieldViolation, InvalidArgument
from experiment_service.domain.validation import Violations
from experiment_service.field_rules import Condition, Rules, json_validator, rules_of
from experiment_service.servicers.interceptors import Handler, StreamHandler, UnaryInterceptor
from experiment_service.servicers.json_values import struct_to_dict, value_to_python
from experiment_service.storage.database import WRITES_REFUSED, WritesRefused
from experiment_service.types import ServicerContext

log = logging.getLogger(__name__)

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
class _FieldCheck:
    """One field's checks, with what its descriptor says read once: descriptor properties are
    slow to ask on every request."""

    name: str
    repeated: bool
    presence: bool
    default: Any
    rules: Rules
    # The plan of the field's message type, when its values hold fields with rules.
    inner: _Plan | None
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


# One field's check, resolved at plan time to what the field needs: (message, violations,
# partial, masked). Requests of thousands of items run these on every call.
_Step = Callable[[Any, Violations, bool, bool], None]


@dataclass
class _Plan:
    checks: list[_FieldCheck] = field(default_factory=list)
    steps: list[_Step] = field(default_factory=list)
    # Fields whose only rule is that no string in them holds NUL: plain strings, and free-form
    # JSON values.
    text_fields: list[str] = field(default_factory=list)
    json_fields: list[str] = field(default_factory=list)


_PLANS: dict[str, _Plan | None] = {}


def broken_rules(request: Message) -> list[FieldViolation]:
    """Every rule `request` breaks. With an `update_mask` set (AIP-134), the resource it
    updates is partial: its REQUIRED fields are the mask's business, not the rules'."""
    plan = _plan(cast(descriptor.Descriptor, request.DESCRIPTOR))
    if plan is None:
        return []
    violations = Violations()
    masked = "update_mask" in request.DESCRIPTOR.fields_by_name and request.HasField("update_mask")
    _check(plan, request, violations, partial=False, masked=masked)
    return violations.items


def _plan(message: descriptor.Descriptor) -> _Plan | None:
    """What to check in messages of this type; None when nothing, so most response-shaped
    messages are looked at once and then skipped. Built once per type."""
    if message.full_name in _PLANS:
        return _PLANS[message.full_name]
    plan = _PLANS[message.full_name] = _Plan()  # first: a message may hold its own type
    for field_ in message.fields:
        rules = rules_of(field_)
        inner = None
        kind = field_.message_type
        if kind is not None and kind.full_name not in FREE_FORM and not kind.GetOptions().map_entry:
            inner = _plan(kind)
        json = kind is not None and kind.full_name in JSON_MESSAGES
        text = field_.type == descriptor.FieldDescriptor.TYPE_STRING or json
        if text and not rules.constrains and not field_.is_repeated:
            # Only "no NUL": a lane of its own, as most fields of a request are such.
            (plan.json_fields if json else plan.text_fields).append(field_.name)
        elif rules.constrains or inner is not None or text:
            plan.checks.append(
                _FieldCheck(
                    name=field_.name,
                    repeated=field_.is_repeated,
                    presence=field_.has_presence,
                    default=field_.default_value,
                    rules=rules,
                    inner=inner,
                    # A JSON value's conditional shapes are checked before this test; only a
                    # shape of its own needs the full look.
                    accepts=(
                        _plain_json
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
    plan.steps = [_step(check) for check in plan.checks]
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


def _plain_json(value: Any) -> bool:
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


def _check(
    plan: _Plan, message: Any, violations: Violations, *, partial: bool, masked: bool = False
) -> None:
    for name in plan.text_fields:
        if "\x00" in getattr(message, name):
            violations.text(name, getattr(message, name), max_length=None)
    for name in plan.json_fields:
        value = getattr(message, name)
        if not _plain_json(value):
            violations.json_value(name, _json_of(value))
    for step in plan.steps:
        step(message, violations, partial, masked)


def _step(check: _FieldCheck) -> _Step:
    """The check of one field, with the branches its rules do not need left out."""
    name, rules, accepts = check.name, check.rules, check.accepts
    required, has_inner, nullable = rules.required, check.inner is not None, check.nullable

    def value_problems(value: Any, violations: Violations, masked: bool) -> None:
        if accepts is None or not accepts(value):
            _check_value(check, value, violations, name, rules.partial or (masked and has_inner))

    if check.repeated:
        at_most = rules.max_items

        def repeated(message: Any, violations: Violations, partial: bool, masked: bool) -> None:
            items = getattr(message, name)
            at_least = (
                1 if rules.min_items is None and required and not partial else rules.min_items
            )
            if at_least is not None or at_most is not None:
                violations.item_count(name, len(items), at_least=at_least, at_most=at_most)
            for index, item in enumerate(items):
                if accepts is None or not accepts(item):
                    _check_value(check, item, violations, f"{name}[{index}]")

        return repeated
    if check.conditions:
        return partial_function(_conditional, check, _Conditions(check), value_problems)
    if check.opaque:  # only whether it is there

        def present(message: Any, violations: Violations, partial: bool, masked: bool) -> None:
            if required and not partial and not message.HasField(name):
                violations.add(name, "Field required", "missing")

        return present
    if check.presence:

        def optional(message: Any, violations: Violations, partial: bool, masked: bool) -> None:
            if message.HasField(name):
                value = getattr(message, name)
                if not (nullable and _is_null(value)):
                    value_problems(value, violations, masked)
                    return
            if required and not partial:
                violations.add(name, "Field required", "missing")

        return optional
    default = check.default

    def plain(message: Any, violations: Violations, partial: bool, masked: bool) -> None:
        value = getattr(message, name)
        if value != default:
            value_problems(value, violations, masked)
        elif required and not partial:
            violations.add(name, "Field required", "missing")

    return plain


class _Conditions:
    """A field's `required_when` rules as tables: for each sibling they read, what each of its
    values makes of the field (required or not, and the shapes it then has), looked up once
    per message."""

    def __init__(self, check: _FieldCheck) -> None:
        tables: dict[str, dict[Any, tuple[bool, tuple[jsonschema_rs.Validator, ...]]]] = {}
        for when, shape in check.conditions:
            table = tables.setdefault(when.field, {})
            for value in when.equals:
                required, shapes = table.get(value, (False, ()))
                table[value] = (
                    required or not when.shape_only,
                    shapes if shape is None else (*shapes, shape),
                )
        self.tables = tuple(tables.items())

    def applying(self, message: Any) -> tuple[bool, list[jsonschema_rs.Validator]]:
        """Whether the message's siblings require the field, and the shapes they give it."""
        required, shapes = False, list[jsonschema_rs.Validator]()
        for sibling, table in self.tables:
            found = table.get(getattr(message, sibling))
            if found is not None:
                required = required or found[0]
                shapes.extend(found[1])
        return required, shapes


def _conditional(
    check: _FieldCheck,
    conditions: _Conditions,
    value_problems: Callable[[Any, Violations, bool], None],
    message: Any,
    violations: Violations,
    partial: bool,
    masked: bool,
) -> None:
    """A field required, or given a shape, by another field's value."""
    name = check.name
    if check.presence:
        present = message.HasField(name) and not _is_null(getattr(message, name))
    else:
        present = getattr(message, name) != check.default
    required, shapes = conditions.applying(message) if not partial else (False, [])
    if present:
        value = getattr(message, name)
        if shapes:
            document = _json_of(value)
            for shape in shapes:
                _check_json(shape, document, violations, name)
        value_problems(value, violations, masked)
    elif (check.rules.required and not partial) or required:
        violations.add(name, "Field required", "missing")


def _check_json(
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


def _check_value(
    check: _FieldCheck, value: Any, violations: Violations, name: str, partial: bool = False
) -> None:
    rules = check.rules
    if check.json or check.shape is not None:
        document = _json_of(value)  # once, for both checks
        if check.json:
            violations.json_value(name, document)
        if check.shape is not None:
            _check_json(check.shape, document, violations, name)
    if check.inner is not None:
        _check(check.inner, value, violations.within(f"{name}."), partial=partial)
    elif isinstance(value, struct_pb2.ListValue):
        items = value.values
        violations.item_count(name, len(items), at_least=rules.min_items, at_most=rules.max_items)
        for index, item in enumerate(items):
            kind = item.WhichOneof("kind")
            if rules.item_type is not None and kind != JSON_KINDS[rules.item_type]:
                violations.add(
                    f"{name}[{index}]", f"Input should be a valid {rules.item_type}", "type_error"
                )
            elif kind == "string_value":
                _check_string(rules, item.string_value, violations, f"{name}[{index}]")
    elif isinstance(value, str):
        _check_string(rules, value, violations, name)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        violations.number_range(name, value, ge=rules.minimum, le=rules.maximum)


def _json_of(value: Any) -> Any:
    """A field value's JSON form (a scalar's is itself)."""
    if isinstance(value, struct_pb2.Struct):
        return struct_to_dict(value)
    if isinstance(value, struct_pb2.Value):
        return value_to_python(value)
    if isinstance(value, struct_pb2.ListValue):
        return [value_to_python(item) for item in value.values]
    return value


def _check_string(rules: Rules, value: str, violations: Violations, name: str) -> None:
    if "\x00" in value:  # refused alike everywhere, whatever else the field's rules say
        violations.text(name, value, max_length=None)
        return
    if rules.allowed:
        violations.one_of(name, value, rules.allowed)
        return
    if rules.min_length is not None or rules.max_length is not None:
        violations.length(name, value, at_least=rules.min_length, at_most=rules.max_length)
    if rules.pattern is not None:
        violations.matches(name, value, rules.pattern)
    if rules.format == "uri":
        violations.absolute_uri(name, value)


def _is_null(value: Any) -> bool:
    """A google.protobuf.Value holding JSON null is no value: `"output": null` gives none."""
    return isinstance(value, struct_pb2.Value) and value.WhichOneof("kind") in (None, "null_value")


class RequestRulesInterceptor(UnaryInterceptor):
    """Refuses requests that break their rules. It sits inside the domain-error interceptor,
    which turns the refusal into the caller's status and REST body.

    A unary request that breaks rules still runs, with writes refused (storage's
    WRITES_REFUSED), so that the refusal also lists the problems only the domain finds: the
    caller learns every problem at once, as from the domain alone.
    """

    def wrap(self, method: str, inner: Handler) -> Handler:
        async def call(request: Any, context: ServicerContext) -> Any:
            broken = broken_rules(request)
            if not broken:
                return await inner(request, context)
            refused = WRITES_REFUSED.set(True)
            try:
                await inner(request, context)
            except InvalidArgument as refusal:
                if type(refusal) is not InvalidArgument:
                    raise  # a body it cannot read at all (400, 415) says only that
                raise _merged(refusal.violations, broken) from None
            except (DomainError, WritesRefused):
                pass
            except Exception:
                # The domain may take the rules as kept (a score that is a number) and fail on
                # what breaks them: the rules' refusal is the answer.
                log.debug("a request breaking its rules failed in the domain", exc_info=True)
            finally:
                WRITES_REFUSED.reset(refused)
            raise InvalidArgument(broken)

        return call

    def wrap_stream(self, method: str, inner: StreamHandler) -> StreamHandler:
        async def call(request: Any, context: ServicerContext) -> Any:
            broken = broken_rules(request)
            if broken:  # streams may run for long: their rules alone answer
                raise InvalidArgument(broken)
            async for response in inner(request, context):
                yield response

        return call


def _merged(found: list[FieldViolation], broken: list[FieldViolation]) -> InvalidArgument:
    """The domain's violations, then the rules' on fields the domain did not name. Domain
    services may name a body's fields without the request field that holds the body
    (`name` for `dataset.name`): a rule's field ending in a named one is named too. A field
    the domain names a part of (`config.prompt_id` for `config`) is named more precisely."""
    named = {violation.field for violation in found}
    # Each named field, and each field holding it (`config` of `config.prompt_id`).
    covered = {name.rsplit(".", cut)[0] for name in named for cut in range(name.count(".") + 1)}

    def unnamed(field: str) -> bool:
        return not any(field == name or field.endswith("." + name) for name in covered)

    return InvalidArgument([*found, *(v for v in broken if unnamed(v.field))])
