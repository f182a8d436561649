"""Translation between intake API messages and domain objects."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.domain.experiments import FILTER_FIELDS, ExperimentFilter
from experiment_service.domain.groups import GroupFilter
from experiment_service.domain.listing import Page
from experiment_service.domain.models import (
    Aggregate,
    Experiment,
    ExperimentGroup,
    ExperimentGroupSpec,
    ExperimentSpec,
)
from experiment_service.servicers.timestamps import from_timestamp, to_timestamp


def optional(message: Any, field: str) -> Any:
    return getattr(message, field) if message.HasField(field) else None


def struct_to_dict(value: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(value)


def dict_to_struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def group_spec(message: res.ExperimentGroup) -> ExperimentGroupSpec:
    return ExperimentGroupSpec(name=message.name, description=optional(message, "description"))


def group_message(group: ExperimentGroup) -> res.ExperimentGroup:
    message = res.ExperimentGroup(
        id=group.id,
        name=group.name,
        workspace=group.workspace,
        created_at=to_timestamp(group.created_at),
        updated_at=to_timestamp(group.updated_at),
        experiment_count=group.experiment_count,
    )
    if group.description is not None:
        message.description = group.description
    return message


def group_filter(message: svc.ExperimentGroupFilter) -> GroupFilter:
    return GroupFilter(
        name=optional(message, "name"),
        created_at_gte=_optional_time(message, "created_at_gte"),
        created_at_lte=_optional_time(message, "created_at_lte"),
        is_deleted=message.is_deleted,
    )


def groups_page(page: Page[ExperimentGroup], sort: str, request: Any) -> Any:
    return svc.ListExperimentGroupsResponse(
        data=[group_message(group) for group in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )


def experiment_spec(message: res.ExperimentRequest) -> ExperimentSpec:
    return ExperimentSpec(
        name=message.name,
        agent_name=message.agent_name,
        agent_version=message.agent_version,
        dataset_name=message.dataset_name,
        experiment_group_id=optional(message, "experiment_group_id"),
        dataset_version=optional(message, "dataset_version"),
        source_link=optional(message, "source_link"),
        metadata=struct_to_dict(message.metadata),
        description=optional(message, "description"),
        summary=optional(message, "summary"),
    )


def experiment_message(experiment: Experiment) -> res.Experiment:
    spec, rollups = experiment.spec, experiment.rollups
    message = res.Experiment(
        id=experiment.id,
        name=spec.name,
        workspace=experiment.workspace,
        agent_name=spec.agent_name,
        agent_version=spec.agent_version,
        dataset_name=spec.dataset_name,
        metadata=dict_to_struct(spec.metadata),
        created_at=to_timestamp(experiment.created_at),
        updated_at=to_timestamp(experiment.updated_at),
        evaluator_names=rollups.evaluator_names,
        model_names=rollups.model_names,
        run_count=rollups.run_count,
    )
    for field in (
        "experiment_group_id",
        "dataset_version",
        "source_link",
        "description",
        "summary",
    ):
        value = getattr(spec, field)
        if value is not None:
            setattr(message, field, value)
    for name, aggregate in rollups.aggregate_scores.items():
        message.aggregate_scores[name].CopyFrom(aggregate_message(aggregate))
    if rollups.cost_usd is not None:
        message.cost_usd.CopyFrom(aggregate_message(rollups.cost_usd))
    if rollups.latency_ms is not None:
        message.latency_ms.CopyFrom(aggregate_message(rollups.latency_ms))
    if experiment.deleted_at is not None:
        message.deleted_at.CopyFrom(to_timestamp(experiment.deleted_at))
    return message


def aggregate_message(aggregate: Aggregate) -> res.EvaluatorAggregate:
    return res.EvaluatorAggregate(
        sum=aggregate.sum,
        mean=aggregate.mean,
        median=aggregate.median,
        p90=aggregate.p90,
        p95=aggregate.p95,
        p99=aggregate.p99,
        count=aggregate.count,
    )


def experiment_filter(message: svc.ExperimentFilter) -> ExperimentFilter:
    return ExperimentFilter(
        equals={
            field: getattr(message, field) for field in FILTER_FIELDS if message.HasField(field)
        },
        created_at_gte=_optional_time(message, "created_at_gte"),
        created_at_lte=_optional_time(message, "created_at_lte"),
        is_deleted=message.is_deleted,
    )


def experiments_page(page: Page[Experiment], sort: str, request: Any) -> Any:
    return svc.ListExperimentsResponse(
        data=[experiment_message(experiment) for experiment in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )


def pagination(page: Page[Any]) -> res.Pagination:
    return res.Pagination(
        page=page.request.page,
        page_size=page.request.page_size,
        current_page_size=len(page.items),
        total_pages=page.total_pages,
        total_results=page.total,
    )


def _optional_time(message: Any, field: str) -> Any:
    return from_timestamp(getattr(message, field)) if message.HasField(field) else None
