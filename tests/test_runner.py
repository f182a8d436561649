"""The runner against a loopback OpenAI-compatible provider: workflows, judges, retries,
cancellation, scale, and surviving a SIGKILL."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from experiment_service.api.platform.v2 import experiments_pb2, experiments_pb2_grpc
from tests.support.fake_llm import FakeLLM
from tests.support.keys import create_api_key
from tests.support.server import CONSOLE_SCRIPT, RunningServer, start_server

PROVIDER_KEY = "sk-test-provider"


def config_file(directory: Path, fake: FakeLLM) -> Path:
    path = directory / "providers.toml"
    path.write_text(
        f"""
[[providers]]
name = "fake"
base_url = "{fake.base_url}"
api_key_env = "FAKE_PROVIDER_KEY"
models = ["*"]
concurrency = 16
timeout_seconds = 5
max_retries = 3
backoff_seconds = 0.01

[providers.prices."sum"]
input = 1000.0
output = 2000.0
"""
    )
    return path


def start(
    directory: Path, fake: FakeLLM, *args: str, database_url: str | None = None
) -> RunningServer:
    return start_server(
        directory,
        f"--config={config_file(directory, fake)}",
        *args,
        gateway=True,
        database_url=database_url,
        env={"FAKE_PROVIDER_KEY": PROVIDER_KEY},
    )


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


@pytest.fixture(scope="module")
def runner_server(
    tmp_path_factory: pytest.TempPathFactory, fake: FakeLLM
) -> Iterator[RunningServer]:
    running = start(tmp_path_factory.mktemp("runner"), fake, "--runner-lease-seconds=3")
    yield running
    running.stop()


@pytest.fixture
def api(runner_server: RunningServer, workspace: str) -> Iterator[httpx.Client]:
    _, key = create_api_key(runner_server, workspace)
    with httpx.Client(
        base_url=runner_server.http_base, timeout=60, headers={"authorization": f"Bearer {key}"}
    ) as client:
        yield client


def dataset(api: httpx.Client, rows: list[dict[str, Any]]) -> str:
    created = api.post("/api/datasets/", json={"name": "d"}).json()
    for start_index in range(0, len(rows), 5000):
        reply = api.post(
            f"/api/datasets/{created['id']}/logs/batch/",
            json={"rows": rows[start_index : start_index + 5000]},
        )
        assert reply.status_code == 201, reply.text
    return str(created["id"])


def arithmetic(count: int) -> list[dict[str, Any]]:
    return [{"input": {"a": i, "b": 2 * i}, "expected_output": str(3 * i)} for i in range(count)]


def experiment(
    api: httpx.Client,
    dataset_id: str,
    workflows: list[dict[str, Any]],
    slugs: list[str] | None = None,
) -> dict[str, Any]:
    reply = api.post(
        "/api/v2/experiments/",
        json={
            "name": "run",
            "dataset_id": dataset_id,
            "workflows": workflows,
            "evaluator_slugs": slugs or [],
        },
    )
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def wait_done(api: httpx.Client, experiment_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        current = api.get(f"/api/v2/experiments/{experiment_id}/").json()
        if current["status"] not in ("pending", "running"):
            return dict(current)
        time.sleep(0.1)
    raise AssertionError(f"experiment still {current['status']} at {current['progress']}%")


def traces(api: httpx.Client, experiment_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    url: str | None = f"/api/v2/experiments/{experiment_id}/logs/list/?page_size=100"
    while url:
        page = api.get(url).json()
        found += page["results"]
        url = page.get("next")
    return found


def evaluator(
    api: httpx.Client, slug: str, kind: str, value_type: str, config: dict[str, Any]
) -> None:
    reply = api.post(
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


def test_prompt_then_completion_chain_with_scores_costs_and_spans(
    api: httpx.Client, fake: FakeLLM
) -> None:
    prompt = api.post("/api/prompts/", json={"name": "math"}).json()
    api.post(
        f"/api/prompts/{prompt['id']}/versions/",
        json={
            "messages": [
                {"role": "system", "content": "Answer with a number."},
                {"role": "user", "content": "What is {{ a }} + {{ b }}?"},
            ],
            "model": "sum",
            "temperature": 0,
            "max_tokens": 20,
        },
    )
    evaluator(api, "exact", "code", "boolean", {"function": "exact_match"})
    evaluator(
        api,
        "judge",
        "llm",
        "numerical",
        {"model": "judge", "prompt": "Grade {{ output }} against {{ expected_output }}."},
    )
    evaluator(
        api,
        "vague",
        "llm",
        "boolean",
        {"model": "judge-garbage", "prompt": "Is {{ output }} right?"},
    )
    dataset_id = dataset(api, arithmetic(20))
    run = experiment(
        api,
        dataset_id,
        [
            {"type": "prompt", "config": {"prompt_id": prompt["id"]}},
            {
                "type": "completion",
                "config": {
                    "model": "echo",
                    "temperature": 0.3,
                    "max_tokens": 64,
                    "top_p": 0.9,
                    "frequency_penalty": 0.5,
                    "presence_penalty": -0.5,
                    "stop": ["\n\n"],
                    "response_format": {"type": "text"},
                    "tools": [{"type": "function", "function": {"name": "noop", "parameters": {}}}],
                    "tool_choice": "auto",
                    "reasoning_effort": "low",
                },
            },
        ],
        ["exact", "judge", "vague"],
    )
    assert run["status"] == "pending"
    done = wait_done(api, run["id"])
    assert done["status"] == "completed" and done["progress"] == 100 and done["started_at"]

    found = traces(api, run["id"])
    assert [t["status"] for t in found] == ["success"] * 20
    assert [t["output"] for t in found] == [str(3 * i) for i in range(20)]
    assert all(t["scores"]["exact"]["value"] is True for t in found)
    assert all(t["scores"]["judge"]["value"] == 8 for t in found)
    assert all("Could not parse" in t["scores"]["vague"]["error"] for t in found)

    detail = api.get(f"/api/v2/experiments/{run['id']}/logs/{found[3]['id']}/").json()
    steps = [s for s in detail["spans"] if s["kind"] == "workflow"]
    assert [(s["name"], s["model"], s["output"]) for s in steps] == [
        ("prompt", "sum", "9"),
        ("completion", "echo", "9"),
    ]
    assert steps[0]["input"][1] == {"role": "user", "content": "What is 3 + 6?"}
    assert steps[1]["input"] == [{"role": "user", "content": "9"}]
    assert steps[0]["cost"] == pytest.approx((steps[0]["prompt_tokens"] * 1000 + 2000) / 1e6)
    assert detail["total_cost"] == pytest.approx(steps[0]["cost"])
    assert detail["total_tokens"] == sum(s["prompt_tokens"] + s["completion_tokens"] for s in steps)
    assert [s["name"] for s in detail["spans"] if s["kind"] == "evaluator"] == [
        "exact",
        "judge",
        "vague",
    ]

    completion_call = fake.calls("echo")[-1]
    for key, value in {
        "temperature": 0.3,
        "max_tokens": 64,
        "top_p": 0.9,
        "frequency_penalty": 0.5,
        "presence_penalty": -0.5,
        "stop": ["\n\n"],
        "response_format": {"type": "text"},
        "tool_choice": "auto",
        "reasoning_effort": "low",
    }.items():
        assert completion_call[key] == value
    assert completion_call["tools"][0]["function"]["name"] == "noop"
    assert completion_call["_authorization"] == f"Bearer {PROVIDER_KEY}"

    summary = api.get(f"/api/v2/experiments/{run['id']}/logs/summary/").json()
    assert summary["total_count"] == 20
    assert summary["scores"]["exact"]["mean"] == 1 and summary["scores"]["judge"]["mean"] == 8


def test_judges_and_prompts_read_structured_values_as_json(
    api: httpx.Client, fake: FakeLLM
) -> None:
    evaluator(
        api,
        "json-judge",
        "llm",
        "numerical",
        {
            "model": "judge",
            "prompt": "Q: {{ input }} | A: {{ output }} | E: {{ expected_output }}"
            " | flag: {{ input.flag }} | none: {{ input.none }}",
        },
    )
    row = {"input": {"question": "2+2?", "flag": True, "none": None}, "expected_output": [4]}
    run = experiment(
        api,
        dataset(api, [row]),
        [{"type": "completion", "config": {"model": "echo"}}],
        ["json-judge"],
    )
    assert wait_done(api, run["id"])["status"] == "completed"
    (prompt,) = [c["messages"][-1]["content"] for c in fake.calls("judge") if "Q: " in str(c)]
    question, answer, expected, flag, none = prompt.split(" | ")
    # JSON, not Python's repr ({'question': ...}, True, None); key order is JSON's business.
    assert json.loads(question.removeprefix("Q: ")) == row["input"]
    assert json.loads(answer.removeprefix("A: ")) == row["input"]
    assert (expected, flag, none) == ("E: [4]", "flag: true", "none: null")


def test_one_provider_by_flag_with_prices_and_a_start_up_log_without_its_key(
    tmp_path: Path, fake: FakeLLM
) -> None:
    running = start_server(
        tmp_path,
        f"--llm-base-url={fake.base_url}",
        "--llm-price=sum=1000,2000",
        "--llm-price=echo=0.5,0.5",
        gateway=True,
        env={"OPENAI_API_KEY": "sk-flag-secret"},
    )
    try:
        _, key = create_api_key(running, "priced")
        headers = {"authorization": f"Bearer {key}"}
        with httpx.Client(base_url=running.http_base, headers=headers, timeout=60) as api:
            run = experiment(
                api,
                dataset(api, [{"input": "What is 2 + 3?"}]),
                [{"type": "completion", "config": {"model": "sum"}}],
            )
            assert wait_done(api, run["id"])["status"] == "completed"
            (trace,) = traces(api, run["id"])
            (step,) = trace["spans"]
            expected = (step["prompt_tokens"] * 1000 + step["completion_tokens"] * 2000) / 1e6
            assert trace["total_cost"] == pytest.approx(expected) and expected > 0
    finally:
        running.stop()
    logs = running.logs()
    assert "sk-flag-secret" not in logs
    said = {e["msg"]: e for e in map(json.loads, logs.splitlines())}
    assert said["llm providers"]["providers"] == [
        {
            "name": "default",
            "base_url": fake.base_url,
            "models": ["*"],
            "priced_models": ["echo", "sum"],
            "api_key": "set",
        }
    ]


def test_rerun_runs_only_the_failed_traces_again(api: httpx.Client, fake: FakeLLM) -> None:
    rows = [{"input": f"ok {i}"} for i in range(6)] + [{"input": f"fail {i}"} for i in range(4)]
    fake.outage = True
    try:
        run = experiment(
            api, dataset(api, rows), [{"type": "completion", "config": {"model": "outage"}}]
        )
        assert wait_done(api, run["id"])["status"] == "completed"
        errors = api.get(f"/api/v2/experiments/{run['id']}/logs/list/", params={"status": "error"})
        assert errors.status_code == 200
        assert sorted(t["input"] for t in errors.json()["results"]) == [
            f"fail {i}" for i in range(4)
        ]
        assert "provider is down" in errors.json()["results"][0]["error_message"]
        assert (
            api.post(
                f"/api/v2/experiments/{run['id']}/rerun/", json={"statuses": ["success"]}
            ).status_code
            == 400
        )
    finally:
        fake.outage = False
    calls_before = Counter(c["messages"][-1]["content"] for c in fake.calls("outage"))
    fake.latency = 0.3
    try:
        rerun = api.post(f"/api/v2/experiments/{run['id']}/rerun/", json={})
        assert rerun.status_code == 200, rerun.text
        assert rerun.json()["status"] == "pending" and rerun.json()["progress"] == 60
        busy = api.post(f"/api/v2/experiments/{run['id']}/rerun/", json={})
        assert busy.status_code == 400 and "still" in busy.json()["detail"]
        done = wait_done(api, run["id"])
    finally:
        fake.latency = 0.0
    assert done["status"] == "completed" and done["progress"] == 100
    found = traces(api, run["id"])
    assert all(t["status"] == "success" for t in found)
    assert {t["input"]: t["output"] for t in found} == {r["input"]: r["input"] for r in rows}
    assert all(len(t["spans"]) == 1 for t in found), "the failed attempt's spans are gone"
    calls = Counter(c["messages"][-1]["content"] for c in fake.calls("outage")) - calls_before
    assert set(calls) == {f"fail {i}" for i in range(4)}, "succeeded traces are never called again"
    summary = api.get(f"/api/v2/experiments/{run['id']}/logs/summary/").json()
    assert summary["total_count"] == 10
    nothing = api.post(f"/api/v2/experiments/{run['id']}/rerun/", json={})
    assert nothing.status_code == 400 and "No trace" in nothing.json()["detail"]
    listed = api.get("/api/v2/experiments/list/", params={"status": "completed", "page_size": 1})
    assert listed.status_code == 200 and listed.json()["results"][0]["status"] == "completed"
    assert api.get("/api/v2/experiments/list/", params={"status": "bogus"}).status_code == 400


def test_watchers_follow_a_run_to_completion(
    api: httpx.Client, fake: FakeLLM, runner_server: RunningServer
) -> None:
    """Over gRPC, over SSE through Envoy, and with the CLI: coalesced events, progress that
    only grows, and an end when the experiment completes."""
    rows = [{"input": f"watched row {i}"} for i in range(150)]
    evaluator(api, "watched_length", "code", "numerical", {"function": "length"})
    fake.latency = 0.02
    try:
        run = experiment(
            api,
            dataset(api, rows),
            [{"type": "completion", "config": {"model": "echo"}}],
            ["watched_length"],
        )
        metadata = (("authorization", api.headers["authorization"]),)
        with grpc.insecure_channel(runner_server.grpc_target) as channel:
            stub = experiments_pb2_grpc.ExperimentServiceStub(channel)
            request = experiments_pb2.WatchExperimentRequest(id=run["id"])
            with api.stream("GET", f"/api/v2/experiments/{run['id']}/events/") as sse:
                assert sse.headers["content-type"].startswith("text/event-stream")
                events = list(stub.WatchExperiment(request, metadata=metadata))
                over_sse = [
                    json.loads(line[len("data: ") :])
                    for line in sse.iter_lines()
                    if line.startswith("data: ")
                ]
    finally:
        fake.latency = 0.0
    assert 2 <= len(events) < 150, "events are coalesced, not one per trace"
    progress = [e.experiment.progress for e in events]
    assert progress == sorted(progress) and progress[-1] == 100
    last = events[-1]
    assert last.experiment.status == "completed" and dict(last.trace_counts) == {"success": 150}
    # The event's summary is the experiment's summary, score statistics included.
    summary = api.get(f"/api/v2/experiments/{run['id']}/logs/summary/").json()
    assert summary["scores"]["watched_length"]["count"] == 150
    assert over_sse[-1]["summary"] == summary
    assert over_sse[-1]["experiment"]["status"] == "completed"
    assert over_sse[-1]["trace_counts"] == {"success": 150}
    # Once finished, a watcher gets the final state and the stream ends.
    cli = subprocess.run(
        [
            *(CONSOLE_SCRIPT, "watch", run["id"]),
            *("--server", runner_server.grpc_target, "--api-key", api.headers["authorization"][7:]),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert cli.returncode == 0, cli.stderr
    assert "100.0% completed (150 success" in cli.stdout.splitlines()[-1]
    unauthenticated = httpx.get(f"{runner_server.http_base}/api/v2/experiments/{run['id']}/events/")
    assert unauthenticated.status_code == 401


def test_retries_then_errors_on_the_trace_not_the_experiment(
    api: httpx.Client, fake: FakeLLM
) -> None:
    rows = [{"input": f"question {i}"} for i in range(4)]
    flaky = experiment(
        api, dataset(api, rows), [{"type": "completion", "config": {"model": "flaky"}}]
    )
    assert wait_done(api, flaky["id"])["status"] == "completed"
    assert {t["status"] for t in traces(api, flaky["id"])} == {"success"}
    for row in rows:
        assert (
            sum(1 for c in fake.calls("flaky") if c["messages"][-1]["content"] == row["input"]) == 3
        )

    broken = experiment(
        api, dataset(api, rows), [{"type": "completion", "config": {"model": "broken"}}]
    )
    assert wait_done(api, broken["id"])["status"] == "completed"
    found = traces(api, broken["id"])
    assert {t["status"] for t in found} == {"error"}
    assert "HTTP 500" in found[0]["error_message"]
    assert "after 4 attempts" in found[0]["error_message"]

    malformed = experiment(
        api, dataset(api, rows[:1]), [{"type": "completion", "config": {"model": "malformed"}}]
    )
    wait_done(api, malformed["id"])
    [trace] = traces(api, malformed["id"])
    assert trace["status"] == "error" and "malformed response" in trace["error_message"]


def test_cancel_stops_pending_rows_and_keeps_finished_ones(
    api: httpx.Client, fake: FakeLLM
) -> None:
    fake.latency = 0.2
    try:
        run = experiment(
            api,
            dataset(api, arithmetic(300)),
            [{"type": "completion", "config": {"model": "echo"}}],
        )
        time.sleep(0.8)
        cancelled = api.post(f"/api/v2/experiments/{run['id']}/cancel/", json={})
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        time.sleep(0.6)  # let the traces in flight land
    finally:
        fake.latency = 0.0
    found = traces(api, run["id"])
    statuses = [t["status"] for t in found]
    assert statuses.count("success") > 0, "finished traces stay"
    assert statuses.count("cancelled") >= 100, "pending traces stopped"
    assert statuses.count("cancelled") == 300 - statuses.count("success")
    assert api.get(f"/api/v2/experiments/{run['id']}/").json()["status"] == "cancelled"
    again = api.post(f"/api/v2/experiments/{run['id']}/cancel/", json={})
    assert again.status_code == 400


def test_an_experiment_of_a_thousand_rows(api: httpx.Client) -> None:
    run = experiment(
        api, dataset(api, arithmetic(1000)), [{"type": "completion", "config": {"model": "sum"}}]
    )
    done = wait_done(api, run["id"], seconds=120)
    assert done["status"] == "completed"
    summary = api.get(f"/api/v2/experiments/{run['id']}/logs/summary/").json()
    assert summary["total_count"] == 1000
    found = traces(api, run["id"])
    assert [t["output"] for t in found] == [str(3 * i) for i in range(1000)]


def test_a_killed_server_resumes_without_losing_or_repeating_rows(
    tmp_path: Path, fake: FakeLLM, new_database_url: Callable[[], str]
) -> None:
    database_url = new_database_url()
    first = start(tmp_path, fake, "--runner-lease-seconds=3", database_url=database_url)
    _, key = create_api_key(first, "resume")
    headers = {"authorization": f"Bearer {key}"}
    fake.latency = 0.05
    try:
        with httpx.Client(base_url=first.http_base, headers=headers, timeout=60) as api:
            rows = [{"input": f"row {i}"} for i in range(400)]
            run = experiment(
                api, dataset(api, rows), [{"type": "completion", "config": {"model": "upper"}}]
            )
            deadline = time.monotonic() + 30
            while api.get(f"/api/v2/experiments/{run['id']}/").json()["progress"] < 20:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        first.stop(signal.SIGKILL)

        second = start(tmp_path, fake, "--runner-lease-seconds=3", database_url=database_url)
        try:
            with httpx.Client(base_url=second.http_base, headers=headers, timeout=60) as api:
                assert wait_done(api, run["id"])["status"] == "completed"
                found = traces(api, run["id"])
                assert [t["status"] for t in found] == ["success"] * 400
                assert [t["output"] for t in found] == [f"ROW {i}" for i in range(400)]
                for trace in found[::40]:
                    detail = api.get(f"/api/v2/experiments/{run['id']}/logs/{trace['id']}/")
                    assert [s["kind"] for s in detail.json()["spans"]] == ["workflow"]
                    assert detail.json()["spans"] == trace["spans"], "lists show the spans too"
        finally:
            second.stop()
        # The restarted server said why it waited, and when it took the dead runner's work.
        said = [json.loads(line)["msg"] for line in second.logs().splitlines() if line[:1] == "{"]
        assert "traces leased by other runners are taken over if their leases lapse" in said
        assert "took over traces whose lease lapsed" in said
    finally:
        fake.latency = 0.0
    calls = Counter(c["messages"][-1]["content"] for c in fake.calls("upper"))
    assert set(calls) == {f"row {i}" for i in range(400)}
    # Only traces in work at the kill ran a second time: at most twice the provider's
    # concurrency of 16 are in work at once.
    assert sum(1 for count in calls.values() if count > 1) <= 32
