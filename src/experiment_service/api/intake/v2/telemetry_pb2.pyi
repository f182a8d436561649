import datetime

from experiment_service.api.intake.v2 import resources_pb2 as _resources_pb2
from experiment_service.api.rules.v2 import rules_pb2 as _rules_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExportOtlpTracesRequest(_message.Message):
    __slots__ = ("workspace", "body")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    body: _httpbody_pb2.HttpBody
    def __init__(self, workspace: _Optional[str] = ..., body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class ExportOtlpTracesResponse(_message.Message):
    __slots__ = ("errors",)
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, errors: _Optional[_Iterable[str]] = ...) -> None: ...

class IngestEvaluationContext(_message.Message):
    __slots__ = ("evaluation_id", "test_case_id")
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    evaluation_id: str
    test_case_id: str
    def __init__(self, evaluation_id: _Optional[str] = ..., test_case_id: _Optional[str] = ...) -> None: ...

class IngestExperimentContext(_message.Message):
    __slots__ = ("experiment_id", "test_case_id")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    test_case_id: str
    def __init__(self, experiment_id: _Optional[str] = ..., test_case_id: _Optional[str] = ...) -> None: ...

class IngestChatCompletionRequest(_message.Message):
    __slots__ = ("workspace", "evaluation_context", "experiment_context", "request", "response", "session_id", "trace_id", "provider", "cost_usd", "cost_input_usd", "cost_output_usd", "cost_details")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    COST_INPUT_USD_FIELD_NUMBER: _ClassVar[int]
    COST_OUTPUT_USD_FIELD_NUMBER: _ClassVar[int]
    COST_DETAILS_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    evaluation_context: IngestEvaluationContext
    experiment_context: IngestExperimentContext
    request: _struct_pb2.Struct
    response: _struct_pb2.Struct
    session_id: str
    trace_id: str
    provider: str
    cost_usd: float
    cost_input_usd: float
    cost_output_usd: float
    cost_details: _struct_pb2.Struct
    def __init__(self, workspace: _Optional[str] = ..., evaluation_context: _Optional[_Union[IngestEvaluationContext, _Mapping]] = ..., experiment_context: _Optional[_Union[IngestExperimentContext, _Mapping]] = ..., request: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., response: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., session_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., provider: _Optional[str] = ..., cost_usd: _Optional[float] = ..., cost_input_usd: _Optional[float] = ..., cost_output_usd: _Optional[float] = ..., cost_details: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class IngestAtifRequest(_message.Message):
    __slots__ = ("workspace", "evaluation_context", "experiment_context", "schema_version", "session_id", "trajectory_id", "agent", "steps", "final_metrics", "continued_trajectory_ref", "notes", "extra", "subagent_trajectories")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TRAJECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    FINAL_METRICS_FIELD_NUMBER: _ClassVar[int]
    CONTINUED_TRAJECTORY_REF_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    SUBAGENT_TRAJECTORIES_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    evaluation_context: IngestEvaluationContext
    experiment_context: IngestExperimentContext
    schema_version: str
    session_id: str
    trajectory_id: str
    agent: _struct_pb2.Struct
    steps: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    final_metrics: _struct_pb2.Struct
    continued_trajectory_ref: str
    notes: str
    extra: _struct_pb2.Struct
    subagent_trajectories: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    def __init__(self, workspace: _Optional[str] = ..., evaluation_context: _Optional[_Union[IngestEvaluationContext, _Mapping]] = ..., experiment_context: _Optional[_Union[IngestExperimentContext, _Mapping]] = ..., schema_version: _Optional[str] = ..., session_id: _Optional[str] = ..., trajectory_id: _Optional[str] = ..., agent: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., final_metrics: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., continued_trajectory_ref: _Optional[str] = ..., notes: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., subagent_trajectories: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ...) -> None: ...

class IngestChatCompletionResponse(_message.Message):
    __slots__ = ("session_id", "span_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    span_id: str
    def __init__(self, session_id: _Optional[str] = ..., span_id: _Optional[str] = ...) -> None: ...

class Annotation(_message.Message):
    __slots__ = ("annotation_id", "workspace", "span_id", "session_id", "created_by", "created_at", "ingested_at", "kind", "value", "value_type", "name", "text", "metadata")
    ANNOTATION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    INGESTED_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    annotation_id: str
    workspace: str
    span_id: str
    session_id: str
    created_by: str
    created_at: _timestamp_pb2.Timestamp
    ingested_at: _timestamp_pb2.Timestamp
    kind: str
    value: _struct_pb2.Value
    value_type: str
    name: str
    text: str
    metadata: _struct_pb2.Struct
    def __init__(self, annotation_id: _Optional[str] = ..., workspace: _Optional[str] = ..., span_id: _Optional[str] = ..., session_id: _Optional[str] = ..., created_by: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ingested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., value_type: _Optional[str] = ..., name: _Optional[str] = ..., text: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CreateAnnotationRequest(_message.Message):
    __slots__ = ("workspace", "session_id", "span_id", "kind", "value", "value_type", "name", "text", "metadata")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    session_id: str
    span_id: str
    kind: str
    value: _struct_pb2.Value
    value_type: str
    name: str
    text: str
    metadata: _struct_pb2.Struct
    def __init__(self, workspace: _Optional[str] = ..., session_id: _Optional[str] = ..., span_id: _Optional[str] = ..., kind: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., value_type: _Optional[str] = ..., name: _Optional[str] = ..., text: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AnnotationFilter(_message.Message):
    __slots__ = ("span_id", "session_id", "kind", "name", "value_text", "value_numeric_gte", "value_numeric_lte", "created_by", "created_at_gte", "created_at_lte")
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_TEXT_FIELD_NUMBER: _ClassVar[int]
    VALUE_NUMERIC_GTE_FIELD_NUMBER: _ClassVar[int]
    VALUE_NUMERIC_LTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    span_id: str
    session_id: str
    kind: str
    name: str
    value_text: str
    value_numeric_gte: float
    value_numeric_lte: float
    created_by: str
    created_at_gte: _timestamp_pb2.Timestamp
    created_at_lte: _timestamp_pb2.Timestamp
    def __init__(self, span_id: _Optional[str] = ..., session_id: _Optional[str] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ..., value_text: _Optional[str] = ..., value_numeric_gte: _Optional[float] = ..., value_numeric_lte: _Optional[float] = ..., created_by: _Optional[str] = ..., created_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAnnotationsRequest(_message.Message):
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
    filter: AnnotationFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[AnnotationFilter, _Mapping]] = ...) -> None: ...

class ListAnnotationsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Annotation]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: AnnotationFilter
    def __init__(self, data: _Optional[_Iterable[_Union[Annotation, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[AnnotationFilter, _Mapping]] = ...) -> None: ...

class GetAnnotationRequest(_message.Message):
    __slots__ = ("workspace", "annotation_id")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    ANNOTATION_ID_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    annotation_id: str
    def __init__(self, workspace: _Optional[str] = ..., annotation_id: _Optional[str] = ...) -> None: ...

class DeleteAnnotationRequest(_message.Message):
    __slots__ = ("workspace", "annotation_id")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    ANNOTATION_ID_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    annotation_id: str
    def __init__(self, workspace: _Optional[str] = ..., annotation_id: _Optional[str] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("workspace", "id")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    id: str
    def __init__(self, workspace: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class SessionTelemetry(_message.Message):
    __slots__ = ("id", "workspace", "started_at", "ended_at", "duration_ms", "status", "input_tokens", "output_tokens", "cached_tokens", "total_tokens", "cost_usd", "cost_input_usd", "cost_output_usd", "trace_count", "span_count", "evaluation_context")
    ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    COST_INPUT_USD_FIELD_NUMBER: _ClassVar[int]
    COST_OUTPUT_USD_FIELD_NUMBER: _ClassVar[int]
    TRACE_COUNT_FIELD_NUMBER: _ClassVar[int]
    SPAN_COUNT_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    id: str
    workspace: str
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    duration_ms: float
    status: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    total_tokens: int
    cost_usd: float
    cost_input_usd: float
    cost_output_usd: float
    trace_count: int
    span_count: int
    evaluation_context: EvaluationContext
    def __init__(self, id: _Optional[str] = ..., workspace: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duration_ms: _Optional[float] = ..., status: _Optional[str] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cached_tokens: _Optional[int] = ..., total_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., cost_input_usd: _Optional[float] = ..., cost_output_usd: _Optional[float] = ..., trace_count: _Optional[int] = ..., span_count: _Optional[int] = ..., evaluation_context: _Optional[_Union[EvaluationContext, _Mapping]] = ...) -> None: ...

class WorkspaceSessionFilter(_message.Message):
    __slots__ = ("evaluation_id", "test_case_id", "status", "started_at_gte", "started_at_lte")
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    evaluation_id: str
    test_case_id: str
    status: str
    started_at_gte: _timestamp_pb2.Timestamp
    started_at_lte: _timestamp_pb2.Timestamp
    def __init__(self, evaluation_id: _Optional[str] = ..., test_case_id: _Optional[str] = ..., status: _Optional[str] = ..., started_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListWorkspaceSessionsRequest(_message.Message):
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
    filter: WorkspaceSessionFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[WorkspaceSessionFilter, _Mapping]] = ...) -> None: ...

class ListWorkspaceSessionsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[SessionTelemetry]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: WorkspaceSessionFilter
    def __init__(self, data: _Optional[_Iterable[_Union[SessionTelemetry, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[WorkspaceSessionFilter, _Mapping]] = ...) -> None: ...

class EvaluationContext(_message.Message):
    __slots__ = ("evaluation_id", "test_case_id")
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    evaluation_id: str
    test_case_id: str
    def __init__(self, evaluation_id: _Optional[str] = ..., test_case_id: _Optional[str] = ...) -> None: ...

class ExperimentContext(_message.Message):
    __slots__ = ("experiment_id", "test_case_id")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    test_case_id: str
    def __init__(self, experiment_id: _Optional[str] = ..., test_case_id: _Optional[str] = ...) -> None: ...

class Span(_message.Message):
    __slots__ = ("span_id", "session_id", "workspace", "evaluation_context", "parent_span_id", "kind", "name", "source", "trace_id", "started_at", "ended_at", "status", "error_type", "error_message", "provider", "model", "agent_id", "agent_name", "tool_name", "input_tokens", "output_tokens", "cached_tokens", "total_tokens", "cost_total_usd", "cost_input_usd", "cost_output_usd", "input", "output", "raw_attributes", "ingested_at", "cost_source")
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    PARENT_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAME_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_TOTAL_USD_FIELD_NUMBER: _ClassVar[int]
    COST_INPUT_USD_FIELD_NUMBER: _ClassVar[int]
    COST_OUTPUT_USD_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    RAW_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    INGESTED_AT_FIELD_NUMBER: _ClassVar[int]
    COST_SOURCE_FIELD_NUMBER: _ClassVar[int]
    span_id: str
    session_id: str
    workspace: str
    evaluation_context: EvaluationContext
    parent_span_id: str
    kind: str
    name: str
    source: str
    trace_id: str
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    status: str
    error_type: str
    error_message: str
    provider: str
    model: str
    agent_id: str
    agent_name: str
    tool_name: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    total_tokens: int
    cost_total_usd: float
    cost_input_usd: float
    cost_output_usd: float
    input: str
    output: str
    raw_attributes: str
    ingested_at: _timestamp_pb2.Timestamp
    cost_source: str
    def __init__(self, span_id: _Optional[str] = ..., session_id: _Optional[str] = ..., workspace: _Optional[str] = ..., evaluation_context: _Optional[_Union[EvaluationContext, _Mapping]] = ..., parent_span_id: _Optional[str] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ..., source: _Optional[str] = ..., trace_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., error_type: _Optional[str] = ..., error_message: _Optional[str] = ..., provider: _Optional[str] = ..., model: _Optional[str] = ..., agent_id: _Optional[str] = ..., agent_name: _Optional[str] = ..., tool_name: _Optional[str] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cached_tokens: _Optional[int] = ..., total_tokens: _Optional[int] = ..., cost_total_usd: _Optional[float] = ..., cost_input_usd: _Optional[float] = ..., cost_output_usd: _Optional[float] = ..., input: _Optional[str] = ..., output: _Optional[str] = ..., raw_attributes: _Optional[str] = ..., ingested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cost_source: _Optional[str] = ...) -> None: ...

class SpanFilter(_message.Message):
    __slots__ = ("session_id", "trace_id", "parent_span_id", "evaluation_id", "experiment_id", "test_case_id", "source", "kind", "status", "model", "tool_name", "provider", "agent_id", "agent_name", "started_at_gte", "started_at_lte")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAME_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    trace_id: str
    parent_span_id: str
    evaluation_id: str
    experiment_id: str
    test_case_id: str
    source: str
    kind: str
    status: str
    model: str
    tool_name: str
    provider: str
    agent_id: str
    agent_name: str
    started_at_gte: _timestamp_pb2.Timestamp
    started_at_lte: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., parent_span_id: _Optional[str] = ..., evaluation_id: _Optional[str] = ..., experiment_id: _Optional[str] = ..., test_case_id: _Optional[str] = ..., source: _Optional[str] = ..., kind: _Optional[str] = ..., status: _Optional[str] = ..., model: _Optional[str] = ..., tool_name: _Optional[str] = ..., provider: _Optional[str] = ..., agent_id: _Optional[str] = ..., agent_name: _Optional[str] = ..., started_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSpansRequest(_message.Message):
    __slots__ = ("workspace", "page", "page_size", "sort", "mode", "filter")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    page: int
    page_size: int
    sort: str
    mode: str
    filter: SpanFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., mode: _Optional[str] = ..., filter: _Optional[_Union[SpanFilter, _Mapping]] = ...) -> None: ...

class ListSpansResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Span]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: SpanFilter
    def __init__(self, data: _Optional[_Iterable[_Union[Span, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[SpanFilter, _Mapping]] = ...) -> None: ...

class GetSpanRequest(_message.Message):
    __slots__ = ("workspace", "span_id")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    span_id: str
    def __init__(self, workspace: _Optional[str] = ..., span_id: _Optional[str] = ...) -> None: ...

class ListSpanGroupsRequest(_message.Message):
    __slots__ = ("workspace", "by", "page", "page_size", "sort", "filter")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    by: str
    page: int
    page_size: int
    sort: str
    filter: SpanFilter
    def __init__(self, workspace: _Optional[str] = ..., by: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[SpanFilter, _Mapping]] = ...) -> None: ...

class SpanGroup(_message.Message):
    __slots__ = ("group", "span_count")
    class GroupEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    GROUP_FIELD_NUMBER: _ClassVar[int]
    SPAN_COUNT_FIELD_NUMBER: _ClassVar[int]
    group: _containers.ScalarMap[str, str]
    span_count: int
    def __init__(self, group: _Optional[_Mapping[str, str]] = ..., span_count: _Optional[int] = ...) -> None: ...

class ListSpanGroupsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter", "grouped_by")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    GROUPED_BY_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[SpanGroup]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: SpanFilter
    grouped_by: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, data: _Optional[_Iterable[_Union[SpanGroup, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[SpanFilter, _Mapping]] = ..., grouped_by: _Optional[_Iterable[str]] = ...) -> None: ...

class Trace(_message.Message):
    __slots__ = ("id", "root_span_id", "session_id", "workspace", "name", "input", "output", "evaluation_context", "experiment_context", "started_at", "ended_at", "duration_ms", "status", "input_tokens", "output_tokens", "cached_tokens", "total_tokens", "cost_usd", "cost_input_usd", "cost_output_usd", "span_count", "error_count", "spans")
    ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    COST_INPUT_USD_FIELD_NUMBER: _ClassVar[int]
    COST_OUTPUT_USD_FIELD_NUMBER: _ClassVar[int]
    SPAN_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    SPANS_FIELD_NUMBER: _ClassVar[int]
    id: str
    root_span_id: str
    session_id: str
    workspace: str
    name: str
    input: str
    output: str
    evaluation_context: EvaluationContext
    experiment_context: ExperimentContext
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    duration_ms: float
    status: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    total_tokens: int
    cost_usd: float
    cost_input_usd: float
    cost_output_usd: float
    span_count: int
    error_count: int
    spans: _containers.RepeatedCompositeFieldContainer[Span]
    def __init__(self, id: _Optional[str] = ..., root_span_id: _Optional[str] = ..., session_id: _Optional[str] = ..., workspace: _Optional[str] = ..., name: _Optional[str] = ..., input: _Optional[str] = ..., output: _Optional[str] = ..., evaluation_context: _Optional[_Union[EvaluationContext, _Mapping]] = ..., experiment_context: _Optional[_Union[ExperimentContext, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duration_ms: _Optional[float] = ..., status: _Optional[str] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cached_tokens: _Optional[int] = ..., total_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., cost_input_usd: _Optional[float] = ..., cost_output_usd: _Optional[float] = ..., span_count: _Optional[int] = ..., error_count: _Optional[int] = ..., spans: _Optional[_Iterable[_Union[Span, _Mapping]]] = ...) -> None: ...

class TraceFilter(_message.Message):
    __slots__ = ("id", "session_id", "status", "evaluation_id", "experiment_id", "test_case_id", "started_at_gte", "started_at_lte")
    ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    session_id: str
    status: str
    evaluation_id: str
    experiment_id: str
    test_case_id: str
    started_at_gte: _timestamp_pb2.Timestamp
    started_at_lte: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., session_id: _Optional[str] = ..., status: _Optional[str] = ..., evaluation_id: _Optional[str] = ..., experiment_id: _Optional[str] = ..., test_case_id: _Optional[str] = ..., started_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListTracesRequest(_message.Message):
    __slots__ = ("workspace", "page", "page_size", "sort", "mode", "filter")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    page: int
    page_size: int
    sort: str
    mode: str
    filter: TraceFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., mode: _Optional[str] = ..., filter: _Optional[_Union[TraceFilter, _Mapping]] = ...) -> None: ...

class ListTracesResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Trace]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: TraceFilter
    def __init__(self, data: _Optional[_Iterable[_Union[Trace, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[TraceFilter, _Mapping]] = ...) -> None: ...

class GetTraceRequest(_message.Message):
    __slots__ = ("workspace", "id", "mode")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    id: str
    mode: str
    def __init__(self, workspace: _Optional[str] = ..., id: _Optional[str] = ..., mode: _Optional[str] = ...) -> None: ...
