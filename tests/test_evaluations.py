"""Evaluations through NVIDIA's SDK: the seed's experiments under their newer name and shapes,
with group membership, pinning, rollup sorts and filters, and their sessions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from nemo_platform import BadRequestError, ConflictError, NeMoPlatform, NotFoundError

from tests.test_rest_intake import session
from tests.test_telemetry import (
    CHILD,
    ROOT,
    TRACE,
    base,
    export_request,
    post_protobuf,
)


@pytest.fixture
def sdk(rest_base: str, workspace: str) -> Iterator[NeMoPlatform]:
    with NeMoPlatform(base_url=rest_base, workspace=workspace) as client:
        yield client


def ingest(http: httpx.Client, workspace: str, *sessions: dict[str, Any]) -> None:
    reply = http.post(f"{base(workspace)}/ingest/sessions", json={"sessions": list(sessions)})
    assert reply.status_code == 201, reply.text


def scored(name: str, session_id: str, value: float, **fields: Any) -> dict[str, Any]:
    return {
        **session(session_id, **fields),
        "experiment_name": name,
        "evaluator_results": [{"name": "reward", "data_type": "NUMERIC", "value": value}],
    }


def test_both_vocabularies_see_one_experiment(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    group = sdk.experiment_groups.create(workspace=workspace, name="baselines")
    created = sdk.evaluations.create(
        workspace=workspace,
        name="eval-a",
        dataset_name="gsm8k",
        dataset_version="v2",
        experiment_ids=[group.id],
        metadata={"team": "math"},
        status="running",
        parent_evaluation_id="eval-0",
    )
    assert created.experiment_ids == [group.id] and created.experiment_group_id == group.id
    assert created.run_count == 0 and created.pinned_at is None
    assert created.parent_experiment_id == "eval-0" and created.metadata == {"team": "math"}

    # Sessions reported for the experiment of that name are the evaluation's runs.
    ingest(
        http,
        workspace,
        scored("eval-a", "s1", 0.5, cost_usd=0.1, test_case_id="t1"),
        scored("eval-a", "s2", 1.0, cost_usd=0.3, test_case_id="t2"),
    )
    # Spans naming the evaluation add a run whose agent is the spans' agent.
    spans = export_request(
        TRACE,
        [
            (
                ROOT,
                b"",
                "agent",
                0,
                50,
                {
                    "nemo.evaluation.name": "eval-a",
                    "session.id": "s3",
                    "gen_ai.agent.name": "solver",
                    "gen_ai.agent.version": "7",
                },
            ),
            (CHILD, ROOT, "llm", 5, 40, {"gen_ai.usage.cached_tokens": 12}),
        ],
    )
    assert post_protobuf(http, workspace, spans).status_code == 200
    evaluation = sdk.evaluations.retrieve("eval-a", workspace=workspace)
    assert evaluation.run_count == 3 and evaluation.test_case_count == 3
    assert evaluation.agent_names == ["solver"] and evaluation.agent_versions == ["7"]
    assert evaluation.aggregate_scores["reward"].mean == pytest.approx(0.75)
    assert evaluation.cost_usd is not None and evaluation.cost_usd.sum == pytest.approx(0.4)
    experiment = http.get(f"{base(workspace)}/experiments/eval-a").json()
    assert experiment["run_count"] == 3 and experiment["agent_names"] == ["solver"]
    assert experiment["experiment_group_id"] == group.id

    sessions = sdk.evaluations.sessions.list("eval-a", workspace=workspace, sort="-cost_total_usd")
    assert [s.session_id for s in sessions.data] == ["s2", "s1", "s3"]
    assert sessions.data[0].evaluator_scores == {"reward": 1.0}
    assert sessions.data[0].evaluation_name == "eval-a" and sessions.data[0].trace_id == ""
    from_spans = sessions.data[2]
    assert from_spans.trace_id == TRACE.hex() and from_spans.root_span_id == ROOT.hex()
    assert from_spans.cached_tokens == 12 and from_spans.latency_ms == pytest.approx(50)
    summary = sdk.evaluations.sessions.list(
        "eval-a", workspace=workspace, mode="summary", filter={"test_case_id": "t1"}
    )
    assert [(s.session_id, s.input) for s in summary.data] == [("s1", None)]

    # An experiment registered through /experiments is an evaluation too.
    reply = http.post(
        f"{base(workspace)}/experiments",
        json={"name": "exp-b", "agent_name": "a", "agent_version": "1", "dataset_name": "d"},
    )
    assert reply.status_code == 201
    names = [e.name for e in sdk.evaluations.list(workspace=workspace).data]
    assert names == ["exp-b", "eval-a"]

    sdk.evaluations.delete("eval-a", workspace=workspace)
    with pytest.raises(NotFoundError):
        sdk.evaluations.retrieve("eval-a", workspace=workspace)
    assert http.get(f"{base(workspace)}/experiments/eval-a").status_code == 404


def test_membership_updates_and_immutable_fields(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    first = sdk.experiment_groups.create(workspace=workspace, name="first")
    second = sdk.experiment_groups.create(workspace=workspace, name="second")
    sdk.evaluations.create(
        workspace=workspace, name="e", dataset_name="d", experiment_ids=[first.id]
    )
    with pytest.raises(ConflictError):
        sdk.evaluations.create(workspace=workspace, name="e", dataset_name="d")
    # The SDK's exist_ok reads the existing evaluation back on 409.
    existing = sdk.evaluations.create(
        workspace=workspace, name="e", dataset_name="d", exist_ok=True
    )
    assert existing.experiment_ids == [first.id]

    merged = sdk.evaluations.patch(
        "e", workspace=workspace, experiment_ids=[first.id, second.id], root_cause="timeouts"
    )
    assert merged.experiment_ids == [first.id, second.id] and merged.root_cause == "timeouts"
    assert merged.dataset_name == "d"
    counts = {
        g.name: g.experiment_count for g in sdk.experiment_groups.list(workspace=workspace).data
    }
    assert counts == {"first": 1, "second": 1}
    with pytest.raises(BadRequestError):
        sdk.evaluations.patch("e", workspace=workspace, experiment_ids=[])
    with pytest.raises(BadRequestError):
        sdk.evaluations.patch("e", workspace=workspace, experiment_ids=["grp_missing"])
    assert sdk.evaluations.retrieve("e", workspace=workspace).experiment_ids == [
        first.id,
        second.id,
    ]

    replaced = sdk.evaluations.update(
        "e", workspace=workspace, body_name="e", dataset_name="d", experiment_ids=[second.id]
    )
    assert replaced.experiment_ids == [second.id] and replaced.root_cause is None
    with pytest.raises(ConflictError):
        sdk.evaluations.update("e", workspace=workspace, body_name="e", dataset_name="other")

    nested = http.post(
        f"{base(workspace)}/evaluations",
        json={"name": "x", "dataset_name": "d", "metadata": {"team": {"name": "math"}}},
    )
    assert nested.status_code == 422, nested.text
    assert nested.json()["detail"][0]["loc"] == ["body", "metadata", "team"]
    missing = http.post(f"{base(workspace)}/evaluations", json={"name": "x"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "dataset_name"]
    bad_link = http.patch(
        f"{base(workspace)}/evaluations/e", json={"metadata": {"n": 1}, "source_link": "nope"}
    )
    assert bad_link.status_code == 422
    assert {tuple(d["loc"]) for d in bad_link.json()["detail"]} == {
        ("body", "metadata", "n"),
        ("body", "source_link"),
    }
    # A refusal names the field the caller sent (here the deprecated single group id).
    spaced = http.put(
        f"{base(workspace)}/evaluations/e",
        json={
            "name": "e",
            "dataset_name": "d",
            "experiment_ids": None,
            "experiment_group_id": f"{first.id} ",
        },
    )
    assert spaced.status_code == 422
    assert spaced.json()["detail"] == [
        {
            "loc": ["body", "experiment_group_id"],
            "msg": "Must be a name: no '/' or NUL, no leading or trailing whitespace",
            "type": "string_pattern_mismatch",
        }
    ]
    document = http.get("/openapi.json").json()
    request = document["components"]["schemas"]["EvaluationRequest"]["properties"]
    assert (
        request["experiment_group_id"]["pattern"] == request["experiment_ids"]["items"]["pattern"]
    )


def test_pinning_and_rollup_sorts_and_filters(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    for name, rewards, team in (("low", [0.1, 0.3], "a"), ("high", [0.9], "b"), ("none", [], "a")):
        sdk.evaluations.create(
            workspace=workspace, name=name, dataset_name="d", metadata={"team": team}
        )
        if rewards:
            ingest(
                http,
                workspace,
                *[scored(name, f"{name}-{i}", value) for i, value in enumerate(rewards)],
            )
    listing = sdk.evaluations.list(workspace=workspace)
    assert [e.name for e in listing.data] == ["none", "high", "low"]

    pinned = sdk.evaluations.pin("low", workspace=workspace)
    assert pinned.pinned_at is not None
    assert [e.name for e in sdk.evaluations.list(workspace=workspace).data] == [
        "low",
        "none",
        "high",
    ]
    only_pinned = sdk.evaluations.list(workspace=workspace, filter={"is_pinned": True})
    assert [e.name for e in only_pinned.data] == ["low"]
    assert sdk.evaluations.unpin("low", workspace=workspace).pinned_at is None
    assert sdk.evaluations.unpin("low", workspace=workspace).pinned_at is None

    best = sdk.evaluations.list(workspace=workspace, sort="-evaluators.reward.mean")
    assert [e.name for e in best.data] == ["high", "low", "none"]
    by_runs = sdk.evaluations.list(workspace=workspace, sort="-run_count,name")
    assert [e.name for e in by_runs.data] == ["low", "high", "none"]
    good = sdk.evaluations.list(
        workspace=workspace, filter={"evaluators": {"reward": {"mean": {"$gte": 0.5}}}}
    )
    assert [e.name for e in good.data] == ["high"]
    dotted = http.get(
        f"{base(workspace)}/evaluations",
        params={"filter[run_count][$gte]": "2", "filter[metadata.team]": "a"},
    )
    assert dotted.status_code == 200, dotted.text
    assert [e["name"] for e in dotted.json()["data"]] == ["low"]
    team_a = sdk.evaluations.list(workspace=workspace, filter={"metadata": {"team": "a"}})
    assert sorted(e.name for e in team_a.data) == ["low", "none"]

    unknown = http.get(f"{base(workspace)}/evaluations", params={"sort": "-evaluators.reward"})
    assert unknown.status_code == 400, unknown.text
    assert "Unknown metric 'evaluators.reward'" in unknown.json()["detail"]


def test_evaluations_pool_per_test_case_where_experiments_pool_per_session(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    sdk.evaluations.create(workspace=workspace, name="rep", dataset_name="d")
    ingest(
        http,
        workspace,
        scored("rep", "a", 0.2, test_case_id="t1", cost_usd=0.1, latency_ms=100),
        scored("rep", "b", 0.6, test_case_id="t1", cost_usd=0.3, latency_ms=300),
        scored("rep", "c", 1.0, test_case_id="t2", cost_usd=0.5, latency_ms=200),
        scored("rep", "d", 0.0),
    )
    evaluation = sdk.evaluations.retrieve("rep", workspace=workspace)
    # Test cases t1 (mean 0.4), t2 (1.0) and the session without one (0.0).
    reward = evaluation.aggregate_scores["reward"]
    assert reward.count == 3 and reward.mean == pytest.approx(1.4 / 3)
    assert reward.median == pytest.approx(0.4) and reward.sum == pytest.approx(1.4)
    assert evaluation.cost_usd is not None and evaluation.latency_ms is not None
    assert evaluation.cost_usd.count == 2 and evaluation.cost_usd.sum == pytest.approx(0.7)
    assert evaluation.latency_ms.median == pytest.approx(200)
    assert evaluation.test_case_count == 3 and evaluation.run_count == 4
    # The seed's experiment view of the same runs pools per session.
    experiment = http.get(f"{base(workspace)}/experiments/rep").json()
    assert experiment["aggregate_scores"]["reward"]["count"] == 4
    assert experiment["aggregate_scores"]["reward"]["mean"] == pytest.approx(0.45)
    assert experiment["cost_usd"]["sum"] == pytest.approx(0.9)
    # Sorting by a rollup uses the evaluation's (per test case) values.
    sdk.evaluations.create(workspace=workspace, name="flat", dataset_name="d")
    ingest(http, workspace, scored("flat", "x", 0.45))
    ordered = sdk.evaluations.list(workspace=workspace, sort="evaluators.reward.mean")
    assert [e.name for e in ordered.data] == ["flat", "rep"]
