import datetime

from experiment_service.api.intake.v2 import resources_pb2 as _resources_pb2
from experiment_service.api.rules.v2 import rules_pb2 as _rules_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EvaluationRequest(_message.Message):
    __slots__ = ("name", "experiment_ids", "experiment_group_id", "dataset_name", "dataset_version", "source_link", "metadata", "description", "parent_evaluation_id", "parent_experiment_id", "status", "root_cause")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    DATASET_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LINK_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARENT_EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROOT_CAUSE_FIELD_NUMBER: _ClassVar[int]
    name: str
    experiment_ids: _containers.RepeatedScalarFieldContainer[str]
    experiment_group_id: str
    dataset_name: str
    dataset_version: str
    source_link: str
    metadata: _struct_pb2.Struct
    description: str
    parent_evaluation_id: str
    parent_experiment_id: str
    status: str
    root_cause: str
    def __init__(self, name: _Optional[str] = ..., experiment_ids: _Optional[_Iterable[str]] = ..., experiment_group_id: _Optional[str] = ..., dataset_name: _Optional[str] = ..., dataset_version: _Optional[str] = ..., source_link: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., description: _Optional[str] = ..., parent_evaluation_id: _Optional[str] = ..., parent_experiment_id: _Optional[str] = ..., status: _Optional[str] = ..., root_cause: _Optional[str] = ...) -> None: ...

class EvaluationPatch(_message.Message):
    __slots__ = ("experiment_ids", "source_link", "metadata", "description", "parent_evaluation_id", "status", "root_cause")
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LINK_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARENT_EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROOT_CAUSE_FIELD_NUMBER: _ClassVar[int]
    experiment_ids: _struct_pb2.ListValue
    source_link: str
    metadata: _struct_pb2.Struct
    description: str
    parent_evaluation_id: str
    status: str
    root_cause: str
    def __init__(self, experiment_ids: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., source_link: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., description: _Optional[str] = ..., parent_evaluation_id: _Optional[str] = ..., status: _Optional[str] = ..., root_cause: _Optional[str] = ...) -> None: ...

class Evaluation(_message.Message):
    __slots__ = ("id", "name", "workspace", "experiment_ids", "dataset_name", "dataset_version", "source_link", "metadata", "description", "parent_evaluation_id", "status", "root_cause", "created_at", "updated_at", "pinned_at", "evaluator_names", "model_names", "agent_names", "agent_versions", "aggregate_scores", "run_count", "test_case_count", "cost_usd", "latency_ms", "tokens", "parent_experiment_id", "experiment_group_id")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class AggregateScoresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _resources_pb2.EvaluatorAggregate
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_resources_pb2.EvaluatorAggregate, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    DATASET_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LINK_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARENT_EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROOT_CAUSE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    PINNED_AT_FIELD_NUMBER: _ClassVar[int]
    EVALUATOR_NAMES_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAMES_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAMES_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_SCORES_FIELD_NUMBER: _ClassVar[int]
    RUN_COUNT_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_COUNT_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    PARENT_EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    workspace: str
    experiment_ids: _containers.RepeatedScalarFieldContainer[str]
    dataset_name: str
    dataset_version: str
    source_link: str
    metadata: _containers.ScalarMap[str, str]
    description: str
    parent_evaluation_id: str
    status: str
    root_cause: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    pinned_at: _timestamp_pb2.Timestamp
    evaluator_names: _containers.RepeatedScalarFieldContainer[str]
    model_names: _containers.RepeatedScalarFieldContainer[str]
    agent_names: _containers.RepeatedScalarFieldContainer[str]
    agent_versions: _containers.RepeatedScalarFieldContainer[str]
    aggregate_scores: _containers.MessageMap[str, _resources_pb2.EvaluatorAggregate]
    run_count: int
    test_case_count: int
    cost_usd: _resources_pb2.EvaluatorAggregate
    latency_ms: _resources_pb2.EvaluatorAggregate
    tokens: _resources_pb2.EvaluatorAggregate
    parent_experiment_id: str
    experiment_group_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., workspace: _Optional[str] = ..., experiment_ids: _Optional[_Iterable[str]] = ..., dataset_name: _Optional[str] = ..., dataset_version: _Optional[str] = ..., source_link: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., description: _Optional[str] = ..., parent_evaluation_id: _Optional[str] = ..., status: _Optional[str] = ..., root_cause: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pinned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., evaluator_names: _Optional[_Iterable[str]] = ..., model_names: _Optional[_Iterable[str]] = ..., agent_names: _Optional[_Iterable[str]] = ..., agent_versions: _Optional[_Iterable[str]] = ..., aggregate_scores: _Optional[_Mapping[str, _resources_pb2.EvaluatorAggregate]] = ..., run_count: _Optional[int] = ..., test_case_count: _Optional[int] = ..., cost_usd: _Optional[_Union[_resources_pb2.EvaluatorAggregate, _Mapping]] = ..., latency_ms: _Optional[_Union[_resources_pb2.EvaluatorAggregate, _Mapping]] = ..., tokens: _Optional[_Union[_resources_pb2.EvaluatorAggregate, _Mapping]] = ..., parent_experiment_id: _Optional[str] = ..., experiment_group_id: _Optional[str] = ...) -> None: ...

