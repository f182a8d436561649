"""Reading OTLP spans: which attributes mean model, agent, tokens, cost, session, experiment.

The attribute names are those of the OpenTelemetry GenAI conventions and of OpenInference,
first present wins (contract: the API README, section D). What is not mapped to a field is
kept as the span's raw attributes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime

import orjson

from experiment_service.domain.pricing import PriceTable
from experiment_service.domain.telemetry.model import OTLP_STATUS_ERROR, ReceivedSpan, SpanKind
from experiment_service.domain.validation import MAX_COST_USD, MAX_NAME_LENGTH
from experiment_service.statuses import RunStatus
from experiment_service.types import JSON, JSONObject, RowValues

MODEL = ("gen_ai.request.model", "gen_ai.response.model", "llm.model_name")
PROVIDER = ("gen_ai.system", "gen_ai.provider.name", "llm.provider", "llm.system")
AGENT_NAME = ("gen_ai.agent.name", "llm.agent.name", "agent.name")
AGENT_ID = ("gen_ai.agent.id", "agent.id")
AGENT_VERSION = ("gen_ai.agent.version", "agent.version")
TOOL_NAME = ("gen_ai.tool.name", "tool.name")
INPUT_TOKENS = ("gen_ai.usage.input_tokens", "llm.token_count.prompt")
OUTPUT_TOKENS = ("gen_ai.usage.output_tokens", "llm.token_count.completion")
CACHED_TOKENS = ("gen_ai.usage.cached_tokens", "llm.token_count.cached")
TOTAL_TOKENS = ("gen_ai.usage.total_tokens", "llm.token_count.total")
COST = ("gen_ai.usage.cost", "llm.cost.total")
COST_INPUT = ("llm.cost.prompt",)
COST_OUTPUT = ("llm.cost.completion",)
KIND = ("openinference.span.kind",)
SESSION = ("session.id", "gen_ai.conversation.id")
EXPERIMENT = ("nemo.experiment.id", "nemo.evaluation.name", "nemo.evaluation.id")
TEST_CASE = ("nemo.test_case.id", "nemo.test_case.name")
INPUT = ("input.value", "gen_ai.input.messages")
OUTPUT = ("output.value", "gen_ai.output.messages")
INPUT_MESSAGES_PREFIX = "llm.input_messages."
OUTPUT_MESSAGES_PREFIX = "llm.output_messages."
ERROR_TYPE = ("exception.type",)
ERROR_MESSAGE = ("exception.message",)

# Field -> its attribute names, in priority order (first present wins).
FIELD_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "model": MODEL,
    "provider": PROVIDER,
    "agent_name": AGENT_NAME,
    "agent_id": AGENT_ID,
    "agent_version": AGENT_VERSION,
    "tool_name": TOOL_NAME,
    "input_tokens": INPUT_TOKENS,
    "output_tokens": OUTPUT_TOKENS,
    "cached_tokens": CACHED_TOKENS,
    "total_tokens": TOTAL_TOKENS,
    "cost_usd": COST,
    "cost_input_usd": COST_INPUT,
    "cost_output_usd": COST_OUTPUT,
    "kind": KIND,
    "session_id": SESSION,
    "experiment_name": EXPERIMENT,
    "test_case_id": TEST_CASE,
    "input": INPUT,
    "output": OUTPUT,
    "error_type": ERROR_TYPE,
    "error_message": ERROR_MESSAGE,
}
# Attribute name -> (field, priority): one dictionary lookup per attribute of a span.
_ATTRIBUTE_FIELDS = {
    name: (field, rank)
    for field, names in FIELD_ATTRIBUTES.items()
    for rank, name in enumerate(names)
}
_NAME_FIELDS = ("model", "provider", "agent_name", "agent_id", "agent_version", "tool_name")
_COUNT_FIELDS = ("input_tokens", "output_tokens", "cached_tokens", "total_tokens")
_MONEY_FIELDS = ("cost_usd", "cost_input_usd", "cost_output_usd")
_MESSAGE_PREFIXES = (INPUT_MESSAGES_PREFIX, OUTPUT_MESSAGES_PREFIX)
# The GenAI conventions' operation names, for spans without an OpenInference kind.
_OPERATION_KINDS = {
    "chat": SpanKind.LLM,
    "text_completion": SpanKind.LLM,
    "generate_content": SpanKind.LLM,
    "embeddings": SpanKind.EMBEDDING,
    "execute_tool": SpanKind.TOOL,
    "invoke_agent": SpanKind.AGENT,
    "create_agent": SpanKind.AGENT,
}
_MESSAGE_KEY = re.compile(r"^(\d+)\.(.+)$")
_KINDS = frozenset(SpanKind)
MAX_SPAN_NAME_LENGTH = 1000
REPORTED_COST, COMPUTED_COST = "reported", "computed"
NO_PRICES = PriceTable()


class UnreadableSpan(ValueError):
    """A span that cannot be stored; the message says why, in one sentence."""


def first(attributes: JSONObject, names: Iterable[str]) -> JSON:
    for name in names:
        value = attributes.get(name)
        if value is not None and value != "":
            return value
    return None


def session_of(span: ReceivedSpan) -> str | None:
    """The session the span names itself, if any."""
    value = first(span.attributes, SESSION) or first(span.resource_attributes, SESSION)
    return _name(value)


def span_values(
    span: ReceivedSpan,
    workspace: str,
    session_id: str,
    now: datetime,
    prices: PriceTable = NO_PRICES,
) -> RowValues:
    """The span as a `telemetry_spans` row; raises UnreadableSpan for what cannot be stored.
    An LLM span that reports tokens and a model but no cost is priced from `prices`."""
    if span.start_unix_nano <= 0:
        raise UnreadableSpan("it has no start time")
    if span.end_unix_nano and span.end_unix_nano < span.start_unix_nano:
        raise UnreadableSpan("it ends before it starts")
    # Resource attributes (service-wide) apply unless the span says otherwise.
    attributes = (
        {**span.resource_attributes, **span.attributes}
        if span.resource_attributes
        else span.attributes
    )
    found, raw = _read(attributes, span.attributes)
    ended = span.end_unix_nano or None
    error_type = _text(found.get("error_type") or _exception(span, "exception.type"))
    error_message = _text(found.get("error_message") or _exception(span, "exception.message"))
    failed = span.status_code == OTLP_STATUS_ERROR
    if failed and error_message is None and span.status_message:
        error_message = span.status_message
    row: RowValues = {
        "workspace": workspace,
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "session_id": session_id,
        "source": span.source,
        "name": _text(span.name[:MAX_SPAN_NAME_LENGTH]),
        "kind": _kind(found, attributes),
        "status": RunStatus.ERROR if failed else RunStatus.SUCCESS,
        "started_at": _time(span.start_unix_nano),
        "ended_at": _time(ended) if ended else None,
        "duration_ms": (ended - span.start_unix_nano) / 1e6 if ended else None,
        "experiment_name": _name(found.get("experiment_name")),
        "test_case_id": _name(found.get("test_case_id")),
    }
    for field in _NAME_FIELDS:
        row[field] = _name(found.get(field))
    for field in _COUNT_FIELDS:
        row[field] = _count(found.get(field))
    for field in _MONEY_FIELDS:
        row[field] = _money(found.get(field))
    row["cost_source"] = _price(row, prices)
    row["input"] = _payload(found.get("input"), attributes, INPUT_MESSAGES_PREFIX)
    row["output"] = _payload(found.get("output"), attributes, OUTPUT_MESSAGES_PREFIX)
    row["error_type"] = error_type[:MAX_NAME_LENGTH] if error_type else None
    row["error_message"] = error_message
    row["raw_attributes"] = _without_nul(raw)
    row["ingested_at"] = now
    return row


def _price(row: RowValues, prices: PriceTable) -> str | None:
    """Where the row's costs come from: its sender ("reported"), or its tokens at the model's
    configured price ("computed", filled in here); None when it has no cost."""
    if any(row[field] is not None for field in _MONEY_FIELDS):
        return REPORTED_COST
    price = prices.of(row["model"])
    tokens = row["input_tokens"], row["output_tokens"]
    if row["kind"] != SpanKind.LLM or price is None or tokens == (None, None):
        return None
    row["cost_input_usd"], row["cost_output_usd"] = price.costs(tokens[0] or 0, tokens[1] or 0)
    row["cost_usd"] = row["cost_input_usd"] + row["cost_output_usd"]
    return COMPUTED_COST


def _read(attributes: JSONObject, own: JSONObject) -> tuple[JSONObject, JSONObject]:
    """({field: value} by the first present of each field's names, the span's own attributes
    that map to no field), in one pass over the attributes."""
    found: dict[str, tuple[int, JSON]] = {}
    for name, value in attributes.items():
        hit = _ATTRIBUTE_FIELDS.get(name)
        if hit is None or value is None or value == "":
            continue
        field, rank = hit
        known = found.get(field)
        if known is None or rank < known[0]:
            found[field] = (rank, value)
    raw = {
        name: value
        for name, value in own.items()
        if name not in _ATTRIBUTE_FIELDS and not name.startswith(_MESSAGE_PREFIXES)
    }
    return {field: value for field, (_, value) in found.items()}, raw


def _without_nul(value: JSON) -> JSON:
    """The value without NUL characters, which PostgreSQL cannot store in text or JSON."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key.replace("\x00", ""): _without_nul(item) for key, item in value.items()}
    return value


