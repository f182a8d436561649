"""Type aliases shared across the layers (a leaf module: it imports nothing of the service)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import grpc.aio

# Any JSON value: what dataset rows, outputs, metadata and attributes hold.
JSON: TypeAlias = Any
# A JSON object with string keys.
JSONObject: TypeAlias = dict[str, Any]
# One workflow step of a platform experiment, as the API takes it: {"type", "config"}.
Workflow: TypeAlias = dict[str, Any]
# The column values of one row to write (a run, a score, a span), keyed by column name.
RowValues: TypeAlias = dict[str, Any]

# The context of a call served by grpc.aio (request and response types left open).
ServicerContext: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
