"""ATIF trajectories (Agent Trajectory Interchange Format, v1.0 to v1.7) as traces of spans.

A trajectory becomes one trace in its session: an AGENT span for the agent, an LLM span per
agent step (model, message, tokens and cost from the step's metrics), a TOOL span per tool call
beneath its step (arguments in, the matching observation out), and each embedded subagent
trajectory as an AGENT span beneath the tool call whose observation refers to it (else beneath
the agent). Ids are derived from the session and the trajectory id, so sending a trajectory
again replaces its spans. The spans then go through the same ingestion as OTLP spans.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from experiment_service.domain.errors import FieldViolation, InvalidArgument
from experiment_service.domain.telemetry.contexts import EvaluationContext, require_experiment
from experiment_service.domain.telemetry.ingest import TelemetryIngest
from experiment_service.domain.telemetry.model import ReceivedSpan, SpanSource
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.storage.database import Database
from experiment_service.types import JSON, JSONObject

SCHEMA_VERSIONS = tuple(f"ATIF-v1.{minor}" for minor in range(8))
STEP_SOURCES = ("system", "user", "agent")
MAX_STEPS = 10_000


@dataclass(frozen=True)
class Trajectory:
    """A trajectory as the API takes it (the nested parts as JSON objects)."""

    schema_version: str
    agent: JSONObject | None
    steps: list[JSONObject] = field(default_factory=list)
    session_id: str | None = None
    trajectory_id: str | None = None
    final_metrics: JSONObject | None = None
    subagent_trajectories: list[JSONObject] = field(default_factory=list)
    context: EvaluationContext = field(default_factory=EvaluationContext)


class AtifTrajectories:
    def __init__(self, database: Database, ingest: TelemetryIngest) -> None:
        self._db = database
        self._ingest = ingest

    async def ingest(self, workspace: str, trajectory: Trajectory) -> None:
        violations = Violations()
        violations.name("workspace", workspace)
        violations.one_of("schema_version", trajectory.schema_version, SCHEMA_VERSIONS)
        trajectory.context.validate(violations)
        violations.text("session_id", trajectory.session_id, MAX_NAME_LENGTH)
        violations.text("trajectory_id", trajectory.trajectory_id, MAX_NAME_LENGTH)
        _validate(violations, trajectory.agent, trajectory.steps, "")
        for index, sub in enumerate(trajectory.subagent_trajectories):
            _validate(
                violations, sub.get("agent"), sub.get("steps"), f"subagent_trajectories[{index}]."
            )
        violations.raise_if_any()
        async with self._db.transaction() as session:
            await require_experiment(session, workspace, trajectory.context)
        session_id = trajectory.session_id or trajectory.trajectory_id or secrets.token_hex(16)
        seed = f"{session_id}\x00{trajectory.trajectory_id or secrets.token_hex(16)}"
        builder = _Builder(seed, session_id, trajectory.context)
        embedded = _embedded({"subagent_trajectories": trajectory.subagent_trajectories})
        builder.trajectory(
            trajectory.agent or {}, trajectory.steps, trajectory.final_metrics, None, "", embedded
        )
        unreadable = await self._ingest.ingest(workspace, builder.spans, [])
        if unreadable:  # e.g. a token count that is not a whole number: nothing stored
            raise InvalidArgument([FieldViolation("steps", unreadable[0], "value_error")])


def _validate(violations: Violations, agent: Any, steps: Any, prefix: str) -> None:
    scope = violations.within(prefix)
    if not isinstance(agent, dict):
        scope.add("agent", "Field required", "missing")
    else:
        for name in ("name", "version"):
            if not isinstance(agent.get(name), str) or not agent[name]:
                scope.add(f"agent.{name}", "Field required", "missing")
    if steps is None:
        return
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        scope.add("steps", f"Input should be a list of at most {MAX_STEPS} steps", "list_type")
        return
    for index, step in enumerate(steps):
        where = scope.within(f"steps[{index}].")
        step_id = step.get("step_id")
        if isinstance(step_id, bool) or not isinstance(step_id, int) or step_id < 1:
            where.add(
                "step_id", "Input should be a whole number of at least 1", "greater_than_equal"
            )
        if step.get("source") not in STEP_SOURCES:
            where.add("source", "Input should be 'system', 'user' or 'agent'", "union_tag_invalid")
        if step.get("timestamp") is not None and _time(step.get("timestamp")) is None:
            where.add("timestamp", "Input should be a valid datetime", "datetime_from_date_parsing")
        for call_index, call in enumerate(step.get("tool_calls") or []):
            for name in ("tool_call_id", "function_name"):
                if not isinstance(call, dict) or not isinstance(call.get(name), str):
                    where.add(f"tool_calls[{call_index}].{name}", "Field required", "missing")


class _Builder:
    """Spans of one trace, with ids derived from the trajectory's identity."""

    def __init__(self, seed: str, session_id: str, context: EvaluationContext) -> None:
        self._seed = seed
        self.trace_id = hashlib.sha256(seed.encode()).hexdigest()[:32]
        self._session_id = session_id
        self._context = context
        self._now = time.time_ns()
        self.spans: list[ReceivedSpan] = []

    def _span_id(self, path: str) -> str:
        return hashlib.sha256(f"{self._seed}\x00{path}".encode()).hexdigest()[:16]

    def _add(
        self,
        path: str,
        parent: str | None,
        name: str,
        start: int,
        end: int,
        attributes: dict[str, JSON],
    ) -> str:
        span_id = self._span_id(path)
        values = {"session.id": self._session_id, **attributes}
        if parent is None:
            values.update(self._context.attributes())
        self.spans.append(
            ReceivedSpan(
                trace_id=self.trace_id,
                span_id=span_id,
                parent_span_id=parent,
                name=name,
                start_unix_nano=start,
                end_unix_nano=max(end, start) if end else 0,
                status_code=0,
                status_message="",
                attributes={key: value for key, value in values.items() if value is not None},
                source=SpanSource.ATIF,
            )
        )
        return span_id

    def trajectory(
        self,
        agent: JSONObject,
        steps: list[JSONObject],
        final_metrics: JSONObject | None,
        parent: str | None,
        path: str,
        embedded: dict[str, JSONObject],
    ) -> None:
        # A span's end is known only from timestamps (0: unknown, so no duration is made up).
        stamps = [_time(step.get("timestamp")) for step in steps] or [None]
        first = stamps[0] or self._now
        times = [stamp or first for stamp in stamps]
        ends = [
            (stamps[index + 1] or 0) if stamp and index + 1 < len(stamps) else (stamp or 0)
            for index, stamp in enumerate(stamps)
        ]
        model = agent.get("model_name")
        messages = [(step.get("source"), _text(step.get("message"))) for step in steps]
        first_input = next((text for source, text in messages if source == "user"), None)
        last_output = next(
            (text for source, text in reversed(messages) if source == "agent" and text), None
        )
        has_step_metrics = any(isinstance(step.get("metrics"), dict) for step in steps)
        root_attributes: dict[str, JSON] = {
            "openinference.span.kind": "AGENT",
            "agent.name": agent.get("name"),
            "agent.version": agent.get("version"),
            "input.value": first_input,
            "output.value": last_output,
        }
        if not has_step_metrics and isinstance(final_metrics, dict):
            # Totals only where no step says what it used, so nothing counts twice.
            root_attributes.update(_metrics(final_metrics, "total_"))
        root_end = (stamps[-1] or 0) if stamps[0] else 0
        root = self._add(
            f"{path}agent", parent, str(agent.get("name")), times[0], root_end, root_attributes
        )
        pending_input: list[str] = []
        for index, step in enumerate(steps):
            text = _text(step.get("message"))
            if step.get("source") != "agent":
                if text:
                    pending_input.append(text)
                continue
            start, end = times[index], ends[index]
            step_span = self._add(
                f"{path}step-{index}",
                root,
                "llm",
                start,
                end,
                {
                    "openinference.span.kind": "LLM",
                    "llm.model_name": step.get("model_name") or model,
                    "input.value": "\n".join(pending_input) or None,
                    "output.value": text or step.get("reasoning_content"),
                    **_metrics(step.get("metrics"), ""),
                },
            )
            pending_input = []
            results = {
                str(result.get("source_call_id")): result
                for result in (step.get("observation") or {}).get("results") or []
                if isinstance(result, dict)
            }
            for call_index, call in enumerate(step.get("tool_calls") or []):
                result = results.get(str(call.get("tool_call_id")), {})
                tool_span = self._add(
                    f"{path}step-{index}-call-{call_index}",
                    step_span,
                    str(call.get("function_name")),
                    start,
                    end,
                    {
                        "openinference.span.kind": "TOOL",
                        "tool.name": call.get("function_name"),
                        "input.value": orjson.dumps(call.get("arguments") or {}).decode(),
                        "output.value": _text(result.get("content")),
                    },
                )
                for ref_index, ref in enumerate(result.get("subagent_trajectory_ref") or []):
                    sub = embedded.pop(str((ref or {}).get("trajectory_id")), None)
                    if sub is not None:
                        embedded.update(_embedded(sub))
                        self.trajectory(
                            sub.get("agent") or {},
                            sub.get("steps") or [],
                            sub.get("final_metrics"),
                            tool_span,
                            f"{path}step-{index}-call-{call_index}-sub-{ref_index}-",
                            embedded,
                        )
        if parent is None:  # subagents that no observation refers to hang beneath the agent
            while embedded:
                key = next(iter(embedded))
                sub = embedded.pop(key)
                embedded.update(_embedded(sub))
                self.trajectory(
                    sub.get("agent") or {},
                    sub.get("steps") or [],
                    sub.get("final_metrics"),
                    root,
                    f"sub-{key}-",
                    embedded,
                )