def _time(unix_nano: int) -> datetime:
    return datetime.fromtimestamp(unix_nano / 1e9, UTC)


def _exception(span: ReceivedSpan, name: str) -> JSON:
    return span.exception.get(name) if span.exception else None


def _kind(found: JSONObject, attributes: JSONObject) -> str:
    """OpenInference's kind when given, else what the GenAI operation or the fields imply."""
    declared = found.get("kind")
    if isinstance(declared, str) and declared.upper() in _KINDS:
        return declared.upper()
    operation = attributes.get("gen_ai.operation.name")
    if isinstance(operation, str) and operation in _OPERATION_KINDS:
        return _OPERATION_KINDS[operation]
    for field, kind in (("tool_name", SpanKind.TOOL), ("model", SpanKind.LLM)):
        if field in found:
            return kind
    return SpanKind.AGENT if "agent_name" in found else SpanKind.UNKNOWN


def _name(value: JSON) -> str | None:
    """An identifier-like attribute (model, agent, session): text, bounded."""
    text = _text(value)
    if text is None:
        return None
    if len(text) > MAX_NAME_LENGTH:
        raise UnreadableSpan(f"an identifier attribute is longer than {MAX_NAME_LENGTH} characters")
    return text


def _text(value: JSON) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text.replace("\x00", "") or None


