"""Spans: OpenTelemetry SDK exporters (OTLP/HTTP through Envoy, OTLP/gRPC to the server)
report agent runs, which become experiments' rollups and read back as sessions, traces and
spans."""

from __future__ import annotations

import gzip
import json
import math
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nemo_platform import NeMoPlatform
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
    OTLPSpanExporter as GrpcSpanExporter,
)
from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
    OTLPSpanExporter as HttpSpanExporter,
)
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Status, StatusCode

from tests.support.keys import create_api_key
from tests.support.otlp import set_attributes
from tests.support.reference import reference_aggregate
from tests.support.server import RunningServer, start_server

EXPERIMENT = {"agent_name": "agent", "agent_version": "1", "dataset_name": "data"}
START = 1_700_000_000_000_000_000  # ns


def base(workspace: str) -> str:
    return f"/apis/intake/v2/workspaces/{workspace}"


def otlp_path(workspace: str) -> str:
    return f"{base(workspace)}/ingest/otlp/v1/traces"


def create_experiment(http: httpx.Client, workspace: str, name: str) -> None:
    reply = http.post(f"{base(workspace)}/experiments", json={"name": name, **EXPERIMENT})
    assert reply.status_code == 201, reply.text


class Producer:
    """An agent instrumented with the OpenTelemetry SDK, exporting every span as it ends
    (so children reach the service before their root, as real exporters send them)."""

    def __init__(self, exporter: SpanExporter) -> None:
        self.provider = TracerProvider(resource=Resource.create({"service.name": "agent"}))
        self.exporter = Checked(exporter)
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.tracer = self.provider.get_tracer("tests")

    def span(
        self,
        name: str,
        start_ms: float,
        end_ms: float,
        attributes: dict[str, Any],
        parent: trace.Span | None = None,
        error: str | None = None,
    ) -> trace.Span:
        context = trace.set_span_in_context(parent) if parent is not None else None
        span = self.tracer.start_span(
            name, context=context, start_time=START + int(start_ms * 1e6), attributes=attributes
        )
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, error))
        return span

    def close(self) -> None:
        self.provider.shutdown()


