"""The EvaluationService servicer: intake experiments under NVIDIA's newer name."""

from __future__ import annotations

from google.protobuf import empty_pb2

from experiment_service.api.intake.v2 import evaluations_pb2 as ev
from experiment_service.api.intake.v2 import evaluations_pb2_grpc as ev_grpc
from experiment_service.domain.intake.evaluation_sessions import EvaluationSessions
from experiment_service.domain.intake.evaluations import Evaluations
from experiment_service.servicers import evaluations_convert as convert
from experiment_service.servicers.fields import optional
from experiment_service.types import ServicerContext


class EvaluationServicer(ev_grpc.EvaluationServiceServicer):
    def __init__(self, evaluations: Evaluations, sessions: EvaluationSessions) -> None:
        self._evaluations = evaluations
        self._sessions = sessions

    async def CreateEvaluation(
        self, request: ev.CreateEvaluationRequest, context: ServicerContext
    ) -> ev.Evaluation:
        created = await self._evaluations.create(
            request.workspace, convert.spec(request.evaluation)
        )
        return convert.evaluation_message(created)

    async def ListEvaluations(
        self, request: ev.ListEvaluationsRequest, context: ServicerContext
    ) -> ev.ListEvaluationsResponse:
        page, sort = await self._evaluations.list(
            request.workspace,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            convert.evaluation_filter(request.filter),
        )
        return convert.evaluations_page(page, sort, request)

    async def GetEvaluation(
        self, request: ev.GetEvaluationRequest, context: ServicerContext
    ) -> ev.Evaluation:
        found = await self._evaluations.get(request.workspace, request.name)
        return convert.evaluation_message(found)

    async def UpdateEvaluation(
        self, request: ev.UpdateEvaluationRequest, context: ServicerContext
    ) -> ev.Evaluation:
        updated = await self._evaluations.update(
            request.workspace, request.name, convert.spec(request.evaluation)
        )
        return convert.evaluation_message(updated)

    async def PatchEvaluation(
        self, request: ev.PatchEvaluationRequest, context: ServicerContext
    ) -> ev.Evaluation:
        patched = await self._evaluations.patch(
            request.workspace, request.name, convert.patch(request.evaluation)
        )
        return convert.evaluation_message(patched)

    async def DeleteEvaluation(
        self, request: ev.DeleteEvaluationRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._evaluations.delete(request.workspace, request.name)
        return empty_pb2.Empty()

    async def PinEvaluation(
        self, request: ev.PinEvaluationRequest, context: ServicerContext
    ) -> ev.Evaluation:
        pinned = await self._evaluations.pin(request.workspace, request.name, pinned=True)
        return convert.evaluation_message(pinned)

    async def UnpinEvaluation(
        self, request: ev.UnpinEvaluationRequest, context: ServicerContext
    ) -> ev.Evaluation:
        unpinned = await self._evaluations.pin(request.workspace, request.name, pinned=False)
        return convert.evaluation_message(unpinned)

    async def ListEvaluationSessions(
        self, request: ev.ListEvaluationSessionsRequest, context: ServicerContext
    ) -> ev.ListEvaluationSessionsResponse:
        where = request.filter
        equals = {
            name: getattr(where, name)
            for name in ("test_case_id", "status")
            if where.HasField(name)
        }
        page = await self._sessions.list(
            request.workspace,
            request.name,
            optional(request, "page"),
            optional(request, "page_size"),
            request.mode,
            request.sort,
            equals,
        )
        return convert.sessions_page(page, request.sort or "started_at", request)
