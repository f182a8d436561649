"""Platform servicers: the caller's workspace comes from its API key (auth.current_workspace)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from google.api import httpbody_pb2
from google.protobuf import empty_pb2

from experiment_service.api.comparison.v2 import comparison_pb2
from experiment_service.api.platform.v2 import datasets_pb2 as ds
from experiment_service.api.platform.v2 import datasets_pb2_grpc as ds_grpc
from experiment_service.api.platform.v2 import evaluators_pb2 as ev
from experiment_service.api.platform.v2 import evaluators_pb2_grpc as ev_grpc
from experiment_service.api.platform.v2 import experiments_pb2 as ex
from experiment_service.api.platform.v2 import experiments_pb2_grpc as ex_grpc
from experiment_service.api.platform.v2 import prompts_pb2 as pr
from experiment_service.api.platform.v2 import prompts_pb2_grpc as pr_grpc
from experiment_service.api.platform.v2 import resources_pb2 as res
from experiment_service.domain.comparison.service import Comparisons
from experiment_service.domain.platform.datasets import Datasets
from experiment_service.domain.platform.evaluators import Evaluators
from experiment_service.domain.platform.experiments import PlatformExperiments
from experiment_service.domain.platform.prompts import Prompts
from experiment_service.servicers import platform_convert as convert
from experiment_service.servicers.auth import current_workspace
from experiment_service.servicers.comparison_convert import comparison_message
from experiment_service.servicers.fields import optional, optional_value
from experiment_service.servicers.http_bodies import http_bodies
from experiment_service.servicers.json_values import struct_to_dict
from experiment_service.types import ServicerContext

_DATASETS = ds.DESCRIPTOR.services_by_name["DatasetService"].methods_by_name
_PROMPTS = pr.DESCRIPTOR.services_by_name["PromptService"].methods_by_name
_EVALUATORS = ev.DESCRIPTOR.services_by_name["EvaluatorService"].methods_by_name
_EXPERIMENTS = ex.DESCRIPTOR.services_by_name["ExperimentService"].methods_by_name


def _name(message: object) -> str | None:
    """PATCH: a non-empty name is a change, an empty one is absent."""
    return getattr(message, "name", "") or None


class DatasetServicer(ds_grpc.DatasetServiceServicer):
    def __init__(self, datasets: Datasets) -> None:
        self._datasets = datasets

    async def CreateDataset(
        self, request: ds.CreateDatasetRequest, context: ServicerContext
    ) -> res.Dataset:
        dataset = await self._datasets.create(
            current_workspace(),
            request.dataset.name,
            optional(request.dataset, "description"),
        )
        return convert.dataset_message(dataset)

    async def ListDatasets(
        self, request: ds.ListDatasetsRequest, context: ServicerContext
    ) -> ds.ListDatasetsResponse:
        page = await self._datasets.list(
            current_workspace(),
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort_by,
        )
        items = [convert.dataset_message(d) for d in page.items]
        return convert.page_response(
            ds.ListDatasetsResponse, _DATASETS["ListDatasets"], request, page, items
        )

    async def GetDataset(
        self, request: ds.GetDatasetRequest, context: ServicerContext
    ) -> res.Dataset:
        return convert.dataset_message(await self._datasets.get(current_workspace(), request.id))

    async def UpdateDataset(
        self, request: ds.UpdateDatasetRequest, context: ServicerContext
    ) -> res.Dataset:
        dataset = await self._datasets.update(
            current_workspace(),
            request.id,
            _name(request.dataset),
            optional(request.dataset, "description"),
        )
        return convert.dataset_message(dataset)

    async def DeleteDataset(
        self, request: ds.DeleteDatasetRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._datasets.delete(current_workspace(), request.id)
        return empty_pb2.Empty()

    async def CreateDatasetRow(
        self, request: ds.CreateDatasetRowRequest, context: ServicerContext
    ) -> res.DatasetRow:
        rows, _ = await self._datasets.add_rows(
            current_workspace(), request.dataset_id, [convert.record(request.row)]
        )
        return convert.record_message(rows[0])

    async def BatchCreateDatasetRows(
        self, request: ds.BatchCreateDatasetRowsRequest, context: ServicerContext
    ) -> ds.BatchCreateDatasetRowsResponse:
        rows, row_count = await self._datasets.add_rows(
            current_workspace(), request.dataset_id, [convert.record(r) for r in request.rows]
        )
        return ds.BatchCreateDatasetRowsResponse(created=len(rows), row_count=row_count)

    async def ListDatasetRows(
        self, request: ds.ListDatasetRowsRequest, context: ServicerContext
    ) -> ds.ListDatasetRowsResponse:
        page = await self._datasets.list_rows(
            current_workspace(),
            request.dataset_id,
            optional(request, "page"),
            optional(request, "page_size"),
        )
        items = [convert.record_message(r) for r in page.items]
        return convert.page_response(
            ds.ListDatasetRowsResponse, _DATASETS["ListDatasetRows"], request, page, items
        )


class PromptServicer(pr_grpc.PromptServiceServicer):
    def __init__(self, prompts: Prompts) -> None:
        self._prompts = prompts

    async def CreatePrompt(
        self, request: pr.CreatePromptRequest, context: ServicerContext
    ) -> res.Prompt:
        prompt = await self._prompts.create(
            current_workspace(),
            request.prompt.name,
            optional(request.prompt, "description"),
        )
        return convert.prompt_message(prompt)

    async def ListPrompts(
        self, request: pr.ListPromptsRequest, context: ServicerContext
    ) -> pr.ListPromptsResponse:
        page = await self._prompts.list(
            current_workspace(),
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort_by,
        )
        items = [convert.prompt_message(p) for p in page.items]
        return convert.page_response(
            pr.ListPromptsResponse, _PROMPTS["ListPrompts"], request, page, items
        )

    async def GetPrompt(self, request: pr.GetPromptRequest, context: ServicerContext) -> res.Prompt:
        return convert.prompt_message(await self._prompts.get(current_workspace(), request.id))

    async def UpdatePrompt(
        self, request: pr.UpdatePromptRequest, context: ServicerContext
    ) -> res.Prompt:
        prompt = await self._prompts.update(
            current_workspace(),
            request.id,
            _name(request.prompt),
            optional(request.prompt, "description"),
            optional(request.prompt, "deployed_version"),
        )
        return convert.prompt_message(prompt)

    async def DeletePrompt(
        self, request: pr.DeletePromptRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._prompts.delete(current_workspace(), request.id)
        return empty_pb2.Empty()

    async def CreatePromptVersion(
        self, request: pr.CreatePromptVersionRequest, context: ServicerContext
    ) -> res.PromptVersion:
        version = await self._prompts.create_version(
            current_workspace(), request.prompt_id, convert.version_spec(request.version)
        )
        return convert.version_message(version)

    async def ListPromptVersions(
        self, request: pr.ListPromptVersionsRequest, context: ServicerContext
    ) -> pr.ListPromptVersionsResponse:
        page = await self._prompts.list_versions(
            current_workspace(),
            request.prompt_id,
            optional(request, "page"),
            optional(request, "page_size"),
        )
        items = [convert.version_message(v) for v in page.items]
        return convert.page_response(
            pr.ListPromptVersionsResponse, _PROMPTS["ListPromptVersions"], request, page, items
        )

    async def RenderPromptVersion(
        self, request: pr.RenderPromptVersionRequest, context: ServicerContext
    ) -> pr.RenderPromptVersionResponse:
        messages = await self._prompts.render(
            current_workspace(),
            request.prompt_id,
            request.version,
            struct_to_dict(request.variables),
        )
        return pr.RenderPromptVersionResponse(messages=[res.PromptMessage(**m) for m in messages])


class EvaluatorServicer(ev_grpc.EvaluatorServiceServicer):
    def __init__(self, evaluators: Evaluators) -> None:
        self._evaluators = evaluators

    async def CreateEvaluator(
        self, request: ev.CreateEvaluatorRequest, context: ServicerContext
    ) -> res.Evaluator:
        evaluator = await self._evaluators.create(
            current_workspace(), convert.evaluator_spec(request.evaluator)
        )
        return convert.evaluator_message(evaluator)

    async def ListEvaluators(
        self, request: ev.ListEvaluatorsRequest, context: ServicerContext
    ) -> ev.ListEvaluatorsResponse:
        page = await self._evaluators.list(
            current_workspace(),
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort_by,
        )
        items = [convert.evaluator_message(e) for e in page.items]
        return convert.page_response(
            ev.ListEvaluatorsResponse, _EVALUATORS["ListEvaluators"], request, page, items
        )

    async def GetEvaluator(
        self, request: ev.GetEvaluatorRequest, context: ServicerContext
    ) -> res.Evaluator:
        return convert.evaluator_message(
            await self._evaluators.get(current_workspace(), request.id)
        )

    async def UpdateEvaluator(
        self, request: ev.UpdateEvaluatorRequest, context: ServicerContext
    ) -> res.Evaluator:
        evaluator = await self._evaluators.update(
            current_workspace(), request.id, convert.evaluator_changes(request.evaluator)
        )
        return convert.evaluator_message(evaluator)

    async def DeleteEvaluator(
        self, request: ev.DeleteEvaluatorRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._evaluators.delete(current_workspace(), request.id)
        return empty_pb2.Empty()

    async def RunEvaluator(
        self, request: ev.RunEvaluatorRequest, context: ServicerContext
    ) -> ev.RunEvaluatorResponse:
        score = await self._evaluators.run(
            current_workspace(),
            request.id,
            optional_value(request, "input"),
            optional_value(request, "output"),
            optional_value(request, "expected_output"),
        )
        return ev.RunEvaluatorResponse(score=convert.score_message(score))


class ExperimentServicer(ex_grpc.ExperimentServiceServicer):
    def __init__(self, experiments: PlatformExperiments, comparisons: Comparisons) -> None:
        self._experiments = experiments
        self._comparisons = comparisons

    async def CompareExperiments(
        self, request: ex.CompareExperimentsRequest, context: ServicerContext
    ) -> comparison_pb2.ExperimentComparison:
        comparison = await self._comparisons.compare_platform(
            current_workspace(), request.id, request.baseline, optional(request, "top")
        )
        return comparison_message(comparison)

    async def CreateExperiment(
        self, request: ex.CreateExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        body = request.experiment
        experiment = await self._experiments.create(
            current_workspace(),
            body.name,
            optional(body, "description"),
            body.dataset_id,
            convert.workflows(body.workflows),
            list(body.evaluator_slugs),
        )
        return convert.experiment_message(experiment)

    async def ListExperiments(
        self, request: ex.ListExperimentsRequest, context: ServicerContext
    ) -> ex.ListExperimentsResponse:
        page = await self._experiments.list(
            current_workspace(),
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort_by,
            optional(request, "status"),
        )
        items = [convert.experiment_message(e) for e in page.items]
        return convert.page_response(
            ex.ListExperimentsResponse, _EXPERIMENTS["ListExperiments"], request, page, items
        )

    async def GetExperiment(
        self, request: ex.GetExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        return convert.experiment_message(
            await self._experiments.get(current_workspace(), request.id)
        )

    async def UpdateExperiment(
        self, request: ex.UpdateExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        experiment = await self._experiments.update(
            current_workspace(),
            request.id,
            _name(request.experiment),
            optional(request.experiment, "description"),
        )
        return convert.experiment_message(experiment)

    async def CancelExperiment(
        self, request: ex.CancelExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        return convert.experiment_message(
            await self._experiments.cancel(current_workspace(), request.id)
        )

    async def RerunExperiment(
        self, request: ex.RerunExperimentRequest, context: ServicerContext
    ) -> res.Experiment:
        return convert.experiment_message(
            await self._experiments.rerun(current_workspace(), request.id, list(request.statuses))
        )

    async def DeleteExperiment(
        self, request: ex.DeleteExperimentRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._experiments.delete(current_workspace(), request.id)
        return empty_pb2.Empty()

    async def ListTraces(
        self, request: ex.ListTracesRequest, context: ServicerContext
    ) -> ex.ListTracesResponse:
        page = await self._experiments.list_traces(
            current_workspace(),
            request.experiment_id,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort_by,
            optional(request, "status"),
        )
        items = [convert.trace_message(t) for t in page.items]
        return convert.page_response(
            ex.ListTracesResponse, _EXPERIMENTS["ListTraces"], request, page, items
        )

    async def GetTraceSummary(
        self, request: ex.GetTraceSummaryRequest, context: ServicerContext
    ) -> ex.TraceSummary:
        summary = await self._experiments.summary(current_workspace(), request.experiment_id)
        return convert.summary_message(summary)

    async def ExportTraces(
        self, request: ex.ExportTracesRequest, context: ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        content_type, chunks = await self._experiments.export(
            current_workspace(), request.experiment_id, request.format
        )
        async for body in http_bodies(content_type, chunks):
            yield body

    async def WatchExperiment(
        self, request: ex.WatchExperimentRequest, context: ServicerContext
    ) -> AsyncIterator[ex.ExperimentEvent]:
        async for event in self._experiments.watch(current_workspace(), request.id):
            yield ex.ExperimentEvent(
                experiment=convert.experiment_message(event.experiment),
                trace_counts=event.trace_counts,
                summary=convert.summary_message(event.summary),
            )

    async def GetTrace(self, request: ex.GetTraceRequest, context: ServicerContext) -> res.Trace:
        trace = await self._experiments.get_trace(
            current_workspace(), request.experiment_id, request.id
        )
        return convert.trace_message(trace)

    async def SubmitTraceResult(
        self, request: ex.SubmitTraceResultRequest, context: ServicerContext
    ) -> res.Trace:
        metrics = {
            field: getattr(request.metrics, field)
            for field in ("cost", "latency", "prompt_tokens", "completion_tokens", "model")
            if request.metrics.HasField(field)
        }
        trace = await self._experiments.submit_result(
            current_workspace(),
            request.experiment_id,
            request.id,
            optional_value(request, "output"),
            optional_value(request, "input"),
            metrics,
            struct_to_dict(request.metadata),
            struct_to_dict(request.human_scores),
        )
        return convert.trace_message(trace)
