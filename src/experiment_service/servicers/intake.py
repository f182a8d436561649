"""The IntakeService servicer: translate, call the domain, translate back."""

from __future__ import annotations

from google.protobuf import empty_pb2
from grpc.aio import ServicerContext

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc as svc_grpc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.domain.experiments import IntakeExperiments
from experiment_service.domain.groups import ExperimentGroups
from experiment_service.servicers import intake_convert as convert


class IntakeServicer(svc_grpc.IntakeServiceServicer):
    def __init__(self, groups: ExperimentGroups, experiments: IntakeExperiments) -> None:
        self._groups = groups
        self._experiments = experiments

    async def CreateExperimentGroup(
        self, request: svc.CreateExperimentGroupRequest, context: ServicerContext
    ) -> res.ExperimentGroup:
        group = await self._groups.create(
            request.workspace, convert.group_spec(request.experiment_group)
        )
        return convert.group_message(group)

    async def ListExperimentGroups(
        self, request: svc.ListExperimentGroupsRequest, context: ServicerContext
    ) -> svc.ListExperimentGroupsResponse:
        page, sort = await self._groups.list(
            request.workspace,
            request.page,
            request.page_size,
            request.sort,
            convert.group_filter(request.filter),
        )
        return convert.groups_page(page, sort, request)  # type: ignore[no-any-return]

    async def GetExperimentGroup(
        self, request: svc.GetExperimentGroupRequest, context: ServicerContext
    ) -> res.ExperimentGroup:
        return convert.group_message(await self._groups.get(request.workspace, request.name))

    async def UpdateExperimentGroup(
        self, request: svc.UpdateExperimentGroupRequest, context: ServicerContext
    ) -> res.ExperimentGroup:
        group = await self._groups.update(
            request.workspace,
            request.name,
            convert.group_spec(request.experiment_group),
            list(request.update_mask.paths),
        )
        return convert.group_message(group)

    async def DeleteExperimentGroup(
        self, request: svc.DeleteExperimentGroupRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._groups.delete(request.workspace, request.name)
        return empty_pb2.Empty()

    async def CreateExperiment(
        self, request: svc.CreateExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        experiment = await self._experiments.create(
            request.workspace, convert.experiment_spec(request.experiment)
        )
        return convert.experiment_message(experiment)

    async def ListExperiments(
        self, request: svc.ListExperimentsRequest, context: ServicerContext
    ) -> svc.ListExperimentsResponse:
        page, sort = await self._experiments.list(
            request.workspace,
            request.page,
            request.page_size,
            request.sort,
            convert.experiment_filter(request.filter),
        )
        return convert.experiments_page(page, sort, request)  # type: ignore[no-any-return]

    async def GetExperiment(
        self, request: svc.GetExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        experiment = await self._experiments.get(request.workspace, request.name)
        return convert.experiment_message(experiment)

    async def UpdateExperiment(
        self, request: svc.UpdateExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        experiment = await self._experiments.update(
            request.workspace,
            request.name,
            convert.experiment_spec(request.experiment),
            list(request.update_mask.paths),
        )
        return convert.experiment_message(experiment)

    async def DeleteExperiment(
        self, request: svc.DeleteExperimentRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._experiments.delete(request.workspace, request.name)
        return empty_pb2.Empty()
