"""The gRPC server: services, health, reflection, and a graceful lifecycle."""

from __future__ import annotations

import asyncio
import logging
import signal

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from experiment_service.api.intake.v2 import intake_service_pb2, intake_service_pb2_grpc
from experiment_service.config import Settings
from experiment_service.domain.experiments import IntakeExperiments
from experiment_service.domain.groups import ExperimentGroups
from experiment_service.domain.sessions import IntakeSessions
from experiment_service.gateway import EnvoyGateway
from experiment_service.servicers import rest
from experiment_service.servicers.errors import DomainErrorInterceptor
from experiment_service.servicers.intake import IntakeServicer
from experiment_service.storage.database import Database

log = logging.getLogger(__name__)

SERVICES = (intake_service_pb2.DESCRIPTOR.services_by_name["IntakeService"],)
SERVICE_NAMES = tuple(service.full_name for service in SERVICES)


class Server:
    """Owns the database handle and the gRPC server; `start` then `stop`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(settings.database_url)
        self.health = health.aio.HealthServicer()
        self.port = 0
        self.bindings = rest.bindings_of(list(SERVICES))
        self._grpc = grpc.aio.server(
            interceptors=[DomainErrorInterceptor(self.bindings)],
            options=[
                ("grpc.max_receive_message_length", settings.max_request_bytes),
                ("grpc.max_send_message_length", settings.max_request_bytes),
                ("grpc.so_reuseport", 0),
            ],
        )

    async def start(self) -> None:
        await self.database.migrate()
        self.gateway: EnvoyGateway | None = None
        intake_service_pb2_grpc.add_IntakeServiceServicer_to_server(
            IntakeServicer(
                ExperimentGroups(self.database),
                IntakeExperiments(self.database),
                IntakeSessions(self.database),
            ),
            self._grpc,
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._grpc)
        reflection.enable_server_reflection(
            (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), self._grpc
        )
        self.port = self._grpc.add_insecure_port(self.settings.grpc_address)
        if self.port == 0:
            raise RuntimeError(f"cannot listen on {self.settings.grpc_address}")
        await self._grpc.start()
        for name in ("", *SERVICE_NAMES):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        host = self.settings.grpc_address.rsplit(":", 1)[0]
        self.grpc_target = f"{host}:{self.port}"
        if self.settings.http_address is not None:
            self.gateway = EnvoyGateway(
                http_address=self.settings.http_address,
                grpc_address=self.grpc_target,
                services=list(SERVICE_NAMES),
                body_fields=rest.body_fields(self.bindings),
                max_request_bytes=self.settings.max_request_bytes,
            )
            try:
                await self.gateway.start()
            except BaseException:
                await self.stop()
                raise
        log.info(
            "serving",
            extra={"grpc_address": self.grpc_target, "http_address": self.settings.http_address},
        )

    async def stop(self) -> None:
        if getattr(self, "gateway", None) is not None:
            await self.gateway.stop()  # type: ignore[union-attr]
        await self.health.enter_graceful_shutdown()
        await self._grpc.stop(self.settings.shutdown_grace_seconds)
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
    try:
        await stopping.wait()
    finally:
        await server.stop()
