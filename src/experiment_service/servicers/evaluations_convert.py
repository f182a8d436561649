"""EvaluationService messages <-> the evaluations domain."""

from __future__ import annotations

from experiment_service.api.intake.v2 import evaluations_pb2 as ev
from experiment_service.domain.intake.evaluation_sessions import EvaluationSession
from experiment_service.domain.intake.evaluations import (
    EQUALS_FILTERS,
    Evaluation,
    EvaluationFilter,
    EvaluationPatch,
    EvaluationSpec,
)
from experiment_service.domain.listing import Page
from experiment_service.servicers.fields import optional, optional_struct, set_present
from experiment_service.servicers.intake_convert import pagination, set_rollups
from experiment_service.servicers.json_values import value_to_python
from experiment_service.servicers.timestamps import from_timestamp, to_timestamp


def spec(message: ev.EvaluationRequest) -> EvaluationSpec:
    groups = list(message.experiment_ids)
    if not groups and message.HasField("experiment_group_id"):
        groups = [message.experiment_group_id]
    parent = optional(message, "parent_evaluation_id") or optional(message, "parent_experiment_id")
    return EvaluationSpec(
        name=message.name,
        dataset_name=message.dataset_name,
        experiment_ids=groups,
        dataset_version=optional(message, "dataset_version"),
        source_link=optional(message, "source_link"),
        metadata=optional_struct(message, "metadata") or {},
        description=optional(message, "description"),
        parent_evaluation_id=parent,
        status=optional(message, "status"),
        root_cause=optional(message, "root_cause"),
    )


def patch(message: ev.EvaluationPatch) -> EvaluationPatch:
    groups = (
        [value_to_python(value) for value in message.experiment_ids.values]
        if message.HasField("experiment_ids")
        else None
    )
    return EvaluationPatch(
        experiment_ids=groups,
        source_link=optional(message, "source_link"),
        metadata=optional_struct(message, "metadata"),
        description=optional(message, "description"),
        parent_evaluation_id=optional(message, "parent_evaluation_id"),
        status=optional(message, "status"),
        root_cause=optional(message, "root_cause"),
    )


def evaluation_message(item: Evaluation) -> ev.Evaluation:
    spec = item.spec
    message = ev.Evaluation(
        id=item.id,
        name=spec.name,
        workspace=item.workspace,
        experiment_ids=spec.experiment_ids,
        dataset_name=spec.dataset_name,
        metadata=spec.metadata,
        created_at=to_timestamp(item.created_at),
        updated_at=to_timestamp(item.updated_at),
        parent_experiment_id=spec.parent_evaluation_id or "",
        experiment_group_id=spec.experiment_ids[0] if spec.experiment_ids else "",
    )
    set_present(
        message,
        dataset_version=spec.dataset_version,
        source_link=spec.source_link,
        description=spec.description,
        parent_evaluation_id=spec.parent_evaluation_id,
        status=spec.status,
        root_cause=spec.root_cause,
    )
    if item.pinned_at is not None:
        message.pinned_at.CopyFrom(to_timestamp(item.pinned_at))
    set_rollups(message, item.rollups)
    return message


def evaluation_filter(message: ev.EvaluationFilter) -> EvaluationFilter:
    ranges = [
        (column, operator, from_timestamp(getattr(message, f"{column}_{operator}")))
        for column in ("created_at", "updated_at")
        for operator in ("gte", "lte")
        if message.HasField(f"{column}_{operator}")
    ]
    return EvaluationFilter(
        equals={name: getattr(message, name) for name in EQUALS_FILTERS if message.HasField(name)},
        group_id=optional(message, "experiment_group_id"),
        created_by=optional(message, "created_by"),
        ranges=ranges,
        is_deleted=message.is_deleted,
        is_pinned=optional(message, "is_pinned"),
        metadata=list(message.metadata),
        metrics=list(message.metrics),
    )


def evaluations_page(
    page: Page[Evaluation], sort: str, request: ev.ListEvaluationsRequest
) -> ev.ListEvaluationsResponse:
    return ev.ListEvaluationsResponse(
        data=[evaluation_message(item) for item in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )


def session_message(workspace: str, name: str, item: EvaluationSession) -> ev.EvaluationSession:
    message = ev.EvaluationSession(
        workspace=workspace,
        evaluation_name=name,
        experiment_name=name,
        session_id=item.session_id,
        trace_id=item.trace_id,
        root_span_id=item.root_span_id,
        status=item.status,
        input_tokens=item.input_tokens,
        output_tokens=item.output_tokens,
        cached_tokens=item.cached_tokens,
        evaluator_scores=item.scores,
    )
    set_present(
        message,
        test_case_id=item.test_case_id,
        latency_ms=item.latency_ms,
        input=item.input,
        output=item.output,
        cost_total_usd=item.cost_usd,
    )
    for field in ("started_at", "ended_at"):
        moment = getattr(item, field)
        if moment is not None:
            getattr(message, field).CopyFrom(to_timestamp(moment))
    return message


def sessions_page(
    page: Page[EvaluationSession], sort: str, request: ev.ListEvaluationSessionsRequest
) -> ev.ListEvaluationSessionsResponse:
    return ev.ListEvaluationSessionsResponse(
        data=[session_message(request.workspace, request.name, item) for item in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )
