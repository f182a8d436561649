"""The EvaluatorResultService servicer."""

from __future__ import annotations

from experiment_service.api.intake.v2 import evaluator_results_pb2 as er
from experiment_service.api.intake.v2 import evaluator_results_pb2_grpc as er_grpc
from experiment_service.domain.intake.evaluator_results import EvaluatorResults
from experiment_service.servicers import evaluator_results_convert as convert
from experiment_service.servicers.fields import optional
from experiment_service.types import ServicerContext


class EvaluatorResultServicer(er_grpc.EvaluatorResultServiceServicer):
    def __init__(self, results: EvaluatorResults) -> None:
        self._results = results

    async def CreateEvaluatorResult(
        self, request: er.CreateEvaluatorResultRequest, context: ServicerContext
    ) -> er.EvaluatorResult:
        created = await self._results.create(request.workspace, convert.result_input(request))
        return convert.result_message(created)

    async def ListEvaluatorResults(
        self, request: er.ListEvaluatorResultsRequest, context: ServicerContext
    ) -> er.ListEvaluatorResultsResponse:
        page, sort = await self._results.list(
            request.workspace,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            convert.result_filter(request.filter),
        )
        return convert.results_page(page, sort, request)

    async def GetEvaluatorResult(
        self, request: er.GetEvaluatorResultRequest, context: ServicerContext
    ) -> er.EvaluatorResult:
        found = await self._results.get(request.workspace, request.evaluator_result_id)
        return convert.result_message(found)

    async def ListSpanEvaluatorResults(
        self, request: er.ListSpanEvaluatorResultsRequest, context: ServicerContext
    ) -> er.ListSpanEvaluatorResultsResponse:
        found = await self._results.of_span(request.workspace, request.span_id)
        return er.ListSpanEvaluatorResultsResponse(
            evaluator_results=[convert.result_message(item) for item in found]
        )
