"""Evaluator results as NVIDIA's intake has them: each create is a new result with its own id,
on a session or span that may not have arrived yet; the session-mean per evaluator is what an
experiment's `aggregate_scores` pool; results inside session summaries read the same way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import json_format
from nemo_platform import NeMoPlatform, NotFoundError

from experiment_service.api.intake.v2 import evaluator_results_pb2 as er
from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2.evaluator_results_pb2_grpc import (
    EvaluatorResultServiceStub,
)
from experiment_service.api.intake.v2.intake_service_pb2_grpc import IntakeServiceStub
from tests.support.errors import field_violations
from tests.test_intake_sessions import get, ingest, new_experiment, score, session
from tests.test_telemetry import (
    CHILD,
    ROOT,
    TRACE,
    base,
    create_experiment,
    export_request,
    post_protobuf,
    rollups,
)


@pytest.fixture(scope="module")
def results(channel: grpc.aio.Channel) -> EvaluatorResultServiceStub:
    return EvaluatorResultServiceStub(channel)


@pytest.fixture
def sdk(rest_base: str, workspace: str) -> Iterator[NeMoPlatform]:
    with NeMoPlatform(base_url=rest_base, workspace=workspace) as client:
        yield client


def create(workspace: str, **fields: Any) -> er.CreateEvaluatorResultRequest:
    values: dict[str, Any] = {"span_id": "span-1", "data_type": "NUMERIC", **fields}
    return er.CreateEvaluatorResultRequest(workspace=workspace, **values)


async def test_each_result_adds_to_the_session_mean_and_summaries_keep_created_results(
    intake: IntakeServiceStub, results: EvaluatorResultServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    await ingest(intake, workspace, session("exp", "s1", evaluator_results=[score("q", 0.1)]))

    first = await results.CreateEvaluatorResult(
        create(workspace, session_id="s1", name="q", value=0.7)
    )
    assert first.evaluator_result_id.startswith("er_") and first.value == 0.7
    await results.CreateEvaluatorResult(
        create(workspace, session_id="s1", name="helpful", data_type="BOOLEAN", value=1)
    )
    experiment = await get(intake, workspace)
    assert experiment["evaluator_names"] == ["helpful", "q"]
    # One session: its mean of 0.1 and 0.7 is the one value pooled.
    assert experiment["aggregate_scores"]["q"]["sum"] == pytest.approx(0.4)
    assert experiment["aggregate_scores"]["q"]["count"] == 1
    assert experiment["aggregate_scores"]["helpful"]["mean"] == 1

    listed = await results.ListEvaluatorResults(
        er.ListEvaluatorResultsRequest(
            workspace=workspace, sort="created_at", filter=er.EvaluatorResultFilter(session_id="s1")
        )
    )
    assert [(r.name, r.value, r.span_id) for r in listed.data] == [
        ("q", 0.1, ""),
        ("q", 0.7, "span-1"),
        ("helpful", 1, "span-1"),
    ]

    # A new summary of the session replaces the results it carried; created results stay.
    await ingest(intake, workspace, session("exp", "s1", evaluator_results=[score("q", 0.3)]))
    experiment = await get(intake, workspace)
    assert experiment["aggregate_scores"]["q"]["sum"] == pytest.approx(0.5)
    assert experiment["run_count"] == 1
    listed = await results.ListEvaluatorResults(
        er.ListEvaluatorResultsRequest(
            workspace=workspace, filter=er.EvaluatorResultFilter(name="q")
        )
    )
    assert sorted(r.value for r in listed.data) == [0.3, 0.7]
    sessions = await intake.ListSessions(svc.ListSessionsRequest(workspace=workspace, name="exp"))
    carried = json_format.MessageToDict(sessions.data[0], preserving_proto_field_name=True)[
        "evaluator_results"
    ]
    assert carried == [
        {"name": "q", "data_type": "NUMERIC", "value": 0.3},
        {"name": "q", "data_type": "NUMERIC", "value": 0.7},
        {"name": "helpful", "data_type": "BOOLEAN", "value": True},
    ]


async def test_results_before_their_session_count_once_it_arrives(
    intake: IntakeServiceStub, results: EvaluatorResultServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace)
    for value in (0.2, 0.6):
        await results.CreateEvaluatorResult(
            create(workspace, session_id="early", name="q", value=value)
        )
    await results.CreateEvaluatorResult(
        create(workspace, session_id="early", name="tone", data_type="TEXT", string_value="ok")
    )
    assert (await get(intake, workspace))["aggregate_scores"] == {}

    await ingest(intake, workspace, session("exp", "early"), session("exp", "other"))
    experiment = await get(intake, workspace)
    assert experiment["evaluator_names"] == ["q"]
    assert experiment["aggregate_scores"]["q"]["sum"] == pytest.approx(0.4)
    assert experiment["aggregate_scores"]["q"]["count"] == 1


def test_results_on_spans_score_the_session_the_spans_make(
    http: httpx.Client, sdk: NeMoPlatform, workspace: str
) -> None:
    create_experiment(http, workspace, "exp")
    # Scored before any span has arrived; the span ids are OTLP's lower-case hex.
    early = sdk.intake.evaluator_results.create(
        workspace=workspace,
        span_id=CHILD.hex(),
        session_id="s",
        name="faithfulness/v1",
        data_type="NUMERIC",
        value=0.25,
        comment="Cites a source that does not say this.",
    )
    request = export_request(
        TRACE,
        [
            (ROOT, b"", "agent", 0, 100, {"nemo.experiment.id": "exp", "session.id": "s"}),
            (CHILD, ROOT, "llm", 10, 20, {"llm.model_name": "m"}),
        ],
    )
    assert post_protobuf(http, workspace, request).status_code == 200
    later = sdk.intake.evaluator_results.create(
        workspace=workspace,
        span_id=ROOT.hex(),
        session_id="s",
        name="faithfulness/v1",
        data_type="NUMERIC",
        value=0.75,
    )
    sdk.intake.evaluator_results.create(
        workspace=workspace,
        span_id=ROOT.hex(),
        session_id="s",
        name="resolved",
        data_type="BOOLEAN",
        value=0,
    )
    experiment = rollups(http, workspace, "exp")
    assert experiment["aggregate_scores"]["faithfulness/v1"]["mean"] == pytest.approx(0.5)
    assert experiment["aggregate_scores"]["resolved"]["mean"] == 0
    # Spans arriving again (a retry) leave the scores as they are.
    assert post_protobuf(http, workspace, request).status_code == 200
    assert rollups(http, workspace, "exp")["aggregate_scores"] == experiment["aggregate_scores"]

    on_child = sdk.intake.spans.evaluator_results.list(CHILD.hex(), workspace=workspace)
    assert [r.evaluator_result_id for r in on_child] == [early.evaluator_result_id]
    assert on_child[0].comment == "Cites a source that does not say this."
    fetched = sdk.intake.evaluator_results.retrieve(later.evaluator_result_id, workspace=workspace)
    assert fetched.value == 0.75 and fetched.span_id == ROOT.hex() and fetched.session_id == "s"
    assert fetched.workspace == workspace and fetched.created_at is not None
    with pytest.raises(NotFoundError):
        sdk.intake.evaluator_results.retrieve("er_missing", workspace=workspace)


def test_lists_filter_by_value_type_and_time_and_sort_by_value(
    sdk: NeMoPlatform, workspace: str
) -> None:
    api = sdk.intake.evaluator_results
    made = [
        api.create(
            workspace=workspace,
            span_id=f"span-{index}",
            session_id="s1" if index < 3 else "s2",
            name="q",
            data_type="NUMERIC",
            value=value,
        )
        for index, value in enumerate((0.9, 0.1, 0.5, 0.3))
    ]
    api.create(
        workspace=workspace,
        span_id="span-9",
        session_id="s2",
        name="label",
        data_type="CATEGORICAL",
        string_value="good",
    )
    newest_first = api.list(workspace=workspace)
    assert newest_first.pagination.total_results == 5
    assert newest_first.data[0].data_type == "CATEGORICAL"
    assert newest_first.data[0].string_value == "good" and newest_first.data[0].value is None

    by_value = api.list(workspace=workspace, sort="-value", filter={"value": {"$gte": 0.3}})
    assert [r.value for r in by_value.data] == [0.9, 0.5, 0.3]
    low = api.list(workspace=workspace, sort="value", filter={"value": {"$lte": 0.3}})
    assert [r.value for r in low.data] == [0.1, 0.3]
    categorical = api.list(workspace=workspace, filter={"data_type": "CATEGORICAL"})
    assert [r.name for r in categorical.data] == ["label"]
    second = api.list(workspace=workspace, filter={"session_id": "s2", "span_id": "span-3"})
    assert [r.evaluator_result_id for r in second.data] == [made[3].evaluator_result_id]
    later = api.list(
        workspace=workspace,
        filter={"created_at": {"$gte": made[2].created_at}},
        sort="created_at",
    )
    assert [r.evaluator_result_id for r in later.data][:2] == [
        made[2].evaluator_result_id,
        made[3].evaluator_result_id,
    ]
    future = datetime.now(UTC) + timedelta(days=1)
    assert api.list(workspace=workspace, filter={"created_at": {"$gte": future}}).data == []
    page = api.list(workspace=workspace, page=2, page_size=2, sort="created_at")
    assert [r.evaluator_result_id for r in page.data] == [
        made[2].evaluator_result_id,
        made[3].evaluator_result_id,
    ]


def test_invalid_results_are_refused_and_nothing_is_stored(
    http: httpx.Client, workspace: str
) -> None:
    path = f"{base(workspace)}/evaluator-results"
    valid = {"span_id": "a", "session_id": "s", "name": "q", "data_type": "NUMERIC", "value": 1}
    for change, field in (
        ({"span_id": None}, "span_id"),
        ({"session_id": None}, "session_id"),
        ({"value": None}, "value"),
        ({"data_type": "SCORE"}, "data_type"),
        ({"data_type": "BOOLEAN", "value": 0.5}, "value"),
        ({"data_type": "TEXT"}, "string_value"),
        ({"name": "x" * 256}, "name"),
    ):
        body = {key: value for key, value in {**valid, **change}.items() if value is not None}
        reply = http.post(path, json=body)
        assert reply.status_code == 422, (change, reply.text)
        assert [entry["loc"] for entry in reply.json()["detail"]] == [["body", field]]
    assert http.get(path).json()["pagination"]["total_results"] == 0
    assert http.get(f"{path}/er_nope").status_code == 404
    assert http.get(f"{base(workspace)}/spans/a/evaluator-results").json() == []


async def test_refusals_over_grpc_name_every_field(
    results: EvaluatorResultServiceStub, workspace: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await results.CreateEvaluatorResult(
            er.CreateEvaluatorResultRequest(workspace=workspace, data_type="NUMERIC")
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(caught.value) == {
        "span_id": "missing",
        "session_id": "missing",
        "name": "missing",
        "value": "float_type",
    }
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await results.ListEvaluatorResults(
            er.ListEvaluatorResultsRequest(workspace=workspace, sort="name")
        )
    assert field_violations(caught.value) == {"sort": "enum"}


async def test_a_session_id_in_two_experiments_scores_both(
    intake: IntakeServiceStub, results: EvaluatorResultServiceStub, workspace: str
) -> None:
    await new_experiment(intake, workspace, "a")
    await new_experiment(intake, workspace, "b")
    await ingest(intake, workspace, session("a", "same"), session("b", "same"))
    await results.CreateEvaluatorResult(create(workspace, session_id="same", name="q", value=0.5))
    for name in ("a", "b"):
        assert (await get(intake, workspace, name))["aggregate_scores"]["q"]["sum"] == 0.5
