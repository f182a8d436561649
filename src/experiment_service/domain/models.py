"""The domain's view of its resources, independent of storage rows and wire messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Aggregate:
    """Statistics over per-session values (exact percentiles, see `rollups.py`)."""

    sum: float
    mean: float
    median: float
    p90: float
    p95: float
    p99: float
    count: int


@dataclass(frozen=True)
class PerTestCaseRollups:
    """The rollups that NVIDIA's evaluations pool per test case: each test case's mean over
    its runs first (a run without a test case is one of its own), then the statistics across
    test cases."""

    aggregate_scores: dict[str, Aggregate] = field(default_factory=dict)
    cost_usd: Aggregate | None = None
    latency_ms: Aggregate | None = None


@dataclass(frozen=True)
class Rollups:
    run_count: int = 0
    evaluator_names: list[str] = field(default_factory=list)
    model_names: list[str] = field(default_factory=list)
    aggregate_scores: dict[str, Aggregate] = field(default_factory=dict)
    cost_usd: Aggregate | None = None
    latency_ms: Aggregate | None = None
    test_case_count: int = 0
    tokens: Aggregate | None = None
    agent_names: list[str] = field(default_factory=list)
    agent_versions: list[str] = field(default_factory=list)
    # Computed when an evaluations read first asks for it (None until then).
    by_test_case: PerTestCaseRollups | None = None


@dataclass(frozen=True)
class ExperimentGroup:
    id: str
    workspace: str
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    experiment_count: int


@dataclass(frozen=True)
class ExperimentGroupSpec:
    """The writable fields of a group."""

    name: str
    description: str | None = None


@dataclass(frozen=True)
class ExperimentSpec:
    """The writable fields of an intake experiment (the seed's `ExperimentRequest`)."""

    name: str
    agent_name: str
    agent_version: str
    dataset_name: str
    experiment_group_id: str | None = None
    dataset_version: str | None = None
    source_link: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    summary: str | None = None


# Fields that identify what was measured; changing them would make a different experiment.
IDENTITY_FIELDS = ("name", "agent_name", "agent_version", "dataset_name", "dataset_version")


@dataclass(frozen=True)
class Experiment:
    id: str
    workspace: str
    spec: ExperimentSpec
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    rollups: Rollups


# Sessions and their results are built a thousand at a time per ingested batch: slotted,
# non-frozen dataclasses construct several times faster than frozen ones.
@dataclass(slots=True)
class EvaluatorResult:
    """One evaluator's verdict: `value` for NUMERIC (float) and BOOLEAN (bool) results,
    `string_value` for TEXT and CATEGORICAL ones."""

    name: str
    data_type: str
    value: float | bool | None = None
    string_value: str | None = None
    error: str | None = None
    """Why an evaluator run by the service could not score (platform traces only)."""


@dataclass(slots=True)
class Session:
    """One run of an agent on one test case (an intake session, or a platform trace)."""

    session_id: str
    experiment_name: str
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    test_case_id: str | None = None
    latency_ms: float | None = None
    input: Any = None
    output: Any = None
    model_names: list[str] = field(default_factory=list)
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    evaluator_results: list[EvaluatorResult] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
