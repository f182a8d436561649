"""Building OTLP spans by hand, as exporters would send them."""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.trace.v1 import trace_pb2


def set_attributes(span: trace_pb2.Span, values: dict[str, Any]) -> None:
    """Add `values` to the span's attributes as OTLP AnyValues of their Python types."""
    for key, value in values.items():
        attribute = span.attributes.add(key=key)
        if isinstance(value, str):
            attribute.value.string_value = value
        elif isinstance(value, bool):
            attribute.value.bool_value = value
        elif isinstance(value, float):
            attribute.value.double_value = value
        else:
            attribute.value.int_value = value
