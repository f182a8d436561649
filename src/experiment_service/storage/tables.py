"""Table definitions. Schema changes go through a migration in `migrations/versions/`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    and_,
    case,
    func,
    null,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonColumn = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JsonColumn,
    }


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (`__table__` is typed as any FROM clause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def live_unique_index(name: str, *columns: str, where: str = "deleted_at IS NULL") -> Index:
    """A unique index over live rows only, so a soft-deleted row frees its name at once."""
    condition = text(where)
    return Index(name, *columns, unique=True, sqlite_where=condition, postgresql_where=condition)


class ExperimentGroupRow(Base):
    __tablename__ = "experiment_groups"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        live_unique_index("uq_experiment_groups_live_name", "workspace", "name"),
        Index("ix_experiment_groups_workspace_created", "workspace", "created_at"),
    )


class ExperimentRow(Base):
    """An experiment of either dialect: recorded by intake, or run by the platform."""

    __tablename__ = "experiments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    experiment_group_id: Mapped[str | None] = mapped_column(String(64))
    agent_name: Mapped[str | None] = mapped_column(String(255))
    agent_version: Mapped[str | None] = mapped_column(String(255))
    dataset_name: Mapped[str | None] = mapped_column(String(255))
    dataset_version: Mapped[str | None] = mapped_column(String(255))
    source_link: Mapped[str | None] = mapped_column(Text)
    # `metadata` is reserved on declarative classes, hence the attribute name.
    metadata_json: Mapped[dict[str, Any]] = mapped_column("metadata", JsonColumn)
    description: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    # Kept by ingestion in the same transaction as the runs, so lists can sort by it.
    run_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped in every transaction that changes the experiment's runs; keys the rollup cache.
    runs_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Platform experiments only: what the service runs, and how far it got.
    dataset_id: Mapped[str | None] = mapped_column(String(64))
    workflows: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonColumn)
    evaluator_slugs: Mapped[list[str] | None] = mapped_column(JsonColumn)
    status: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Traces no longer pending or running; progress is finished_count / run_count.
    finished_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # Intake evaluations only: pinned to the top of lists, derived from another evaluation,
    # and why it ended as it did (`status` then holds the producer's own lifecycle status).
    pinned_at: Mapped[datetime | None]
    parent_experiment_id: Mapped[str | None] = mapped_column(String(64))
    root_cause: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # Intake names experiments; platform experiments are addressed by id.
        live_unique_index(
            "uq_experiments_live_name",
            "workspace",
            "kind",
            "name",
            where="deleted_at IS NULL AND kind = 'intake'",
        ),
        Index("ix_experiments_workspace_created", "workspace", "kind", "created_at"),
        Index("ix_experiments_group", "experiment_group_id"),
    )


class RunRow(Base):
    """One run of an experiment: an intake session or a platform trace."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    experiment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("experiments.id", ondelete="CASCADE")
    )
    session_id: Mapped[str] = mapped_column(String(255))
    test_case_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    latency_ms: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    # NULL when the run's sender gave no count: missing is not zero.
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    model_names: Mapped[list[str]] = mapped_column(JsonColumn)
    input: Mapped[Any | None] = mapped_column(JsonColumn)
    output: Mapped[Any | None] = mapped_column(JsonColumn)
    # Every evaluator result as given: [{name, data_type, value, string_value}, ...].
    evaluator_results: Mapped[list[dict[str, Any]]] = mapped_column(JsonColumn)
    metadata_json: Mapped[dict[str, Any]] = mapped_column("metadata", JsonColumn)
    ingested_at: Mapped[datetime]
    # Platform traces only.
    dataset_row_id: Mapped[str | None] = mapped_column(String(64))
    expected_output: Mapped[Any | None] = mapped_column(JsonColumn)
    error_message: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    # The runner's claim on a trace of a built-in workflow: whoever holds an unexpired lease
    # runs it; a crashed runner's lease expires and another takes the trace over.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        Index("uq_runs_experiment_session", "experiment_id", "session_id", unique=True),
        Index("ix_runs_experiment_started", "experiment_id", "started_at"),
        # Covering indexes: rollups read count, sum and exact percentiles off them.
        Index("ix_runs_experiment_cost", "experiment_id", "cost_usd"),
        Index("ix_runs_experiment_latency", "experiment_id", "latency_ms"),
        Index("ix_runs_experiment_status", "experiment_id", "status"),
    )


