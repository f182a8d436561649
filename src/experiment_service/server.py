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
from experiment_service.servicers.errors import DomainErrorInterceptor
from experiment_service.servicers.intake import IntakeServicer
from experiment_service.storage.database import Database

log = logging.getLogger(__name__)

SERVICE_NAMES = (intake_service_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name,)


class Server:
    """Owns the database handle and the gRPC server; `start` then `stop`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(settings.database_url)
        self.health = health.aio.HealthServicer()
        self.port = 0
        self._grpc = grpc.aio.server(
            interceptors=[DomainErrorInterceptor()],
            options=[
                ("grpc.max_receive_message_length", settings.max_request_bytes),
                ("grpc.max_send_message_length", settings.max_request_bytes),
                ("grpc.so_reuseport", 0),
            ],
        )

    async def start(self) -> None:
        await self.database.migrate()
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
        log.info("serving", extra={"grpc_address": f"{host}:{self.port}"})

    async def stop(self) -> None:
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
