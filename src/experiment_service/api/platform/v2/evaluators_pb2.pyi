from experiment_service.api.platform.v2 import resources_pb2 as _resources_pb2
from experiment_service.api.rules.v2 import rules_pb2 as _rules_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateEvaluatorRequest(_message.Message):
    __slots__ = ("evaluator",)
    EVALUATOR_FIELD_NUMBER: _ClassVar[int]
    evaluator: _resources_pb2.Evaluator
    def __init__(self, evaluator: _Optional[_Union[_resources_pb2.Evaluator, _Mapping]] = ...) -> None: ...

class ListEvaluatorsRequest(_message.Message):
    __slots__ = ("page", "page_size", "sort_by")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    sort_by: str
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort_by: _Optional[str] = ...) -> None: ...

class ListEvaluatorsResponse(_message.Message):
    __slots__ = ("count", "next", "previous", "results")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    count: int
    next: str
    previous: str
    results: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Evaluator]
    def __init__(self, count: _Optional[int] = ..., next: _Optional[str] = ..., previous: _Optional[str] = ..., results: _Optional[_Iterable[_Union[_resources_pb2.Evaluator, _Mapping]]] = ...) -> None: ...

class GetEvaluatorRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class UpdateEvaluatorRequest(_message.Message):
    __slots__ = ("id", "evaluator")
    ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATOR_FIELD_NUMBER: _ClassVar[int]
    id: str
    evaluator: _resources_pb2.Evaluator
    def __init__(self, id: _Optional[str] = ..., evaluator: _Optional[_Union[_resources_pb2.Evaluator, _Mapping]] = ...) -> None: ...

class DeleteEvaluatorRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class RunEvaluatorRequest(_message.Message):
    __slots__ = ("id", "input", "output", "expected_output")
    ID_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    id: str
    input: _struct_pb2.Value
    output: _struct_pb2.Value
    expected_output: _struct_pb2.Value
    def __init__(self, id: _Optional[str] = ..., input: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., expected_output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class RunEvaluatorResponse(_message.Message):
    __slots__ = ("score",)
    SCORE_FIELD_NUMBER: _ClassVar[int]
    score: _resources_pb2.Score
    def __init__(self, score: _Optional[_Union[_resources_pb2.Score, _Mapping]] = ...) -> None: ...