# A run's total tokens: input plus output, NULL when its sender gave neither count.
RUN_TOTAL_TOKENS: ColumnElement[int | None] = case(
    (and_(RunRow.input_tokens.is_(None), RunRow.output_tokens.is_(None)), null()),
    else_=func.coalesce(RunRow.input_tokens, 0) + func.coalesce(RunRow.output_tokens, 0),
)


class SessionScoreRow(Base):
    """A run's mean NUMERIC/BOOLEAN score for one evaluator: the unit of `aggregate_scores`."""

    __tablename__ = "session_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    experiment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("experiments.id", ondelete="CASCADE")
    )
    session_id: Mapped[str] = mapped_column(String(255))
    # The run's test case, copied here so that comparisons group scores by test case from
    # this table's own index, without a join per score.
    test_case_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_session_scores_experiment_session", "experiment_id", "session_id"),
        Index("ix_session_scores_experiment_name_value", "experiment_id", "name", "value"),
        Index(
            "ix_session_scores_experiment_case",
            "experiment_id",
            "test_case_id",
            "name",
            "value",
        ),
    )


class ExperimentGroupMembershipRow(Base):
    """An experiment's membership of a group after its first (`experiment_group_id`)."""

    __tablename__ = "experiment_group_memberships"

    experiment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("experiments.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Where the group stands in the experiment's `experiment_ids` (1 is the second).
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_experiment_group_memberships_group", "group_id"),)


class ExperimentModelRow(Base):
    """How many of an experiment's runs used a model; kept by ingestion."""

    __tablename__ = "experiment_models"

    experiment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("experiments.id", ondelete="CASCADE"), primary_key=True
    )
    model_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    run_count: Mapped[int] = mapped_column(Integer)


class ExperimentRollupRow(Base):
    """Rollups computed at `runs_version`; valid while the experiment's version is unchanged."""

    __tablename__ = "experiment_rollups"

    experiment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("experiments.id", ondelete="CASCADE"), primary_key=True
    )
    runs_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonColumn)
    computed_at: Mapped[datetime]


class SpanRow(Base):
    """A step of a trace: one workflow step or one evaluator run."""

    __tablename__ = "spans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    input: Mapped[Any | None] = mapped_column(JsonColumn)
    output: Mapped[Any | None] = mapped_column(JsonColumn)
    model: Mapped[str | None] = mapped_column(String(255))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    latency: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime | None]
    end_time: Mapped[datetime | None]

    __table_args__ = (Index("ix_spans_run_position", "run_id", "position"),)


class TelemetrySpanRow(Base):
    """A span as a producer sent it (OTLP), identified by (workspace, trace_id, span_id).

    Its session is `session.id` / `gen_ai.conversation.id`, else the session of its trace,
    else one per trace; the experiment and test case are as the span names them. Runs of
    experiments are summaries of these rows (see domain/telemetry/runs.py).
    """

    __tablename__ = "telemetry_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(255))
    trace_id: Mapped[str] = mapped_column(String(32))
    span_id: Mapped[str] = mapped_column(String(16))
    parent_span_id: Mapped[str | None] = mapped_column(String(16))
    session_id: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    duration_ms: Mapped[float | None] = mapped_column(Float)
    experiment_name: Mapped[str | None] = mapped_column(String(255))
    test_case_id: Mapped[str | None] = mapped_column(String(255))
    model: Mapped[str | None] = mapped_column(String(255))
    provider: Mapped[str | None] = mapped_column(String(255))
    agent_id: Mapped[str | None] = mapped_column(String(255))
    agent_name: Mapped[str | None] = mapped_column(String(255))
    agent_version: Mapped[str | None] = mapped_column(String(255))
    tool_name: Mapped[str | None] = mapped_column(String(255))
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    cached_tokens: Mapped[int | None] = mapped_column(Integer)
    total_tokens: Mapped[int | None] = mapped_column(Integer)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    cost_input_usd: Mapped[float | None] = mapped_column(Float)
    cost_output_usd: Mapped[float | None] = mapped_column(Float)
    # "reported" or "computed" (from tokens and the model's configured price); NULL: no cost.
    cost_source: Mapped[str | None] = mapped_column(String(16))
    input: Mapped[str | None] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    error_type: Mapped[str | None] = mapped_column(String(255))
    error_message: Mapped[str | None] = mapped_column(Text)
    raw_attributes: Mapped[dict[str, Any]] = mapped_column(JsonColumn)
    ingested_at: Mapped[datetime]

    __table_args__ = (
        Index("uq_telemetry_spans_identity", "workspace", "trace_id", "span_id", unique=True),
        Index("ix_telemetry_spans_session", "workspace", "session_id", "started_at"),
        # Root spans (parent NULL) in time order: the trace list.
        Index(
            "ix_telemetry_spans_parent_started", "workspace", "parent_span_id", "started_at", "id"
        ),
        Index("ix_telemetry_spans_started", "workspace", "started_at", "id"),
        Index("ix_telemetry_spans_span_id", "workspace", "span_id"),
        Index("ix_telemetry_spans_experiment", "workspace", "experiment_name", "session_id"),
    )


