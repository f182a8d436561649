"""The REST dialects' status codes and bodies: rendered here, applied by the gateway.

Envoy's transcoder answers 200 for every success and its own JSON for every error. The
documented REST APIs answer 201 on creates, 204 on deletes, and dialect-specific error bodies:

- intake (`/apis/intake/...`): 422 `{"detail": [{"loc", "msg", "type"}, ...]}` for invalid
  bodies; 400 for invalid queries and failed preconditions; `{"detail": "<sentence>"}` for
  400/404/409.
- platform (`/api/...`): 400 with field-keyed lists (`{"name": ["..."]}`), 404
  `{"detail": "Not found."}`, 401 `{"detail": "..."}`.

The gateway's Lua filter marks REST calls with the `x-rest-dialect` header. For those calls the
server sends `x-rest-status` (and, for errors, `x-rest-body`) as metadata; the filter turns them
into the HTTP status and body. Plain gRPC calls get neither.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool

from experiment_service.domain import errors
from experiment_service.types import ServicerContext

# The names the gateway's Lua filter shares with this module (rest/gateway.py writes them into
# the filter, so they are defined here only).
INTAKE = "intake"
PLATFORM = "platform"
INTAKE_PATH_PREFIX = "/apis/intake/"
# What each dialect answers a method a known path does not serve (405), and an unknown path.
METHOD_NOT_ALLOWED_BODIES = {
    INTAKE: '{"detail": "Method Not Allowed"}',
    PLATFORM: '{"detail": "Method not allowed."}',
}
NOT_FOUND_BODY = '{"detail": "Not Found"}'
INTERNAL_HEADER_PREFIX = "x-rest-"
DIALECT_HEADER = INTERNAL_HEADER_PREFIX + "dialect"
STATUS_HEADER = INTERNAL_HEADER_PREFIX + "status"
BODY_HEADER = INTERNAL_HEADER_PREFIX + "body"
# Names the response field that is the whole REST body (`response_body`), which Envoy's
# transcoder only supports for HttpBody: the filter unwraps it.
UNWRAP_HEADER = INTERNAL_HEADER_PREFIX + "unwrap"
# Where the filter keeps the request's dialect for its response phase (Envoy dynamic metadata).
METADATA_NAMESPACE = "experiment_service"
# The intake dialect's 422 entry for a JSON value of the wrong type, by the transcoder's proto
# type name: (type, msg), as FastAPI/pydantic word them.
WRONG_TYPE_ERRORS: dict[str, tuple[str, str]] = {
    "TYPE_STRING": ("string_type", "Input should be a valid string"),
    "TYPE_BOOL": ("bool_type", "Input should be a valid boolean"),
    "TYPE_INT32": ("int_type", "Input should be a valid integer"),
    "TYPE_INT64": ("int_type", "Input should be a valid integer"),
    "TYPE_UINT32": ("int_type", "Input should be a valid integer"),
    "TYPE_DOUBLE": ("float_type", "Input should be a valid number"),
    "TYPE_FLOAT": ("float_type", "Input should be a valid number"),
    "TYPE_MESSAGE": ("model_type", "Input should be a valid object"),
    # Well-known types, by the name the transcoder's message ends with.
    "Timestamp": ("datetime_parsing", "Input should be a valid datetime"),
    "Struct": ("dict_type", "Input should be a valid dictionary"),
    "ListValue": ("list_type", "Input should be a valid list"),
    # An object where a scalar belongs, when the field's name does not tell its type.
    "OBJECT_ON_SCALAR": ("invalid_type", "Input should be a single value, not an object"),
    # A list where a single value belongs (the transcoder does not say which field).
    "LIST_ON_SCALAR": ("invalid_type", "Input should be a single value, not a list"),
}
# Error bodies travel as one header; long violation lists are cut to stay well within limits.
MAX_BODY_CHARS = 7000
# What the listed violations of a body may take of it (the rest is the envelope and a count).
VIOLATIONS_BUDGET_CHARS = 6000

_ERROR_STATUS: dict[type[errors.DomainError], int] = {
    errors.MalformedBody: 400,
    errors.UnsupportedMediaType: 415,
    errors.InvalidArgument: 422,
    errors.NotFound: 404,
    errors.AlreadyExists: 409,
    errors.TooLarge: 413,
    errors.FailedPrecondition: 400,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.Unavailable: 503,
    errors.Internal: 500,
    errors.DomainError: 500,
}
_PATH_VARIABLE = re.compile(r"{([^}=]+)")
_INDEX = re.compile(r"\[(\d+)\]")


# Methods that create something answer 201; custom actions (Run..., Render...) answer 200.
_CREATING_METHODS = ("Create", "BatchCreate", "Ingest", "Upsert")


@dataclass(frozen=True)
class HttpBinding:
    """How one method is reached over REST, read from its google.api.http option."""

    method: str
    verb: str
    path: str
    body: str
    path_fields: frozenset[str]
    # The response field whose value is the REST body (`response_body`), or "" for all of it.
    response_body: str = ""
    returns_empty: bool = True

    @property
    def success_status(self) -> int:
        if self.verb == "delete" and self.returns_empty:
            return 204
        if self.verb == "post" and self.method.startswith(_CREATING_METHODS):
            return 201
        return 200

    @property
    def is_query(self) -> bool:
        return self.verb in ("get", "delete")


def http_binding(method: descriptor.MethodDescriptor) -> HttpBinding | None:
    options = method.GetOptions()
    # googleapis-common-protos' stubs type its extensions as plain field descriptors.
    if not options.HasExtension(annotations_pb2.http):  # type: ignore[arg-type]
        return None
    rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]  # type: ignore[index]
    verb = rule.WhichOneof("pattern")
    if verb is None or verb == "custom":
        return None
    path = getattr(rule, verb)
    return HttpBinding(
        method.name,
        verb,
        path,
        rule.body,
        frozenset(_PATH_VARIABLE.findall(path)),
        rule.response_body,
        method.output_type.full_name == "google.protobuf.Empty",
    )


def bindings_of(services: list[descriptor.ServiceDescriptor]) -> dict[str, HttpBinding]:
    """{"/package.Service/Method": binding} for every annotated method."""
    found: dict[str, HttpBinding] = {}
    for service in services:
        for method in service.methods:
            binding = http_binding(method)
            if binding is not None:
                found[f"/{service.full_name}/{method.name}"] = binding
    return found


def allowed_methods(bindings: dict[str, HttpBinding]) -> dict[str, list[str]]:
    """{path template: the HTTP methods bound to it}, for answering other methods with 405."""
    found: dict[str, set[str]] = {}
    for binding in bindings.values():
        found.setdefault(binding.path, set()).add(binding.verb.upper())
    return {path: sorted(methods) for path, methods in sorted(found.items())}


def path_dialect(path: str) -> str:
    return INTAKE if path.startswith(INTAKE_PATH_PREFIX) else PLATFORM


def scalar_field_types(bindings: dict[str, HttpBinding]) -> dict[str, str]:
    """{field name: proto type name (TYPE_STRING, ...)} of the scalar fields of every request
    message, for the names whose type is the same wherever they occur: the transcoder names
    only the field when it finds an object where a scalar belongs."""
    pool = descriptor_pool.Default()
    found: dict[str, set[str]] = {}
    seen: set[str] = set()
    pending = [
        pool.FindMethodByName(key.strip("/").replace("/", ".")).input_type for key in bindings
    ]
    while pending:
        message = pending.pop()
        if message.full_name in seen:
            continue
        seen.add(message.full_name)
        for field in message.fields:
            if field.message_type is not None:
                pending.append(field.message_type)
            else:
                type_name = descriptor_pb2.FieldDescriptorProto.Type.Name(
                    descriptor_pb2.FieldDescriptorProto.Type.ValueType(field.type)
                )
                found.setdefault(field.name, set()).add(type_name)
    return {name: next(iter(types)) for name, types in sorted(found.items()) if len(types) == 1}


def body_fields(bindings: dict[str, HttpBinding]) -> list[str]:
    """The request fields that methods bind a JSON body to (`body: "experiment"`)."""
    return sorted({b.body for b in bindings.values() if b.body not in ("", "*")})


def location(binding: HttpBinding, field_path: str) -> list[str | int]:
    """A request field path (`experiment.agent_name`, `sessions[3].cost_usd`) as a REST `loc`."""
    parts: list[str | int] = []
    for segment in field_path.split("."):
        name, *indexes = _INDEX.split(segment)
        parts.append(name)
        parts.extend(int(index) for index in indexes if index)
    head = parts[0]
    if head in binding.path_fields:
        return ["path", *parts]
    if binding.body == "*":
        return ["body", *parts]
    if binding.body and head == binding.body:
        return ["body", *parts[1:]]
    if head == "filter" and len(parts) > 1:
        return ["query", f"filter[{parts[1]}]"]
    return ["query", *parts]


def render_error(
    dialect: str, binding: HttpBinding, error: errors.DomainError
) -> tuple[int, dict[str, Any]]:
    status = next((_ERROR_STATUS[cls] for cls in type(error).__mro__ if cls in _ERROR_STATUS), 500)
    if dialect == INTAKE:
        return _intake_error(binding, error, status)
    return _platform_error(binding, error, status)


def _intake_error(
    binding: HttpBinding, error: errors.DomainError, status: int
) -> tuple[int, dict[str, Any]]:
    if not isinstance(error, errors.InvalidArgument) or status != 422:
        return status, {"detail": error.message}
    if binding.is_query:  # a list's page, sort or filter: the contract's "400 bad query"
        return 400, {"detail": error.message}
    shown, unlisted = error.listed(VIOLATIONS_BUDGET_CHARS, _encoded_size)
    detail: list[dict[str, Any]] = [
        {"loc": location(binding, v.field), "msg": v.description, "type": v.reason} for v in shown
    ]
    if unlisted:
        detail.append(
            {"loc": ["body"], "msg": errors.unlisted_message(unlisted), "type": "too_many"}
        )
    return 422, {"detail": detail}


def _platform_error(
    binding: HttpBinding, error: errors.DomainError, status: int
) -> tuple[int, dict[str, Any]]:
    if isinstance(error, errors.NotFound):
        return 404, {"detail": "Not found."}
    if not isinstance(error, errors.InvalidArgument):
        return (400 if status == 409 else status), {"detail": error.message}
    shown, unlisted = error.listed(VIOLATIONS_BUDGET_CHARS, _encoded_size)
    fields: dict[str, list[str]] = {}
    for violation in shown:
        loc = location(binding, violation.field)[1:]
        key = ".".join(str(part) for part in loc) or NON_FIELD_ERRORS
        fields.setdefault(key, []).append(violation.description)
    if unlisted:
        fields.setdefault(NON_FIELD_ERRORS, []).append(errors.unlisted_message(unlisted))
    return 400, fields


NON_FIELD_ERRORS = "non_field_errors"


def _encoded_size(violation: errors.FieldViolation) -> int:
    """About what a violation takes of an ASCII JSON body (field, message, type, framing)."""
    text = (violation.field, violation.description, violation.reason)
    return len(json.dumps(text, ensure_ascii=True)) + 24


def encode_body(body: dict[str, Any]) -> str:
    """ASCII JSON (a valid header value), cut to a bounded size (violation lists are already
    bounded; this guards against one oversized message)."""
    text = json.dumps(body, ensure_ascii=True)
    if len(text) > MAX_BODY_CHARS:
        text = json.dumps({"detail": text[: MAX_BODY_CHARS // 2]}, ensure_ascii=True)
    return text


def rest_dialect(context: ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == DIALECT_HEADER:
            return str(value)
    return None
