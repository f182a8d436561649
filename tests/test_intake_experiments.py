"""Intake experiments over gRPC: create, get, list, update, delete, and every refusal."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import field_mask_pb2, json_format, timestamp_pb2

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.api.intake.v2.intake_service_pb2_grpc import IntakeServiceStub
from tests.support.errors import field_violations

SEED_REQUEST = {
    "name": "experiment_alpha_2024",
    "agent_name": "NemoAgent",
    "agent_version": "v2.3.1",
    "dataset_name": "ImageNet-2023",
}


def spec(**fields: object) -> res.ExperimentRequest:
    return json_format.ParseDict({**SEED_REQUEST, **fields}, res.ExperimentRequest())


async def create(intake: IntakeServiceStub, workspace: str, **fields: object) -> res.Experiment:
    request = svc.CreateExperimentRequest(workspace=workspace, experiment=spec(**fields))
    return await intake.CreateExperiment(request)


async def test_seed_example_creates_experiment_with_empty_rollups(
    intake: IntakeServiceStub, workspace: str
) -> None:
    before = datetime.now(UTC)
    created = await create(intake, workspace)

    assert created.id.startswith("exp_")
    assert (created.name, created.workspace) == ("experiment_alpha_2024", workspace)
    assert (created.agent_name, created.agent_version) == ("NemoAgent", "v2.3.1")
    assert created.dataset_name == "ImageNet-2023"
    assert not created.HasField("dataset_version")
    assert not created.HasField("experiment_group_id")
    assert created.created_at == created.updated_at
    assert created.created_at.ToDatetime(UTC) >= before - timedelta(seconds=1)
    assert created.run_count == 0
    assert list(created.evaluator_names) == [] and list(created.model_names) == []
    assert dict(created.aggregate_scores) == {}
    assert not created.HasField("cost_usd") and not created.HasField("latency_ms")

    fetched = await intake.GetExperiment(
        svc.GetExperimentRequest(workspace=workspace, name="experiment_alpha_2024")
    )
    assert fetched == created


async def test_every_optional_field_round_trips(intake: IntakeServiceStub, workspace: str) -> None:
    metadata = {"team": "vision", "tags": ["a", "b"], "nested": {"depth": 2.5, "ok": True}}
    created = await create(
        intake,
        workspace,
        dataset_version="v1.0",
        source_link="https://example.org/experiments/42?tab=runs",
        metadata=metadata,
        description="Initial experiment.",
        summary="Baseline accuracy 78.5%.",
    )
    fetched = await intake.GetExperiment(
        svc.GetExperimentRequest(workspace=workspace, name=created.name)
    )
    assert fetched.dataset_version == "v1.0"
    assert fetched.source_link == "https://example.org/experiments/42?tab=runs"
    assert json_format.MessageToDict(fetched.metadata) == metadata
    assert (fetched.description, fetched.summary) == (
        "Initial experiment.",
        "Baseline accuracy 78.5%.",
    )


async def test_missing_required_fields_are_all_listed_and_nothing_is_written(
    intake: IntakeServiceStub, workspace: str
) -> None:
    request = svc.CreateExperimentRequest(
        workspace=workspace,
        experiment=res.ExperimentRequest(source_link="not a uri", name="x" * 256),
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.CreateExperiment(request)

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(caught.value) == {
        "experiment.name": "string_too_long",
        "experiment.agent_name": "missing",
        "experiment.agent_version": "missing",
        "experiment.dataset_name": "missing",
        "experiment.source_link": "url_parsing",
    }
    listed = await intake.ListExperiments(svc.ListExperimentsRequest(workspace=workspace))
    assert listed.pagination.total_results == 0


@pytest.mark.parametrize(
    "link",
    ["relative/path", "https://", "http:///nohost", "with space://x", "://missing-scheme"],
)
async def test_source_link_must_be_an_absolute_uri(
    intake: IntakeServiceStub, workspace: str, link: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create(intake, workspace, source_link=link)
    assert field_violations(caught.value) == {"experiment.source_link": "url_parsing"}


@pytest.mark.parametrize("link", ["urn:isbn:0451450523", "mailto:team@example.com", "tag:"])
async def test_any_absolute_uri_is_a_source_link(
    intake: IntakeServiceStub, workspace: str, link: str
) -> None:
    # RFC 3986, as the document's `format: uri` says: a scheme, then anything without spaces.
    assert (await create(intake, workspace, source_link=link)).source_link == link


async def test_duplicate_name_in_workspace_already_exists_but_other_workspace_is_free(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await create(intake, workspace)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create(intake, workspace, agent_version="other")
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert caught.value.details() == (
        f"Experiment '{workspace}/experiment_alpha_2024' already exists."
    )
    other = await create(intake, workspace + "-other")
    assert other.workspace == workspace + "-other"


async def test_concurrent_creates_of_one_name_have_exactly_one_winner(
    intake: IntakeServiceStub, workspace: str
) -> None:
    attempts = [create(intake, workspace, agent_version=f"v{i}") for i in range(20)]
    results = await asyncio.gather(*attempts, return_exceptions=True)

    winners = [r for r in results if isinstance(r, res.Experiment)]
    losers = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(winners) == 1
    assert len(losers) == 19
    assert {error.code() for error in losers} == {grpc.StatusCode.ALREADY_EXISTS}
    listed = await intake.ListExperiments(svc.ListExperimentsRequest(workspace=workspace))
    assert [e.id for e in listed.data] == [winners[0].id]


async def test_unknown_experiment_is_not_found_and_workspaces_do_not_leak(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await create(intake, workspace)
    for ws, name in [(workspace, "nope"), (workspace + "-b", "experiment_alpha_2024")]:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await intake.GetExperiment(svc.GetExperimentRequest(workspace=ws, name=name))
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        assert name in caught.value.details()


async def test_list_pages_sorts_and_filters(intake: IntakeServiceStub, workspace: str) -> None:
    for index, agent in enumerate(["alpha", "beta", "alpha", "gamma", "alpha"]):
        await create(intake, workspace, name=f"exp-{index}", agent_name=agent)

    first = await intake.ListExperiments(
        svc.ListExperimentsRequest(workspace=workspace, page=1, page_size=2, sort="name")
    )
    assert [e.name for e in first.data] == ["exp-0", "exp-1"]
    assert json_format.MessageToDict(first.pagination, preserving_proto_field_name=True) == {
        "page": 1,
        "page_size": 2,
        "current_page_size": 2,
        "total_pages": 3,
        "total_results": 5,
    }
    last = await intake.ListExperiments(
        svc.ListExperimentsRequest(workspace=workspace, page=3, page_size=2, sort="name")
    )
    assert [e.name for e in last.data] == ["exp-4"]
    assert last.pagination.current_page_size == 1

    default = await intake.ListExperiments(svc.ListExperimentsRequest(workspace=workspace))
    assert default.sort == "-created_at"
    assert default.pagination.page_size == 100
    assert [e.name for e in default.data] == [f"exp-{i}" for i in range(4, -1, -1)]

    descending = await intake.ListExperiments(
        svc.ListExperimentsRequest(workspace=workspace, sort="-name")
    )
    assert [e.name for e in descending.data] == [f"exp-{i}" for i in range(4, -1, -1)]

    alphas = await intake.ListExperiments(
        svc.ListExperimentsRequest(
            workspace=workspace, sort="name", filter=svc.ExperimentFilter(agent_name="alpha")
        )
    )
    assert [e.name for e in alphas.data] == ["exp-0", "exp-2", "exp-4"]
    assert alphas.filter.agent_name == "alpha"


async def test_list_filters_on_created_at_range(intake: IntakeServiceStub, workspace: str) -> None:
    early = await create(intake, workspace, name="early")
    await asyncio.sleep(0.05)
    late = await create(intake, workspace, name="late")

    def stamp(value: timestamp_pb2.Timestamp) -> timestamp_pb2.Timestamp:
        copy = timestamp_pb2.Timestamp()
        copy.CopyFrom(value)
        return copy

    since_late = await intake.ListExperiments(
        svc.ListExperimentsRequest(
            workspace=workspace, filter=svc.ExperimentFilter(created_at_gte=stamp(late.created_at))
        )
    )
    assert [e.name for e in since_late.data] == ["late"]
    until_early = await intake.ListExperiments(
        svc.ListExperimentsRequest(
            workspace=workspace,
            filter=svc.ExperimentFilter(created_at_lte=stamp(early.created_at)),
        )
    )
    assert [e.name for e in until_early.data] == ["early"]


@pytest.mark.parametrize(
    ("request_fields", "violations"),
    [
        ({"page_size": 1001}, {"page_size": "less_than_equal"}),
        ({"page_size": -1}, {"page_size": "greater_than_equal"}),
        ({"page": -2}, {"page": "greater_than_equal"}),
        ({"sort": "agent_name"}, {"sort": "enum"}),
        ({"sort": "-bogus", "page_size": 5000}, {"sort": "enum", "page_size": "less_than_equal"}),
    ],
)
async def test_bad_list_queries_are_invalid_arguments(
    intake: IntakeServiceStub,
    workspace: str,
    request_fields: dict[str, object],
    violations: dict[str, str],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.ListExperiments(
            svc.ListExperimentsRequest(workspace=workspace, **request_fields)  # type: ignore[arg-type]
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(caught.value) == violations


async def test_update_replaces_mutable_fields(intake: IntakeServiceStub, workspace: str) -> None:
    created = await create(intake, workspace, description="old", summary="old", metadata={"a": 1})
    await asyncio.sleep(0.01)
    updated = await intake.UpdateExperiment(
        svc.UpdateExperimentRequest(
            workspace=workspace,
            name=created.name,
            experiment=spec(description="new", metadata={"b": 2}),
        )
    )
    assert updated.description == "new"
    assert not updated.HasField("summary"), "a full replace clears fields left out"
    assert json_format.MessageToDict(updated.metadata) == {"b": 2}
    assert updated.created_at == created.created_at
    assert updated.updated_at.ToDatetime() > created.updated_at.ToDatetime()
    assert updated.id == created.id
    fetched = await intake.GetExperiment(
        svc.GetExperimentRequest(workspace=workspace, name=created.name)
    )
    assert fetched == updated


async def test_update_mask_replaces_only_the_named_fields(
    intake: IntakeServiceStub, workspace: str
) -> None:
    created = await create(intake, workspace, description="keep", summary="old")
    updated = await intake.UpdateExperiment(
        svc.UpdateExperimentRequest(
            workspace=workspace,
            name=created.name,
            experiment=res.ExperimentRequest(summary="new"),
            update_mask=field_mask_pb2.FieldMask(paths=["summary"]),
        )
    )
    assert (updated.description, updated.summary) == ("keep", "new")
    assert updated.agent_name == "NemoAgent"


@pytest.mark.parametrize(
    "identity_change",
    [
        {"name": "renamed"},
        {"agent_name": "OtherAgent"},
        {"agent_version": "v9"},
        {"dataset_name": "Other"},
        {"dataset_version": "v2.0"},
    ],
)
async def test_update_refuses_identity_changes(
    intake: IntakeServiceStub, workspace: str, identity_change: dict[str, str]
) -> None:
    created = await create(intake, workspace, dataset_version="v1.0", description="before")
    body = {"dataset_version": "v1.0", "description": "after", **identity_change}
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.UpdateExperiment(
            svc.UpdateExperimentRequest(
                workspace=workspace, name=created.name, experiment=spec(**body)
            )
        )
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert next(iter(identity_change)) in caught.value.details()
    fetched = await intake.GetExperiment(
        svc.GetExperimentRequest(workspace=workspace, name=created.name)
    )
    assert fetched.description == "before"


async def test_update_validates_and_reports_unknown(
    intake: IntakeServiceStub, workspace: str
) -> None:
    created = await create(intake, workspace)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.UpdateExperiment(
            svc.UpdateExperimentRequest(
                workspace=workspace,
                name=created.name,
                experiment=res.ExperimentRequest(name=created.name),
            )
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations(caught.value)) == {
        "experiment.agent_name",
        "experiment.agent_version",
        "experiment.dataset_name",
    }
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.UpdateExperiment(
            svc.UpdateExperimentRequest(workspace=workspace, name="missing", experiment=spec())
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.UpdateExperiment(
            svc.UpdateExperimentRequest(
                workspace=workspace,
                name=created.name,
                experiment=spec(),
                update_mask=field_mask_pb2.FieldMask(paths=["run_count"]),
            )
        )
    assert field_violations(caught.value) == {"update_mask": "enum"}


async def test_delete_is_soft_and_frees_the_name_at_once(
    intake: IntakeServiceStub, workspace: str
) -> None:
    first = await create(intake, workspace)
    await intake.DeleteExperiment(svc.DeleteExperimentRequest(workspace=workspace, name=first.name))

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.GetExperiment(svc.GetExperimentRequest(workspace=workspace, name=first.name))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.DeleteExperiment(
            svc.DeleteExperimentRequest(workspace=workspace, name=first.name)
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    second = await create(intake, workspace)
    assert second.id != first.id
    live = await intake.ListExperiments(svc.ListExperimentsRequest(workspace=workspace))
    assert [e.id for e in live.data] == [second.id]
    deleted = await intake.ListExperiments(
        svc.ListExperimentsRequest(
            workspace=workspace, filter=svc.ExperimentFilter(is_deleted=True)
        )
    )
    assert [e.id for e in deleted.data] == [first.id]
    assert deleted.data[0].HasField("deleted_at")


async def test_group_reference_is_soft_stored_as_given_and_counted_by_its_group(
    intake: IntakeServiceStub, workspace: str
) -> None:
    group = await intake.CreateExperimentGroup(
        svc.CreateExperimentGroupRequest(
            workspace=workspace, experiment_group=res.ExperimentGroup(name="vision")
        )
    )
    grouped = await create(intake, workspace, name="grouped", experiment_group_id=group.id)
    assert grouped.experiment_group_id == group.id

    # Seed 000: "Soft reference, not validated": an id that names no group is stored as given.
    orphan = await create(intake, workspace, name="orphan", experiment_group_id="group_nope")
    assert orphan.experiment_group_id == "group_nope"
    renamed = await intake.UpdateExperiment(
        svc.UpdateExperimentRequest(
            workspace=workspace,
            name="orphan",
            experiment=spec(name="orphan", experiment_group_id="group_elsewhere"),
            update_mask=field_mask_pb2.FieldMask(paths=["experiment_group_id"]),
        )
    )
    assert renamed.experiment_group_id == "group_elsewhere"
    counted = await intake.GetExperimentGroup(
        svc.GetExperimentGroupRequest(workspace=workspace, name="vision")
    )
    assert counted.experiment_count == 1

    await intake.DeleteExperimentGroup(
        svc.DeleteExperimentGroupRequest(workspace=workspace, name="vision")
    )
    late = await create(intake, workspace, name="late", experiment_group_id=group.id)
    assert late.experiment_group_id == group.id
    kept = await intake.GetExperiment(svc.GetExperimentRequest(workspace=workspace, name="grouped"))
    assert kept.experiment_group_id == group.id, "deleting a group leaves its experiments alone"
