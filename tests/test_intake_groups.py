"""Intake experiment groups over gRPC."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.api.intake.v2.intake_service_pb2_grpc import IntakeServiceStub
from tests.support.errors import field_violations


async def create_group(
    intake: IntakeServiceStub, workspace: str, name: str, description: str | None = None
) -> res.ExperimentGroup:
    group = res.ExperimentGroup(name=name)
    if description is not None:
        group.description = description
    return await intake.CreateExperimentGroup(
        svc.CreateExperimentGroupRequest(workspace=workspace, experiment_group=group)
    )


async def test_create_get_and_count_live_experiments(
    intake: IntakeServiceStub, workspace: str
) -> None:
    group = await create_group(intake, workspace, "vision", "Image models")
    assert group.id.startswith("group_")
    assert (group.name, group.workspace, group.description) == ("vision", workspace, "Image models")
    assert group.experiment_count == 0

    for name in ("a", "b"):
        await intake.CreateExperiment(
            svc.CreateExperimentRequest(
                workspace=workspace,
                experiment=res.ExperimentRequest(
                    name=name,
                    agent_name="agent",
                    agent_version="1",
                    dataset_name="d",
                    experiment_group_id=group.id,
                ),
            )
        )
    await intake.DeleteExperiment(svc.DeleteExperimentRequest(workspace=workspace, name="b"))

    fetched = await intake.GetExperimentGroup(
        svc.GetExperimentGroupRequest(workspace=workspace, name="vision")
    )
    assert fetched.experiment_count == 1, "only live experiments count"
    assert fetched.id == group.id


async def test_duplicate_and_invalid_groups_are_refused(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await create_group(intake, workspace, "vision")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create_group(intake, workspace, "vision")
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert caught.value.details() == f"Experiment group '{workspace}/vision' already exists."

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create_group(intake, workspace, "")
    assert field_violations(caught.value) == {"experiment_group.name": "missing"}
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create_group(intake, workspace, "a/b", "x" * 10_001)
    assert field_violations(caught.value) == {
        "experiment_group.name": "string_pattern_mismatch",
        "experiment_group.description": "string_too_long",
    }


async def test_update_renames_but_not_onto_a_live_name(
    intake: IntakeServiceStub, workspace: str
) -> None:
    await create_group(intake, workspace, "old", "first")
    await create_group(intake, workspace, "taken")

    renamed = await intake.UpdateExperimentGroup(
        svc.UpdateExperimentGroupRequest(
            workspace=workspace,
            name="old",
            experiment_group=res.ExperimentGroup(name="new", description="second"),
        )
    )
    assert (renamed.name, renamed.description) == ("new", "second")
    assert renamed.updated_at.ToDatetime() >= renamed.created_at.ToDatetime()

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.UpdateExperimentGroup(
            svc.UpdateExperimentGroupRequest(
                workspace=workspace, name="new", experiment_group=res.ExperimentGroup(name="taken")
            )
        )
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.UpdateExperimentGroup(
            svc.UpdateExperimentGroupRequest(
                workspace=workspace, name="old", experiment_group=res.ExperimentGroup(name="x")
            )
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    masked = await intake.UpdateExperimentGroup(
        svc.UpdateExperimentGroupRequest(
            workspace=workspace,
            name="new",
            experiment_group=res.ExperimentGroup(description="third"),
            update_mask=field_mask_pb2.FieldMask(paths=["description"]),
        )
    )
    assert (masked.name, masked.description) == ("new", "third")


async def test_list_and_soft_delete(intake: IntakeServiceStub, workspace: str) -> None:
    for name in ("c", "a", "b"):
        await create_group(intake, workspace, name)
    listed = await intake.ListExperimentGroups(
        svc.ListExperimentGroupsRequest(workspace=workspace, sort="name", page_size=2)
    )
    assert [g.name for g in listed.data] == ["a", "b"]
    assert (listed.pagination.total_results, listed.pagination.total_pages) == (3, 2)

    await intake.DeleteExperimentGroup(
        svc.DeleteExperimentGroupRequest(workspace=workspace, name="a")
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.GetExperimentGroup(
            svc.GetExperimentGroupRequest(workspace=workspace, name="a")
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    recreated = await create_group(intake, workspace, "a")

    live = await intake.ListExperimentGroups(
        svc.ListExperimentGroupsRequest(workspace=workspace, sort="name")
    )
    assert [g.name for g in live.data] == ["a", "b", "c"]
    assert live.data[0].id == recreated.id
    deleted = await intake.ListExperimentGroups(
        svc.ListExperimentGroupsRequest(
            workspace=workspace, filter=svc.ExperimentGroupFilter(is_deleted=True)
        )
    )
    assert [g.name for g in deleted.data] == ["a"] and deleted.data[0].id != recreated.id

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.ListExperimentGroups(
            svc.ListExperimentGroupsRequest(workspace=workspace, sort="run_count")
        )
    assert field_violations(caught.value) == {"sort": "enum"}
