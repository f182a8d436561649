"""Every number the service stores or computes with has a documented bound: a value past it is
refused naming the field, and sums and means of stored values stay finite."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from experiment_service.domain.validation import MAX_COST_USD
from tests.test_telemetry import (
    CHILD,
    ROOT,
    TRACE,
    base,
    create_experiment,
    export_request,
    post_protobuf,
)


def refused_at(reply: httpx.Response, *loc: Any) -> None:
    assert reply.status_code == 422, reply.text
    assert [list(d["loc"]) for d in reply.json()["detail"]] == [["body", *loc]], reply.text


def test_costs_scores_and_latencies_past_their_bounds_are_refused(
    http: httpx.Client, workspace: str
) -> None:
    create_experiment(http, workspace, "exp")
    call = {
        "session_id": "s",
        "evaluation_context": {"evaluation_id": "exp"},
        "request": {"model": "m", "messages": [{"role": "user", "content": "?"}]},
        "response": {"choices": [{"message": {"role": "assistant", "content": "!"}}]},
    }
    path = f"{base(workspace)}/ingest/chat-completions"
    refused_at(http.post(path, json={**call, "cost_usd": 4.99e307}), "cost_usd")
    refused_at(http.post(path, json={**call, "cost_input_usd": 1.4e308}), "cost_input_usd")
    refused_at(
        http.post(path, json={**call, "cost_details": {"cache": 2e9}}), "cost_details", "cache"
    )
    assert http.post(path, json={**call, "cost_usd": MAX_COST_USD}).status_code == 201
    assert http.post(path, json={**call, "cost_usd": MAX_COST_USD}).status_code == 201
    # Two calls at the bound: the session's cost is their finite sum.
    session = http.get(f"{base(workspace)}/sessions/s").json()
    assert session["cost_usd"] == 2 * MAX_COST_USD

    summary = {
        "session_id": "t",
        "experiment_name": "exp",
        "status": "success",
        "started_at": "2024-01-15T09:30:00Z",
        "ended_at": "2024-01-15T09:30:02Z",
    }
    sessions = f"{base(workspace)}/ingest/sessions"
    for field, value in (("cost_usd", 1.5e9), ("latency_ms", 2e12)):
        reply = http.post(sessions, json={"sessions": [{**summary, field: value}]})
        refused_at(reply, "sessions", 0, field)
    score = {"name": "s", "data_type": "NUMERIC", "value": 1e13}
    reply = http.post(sessions, json={"sessions": [{**summary, "evaluator_results": [score]}]})
    refused_at(reply, "sessions", 0, "evaluator_results", 0, "value")
    result = {"span_id": "root", "session_id": "t", "name": "s", "data_type": "NUMERIC"}
    reply = http.post(f"{base(workspace)}/evaluator-results", json={**result, "value": -1e13})
    refused_at(reply, "value")
    assert http.get(f"{base(workspace)}/experiments/exp").json()["run_count"] == 1


def test_a_span_past_the_cost_bound_is_not_stored_and_says_why(
    http: httpx.Client, workspace: str
) -> None:
    request = export_request(
        TRACE,
        [
            (ROOT, b"", "agent", 0, 100, {"session.id": "huge"}),
            (CHILD, ROOT, "llm", 10, 20, {"llm.cost.total": 1e300}),
        ],
    )
    reply = post_protobuf(http, workspace, request)
    assert reply.status_code == 200
    [error] = reply.json()["errors"]
    assert CHILD.hex() in error and "from 0 to 1e+09" in error
    assert http.get(f"{base(workspace)}/spans/{CHILD.hex()}").status_code == 404
    assert http.get(f"{base(workspace)}/sessions/huge").json()["span_count"] == 1


@pytest.mark.parametrize(
    ("metrics", "field"),
    [({"cost": 2e9}, "cost"), ({"latency": 1e10}, "latency")],
)
def test_platform_numbers_past_their_bounds_are_refused(
    platform: httpx.Client, metrics: dict[str, float], field: str
) -> None:
    dataset = platform.post("/api/datasets/", json={"name": "d"}).json()
    platform.post(f"/api/datasets/{dataset['id']}/logs/", json={"input": {"q": 1}})
    hours = {"allow_submission": True, "timeout_hours": 6.2e16}
    body = {"name": "e", "dataset_id": dataset["id"], "workflows": [{"type": "custom"}]}
    too_long = platform.post(
        "/api/v2/experiments/", json={**body, "workflows": [{"type": "custom", "config": hours}]}
    )
    assert too_long.status_code == 400
    assert list(too_long.json()) == ["workflows.0.config.timeout_hours"], too_long.text
    created = platform.post("/api/v2/experiments/", json=body).json()
    trace = platform.get(f"/api/v2/experiments/{created['id']}/logs/list/").json()["results"][0]
    reply = platform.patch(
        f"/api/v2/experiments/{created['id']}/logs/{trace['id']}/",
        json={"output": "x", "metrics": metrics},
    )
    assert reply.status_code == 400
    assert list(reply.json()) == [f"metrics.{field}"], reply.text
