"""OpenAPI 3.1 for the REST paths, generated from the protos' google.api.http annotations.

Used by gen_protos.py, which writes gateway/openapi.json (served by the gateway at
GET /openapi.json). Field docs come from proto comments, required/read-only flags from
google.api.field_behavior, success codes and error bodies from rest/dialects.py.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool

from experiment_service.domain.exports import ExportFormat
from experiment_service.domain.validation import NUL_FREE_PATTERN
from experiment_service.field_rules import (
    Condition,
    Rules,
    behaviors,
    json_shapes,
    number_range,
    rules_of,
    unkeepable,
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
# Field rules as JSON Schema keywords, for strings and for repeated fields.
STRING_KEYWORDS = {
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
    "format": "format",
}
ARRAY_KEYWORDS = {"min_items": "minItems", "max_items": "maxItems"}
# Methods that refuse more work than one call does with 413 (domain errors.TooLarge).
TOO_LARGE_METHODS = frozenset({"ListEvaluations"})
STREAM_DESCRIPTION = "A stream: Server-Sent Events whose `data` is one response message as JSON."
# The bodies of the export methods (google.api.HttpBody streams), one per export format.
EXPORT_CONTENT = {
    export.content_type.split(";")[0]: {"schema": {"type": "string"}} for export in ExportFormat
}
# Envoy's transcoder refuses a JSON object with an empty key where it expects a message.
MESSAGE_KEYS = {"minLength": 1}
JSON_VALUE = {"$ref": "#/components/schemas/JsonValue"}
API_KEY_SCHEME = "apiKey"
# The JSON types a given value of a field may have (null is "not given").
GIVEN_TYPES: dict[str, Any] = {
    "google.protobuf.Struct": "object",
    "google.protobuf.ListValue": "array",
    "google.protobuf.Value": ["string", "number", "boolean", "object", "array"],
}
NUL_FREE = {"pattern": NUL_FREE_PATTERN}
WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Struct": {
        "type": "object",
        "propertyNames": NUL_FREE,
        "additionalProperties": JSON_VALUE,
    },
    "google.protobuf.Value": dict(JSON_VALUE),
    "google.protobuf.ListValue": {"type": "array", "items": JSON_VALUE},
    "google.protobuf.FieldMask": {"type": "string", "description": "Comma-separated paths."},
    "google.protobuf.Empty": {"type": "object"},
}
SHARED_SCHEMAS: dict[str, Any] = {
    "JsonValue": {
        "description": "Any JSON value; none of its strings holds NUL (U+0000).",
        "anyOf": [
            {"type": ["number", "boolean", "null"]},
            {"type": "string", **NUL_FREE},
            {"type": "array", "items": JSON_VALUE},
            {"type": "object", "propertyNames": NUL_FREE, "additionalProperties": JSON_VALUE},
        ],
    },
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
API_PACKAGE_PREFIX = "experiment_service.api."
# A `google.api.HttpBody` request field takes the body as sent: the OTLP export methods, whose
# bodies are OTLP protobuf or OTLP JSON (gzip or not: the gateway inflates them).
RAW_BODY: dict[str, Any] = {
    # An empty body is an empty export: zero bytes are a valid (empty) protobuf message.
    "required": False,
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


class UnkeepableRules(ValueError):
    """Field rules the server could not keep as the document would state them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))