class AnnotationRow(Base):
    """A remark on a session or one of its spans (NVIDIA's annotations); loose references."""

    __tablename__ = "annotations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    session_id: Mapped[str] = mapped_column(String(255))
    span_id: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    # feedback's value and text labels' value; numeric labels' value in value_numeric.
    value_text: Mapped[str | None] = mapped_column(Text)
    value_numeric: Mapped[float | None] = mapped_column(Float)
    value_type: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(256))
    text: Mapped[str | None] = mapped_column(Text)
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column("metadata", JsonColumn)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    ingested_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_annotations_workspace_created", "workspace", "created_at", "id"),
        Index("ix_annotations_session", "workspace", "session_id", "created_at"),
        Index("ix_annotations_span", "workspace", "span_id"),
    )


class EvaluatorResultRow(Base):
    """One evaluator result on a session or span (NVIDIA's evaluator results).

    `experiment_id` is set on results that came inside a session summary: they belong to
    that run and are replaced with it. Results created on their own have none; they score
    every run of their session, whenever it arrives.
    """

    __tablename__ = "evaluator_results"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    session_id: Mapped[str] = mapped_column(String(255))
    span_id: Mapped[str] = mapped_column(String(255))
    experiment_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("experiments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(255))
    data_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    string_value: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    ingested_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_evaluator_results_workspace_created", "workspace", "created_at", "id"),
        Index("ix_evaluator_results_session", "workspace", "session_id"),
        Index("ix_evaluator_results_span", "workspace", "span_id", "created_at"),
        Index("ix_evaluator_results_experiment_session", "experiment_id", "session_id"),
    )


class ApiKeyRow(Base):
    """A platform API key of one workspace; only a SHA-256 of the key is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_api_keys_workspace", "workspace"),)


class DatasetRow(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_datasets_workspace_created", "workspace", "created_at"),)


class DatasetRecordRow(Base):
    """One row of a dataset (a test case)."""

    __tablename__ = "dataset_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unique_id: Mapped[str] = mapped_column(String(64), unique=True)
    dataset_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("datasets.id", ondelete="CASCADE")
    )
    input: Mapped[Any] = mapped_column(JsonColumn)
    expected_output: Mapped[Any | None] = mapped_column(JsonColumn)
    metadata_json: Mapped[dict[str, Any]] = mapped_column("metadata", JsonColumn)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_dataset_rows_dataset", "dataset_id", "id"),)


class PromptRow(Base):
    __tablename__ = "prompts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    deployed_version: Mapped[int | None] = mapped_column(Integer)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_prompts_workspace_created", "workspace", "created_at"),)


class PromptVersionRow(Base):
    __tablename__ = "prompt_versions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    prompt_id: Mapped[str] = mapped_column(String(64), ForeignKey("prompts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JsonColumn)
    model: Mapped[str] = mapped_column(String(255))
    temperature: Mapped[float | None] = mapped_column(Float)
    max_tokens: Mapped[int | None] = mapped_column(Integer)
    top_p: Mapped[float | None] = mapped_column(Float)
    frequency_penalty: Mapped[float | None] = mapped_column(Float)
    presence_penalty: Mapped[float | None] = mapped_column(Float)
    extra_params: Mapped[dict[str, Any]] = mapped_column(JsonColumn)
    variables: Mapped[list[str]] = mapped_column(JsonColumn)
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_prompt_versions_number", "prompt_id", "version", unique=True),)


class EvaluatorRow(Base):
    __tablename__ = "evaluators"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16))
    score_value_type: Mapped[str] = mapped_column(String(16))
    config: Mapped[dict[str, Any]] = mapped_column(JsonColumn)
    categories: Mapped[list[str]] = mapped_column(JsonColumn)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("uq_evaluators_workspace_slug", "workspace", "slug", unique=True),
        Index("ix_evaluators_workspace_created", "workspace", "created_at"),
    )
