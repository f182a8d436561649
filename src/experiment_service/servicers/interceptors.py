"""What the server's interceptors share: they wrap the behaviour of served methods, unary
(one response) and server-streaming (a stream of responses)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeAlias, cast

import grpc
import grpc.aio

from experiment_service.types import ServicerContext

# A served method as grpc.aio registers it, and its unary behaviour: a coroutine function.
MethodHandler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Handler: TypeAlias = Callable[[Any, ServicerContext], Awaitable[Any]]
StreamHandler: TypeAlias = Callable[[Any, ServicerContext], AsyncIterator[Any]]


class UnaryInterceptor(grpc.aio.ServerInterceptor):
    """Wraps each unary method's behaviour with `wrap` and each server-streaming one's with
    `wrap_stream`, building the wrapped handler of a method once, on its first call (calls
    after it skip the work)."""

    def __init__(self) -> None:
        self._handlers: dict[str, MethodHandler] = {}

    def wrap(self, method: str, inner: Handler) -> Handler | None:
        """The behaviour to serve `method` with instead of `inner`; None to leave it as is."""
        raise NotImplementedError

    def wrap_stream(self, method: str, inner: StreamHandler) -> StreamHandler | None:
        """The same for a server-streaming method."""
        raise NotImplementedError

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[MethodHandler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> MethodHandler | None:
        method = handler_call_details.method
        if (known := self._handlers.get(method)) is not None:
            return known
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        if handler.unary_unary is not None:
            wrapped = self.wrap(method, unary_handler(handler))
            if wrapped is not None:
                handler = grpc.unary_unary_rpc_method_handler(
                    wrapped,
                    request_deserializer=handler.request_deserializer,
                    response_serializer=handler.response_serializer,
                )
        elif handler.unary_stream is not None:
            streamed = self.wrap_stream(method, cast(StreamHandler, handler.unary_stream))
            if streamed is not None:
                handler = grpc.unary_stream_rpc_method_handler(
                    streamed,
                    request_deserializer=handler.request_deserializer,
                    response_serializer=handler.response_serializer,
                )
        self._handlers[method] = handler
        return handler


def unary_handler(handler: MethodHandler) -> Handler:
    """The unary behaviour of a grpc.aio method handler (typeshed's stubs describe the
    synchronous server's, whose behaviours return values instead of awaitables)."""
    return cast(Handler, handler.unary_unary)