class Checked(SpanExporter):
    """Fails the test when the service refuses an export (the SDK would only log it), and
    keeps what was exported, to send it again as a retrying exporter would."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner
        self.exported: list[Any] = []

    def export(self, spans: Any) -> SpanExportResult:
        result = self.inner.export(spans)
        assert result == SpanExportResult.SUCCESS
        self.exported.extend(spans)
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()


def end(span: trace.Span, end_ms: float) -> None:
    span.end(end_time=START + int(end_ms * 1e6))


@pytest.fixture
def http_producer(rest_base: str, workspace: str) -> Iterator[Producer]:
    producer = Producer(HttpSpanExporter(endpoint=rest_base + otlp_path(workspace)))
    yield producer
    producer.close()


@pytest.fixture
def grpc_producer(server: RunningServer, workspace: str) -> Iterator[Producer]:
    exporter = GrpcSpanExporter(
        endpoint=server.grpc_target, insecure=True, headers=(("workspace", workspace),)
    )
    producer = Producer(exporter)
    yield producer
    producer.close()


@dataclass
class SentSession:
    """What a producer sent for one session, and what its run must be (section D)."""

    session_id: str
    test_case: str
    root_ms: tuple[float, float]
    costs: list[float | None] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    input_tokens: int = 0

    @property
    def latency(self) -> float:
        return self.root_ms[1] - self.root_ms[0]

    @property
    def cost(self) -> float | None:
        known = [cost for cost in self.costs if cost is not None]
        return math.fsum(known) if known else None


def send_openinference_session(
    producer: Producer, experiment: str, sent: SentSession, children: list[tuple[str, float | None]]
) -> None:
    """A session shaped as OpenInference instrumentations shape it: an AGENT root naming the
    experiment and test case, LLM children with model, tokens and cost."""
    start, stop = sent.root_ms
    root = producer.span(
        "agent",
        start,
        stop,
        {
            "openinference.span.kind": "AGENT",
            "session.id": sent.session_id,
            "nemo.experiment.id": experiment,
            "nemo.test_case.id": sent.test_case,
            "input.value": "question " * 50,
            "output.value": "answer",
        },
    )
    for index, (model, cost) in enumerate(children):
        attributes: dict[str, Any] = {
            "openinference.span.kind": "LLM",
            "session.id": sent.session_id,
            "llm.model_name": model,
            "llm.token_count.prompt": 10 + index,
            "llm.token_count.completion": 3,
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.content": f"step {index}",
        }
        if cost is not None:
            attributes["llm.cost.total"] = cost
        child = producer.span("llm", start + 1, start + 2, attributes, parent=root)
        end(child, start + 2)
        sent.costs.append(cost)
        sent.models.append(model)
        sent.input_tokens += 10 + index
    end(root, stop)


def rollups(http: httpx.Client, workspace: str, name: str) -> dict[str, Any]:
    reply = http.get(f"{base(workspace)}/experiments/{name}")
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def assert_matches_reference(experiment: dict[str, Any], sessions: list[SentSession]) -> None:
    """The experiment's rollups against a plain-Python reference over the sessions sent."""
    assert experiment["run_count"] == len(sessions)
    assert experiment["model_names"] == sorted({m for s in sessions for m in s.models})
    for field_name, values in (
        ("latency_ms", [s.latency for s in sessions]),
        ("cost_usd", [s.cost for s in sessions if s.cost is not None]),
    ):
        expected = reference_aggregate(values)
        if expected is None:
            assert experiment.get(field_name) is None
        else:
            assert experiment[field_name] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_http_exporter_sessions_become_the_experiments_runs(
    http: httpx.Client, workspace: str, http_producer: Producer
) -> None:
    create_experiment(http, workspace, "exp")
    sent = [
        SentSession("s1", "case-1", (0, 120)),
        SentSession("s2", "case-2", (10, 300)),
        SentSession("s3", "case-3", (20, 95.5)),
    ]
    send_openinference_session(http_producer, "exp", sent[0], [("gpt-a", 0.01), ("gpt-b", 0.02)])
    send_openinference_session(http_producer, "exp", sent[1], [("gpt-a", None)])
    send_openinference_session(http_producer, "exp", sent[2], [("gpt-a", 0.5)])
    experiment = rollups(http, workspace, "exp")
    assert_matches_reference(experiment, sent)
    assert experiment["latency_ms"]["sum"] == pytest.approx(120 + 290 + 75.5)
    # Tokens per test case (input + output over each session's spans), then across them.
    assert experiment["test_case_count"] == 3
    assert experiment["tokens"]["sum"] == (10 + 3 + 11 + 3) + (10 + 3) + (10 + 3)

    session = http.get(f"{base(workspace)}/sessions/s1").json()
    assert session["span_count"] == 3 and session["trace_count"] == 1
    assert session["duration_ms"] == pytest.approx(120)
    assert session["input_tokens"] == 10 + 11 and session["output_tokens"] == 6
    assert session["cost_usd"] == pytest.approx(0.03)
    assert session["status"] == "success"

    # The sessions list of the experiment shows them as runs, with their test cases.
    runs = http.get(f"{base(workspace)}/experiments/exp/sessions").json()["data"]
    assert sorted((r["session_id"], r["test_case_id"]) for r in runs) == [
        ("s1", "case-1"),
        ("s2", "case-2"),
        ("s3", "case-3"),
    ]


