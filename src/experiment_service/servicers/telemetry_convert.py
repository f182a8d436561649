"""TelemetryService messages <-> the telemetry domain."""

from __future__ import annotations

import orjson

from experiment_service.api.intake.v2 import telemetry_pb2 as tel
from experiment_service.domain.listing import Page
from experiment_service.domain.telemetry.annotations import (
    Annotation,
    AnnotationFilter,
    AnnotationInput,
)
from experiment_service.domain.telemetry.atif import Trajectory
from experiment_service.domain.telemetry.chat_completions import ChatCompletion
from experiment_service.domain.telemetry.contexts import EvaluationContext
from experiment_service.domain.telemetry.model import (
    SessionTelemetry,
    Span,
    SpanGroup,
    Trace,
    Usage,
)
from experiment_service.domain.telemetry.reads import SessionFilter, SpanFilter
from experiment_service.servicers.fields import (
    optional,
    optional_struct,
    optional_time,
    optional_value,
    set_present,
)
from experiment_service.servicers.intake_convert import pagination
from experiment_service.servicers.json_values import (
    dict_to_struct,
    python_to_value,
    struct_to_dict,
)
from experiment_service.servicers.timestamps import to_timestamp

# Filter fields -> span columns; the experiment is named `evaluation_id` (or, deprecated,
# `experiment_id`) in the API and is the experiment's name.
_SPAN_FILTER_COLUMNS = {
    "session_id": "session_id",
    "trace_id": "trace_id",
    "parent_span_id": "parent_span_id",
    "evaluation_id": "experiment_name",
    "experiment_id": "experiment_name",
    "test_case_id": "test_case_id",
    "source": "source",
    "kind": "kind",
    "status": "status",
    "model": "model",
    "tool_name": "tool_name",
    "provider": "provider",
    "agent_id": "agent_id",
    "agent_name": "agent_name",
}
_TRACE_FILTER_COLUMNS = {
    "id": "trace_id",
    "session_id": "session_id",
    "status": "status",
    "evaluation_id": "experiment_name",
    "experiment_id": "experiment_name",
    "test_case_id": "test_case_id",
}


def session_filter(message: tel.WorkspaceSessionFilter) -> SessionFilter:
    equals = {field: getattr(message, field) for field in ("test_case_id", "status")}
    return SessionFilter(
        experiment_name=optional(message, "evaluation_id"),
        equals={field: value for field, value in equals.items() if message.HasField(field)},
        started_at_gte=optional_time(message, "started_at_gte"),
        started_at_lte=optional_time(message, "started_at_lte"),
    )


