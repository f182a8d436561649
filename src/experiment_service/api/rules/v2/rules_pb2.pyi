from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
RULES_FIELD_NUMBER: _ClassVar[int]
rules: _descriptor.FieldDescriptor
JSON_SHAPES_FIELD_NUMBER: _ClassVar[int]
json_shapes: _descriptor.FieldDescriptor

class FieldRules(_message.Message):
    __slots__ = ("minimum", "maximum", "min_length", "max_length", "pattern", "allowed", "min_items", "max_items", "format", "partial", "item_type", "json_schema", "required_when")
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_FIELD_NUMBER: _ClassVar[int]
    MIN_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_FIELD_NUMBER: _ClassVar[int]
    MIN_ITEMS_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    ITEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_WHEN_FIELD_NUMBER: _ClassVar[int]
    minimum: float
    maximum: float
    min_length: int
    max_length: int
    pattern: str
    allowed: _containers.RepeatedScalarFieldContainer[str]
    min_items: int
    max_items: int
    format: str
    partial: bool
    item_type: str
    json_schema: str
    required_when: _containers.RepeatedCompositeFieldContainer[RequiredWhen]
    def __init__(self, minimum: _Optional[float] = ..., maximum: _Optional[float] = ..., min_length: _Optional[int] = ..., max_length: _Optional[int] = ..., pattern: _Optional[str] = ..., allowed: _Optional[_Iterable[str]] = ..., min_items: _Optional[int] = ..., max_items: _Optional[int] = ..., format: _Optional[str] = ..., partial: _Optional[bool] = ..., item_type: _Optional[str] = ..., json_schema: _Optional[str] = ..., required_when: _Optional[_Iterable[_Union[RequiredWhen, _Mapping]]] = ...) -> None: ...

class RequiredWhen(_message.Message):
    __slots__ = ("field", "equals", "json_schema", "shape_only")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    EQUALS_FIELD_NUMBER: _ClassVar[int]
    JSON_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SHAPE_ONLY_FIELD_NUMBER: _ClassVar[int]
    field: str
    equals: _containers.RepeatedScalarFieldContainer[str]
    json_schema: str
    shape_only: bool
    def __init__(self, field: _Optional[str] = ..., equals: _Optional[_Iterable[str]] = ..., json_schema: _Optional[str] = ..., shape_only: _Optional[bool] = ...) -> None: ...

class JsonShape(_message.Message):
    __slots__ = ("name", "json_schema")
    NAME_FIELD_NUMBER: _ClassVar[int]
    JSON_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    name: str
    json_schema: str
    def __init__(self, name: _Optional[str] = ..., json_schema: _Optional[str] = ...) -> None: ...
