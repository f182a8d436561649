"""Each message type's rule plan (rule_plans.py) compiled into one Python function.

Why compiled: a batch request holds thousands of messages, and every field of each is checked
on every call. Written out per type, a field's check is a few inline tests (is it there, does
its quick test pass); as closures, each field cost two or three calls more. The rule check of a
1,000-session IngestSessions batch went from 31 to 19 ms. The rules themselves, and the full
look that names a problem, stay in rule_plans.py: the code here only decides, per field, which
of them to ask.

A check is called as `check(message, violations, partial, masked)`: `partial` when the message
is an update's changes (its REQUIRED fields are not required), `masked` when the request has an
update mask, which makes the resource it updates partial.
"""

from __future__ import annotations

import keyword
import linecache
from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor

from experiment_service.domain.validation import Violations
from experiment_service.servicers.rule_plans import (
    Conditions,
    FieldCheck,
    Plan,
    check_shapes,
    check_value,
    is_null,
    json_of,
    plain_json,
    plan_of,
)

Check = Callable[[Any, Violations, bool, bool], None]

# Compiled checks by message type; the generated code finds those of inner messages here.
_CHECKS: dict[str, Check] = {}
_HELPERS: dict[str, Any] = {
    "check_value": check_value,
    "check_shapes": check_shapes,
    "is_null": is_null,
    "json_of": json_of,
    "plain_json": plain_json,
    "checks": _CHECKS,
}


def check_of(message: descriptor.Descriptor) -> Check | None:
    """The compiled check of a message type; None when its messages have nothing to check."""
    plan = plan_of(message)
    if plan is None:
        return None
    if plan.message not in _CHECKS:
        _compile(plan)
    return _CHECKS[plan.message]


def _compile(plan: Plan) -> None:
    """Compiles the plan, and those of the messages it holds, before any of them runs."""
    namespace: dict[str, Any] = dict(_HELPERS)
    source, filename = _source(plan, namespace), f"<rules of {plan.message}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks
    exec(compile(source, filename, "exec"), namespace)
    _CHECKS[plan.message] = namespace["check"]
    for check in plan.checks:
        if check.inner is not None and check.inner.message not in _CHECKS:
            _compile(check.inner)


def _source(plan: Plan, namespace: dict[str, Any]) -> str:
    lines = ["def check(message, violations, partial, masked):"]
    for name in plan.text_fields:
        lines += [
            f"    value = {_read(name)}",
            "    if '\\x00' in value:",
            f"        violations.text({name!r}, value, max_length=None)",
        ]
    for name in plan.json_fields:
        lines += [
            f"    value = {_read(name)}",
            "    if not plain_json(value):",
            f"        violations.json_value({name!r}, json_of(value))",
        ]
    for index, check in enumerate(plan.checks):
        namespace[f"check{index}"] = check
        namespace[f"accepts{index}"] = check.accepts
        namespace[f"default{index}"] = check.default
        lines += _field_source(index, check, namespace)
    lines.append("    return None")
    return "\n".join(lines) + "\n"


def _field_source(index: int, check: FieldCheck, namespace: dict[str, Any]) -> list[str]:
    name, rules = check.name, check.rules
    if check.repeated:
        return _repeated_source(index, check)
    required = "not partial" if rules.required else None
    if check.inner is not None:
        partial = "True" if rules.partial else "masked"
        return [
            f"    if message.HasField({name!r}):",
            f"        checks[{check.inner.message!r}]("
            f"{_read(name)}, violations.within({name + '.'!r}), {partial}, False)",
            *_missing(name, required),
        ]
    if check.opaque:  # only whether it is there
        if required is None:
            return []
        return [
            f"    if not partial and not message.HasField({name!r}):",
            f"        violations.add({name!r}, 'Field required', 'missing')",
        ]
    lines, shapes = [], []
    if check.conditions:
        conditions = namespace[f"conditions{index}"] = Conditions(check)
        if len(conditions.tables) == 1:
            sibling, namespace[f"table{index}"] = conditions.tables[0]
            lines.append(f"    then = None if partial else table{index}.get({_read(sibling)})")
        else:
            lines.append(f"    then = None if partial else conditions{index}.applying(message)")
        required = required or "then is not None and then.required"
        shaped = "then is not None and then.shapes"
        if check.nullable:  # the kinds of value the shapes take may answer without them
            shaped += " and (then.kinds is None or value.WhichOneof('kind') not in then.kinds)"
        shapes = [
            f"        if {shaped}:",
            f"            check_shapes(then, value, violations, {name!r})",
        ]
    if check.presence:
        lines.append(f"    value = {_read(name)} if message.HasField({name!r}) else None")
        if check.nullable:
            lines.append("    if value is not None and is_null(value): value = None")
        lines.append("    if value is not None:")
    else:
        lines += [f"    value = {_read(name)}", f"    if value != default{index}:"]
    return [
        *lines,
        *shapes,
        *_value_source(index, check, "value", repr(name), "        "),
        *_missing(name, required),
    ]


def _missing(name: str, required: str | None) -> list[str]:
    """The `elif` of a field found absent: refused when `required` holds."""
    if required is None:
        return []
    return [
        f"    elif {required}:",
        f"        violations.add({name!r}, 'Field required', 'missing')",
    ]


def _repeated_source(index: int, check: FieldCheck) -> list[str]:
    name, rules = check.name, check.rules
    if rules.min_items is None and rules.required:
        at_least = "None if partial else 1"
    else:
        at_least = repr(rules.min_items)
    lines = [f"    items = {_read(name)}"]
    if rules.min_items is not None or rules.required or rules.max_items is not None:
        lines.append(
            f"    violations.item_count({name!r}, len(items), "
            f"at_least={at_least}, at_most={rules.max_items!r})"
        )
    lines.append("    for index, item in enumerate(items):")
    place = f"f'{name}[{{index}}]'"
    if check.inner is not None:
        within = f"violations.within(f'{name}[{{index}}].')"
        lines.append(f"        checks[{check.inner.message!r}](item, {within}, False, False)")
    else:
        lines += _value_source(index, check, "item", place, "        ")
    return lines


def _value_source(index: int, check: FieldCheck, value: str, place: str, indent: str) -> list[str]:
    """The quick test of a present value, and the full look when it fails."""
    look = f"check_value(check{index}, {value}, violations, {place})"
    if check.accepts is None:
        return [indent + look]
    return [f"{indent}if not accepts{index}({value}):", f"{indent}    {look}"]


def _read(name: str) -> str:
    """The expression reading field `name` of `message`."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return f"message.{name}"
    return f"getattr(message, {name!r})"