class CreateEvaluationRequest(_message.Message):
    __slots__ = ("workspace", "evaluation")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    evaluation: EvaluationRequest
    def __init__(self, workspace: _Optional[str] = ..., evaluation: _Optional[_Union[EvaluationRequest, _Mapping]] = ...) -> None: ...

class EvaluationFilter(_message.Message):
    __slots__ = ("name", "experiment_group_id", "dataset_name", "dataset_version", "created_by", "created_at_gte", "created_at_lte", "updated_at_gte", "updated_at_lte", "is_deleted", "is_pinned", "metadata", "metrics")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    DATASET_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    IS_PINNED_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    name: str
    experiment_group_id: str
    dataset_name: str
    dataset_version: str
    created_by: str
    created_at_gte: _timestamp_pb2.Timestamp
    created_at_lte: _timestamp_pb2.Timestamp
    updated_at_gte: _timestamp_pb2.Timestamp
    updated_at_lte: _timestamp_pb2.Timestamp
    is_deleted: bool
    is_pinned: bool
    metadata: _containers.RepeatedScalarFieldContainer[str]
    metrics: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., experiment_group_id: _Optional[str] = ..., dataset_name: _Optional[str] = ..., dataset_version: _Optional[str] = ..., created_by: _Optional[str] = ..., created_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_deleted: _Optional[bool] = ..., is_pinned: _Optional[bool] = ..., metadata: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Iterable[str]] = ...) -> None: ...

class ListEvaluationsRequest(_message.Message):
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
    filter: EvaluationFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[EvaluationFilter, _Mapping]] = ...) -> None: ...

class ListEvaluationsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Evaluation]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: EvaluationFilter
    def __init__(self, data: _Optional[_Iterable[_Union[Evaluation, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[EvaluationFilter, _Mapping]] = ...) -> None: ...

class GetEvaluationRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class UpdateEvaluationRequest(_message.Message):
    __slots__ = ("workspace", "name", "evaluation")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    evaluation: EvaluationRequest
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., evaluation: _Optional[_Union[EvaluationRequest, _Mapping]] = ...) -> None: ...

class PatchEvaluationRequest(_message.Message):
    __slots__ = ("workspace", "name", "evaluation")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    evaluation: EvaluationPatch
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., evaluation: _Optional[_Union[EvaluationPatch, _Mapping]] = ...) -> None: ...

class DeleteEvaluationRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class PinEvaluationRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class UnpinEvaluationRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class EvaluationSessionFilter(_message.Message):
    __slots__ = ("test_case_id", "status")
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    test_case_id: str
    status: str
    def __init__(self, test_case_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListEvaluationSessionsRequest(_message.Message):
    __slots__ = ("workspace", "name", "page", "page_size", "mode", "sort", "filter")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    page: int
    page_size: int
    mode: str
    sort: str
    filter: EvaluationSessionFilter
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., mode: _Optional[str] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[EvaluationSessionFilter, _Mapping]] = ...) -> None: ...

class EvaluationSession(_message.Message):
    __slots__ = ("workspace", "evaluation_name", "session_id", "test_case_id", "trace_id", "root_span_id", "started_at", "ended_at", "latency_ms", "status", "input", "output", "input_tokens", "output_tokens", "cached_tokens", "cost_total_usd", "evaluator_scores", "experiment_name")
    class EvaluatorScoresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_NAME_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_TOTAL_USD_FIELD_NUMBER: _ClassVar[int]
    EVALUATOR_SCORES_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    evaluation_name: str
    session_id: str
    test_case_id: str
    trace_id: str
    root_span_id: str
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    latency_ms: float
    status: str
    input: str
    output: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost_total_usd: float
    evaluator_scores: _containers.ScalarMap[str, float]
    experiment_name: str
    def __init__(self, workspace: _Optional[str] = ..., evaluation_name: _Optional[str] = ..., session_id: _Optional[str] = ..., test_case_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., root_span_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., latency_ms: _Optional[float] = ..., status: _Optional[str] = ..., input: _Optional[str] = ..., output: _Optional[str] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cached_tokens: _Optional[int] = ..., cost_total_usd: _Optional[float] = ..., evaluator_scores: _Optional[_Mapping[str, float]] = ..., experiment_name: _Optional[str] = ...) -> None: ...

class ListEvaluationSessionsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[EvaluationSession]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: EvaluationSessionFilter
    def __init__(self, data: _Optional[_Iterable[_Union[EvaluationSession, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[EvaluationSessionFilter, _Mapping]] = ...) -> None: ...