class _Generator:
    def __init__(self, descriptor_set: bytes, services: list[str]) -> None:
        files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set).file
        self.pool = descriptor_pool.DescriptorPool()
        for file in files:
            self.pool.Add(file)
        self.comments = _Comments(list(files))
        self.component_names = _component_names(list(files))
        self.named: dict[str, str] = {}  # schema name -> message full name
        self.services = [self.pool.FindServiceByName(name) for name in services]
        # Operation ids are unique in a document: a method name two APIs share gets its API's.
        self.method_uses = Counter(
            method.name
            for service in self.services
            for method in service.methods
            if http_binding(method) is not None
        )
        self.schemas: dict[str, Any] = dict(SHARED_SCHEMAS)
        self.problems: set[str] = set()
        for file in files:
            if file.package.startswith(API_PACKAGE_PREFIX):
                self.add_shapes(self.pool.FindFileByName(file.name))

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
            "components": {
                "schemas": dict(sorted(self.schemas.items())),
                "securitySchemes": {
                    API_KEY_SCHEME: {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An API key of the workspace (`experiment-service "
                        "api-keys create --workspace W`), as `Authorization: Bearer <key>`. "
                        "The Platform API requires one; the Intake API takes one when the "
                        "server runs with --require-auth.",
                    }
                },
            },
        }
        if self.problems:
            raise UnkeepableRules(sorted(self.problems))
        return document

    def add_shapes(self, file: descriptor.FileDescriptor) -> None:
        """The file's named JSON shapes, where its rules' `$ref`s find them."""
        for name, shape in json_shapes(file).items():
            if name in self.schemas or name in self.component_names.values():
                self.problems.add(f"{file.name}: the JSON shape {name} has a taken schema name")
            self.schemas[name] = shape

    def operation(
        self,
        service: descriptor.ServiceDescriptor,
        method: descriptor.MethodDescriptor,
        binding: HttpBinding,
    ) -> dict[str, Any]:
        request = method.input_type
        intake = ".intake." in service.full_name
        operation: dict[str, Any] = {
            "operationId": (
                method.name
                if self.method_uses[method.name] == 1
                else _api_name(service.file.package) + method.name
            ),
            "summary": self.comments.get(method.full_name).split(". ")[0].rstrip("."),
            "description": self.comments.get(method.full_name),
            "tags": [service.name],
            "parameters": [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": self.field_schema(request.fields_by_name[name]),
                    "description": self.comments.get(f"{request.full_name}.{name}"),
                }
                for name in sorted(binding.path_fields)
            ],
        }
        # Platform calls need a key; intake calls may carry one (required by --require-auth).
        operation["security"] = [{}, {API_KEY_SCHEME: []}] if intake else [{API_KEY_SCHEME: []}]
        raw = False
        if binding.is_query or not binding.body:
            operation["parameters"] += self.query_parameters(request, binding)
        elif binding.body == "*":
            schema = self.inline(request, exclude=binding.path_fields)
            # A body without required fields may be left out: the server reads none as {}.
            operation["requestBody"] = self.body(schema, required="required" in schema)
        else:
            field = request.fields_by_name[binding.body]
            raw = field.message_type is not None and field.message_type.full_name == HTTP_BODY
            body_rules = rules_of(field)
            if raw:
                operation["requestBody"] = RAW_BODY
            elif body_rules.partial and field.message_type is not None:
                operation["requestBody"] = self.body(
                    self.inline(field.message_type, partial=True), required=False
                )
            else:
                operation["requestBody"] = self.body(
                    self.field_schema(field), required=body_rules.required
                )
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
            if method.output_type.full_name == HTTP_BODY:
                content = EXPORT_CONTENT
            elif method.server_streaming:
                content = {"text/event-stream": {"schema": schema}}
            else:
                content = {"application/json": {"schema": schema}}
            responses[str(success)] = {
                "description": STREAM_DESCRIPTION if method.server_streaming else "Success.",
                "content": content,
            }
        responses.update(self.error_responses(intake, binding))
        if raw:
            responses.update(RAW_BODY_ERRORS)
        operation["responses"] = responses
        return operation

    def error_responses(self, intake: bool, binding: HttpBinding) -> dict[str, Any]:
        def error(description: str, *schemas: str) -> dict[str, Any]:
            refs = [{"$ref": f"#/components/schemas/{schema}"} for schema in schemas]
            schema = refs[0] if len(refs) == 1 else {"anyOf": refs}
            return {"description": description, "content": {"application/json": {"schema": schema}}}

        found: dict[str, Any]
        if intake:
            found = {
                "400": error("Invalid query or failed precondition.", "ErrorDetail"),
                "404": error("Not found.", "ErrorDetail"),
                "422": error("Validation error.", "HTTPValidationError"),
            }
            if not binding.is_query:
                found["409"] = error("Conflicts with an existing resource.", "ErrorDetail")
        else:
            found = {
                # Field-keyed lists for invalid fields; a sentence for a body or query that
                # cannot be read at all (as Django REST framework answers both).
                "400": error("Invalid request.", "FieldErrors", "ErrorDetail"),
                "401": error("Missing, invalid or expired API key.", "ErrorDetail"),
                "404": error("Not found.", "ErrorDetail"),
            }
        if binding.method in TOO_LARGE_METHODS:
            found["413"] = error("More work than one call does; narrow the query.", "ErrorDetail")
        found["503"] = error("The database is unavailable; retry shortly.", "ErrorDetail")
        return dict(sorted(found.items()))

    @staticmethod
    def body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
        return {"required": required, "content": {"application/json": {"schema": schema}}}

    def query_parameters(
        self, message: descriptor.Descriptor, binding: HttpBinding
    ) -> list[dict[str, Any]]:
        parameters = []
        for field in message.fields:
            if field.name in binding.path_fields:
                continue
            if field.message_type is not None and field.message_type.full_name not in WELL_KNOWN:
                for inner in field.message_type.fields:  # typed filters: filter[...] brackets
                    parameters.append(
                        self.query_parameter(
                            _bracket_name(field.name, inner.name), inner, field.message_type
                        )
                    )
                continue
            parameters.append(self.query_parameter(field.name, field, message))
        return parameters

    def query_parameter(
        self, name: str, field: descriptor.FieldDescriptor, message: descriptor.Descriptor
    ) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": rules_of(field).required,
            "schema": self.field_schema(field),
            "description": self.comments.get(f"{message.full_name}.{field.name}"),
        }

    def ref(self, message: descriptor.Descriptor) -> dict[str, Any]:
        if message.full_name in WELL_KNOWN:
            return dict(WELL_KNOWN[message.full_name])
        name = self.component_names.get(message.full_name, message.name)
        if self.named.setdefault(name, message.full_name) != message.full_name:
            raise ValueError(f"{name} would name {self.named[name]} and {message.full_name}")
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder first: messages may refer to themselves
            self.schemas[name] = self.inline(message)
        return {"$ref": f"#/components/schemas/{name}"}

    def inline(
        self,
        message: descriptor.Descriptor,
        exclude: frozenset[str] = frozenset(),
        *,
        partial: bool = False,
    ) -> dict[str, Any]:
        """The message as a JSON object; `partial` (an update's changes) requires nothing."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        conditions: list[dict[str, Any]] = []
        for field in message.fields:
            if field.name in exclude:
                continue
            schema = self.field_schema(field, partial=partial)
            rules = rules_of(field)
            if not partial:
                conditions += [_condition(field, when) for when in rules.required_when]
            if rules.required and not partial:
                required.append(field.name)
            else:
                schema = _nullable(schema)
            if field_behavior_pb2.OUTPUT_ONLY in behaviors(field):
                schema["readOnly"] = True
            doc = self.comments.get(f"{message.full_name}.{field.name}")
            if doc:
                schema["description"] = doc
            properties[field.name] = schema
        message_schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "propertyNames": MESSAGE_KEYS,
        }
        if required:
            message_schema["required"] = required
        if conditions:
            message_schema["allOf"] = conditions
        doc = self.comments.get(message.full_name)
        if doc:
            message_schema["description"] = doc
        return message_schema

    def field_schema(
        self, field: descriptor.FieldDescriptor, *, partial: bool = False
    ) -> dict[str, Any]:
        message = field.message_type
        if message is not None and message.GetOptions().map_entry:
            value = message.fields_by_name["value"]
            return {
                "type": "object",
                "additionalProperties": self.value_schema(value, rules_of(value)),
            }
        rules = rules_of(field)
        if partial:
            rules = replace(rules, required=False)
        problem = unkeepable(field, rules)
        if problem is not None:
            self.problems.add(problem)
        schema = self.value_schema(field, rules)
        if field.is_repeated:
            array: dict[str, Any] = {"type": "array", "items": schema}
            if rules.required and rules.min_items is None:
                array["minItems"] = 1
            array.update(_keywords(rules, ARRAY_KEYWORDS))
            return array
        return schema

    def value_schema(self, field: descriptor.FieldDescriptor, rules: Rules) -> dict[str, Any]:
        if field.message_type is not None:
            return self.message_value_schema(field.message_type, rules)
        if field.enum_type is not None:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        schema = dict(SCALARS[field.type])
        if rules.allowed:
            schema["enum"] = list(rules.allowed)
            return schema
        if field.type == descriptor.FieldDescriptor.TYPE_STRING:
            schema.update(NUL_FREE)  # a declared pattern, if any, replaces it (none allows NUL)
            schema.update(_keywords(rules, STRING_KEYWORDS))
            if rules.required and not rules.min_length:
                schema["minLength"] = 1  # proto3 cannot tell an empty string from none
        minimum, maximum = number_range(field, rules)
        if minimum is not None:
            schema["minimum"] = minimum
        if maximum is not None:
            schema["maximum"] = maximum
        return schema

    def message_value_schema(self, message: descriptor.Descriptor, rules: Rules) -> dict[str, Any]:
        schema = self.ref(message)
        if rules.json_schema is not None:  # beside, not instead of, what any JSON value keeps
            schema["allOf"] = [json.loads(rules.json_schema)]
        if message.full_name == "google.protobuf.Value" and rules.required:
            schema["not"] = {"type": "null"}  # JSON null is no value
        elif message.full_name == "google.protobuf.ListValue":
            items: dict[str, Any] = {"type": rules.item_type} if rules.item_type else JSON_VALUE
            if rules.item_type == "string":
                items.update(NUL_FREE)
                items.update(_keywords(rules, STRING_KEYWORDS))
            schema.update(_keywords(rules, ARRAY_KEYWORDS), items=items)
        return schema


def _given(field: descriptor.FieldDescriptor) -> dict[str, Any]:
    """What a given (non-null) value of the field is, by JSON type."""
    if field.message_type is not None:
        return {"type": GIVEN_TYPES.get(field.message_type.full_name, "object")}
    return {"type": SCALARS[field.type]["type"]}


def _condition(field: descriptor.FieldDescriptor, when: Condition) -> dict[str, Any]:
    """`required_when` as JSON Schema: if the sibling holds one of the values, then this field
    is given (not null) and matches the condition's schema."""
    shape: dict[str, Any] = json.loads(when.json_schema) if when.json_schema is not None else {}
    condition: dict[str, Any] = {
        "required": [when.field],
        "properties": {when.field: {"enum": list(when.equals)}},
    }
    then: dict[str, Any]
    if when.shape_only:  # given or not (null is not given), it has the shape
        then = {"properties": {field.name: {"anyOf": [{"type": "null"}, shape]}}}
    else:
        present = {"allOf": [_given(field), shape]} if shape else _given(field)
        then = {"required": [field.name], "properties": {field.name: present}}
    return {"if": condition, "then": then}


