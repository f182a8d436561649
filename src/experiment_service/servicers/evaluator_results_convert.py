"""EvaluatorResultService messages <-> the evaluator-results domain."""

from __future__ import annotations

from experiment_service.api.intake.v2 import evaluator_results_pb2 as er
from experiment_service.domain.intake.evaluator_results import (
    EvaluatorResultFilter,
    EvaluatorResultInput,
    StoredEvaluatorResult,
)
from experiment_service.domain.listing import Page
from experiment_service.servicers.fields import optional, optional_time, set_present
from experiment_service.servicers.intake_convert import pagination
from experiment_service.servicers.timestamps import to_timestamp

_EQUALS_FILTERS = ("span_id", "session_id", "name", "data_type", "created_by")


def result_input(message: er.CreateEvaluatorResultRequest) -> EvaluatorResultInput:
    return EvaluatorResultInput(
        span_id=message.span_id,
        session_id=message.session_id,
        name=message.name,
        data_type=message.data_type,
        value=optional(message, "value"),
        string_value=optional(message, "string_value"),
        comment=optional(message, "comment"),
    )


def result_message(item: StoredEvaluatorResult) -> er.EvaluatorResult:
    message = er.EvaluatorResult(
        evaluator_result_id=item.id,
        span_id=item.span_id,
        session_id=item.session_id,
        workspace=item.workspace,
        name=item.name,
        data_type=item.data_type,
        created_at=to_timestamp(item.created_at),
        ingested_at=to_timestamp(item.ingested_at),
    )
    set_present(
        message,
        value=item.value,
        string_value=item.string_value,
        comment=item.comment,
        created_by=item.created_by,
    )
    return message


def result_filter(message: er.EvaluatorResultFilter) -> EvaluatorResultFilter:
    return EvaluatorResultFilter(
        equals={name: getattr(message, name) for name in _EQUALS_FILTERS if message.HasField(name)},
        value_gte=optional(message, "value_gte"),
        value_lte=optional(message, "value_lte"),
        created_at_gte=optional_time(message, "created_at_gte"),
        created_at_lte=optional_time(message, "created_at_lte"),
    )


def results_page(
    page: Page[StoredEvaluatorResult], sort: str, request: er.ListEvaluatorResultsRequest
) -> er.ListEvaluatorResultsResponse:
    return er.ListEvaluatorResultsResponse(
        data=[result_message(item) for item in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )
