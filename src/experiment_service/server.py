"""The gRPC server: services, health, reflection, and a graceful lifecycle."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from experiment_service.addresses import StartupError, ensure_free
from experiment_service.api.intake.v2 import (
    evaluations_pb2,
    evaluations_pb2_grpc,
    evaluator_results_pb2,
    evaluator_results_pb2_grpc,
    intake_service_pb2,
    intake_service_pb2_grpc,
    telemetry_pb2,
    telemetry_pb2_grpc,
)
from experiment_service.api.platform.v2 import (
    datasets_pb2,
    datasets_pb2_grpc,
    evaluators_pb2,
    evaluators_pb2_grpc,
    experiments_pb2,
    experiments_pb2_grpc,
    prompts_pb2,
    prompts_pb2_grpc,
)
from experiment_service.config import GRPC_ADDRESS_FLAG, HTTP_ADDRESS_FLAG, Settings
from experiment_service.domain.comparison.service import Comparisons
from experiment_service.domain.intake.evaluation_sessions import EvaluationSessions
from experiment_service.domain.intake.evaluations import Evaluations
from experiment_service.domain.intake.evaluator_results import EvaluatorResults
from experiment_service.domain.intake.experiments import IntakeExperiments
from experiment_service.domain.intake.groups import ExperimentGroups
from experiment_service.domain.intake.sessions import IntakeSessions
from experiment_service.domain.platform.api_keys import ApiKeys
from experiment_service.domain.platform.datasets import Datasets
from experiment_service.domain.platform.evaluators import Evaluators
from experiment_service.domain.platform.experiments import PlatformExperiments
from experiment_service.domain.platform.prompts import Prompts
from experiment_service.domain.telemetry.annotations import Annotations
from experiment_service.domain.telemetry.atif import AtifTrajectories
from experiment_service.domain.telemetry.chat_completions import ChatCompletions
from experiment_service.domain.telemetry.ingest import TelemetryIngest
from experiment_service.domain.telemetry.reads import TelemetryReads
from experiment_service.rest import dialects as rest
from experiment_service.rest.gateway import EnvoyGateway
from experiment_service.runner.providers import load as load_providers
from experiment_service.runner.worker import Runner
from experiment_service.servicers.auth import AuthInterceptor
from experiment_service.servicers.errors import DomainErrorInterceptor
from experiment_service.servicers.evaluations import EvaluationServicer
from experiment_service.servicers.evaluator_results import EvaluatorResultServicer
from experiment_service.servicers.intake import IntakeServicer
from experiment_service.servicers.platform import (
    DatasetServicer,
    EvaluatorServicer,
    ExperimentServicer,
    PromptServicer,
)
from experiment_service.servicers.request_rules import RequestRulesInterceptor
from experiment_service.servicers.telemetry import OtlpTraceServicer, TelemetryServicer
from experiment_service.storage.database import Database

log = logging.getLogger(__name__)

INTAKE_SERVICES = (
    intake_service_pb2.DESCRIPTOR.services_by_name["IntakeService"],
    telemetry_pb2.DESCRIPTOR.services_by_name["TelemetryService"],
    evaluator_results_pb2.DESCRIPTOR.services_by_name["EvaluatorResultService"],
    evaluations_pb2.DESCRIPTOR.services_by_name["EvaluationService"],
)
# OTLP's own gRPC service: no REST binding (OTLP/HTTP goes through TelemetryService).
OTLP_SERVICES = (trace_service_pb2.DESCRIPTOR.services_by_name["TraceService"],)
PLATFORM_SERVICES = (
    datasets_pb2.DESCRIPTOR.services_by_name["DatasetService"],
    prompts_pb2.DESCRIPTOR.services_by_name["PromptService"],
    evaluators_pb2.DESCRIPTOR.services_by_name["EvaluatorService"],
    experiments_pb2.DESCRIPTOR.services_by_name["ExperimentService"],
)
SERVICES = INTAKE_SERVICES + PLATFORM_SERVICES
SERVICE_NAMES = tuple(service.full_name for service in SERVICES)
GRPC_SERVICE_NAMES = SERVICE_NAMES + tuple(service.full_name for service in OTLP_SERVICES)


class Server:
    """Owns the database handle and the gRPC server; `start` then `stop`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(
            settings.database_url,
            pool_size=settings.db_pool_size,
            pool_timeout=settings.db_pool_timeout,
        )
        self.health = health.aio.HealthServicer()
        self.port = 0
        # Set by start(): stop() may run after a start-up that failed half-way.
        self.gateway: EnvoyGateway | None = None
        self.runner: Runner | None = None
        self.bindings = rest.bindings_of(list(SERVICES))
        auth = AuthInterceptor(
            ApiKeys(self.database),
            platform_services={service.full_name for service in PLATFORM_SERVICES},
            intake_services={service.full_name for service in INTAKE_SERVICES},
            header_workspace_services={service.full_name for service in OTLP_SERVICES},
            require_intake_auth=settings.require_auth,
        )
        self._grpc = grpc.aio.server(
            # The error interceptor is outermost, so it also maps authentication failures and
            # broken request rules; a caller without credentials learns only that.
            interceptors=[DomainErrorInterceptor(self.bindings), auth, RequestRulesInterceptor()],
            options=[
                ("grpc.max_receive_message_length", settings.max_request_bytes),
                ("grpc.max_send_message_length", settings.max_request_bytes),
                ("grpc.so_reuseport", 0),
            ],
        )

    async def start(self) -> None:
        ensure_free(self.settings.grpc_address, GRPC_ADDRESS_FLAG)
        if self.settings.http_address is not None:
            ensure_free(self.settings.http_address, HTTP_ADDRESS_FLAG)
        await self.database.migrate()
        log.info("database", extra={"database_url": self.database.display_url})
        # One for both dialects: their answers share a cache.
        comparisons = Comparisons(self.database)
        intake_service_pb2_grpc.add_IntakeServiceServicer_to_server(
            IntakeServicer(
                ExperimentGroups(self.database),
                IntakeExperiments(self.database),
                IntakeSessions(self.database),
                comparisons,
            ),
            self._grpc,
        )
        evaluations_pb2_grpc.add_EvaluationServiceServicer_to_server(
            EvaluationServicer(Evaluations(self.database), EvaluationSessions(self.database)),
            self._grpc,
        )
        evaluator_results_pb2_grpc.add_EvaluatorResultServiceServicer_to_server(
            EvaluatorResultServicer(EvaluatorResults(self.database)), self._grpc
        )
        try:
            providers = load_providers(
                self.settings.providers_config,
                self.settings.llm_base_url,
                self.settings.llm_prices,
            )
        except ValueError as error:
            raise StartupError(f"Cannot use the providers file: {error}") from None
        # The providers' prices also price ingested LLM spans that report tokens but no cost.
        telemetry = TelemetryIngest(self.database, providers.price_table())
        telemetry_pb2_grpc.add_TelemetryServiceServicer_to_server(
            TelemetryServicer(
                telemetry,
                ChatCompletions(self.database, telemetry),
                AtifTrajectories(self.database, telemetry),
                Annotations(self.database),
                TelemetryReads(self.database),
            ),
            self._grpc,
        )
        # opentelemetry-proto ships no stubs for its generated gRPC module.
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(  # type: ignore[no-untyped-call]
            OtlpTraceServicer(telemetry), self._grpc
        )
        datasets_pb2_grpc.add_DatasetServiceServicer_to_server(
            DatasetServicer(Datasets(self.database)), self._grpc
        )
        prompts_pb2_grpc.add_PromptServiceServicer_to_server(
            PromptServicer(Prompts(self.database)), self._grpc
        )
        evaluators_pb2_grpc.add_EvaluatorServiceServicer_to_server(
            EvaluatorServicer(Evaluators(self.database)), self._grpc
        )
        if self.settings.runner:
            if providers.providers:
                log.info("llm providers", extra={"providers": providers.describe()})
            else:
                log.info(
                    "no llm provider configured: built-in workflows and LLM judges fail until "
                    "--llm-base-url or --config names one"
                )
            self.runner = Runner(
                self.database, providers, lease_seconds=self.settings.runner_lease_seconds
            )
        on_created = self.runner.kick if self.runner is not None else (lambda: None)
        experiments_pb2_grpc.add_ExperimentServiceServicer_to_server(
            ExperimentServicer(PlatformExperiments(self.database, on_created), comparisons),
            self._grpc,
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._grpc)
        reflection.enable_server_reflection(
            (*GRPC_SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), self._grpc
        )
        try:
            self.port = self._grpc.add_insecure_port(self.settings.grpc_address)
        except RuntimeError:
            self.port = 0
        if self.port == 0:
            raise StartupError(
                f"Cannot listen on {self.settings.grpc_address}; choose another address with "
                f"{GRPC_ADDRESS_FLAG}."
            )
        # grpc's health servicer starts as SERVING: not yet, while the runner and the gateway
        # are still starting.
        await self._set_health(health_pb2.HealthCheckResponse.NOT_SERVING)
        await self._grpc.start()
        if self.runner is not None:
            await self.runner.start()
        host = self.settings.grpc_address.rsplit(":", 1)[0]
        self.grpc_target = f"{host}:{self.port}"
        if self.settings.http_address is not None:
            self.gateway = EnvoyGateway(
                http_address=self.settings.http_address,
                grpc_address=self.grpc_target,
                services=list(SERVICE_NAMES),
                bindings=self.bindings,
                max_request_bytes=self.settings.max_request_bytes,
            )
            try:
                await self.gateway.start()
            except BaseException:
                await self.stop()
                raise
        # SERVING once every door is open: a caller told so may use REST at once.
        await self._set_health(health_pb2.HealthCheckResponse.SERVING)
        log.info(
            "serving",
            extra={"grpc_address": self.grpc_target, "http_address": self.settings.http_address},
        )

    async def _set_health(self, status: int) -> None:
        """The status of the server as a whole and of each of its services."""
        for name in ("", *GRPC_SERVICE_NAMES):
            await self.health.set(name, status)

    async def stop(self) -> None:
        if self.gateway is not None:
            await self.gateway.stop()
        await self.health.enter_graceful_shutdown()
        await self._grpc.stop(self.settings.shutdown_grace_seconds)
        if self.runner is not None:
            await self.runner.stop()
        await self.database.close()
        log.info("stopped")


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then let in-flight calls finish and close the database."""
    server = Server(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await server.start()
    _tune_garbage_collector()
    try:
        await stopping.wait()
    finally:
        await server.stop()


# Young collections every GC_YOUNG_THRESHOLD allocations instead of CPython's 700: an ingested
# batch allocates tens of thousands of short-lived objects, and each collection also promotes
# them. With the default, collections took ~15% of ingestion time.
GC_YOUNG_THRESHOLD = 50_000


def _tune_garbage_collector() -> None:
    """Once serving: move everything allocated at start-up (modules, descriptors, table
    metadata) out of the collector's view, so full collections no longer walk it, and collect
    young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)
