"""Rollups through the real server equal a plain-Python reference, for generated sessions."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiment_service.api.intake.v2 import evaluations_pb2 as ev
from experiment_service.api.intake.v2 import evaluations_pb2_grpc, intake_service_pb2_grpc
from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import resources_pb2 as res
from tests.support.reference import reference_aggregate
from tests.support.server import RunningServer

EVALUATORS = ["accuracy", "helpful", "tone"]
MODELS = ["gpt-4o", "claude", "llama", "judge"]

finite = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
results = st.one_of(
    st.builds(
        lambda n, v: {"name": n, "data_type": "NUMERIC", "value": v},
        st.sampled_from(EVALUATORS),
        st.floats(-1e3, 1e3, allow_nan=False),
    ),
    st.builds(
        lambda n, v: {"name": n, "data_type": "BOOLEAN", "value": v},
        st.sampled_from(EVALUATORS),
        st.booleans(),
    ),
    st.builds(
        lambda n, v: {"name": n, "data_type": "TEXT", "string_value": v},
        st.sampled_from(EVALUATORS),
        st.text(
            # NUL is refused by the service; lone surrogates are not valid UTF-8 at all.
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=5,
        ),
    ),
)
sessions = st.lists(
    st.fixed_dictionaries(
        {
            "session_id": st.sampled_from([f"s{i}" for i in range(40)]),
            "model_names": st.lists(st.sampled_from(MODELS), max_size=3),
            "evaluator_results": st.lists(results, max_size=4),
            "input_tokens": st.integers(0, 5000),
            "output_tokens": st.integers(0, 5000),
        },
        optional={
            "cost_usd": finite,
            "latency_ms": finite,
            "test_case_id": st.sampled_from([f"case-{i}" for i in range(8)]),
        },
    ),
    min_size=1,
    max_size=60,
)


def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def pooled(
    per_session: dict[str, float], stored: dict[str, dict[str, Any]], by_test_case: bool
) -> list[float]:
    """Per-session values as the statistics take them: one per session, or (evaluations)
    each test case's mean over its sessions, a session without one a case of its own."""
    if not by_test_case:
        return list(per_session.values())
    cases: dict[tuple[str, str], list[float]] = {}
    for session_id, value in per_session.items():
        cases.setdefault(case_of(stored[session_id]), []).append(value)
    return [mean(values) for values in cases.values()]


def case_of(item: dict[str, Any]) -> tuple[str, str]:
    return ("case", item["test_case_id"]) if "test_case_id" in item else ("run", item["session_id"])


def reference_rollups(
    batches: list[list[dict[str, Any]]], by_test_case: bool = False
) -> dict[str, Any]:
    stored: dict[str, dict[str, Any]] = {}
    for batch in batches:
        for item in batch:
            stored[item["session_id"]] = item  # re-ingesting replaces
    per_evaluator: dict[str, dict[str, float]] = {}
    for session_id, item in stored.items():
        by_name: dict[str, list[float]] = {}
        for result in item["evaluator_results"]:
            if result["data_type"] in ("NUMERIC", "BOOLEAN"):
                by_name.setdefault(result["name"], []).append(float(result["value"]))
        for name, values in by_name.items():
            per_evaluator.setdefault(name, {})[session_id] = mean(values)
    cases: dict[tuple[str, str], list[float]] = {}
    for item in stored.values():
        cases.setdefault(case_of(item), []).append(
            float(item["input_tokens"] + item["output_tokens"])
        )
    metrics = {
        column: {sid: item[column] for sid, item in stored.items() if column in item}
        for column in ("cost_usd", "latency_ms")
    }
    return {
        "run_count": len(stored),
        "evaluator_names": sorted(per_evaluator),
        "model_names": sorted({m for item in stored.values() for m in item["model_names"]}),
        "aggregate_scores": {
            name: reference_aggregate(pooled(values, stored, by_test_case))
            for name, values in per_evaluator.items()
        },
        "cost_usd": reference_aggregate(pooled(metrics["cost_usd"], stored, by_test_case)),
        "latency_ms": reference_aggregate(pooled(metrics["latency_ms"], stored, by_test_case)),
        # Per test case (a session without one is its own), the mean of its total tokens.
        "test_case_count": len(cases),
        "tokens": reference_aggregate([mean(totals) for totals in cases.values()]),
        # The experiment's own agent ran every session (no spans name another).
        "agent_names": ["a"],
        "agent_versions": ["1"],
    }