def _api_name(package: str) -> str:
    """`Intake` for experiment_service.api.intake.v2."""
    return package.split(".")[-2].capitalize()


def _component_names(files: list[descriptor_pb2.FileDescriptorProto]) -> dict[str, str]:
    """Each message's schema name: its own name where no other message has it, else prefixed
    with its API (`IntakeExperiment`, `PlatformExperiment`), so that no schema hides another."""
    found: list[tuple[str, str, str]] = []  # full name, name, API

    def walk(scope: str, api: str, message: descriptor_pb2.DescriptorProto) -> None:
        full_name = f"{scope}.{message.name}"
        found.append((full_name, message.name, api))
        for nested in message.nested_type:
            walk(full_name, api, nested)

    for file in files:
        if not file.package.startswith(API_PACKAGE_PREFIX):
            continue  # well-known types are inlined; OTLP bodies are taken as sent
        for message in file.message_type:
            walk(file.package, _api_name(file.package), message)
    uses = Counter(name for _, name, _ in found)
    return {
        full_name: name if uses[name] == 1 else f"{api}{name}" for full_name, name, api in found
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema, also admitting JSON null: the proto3 JSON mapping reads null as "not given"."""
    kind = schema.get("type")
    if isinstance(kind, str):
        nullable = {**schema, "type": [kind, "null"]}
        if "enum" in nullable:
            nullable["enum"] = [*nullable["enum"], None]
        return nullable
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema  # any JSON value already


def _keywords(rules: Rules, names: dict[str, str]) -> dict[str, Any]:
    return {
        keyword: getattr(rules, name)
        for name, keyword in names.items()
        if getattr(rules, name) is not None
    }


def _bracket_name(outer: str, inner: str) -> str:
    for suffix in ("_gte", "_lte"):
        if inner.endswith(suffix):
            return f"{outer}[{inner[: -len(suffix)]}][${suffix[1:]}]"
    return f"{outer}[{inner}]"


def generate(descriptor_set: bytes, services: list[str]) -> dict[str, Any]:
    return _Generator(descriptor_set, services).document("experiment-service REST API", "2")
