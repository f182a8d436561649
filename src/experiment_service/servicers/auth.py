"""API-key authentication: platform calls always, intake calls with --require-auth.

The workspace of the caller's key is put in a context variable for the servicers; platform
resources are looked up in that workspace only, so another workspace's ids are NOT_FOUND.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

from experiment_service.domain.errors import PermissionDenied
from experiment_service.domain.platform.api_keys import ApiKeys
from experiment_service.servicers.interceptors import Handler, StreamHandler, UnaryInterceptor
from experiment_service.types import ServicerContext

_workspace: ContextVar[str] = ContextVar("experiment_service_workspace")


def current_workspace() -> str:
    """The workspace of the authenticated caller of the current call."""
    return _workspace.get()


def caller_workspace() -> str | None:
    """The workspace of the caller's API key, when the call carried one."""
    return _workspace.get(None)


# Services whose calls name their workspace in a request header (OTLP's own TraceService has
# no workspace field), or leave it to the caller's key.
WORKSPACE_HEADER = "workspace"


class AuthInterceptor(UnaryInterceptor):
    def __init__(
        self,
        api_keys: ApiKeys,
        *,
        platform_services: set[str],
        intake_services: set[str],
        header_workspace_services: set[str],
        require_intake_auth: bool,
    ) -> None:
        super().__init__()
        self._keys = api_keys
        self._platform = platform_services
        self._intake = intake_services if require_intake_auth else set()
        self._header_workspace = header_workspace_services
        self._require_intake_auth = require_intake_auth

    def wrap(self, method: str, inner: Handler) -> Handler | None:
        service = _service(method)
        if service in self._platform:
            return self._platform_call(inner)
        if service in self._intake:
            return self._intake_call(inner)
        if service in self._header_workspace:
            return self._header_workspace_call(inner)
        return None

    def wrap_stream(self, method: str, inner: StreamHandler) -> StreamHandler | None:
        service = _service(method)
        if service not in self._platform and service not in self._intake:
            return None
        platform = service in self._platform

        async def call(request: Any, context: ServicerContext) -> AsyncIterator[Any]:
            workspace = await self._keys.workspace_of(_authorization(context))
            if platform:
                # The stream runs in its call's own task: the value lives as long as the call.
                _workspace.set(workspace)
            else:
                _check_workspace(workspace, request)
            async for response in inner(request, context):
                yield response

        return call

    def _platform_call(self, inner: Handler) -> Handler:
        async def call(request: Any, context: ServicerContext) -> Any:
            workspace = await self._keys.workspace_of(_authorization(context))
            return await _as_workspace(workspace, inner, request, context)

        return call

    def _intake_call(self, inner: Handler) -> Handler:
        async def call(request: Any, context: ServicerContext) -> Any:
            _check_workspace(await self._keys.workspace_of(_authorization(context)), request)
            return await inner(request, context)

        return call

    def _header_workspace_call(self, inner: Handler) -> Handler:
        """A key, when given (or required), must belong to the workspace the header names;
        its workspace is the call's when the header names none."""

        async def call(request: Any, context: ServicerContext) -> Any:
            authorization = _authorization(context)
            if authorization is None and not self._require_intake_auth:
                return await inner(request, context)
            workspace = await self._keys.workspace_of(authorization)
            named = header_value(context, WORKSPACE_HEADER)
            if named is not None and named != workspace:
                raise PermissionDenied(f"This API key belongs to another workspace than '{named}'.")
            return await _as_workspace(workspace, inner, request, context)

        return call


async def _as_workspace(
    workspace: str, inner: Handler, request: Any, context: ServicerContext
) -> Any:
    """Run a unary call with `workspace` as the caller's."""
    token = _workspace.set(workspace)
    try:
        return await inner(request, context)
    finally:
        _workspace.reset(token)


def _service(method: str) -> str:
    return method.split("/")[1] if method.count("/") == 2 else ""


def _check_workspace(workspace: str, request: Any) -> None:
    if workspace != request.workspace:
        raise PermissionDenied(
            f"This API key belongs to another workspace than '{request.workspace}'."
        )


def _authorization(context: ServicerContext) -> str | None:
    return header_value(context, "authorization")


def header_value(context: ServicerContext, name: str) -> str | None:
    """The first non-empty value of a request header."""
    for key, value in context.invocation_metadata() or ():
        if key == name and value:
            return str(value)
    return None
