"""Type aliases shared across the layers (a leaf module: it imports nothing of the service)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import grpc
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
# A served method as grpc.aio registers it, and its unary behaviour: a coroutine function.
MethodHandler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Handler: TypeAlias = Callable[[Any, ServicerContext], Awaitable[Any]]


def unary_handler(handler: MethodHandler) -> Handler:
    """The unary behaviour of a grpc.aio method handler (typeshed's stubs describe the
    synchronous server's, whose behaviours return values instead of awaitables)."""
    return cast(Handler, handler.unary_unary)


# The base of the server's interceptors: generic in typeshed's stubs only, so subscripted only
# for the type checker.
if TYPE_CHECKING:
    ServerInterceptor: TypeAlias = grpc.aio.ServerInterceptor[Any, Any]
else:
    ServerInterceptor = grpc.aio.ServerInterceptor