def sessions_page(
    page: Page[SessionTelemetry], sort: str, request: tel.ListWorkspaceSessionsRequest
) -> tel.ListWorkspaceSessionsResponse:
    return tel.ListWorkspaceSessionsResponse(
        data=[session_message(item) for item in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )


def span_filter(message: tel.SpanFilter | tel.TraceFilter) -> SpanFilter:
    columns = _SPAN_FILTER_COLUMNS if isinstance(message, tel.SpanFilter) else _TRACE_FILTER_COLUMNS
    equals = {
        column: getattr(message, field)
        for field, column in columns.items()
        if message.HasField(field)
    }
    return SpanFilter(
        equals=equals,
        started_at_gte=optional_time(message, "started_at_gte"),
        started_at_lte=optional_time(message, "started_at_lte"),
    )


def evaluation_context(
    message: tel.IngestChatCompletionRequest | tel.IngestAtifRequest,
) -> EvaluationContext:
    """`evaluation_context` wins over the deprecated `experiment_context`."""
    evaluation = optional(message, "evaluation_context")
    legacy = optional(message, "experiment_context")
    experiment = optional(evaluation, "evaluation_id") if evaluation is not None else None
    test_case = optional(evaluation, "test_case_id") if evaluation is not None else None
    if experiment is None and legacy is not None:
        experiment = legacy.experiment_id or None
        test_case = test_case or optional(legacy, "test_case_id")
    return EvaluationContext(experiment, test_case)


def chat_completion(message: tel.IngestChatCompletionRequest) -> ChatCompletion:
    return ChatCompletion(
        request=optional_struct(message, "request"),
        response=optional_struct(message, "response"),
        context=evaluation_context(message),
        session_id=optional(message, "session_id"),
        trace_id=optional(message, "trace_id"),
        provider=optional(message, "provider"),
        cost_usd=optional(message, "cost_usd"),
        cost_input_usd=optional(message, "cost_input_usd"),
        cost_output_usd=optional(message, "cost_output_usd"),
    )


def trajectory(message: tel.IngestAtifRequest) -> Trajectory:
    return Trajectory(
        schema_version=message.schema_version,
        agent=optional_struct(message, "agent"),
        steps=[struct_to_dict(step) for step in message.steps],
        session_id=optional(message, "session_id"),
        trajectory_id=optional(message, "trajectory_id"),
        final_metrics=optional_struct(message, "final_metrics"),
        subagent_trajectories=[struct_to_dict(sub) for sub in message.subagent_trajectories],
        context=evaluation_context(message),
    )


def annotation_input(message: tel.CreateAnnotationRequest) -> AnnotationInput:
    return AnnotationInput(
        session_id=message.session_id,
        kind=message.kind,
        span_id=optional(message, "span_id"),
        value=optional_value(message, "value"),
        value_type=optional(message, "value_type"),
        name=optional(message, "name"),
        text=optional(message, "text"),
        metadata=optional_struct(message, "metadata"),
    )


def annotation_message(item: Annotation) -> tel.Annotation:
    message = tel.Annotation(
        annotation_id=item.id,
        workspace=item.workspace,
        session_id=item.session_id,
        kind=item.kind,
        created_at=to_timestamp(item.created_at),
        ingested_at=to_timestamp(item.ingested_at),
    )
    set_present(
        message,
        span_id=item.span_id,
        created_by=item.created_by,
        value_type=item.value_type,
        name=item.name,
        text=item.text,
    )
    if item.value is not None:
        message.value.CopyFrom(python_to_value(item.value))
    if item.metadata is not None:
        message.metadata.CopyFrom(dict_to_struct(item.metadata))
    return message


def annotation_filter(message: tel.AnnotationFilter) -> AnnotationFilter:
    names = ("span_id", "session_id", "kind", "name", "value_text", "created_by")
    return AnnotationFilter(
        equals={name: getattr(message, name) for name in names if message.HasField(name)},
        value_numeric_gte=optional(message, "value_numeric_gte"),
        value_numeric_lte=optional(message, "value_numeric_lte"),
        created_at_gte=optional_time(message, "created_at_gte"),
        created_at_lte=optional_time(message, "created_at_lte"),
    )


def annotations_page(
    page: Page[Annotation], sort: str, request: tel.ListAnnotationsRequest
) -> tel.ListAnnotationsResponse:
    return tel.ListAnnotationsResponse(
        data=[annotation_message(item) for item in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )


def session_message(item: SessionTelemetry) -> tel.SessionTelemetry:
    message = tel.SessionTelemetry(
        id=item.id,
        workspace=item.workspace,
        status=item.status,
        trace_count=item.trace_count,
        span_count=item.span_count,
    )
    if item.started_at is not None:
        message.started_at.CopyFrom(to_timestamp(item.started_at))
    if item.ended_at is not None:
        message.ended_at.CopyFrom(to_timestamp(item.ended_at))
    set_present(
        message.evaluation_context,
        evaluation_id=item.experiment_name,
        test_case_id=item.test_case_id,
    )
    if item.duration_ms is not None:
        message.duration_ms = item.duration_ms
    _set_usage(message, item.usage, cost_field="cost_usd")
    return message


def _set_usage(
    message: tel.SessionTelemetry | tel.Trace | tel.Span, usage: Usage, cost_field: str
) -> None:
    for field in ("input_tokens", "output_tokens", "cached_tokens", "total_tokens"):
        value = getattr(usage, field)
        if value is not None:
            setattr(message, field, int(value))
    for field, target in (
        ("cost_usd", cost_field),
        ("cost_input_usd", "cost_input_usd"),
        ("cost_output_usd", "cost_output_usd"),
    ):
        value = getattr(usage, field)
        if value is not None:
            setattr(message, target, float(value))


def span_message(span: Span) -> tel.Span:
    message = tel.Span(
        span_id=span.span_id,
        session_id=span.session_id,
        workspace=span.workspace,
        kind=span.kind,
        source=span.source,
        trace_id=span.trace_id,
        started_at=to_timestamp(span.started_at),
        status=span.status,
        ingested_at=to_timestamp(span.ingested_at),
    )
    _context(message.evaluation_context, span)
    if span.ended_at is not None:
        message.ended_at.CopyFrom(to_timestamp(span.ended_at))
    set_present(
        message,
        parent_span_id=span.parent_span_id,
        name=span.name,
        error_type=span.error_type,
        error_message=span.error_message,
        provider=span.provider,
        model=span.model,
        agent_id=span.agent_id,
        agent_name=span.agent_name,
        tool_name=span.tool_name,
        input=span.input,
        output=span.output,
        raw_attributes=(
            orjson.dumps(span.raw_attributes).decode() if span.raw_attributes is not None else None
        ),
    )
    usage = Usage(
        span.input_tokens,
        span.output_tokens,
        span.cached_tokens,
        span.total_tokens,
        span.cost_usd,
        span.cost_input_usd,
        span.cost_output_usd,
    )
    _set_usage(message, usage, cost_field="cost_total_usd")
    if span.cost_source is not None:
        message.cost_source = span.cost_source
    return message


def _context(message: tel.EvaluationContext, span: Span) -> None:
    if span.experiment_name is not None:
        message.evaluation_id = span.experiment_name
    if span.test_case_id is not None:
        message.test_case_id = span.test_case_id


def trace_message(trace: Trace) -> tel.Trace:
    root = trace.root
    message = tel.Trace(
        id=root.trace_id,
        root_span_id=root.span_id,
        session_id=root.session_id,
        workspace=root.workspace,
        started_at=to_timestamp(root.started_at),
        status=root.status,
    )
    _context(message.evaluation_context, root)
    if root.experiment_name is not None:
        message.experiment_context.experiment_id = root.experiment_name
        if root.test_case_id is not None:
            message.experiment_context.test_case_id = root.test_case_id
    if root.ended_at is not None:
        message.ended_at.CopyFrom(to_timestamp(root.ended_at))
    set_present(
        message,
        duration_ms=root.duration_ms,
        name=root.name,
        input=root.input,
        output=root.output,
        span_count=trace.span_count,
        error_count=trace.error_count,
    )
    if trace.usage is not None:
        _set_usage(message, trace.usage, cost_field="cost_usd")
    message.spans.extend(span_message(span) for span in trace.spans)
    return message


def spans_page(page: Page[Span], sort: str, request: tel.ListSpansRequest) -> tel.ListSpansResponse:
    return tel.ListSpansResponse(
        data=[span_message(span) for span in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )


def traces_page(
    page: Page[Trace], sort: str, request: tel.ListTracesRequest
) -> tel.ListTracesResponse:
    return tel.ListTracesResponse(
        data=[trace_message(trace) for trace in page.items],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
    )


def groups_page(
    page: Page[SpanGroup], sort: str, fields: list[str], request: tel.ListSpanGroupsRequest
) -> tel.ListSpanGroupsResponse:
    return tel.ListSpanGroupsResponse(
        data=[
            tel.SpanGroup(group=group.group, span_count=group.span_count) for group in page.items
        ],
        pagination=pagination(page),
        sort=sort,
        filter=request.filter,
        grouped_by=fields,
    )
