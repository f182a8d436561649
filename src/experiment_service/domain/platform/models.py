"""The platform dialect's resources as the domain sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Dataset:
    id: str
    name: str
    description: str | None
    row_count: int
    created_at: datetime
    updated_at: datetime
    status: str = "ready"


@dataclass(frozen=True)
class DatasetRecord:
    """One dataset row (a test case)."""

    unique_id: str
    dataset_id: str
    input: Any
    expected_output: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Prompt:
    id: str
    name: str
    description: str | None
    deployed_version: int | None
    latest_version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PromptVersion:
    id: str
    prompt_id: str
    version: int
    messages: list[dict[str, str]]
    model: str
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    extra_params: dict[str, Any] = field(default_factory=dict)
    variables: list[str] = field(default_factory=list)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Evaluator:
    id: str
    name: str
    slug: str
    description: str | None
    type: str
    score_value_type: str
    config: dict[str, Any]
    categories: list[str]
    # None while the evaluator is a spec that has not been stored yet.
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ScoreResult:
    value: Any
    score_value_type: str
    error: str | None = None


@dataclass(frozen=True)
class PlatformExperiment:
    id: str
    name: str
    description: str | None
    dataset_id: str
    workflows: list[dict[str, Any]]
    evaluator_slugs: list[str]
    status: str
    progress: float
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True)
class Span:
    id: str
    kind: str
    name: str
    status: str
    input: Any
    output: Any
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    cost: float
    latency: float
    error: str | None
    start_time: datetime | None
    end_time: datetime | None


@dataclass(frozen=True)
class Trace:
    id: str
    experiment_id: str
    dataset_row_id: str | None
    status: str
    input: Any
    output: Any
    expected_output: Any
    model: str | None
    total_cost: float
    total_prompt_tokens: int
    total_completion_tokens: int
    duration: float | None
    scores: dict[str, ScoreResult]
    start_time: datetime | None
    end_time: datetime | None
    metadata: dict[str, Any]
    error_message: str | None
    spans: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class TraceSummary:
    total_count: int
    total_cost: float
    total_prompt_tokens: int
    total_completion_tokens: int
    avg_latency: float | None
    scores: dict[str, Any]


@dataclass(frozen=True)
class ExperimentEvent:
    """What a watcher of a platform experiment is sent."""

    experiment: PlatformExperiment
    trace_counts: dict[str, int]
    summary: TraceSummary
