"""Platform experiments (seed 003): creation rules, custom-workflow traces, scoring, summary."""

from __future__ import annotations

import json
import time
from typing import Any

import grpc
import httpx
import pytest

from experiment_service.api.platform.v2 import experiments_pb2, experiments_pb2_grpc
from tests.support.server import RunningServer


def make_dataset(platform: httpx.Client, rows: int) -> str:
    dataset = platform.post("/api/datasets/", json={"name": "qa"}).json()
    if rows:
        batch = [
            {"input": {"question": f"{i} + {i}?"}, "expected_output": str(2 * i)}
            for i in range(rows)
        ]
        reply = platform.post(f"/api/datasets/{dataset['id']}/logs/batch/", json={"rows": batch})
        assert reply.status_code == 201
    return str(dataset["id"])


def make_evaluator(
    platform: httpx.Client,
    slug: str,
    config: dict[str, Any],
    kind: str = "code",
    value_type: str = "boolean",
) -> None:
    reply = platform.post(
        "/api/evaluators/",
        json={
            "name": slug,
            "evaluator_slug": slug,
            "type": kind,
            "score_value_type": value_type,
            "config": config,
        },
    )
    assert reply.status_code == 201, reply.text


def make_prompt(platform: httpx.Client) -> str:
    prompt = platform.post("/api/prompts/", json={"name": "p"}).json()
    platform.post(
        f"/api/prompts/{prompt['id']}/versions/",
        json={"messages": [{"role": "user", "content": "{{ question }}"}], "model": "m"},
    )
    return str(prompt["id"])


def create(platform: httpx.Client, **body: Any) -> httpx.Response:
    return platform.post("/api/v2/experiments/", json=body)


def all_traces(platform: httpx.Client, experiment_id: str) -> list[dict[str, Any]]:
    traces: list[dict[str, Any]] = []
    url: str | None = f"/api/v2/experiments/{experiment_id}/logs/list/?page_size=100"
    while url:
        page = platform.get(url).json()
        traces.extend(page["results"])
        url = page.get("next")
    return traces


def test_seed_examples_create_experiments(platform: httpx.Client) -> None:
    dataset_id = make_dataset(platform, 3)
    make_evaluator(platform, "response_quality_v1", {"function": "length", "min": 1})
    custom = create(
        platform,
        name="Custom Processing Experiment",
        description="Testing custom workflow",
        dataset_id=dataset_id,
        workflows=[{"type": "custom", "config": {"allow_submission": True, "timeout_hours": 24}}],
        evaluator_slugs=["response_quality_v1"],
    )
    assert custom.status_code == 201
    body = custom.json()
    assert body["status"] == "running" and body["id"]
    assert body["workflows"] == [
        {"type": "custom", "config": {"allow_submission": True, "timeout_hours": 24}}
    ]
    assert body["evaluator_slugs"] == ["response_quality_v1"]
    assert body["created_at"] and body["updated_at"]

    completion = create(
        platform,
        name="Completion Experiment",
        dataset_id=dataset_id,
        workflows=[
            {
                "type": "completion",
                "config": {"model": "gpt-4o-mini", "temperature": 0.7, "max_tokens": 150},
            }
        ],
        evaluator_slugs=["response_quality_v1"],
    )
    assert completion.status_code == 201 and completion.json()["status"] == "pending"
    prompt_id = make_prompt(platform)
    chained = create(
        platform,
        name="Prompt then completion",
        dataset_id=dataset_id,
        workflows=[
            {"type": "prompt", "config": {"prompt_id": prompt_id}},
            {"type": "completion", "config": {"model": "gpt-4o"}},
        ],
    )
    assert chained.status_code == 201
    assert len(all_traces(platform, chained.json()["id"])) == 3


