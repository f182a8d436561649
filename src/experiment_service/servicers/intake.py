"""The IntakeService servicer: translate, call the domain, translate back."""

from __future__ import annotations

from collections.abc import AsyncIterator

from google.api import httpbody_pb2
from google.protobuf import empty_pb2

from experiment_service.api.comparison.v2 import comparison_pb2
from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc as svc_grpc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.domain.comparison.service import Comparisons
from experiment_service.domain.intake.experiments import IntakeExperiments
from experiment_service.domain.intake.groups import ExperimentGroups
from experiment_service.domain.intake.sessions import IntakeSessions
from experiment_service.servicers import intake_convert as convert
from experiment_service.servicers.comparison_convert import comparison_message
from experiment_service.servicers.fields import optional
from experiment_service.servicers.http_bodies import http_bodies
from experiment_service.types import ServicerContext


class IntakeServicer(svc_grpc.IntakeServiceServicer):
    def __init__(
        self,
        groups: ExperimentGroups,
        experiments: IntakeExperiments,
        sessions: IntakeSessions,
        comparisons: Comparisons,
    ) -> None:
        self._groups = groups
        self._experiments = experiments
        self._sessions = sessions
        self._comparisons = comparisons

    async def CompareExperiments(
        self, request: svc.CompareExperimentsRequest, context: ServicerContext
    ) -> comparison_pb2.ExperimentComparison:
        comparison = await self._comparisons.compare_intake(
            request.workspace, request.name, request.baseline, optional(request, "top")
        )
        return comparison_message(comparison)

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
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            convert.group_filter(request.filter),
        )
        return convert.groups_page(page, sort, request)

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
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            convert.experiment_filter(request.filter),
        )
        return convert.experiments_page(page, sort, request)

    async def GetExperiment(
        self, request: svc.GetExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        experiment = await self._experiments.get(request.workspace, request.name)
        return convert.experiment_message(experiment)

    async def ExportSessions(
        self, request: svc.ExportSessionsRequest, context: ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        content_type, chunks = await self._sessions.export(
            request.workspace, request.name, request.format
        )
        async for body in http_bodies(content_type, chunks):
            yield body

    async def WatchExperiment(
        self, request: svc.WatchExperimentRequest, context: ServicerContext
    ) -> AsyncIterator[res.Experiment]:
        async for experiment in self._experiments.watch(request.workspace, request.name):
            yield convert.experiment_message(experiment)

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

    async def IngestSessions(
        self, request: svc.IngestSessionsRequest, context: ServicerContext
    ) -> svc.IngestSessionsResponse:
        sessions = [convert.session(item) for item in request.sessions]
        ingested = await self._sessions.ingest(request.workspace, sessions)
        return svc.IngestSessionsResponse(ingested=ingested)

    async def ListSessions(
        self, request: svc.ListSessionsRequest, context: ServicerContext
    ) -> svc.ListSessionsResponse:
        page = await self._sessions.list(
            request.workspace,
            request.name,
            optional(request, "page"),
            optional(request, "page_size"),
            optional(request.filter, "status"),
            optional(request.filter, "test_case_id"),
        )
        return convert.sessions_page(page, request)
