"""OpenAPI 3.1 for the REST paths, generated from the protos' google.api.http annotations.

Used by gen_protos.py, which writes gateway/openapi.json (served by the gateway at
GET /openapi.json). Field docs come from proto comments, required/read-only flags from
google.api.field_behavior, success codes and error bodies from rest/dialects.py.
"""

from __future__ import annotations

from typing import Any

from google.api import field_behavior_pb2
from google.protobuf import (
    descriptor,
    descriptor_pb2,
    descriptor_pool,
    message_factory,
    unknown_fields,
)

from experiment_service.rest.dialects import HttpBinding, http_binding

SCALARS: dict[int, dict[str, Any]] = {
    descriptor.FieldDescriptor.TYPE_STRING: {"type": "string"},
    descriptor.FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    descriptor.FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    descriptor.FieldDescriptor.TYPE_UINT32: {"type": "integer", "format": "int32"},
    descriptor.FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    descriptor.FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    descriptor.FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte"},
}
INTEGRAL_TYPES = (descriptor.FieldDescriptor.TYPE_INT32, descriptor.FieldDescriptor.TYPE_UINT32)
# The service's own field option (proto/experiment_service/api/rules/v2/rules.proto).
FIELD_RULES = "experiment_service.api.rules.v2.FieldRules"
FIELD_RULES_NUMBER = 52001
WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {"description": "Any JSON value."},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.FieldMask": {"type": "string", "description": "Comma-separated paths."},
    "google.protobuf.Empty": {"type": "object"},
}
ERROR_SCHEMAS: dict[str, Any] = {
    "ErrorDetail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        "required": ["loc", "msg", "type"],
    },
    "HTTPValidationError": {
        "type": "object",
        "properties": {
            "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
        },
    },
    "FieldErrors": {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "description": "Field-keyed lists of problems.",
    },
}


class _Comments:
    """Leading comments by descriptor path, from the descriptor set's source info."""

    def __init__(self, files: list[descriptor_pb2.FileDescriptorProto]) -> None:
        self._by_symbol: dict[str, str] = {}
        for file in files:
            locations = {
                tuple(location.path): location.leading_comments.strip()
                for location in file.source_code_info.location
                if location.leading_comments
            }
            prefix = file.package
            for m_index, message in enumerate(file.message_type):
                self._message(locations, (4, m_index), f"{prefix}.{message.name}", message)
            for s_index, service in enumerate(file.service):
                name = f"{prefix}.{service.name}"
                self._add(locations, (6, s_index), name)
                for index, method in enumerate(service.method):
                    self._add(locations, (6, s_index, 2, index), f"{name}.{method.name}")

    def _message(
        self,
        locations: dict[tuple[int, ...], str],
        path: tuple[int, ...],
        name: str,
        message: descriptor_pb2.DescriptorProto,
    ) -> None:
        self._add(locations, path, name)
        for index, field in enumerate(message.field):
            self._add(locations, (*path, 2, index), f"{name}.{field.name}")
        for index, nested in enumerate(message.nested_type):
            self._message(locations, (*path, 3, index), f"{name}.{nested.name}", nested)

    def _add(self, locations: dict[tuple[int, ...], str], path: tuple[int, ...], name: str) -> None:
        if path in locations:
            self._by_symbol[name] = " ".join(locations[path].split())

    def get(self, symbol: str) -> str:
        return self._by_symbol.get(symbol, "")


HTTP_BODY = "google.api.HttpBody"
# A `google.api.HttpBody` request field takes the body as sent: the OTLP export methods, whose
# bodies are OTLP protobuf or OTLP JSON (gzip or not: the gateway inflates them).
RAW_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
        "application/json": {"schema": {"type": "object"}},
    },
}
_DETAIL = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}
RAW_BODY_ERRORS: dict[str, Any] = {
    "400": {"description": "The body cannot be decoded.", "content": _DETAIL},
    "413": {"description": "The body is larger than the service accepts.", "content": _DETAIL},
    "415": {"description": "The content type is not one the method takes.", "content": _DETAIL},
}


