"""ATIF trajectories: NVIDIA's SDK reports an agent's run as a trajectory; it becomes a trace of
spans in its session, and a run of the experiment its context names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from nemo_platform import NeMoPlatform

from tests.test_telemetry import base, create_experiment, rollups

AGENT = {"name": "researcher", "version": "2.1", "model_name": "llama-3.1-70b"}
STEPS: list[dict[str, Any]] = [
    {
        "step_id": 1,
        "source": "system",
        "message": "You research.",
        "timestamp": "2025-01-10T10:00:00Z",
    },
    {
        "step_id": 2,
        "source": "user",
        "message": "Who wrote Dune?",
        "timestamp": "2025-01-10T10:00:01Z",
    },
    {
        "step_id": 3,
        "source": "agent",
        "timestamp": "2025-01-10T10:00:02Z",
        "message": [{"type": "text", "text": "Let me search."}],
        "tool_calls": [
            {"tool_call_id": "c1", "function_name": "search", "arguments": {"q": "Dune author"}},
            {"tool_call_id": "c2", "function_name": "delegate", "arguments": {"task": "verify"}},
        ],
        "observation": {
            "results": [
                {"source_call_id": "c1", "content": "Frank Herbert"},
                {
                    "source_call_id": "c2",
                    "content": "verified",
                    "subagent_trajectory_ref": [{"trajectory_id": "checker-1"}],
                },
            ]
        },
        "metrics": {"prompt_tokens": 120, "completion_tokens": 12, "cost_usd": 0.004},
    },
    {
        "step_id": 4,
        "source": "agent",
        "timestamp": "2025-01-10T10:00:05Z",
        "message": "Frank Herbert wrote Dune.",
        "metrics": {
            "prompt_tokens": 200,
            "completion_tokens": 8,
            "cached_tokens": 100,
            "cost_usd": 0.006,
        },
    },
]
SUBAGENT = {
    "trajectory_id": "checker-1",
    "session_id": "ignored",
    "agent": {"name": "checker", "version": "1"},
    "steps": [
        {
            "step_id": 1,
            "source": "agent",
            "message": "ok",
            "model_name": "small",
            "timestamp": "2025-01-10T10:00:03Z",
            "metrics": {"prompt_tokens": 5, "cost_usd": 0.001},
        },
    ],
}


@pytest.fixture
def sdk(rest_base: str, workspace: str) -> Iterator[NeMoPlatform]:
    with NeMoPlatform(base_url=rest_base, workspace=workspace) as client:
        yield client


def send(sdk: NeMoPlatform, workspace: str, **extra: Any) -> None:
    sdk.intake.ingest.atif.create(
        workspace=workspace,
        schema_version="ATIF-v1.7",
        session_id="traj-s",
        trajectory_id="traj-1",
        agent=AGENT,
        steps=STEPS,
        subagent_trajectories=[SUBAGENT],
        **extra,
    )


def test_a_trajectory_becomes_a_trace_of_spans_and_a_run(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    create_experiment(http, workspace, "exp")
    send(sdk, workspace, evaluation_context={"evaluation_id": "exp", "test_case_id": "dune"})
    spans = sdk.intake.spans.list(workspace=workspace, page_size=100, sort="started_at").data
    by_name = {span.name: span for span in spans}
    # The agent, two LLM steps, two tool calls, the subagent and its LLM step.
    assert sorted(by_name) == ["checker", "delegate", "llm", "researcher", "search"]
    assert len(spans) == 7
    root = by_name["researcher"]
    assert root.kind == "AGENT" and root.parent_span_id is None and root.source == "atif"
    assert root.input == "Who wrote Dune?" and root.output == "Frank Herbert wrote Dune."
    search = by_name["search"]
    assert search.kind == "TOOL" and search.output == "Frank Herbert"
    checker = by_name["checker"]
    assert checker.parent_span_id == by_name["delegate"].span_id
    llm_steps = [span for span in spans if span.kind == "LLM"]
    assert sorted(s.model for s in llm_steps) == ["llama-3.1-70b", "llama-3.1-70b", "small"]
    assert {s.session_id for s in spans} == {"traj-s"}

    session = sdk.intake.sessions.retrieve("traj-s", workspace=workspace)
    assert session.input_tokens == 325 and session.cost_usd == pytest.approx(0.011)
    assert session.duration_ms == pytest.approx(5000)
    experiment = rollups(http, workspace, "exp")
    assert experiment["run_count"] == 1
    assert experiment["cost_usd"]["sum"] == pytest.approx(0.011)
    assert experiment["latency_ms"]["sum"] == pytest.approx(5000)
    assert experiment["model_names"] == ["llama-3.1-70b", "small"]

    # The same trajectory again replaces its spans: nothing counts twice.
    send(sdk, workspace, evaluation_context={"evaluation_id": "exp", "test_case_id": "dune"})
    assert sdk.intake.sessions.retrieve("traj-s", workspace=workspace).span_count == 7
    assert rollups(http, workspace, "exp")["cost_usd"]["sum"] == pytest.approx(0.011)


def test_final_metrics_count_when_steps_have_none(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    sdk.intake.ingest.atif.create(
        workspace=workspace,
        schema_version="ATIF-v1.2",
        session_id="totals",
        agent={"name": "a", "version": "1"},
        steps=[{"step_id": 1, "source": "agent", "message": "done"}],
        final_metrics={"total_prompt_tokens": 40, "total_cost_usd": 0.5},
    )
    session = sdk.intake.sessions.retrieve("totals", workspace=workspace)
    assert session.input_tokens == 40 and session.cost_usd == pytest.approx(0.5)
    # Steps without timestamps say nothing of how long they took: no duration is made up.
    assert session.duration_ms is None


def test_refusals_store_nothing(http: httpx.Client, workspace: str) -> None:
    path = f"{base(workspace)}/ingest/atif"
    missing = http.post(
        path,
        json={
            "schema_version": "ATIF-v1.7",
            "agent": AGENT,
            "evaluation_context": {"evaluation_id": "nope"},
        },
    )
    assert missing.status_code == 400
    assert missing.json() == {
        "detail": "Experiment 'nope' must be created before it can be logged."
    }
    bad = http.post(
        path,
        json={
            "schema_version": "ATIF-v9",
            "agent": {"name": "a"},
            "steps": [
                {
                    "step_id": 0,
                    "source": "robot",
                    "timestamp": "yesterday",
                    "tool_calls": [{"arguments": {}}],
                }
            ],
            # A subagent's trajectory has the same shapes, declared once for both.
            "subagent_trajectories": [
                {"agent": {"version": "1"}, "steps": [{"step_id": 1, "source": "robot"}]}
            ],
        },
    )
    assert bad.status_code == 422
    locations = {tuple(item["loc"]) for item in bad.json()["detail"]}
    assert {
        ("body", "schema_version"),
        ("body", "agent", "version"),
        ("body", "steps", 0, "step_id"),
        ("body", "steps", 0, "source"),
        ("body", "steps", 0, "timestamp"),
        ("body", "steps", 0, "tool_calls", 0, "function_name"),
        ("body", "subagent_trajectories", 0, "agent", "name"),
        ("body", "subagent_trajectories", 0, "steps", 0, "source"),
    } <= locations
    assert http.post(path, json={"schema_version": "ATIF-v1.7"}).status_code == 422
    assert http.get(f"{base(workspace)}/spans").json()["pagination"]["total_results"] == 0
