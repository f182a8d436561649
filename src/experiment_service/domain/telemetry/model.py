"""What the telemetry domain receives and serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from experiment_service.types import JSON, JSONObject

# OTLP's status code of a failed span (0 is unset, 1 ok).
OTLP_STATUS_ERROR = 2


@dataclass(frozen=True)
class ReceivedSpan:
    """One OTLP span as it arrived, decoded but not interpreted: ids as lower-case hex,
    times in Unix nanoseconds, attribute values as JSON values."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    start_unix_nano: int
    end_unix_nano: int
    # OTLP's status code: 0 unset, 1 ok, 2 error.
    status_code: int
    status_message: str
    attributes: JSONObject
    resource_attributes: JSONObject = field(default_factory=dict)
    # The attributes of the span's first `exception` event, where SDKs record exceptions.
    exception: JSONObject | None = None
    # How it arrived (a SpanSource).
    source: str = "otel"


class SpanKind(StrEnum):
    """The normalized span kinds (OpenInference's, as NVIDIA's intake names them)."""

    LLM = "LLM"
    CHAIN = "CHAIN"
    TOOL = "TOOL"
    RETRIEVER = "RETRIEVER"
    EMBEDDING = "EMBEDDING"
    AGENT = "AGENT"
    RERANKER = "RERANKER"
    EVALUATOR = "EVALUATOR"
    GUARDRAIL = "GUARDRAIL"
    UNKNOWN = "UNKNOWN"


class SpanSource(StrEnum):
    """How a span arrived."""

    OTEL = "otel"
    CHAT_COMPLETIONS = "chat_completions"
    ATIF = "atif"


class Mode(StrEnum):
    """How much of each span or trace a read returns."""

    SUMMARY = "summary"
    PREVIEW = "preview"
    DETAILED = "detailed"


# Payloads in preview mode, and error messages in summary and preview modes, are cut here.
PREVIEW_CHARS = 300
ERROR_PREVIEW_CHARS = 1000


@dataclass(frozen=True)
class Span:
    span_id: str
    trace_id: str
    parent_span_id: str | None
    session_id: str
    workspace: str
    source: str
    name: str | None
    kind: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    duration_ms: float | None
    experiment_name: str | None
    test_case_id: str | None
    model: str | None
    provider: str | None
    agent_id: str | None
    agent_name: str | None
    tool_name: str | None
    input_tokens: int | None
    output_tokens: int | None
    cached_tokens: int | None
    total_tokens: int | None
    cost_usd: float | None
    cost_input_usd: float | None
    cost_output_usd: float | None
    input: str | None
    output: str | None
    error_type: str | None
    error_message: str | None
    raw_attributes: JSONObject | None
    ingested_at: datetime
    cost_source: str | None = None


@dataclass(frozen=True)
class Usage:
    """Token and cost sums over a set of spans (None where no span had a value)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    total_tokens: int | None = None
    cost_usd: float | None = None
    cost_input_usd: float | None = None
    cost_output_usd: float | None = None


@dataclass(frozen=True)
class SessionTelemetry:
    id: str
    workspace: str
    started_at: datetime | None
    ended_at: datetime | None
    duration_ms: float | None
    status: str
    usage: Usage
    trace_count: int
    span_count: int
    experiment_name: str | None = None
    test_case_id: str | None = None


@dataclass(frozen=True)
class Trace:
    """A trace: its root span, and (unless in summary mode) rollups over its spans."""

    root: Span
    usage: Usage | None
    span_count: int | None
    error_count: int | None
    spans: tuple[Span, ...] = ()
    """Detailed reads of one trace: every span, in tree order."""


@dataclass(frozen=True)
class SpanGroup:
    group: dict[str, str]
    span_count: int


Attributes = dict[str, JSON]