class _Generator:
    def __init__(self, descriptor_set: bytes, services: list[str]) -> None:
        files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set).file
        self.pool = descriptor_pool.DescriptorPool()
        for file in files:
            self.pool.Add(file)
        self.comments = _Comments(list(files))
        self.services = [self.pool.FindServiceByName(name) for name in services]
        self.schemas: dict[str, Any] = dict(ERROR_SCHEMAS)
        self.field_rules = message_factory.GetMessageClass(
            self.pool.FindMessageTypeByName(FIELD_RULES)
        )

    def document(self, title: str, version: str) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        for service in self.services:
            for method in service.methods:
                binding = http_binding(method)
                if binding is not None:
                    operation = self.operation(service, method, binding)
                    paths.setdefault(binding.path, {})[binding.verb] = operation
        document: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version},
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": dict(sorted(self.schemas.items()))},
        }
        return document

    def operation(
        self,
        service: descriptor.ServiceDescriptor,
        method: descriptor.MethodDescriptor,
        binding: HttpBinding,
    ) -> dict[str, Any]:
        request = method.input_type
        intake = ".intake." in service.full_name
        operation: dict[str, Any] = {
            "operationId": method.name,
            "summary": self.comments.get(method.full_name).split(". ")[0].rstrip("."),
            "description": self.comments.get(method.full_name),
            "tags": [service.name],
            "parameters": [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": self.comments.get(f"{request.full_name}.{name}"),
                }
                for name in sorted(binding.path_fields)
            ],
        }
        raw = False
        if binding.is_query or not binding.body:
            operation["parameters"] += self.query_parameters(request, binding)
        elif binding.body == "*":
            operation["requestBody"] = self.body(self.inline(request, exclude=binding.path_fields))
        else:
            field = request.fields_by_name[binding.body]
            raw = field.message_type is not None and field.message_type.full_name == HTTP_BODY
            operation["requestBody"] = RAW_BODY if raw else self.body(self.field_schema(field))
        success = binding.success_status
        responses: dict[str, Any] = {}
        if success == 204:
            responses["204"] = {"description": "Deleted."}
        else:
            schema = (
                self.field_schema(method.output_type.fields_by_name[binding.response_body])
                if binding.response_body
                else self.ref(method.output_type)
            )
            responses[str(success)] = {
                "description": "Success.",
                "content": {"application/json": {"schema": schema}},
            }
        responses.update(self.error_responses(intake, binding))
        if raw:
            responses.update(RAW_BODY_ERRORS)
        operation["responses"] = responses
        return operation

    def error_responses(self, intake: bool, binding: HttpBinding) -> dict[str, Any]:
        def error(description: str, schema: str) -> dict[str, Any]:
            return {
                "description": description,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            }

        if intake:
            found = {
                "400": error("Invalid query or failed precondition.", "ErrorDetail"),
                "404": error("Not found.", "ErrorDetail"),
            }
            if not binding.is_query:
                found["409"] = error("Conflicts with an existing resource.", "ErrorDetail")
                found["422"] = error("Validation error.", "HTTPValidationError")
            return found
        return {
            "400": error("Invalid request.", "FieldErrors"),
            "401": error("Missing, invalid or expired API key.", "ErrorDetail"),
            "404": error("Not found.", "ErrorDetail"),
        }

    @staticmethod
    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    def query_parameters(
        self, message: descriptor.Descriptor, binding: HttpBinding
    ) -> list[dict[str, Any]]:
        parameters = []
        for field in message.fields:
            if field.name in binding.path_fields:
                continue
            description = self.comments.get(f"{message.full_name}.{field.name}")
            if field.message_type is not None and field.message_type.full_name not in WELL_KNOWN:
                for inner in field.message_type.fields:  # typed filters: filter[...] brackets
                    name = _bracket_name(field.name, inner.name)
                    parameters.append(
                        {
                            "name": name,
                            "in": "query",
                            "required": False,
                            "schema": self.field_schema(inner),
                            "description": self.comments.get(
                                f"{field.message_type.full_name}.{inner.name}"
                            ),
                        }
                    )
                continue
            parameters.append(
                {
                    "name": field.name,
                    "in": "query",
                    "required": False,
                    "schema": self.field_schema(field),
                    "description": description,
                }
            )
        return parameters

    def ref(self, message: descriptor.Descriptor) -> dict[str, Any]:
        if message.full_name in WELL_KNOWN:
            return dict(WELL_KNOWN[message.full_name])
        name = message.name
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder first: messages may refer to themselves
            self.schemas[name] = self.inline(message)
        return {"$ref": f"#/components/schemas/{name}"}

    def inline(
        self, message: descriptor.Descriptor, exclude: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in message.fields:
            if field.name in exclude:
                continue
            schema = self.field_schema(field)
            behaviors = _behaviors(field)
            if field_behavior_pb2.OUTPUT_ONLY in behaviors:
                schema["readOnly"] = True
            if field_behavior_pb2.REQUIRED in behaviors:
                required.append(field.name)
            doc = self.comments.get(f"{message.full_name}.{field.name}")
            if doc:
                schema["description"] = doc
            properties[field.name] = schema
        message_schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            message_schema["required"] = required
        doc = self.comments.get(message.full_name)
        if doc:
            message_schema["description"] = doc
        return message_schema

    def field_schema(self, field: descriptor.FieldDescriptor) -> dict[str, Any]:
        message = field.message_type
        if message is not None and message.GetOptions().map_entry:
            value = message.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self.value_schema(value)}
        schema = self.value_schema(field)
        if field.is_repeated:
            return {"type": "array", "items": schema}
        return schema

    def value_schema(self, field: descriptor.FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None:
            return self.ref(field.message_type)
        if field.enum_type is not None:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        return {**SCALARS[field.type], **self.bounds(field)}

    def bounds(self, field: descriptor.FieldDescriptor) -> dict[str, Any]:
        """The field's `experiment_service.api.rules.v2.rules` as JSON Schema keywords."""
        # The option is an extension this pool knows and the options' own class does not:
        # read it from the options' unknown fields.
        found = unknown_fields.UnknownFieldSet(field.GetOptions())
        for unknown in (found[index] for index in range(len(found))):
            if unknown.field_number == FIELD_RULES_NUMBER:
                rules = self.field_rules.FromString(unknown.data)
                integral = field.type in INTEGRAL_TYPES
                return {
                    keyword: int(getattr(rules, keyword)) if integral else getattr(rules, keyword)
                    for keyword in ("minimum", "maximum")
                    if rules.HasField(keyword)
                }
        return {}


def _behaviors(field: descriptor.FieldDescriptor) -> list[int]:
    # googleapis-common-protos' stubs type its extensions as plain field descriptors.
    behaviors: list[int] = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]  # type: ignore[index]
    return list(behaviors)


def _bracket_name(outer: str, inner: str) -> str:
    for suffix in ("_gte", "_lte"):
        if inner.endswith(suffix):
            return f"{outer}[{inner[: -len(suffix)]}][${suffix[1:]}]"
    return f"{outer}[{inner}]"


def generate(descriptor_set: bytes, services: list[str]) -> dict[str, Any]:
    return _Generator(descriptor_set, services).document("experiment-service REST API", "2")
