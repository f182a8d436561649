"""Session ingestion, evaluator results, session listing, and the rollups they feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.api.intake.v2.intake_service_pb2_grpc import IntakeServiceStub
from tests.support.errors import field_violations

START = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)


def session(experiment: str, session_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "session_id": session_id,
        "experiment_name": experiment,
        "status": "success",
        "started_at": START.isoformat(),
        "ended_at": (START + timedelta(seconds=2)).isoformat(),
    }
    body.update(fields)
    return body


async def ingest(intake: IntakeServiceStub, workspace: str, *sessions: dict[str, Any]) -> int:
    request = json_format.ParseDict(
        {"workspace": workspace, "sessions": list(sessions)}, svc.IngestSessionsRequest()
    )
    reply = await intake.IngestSessions(request)
    return reply.ingested


async def new_experiment(intake: IntakeServiceStub, workspace: str, name: str = "exp") -> None:
    await intake.CreateExperiment(
        svc.CreateExperimentRequest(
            workspace=workspace,
            experiment=res.ExperimentRequest(
                name=name, agent_name="agent", agent_version="1", dataset_name="d"
            ),
        )
    )


async def get(intake: IntakeServiceStub, workspace: str, name: str = "exp") -> dict[str, Any]:
    reply = await intake.GetExperiment(svc.GetExperimentRequest(workspace=workspace, name=name))
    return json_format.MessageToDict(
        reply, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def score(name: str, value: float | bool, data_type: str = "NUMERIC") -> dict[str, Any]:
    return {"name": name, "data_type": data_type, "value": value}


async def test_documented_examples_of_cost_and_latency(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    pairs = [(0.05, 500), (0.10, 1500), (0.20, 2000), (0.30, 3000)]
    ingested = await ingest(
        intake,
        workspace,
        *(
            session("exp", f"s{i}", cost_usd=cost, latency_ms=latency)
            for i, (cost, latency) in enumerate(pairs)
        ),
    )
    assert ingested == 4
    experiment = await get(intake, workspace)
    assert experiment["run_count"] == 4
    assert experiment["cost_usd"]["median"] == 0.20
    assert experiment["cost_usd"]["p90"] == 0.30
    assert experiment["cost_usd"]["count"] == 4
    assert experiment["cost_usd"]["sum"] == pytest.approx(0.65)
    assert experiment["latency_ms"] == {
        "sum": 7000.0,
        "mean": 1750.0,
        "median": 2000.0,
        "p90": 3000.0,
        "p95": 3000.0,
        "p99": 3000.0,
        "count": 4,
    }


async def test_scores_are_per_session_means_and_ignore_text(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    await ingest(
        intake,
        workspace,
        session(
            "exp",
            "a",
            model_names=["gpt-4o", "judge"],
            evaluator_results=[
                score("accuracy", 1.0),
                score("accuracy", 0.0),  # session a's accuracy is the mean, 0.5
                score("correct", True, "BOOLEAN"),
                {"name": "tone", "data_type": "TEXT", "string_value": "polite"},
            ],
        ),
        session(
            "exp",
            "b",
            model_names=["claude"],
            evaluator_results=[score("accuracy", 0.9), score("correct", False, "BOOLEAN")],
        ),
        session(
            "exp",
            "c",
            evaluator_results=[{"name": "label", "data_type": "CATEGORICAL", "string_value": "x"}],
        ),
    )
    experiment = await get(intake, workspace)
    assert experiment["run_count"] == 3
    assert experiment["evaluator_names"] == ["accuracy", "correct"]
    assert experiment["model_names"] == ["claude", "gpt-4o", "judge"]
    accuracy = experiment["aggregate_scores"]["accuracy"]
    assert accuracy["count"] == 2
    assert accuracy["sum"] == pytest.approx(1.4)
    assert accuracy["median"] == 0.9  # sorted [0.5, 0.9], index floor(0.5 * 2) = 1
    assert experiment["aggregate_scores"]["correct"] == {
        "sum": 1.0,
        "mean": 0.5,
        "median": 1.0,
        "p90": 1.0,
        "p95": 1.0,
        "p99": 1.0,
        "count": 2,
    }
    assert "cost_usd" not in experiment and "latency_ms" not in experiment


async def test_reingesting_a_session_replaces_it_and_never_counts_twice(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    await ingest(
        intake, workspace, session("exp", "s1", cost_usd=1.0, evaluator_results=[score("q", 0.2)])
    )
    assert (await get(intake, workspace))["cost_usd"]["sum"] == 1.0

    ingested = await ingest(
        intake,
        workspace,
        session("exp", "s1", cost_usd=3.0, evaluator_results=[score("q", 0.8)]),
        session("exp", "s2", cost_usd=5.0),
        session("exp", "s2", cost_usd=7.0),  # the last copy in a batch wins
    )
    assert ingested == 2
    experiment = await get(intake, workspace)
    assert experiment["run_count"] == 2
    assert experiment["cost_usd"]["sum"] == 10.0
    assert experiment["aggregate_scores"]["q"]["sum"] == 0.8
    assert experiment["aggregate_scores"]["q"]["count"] == 1


async def test_one_bad_session_rejects_the_whole_batch_with_every_violation(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    bad = [
        session("exp", "ok"),
        session(
            "exp",
            "bad",
            status="finished",
            cost_usd=-1,
            latency_ms=-5,
            input_tokens=-1,
            ended_at=(START - timedelta(seconds=1)).isoformat(),
            evaluator_results=[
                {"name": "n", "data_type": "NUMERIC", "value": "high"},
                {"name": "b", "data_type": "BOOLEAN", "value": 1},
                {"name": "t", "data_type": "TEXT"},
                {"name": "", "data_type": "FUZZY"},
            ],
        ),
        {"experiment_name": "exp", "status": "success"},
    ]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest(intake, workspace, *bad)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(caught.value) == {
        "sessions[1].status": "enum",
        "sessions[1].ended_at": "value_error",
        "sessions[1].latency_ms": "greater_than_equal",
        "sessions[1].cost_usd": "greater_than_equal",
        "sessions[1].input_tokens": "greater_than_equal",
        "sessions[1].evaluator_results[0].value": "float_type",
        "sessions[1].evaluator_results[1].value": "bool_type",
        "sessions[1].evaluator_results[2].string_value": "missing",
        "sessions[1].evaluator_results[3].name": "missing",
        "sessions[1].evaluator_results[3].data_type": "enum",
        "sessions[2].session_id": "missing",
        "sessions[2].started_at": "missing",
        "sessions[2].ended_at": "missing",
    }
    assert (await get(intake, workspace))["run_count"] == 0


async def test_batch_size_is_bounded(intake: IntakeServiceStub, workspace: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.IngestSessions(svc.IngestSessionsRequest(workspace=workspace))
    assert field_violations(caught.value) == {"sessions": "too_short"}
    await new_experiment(intake, workspace)
    too_many = [session("exp", f"s{i}") for i in range(1001)]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest(intake, workspace, *too_many)
    assert field_violations(caught.value) == {"sessions": "too_long"}
    assert await ingest(intake, workspace, *too_many[:1000]) == 1000
    assert (await get(intake, workspace))["run_count"] == 1000


async def test_a_batch_of_many_invalid_sessions_lists_the_first_problems_and_counts_the_rest(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    # Each session has two problems (no session id, a negative cost): 500 in all.
    invalid = [{**session("exp", "x", cost_usd=-1), "session_id": ""} for _ in range(250)]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest(intake, workspace, *invalid)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "500 field violations" in (error.details() or "")
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    listed = list(bad_request.field_violations)
    assert listed[0].field == "sessions[0].session_id"
    assert listed[1].field == "sessions[0].cost_usd"
    assert 1 < len(listed) <= 101
    last = listed[-1]
    assert last.reason == "too_many"
    assert last.description == f"{500 - (len(listed) - 1)} more problems not listed."
    # Small enough for any gRPC client's metadata limit (8 KiB soft, 16 KiB hard).
    assert len(status.SerializeToString()) < 8 * 1024
    assert (await get(intake, workspace))["run_count"] == 0


async def test_sessions_of_unknown_or_deleted_experiments_are_refused_atomically(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace, "live")
    await new_experiment(intake, workspace, "gone")
    await intake.DeleteExperiment(svc.DeleteExperimentRequest(workspace=workspace, name="gone"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest(
            intake,
            workspace,
            session("live", "s1"),
            session("gone", "s2"),
            session("never", "s3"),
        )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert caught.value.details() == (
        f"Experiments '{workspace}/gone', '{workspace}/never' do not exist."
    )
    assert (await get(intake, workspace, "live"))["run_count"] == 0


async def test_list_sessions_pages_filters_and_returns_what_was_ingested(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    full = session(
        "exp",
        "s0",
        test_case_id="tc-1",
        latency_ms=120.5,
        input={"messages": [{"role": "user", "content": "hi"}]},
        output="hello",
        model_names=["gpt-4o"],
        input_tokens=12,
        output_tokens=3,
        cost_usd=0.002,
        evaluator_results=[
            score("q", 0.5),
            {"name": "t", "data_type": "TEXT", "string_value": "ok"},
        ],
        metadata={"trace": "abc"},
    )
    others = [
        session(
            "exp",
            f"s{i}",
            status="error" if i % 2 else "success",
            started_at=(START + timedelta(minutes=i)).isoformat(),
            ended_at=(START + timedelta(minutes=i, seconds=1)).isoformat(),
        )
        for i in range(1, 6)
    ]
    await ingest(intake, workspace, full, *others)

    first = await intake.ListSessions(
        svc.ListSessionsRequest(workspace=workspace, name="exp", page_size=2)
    )
    assert [s.session_id for s in first.data] == ["s0", "s1"]
    assert (first.pagination.total_results, first.pagination.total_pages) == (6, 3)
    stored = json_format.MessageToDict(first.data[0], preserving_proto_field_name=True)
    expected = dict(full, started_at="2024-01-15T09:30:00Z", ended_at="2024-01-15T09:30:02Z")
    assert stored == expected

    errors = await intake.ListSessions(
        svc.ListSessionsRequest(
            workspace=workspace, name="exp", filter=svc.SessionFilter(status="error")
        )
    )
    assert [s.session_id for s in errors.data] == ["s1", "s3", "s5"]
    by_case = await intake.ListSessions(
        svc.ListSessionsRequest(
            workspace=workspace, name="exp", filter=svc.SessionFilter(test_case_id="tc-1")
        )
    )
    assert [s.session_id for s in by_case.data] == ["s0"]

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.ListSessions(svc.ListSessionsRequest(workspace=workspace, name="nope"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.ListSessions(
            svc.ListSessionsRequest(
                workspace=workspace, name="exp", filter=svc.SessionFilter(status="done")
            )
        )
    assert field_violations(caught.value) == {"filter.status": "enum"}


async def test_experiments_list_with_rollups_and_sorts_by_run_count(
    intake: IntakeServiceStub, workspace: str
) -> None:
    for name, runs in (("few", 1), ("many", 3), ("none", 0)):
        await new_experiment(intake, workspace, name)
        if runs:
            await ingest(
                intake, workspace, *(session(name, f"s{i}", cost_usd=1.0) for i in range(runs))
            )
    listed = await intake.ListExperiments(
        svc.ListExperimentsRequest(workspace=workspace, sort="-run_count")
    )
    assert [(e.name, e.run_count) for e in listed.data] == [("many", 3), ("few", 1), ("none", 0)]
    assert listed.data[0].cost_usd.sum == 3.0
    assert not listed.data[2].HasField("cost_usd")
    ascending = await intake.ListExperiments(
        svc.ListExperimentsRequest(workspace=workspace, sort="run_count")
    )
    assert [e.name for e in ascending.data] == ["none", "few", "many"]


async def test_nul_characters_are_refused_on_every_backend(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest(
            intake,
            workspace,
            session(
                "exp",
                "a\x00",
                output={"text": "bad\x00"},
                evaluator_results=[{"name": "t", "data_type": "TEXT", "string_value": "\x00"}],
            ),
        )
    assert field_violations(caught.value) == {
        "sessions[0].session_id": "string_nul_character",
        "sessions[0].output": "string_nul_character",
        "sessions[0].evaluator_results[0].string_value": "string_nul_character",
    }
