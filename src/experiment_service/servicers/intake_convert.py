"""Translation between intake API messages and domain objects."""

from __future__ import annotations

import dataclasses
from typing import Any

from experiment_service.api.intake.v2 import evaluations_pb2 as ev
from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.domain.intake.experiments import FILTER_FIELDS, ExperimentFilter
from experiment_service.domain.intake.groups import GroupFilter
from experiment_service.domain.listing import Page
from experiment_service.domain.models import (
    Aggregate,
    EvaluatorResult,
    Experiment,
    ExperimentGroup,
    ExperimentGroupSpec,
    ExperimentSpec,
    Rollups,
    Session,
)
from experiment_service.servicers.fields import optional, optional_time
from experiment_service.servicers.json_values import (
    dict_to_struct,
    python_to_value,
    struct_to_dict,
    value_to_python,
)
from experiment_service.servicers.timestamps import from_timestamp, to_timestamp


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
        created_at_gte=optional_time(message, "created_at_gte"),
        created_at_lte=optional_time(message, "created_at_lte"),
        is_deleted=message.is_deleted,
    )


def groups_page(
    page: Page[ExperimentGroup], sort: str, request: svc.ListExperimentGroupsRequest
) -> svc.ListExperimentGroupsResponse:
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
    set_rollups(message, rollups)
    if experiment.deleted_at is not None:
        message.deleted_at.CopyFrom(to_timestamp(experiment.deleted_at))
    return message


def set_rollups(message: res.Experiment | ev.Evaluation, rollups: Rollups) -> None:
    """Write the rollups into an experiment or evaluation message (the same field names)."""
    message.run_count = rollups.run_count
    message.test_case_count = rollups.test_case_count
    for names in ("evaluator_names", "model_names", "agent_names", "agent_versions"):
        getattr(message, names).extend(getattr(rollups, names))
    for name, aggregate in rollups.aggregate_scores.items():
        message.aggregate_scores[name].CopyFrom(aggregate_message(aggregate))
    for field in ("cost_usd", "latency_ms", "tokens"):
        aggregate = getattr(rollups, field)
        if aggregate is not None:
            getattr(message, field).CopyFrom(aggregate_message(aggregate))


def aggregate_message(aggregate: Aggregate) -> res.EvaluatorAggregate:
    return res.EvaluatorAggregate(**dataclasses.asdict(aggregate))


def experiment_filter(message: svc.ExperimentFilter) -> ExperimentFilter:
    return ExperimentFilter(
        equals={
            field: getattr(message, field) for field in FILTER_FIELDS if message.HasField(field)
        },
        created_at_gte=optional_time(message, "created_at_gte"),
        created_at_lte=optional_time(message, "created_at_lte"),
        is_deleted=message.is_deleted,
    )


def experiments_page(
    page: Page[Experiment], sort: str, request: svc.ListExperimentsRequest
) -> svc.ListExperimentsResponse:
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


def evaluator_result(message: res.SessionEvaluatorResult) -> EvaluatorResult:
    has = message.HasField
    return EvaluatorResult(
        message.name,
        message.data_type,
        value_to_python(message.value) if has("value") else None,
        message.string_value if has("string_value") else None,
    )


def evaluator_result_message(result: EvaluatorResult) -> res.SessionEvaluatorResult:
    message = res.SessionEvaluatorResult(name=result.name, data_type=result.data_type)
    if result.value is not None:
        message.value.CopyFrom(python_to_value(result.value))
    if result.string_value is not None:
        message.string_value = result.string_value
    return message


def session(message: res.Session) -> Session:
    # Positional and inlined: a batch converts a thousand of these per call.
    has = message.HasField
    return Session(
        message.session_id,
        message.experiment_name,
        message.status,
        from_timestamp(message.started_at) if has("started_at") else None,
        from_timestamp(message.ended_at) if has("ended_at") else None,
        message.test_case_id if has("test_case_id") else None,
        message.latency_ms if has("latency_ms") else None,
        value_to_python(message.input) if has("input") else None,
        value_to_python(message.output) if has("output") else None,
        list(message.model_names),
        message.input_tokens if has("input_tokens") else None,
        message.output_tokens if has("output_tokens") else None,
        message.cost_usd if has("cost_usd") else None,
        [evaluator_result(result) for result in message.evaluator_results],
        struct_to_dict(message.metadata),
    )


def session_message(item: Session) -> res.Session:
    message = res.Session(
        session_id=item.session_id,
        experiment_name=item.experiment_name,
        status=item.status,
        model_names=item.model_names,
        evaluator_results=[evaluator_result_message(r) for r in item.evaluator_results],
        metadata=dict_to_struct(item.metadata),
    )
    for field in ("test_case_id", "latency_ms", "cost_usd", "input_tokens", "output_tokens"):
        value = getattr(item, field)
        if value is not None:
            setattr(message, field, value)
    for field in ("started_at", "ended_at"):
        value = getattr(item, field)
        if value is not None:
            getattr(message, field).CopyFrom(to_timestamp(value))
    for field in ("input", "output"):
        value = getattr(item, field)
        if value is not None:
            getattr(message, field).CopyFrom(python_to_value(value))
    return message


def sessions_page(
    page: Page[Session], request: svc.ListSessionsRequest
) -> svc.ListSessionsResponse:
    return svc.ListSessionsResponse(
        data=[session_message(item) for item in page.items],
        pagination=pagination(page),
        filter=request.filter,
    )
