"""Workflow chains of platform experiments: the combination rules and each type's config.

Valid: one `custom` workflow alone, or one or more built-in workflows (`completion`,
`prompt`) chained, the output of step N being the input of step N+1.
"""

from __future__ import annotations

from typing import Any

from experiment_service.domain.platform.prompts import SAMPLING_RANGES
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.statuses import WorkflowType

MAX_WORKFLOWS = 20
COMPLETION_KEYS = (
    "model",
    "temperature",
    "max_tokens",
    "top_p",
    "frequency_penalty",
    "presence_penalty",
    "stop",
    "response_format",
    "tools",
    "tool_choice",
    "reasoning_effort",
)
RESPONSE_FORMATS = ("text", "json_object", "json_schema")
TOOL_CHOICES = ("none", "auto", "required")
REASONING_EFFORTS = ("minimal", "low", "medium", "high")
MULTIPLE_CUSTOM = "Only one custom workflow is allowed."
CUSTOM_MIXED = "A custom workflow cannot be combined with other workflows."


def is_custom(workflows: list[dict[str, Any]]) -> bool:
    return bool(workflows) and workflows[0]["type"] == WorkflowType.CUSTOM


def validate(violations: Violations, workflows: list[dict[str, Any]]) -> list[str]:
    """Check the chain; returns the prompt ids it uses (their existence is the caller's check)."""
    if not workflows:
        violations.add("workflows", "At least one workflow is required.", "missing")
        return []
    if len(workflows) > MAX_WORKFLOWS:
        violations.add("workflows", f"At most {MAX_WORKFLOWS} workflows.", "too_long")
    types = [workflow.get("type") for workflow in workflows]
    customs = types.count(WorkflowType.CUSTOM)
    if customs > 1:
        violations.add("workflows", MULTIPLE_CUSTOM, "value_error")
    elif customs == 1 and len(workflows) > 1:
        violations.add("workflows", CUSTOM_MIXED, "value_error")
    prompt_ids: list[str] = []
    for index, workflow in enumerate(workflows):
        field = f"workflows[{index}]"
        kind = workflow.get("type")
        if not violations.required(f"{field}.type", kind) or not violations.one_of(
            f"{field}.type", str(kind), tuple(WorkflowType)
        ):
            continue
        config = workflow.get("config") or {}
        if kind == WorkflowType.CUSTOM:
            _custom(violations, f"{field}.config", config)
        elif kind == WorkflowType.COMPLETION:
            _completion(violations, f"{field}.config", config)
        else:
            prompt_id = config.get("prompt_id")
            if not isinstance(prompt_id, str) or not prompt_id:
                violations.add(f"{field}.config.prompt_id", "Field required", "missing")
            else:
                prompt_ids.append(prompt_id)
            _unknown_keys(violations, f"{field}.config", config, ("prompt_id",))
    return prompt_ids


def _custom(violations: Violations, field: str, config: dict[str, Any]) -> None:
    allow = config.get("allow_submission", True)
    if not isinstance(allow, bool):
        violations.add(f"{field}.allow_submission", "Input should be a valid boolean", "bool_type")
    if "timeout_hours" in config:
        hours = config["timeout_hours"]
        if not _is_number(hours) or hours <= 0:
            violations.add(
                f"{field}.timeout_hours", "Input should be a number greater than 0", "greater_than"
            )
    _unknown_keys(violations, field, config, ("allow_submission", "timeout_hours"))


def _completion(violations: Violations, field: str, config: dict[str, Any]) -> None:
    model = config.get("model")
    if not isinstance(model, str) or not model:
        violations.add(f"{field}.model", "Field required", "missing")
    else:
        violations.text(f"{field}.model", model, MAX_NAME_LENGTH)
    for name, (low, high) in SAMPLING_RANGES.items():
        if name in config:
            if _is_number(config[name]):
                violations.number_range(f"{field}.{name}", float(config[name]), ge=low, le=high)
            else:
                violations.add(f"{field}.{name}", "Input should be a valid number", "float_type")
    if "max_tokens" in config:
        tokens = config["max_tokens"]
        if not _is_number(tokens) or tokens != int(tokens) or tokens < 1:
            violations.add(
                f"{field}.max_tokens", "Input should be a positive integer", "greater_than_equal"
            )
    if "stop" in config:
        stop = config["stop"]
        valid = isinstance(stop, str) or (
            isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop)
        )
        if not valid:
            violations.add(f"{field}.stop", "A string or a list of up to 4 strings", "value_error")
    if "response_format" in config:
        fmt = config["response_format"]
        if not isinstance(fmt, dict) or fmt.get("type") not in RESPONSE_FORMATS:
            violations.add(
                f"{field}.response_format",
                "An object whose type is one of " + ", ".join(RESPONSE_FORMATS),
                "value_error",
            )
    if "tools" in config:
        tools = config["tools"]
        if not isinstance(tools, list) or not all(_is_tool(tool) for tool in tools):
            violations.add(
                f"{field}.tools",
                'A list of {"type": "function", "function": {"name": ...}} objects',
                "value_error",
            )
    if "tool_choice" in config:
        choice = config["tool_choice"]
        if not (choice in TOOL_CHOICES or (isinstance(choice, dict) and "type" in choice)):
            violations.add(
                f"{field}.tool_choice",
                "One of none, auto, required, or an object naming a function",
                "value_error",
            )
    if "reasoning_effort" in config:
        violations.one_of(
            f"{field}.reasoning_effort", str(config["reasoning_effort"]), REASONING_EFFORTS
        )
    _unknown_keys(violations, field, config, COMPLETION_KEYS)


def _unknown_keys(
    violations: Violations, field: str, config: dict[str, Any], known: tuple[str, ...]
) -> None:
    for key in config:
        if key not in known:
            violations.add(f"{field}.{key}", "Unknown config field", "extra_forbidden")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_tool(tool: Any) -> bool:
    return (
        isinstance(tool, dict)
        and tool.get("type") == "function"
        and isinstance(tool.get("function"), dict)
        and isinstance(tool["function"].get("name"), str)
    )
