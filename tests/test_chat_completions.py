"""Captured chat completions: NVIDIA's SDK reports one OpenAI-compatible call at a time; each
becomes an LLM span of its session, and a run of the experiment its context names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from nemo_platform import NeMoPlatform

from tests.test_telemetry import (
    ROOT,
    TRACE,
    base,
    create_experiment,
    export_request,
    post_protobuf,
    rollups,
)

REQUEST = {
    "model": "llama-3.1-8b",
    "messages": [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is 2+2?"},
    ],
    "temperature": 0.2,
}
RESPONSE = {
    "id": "chatcmpl-1",
    "model": "llama-3.1-8b-instruct",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "4"}}],
    "usage": {
        "prompt_tokens": 21,
        "completion_tokens": 1,
        "total_tokens": 22,
        "prompt_tokens_details": {"cached_tokens": 5},
    },
}


@pytest.fixture
def sdk(rest_base: str, workspace: str) -> Iterator[NeMoPlatform]:
    with NeMoPlatform(base_url=rest_base, workspace=workspace) as client:
        yield client


def test_sdk_calls_become_llm_spans_and_runs(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    create_experiment(http, workspace, "exp")
    first = sdk.intake.ingest.chat_completions.create(
        workspace=workspace,
        request=REQUEST,
        response=RESPONSE,
        session_id="chat-1",
        provider="nim",
        cost_usd=0.002,
        evaluation_context={"evaluation_id": "exp", "test_case_id": "q-1"},
    )
    assert first.session_id == "chat-1" and len(first.span_id) == 16
    second = sdk.intake.ingest.chat_completions.create(
        workspace=workspace,
        request=REQUEST,
        response=RESPONSE,
        session_id="chat-1",
        cost_usd=0.003,
        experiment_context={"experiment_id": "exp"},
    )
    assert second.span_id != first.span_id

    span = sdk.intake.spans.retrieve(first.span_id, workspace=workspace)
    assert (span.kind, span.source, span.model, span.provider) == (
        "LLM",
        "chat_completions",
        "llama-3.1-8b-instruct",
        "nim",
    )
    assert (span.input_tokens, span.output_tokens, span.cached_tokens) == (21, 1, 5)
    assert span.output == "4" and "What is 2+2?" in (span.input or "")
    assert span.cost_total_usd == 0.002
    session = sdk.intake.sessions.retrieve("chat-1", workspace=workspace)
    assert session.span_count == 2 and session.cost_usd == pytest.approx(0.005)
    experiment = rollups(http, workspace, "exp")
    assert experiment["run_count"] == 1
    assert experiment["model_names"] == ["llama-3.1-8b-instruct"]
    assert experiment["cost_usd"]["sum"] == pytest.approx(0.005)
    # A captured call says nothing of its timing: no latency, rather than one of 0 ms.
    assert span.ended_at is None and session.duration_ms is None
    assert "latency_ms" not in experiment
    assert experiment["tokens"] == {**experiment["tokens"], "count": 1, "sum": 44}


def test_a_call_joins_an_existing_trace_and_its_session(
    sdk: NeMoPlatform, http: httpx.Client, workspace: str
) -> None:
    agent = export_request(TRACE, [(ROOT, b"", "agent", 0, 100, {"session.id": "otel-s"})])
    assert post_protobuf(http, workspace, agent).status_code == 200
    joined = sdk.intake.ingest.chat_completions.create(
        workspace=workspace,
        request=REQUEST,
        response={"error": {"message": "rate limited", "code": 429}},
        trace_id=TRACE.hex(),
    )
    assert joined.session_id == "otel-s"
    span = sdk.intake.spans.retrieve(joined.span_id, workspace=workspace)
    assert span.parent_span_id == ROOT.hex() and span.trace_id == TRACE.hex()
    assert span.status == "error" and span.error_message == "rate limited"
    alone = sdk.intake.ingest.chat_completions.create(
        workspace=workspace,
        request=REQUEST,
        response=RESPONSE,
    )
    assert alone.session_id not in ("otel-s", "")


def post(http: httpx.Client, workspace: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(f"{base(workspace)}/ingest/chat-completions", json=body)


def test_refusals_name_the_problem_and_store_nothing(http: httpx.Client, workspace: str) -> None:
    missing = post(
        http,
        workspace,
        {"request": REQUEST, "response": RESPONSE, "evaluation_context": {"evaluation_id": "no"}},
    )
    assert missing.status_code == 400
    assert missing.json() == {"detail": "Experiment 'no' must be created before it can be logged."}
    experiment = {"name": "gone", "agent_name": "a", "agent_version": "1", "dataset_name": "d"}
    assert http.post(f"{base(workspace)}/experiments", json=experiment).status_code == 201
    assert http.delete(f"{base(workspace)}/experiments/gone").status_code == 204
    # The deprecated spelling of the context names experiments too.
    deleted = post(
        http,
        workspace,
        {"request": REQUEST, "response": RESPONSE, "experiment_context": {"experiment_id": "gone"}},
    )
    assert deleted.status_code == 400
    assert deleted.json() == {
        "detail": "Experiment 'gone' has been deleted and cannot accept new sessions."
    }

    malformed = post(
        http,
        workspace,
        {
            "request": {"messages": [{"role": "wizard"}]},
            "response": {"id": "x"},
            "cost_usd": -1,
            "trace_id": "not-hex",
        },
    )
    assert malformed.status_code == 422
    locations = {tuple(item["loc"]) for item in malformed.json()["detail"]}
    assert {
        ("body", "request", "model"),
        ("body", "request", "messages", 0, "role"),
        ("body", "response"),
        ("body", "cost_usd"),
        ("body", "trace_id"),
    } <= locations
    no_request = post(http, workspace, {"response": RESPONSE})
    assert no_request.status_code == 422
    assert no_request.json()["detail"][0]["loc"] == ["body", "request"]
    bad_usage = post(
        http,
        workspace,
        {"request": REQUEST, "response": {**RESPONSE, "usage": {"prompt_tokens": "many"}}},
    )
    assert bad_usage.status_code == 422 and "token count" in bad_usage.text

    spans = http.get(f"{base(workspace)}/spans").json()
    assert spans["pagination"]["total_results"] == 0
