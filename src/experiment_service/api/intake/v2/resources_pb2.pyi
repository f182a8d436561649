import datetime

from experiment_service.api.rules.v2 import rules_pb2 as _rules_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExperimentGroup(_message.Message):
    __slots__ = ("id", "name", "workspace", "description", "created_at", "updated_at", "experiment_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    workspace: str
    description: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    experiment_count: int
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., workspace: _Optional[str] = ..., description: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., experiment_count: _Optional[int] = ...) -> None: ...

class ExperimentRequest(_message.Message):
    __slots__ = ("name", "experiment_group_id", "agent_name", "agent_version", "dataset_name", "dataset_version", "source_link", "metadata", "description", "summary")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAME_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    DATASET_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LINK_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    name: str
    experiment_group_id: str
    agent_name: str
    agent_version: str
    dataset_name: str
    dataset_version: str
    source_link: str
    metadata: _struct_pb2.Struct
    description: str
    summary: str
    def __init__(self, name: _Optional[str] = ..., experiment_group_id: _Optional[str] = ..., agent_name: _Optional[str] = ..., agent_version: _Optional[str] = ..., dataset_name: _Optional[str] = ..., dataset_version: _Optional[str] = ..., source_link: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., description: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class EvaluatorAggregate(_message.Message):
    __slots__ = ("sum", "mean", "median", "p90", "p95", "p99", "count")
    SUM_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_FIELD_NUMBER: _ClassVar[int]
    P90_FIELD_NUMBER: _ClassVar[int]
    P95_FIELD_NUMBER: _ClassVar[int]
    P99_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    sum: float
    mean: float
    median: float
    p90: float
    p95: float
    p99: float
    count: int
    def __init__(self, sum: _Optional[float] = ..., mean: _Optional[float] = ..., median: _Optional[float] = ..., p90: _Optional[float] = ..., p95: _Optional[float] = ..., p99: _Optional[float] = ..., count: _Optional[int] = ...) -> None: ...

class Experiment(_message.Message):
    __slots__ = ("id", "name", "workspace", "experiment_group_id", "agent_name", "agent_version", "dataset_name", "dataset_version", "source_link", "metadata", "description", "summary", "created_at", "updated_at", "evaluator_names", "model_names", "aggregate_scores", "run_count", "cost_usd", "latency_ms", "deleted_at", "test_case_count", "tokens", "agent_names", "agent_versions")
    class AggregateScoresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: EvaluatorAggregate
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[EvaluatorAggregate, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAME_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    DATASET_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LINK_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    EVALUATOR_NAMES_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAMES_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_SCORES_FIELD_NUMBER: _ClassVar[int]
    RUN_COUNT_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    DELETED_AT_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAMES_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    workspace: str
    experiment_group_id: str
    agent_name: str
    agent_version: str
    dataset_name: str
    dataset_version: str
    source_link: str
    metadata: _struct_pb2.Struct
    description: str
    summary: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    evaluator_names: _containers.RepeatedScalarFieldContainer[str]
    model_names: _containers.RepeatedScalarFieldContainer[str]
    aggregate_scores: _containers.MessageMap[str, EvaluatorAggregate]
    run_count: int
    cost_usd: EvaluatorAggregate
    latency_ms: EvaluatorAggregate
    deleted_at: _timestamp_pb2.Timestamp
    test_case_count: int
    tokens: EvaluatorAggregate
    agent_names: _containers.RepeatedScalarFieldContainer[str]
    agent_versions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., workspace: _Optional[str] = ..., experiment_group_id: _Optional[str] = ..., agent_name: _Optional[str] = ..., agent_version: _Optional[str] = ..., dataset_name: _Optional[str] = ..., dataset_version: _Optional[str] = ..., source_link: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., description: _Optional[str] = ..., summary: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., evaluator_names: _Optional[_Iterable[str]] = ..., model_names: _Optional[_Iterable[str]] = ..., aggregate_scores: _Optional[_Mapping[str, EvaluatorAggregate]] = ..., run_count: _Optional[int] = ..., cost_usd: _Optional[_Union[EvaluatorAggregate, _Mapping]] = ..., latency_ms: _Optional[_Union[EvaluatorAggregate, _Mapping]] = ..., deleted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., test_case_count: _Optional[int] = ..., tokens: _Optional[_Union[EvaluatorAggregate, _Mapping]] = ..., agent_names: _Optional[_Iterable[str]] = ..., agent_versions: _Optional[_Iterable[str]] = ...) -> None: ...

class SessionEvaluatorResult(_message.Message):
    __slots__ = ("name", "data_type", "value", "string_value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_type: str
    value: _struct_pb2.Value
    string_value: str
    def __init__(self, name: _Optional[str] = ..., data_type: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., string_value: _Optional[str] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("session_id", "experiment_name", "test_case_id", "status", "started_at", "ended_at", "latency_ms", "input", "output", "model_names", "input_tokens", "output_tokens", "cost_usd", "evaluator_results", "metadata")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAMES_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    EVALUATOR_RESULTS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    experiment_name: str
    test_case_id: str
    status: str
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    latency_ms: float
    input: _struct_pb2.Value
    output: _struct_pb2.Value
    model_names: _containers.RepeatedScalarFieldContainer[str]
    input_tokens: int
    output_tokens: int
    cost_usd: float
    evaluator_results: _containers.RepeatedCompositeFieldContainer[SessionEvaluatorResult]
    metadata: _struct_pb2.Struct
    def __init__(self, session_id: _Optional[str] = ..., experiment_name: _Optional[str] = ..., test_case_id: _Optional[str] = ..., status: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., latency_ms: _Optional[float] = ..., input: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., model_names: _Optional[_Iterable[str]] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., evaluator_results: _Optional[_Iterable[_Union[SessionEvaluatorResult, _Mapping]]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Pagination(_message.Message):
    __slots__ = ("page", "page_size", "current_page_size", "total_pages", "total_results")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAGES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    current_page_size: int
    total_pages: int
    total_results: int
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., current_page_size: _Optional[int] = ..., total_pages: _Optional[int] = ..., total_results: _Optional[int] = ...) -> None: ...
