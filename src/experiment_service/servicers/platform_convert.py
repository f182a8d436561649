"""Translation between platform API messages and domain objects."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from google.protobuf import descriptor

from experiment_service.api.platform.v2 import experiments_pb2 as ex
from experiment_service.api.platform.v2 import resources_pb2 as res
from experiment_service.domain.listing import Page
from experiment_service.domain.models import Aggregate
from experiment_service.domain.platform.models import (
    Dataset,
    DatasetRecord,
    Evaluator,
    PlatformExperiment,
    Prompt,
    PromptVersion,
    ScoreResult,
    Span,
    Trace,
    TraceSummary,
)
from experiment_service.rest import dialects as rest
from experiment_service.servicers.fields import optional, optional_value
from experiment_service.servicers.json_values import (
    dict_to_struct,
    python_to_value,
    struct_to_dict,
)
from experiment_service.servicers.timestamps import to_timestamp


class _LinkedPage(Protocol):
    """A list response of the Platform API: it links the next and previous pages."""

    next: str
    previous: str


Response = TypeVar("Response", bound=_LinkedPage)


def _set_optional(message: Any, **fields: Any) -> None:
    for name, value in fields.items():
        if value is not None:
            setattr(message, name, value)


def _set_time(message: Any, **fields: Any) -> None:
    for name, value in fields.items():
        if value is not None:
            getattr(message, name).CopyFrom(to_timestamp(value))


def _set_value(message: Any, **fields: Any) -> None:
    for name, value in fields.items():
        if value is not None:
            getattr(message, name).CopyFrom(python_to_value(value))


def page_response(
    response_class: Callable[..., Response],
    method: descriptor.MethodDescriptor,
    request: Any,
    page: Page[Any],
    items: list[Any],
) -> Response:
    """{count, next, previous, results}, the links being this method's REST path and query."""
    response = response_class(count=page.total, results=items)
    binding = rest.http_binding(method)
    if binding is None:
        return response
    path = binding.path
    for field in binding.path_fields:
        path = path.replace("{" + field + "}", str(getattr(request, field)))
    query: dict[str, Any] = {"page_size": page.request.page_size}
    if getattr(request, "sort_by", ""):
        query["sort_by"] = request.sort_by
    if "status" in request.DESCRIPTOR.fields_by_name and request.HasField("status"):
        query["status"] = request.status

    def link(number: int) -> str:
        return f"{path}/?{urlencode({'page': number, **query})}"

    if page.request.page < page.total_pages:
        response.next = link(page.request.page + 1)
    if 1 < page.request.page <= page.total_pages + 1:
        response.previous = link(page.request.page - 1)
    return response


def dataset_message(dataset: Dataset) -> res.Dataset:
    message = res.Dataset(
        id=dataset.id, name=dataset.name, status=dataset.status, row_count=dataset.row_count
    )
    _set_optional(message, description=dataset.description)
    _set_time(message, created_at=dataset.created_at, updated_at=dataset.updated_at)
    return message


def record(message: res.DatasetRow) -> DatasetRecord:
    return DatasetRecord(
        unique_id="",
        dataset_id="",
        input=optional_value(message, "input"),
        expected_output=optional_value(message, "expected_output"),
        metadata=struct_to_dict(message.metadata),
    )


def record_message(item: DatasetRecord) -> res.DatasetRow:
    message = res.DatasetRow(
        unique_id=item.unique_id, dataset_id=item.dataset_id, metadata=dict_to_struct(item.metadata)
    )
    _set_value(message, input=item.input, expected_output=item.expected_output)
    _set_time(message, created_at=item.created_at)
    return message


def prompt_message(prompt: Prompt) -> res.Prompt:
    message = res.Prompt(id=prompt.id, name=prompt.name, latest_version=prompt.latest_version)
    _set_optional(message, description=prompt.description, deployed_version=prompt.deployed_version)
    _set_time(message, created_at=prompt.created_at, updated_at=prompt.updated_at)
    return message


def version_spec(message: res.PromptVersion) -> PromptVersion:
    return PromptVersion(
        id="",
        prompt_id="",
        version=0,
        messages=[{"role": m.role, "content": m.content} for m in message.messages],
        model=message.model,
        temperature=optional(message, "temperature"),
        max_tokens=optional(message, "max_tokens"),
        top_p=optional(message, "top_p"),
        frequency_penalty=optional(message, "frequency_penalty"),
        presence_penalty=optional(message, "presence_penalty"),
        extra_params=struct_to_dict(message.extra_params),
    )


def version_message(version: PromptVersion) -> res.PromptVersion:
    message = res.PromptVersion(
        id=version.id,
        prompt_id=version.prompt_id,
        version=version.version,
        messages=[res.PromptMessage(**m) for m in version.messages],
        model=version.model,
        extra_params=dict_to_struct(version.extra_params),
        variables=version.variables,
    )
    _set_optional(
        message,
        temperature=version.temperature,
        max_tokens=version.max_tokens,
        top_p=version.top_p,
        frequency_penalty=version.frequency_penalty,
        presence_penalty=version.presence_penalty,
    )
    _set_time(message, created_at=version.created_at)
    return message