def _embedded(trajectory: JSONObject) -> dict[str, JSONObject]:
    """A trajectory's embedded subagent trajectories by id (unnamed ones by position)."""
    subs = trajectory.get("subagent_trajectories") or []
    return {
        str(sub.get("trajectory_id") or f"{trajectory.get('trajectory_id', '')}#{index}"): sub
        for index, sub in enumerate(subs)
        if isinstance(sub, dict)
    }


def _metrics(metrics: Any, prefix: str) -> dict[str, JSON]:
    """Step metrics (or final metrics, with `total_`) in OpenInference's attribute names."""
    if not isinstance(metrics, dict):
        return {}
    return {
        "llm.token_count.prompt": metrics.get(f"{prefix}prompt_tokens"),
        "llm.token_count.completion": metrics.get(f"{prefix}completion_tokens"),
        "llm.token_count.cached": metrics.get(f"{prefix}cached_tokens"),
        "llm.cost.total": metrics.get(f"{prefix}cost_usd"),
    }


def _text(message: Any) -> str | None:
    """A message as text: a string, or its text parts (images as their paths)."""
    if isinstance(message, str):
        return message or None
    if isinstance(message, list):
        parts = []
        for part in message:
            if isinstance(part, dict) and part.get("type") == "text":
                parts.append(str(part.get("text", "")))
            elif isinstance(part, dict) and part.get("type") == "image":
                parts.append(f"[image: {(part.get('source') or {}).get('path', '')}]")
        return "\n".join(parts) or None
    return None


def _time(value: Any) -> int | None:
    """An ISO 8601 timestamp in Unix nanoseconds; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return int(moment.timestamp() * 1_000_000) * 1000