def test_grpc_exporter_with_genai_conventions_and_retries_count_once(
    http: httpx.Client, workspace: str, grpc_producer: Producer
) -> None:
    create_experiment(http, workspace, "exp")
    root = grpc_producer.span(
        "invoke_agent",
        0,
        200,
        {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "planner",
            "gen_ai.conversation.id": "conv-1",
            "nemo.evaluation.name": "exp",
            "nemo.test_case.name": "t1",
        },
    )
    chat = grpc_producer.span(
        "chat",
        5,
        50,
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "llama",
            "gen_ai.system": "nim",
            "gen_ai.usage.input_tokens": 7,
            "gen_ai.usage.output_tokens": 2,
            "gen_ai.usage.cost": 0.25,
        },
        parent=root,
    )
    end(chat, 50)
    tool = grpc_producer.span(
        "execute_tool", 60, 70, {"gen_ai.tool.name": "search"}, parent=root, error="timeout"
    )
    end(tool, 70)
    end(root, 200)
    first = rollups(http, workspace, "exp")
    assert first["run_count"] == 1 and first["model_names"] == ["llama"]
    assert first["cost_usd"]["sum"] == pytest.approx(0.25)
    assert first["latency_ms"]["sum"] == pytest.approx(200)

    # The exporter retrying every span, all in one export this time, changes nothing.
    exporter = grpc_producer.exporter
    assert exporter.export(list(exporter.exported)) == SpanExportResult.SUCCESS
    assert rollups(http, workspace, "exp") == first
    spans = http.get(f"{base(workspace)}/spans", params={"page_size": 100}).json()
    assert spans["pagination"]["total_results"] == 3
    trace_id = spans["data"][0]["trace_id"]
    again = http.get(f"{base(workspace)}/traces/{trace_id}").json()
    assert again["span_count"] == 3 and again["error_count"] == 1
    assert again["evaluation_context"] == {"evaluation_id": "exp", "test_case_id": "t1"}

    kinds = {s["name"]: s for s in spans["data"]}
    assert kinds["chat"]["kind"] == "LLM" and kinds["chat"]["provider"] == "nim"
    assert kinds["execute_tool"]["kind"] == "TOOL" and kinds["execute_tool"]["status"] == "error"
    assert kinds["execute_tool"]["error_message"] == "timeout"
    assert kinds["invoke_agent"]["kind"] == "AGENT"
    assert kinds["invoke_agent"]["agent_name"] == "planner"
    # Every span of the trace is in the conversation's session, though only the root named it.
    assert {s["session_id"] for s in spans["data"]} == {"conv-1"}


def export_request(
    trace_id: bytes, spans: list[tuple[bytes, bytes, str, int, int, dict[str, Any]]]
) -> trace_service_pb2.ExportTraceServiceRequest:
    """A raw OTLP export: (span id, parent id, name, start ms, end ms, attributes) per span."""
    request = trace_service_pb2.ExportTraceServiceRequest()
    scope = request.resource_spans.add().scope_spans.add()
    for span_id, parent, name, start_ms, end_ms, attributes in spans:
        span = scope.spans.add(
            trace_id=trace_id,
            span_id=span_id,
            parent_span_id=parent,
            name=name,
            start_time_unix_nano=START + start_ms * 1_000_000,
            end_time_unix_nano=START + end_ms * 1_000_000,
        )
        set_attributes(span, attributes)
    return request


def post_protobuf(
    http: httpx.Client, workspace: str, request: trace_service_pb2.ExportTraceServiceRequest
) -> httpx.Response:
    return http.post(
        otlp_path(workspace),
        content=request.SerializeToString(),
        headers={"content-type": "application/x-protobuf"},
    )


TRACE = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
ROOT, CHILD, OTHER = bytes.fromhex("b7ad6b7169203331"), bytes(range(1, 9)), bytes(range(2, 10))


def test_retries_and_out_of_order_spans_count_once(http: httpx.Client, workspace: str) -> None:
    create_experiment(http, workspace, "exp")
    child = export_request(
        TRACE, [(CHILD, ROOT, "llm", 10, 20, {"llm.model_name": "m", "llm.cost.total": 0.5})]
    )
    root = export_request(
        TRACE, [(ROOT, b"", "agent", 0, 100, {"nemo.experiment.id": "exp", "session.id": "s"})]
    )
    # The child first (without its session), then the root, then both again (a retry).
    for request in (child, root, child, root):
        reply = post_protobuf(http, workspace, request)
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"errors": []}
    experiment = rollups(http, workspace, "exp")
    assert experiment["run_count"] == 1
    assert experiment["cost_usd"]["sum"] == pytest.approx(0.5)
    assert experiment["cost_usd"]["count"] == 1
    assert experiment["latency_ms"]["sum"] == pytest.approx(100)
    spans = http.get(f"{base(workspace)}/spans").json()
    assert spans["pagination"]["total_results"] == 2
    assert {s["session_id"] for s in spans["data"]} == {"s"}
    # No run is left behind for the trace's provisional session.
    runs = http.get(f"{base(workspace)}/experiments/exp/sessions").json()["data"]
    assert [r["session_id"] for r in runs] == ["s"]


