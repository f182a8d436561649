import datetime

from experiment_service.api.comparison.v2 import comparison_pb2 as _comparison_pb2
from experiment_service.api.intake.v2 import resources_pb2 as _resources_pb2
from experiment_service.api.rules.v2 import rules_pb2 as _rules_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateExperimentGroupRequest(_message.Message):
    __slots__ = ("workspace", "experiment_group")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    experiment_group: _resources_pb2.ExperimentGroup
    def __init__(self, workspace: _Optional[str] = ..., experiment_group: _Optional[_Union[_resources_pb2.ExperimentGroup, _Mapping]] = ...) -> None: ...

class ExperimentGroupFilter(_message.Message):
    __slots__ = ("name", "created_at_gte", "created_at_lte", "is_deleted")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    name: str
    created_at_gte: _timestamp_pb2.Timestamp
    created_at_lte: _timestamp_pb2.Timestamp
    is_deleted: bool
    def __init__(self, name: _Optional[str] = ..., created_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_deleted: _Optional[bool] = ...) -> None: ...

class ListExperimentGroupsRequest(_message.Message):
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
    filter: ExperimentGroupFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[ExperimentGroupFilter, _Mapping]] = ...) -> None: ...

class ListExperimentGroupsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.ExperimentGroup]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: ExperimentGroupFilter
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.ExperimentGroup, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[ExperimentGroupFilter, _Mapping]] = ...) -> None: ...

class GetExperimentGroupRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class UpdateExperimentGroupRequest(_message.Message):
    __slots__ = ("workspace", "name", "experiment_group", "update_mask")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    experiment_group: _resources_pb2.ExperimentGroup
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., experiment_group: _Optional[_Union[_resources_pb2.ExperimentGroup, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteExperimentGroupRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class CreateExperimentRequest(_message.Message):
    __slots__ = ("workspace", "experiment")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    experiment: _resources_pb2.ExperimentRequest
    def __init__(self, workspace: _Optional[str] = ..., experiment: _Optional[_Union[_resources_pb2.ExperimentRequest, _Mapping]] = ...) -> None: ...

class ExperimentFilter(_message.Message):
    __slots__ = ("name", "experiment_group_id", "agent_name", "agent_version", "dataset_name", "dataset_version", "created_at_gte", "created_at_lte", "is_deleted")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAME_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    DATASET_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_GTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_LTE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    name: str
    experiment_group_id: str
    agent_name: str
    agent_version: str
    dataset_name: str
    dataset_version: str
    created_at_gte: _timestamp_pb2.Timestamp
    created_at_lte: _timestamp_pb2.Timestamp
    is_deleted: bool
    def __init__(self, name: _Optional[str] = ..., experiment_group_id: _Optional[str] = ..., agent_name: _Optional[str] = ..., agent_version: _Optional[str] = ..., dataset_name: _Optional[str] = ..., dataset_version: _Optional[str] = ..., created_at_gte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at_lte: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_deleted: _Optional[bool] = ...) -> None: ...

class ListExperimentsRequest(_message.Message):
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
    filter: ExperimentFilter
    def __init__(self, workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[ExperimentFilter, _Mapping]] = ...) -> None: ...

class ListExperimentsResponse(_message.Message):
    __slots__ = ("data", "pagination", "sort", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Experiment]
    pagination: _resources_pb2.Pagination
    sort: str
    filter: ExperimentFilter
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.Experiment, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., sort: _Optional[str] = ..., filter: _Optional[_Union[ExperimentFilter, _Mapping]] = ...) -> None: ...

class CompareExperimentsRequest(_message.Message):
    __slots__ = ("workspace", "name", "baseline", "top")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    baseline: str
    top: int
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., baseline: _Optional[str] = ..., top: _Optional[int] = ...) -> None: ...

class ExportSessionsRequest(_message.Message):
    __slots__ = ("workspace", "name", "format")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    format: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., format: _Optional[str] = ...) -> None: ...

class WatchExperimentRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class GetExperimentRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class UpdateExperimentRequest(_message.Message):
    __slots__ = ("workspace", "name", "experiment", "update_mask")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    experiment: _resources_pb2.ExperimentRequest
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., experiment: _Optional[_Union[_resources_pb2.ExperimentRequest, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteExperimentRequest(_message.Message):
    __slots__ = ("workspace", "name")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class IngestSessionsRequest(_message.Message):
    __slots__ = ("workspace", "sessions")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    sessions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Session]
    def __init__(self, workspace: _Optional[str] = ..., sessions: _Optional[_Iterable[_Union[_resources_pb2.Session, _Mapping]]] = ...) -> None: ...

class IngestSessionsResponse(_message.Message):
    __slots__ = ("ingested",)
    INGESTED_FIELD_NUMBER: _ClassVar[int]
    ingested: int
    def __init__(self, ingested: _Optional[int] = ...) -> None: ...

class SessionFilter(_message.Message):
    __slots__ = ("status", "test_case_id")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    status: str
    test_case_id: str
    def __init__(self, status: _Optional[str] = ..., test_case_id: _Optional[str] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("workspace", "name", "page", "page_size", "filter")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    name: str
    page: int
    page_size: int
    filter: SessionFilter
    def __init__(self, workspace: _Optional[str] = ..., name: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., filter: _Optional[_Union[SessionFilter, _Mapping]] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("data", "pagination", "filter")
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Session]
    pagination: _resources_pb2.Pagination
    filter: SessionFilter
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.Session, _Mapping]]] = ..., pagination: _Optional[_Union[_resources_pb2.Pagination, _Mapping]] = ..., filter: _Optional[_Union[SessionFilter, _Mapping]] = ...) -> None: ...
