import datetime

from experiment_service.api.intake.v2 import resources_pb2 as _resources_pb2
from experiment_service.api.rules.v2 import rules_pb2 as _rules_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EvaluatorResult(_message.Message):
    __slots__ = ("evaluator_result_id", "span_id", "session_id", "workspace", "name", "value", "string_value", "data_type", "comment", "created_by", "created_at", "ingested_at")
    EVALUATOR_RESULT_ID_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    INGESTED_AT_FIELD_NUMBER: _ClassVar[int]
    evaluator_result_id: str
    span_id: str
    session_id: str
    workspace: str
    name: str
    value: float
    string_value: str
    data_type: str
    comment: str
    created_by: str
    created_at: _timestamp_pb2.Timestamp
    ingested_at: _timestamp_pb2.Timestamp
    def __init__(self, evaluator_result_id: _Optional[str] = ..., span_id: _Optional[str] = ..., session_id: _Optional[str] = ..., workspace: _Optional[str] = ..., name: _Optional[str] = ..., value: _Optional[float] = ..., string_value: _Optional[str] = ..., data_type: _Optional[str] = ..., comment: _Optional[str] = ..., created_by: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ingested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateEvaluatorResultRequest(_message.Message):
    __slots__ = ("workspace", "span_id", "session_id", "name", "data_type", "value", "string_value", "comment")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    span_id: str
    session_id: str
    name: str
    data_type: str
    value: float
    string_value: str
    comment: str
    def __init__(self, workspace: _Optional[str] = ..., span_id: _Optional[str] = ..., session_id: _Optional[str] = ..., name: _Optional[str] = ..., data_type: _Optional[str] = ..., value: _Optional[float] = ..., string_value: _Optional[str] = ..., comment: _Optional[str] = ...) -> None: ...

class EvaluatorResultFilter(_message.Message):
    __slots__ = ("span_id", "session_id", "name", "data_type", "created_by", "value_gte", "value_lte", "created_at_gte", "created_at_lte")
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    VALUE_GTE_FIELD_NUMBER: _ClassVar[int]
    VALUE_LTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    span_id: str
    session_id: str
    name: str
    data_type: str
    created_by: str
    value_gte: float
    value_lte: float
    created_at_gte: _timestamp_pb2.Timestamp
    created_at_lte: _timestamp_pb2.Timestamp
    def __init__(self, span_id: _Optional[str] = ..., session_id: _Optional[str] = ..., name: _Optional[str] = ..., data_type: _Optional[str] = ..., created_by: _Optional[str] = ..., value_gte: _Optional[float] = ..., value_lte: _Optional[float] = ..., created_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListEvaluatorResultsRequest(_message.Message):
    __slots__ = ("workspace", "page", "page_size", "sort", "filter")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    page: int
    page_size: int
    sort: str
    filter: EvaluatorResultFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[EvaluatorResultFilter, _Mapping]] = ...) -> None: ...

class ListEvaluatorResultsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[EvaluatorResult]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: EvaluatorResultFilter
    def __init__(self, data: _Optional[_Iterable[_Union[EvaluatorResult, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[EvaluatorResultFilter, _Mapping]] = ...) -> None: ...

class GetEvaluatorResultRequest(_message.Message):
    __slots__ = ("workspace", "evaluator_result_id")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EVALUATOR_RESULT_ID_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    evaluator_result_id: str
    def __init__(self, workspace: _Optional[str] = ..., evaluator_result_id: _Optional[str] = ...) -> None: ...

class ListSpanEvaluatorResultsRequest(_message.Message):
    __slots__ = ("workspace", "span_id")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    span_id: str
    def __init__(self, workspace: _Optional[str] = ..., span_id: _Optional[str] = ...) -> None: ...

class ListSpanEvaluatorResultsResponse(_message.Message):
    __slots__ = ("evaluator_results",)
    EVALUATOR_RESULTS_FIELD_NUMBER: _ClassVar[int]
    evaluator_results: _containers.RepeatedCompositeFieldContainer[EvaluatorResult]
    def __init__(self, evaluator_results: _Optional[_Iterable[_Union[EvaluatorResult, _Mapping]]] = ...) -> None: ...