def test_sessions_naming_an_experiment_created_later_count_once_it_exists(
    http: httpx.Client, workspace: str
) -> None:
    request = export_request(
        TRACE,
        [
            (ROOT, b"", "agent", 0, 40, {"nemo.experiment.id": "later", "llm.cost.total": 1.5}),
            (CHILD, ROOT, "llm", 1, 2, {"llm.model_name": "m"}),
        ],
    )
    assert post_protobuf(http, workspace, request).status_code == 200
    assert http.get(f"{base(workspace)}/experiments/later").status_code == 404
    reply = http.post(f"{base(workspace)}/experiments", json={"name": "later", **EXPERIMENT})
    assert reply.status_code == 201
    assert reply.json()["run_count"] == 1
    experiment = rollups(http, workspace, "later")
    assert experiment["run_count"] == 1 and experiment["model_names"] == ["m"]
    assert experiment["latency_ms"]["sum"] == pytest.approx(40)
    assert experiment["cost_usd"]["sum"] == pytest.approx(1.5)


def test_otlp_json_gzip_and_unreadable_spans(http: httpx.Client, workspace: str) -> None:
    document = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "session.id", "value": {"stringValue": "json-s"}}]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": TRACE.hex(),
                                "spanId": ROOT.hex(),
                                "name": "root",
                                "startTimeUnixNano": str(START),
                                "endTimeUnixNano": str(START + 5_000_000),
                                "status": {"code": 2, "message": "failed"},
                                "attributes": [
                                    {"key": "llm.token_count.prompt", "value": {"intValue": "12"}},
                                    {"key": "custom.flag", "value": {"boolValue": True}},
                                ],
                            },
                            {"traceId": "zz", "spanId": CHILD.hex(), "name": "bad-id"},
                            {
                                "traceId": TRACE.hex(),
                                "spanId": OTHER.hex(),
                                "name": "no-start",
                            },
                            {
                                "traceId": "ab" * 16,
                                "spanId": CHILD.hex(),
                                "name": "long-session",
                                "startTimeUnixNano": str(START),
                                "attributes": [
                                    {"key": "session.id", "value": {"stringValue": "s" * 300}}
                                ],
                            },
                        ]
                    }
                ],
            }
        ]
    }
    reply = http.post(
        otlp_path(workspace),
        content=gzip.compress(json.dumps(document).encode()),
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert reply.status_code == 200, reply.text
    errors = reply.json()["errors"]
    assert len(errors) == 3
    assert "bad-id" in errors[0] and "trace id" in errors[0]
    assert OTHER.hex() in errors[1] and "start time" in errors[1]
    assert CHILD.hex() in errors[2] and "longer than 255 characters" in errors[2]
    span = http.get(f"{base(workspace)}/spans/{ROOT.hex()}").json()
    assert span["session_id"] == "json-s"
    assert span["status"] == "error" and span["error_message"] == "failed"
    assert span["input_tokens"] == 12
    assert json.loads(span["raw_attributes"]) == {"custom.flag": True}
    assert http.get(f"{base(workspace)}/spans/{OTHER.hex()}").status_code == 404


def test_bad_bodies_are_refused_and_change_nothing(http: httpx.Client, workspace: str) -> None:
    path = otlp_path(workspace)
    malformed = http.post(
        path, content=b"\xff\x00garbage", headers={"content-type": "application/x-protobuf"}
    )
    assert malformed.status_code == 400
    assert malformed.json() == {"detail": "The body is not a valid OTLP protobuf message."}
    for not_an_export in (b"{not json", b'"AAA"', b"[]"):
        bad_json = http.post(
            path, content=not_an_export, headers={"content-type": "application/json"}
        )
        assert bad_json.status_code == 400
    unsupported = http.post(path, content=b"x", headers={"content-type": "text/plain"})
    assert unsupported.status_code == 415
    assert "text/plain" in unsupported.json()["detail"]
    too_big = http.post(
        path,
        content=b"\x00" * (17 * 1024 * 1024),
        headers={"content-type": "application/x-protobuf"},
    )
    assert too_big.status_code == 413
    assert too_big.json() == {"detail": "The request body is larger than the service accepts."}
    listed = http.get(f"{base(workspace)}/spans").json()
    assert listed["pagination"]["total_results"] == 0


def test_reads_filter_sort_page_and_cut_payloads(http: httpx.Client, workspace: str) -> None:
    long_input = "x" * 1000
    spans = []
    for index in range(12):
        trace_id = bytes([index + 1]) * 16
        spans.append(
            export_request(
                trace_id,
                [
                    (
                        ROOT,
                        b"",
                        f"agent-{index}",
                        index * 10,
                        index * 10 + 5,
                        {
                            "session.id": f"sess-{index % 3}",
                            "nemo.experiment.id": "e",
                            "nemo.test_case.id": f"case-{index}",
                            "input.value": long_input,
                        },
                    ),
                    (
                        CHILD,
                        ROOT,
                        "llm",
                        index * 10 + 1,
                        index * 10 + 2,
                        {"llm.model_name": f"m{index % 2}"},
                    ),
                ],
            )
        )
    for request in spans:
        assert post_protobuf(http, workspace, request).status_code == 200
    b = base(workspace)

    traces = http.get(f"{b}/traces").json()
    assert traces["pagination"] == {
        "page": 1,
        "page_size": 10,
        "current_page_size": 10,
        "total_pages": 2,
        "total_results": 12,
    }
    assert traces["sort"] == "-started_at"
    names = [t["name"] for t in traces["data"]]
    assert names == [f"agent-{i}" for i in range(11, 1, -1)]
    assert all(len(t["input"]) == 300 and t["span_count"] == 2 for t in traces["data"])

    oldest = http.get(
        f"{b}/traces", params={"sort": "started_at", "page_size": 2, "mode": "summary"}
    )
    first = oldest.json()["data"][0]
    assert first["name"] == "agent-0" and "input" not in first and "span_count" not in first

    detailed = http.get(
        f"{b}/traces", params={"mode": "detailed", "filter[test_case_id]": "case-3"}
    )
    [only] = detailed.json()["data"]
    assert len(only["input"]) == 1000 and only["session_id"] == "sess-0"

    window = http.get(
        f"{b}/traces",
        params={
            "filter[started_at][$gte]": "2023-11-14T22:13:20.030Z",
            "filter[started_at][$lte]": "2023-11-14T22:13:20.050Z",
        },
    )
    assert [t["name"] for t in window.json()["data"]] == ["agent-5", "agent-4", "agent-3"]

    llm = http.get(f"{b}/spans", params={"filter[kind]": "LLM", "filter[model]": "m1"}).json()
    assert llm["pagination"]["total_results"] == 6
    assert all(s["model"] == "m1" and s["parent_span_id"] == ROOT.hex() for s in llm["data"])
    summary = http.get(f"{b}/spans", params={"mode": "summary", "page_size": 1}).json()["data"][0]
    assert "input" not in summary and "raw_attributes" not in summary

    groups = http.get(f"{b}/spans/groups", params={"by": "session_id"}).json()
    assert groups["grouped_by"] == ["session_id"]
    assert {g["group"]["session_id"]: g["span_count"] for g in groups["data"]} == {
        "sess-0": 8,
        "sess-1": 8,
        "sess-2": 8,
    }
    bad_group = http.get(f"{b}/spans/groups", params={"by": "model"})
    assert bad_group.status_code == 400 and "group-by" in bad_group.json()["detail"]
    assert http.get(f"{b}/spans", params={"filter[kind]": "NOPE"}).status_code == 400
    assert http.get(f"{b}/traces", params={"mode": "full"}).status_code == 400
    assert http.get(f"{b}/traces/{'ab' * 16}").status_code == 404
    assert http.get(f"{b}/sessions/nobody").status_code == 404

    session = http.get(f"{b}/sessions/sess-1").json()
    assert session["trace_count"] == 4 and session["span_count"] == 8


def test_sessions_ingested_as_summaries_read_the_same_way(
    http: httpx.Client, workspace: str
) -> None:
    create_experiment(http, workspace, "exp")
    body = {
        "sessions": [
            {
                "session_id": "summary-1",
                "experiment_name": "exp",
                "status": "error",
                "started_at": "2024-01-15T09:30:00Z",
                "ended_at": "2024-01-15T09:30:02Z",
                "latency_ms": 2000,
                "cost_usd": 0.1,
                "input_tokens": 5,
                "output_tokens": 1,
            }
        ]
    }
    assert http.post(f"{base(workspace)}/ingest/sessions", json=body).status_code == 201
    session = http.get(f"{base(workspace)}/sessions/summary-1").json()
    assert session["status"] == "error" and session["duration_ms"] == 2000
    assert session["cost_usd"] == pytest.approx(0.1) and session["input_tokens"] == 5


def test_otlp_grpc_workspace_comes_from_the_header_or_the_api_key(
    server: RunningServer, http: httpx.Client, workspace: str
) -> None:
    request = export_request(TRACE, [(ROOT, b"", "agent", 0, 10, {})])
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = trace_service_pb2_grpc.TraceServiceStub(channel)
        with pytest.raises(grpc.RpcError) as unnamed:
            stub.Export(request)
        assert unnamed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        _, key = create_api_key(server, workspace)
        stub.Export(request, metadata=(("authorization", f"Bearer {key}"),))
        with pytest.raises(grpc.RpcError) as other:
            stub.Export(
                request,
                metadata=(("authorization", f"Bearer {key}"), ("workspace", "someone-else")),
            )
        assert other.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert http.get(f"{base(workspace)}/spans/{ROOT.hex()}").status_code == 200
    assert http.get(f"{base('someone-else')}/spans/{ROOT.hex()}").status_code == 404


@st.composite
def sent_sessions(draw: st.DrawFn) -> list[tuple[SentSession, list[tuple[str, float | None]]]]:
    count = draw(st.integers(min_value=1, max_value=8))
    sessions = []
    for index in range(count):
        start = draw(st.integers(min_value=0, max_value=10_000))
        length = draw(st.integers(min_value=3, max_value=5_000))
        children = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["m-a", "m-b", "m-c"]),
                    st.none() | st.floats(min_value=0, max_value=10, allow_nan=False),
                ),
                min_size=0,
                max_size=4,
            )
        )
        sessions.append(
            (SentSession(f"s{index}", f"case-{index}", (start, start + length)), children)
        )
    return sessions


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=sent_sessions())
def test_rollups_of_random_sessions_match_a_reference(
    http: httpx.Client, workspace: str, grpc_producer: Producer, cases: list[Any]
) -> None:
    # One experiment and set of sessions per example: the fixtures are shared by examples.
    name = f"random-{uuid.uuid4().hex[:12]}"
    create_experiment(http, workspace, name)
    sent = []
    for drawn, children in cases:
        session = SentSession(f"{name}-{drawn.session_id}", drawn.test_case, drawn.root_ms)
        send_openinference_session(grpc_producer, name, session, children)
        sent.append(session)
    assert_matches_reference(rollups(http, workspace, name), sent)