def _count(value: JSON) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UnreadableSpan("a token count is not a number")
    try:
        number = float(value)
    except ValueError:
        raise UnreadableSpan("a token count is not a number") from None
    if not math.isfinite(number) or number < 0 or number != int(number) or number >= 2**31:
        raise UnreadableSpan("a token count is not a whole number from 0 to 2^31-1")
    return int(number)


def _money(value: JSON) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UnreadableSpan("a cost is not a number")
    try:
        number = float(value)
    except ValueError:
        raise UnreadableSpan("a cost is not a number") from None
    if not 0 <= number <= MAX_COST_USD:  # NaN too: sums of costs stay finite
        raise UnreadableSpan(f"a cost is not a number from 0 to {MAX_COST_USD:g} (USD)")
    return number


def _payload(value: JSON, attributes: JSONObject, messages_prefix: str) -> str | None:
    """A span's input or output as text: the value as given, else OpenInference's flattened
    messages (`llm.input_messages.0.message.content`, ...) gathered into a JSON list."""
    if value is not None:
        return _text(value)
    messages: dict[int, JSONObject] = {}
    for name, item in attributes.items():
        if not name.startswith(messages_prefix):
            continue
        match = _MESSAGE_KEY.match(name[len(messages_prefix) :])
        if match is None:
            continue
        index, key = int(match.group(1)), match.group(2).removeprefix("message.")
        messages.setdefault(index, {})[key] = item
    if not messages:
        return None
    return _text([messages[index] for index in sorted(messages)])