def served_rollups(experiment: res.Experiment | ev.Evaluation) -> dict[str, Any]:
    body = json_format.MessageToDict(
        experiment, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return {
        "run_count": body["run_count"],
        "evaluator_names": body["evaluator_names"],
        "model_names": body["model_names"],
        "aggregate_scores": body["aggregate_scores"],
        "cost_usd": body.get("cost_usd"),
        "latency_ms": body.get("latency_ms"),
        "test_case_count": body["test_case_count"],
        "tokens": body.get("tokens"),
        "agent_names": body["agent_names"],
        "agent_versions": body["agent_versions"],
    }


def assert_close(served: Any, expected: Any) -> None:
    if isinstance(expected, dict):
        assert set(served) == set(expected)
        for key in expected:
            assert_close(served[key], expected[key])
    elif isinstance(expected, float):
        assert served == pytest.approx(expected, rel=1e-9, abs=1e-9)
    else:
        assert served == expected


@pytest.fixture(scope="module")
def sync_intake(server: RunningServer) -> Any:
    with grpc.insecure_channel(server.grpc_target) as channel:
        yield intake_service_pb2_grpc.IntakeServiceStub(channel)


@pytest.fixture(scope="module")
def sync_evaluations(server: RunningServer) -> Any:
    with grpc.insecure_channel(server.grpc_target) as channel:
        yield evaluations_pb2_grpc.EvaluationServiceStub(channel)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(sessions, min_size=1, max_size=3))
def test_rollups_match_reference(
    sync_intake: Any, sync_evaluations: Any, batches: list[list[dict[str, Any]]]
) -> None:
    workspace, name = f"prop-{uuid.uuid4().hex[:8]}", "exp"
    sync_intake.CreateExperiment(
        svc.CreateExperimentRequest(
            workspace=workspace,
            experiment=res.ExperimentRequest(
                name=name, agent_name="a", agent_version="1", dataset_name="d"
            ),
        )
    )
    when = datetime(2024, 1, 1, tzinfo=UTC).isoformat()
    for batch in batches:
        wire = [
            dict(item, experiment_name=name, status="success", started_at=when, ended_at=when)
            for item in batch
        ]
        sync_intake.IngestSessions(
            json_format.ParseDict(
                {"workspace": workspace, "sessions": wire}, svc.IngestSessionsRequest()
            )
        )
        # Reading between batches exercises the cache being invalidated by the next batch.
        sync_intake.GetExperiment(svc.GetExperimentRequest(workspace=workspace, name=name))
    served = sync_intake.GetExperiment(svc.GetExperimentRequest(workspace=workspace, name=name))
    expected = reference_rollups(batches)
    expected["aggregate_scores"] = {
        k: v for k, v in expected["aggregate_scores"].items() if v is not None
    }
    assert_close(served_rollups(served), expected)
    listed = sync_intake.ListExperiments(svc.ListExperimentsRequest(workspace=workspace))
    assert_close(served_rollups(listed.data[0]), expected)

    # The same runs as an evaluation: scores, cost and latency pooled per test case first.
    per_case = reference_rollups(batches, by_test_case=True)
    per_case["aggregate_scores"] = {
        k: v for k, v in per_case["aggregate_scores"].items() if v is not None
    }
    evaluation = sync_evaluations.GetEvaluation(
        ev.GetEvaluationRequest(workspace=workspace, name=name)
    )
    assert_close(served_rollups(evaluation), per_case)
