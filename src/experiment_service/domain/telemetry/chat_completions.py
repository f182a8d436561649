"""Captured chat completions: one OpenAI-compatible request and its response as an LLM span.

The call becomes a span of its session, read like any other: its attributes are written in
OpenInference's names and it goes through the same ingestion (and session runs) as OTLP.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from experiment_service.domain.errors import FieldViolation, InvalidArgument
from experiment_service.domain.telemetry.contexts import EvaluationContext, require_experiment
from experiment_service.domain.telemetry.ingest import TelemetryIngest
from experiment_service.domain.telemetry.model import OTLP_STATUS_ERROR, ReceivedSpan, SpanSource
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.storage import queries
from experiment_service.storage.database import Database
from experiment_service.types import JSONObject

MESSAGE_ROLES = ("user", "system", "assistant", "developer", "tool", "function")
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class ChatCompletion:
    """One captured call, as the API takes it."""

    request: JSONObject | None
    response: JSONObject | None
    context: EvaluationContext = field(default_factory=EvaluationContext)
    session_id: str | None = None
    trace_id: str | None = None
    provider: str | None = None
    cost_usd: float | None = None
    cost_input_usd: float | None = None
    cost_output_usd: float | None = None


class ChatCompletions:
    def __init__(self, database: Database, ingest: TelemetryIngest) -> None:
        self._db = database
        self._ingest = ingest

    async def ingest(self, workspace: str, call: ChatCompletion) -> tuple[str, str]:
        """Store the call; returns its (session id, span id)."""
        violations = Violations()
        violations.name("workspace", workspace)
        validate(violations, call)
        violations.raise_if_any()
        assert call.request is not None and call.response is not None  # validated
        async with self._db.transaction() as session:
            await require_experiment(session, workspace, call.context)
            joined = (
                await queries.telemetry.get_root(session, workspace, call.trace_id)
                if call.trace_id is not None
                else None
            )
        span_id = secrets.token_hex(8)
        session_id = call.session_id or (joined.session_id if joined else secrets.token_hex(16))
        now = time.time_ns()
        error = call.response.get("error")
        span = ReceivedSpan(
            trace_id=call.trace_id or secrets.token_hex(16),
            span_id=span_id,
            parent_span_id=joined.span_id if joined is not None else None,
            name="chat.completions",
            start_unix_nano=now,
            end_unix_nano=0,  # a captured call says nothing of its timing: no duration
            status_code=OTLP_STATUS_ERROR if error else 0,
            status_message=_error_message(error),
            attributes=_attributes(call, session_id),
            source=SpanSource.CHAT_COMPLETIONS,
        )
        unreadable = await self._ingest.ingest(workspace, [span], [])
        if unreadable:  # e.g. a token count in `usage` that is not a number: nothing stored
            raise InvalidArgument([FieldViolation("response", unreadable[0], "value_error")])
        return session_id, span_id


def validate(violations: Violations, call: ChatCompletion) -> None:
    call.context.validate(violations)
    violations.text("session_id", call.session_id, MAX_NAME_LENGTH)
    violations.text("provider", call.provider, MAX_NAME_LENGTH)
    if call.trace_id is not None and (len(call.trace_id) != 32 or not set(call.trace_id) <= _HEX):
        violations.add(
            "trace_id", "A trace id is 32 lower-case hex digits", "string_pattern_mismatch"
        )
    for name in ("cost_usd", "cost_input_usd", "cost_output_usd"):
        value = getattr(call, name)
        if value is not None and not math.isfinite(value):
            violations.add(name, "Input should be a finite number", "finite_number")
        else:
            violations.number_range(name, value, ge=0)
    request, response = call.request, call.response
    if violations.required("request", request) and request is not None:
        if not isinstance(request.get("model"), str) or not request["model"]:
            violations.add("request.model", "Field required", "missing")
        messages = request.get("messages")
        if not isinstance(messages, list):
            violations.add("request.messages", "Input should be a valid list", "list_type")
        else:
            for index, message in enumerate(messages):
                role = message.get("role") if isinstance(message, dict) else None
                if not isinstance(role, str) or role not in MESSAGE_ROLES:
                    violations.add(
                        f"request.messages[{index}].role",
                        "Input should be one of " + ", ".join(f"'{r}'" for r in MESSAGE_ROLES),
                        "enum",
                    )
    if violations.required("response", response) and response is not None:
        if not isinstance(response.get("choices"), list) and not isinstance(
            response.get("error"), dict
        ):
            violations.add("response", "A response holds a list of choices or an error", "missing")
    violations.json_value("request", request)
    violations.json_value("response", response)


def _attributes(call: ChatCompletion, session_id: str) -> JSONObject:
    """The call in OpenInference's attribute names, as an instrumented client would send it."""
    assert call.request is not None and call.response is not None
    request, response = call.request, call.response
    found_usage = response.get("usage")
    usage: JSONObject = found_usage if isinstance(found_usage, dict) else {}
    details = usage.get("prompt_tokens_details")
    parameters = {k: v for k, v in request.items() if k not in ("model", "messages")}
    values: dict[str, Any] = {
        "openinference.span.kind": "LLM",
        "session.id": session_id,
        **call.context.attributes(),
        "llm.model_name": response.get("model") or request.get("model"),
        "llm.provider": call.provider,
        "llm.token_count.prompt": usage.get("prompt_tokens"),
        "llm.token_count.completion": usage.get("completion_tokens"),
        "llm.token_count.total": usage.get("total_tokens"),
        "llm.token_count.cached": details.get("cached_tokens")
        if isinstance(details, dict)
        else None,
        "llm.cost.total": call.cost_usd,
        "llm.cost.prompt": call.cost_input_usd,
        "llm.cost.completion": call.cost_output_usd,
        "input.value": orjson.dumps(request.get("messages")).decode(),
        "output.value": _output(response),
        "llm.invocation_parameters": orjson.dumps(parameters).decode() if parameters else None,
    }
    return {name: value for name, value in values.items() if value is not None}


def _output(response: JSONObject) -> str | None:
    """The first choice's message text, else the choices (or error) as JSON."""
    choices = response.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message")
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            return str(message["content"])
    shown = choices if choices is not None else response.get("error")
    return orjson.dumps(shown).decode() if shown is not None else None


def _error_message(error: Any) -> str:
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    return orjson.dumps(error).decode() if error else ""