def test_spans_of_one_session_sent_concurrently_are_all_counted(
    rest_base: str, http: httpx.Client, workspace: str
) -> None:
    """Twenty requests at once, each one span of the same trace (only the root names the
    session and experiment): one run, with every span in it, on every backend."""
    create_experiment(http, workspace, "exp")
    requests = [
        export_request(
            TRACE,
            [(ROOT, b"", "agent", 0, 100, {"nemo.experiment.id": "exp", "session.id": "together"})],
        )
    ]
    for index in range(19):
        span_id = bytes([9, index + 1, 0, 0, 0, 0, 0, 1])
        attributes = {"llm.model_name": f"m{index % 3}", "llm.cost.total": 0.25}
        requests.append(export_request(TRACE, [(span_id, ROOT, "llm", 1, 2, attributes)]))

    def send(request: trace_service_pb2.ExportTraceServiceRequest) -> int:
        with httpx.Client(base_url=rest_base, timeout=60) as client:
            return post_protobuf(client, workspace, request).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(send, requests)) == {200}
    experiment = rollups(http, workspace, "exp")
    assert experiment["run_count"] == 1
    assert experiment["cost_usd"]["sum"] == pytest.approx(19 * 0.25)
    assert experiment["model_names"] == ["m0", "m1", "m2"]
    session = http.get(f"{base(workspace)}/sessions/together").json()
    assert session["span_count"] == 20


