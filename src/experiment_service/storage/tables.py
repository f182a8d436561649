"""Table definitions. Schema changes go through a migration in `migrations/versions/`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
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


def column_values(row: Base) -> dict[str, Any]:
    """The row's values keyed by column name, for Core statements."""
    return {
        column.name: getattr(row, attribute.key)
        for attribute in row.__mapper__.column_attrs
        for column in attribute.columns
    }


def live_unique_index(name: str, *columns: str) -> Index:
    """A unique index over live rows only, so a soft-deleted row frees its name at once."""
    where = text("deleted_at IS NULL")
    return Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)


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

    __table_args__ = (
        live_unique_index("uq_experiments_live_name", "workspace", "kind", "name"),
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
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    model_names: Mapped[list[str]] = mapped_column(JsonColumn)
    input: Mapped[Any | None] = mapped_column(JsonColumn)
    output: Mapped[Any | None] = mapped_column(JsonColumn)
    # Every evaluator result as given: [{name, data_type, value, string_value}, ...].
    evaluator_results: Mapped[list[dict[str, Any]]] = mapped_column(JsonColumn)
    metadata_json: Mapped[dict[str, Any]] = mapped_column("metadata", JsonColumn)
    ingested_at: Mapped[datetime]

    __table_args__ = (
        Index("uq_runs_experiment_session", "experiment_id", "session_id", unique=True),
        Index("ix_runs_experiment_started", "experiment_id", "started_at"),
        # Covering indexes: rollups read count, sum and exact percentiles off them.
        Index("ix_runs_experiment_cost", "experiment_id", "cost_usd"),
        Index("ix_runs_experiment_latency", "experiment_id", "latency_ms"),
    )


class SessionScoreRow(Base):
    """A run's mean NUMERIC/BOOLEAN score for one evaluator: the unit of `aggregate_scores`."""

    __tablename__ = "session_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    experiment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("experiments.id", ondelete="CASCADE")
    )
    session_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_session_scores_experiment_session", "experiment_id", "session_id"),
        Index("ix_session_scores_experiment_name_value", "experiment_id", "name", "value"),
    )


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