def evaluator_spec(message: res.Evaluator) -> Evaluator:
    return Evaluator(
        id="",
        name=message.name,
        slug=message.evaluator_slug,
        description=optional(message, "description"),
        type=message.type,
        score_value_type=message.score_value_type,
        config=struct_to_dict(message.config),
        categories=list(message.categories),
    )


def evaluator_changes(message: res.Evaluator) -> dict[str, Any]:
    """PATCH semantics: the fields present (non-empty) in the request."""
    changes: dict[str, Any] = {}
    for field, attribute in (
        ("name", "name"),
        ("evaluator_slug", "slug"),
        ("type", "type"),
        ("score_value_type", "score_value_type"),
    ):
        if getattr(message, field):
            changes[attribute] = getattr(message, field)
    if message.HasField("description"):
        changes["description"] = message.description
    if message.HasField("config"):
        changes["config"] = struct_to_dict(message.config)
    if message.categories:
        changes["categories"] = list(message.categories)
    return changes


def evaluator_message(evaluator: Evaluator) -> res.Evaluator:
    message = res.Evaluator(
        id=evaluator.id,
        name=evaluator.name,
        evaluator_slug=evaluator.slug,
        type=evaluator.type,
        score_value_type=evaluator.score_value_type,
        config=dict_to_struct(evaluator.config),
        categories=evaluator.categories,
    )
    _set_optional(message, description=evaluator.description)
    _set_time(message, created_at=evaluator.created_at, updated_at=evaluator.updated_at)
    return message


def score_message(score: ScoreResult) -> res.Score:
    message = res.Score(score_value_type=score.score_value_type)
    _set_value(message, value=score.value)
    _set_optional(message, error=score.error)
    return message


def workflows(messages: Any) -> list[dict[str, Any]]:
    return [{"type": w.type, "config": struct_to_dict(w.config)} for w in messages]


def experiment_message(experiment: PlatformExperiment) -> res.Experiment:
    message = res.Experiment(
        id=experiment.id,
        name=experiment.name,
        dataset_id=experiment.dataset_id,
        workflows=[
            res.Workflow(type=w["type"], config=dict_to_struct(w.get("config") or {}))
            for w in experiment.workflows
        ],
        evaluator_slugs=experiment.evaluator_slugs,
        status=experiment.status,
        progress=experiment.progress,
    )
    _set_optional(
        message, description=experiment.description, error_message=experiment.error_message
    )
    _set_time(
        message,
        created_at=experiment.created_at,
        updated_at=experiment.updated_at,
        started_at=experiment.started_at,
        completed_at=experiment.completed_at,
    )
    return message


def span_message(span: Span) -> res.Span:
    message = res.Span(
        id=span.id,
        kind=span.kind,
        name=span.name,
        status=span.status,
        prompt_tokens=span.prompt_tokens,
        completion_tokens=span.completion_tokens,
        cost=span.cost,
        latency=span.latency,
    )
    _set_value(message, input=span.input, output=span.output)
    _set_optional(message, model=span.model, error=span.error)
    _set_time(message, start_time=span.start_time, end_time=span.end_time)
    return message


def trace_message(trace: Trace) -> res.Trace:
    message = res.Trace(
        id=trace.id,
        experiment_id=trace.experiment_id,
        dataset_row_id=trace.dataset_row_id or "",
        status=trace.status,
        total_cost=trace.total_cost,
        total_tokens=trace.total_prompt_tokens + trace.total_completion_tokens,
        total_prompt_tokens=trace.total_prompt_tokens,
        total_completion_tokens=trace.total_completion_tokens,
        metadata=dict_to_struct(trace.metadata),
        spans=[span_message(span) for span in trace.spans],
    )
    for slug, score in trace.scores.items():
        message.scores[slug].CopyFrom(score_message(score))
    _set_value(
        message, input=trace.input, output=trace.output, expected_output=trace.expected_output
    )
    _set_optional(
        message, model=trace.model, duration=trace.duration, error_message=trace.error_message
    )
    _set_time(message, start_time=trace.start_time, end_time=trace.end_time)
    return message


def aggregate_message(aggregate: Aggregate) -> res.Aggregate:
    return res.Aggregate(**dataclasses.asdict(aggregate))


def summary_message(summary: TraceSummary) -> ex.TraceSummary:
    message = ex.TraceSummary(**summary_fields(summary))
    if summary.avg_latency is not None:
        message.avg_latency = summary.avg_latency
    return message


def summary_fields(summary: TraceSummary) -> dict[str, Any]:
    return {
        "total_count": summary.total_count,
        "total_cost": summary.total_cost,
        "total_tokens": summary.total_prompt_tokens + summary.total_completion_tokens,
        "total_prompt_tokens": summary.total_prompt_tokens,
        "total_completion_tokens": summary.total_completion_tokens,
        "scores": {slug: aggregate_message(a) for slug, a in summary.scores.items()},
    }