def test_nvidia_sdk_reads_sessions_traces_and_spans(
    rest_base: str, http: httpx.Client, workspace: str
) -> None:
    """NVIDIA's own SDK (nemo-platform), pointed at the gateway, reads what was ingested."""
    create_experiment(http, workspace, "exp")
    request = export_request(
        TRACE,
        [
            (ROOT, b"", "agent", 0, 100, {"nemo.experiment.id": "exp", "session.id": "sdk-s"}),
            (CHILD, ROOT, "llm", 10, 20, {"llm.model_name": "m", "llm.cost.total": 0.5}),
        ],
    )
    assert post_protobuf(http, workspace, request).status_code == 200
    with NeMoPlatform(base_url=rest_base, workspace=workspace) as client:
        spans = client.intake.spans.list(
            workspace=workspace, filter={"kind": "LLM"}, mode="preview"
        )
        [llm] = spans.data
        assert llm.span_id == CHILD.hex() and llm.model == "m" and llm.cost_total_usd == 0.5
        assert client.intake.spans.retrieve(ROOT.hex(), workspace=workspace).session_id == "sdk-s"
        groups = client.intake.spans.groups.list(workspace=workspace, by="trace_id")
        assert [(g.group, g.span_count) for g in groups.data] == [({"trace_id": TRACE.hex()}, 2)]

        traces = client.intake.traces.list(
            workspace=workspace, filter={"started_at": {"$gte": "2023-01-01T00:00:00Z"}}
        )
        [trace_item] = traces.data
        assert trace_item.id == TRACE.hex() and trace_item.span_count == 2
        assert trace_item.duration_ms == pytest.approx(100)
        detailed = client.intake.traces.retrieve(TRACE.hex(), workspace=workspace, mode="detailed")
        assert detailed.cost_usd == 0.5
        session = client.intake.sessions.retrieve("sdk-s", workspace=workspace)
        assert (session.span_count, session.trace_count, session.cost_usd) == (2, 1, 0.5)


