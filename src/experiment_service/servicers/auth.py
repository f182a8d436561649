"""API-key authentication: platform calls always, intake calls with --require-auth.

The workspace of the caller's key is put in a context variable for the servicers; platform
resources are looked up in that workspace only, so another workspace's ids are NOT_FOUND.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import grpc

from experiment_service.domain.errors import PermissionDenied
from experiment_service.domain.platform.api_keys import ApiKeys
from experiment_service.types import (
    Handler,
    MethodHandler,
    ServerInterceptor,
    ServicerContext,
    unary_handler,
)

_workspace: ContextVar[str] = ContextVar("experiment_service_workspace")


def current_workspace() -> str:
    """The workspace of the authenticated caller of the current call."""
    return _workspace.get()


class AuthInterceptor(ServerInterceptor):
    def __init__(
        self,
        api_keys: ApiKeys,
        *,
        platform_services: set[str],
        intake_services: set[str],
        require_intake_auth: bool,
    ) -> None:
        self._keys = api_keys
        self._platform = platform_services
        self._intake = intake_services if require_intake_auth else set()
        # The (guarded) handler of each served method, built on its first call.
        self._handlers: dict[str, MethodHandler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[MethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> MethodHandler:
        if (known := self._handlers.get(details.method)) is not None:
            return known
        handler = await continuation(details)
        service = details.method.split("/")[1] if details.method.count("/") == 2 else ""
        if handler is None or handler.unary_unary is None:
            return handler
        if service in self._platform:
            guard = self._platform_call(unary_handler(handler))
        elif service in self._intake:
            guard = self._intake_call(unary_handler(handler))
        else:
            guard = None
        if guard is not None:
            handler = grpc.unary_unary_rpc_method_handler(
                guard,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        self._handlers[details.method] = handler
        return handler

    def _platform_call(self, inner: Handler) -> Handler:
        async def call(request: Any, context: ServicerContext) -> Any:
            workspace = await self._keys.workspace_of(_authorization(context))
            token = _workspace.set(workspace)
            try:
                return await inner(request, context)
            finally:
                _workspace.reset(token)

        return call

    def _intake_call(self, inner: Handler) -> Handler:
        async def call(request: Any, context: ServicerContext) -> Any:
            workspace = await self._keys.workspace_of(_authorization(context))
            if workspace != request.workspace:
                raise PermissionDenied(
                    f"This API key belongs to another workspace than '{request.workspace}'."
                )
            return await inner(request, context)

        return call


def _authorization(context: ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return str(value)
    return None
