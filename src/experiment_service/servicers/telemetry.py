"""The TelemetryService servicer, and OTLP's own TraceService on the same port."""

from __future__ import annotations

from google.protobuf import empty_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from experiment_service.api.intake.v2 import telemetry_pb2 as tel
from experiment_service.api.intake.v2 import telemetry_pb2_grpc as tel_grpc
from experiment_service.domain.errors import FieldViolation, InvalidArgument
from experiment_service.domain.telemetry.annotations import Annotations
from experiment_service.domain.telemetry.atif import AtifTrajectories
from experiment_service.domain.telemetry.chat_completions import ChatCompletions
from experiment_service.domain.telemetry.ingest import TelemetryIngest
from experiment_service.domain.telemetry.reads import TelemetryReads
from experiment_service.servicers import telemetry_convert as convert
from experiment_service.servicers.auth import WORKSPACE_HEADER, caller_workspace, header_value
from experiment_service.servicers.fields import optional
from experiment_service.servicers.otlp_convert import export_request, received_spans
from experiment_service.types import ServicerContext


class TelemetryServicer(tel_grpc.TelemetryServiceServicer):
    def __init__(
        self,
        ingest: TelemetryIngest,
        chat_completions: ChatCompletions,
        trajectories: AtifTrajectories,
        annotations: Annotations,
        reads: TelemetryReads,
    ) -> None:
        self._ingest = ingest
        self._chat_completions = chat_completions
        self._trajectories = trajectories
        self._annotations = annotations
        self._reads = reads

    async def ExportOtlpTraces(
        self, request: tel.ExportOtlpTracesRequest, context: ServicerContext
    ) -> tel.ExportOtlpTracesResponse:
        spans, unreadable = received_spans(export_request(request.body))
        errors = await self._ingest.ingest(request.workspace, spans, unreadable)
        return tel.ExportOtlpTracesResponse(errors=errors)

    async def IngestChatCompletion(
        self, request: tel.IngestChatCompletionRequest, context: ServicerContext
    ) -> tel.IngestChatCompletionResponse:
        session_id, span_id = await self._chat_completions.ingest(
            request.workspace, convert.chat_completion(request)
        )
        return tel.IngestChatCompletionResponse(session_id=session_id, span_id=span_id)

    async def IngestAtif(
        self, request: tel.IngestAtifRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._trajectories.ingest(request.workspace, convert.trajectory(request))
        return empty_pb2.Empty()

    async def CreateAnnotation(
        self, request: tel.CreateAnnotationRequest, context: ServicerContext
    ) -> tel.Annotation:
        created = await self._annotations.create(
            request.workspace, convert.annotation_input(request)
        )
        return convert.annotation_message(created)

    async def ListAnnotations(
        self, request: tel.ListAnnotationsRequest, context: ServicerContext
    ) -> tel.ListAnnotationsResponse:
        page, sort = await self._annotations.list(
            request.workspace,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            convert.annotation_filter(request.filter),
        )
        return convert.annotations_page(page, sort, request)

    async def GetAnnotation(
        self, request: tel.GetAnnotationRequest, context: ServicerContext
    ) -> tel.Annotation:
        found = await self._annotations.get(request.workspace, request.annotation_id)
        return convert.annotation_message(found)

    async def DeleteAnnotation(
        self, request: tel.DeleteAnnotationRequest, context: ServicerContext
    ) -> empty_pb2.Empty:
        await self._annotations.delete(request.workspace, request.annotation_id)
        return empty_pb2.Empty()

    async def GetSession(
        self, request: tel.GetSessionRequest, context: ServicerContext
    ) -> tel.SessionTelemetry:
        session = await self._reads.get_session(request.workspace, request.id)
        return convert.session_message(session)

    async def ListWorkspaceSessions(
        self, request: tel.ListWorkspaceSessionsRequest, context: ServicerContext
    ) -> tel.ListWorkspaceSessionsResponse:
        page, sort = await self._reads.list_sessions(
            request.workspace,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            convert.session_filter(request.filter),
        )
        return convert.sessions_page(page, sort, request)

    async def ListTraces(
        self, request: tel.ListTracesRequest, context: ServicerContext
    ) -> tel.ListTracesResponse:
        page, sort = await self._reads.list_traces(
            request.workspace,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            request.mode,
            convert.span_filter(request.filter),
        )
        return convert.traces_page(page, sort, request)

    async def GetTrace(self, request: tel.GetTraceRequest, context: ServicerContext) -> tel.Trace:
        trace = await self._reads.get_trace(request.workspace, request.id, request.mode)
        return convert.trace_message(trace)

    async def ListSpans(
        self, request: tel.ListSpansRequest, context: ServicerContext
    ) -> tel.ListSpansResponse:
        page, sort = await self._reads.list_spans(
            request.workspace,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            request.mode,
            convert.span_filter(request.filter),
        )
        return convert.spans_page(page, sort, request)

    async def ListSpanGroups(
        self, request: tel.ListSpanGroupsRequest, context: ServicerContext
    ) -> tel.ListSpanGroupsResponse:
        page, sort, fields = await self._reads.span_groups(
            request.workspace,
            request.by,
            optional(request, "page"),
            optional(request, "page_size"),
            request.sort,
            convert.span_filter(request.filter),
        )
        return convert.groups_page(page, sort, fields, request)

    async def GetSpan(self, request: tel.GetSpanRequest, context: ServicerContext) -> tel.Span:
        return convert.span_message(await self._reads.get_span(request.workspace, request.span_id))


class OtlpTraceServicer(trace_service_pb2_grpc.TraceServiceServicer):
    """OTLP/gRPC: what every OpenTelemetry SDK's gRPC exporter calls. The workspace is the
    `workspace` request header, else the caller's API key's workspace."""

    def __init__(self, ingest: TelemetryIngest) -> None:
        self._ingest = ingest

    async def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        workspace = header_value(context, WORKSPACE_HEADER) or caller_workspace()
        if workspace is None:
            raise InvalidArgument(
                [
                    FieldViolation(
                        WORKSPACE_HEADER,
                        "Name the workspace in the 'workspace' request header, or call with an "
                        "API key",
                        "missing",
                    )
                ]
            )
        spans, unreadable = received_spans(request)
        errors = await self._ingest.ingest(workspace, spans, unreadable)
        response = trace_service_pb2.ExportTraceServiceResponse()
        if errors:
            response.partial_success.rejected_spans = len(errors)
            response.partial_success.error_message = " ".join(errors[:100])
        return response