def test_a_detailed_trace_read_carries_its_spans_in_tree_order(
    http: httpx.Client, workspace: str
) -> None:
    tool = bytes(range(3, 11))
    # Sent out of order: a tool call under the LLM call, a second child of the root that
    # started first, and the root last.
    request = export_request(
        TRACE,
        [
            (tool, CHILD, "search", 30, 40, {"tool.name": "search", "x.custom": "kept"}),
            (CHILD, ROOT, "llm", 20, 50, {"llm.model_name": "m"}),
            (OTHER, ROOT, "plan", 5, 10, {}),
            (ROOT, b"", "agent", 0, 100, {"session.id": "tree"}),
        ],
    )
    assert post_protobuf(http, workspace, request).status_code == 200
    detailed = http.get(f"{base(workspace)}/traces/{TRACE.hex()}", params={"mode": "detailed"})
    assert detailed.status_code == 200
    spans = detailed.json()["spans"]
    assert [s["name"] for s in spans] == ["agent", "plan", "llm", "search"]
    assert [s.get("parent_span_id") for s in spans] == [
        None,
        ROOT.hex(),
        ROOT.hex(),
        CHILD.hex(),
    ]
    assert json.loads(spans[3]["raw_attributes"])["x.custom"] == "kept"
    for mode in ("preview", "summary"):
        other = http.get(f"{base(workspace)}/traces/{TRACE.hex()}", params={"mode": mode})
        assert other.json().get("spans", []) == [], mode


def test_the_workspace_lists_its_sessions_across_experiments(
    http: httpx.Client, workspace: str
) -> None:
    create_experiment(http, workspace, "a")
    create_experiment(http, workspace, "b")
    summaries = [
        {
            "session_id": f"s{i}",
            "experiment_name": "a" if i < 3 else "b",
            "test_case_id": f"case-{i % 2}",
            "status": "error" if i == 1 else "success",
            "started_at": f"2024-01-1{i}T09:30:00Z",
            "ended_at": f"2024-01-1{i}T09:31:00Z",
            "cost_usd": 0.1 * (i + 1),
            "latency_ms": 100.0 * (5 - i),
        }
        for i in range(5)
    ]
    reply = http.post(f"{base(workspace)}/ingest/sessions", json={"sessions": summaries})
    assert reply.status_code == 201, reply.text
    spans = export_request(
        TRACE, [(ROOT, b"", "agent", 0, 100, {"session.id": "otel", "nemo.experiment.id": "b"})]
    )
    assert post_protobuf(http, workspace, spans).status_code == 200
    path = f"{base(workspace)}/sessions"

    listed = http.get(path, params={"page_size": 4})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["pagination"]["total_results"] == 6 and body["sort"] == "-started_at"
    assert [s["id"] for s in body["data"]] == ["s4", "s3", "s2", "s1"]
    assert body["data"][0]["evaluation_context"] == {"evaluation_id": "b", "test_case_id": "case-0"}
    second = http.get(path, params={"page_size": 4, "page": 2}).json()["data"]
    assert {s["id"] for s in second} == {"s0", "otel"}
    otel = next(s for s in second if s["id"] == "otel")
    assert (otel["span_count"], otel["trace_count"]) == (1, 1)

    def ids(**params: str) -> list[str]:
        found = http.get(path, params=params)
        assert found.status_code == 200, found.text
        return [s["id"] for s in found.json()["data"]]

    assert ids(**{"filter[evaluation_id]": "a", "sort": "cost_usd"}) == ["s0", "s1", "s2"]
    assert ids(**{"filter[status]": "error"}) == ["s1"]
    assert ids(**{"filter[test_case_id]": "case-1", "sort": "-duration_ms"}) == ["s1", "s3"]
    window = {"filter[started_at][$gte]": "2024-01-12T00:00:00Z", "sort": "started_at"}
    assert ids(**window, **{"filter[started_at][$lte]": "2024-01-13T23:00:00Z"}) == ["s2", "s3"]
    assert http.get(path, params={"sort": "name"}).status_code == 400
    assert http.delete(f"{base(workspace)}/experiments/a").status_code == 204
    assert "s0" not in ids(page_size="100"), "a deleted experiment's sessions are not listed"


