"""OTLP in: an ExportTraceServiceRequest from an HTTP body, and its spans as the domain's.

OTLP/HTTP carries the request as binary protobuf or as OTLP JSON. OTLP JSON is proto3 JSON
except that trace and span ids are hex, not base64; they are rewritten before parsing.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from google.api import httpbody_pb2
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2

from experiment_service.domain.errors import MalformedBody, UnsupportedMediaType
from experiment_service.domain.telemetry.model import ReceivedSpan
from experiment_service.types import JSON, JSONObject

ExportRequest = trace_service_pb2.ExportTraceServiceRequest

PROTOBUF_TYPES = ("application/x-protobuf", "application/protobuf", "application/octet-stream")
JSON_TYPES = ("application/json",)
_ID_FIELDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")
_TRACE_ID_BYTES, _SPAN_ID_BYTES = 16, 8


def export_request(body: httpbody_pb2.HttpBody) -> ExportRequest:
    """The export an OTLP/HTTP body holds, by its content type (binary protobuf when none is
    given, as the spec's default says)."""
    media_type = body.content_type.split(";", 1)[0].strip().lower() or PROTOBUF_TYPES[0]
    request = ExportRequest()
    if media_type in PROTOBUF_TYPES:
        try:
            request.ParseFromString(body.data)
        except DecodeError:
            raise MalformedBody("The body is not a valid OTLP protobuf message.") from None
        return request
    if media_type in JSON_TYPES:
        try:
            document = orjson.loads(body.data)
            if not isinstance(document, dict):
                raise TypeError("an OTLP JSON export is an object")
            json_format.ParseDict(_base64_ids(document), request, ignore_unknown_fields=True)
        except (orjson.JSONDecodeError, json_format.ParseError, TypeError, ValueError):
            raise MalformedBody("The body is not a valid OTLP JSON message.") from None
        return request
    raise UnsupportedMediaType(
        f"Content type '{media_type}' is not supported; send application/x-protobuf or "
        "application/json."
    )


def _base64_ids(value: Any) -> Any:
    """OTLP JSON's hex ids as proto3 JSON's base64 (an id that is not hex becomes empty, and
    its span is reported as unreadable)."""
    if isinstance(value, list):
        return [_base64_ids(item) for item in value]
    if not isinstance(value, dict):
        return value
    converted = {}
    for key, item in value.items():
        if key in _ID_FIELDS and isinstance(item, str):
            try:
                item = base64.b64encode(bytes.fromhex(item)).decode()
            except ValueError:
                item = ""
        elif key not in ("attributes", "value"):
            item = _base64_ids(item)
        converted[key] = item
    return converted


def received_spans(request: ExportRequest) -> tuple[list[ReceivedSpan], list[str]]:
    """The request's spans, and one sentence per span whose ids cannot be read."""
    spans: list[ReceivedSpan] = []
    errors: list[str] = []
    for resource_spans in request.resource_spans:
        resource = attributes_of(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                problem = _id_problem(span.trace_id, span.span_id, span.parent_span_id)
                if problem is not None:
                    errors.append(f"Span '{span.name}' was not stored: {problem}.")
                    continue
                exception = next(
                    (attributes_of(e.attributes) for e in span.events if e.name == "exception"),
                    None,
                )
                spans.append(
                    ReceivedSpan(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex() or None,
                        name=span.name,
                        start_unix_nano=span.start_time_unix_nano,
                        end_unix_nano=span.end_time_unix_nano,
                        status_code=span.status.code,
                        status_message=span.status.message,
                        attributes=attributes_of(span.attributes),
                        resource_attributes=resource,
                        exception=exception,
                    )
                )
    return spans, errors


def _id_problem(trace_id: bytes, span_id: bytes, parent_span_id: bytes) -> str | None:
    if len(trace_id) != _TRACE_ID_BYTES or not any(trace_id):
        return f"its trace id is not {_TRACE_ID_BYTES} bytes with one non-zero"
    if len(span_id) != _SPAN_ID_BYTES or not any(span_id):
        return f"its span id is not {_SPAN_ID_BYTES} bytes with one non-zero"
    if parent_span_id and len(parent_span_id) != _SPAN_ID_BYTES:
        return f"its parent span id is not {_SPAN_ID_BYTES} bytes"
    return None


def attributes_of(pairs: Any) -> JSONObject:
    """OTLP KeyValues as a JSON object (the last value of a repeated key wins)."""
    return {pair.key: any_value(pair.value) for pair in pairs}


def any_value(value: common_pb2.AnyValue) -> JSON:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes_of(value.kvlist_value.values)
    if kind == "bytes_value":
        return binascii.hexlify(value.bytes_value).decode()
    return getattr(value, kind)