def test_built_in_workflows_fail_clearly_without_a_provider(platform: httpx.Client) -> None:
    dataset_id = make_dataset(platform, 2)
    experiment = create(
        platform,
        name="no provider",
        dataset_id=dataset_id,
        workflows=[{"type": "completion", "config": {"model": "gpt-4o-mini"}}],
    ).json()
    deadline = time.monotonic() + 20
    while (current := platform.get(f"/api/v2/experiments/{experiment['id']}/").json())[
        "status"
    ] in ("pending", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert current["status"] == "failed"
    assert current["error_message"].startswith("No LLM provider serves model 'gpt-4o-mini'.")
    traces = all_traces(platform, experiment["id"])
    assert {t["status"] for t in traces} == {"error"}


@pytest.mark.parametrize(
    ("workflows", "errors"),
    [
        (
            [{"type": "custom"}, {"type": "custom"}],
            {"workflows": ["Only one custom workflow is allowed."]},
        ),
        (
            [{"type": "custom"}, {"type": "completion", "config": {"model": "m"}}],
            {"workflows": ["A custom workflow cannot be combined with other workflows."]},
        ),
        ([], {"workflows": ["At least one workflow is required."]}),
        (
            [{"type": "magic"}],
            {"workflows.0.type": ["Input should be one of 'custom', 'completion', 'prompt'"]},
        ),
        (
            [
                {
                    "type": "completion",
                    "config": {
                        "temperature": 2.5,
                        "top_p": 1.5,
                        "max_tokens": 0,
                        "frequency_penalty": -3,
                        "presence_penalty": 2.1,
                        "stop": [1],
                        "response_format": {"type": "xml"},
                        "tools": [{"type": "function"}],
                        "tool_choice": "sometimes",
                        "reasoning_effort": "max",
                        "temprature": 1,
                    },
                }
            ],
            None,
        ),
        (
            [{"type": "prompt", "config": {"prompt_id": "nope"}}],
            {"workflows.0.config.prompt_id": ["Prompt 'nope' not found."]},
        ),
        ([{"type": "prompt"}], {"workflows.0.config.prompt_id": ["Field required"]}),
        ([{"type": "custom", "config": {"allow_submission": "yes", "timeout_hours": -1}}], None),
    ],
)
def test_workflow_rules_and_config_ranges_are_enforced(
    platform: httpx.Client, workflows: list[dict[str, Any]], errors: dict[str, Any] | None
) -> None:
    dataset_id = make_dataset(platform, 2)
    reply = create(platform, name="x", dataset_id=dataset_id, workflows=workflows)
    assert reply.status_code == 400
    if errors is not None:
        assert reply.json() == errors
    elif workflows[0]["type"] == "completion":
        prefix = "workflows.0.config."
        assert set(reply.json()) == {
            prefix + key
            for key in (
                "model",
                "temperature",
                "top_p",
                "max_tokens",
                "frequency_penalty",
                "presence_penalty",
                "stop",
                "response_format",
                "tools",
                "tool_choice",
                "reasoning_effort",
                "temprature",
            )
        }
    else:
        assert set(reply.json()) == {
            "workflows.0.config.allow_submission",
            "workflows.0.config.timeout_hours",
        }
    assert platform.get("/api/v2/experiments/list/").json()["count"] == 0


def test_references_must_exist_in_the_workspace(platform: httpx.Client) -> None:
    reply = create(
        platform,
        name="",
        dataset_id="missing",
        workflows=[{"type": "custom"}],
        evaluator_slugs=["ghost", "ghost"],
    )
    assert reply.status_code == 400
    assert set(reply.json()) == {
        "name",
        "dataset_id",
        "evaluator_slugs",
        "evaluator_slugs.0",
        "evaluator_slugs.1",
    }
    assert reply.json()["dataset_id"] == ["Dataset 'missing' not found."]


def test_custom_workflow_round_trip_on_a_few_hundred_rows(platform: httpx.Client) -> None:
    rows = 300
    dataset_id = make_dataset(platform, rows)
    make_evaluator(platform, "exact", {"function": "exact_match"})
    make_evaluator(
        platform, "digits", {"function": "regex", "pattern": r"^\d+$"}, value_type="numerical"
    )
    make_evaluator(platform, "reviewer", {}, kind="human")
    experiment = create(
        platform,
        name="Custom",
        dataset_id=dataset_id,
        workflows=[{"type": "custom", "config": {"allow_submission": True}}],
        evaluator_slugs=["exact", "digits", "reviewer"],
    ).json()
    base = f"/api/v2/experiments/{experiment['id']}"

    traces = all_traces(platform, experiment["id"])
    assert len(traces) == rows
    assert {t["status"] for t in traces} == {"pending"}
    assert traces[0]["input"] == {"question": "0 + 0?"} and traces[0]["expected_output"] == "0"

    for index, trace in enumerate(traces):
        correct = index % 2 == 0
        answer = trace["expected_output"] if correct else "wrong"
        body: dict[str, Any] = {
            "output": answer,
            "metrics": {
                "cost": 0.002,
                "latency": 0.5 + index % 5,
                "prompt_tokens": 20,
                "completion_tokens": 5,
                "model": "my-agent-v2",
            },
            "metadata": {"attempt": 1},
        }
        if index == 0:
            body["human_scores"] = {"reviewer": True}
        reply = platform.patch(f"{base}/logs/{trace['id']}/", json=body)
        assert reply.status_code == 200, reply.text
        assert reply.json()["status"] == "success"
        assert reply.json()["scores"]["exact"]["value"] is correct
        if index == rows // 2:
            midway = platform.get(f"{base}/").json()
            assert midway["status"] == "running" and midway["progress"] == pytest.approx(
                50.33, 0.01
            )

    done = platform.get(f"{base}/").json()
    assert done["status"] == "completed" and done["progress"] == 100
    assert done["completed_at"]

    detail = platform.get(f"{base}/logs/{traces[0]['id']}/").json()
    assert detail["output"] == "0" and detail["model"] == "my-agent-v2"
    assert detail["total_tokens"] == 25 and detail["duration"] == 0.5
    assert [(s["kind"], s["name"]) for s in detail["spans"]] == [
        ("workflow", "custom"),
        ("evaluator", "exact"),
        ("evaluator", "digits"),
        ("evaluator", "reviewer"),
    ]
    assert detail["scores"]["reviewer"]["value"] is True

    summary = platform.get(f"{base}/logs/summary/").json()
    assert summary["total_count"] == rows
    assert summary["total_cost"] == pytest.approx(0.6)
    assert summary["total_prompt_tokens"] == 20 * rows and summary["total_tokens"] == 25 * rows
    assert summary["avg_latency"] == pytest.approx(2.5)
    assert summary["scores"]["exact"]["mean"] == 0.5 and summary["scores"]["exact"]["count"] == rows
    assert summary["scores"]["digits"]["sum"] == rows / 2
    assert summary["scores"]["reviewer"]["count"] == 1

    resubmitted = platform.patch(f"{base}/logs/{traces[1]['id']}/", json={"output": "2"})
    assert resubmitted.json()["scores"]["exact"]["value"] is True
    assert platform.get(f"{base}/logs/summary/").json()["scores"]["exact"]["sum"] == rows / 2 + 1


def test_trace_ids_are_unique_and_name_the_dataset_row_they_answer(
    platform: httpx.Client,
) -> None:
    dataset_id = make_dataset(platform, 5)
    rows = platform.get(f"/api/datasets/{dataset_id}/logs/list/").json()["results"]
    custom = [{"type": "custom", "config": {"allow_submission": True}}]
    first, second = (
        create(platform, name=name, dataset_id=dataset_id, workflows=custom).json()
        for name in ("A", "B")
    )
    traces = {e["id"]: all_traces(platform, e["id"]) for e in (first, second)}
    ids = [t["id"] for found in traces.values() for t in found]
    assert len(set(ids)) == 10, "every trace id is unique, across experiments too"
    assert not set(ids) & {row["unique_id"] for row in rows}
    for found in traces.values():
        # The row a trace answers pairs the traces of experiments over one dataset.
        assert sorted(t["dataset_row_id"] for t in found) == sorted(r["unique_id"] for r in rows)
    by_row = {t["dataset_row_id"]: t for t in traces[first["id"]]}
    for row in rows:
        assert by_row[row["unique_id"]]["input"] == row["input"]
    submitted = traces[second["id"]][0]
    reply = platform.patch(
        f"/api/v2/experiments/{second['id']}/logs/{submitted['id']}/", json={"output": "0"}
    )
    assert reply.status_code == 200 and reply.json()["id"] == submitted["id"]
    untouched = platform.get(f"/api/v2/experiments/{first['id']}/logs/{submitted['id']}/")
    assert untouched.status_code == 404


def test_rerun_is_refused_for_custom_workflows_and_running_experiments(
    platform: httpx.Client,
) -> None:
    dataset_id = make_dataset(platform, 2)
    custom = create(
        platform, name="c", dataset_id=dataset_id, workflows=[{"type": "custom"}]
    ).json()
    refused = platform.post(f"/api/v2/experiments/{custom['id']}/rerun/", json={})
    assert refused.status_code == 400 and "custom workflow" in refused.json()["detail"]
    failing = create(
        platform,
        name="b",
        dataset_id=dataset_id,
        workflows=[{"type": "completion", "config": {"model": "m"}}],
    ).json()
    base = f"/api/v2/experiments/{failing['id']}"
    deadline = time.monotonic() + 30
    while platform.get(f"{base}/").json()["status"] != "failed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # No provider serves "m" here: its traces failed, and a rerun takes them up again.
    again = platform.post(f"{base}/rerun/", json={"statuses": ["error"]})
    assert again.status_code == 200 and again.json()["status"] == "pending"
    assert again.json()["progress"] == 0 and "error_message" not in again.json()


def test_submission_refusals(platform: httpx.Client) -> None:
    dataset_id = make_dataset(platform, 2)
    closed = create(
        platform,
        name="closed",
        dataset_id=dataset_id,
        workflows=[{"type": "custom", "config": {"allow_submission": False}}],
    ).json()
    trace = all_traces(platform, closed["id"])[0]
    refused = platform.patch(
        f"/api/v2/experiments/{closed['id']}/logs/{trace['id']}/", json={"output": "x"}
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": "This experiment does not allow submissions."}

    open_one = create(
        platform, name="open", dataset_id=dataset_id, workflows=[{"type": "custom"}]
    ).json()
    base = f"/api/v2/experiments/{open_one['id']}/logs"
    assert platform.patch(f"{base}/{trace['id']}/", json={"output": 1}).status_code == 404, (
        "another experiment's trace"
    )
    trace = all_traces(platform, open_one["id"])[0]
    assert platform.patch(f"{base}/{trace['id']}/", json={}).json() == {
        "output": ["Field required"]
    }
    assert platform.patch(f"{base}/nope/", json={"output": 1}).status_code == 404
    negative = platform.patch(f"{base}/{trace['id']}/", json={"output": 1, "metrics": {"cost": -1}})
    assert negative.json() == {"metrics.cost": ["Input should be greater than or equal to 0"]}
    human = platform.patch(
        f"{base}/{trace['id']}/", json={"output": 1, "human_scores": {"exact": 1}}
    )
    assert human.status_code == 400

    builtin = create(
        platform,
        name="b",
        dataset_id=dataset_id,
        workflows=[{"type": "completion", "config": {"model": "m"}}],
    ).json()
    built_trace = all_traces(platform, builtin["id"])[0]
    assert (
        platform.patch(
            f"/api/v2/experiments/{builtin['id']}/logs/{built_trace['id']}/", json={"output": 1}
        ).status_code
        == 400
    )


async def test_submission_refusal_is_failed_precondition_over_grpc(
    server: RunningServer, platform: httpx.Client, api_key: str
) -> None:
    dataset_id = make_dataset(platform, 1)
    closed = create(
        platform,
        name="c",
        dataset_id=dataset_id,
        workflows=[{"type": "custom", "config": {"allow_submission": False}}],
    ).json()
    trace = all_traces(platform, closed["id"])[0]
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = experiments_pb2_grpc.ExperimentServiceStub(channel)
        request = experiments_pb2.SubmitTraceResultRequest(
            experiment_id=closed["id"], id=trace["id"]
        )
        request.output.string_value = "x"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.SubmitTraceResult(
                request, metadata=(("authorization", f"Bearer {api_key}"),)
            )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_pending_traces_expire_after_the_timeout(platform: httpx.Client) -> None:
    dataset_id = make_dataset(platform, 3)
    experiment = create(
        platform,
        name="short",
        dataset_id=dataset_id,
        workflows=[{"type": "custom", "config": {"timeout_hours": 1.5 / 3600}}],
    ).json()
    base = f"/api/v2/experiments/{experiment['id']}"
    first, *rest = all_traces(platform, experiment["id"])
    assert (
        platform.patch(f"{base}/logs/{first['id']}/", json={"output": "on time"}).status_code == 200
    )
    time.sleep(1.6)
    expired = platform.patch(f"{base}/logs/{rest[0]['id']}/", json={"output": "late"})
    assert expired.status_code == 400 and "expired" in expired.json()["detail"]
    statuses = [t["status"] for t in all_traces(platform, experiment["id"])]
    assert statuses == ["success", "expired", "expired"]
    final = platform.get(f"{base}/").json()
    assert final["status"] == "completed" and final["progress"] == 100


def test_a_watcher_alone_sees_pending_traces_expire_and_its_stream_end(
    platform: httpx.Client,
) -> None:
    """Nothing but the watcher reads the experiment once its window has passed: its own reads
    expire the pending traces, and its last event is the completed experiment."""
    dataset_id = make_dataset(platform, 3)
    experiment = create(
        platform,
        name="watched until it expires",
        dataset_id=dataset_id,
        workflows=[{"type": "custom", "config": {"timeout_hours": 1.0 / 3600}}],
    ).json()
    base = f"/api/v2/experiments/{experiment['id']}"
    first = all_traces(platform, experiment["id"])[0]
    assert platform.patch(f"{base}/logs/{first['id']}/", json={"output": "x"}).status_code == 200
    events = []
    deadline = time.monotonic() + 20  # a stream that never ends repeats its state every 15 s
    with platform.stream("GET", f"{base}/events/", timeout=30) as sse:
        for line in sse.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: ") :]))
            assert time.monotonic() < deadline, f"the stream did not end: {events[-1:]}"
    last = events[-1]
    assert last["experiment"]["status"] == "completed"
    assert last["trace_counts"] == {"success": 1, "expired": 2}
    assert last["summary"]["total_count"] == 3


def test_empty_dataset_completes_at_once(platform: httpx.Client) -> None:
    dataset_id = make_dataset(platform, 0)
    experiment = create(
        platform, name="e", dataset_id=dataset_id, workflows=[{"type": "custom"}]
    ).json()
    assert experiment["status"] == "completed" and experiment["progress"] == 100


def test_list_patch_and_delete(platform: httpx.Client) -> None:
    dataset_id = make_dataset(platform, 2)
    ids = [
        create(
            platform, name=f"exp-{i}", dataset_id=dataset_id, workflows=[{"type": "custom"}]
        ).json()["id"]
        for i in range(3)
    ]
    listed = platform.get("/api/v2/experiments/list/", params={"page_size": 2}).json()
    assert listed["count"] == 3 and [e["id"] for e in listed["results"]] == ids[::-1][:2]
    assert listed["next"] == "/api/v2/experiments/list/?page=2&page_size=2"
    by_name = platform.get("/api/v2/experiments/list/", params={"sort_by": "name"}).json()
    assert [e["name"] for e in by_name["results"]] == ["exp-0", "exp-1", "exp-2"]
    running = platform.get(
        "/api/v2/experiments/list/", params={"status": "running", "page_size": 2}
    ).json()
    assert running["count"] == 3
    assert running["next"] == "/api/v2/experiments/list/?page=2&page_size=2&status=running"
    assert (
        platform.get("/api/v2/experiments/list/", params={"status": "failed"}).json()["count"] == 0
    )

    patched = platform.patch(f"/api/v2/experiments/{ids[0]}/", json={"description": "notes"})
    assert patched.json()["name"] == "exp-0" and patched.json()["description"] == "notes"
    renamed = platform.patch(f"/api/v2/experiments/{ids[0]}/", json={"name": "renamed"})
    assert renamed.json()["name"] == "renamed"

    trace = all_traces(platform, ids[0])[0]
    assert platform.delete(f"/api/v2/experiments/{ids[0]}/").status_code == 204
    assert platform.get(f"/api/v2/experiments/{ids[0]}/").status_code == 404
    assert platform.get(f"/api/v2/experiments/{ids[0]}/logs/{trace['id']}/").status_code == 404
    assert platform.get("/api/v2/experiments/list/").json()["count"] == 2
