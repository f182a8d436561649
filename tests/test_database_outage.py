"""A database restart under a running server: calls fail UNAVAILABLE (503), then recover."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
import pytest

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from tests.support.postgres import PostgresCluster
from tests.support.server import start_server


def test_server_survives_a_database_restart(
    tmp_path: Path, postgres: PostgresCluster | None, new_database_url: Callable[[], str]
) -> None:
    if postgres is None:
        pytest.skip("the embedded SQLite database cannot be restarted under the server")
    running = start_server(tmp_path, gateway=True, database_url=new_database_url())
    request = svc.ListExperimentsRequest(workspace="w")
    try:
        with grpc.insecure_channel(running.grpc_target) as channel:
            stub = intake_service_pb2_grpc.IntakeServiceStub(channel)
            stub.ListExperiments(request)
            postgres.stop()
            try:
                with pytest.raises(grpc.RpcError) as caught:
                    stub.ListExperiments(request, timeout=60)
                assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
                rest = httpx.get(f"{running.http_base}/apis/intake/v2/workspaces/w/experiments")
                assert rest.status_code == 503 and "unavailable" in rest.json()["detail"]
            finally:
                postgres.start()
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert stub.ListExperiments(request).pagination.total_results == 0
                    break
                except grpc.RpcError as error:
                    assert error.code() == grpc.StatusCode.UNAVAILABLE
                    assert time.monotonic() < deadline, "no recovery without a restart"
                    time.sleep(0.2)
    finally:
        running.stop()
