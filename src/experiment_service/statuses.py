"""The closed vocabularies of the service: kinds, statuses and types, stored as their values.

Each is a `StrEnum`, so a member is its stored string (`RunStatus.PENDING == "pending"`) and
rows, JSON bodies and protos carry the plain value. A leaf module like `types.py`: every layer
may import it.
"""

from __future__ import annotations

from enum import StrEnum


class ExperimentKind(StrEnum):
    """Which API an experiment belongs to: registered by a producer, or run by the service."""

    INTAKE = "intake"
    PLATFORM = "platform"


class ExperimentStatus(StrEnum):
    """A platform experiment's life: pending until the runner takes it (custom workflows start
    running), then completed, failed or cancelled."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


UNFINISHED_EXPERIMENT = (ExperimentStatus.PENDING, ExperimentStatus.RUNNING)


class RunStatus(StrEnum):
    """A run's status: an intake session reports one of the finished ones; a platform trace
    waits (pending), is worked on (running), then finishes."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    ERROR = "error"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


UNFINISHED_RUN = (RunStatus.PENDING, RunStatus.RUNNING)
# What an intake producer may report for a session.
REPORTED_RUN_STATUSES = (RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.CANCELLED, RunStatus.UNKNOWN)


class DataType(StrEnum):
    """An evaluator result's type; NUMERIC and BOOLEAN results are scored (pooled in rollups)."""

    NUMERIC = "NUMERIC"
    BOOLEAN = "BOOLEAN"
    TEXT = "TEXT"
    CATEGORICAL = "CATEGORICAL"


SCORED_DATA_TYPES = (DataType.NUMERIC, DataType.BOOLEAN)


class ScoreValueType(StrEnum):
    """A platform evaluator's score type, as the Platform API names it."""

    NUMERICAL = "numerical"
    BOOLEAN = "boolean"
    CATEGORICAL = "categorical"
    TEXT = "text"

    @property
    def data_type(self) -> DataType:
        return _DATA_TYPES[self]

    @classmethod
    def of(cls, data_type: str) -> ScoreValueType | None:
        return _SCORE_VALUE_TYPES.get(data_type)


_DATA_TYPES = {
    ScoreValueType.NUMERICAL: DataType.NUMERIC,
    ScoreValueType.BOOLEAN: DataType.BOOLEAN,
    ScoreValueType.CATEGORICAL: DataType.CATEGORICAL,
    ScoreValueType.TEXT: DataType.TEXT,
}
_SCORE_VALUE_TYPES: dict[str, ScoreValueType] = {
    data_type: value_type for value_type, data_type in _DATA_TYPES.items()
}


class EvaluatorType(StrEnum):
    CODE = "code"
    LLM = "llm"
    HUMAN = "human"


class WorkflowType(StrEnum):
    """A workflow step: `custom` results are submitted by the caller; the built-ins run here."""

    CUSTOM = "custom"
    COMPLETION = "completion"
    PROMPT = "prompt"


class SpanKind(StrEnum):
    WORKFLOW = "workflow"
    EVALUATOR = "evaluator"


class SpanStatus(StrEnum):
    SUCCESS = "success"
    ERROR = "error"