def test_configured_prices_cost_llm_spans_that_report_tokens_but_no_cost(
    tmp_path_factory: pytest.TempPathFactory, new_database_url: Callable[[], str]
) -> None:
    priced = start_server(
        tmp_path_factory.mktemp("priced"),
        "--llm-price",
        "priced-model=2,8",
        "--no-runner",
        gateway=True,
        database_url=new_database_url(),
    )
    try:
        assert priced.http_base is not None
        with httpx.Client(base_url=priced.http_base, timeout=60) as http:
            workspace = "pricing"
            create_experiment(http, workspace, "exp")
            tokens = {"llm.token_count.prompt": 1000, "llm.token_count.completion": 500}
            kind = {"openinference.span.kind": "LLM"}
            request = export_request(
                TRACE,
                [
                    (ROOT, b"", "agent", 0, 100, {"session.id": "s", "nemo.experiment.id": "exp"}),
                    (
                        CHILD,
                        ROOT,
                        "llm",
                        10,
                        20,
                        {**kind, "llm.model_name": "priced-model", **tokens},
                    ),
                    (OTHER, ROOT, "llm", 30, 40, {**kind, "llm.model_name": "unpriced", **tokens}),
                ],
            )
            assert post_protobuf(http, workspace, request).status_code == 200
            computed = http.get(f"{base(workspace)}/spans/{CHILD.hex()}").json()
            assert computed["cost_source"] == "computed"
            assert computed["cost_input_usd"] == pytest.approx(0.002)
            assert computed["cost_output_usd"] == pytest.approx(0.004)
            assert computed["cost_total_usd"] == pytest.approx(0.006)
            unpriced = http.get(f"{base(workspace)}/spans/{OTHER.hex()}").json()
            assert "cost_source" not in unpriced and "cost_total_usd" not in unpriced
            # A captured call without a cost is priced the same way; a reported cost is kept.
            call = {
                "session_id": "s",
                "evaluation_context": {"evaluation_id": "exp"},
                "request": {
                    "model": "priced-model",
                    "messages": [{"role": "user", "content": "?"}],
                },
                "response": {
                    "model": "priced-model",
                    "choices": [{"message": {"role": "assistant", "content": "!"}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 10},
                },
            }
            captured = http.post(f"{base(workspace)}/ingest/chat-completions", json=call).json()
            span = http.get(f"{base(workspace)}/spans/{captured['span_id']}").json()
            assert span["cost_source"] == "computed"
            assert span["cost_total_usd"] == pytest.approx(100 * 2e-6 + 10 * 8e-6)
            reported = http.post(
                f"{base(workspace)}/ingest/chat-completions", json={**call, "cost_usd": 0.5}
            ).json()
            span = http.get(f"{base(workspace)}/spans/{reported['span_id']}").json()
            assert (span["cost_source"], span["cost_total_usd"]) == ("reported", 0.5)
            # The session's run counts the computed costs with the reported one.
            experiment = http.get(f"{base(workspace)}/experiments/exp").json()
            assert experiment["cost_usd"]["sum"] == pytest.approx(0.006 + 0.00028 + 0.5)
    finally:
        priced.stop()
