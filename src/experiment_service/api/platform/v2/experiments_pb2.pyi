from experiment_service.api.comparison.v2 import comparison_pb2 as _comparison_pb2
from experiment_service.api.platform.v2 import resources_pb2 as _resources_pb2
from experiment_service.api.rules.v2 import rules_pb2 as _rules_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateExperimentRequest(_message.Message):
    __slots__ = ("experiment",)
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    experiment: _resources_pb2.Experiment
    def __init__(self, experiment: _Optional[_Union[_resources_pb2.Experiment, _Mapping]] = ...) -> None: ...

class ListExperimentsRequest(_message.Message):
    __slots__ = ("page", "page_size", "sort_by", "status")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    sort_by: str
    status: str
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort_by: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListExperimentsResponse(_message.Message):
    __slots__ = ("count", "next", "previous", "results")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    count: int
    next: str
    previous: str
    results: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Experiment]
    def __init__(self, count: _Optional[int] = ..., next: _Optional[str] = ..., previous: _Optional[str] = ..., results: _Optional[_Iterable[_Union[_resources_pb2.Experiment, _Mapping]]] = ...) -> None: ...

class CompareExperimentsRequest(_message.Message):
    __slots__ = ("id", "baseline", "top")
    ID_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    id: str
    baseline: str
    top: int
    def __init__(self, id: _Optional[str] = ..., baseline: _Optional[str] = ..., top: _Optional[int] = ...) -> None: ...

class GetExperimentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class UpdateExperimentRequest(_message.Message):
    __slots__ = ("id", "experiment")
    ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    experiment: _resources_pb2.Experiment
    def __init__(self, id: _Optional[str] = ..., experiment: _Optional[_Union[_resources_pb2.Experiment, _Mapping]] = ...) -> None: ...

class CancelExperimentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class WatchExperimentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExperimentEvent(_message.Message):
    __slots__ = ("experiment", "trace_counts", "summary")
    class TraceCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    TRACE_COUNTS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    experiment: _resources_pb2.Experiment
    trace_counts: _containers.ScalarMap[str, int]
    summary: TraceSummary
    def __init__(self, experiment: _Optional[_Union[_resources_pb2.Experiment, _Mapping]] = ..., trace_counts: _Optional[_Mapping[str, int]] = ..., summary: _Optional[_Union[TraceSummary, _Mapping]] = ...) -> None: ...

class ExportTracesRequest(_message.Message):
    __slots__ = ("experiment_id", "format")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    format: str
    def __init__(self, experiment_id: _Optional[str] = ..., format: _Optional[str] = ...) -> None: ...

class RerunExperimentRequest(_message.Message):
    __slots__ = ("id", "statuses")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    id: str
    statuses: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., statuses: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteExperimentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListTracesRequest(_message.Message):
    __slots__ = ("experiment_id", "page", "page_size", "sort_by", "status")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    page: int
    page_size: int
    sort_by: str
    status: str
    def __init__(self, experiment_id: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort_by: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListTracesResponse(_message.Message):
    __slots__ = ("count", "next", "previous", "results")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    count: int
    next: str
    previous: str
    results: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Trace]
    def __init__(self, count: _Optional[int] = ..., next: _Optional[str] = ..., previous: _Optional[str] = ..., results: _Optional[_Iterable[_Union[_resources_pb2.Trace, _Mapping]]] = ...) -> None: ...

class GetTraceSummaryRequest(_message.Message):
    __slots__ = ("experiment_id",)
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    def __init__(self, experiment_id: _Optional[str] = ...) -> None: ...

class TraceSummary(_message.Message):
    __slots__ = ("total_count", "total_cost", "total_tokens", "total_prompt_tokens", "total_completion_tokens", "avg_latency", "scores")
    class ScoresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _resources_pb2.Aggregate
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_resources_pb2.Aggregate, _Mapping]] = ...) -> None: ...
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COST_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    AVG_LATENCY_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    total_count: int
    total_cost: float
    total_tokens: int
    total_prompt_tokens: int
    total_completion_tokens: int
    avg_latency: float
    scores: _containers.MessageMap[str, _resources_pb2.Aggregate]
    def __init__(self, total_count: _Optional[int] = ..., total_cost: _Optional[float] = ..., total_tokens: _Optional[int] = ..., total_prompt_tokens: _Optional[int] = ..., total_completion_tokens: _Optional[int] = ..., avg_latency: _Optional[float] = ..., scores: _Optional[_Mapping[str, _resources_pb2.Aggregate]] = ...) -> None: ...

class GetTraceRequest(_message.Message):
    __slots__ = ("experiment_id", "id")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    id: str
    def __init__(self, experiment_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class TraceMetrics(_message.Message):
    __slots__ = ("cost", "latency", "prompt_tokens", "completion_tokens", "model")
    COST_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    cost: float
    latency: float
    prompt_tokens: int
    completion_tokens: int
    model: str
    def __init__(self, cost: _Optional[float] = ..., latency: _Optional[float] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., model: _Optional[str] = ...) -> None: ...

class SubmitTraceResultRequest(_message.Message):
    __slots__ = ("experiment_id", "id", "output", "input", "metrics", "metadata", "human_scores")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    HUMAN_SCORES_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    id: str
    output: _struct_pb2.Value
    input: _struct_pb2.Value
    metrics: TraceMetrics
    metadata: _struct_pb2.Struct
    human_scores: _struct_pb2.Struct
    def __init__(self, experiment_id: _Optional[str] = ..., id: _Optional[str] = ..., output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., input: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., metrics: _Optional[_Union[TraceMetrics, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., human_scores: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
