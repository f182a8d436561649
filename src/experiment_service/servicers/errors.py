"""One interceptor turns domain errors into gRPC statuses with rich details.

For calls that come through the REST gateway it also attaches the REST outcome (status code,
and the dialect's error body) that `rest.py` renders.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from experiment_service.domain import errors
from experiment_service.rest import dialects as rest
from experiment_service.servicers.interceptors import Handler, StreamHandler, UnaryInterceptor
from experiment_service.storage.database import StorageUnavailable
from experiment_service.types import ServicerContext

log = logging.getLogger(__name__)

# Walked along the exception's class hierarchy: the most specific class wins.
STATUS_CODES: dict[type[errors.DomainError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.Internal: grpc.StatusCode.INTERNAL,
    errors.DomainError: grpc.StatusCode.UNKNOWN,
}


def status_code_for(error: errors.DomainError) -> grpc.StatusCode:
    for cls in type(error).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return grpc.StatusCode.UNKNOWN


# The google.rpc.BadRequest of a refusal travels base64-encoded in trailing metadata, which gRPC
# clients cap at 16 KiB by default (8 KiB of it soft): its violations stay within this many bytes.
MAX_DETAILS_BYTES = 6 * 1024


def _field_violation(v: errors.FieldViolation) -> error_details_pb2.BadRequest.FieldViolation:
    return error_details_pb2.BadRequest.FieldViolation(
        field=v.field, description=v.description, reason=v.reason
    )


def _violation_size(v: errors.FieldViolation) -> int:
    # Each string is length-prefixed inside a length-prefixed message: ~8 bytes of framing.
    return len(v.field.encode()) + len(v.description.encode()) + len(v.reason) + 8


def to_rpc_status(error: errors.DomainError) -> grpc.Status:
    code = status_code_for(error)
    status = status_pb2.Status(code=getattr(code_pb2, code.name), message=error.message)
    if isinstance(error, errors.InvalidArgument):
        shown, unlisted = error.listed(MAX_DETAILS_BYTES, _violation_size)
        violations = [_field_violation(v) for v in shown]
        if unlisted:
            message = errors.unlisted_message(unlisted)
            violations.append(_field_violation(errors.FieldViolation("", message, "too_many")))
        details = any_pb2.Any()
        details.Pack(error_details_pb2.BadRequest(field_violations=violations))
        status.details.append(details)
    return rpc_status.to_status(status)


class DomainErrorInterceptor(UnaryInterceptor):
    """Servicers raise domain errors; this aborts the call with the matching status."""

    def __init__(self, bindings: dict[str, rest.HttpBinding]) -> None:
        super().__init__()
        self._bindings = bindings

    def wrap(self, method: str, inner: Handler) -> Handler:
        return _guarded(inner, method, self._bindings.get(method))

    def wrap_stream(self, method: str, inner: StreamHandler) -> StreamHandler:
        return _guarded_stream(inner, method, self._bindings.get(method))


def _guarded(inner: Handler, method: str, binding: rest.HttpBinding | None) -> Handler:
    async def call(request: Any, context: ServicerContext) -> Any:
        dialect = rest.rest_dialect(context) if binding is not None else None
        try:
            response = await inner(request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as failure:
            await _refuse(context, _domain_error(failure, method), dialect, binding)
        if dialect is not None and binding is not None:
            await _send_rest_headers(context, binding)
        return response

    return call


async def _send_rest_headers(context: ServicerContext, binding: rest.HttpBinding) -> None:
    headers = []
    if binding.success_status != 200:
        headers.append((rest.STATUS_HEADER, str(binding.success_status)))
    if binding.response_body:
        headers.append((rest.UNWRAP_HEADER, binding.response_body))
    if headers:
        await context.send_initial_metadata(tuple(headers))


def _guarded_stream(
    inner: StreamHandler, method: str, binding: rest.HttpBinding | None
) -> StreamHandler:
    async def call(request: Any, context: ServicerContext) -> AsyncIterator[Any]:
        dialect = rest.rest_dialect(context) if binding is not None else None
        try:
            async for response in inner(request, context):
                yield response
        except grpc.aio.AbortError:
            raise
        except Exception as failure:
            await _refuse(context, _domain_error(failure, method), dialect, binding)

    return call


def _domain_error(failure: Exception, method: str) -> errors.DomainError:
    """What a call of `method` that raised `failure` tells its caller. Called while handling it."""
    if isinstance(failure, errors.DomainError):
        return failure
    if isinstance(failure, StorageUnavailable):
        log.warning("database unavailable", extra={"method": method, "error": str(failure)})
        return errors.Unavailable("The database is unavailable; retry shortly.")
    # The exception's text can carry a whole SQL statement and its parameters: it goes to the
    # log, and the caller gets a short status (gRPC trailers and HTTP headers are bounded).
    log.exception("the server failed to answer", extra={"method": method})
    return errors.Internal("The server failed to answer; the failure is logged.")


async def _refuse(
    context: ServicerContext,
    error: errors.DomainError,
    dialect: str | None,
    binding: rest.HttpBinding | None,
) -> None:
    """Abort the call with the error's status and, for REST callers, the dialect's body."""
    status = to_rpc_status(error)
    log.debug("refused: %s %s", status.code.name, error.message)
    trailing = tuple(status.trailing_metadata)
    if dialect is not None and binding is not None:
        http_status, body = rest.render_error(dialect, binding, error)
        trailing += (
            (rest.STATUS_HEADER, str(http_status)),
            (rest.BODY_HEADER, rest.encode_body(body)),
        )
    await context.abort(status.code, status.details, trailing)
