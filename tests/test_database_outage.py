"""The database fails under a running server. A restart is an outage: calls fail UNAVAILABLE
(503), then recover. A statement the database cannot run is the server's own fault: INTERNAL
(500) with a short message, the cause in the server's log, never the caller's fault."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

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


def test_a_fault_of_the_server_answers_internal_and_is_logged(
    tmp_path: Path, new_database_url: Callable[[], str]
) -> None:
    database_url = new_database_url()
    running = start_server(tmp_path, gateway=True, database_url=database_url)
    request = svc.ListExperimentsRequest(workspace="w")
    short_answer = "The server failed to answer; the failure is logged."
    try:
        with grpc.insecure_channel(running.grpc_target) as channel:
            stub = intake_service_pb2_grpc.IntakeServiceStub(channel)
            stub.ListExperiments(request)
            # The schema is changed behind the server's back: its next query cannot run.
            _execute(database_url, "ALTER TABLE experiments RENAME TO experiments_moved_away")
            try:
                with pytest.raises(grpc.RpcError) as caught:
                    stub.ListExperiments(request, timeout=30)
                assert caught.value.code() == grpc.StatusCode.INTERNAL
                assert caught.value.details() == short_answer
                rest = httpx.get(f"{running.http_base}/apis/intake/v2/workspaces/w/experiments")
                assert rest.status_code == 500 and rest.json()["detail"] == short_answer
            finally:
                _execute(database_url, "ALTER TABLE experiments_moved_away RENAME TO experiments")
            assert _eventually_answers(stub, request).pagination.total_results == 0
        records = [json.loads(line) for line in running.logs().splitlines() if line[:1] == "{"]
        failures = [record for record in records if record["msg"] == "the server failed to answer"]
        assert failures and all(
            record["method"].endswith("/ListExperiments") and "experiments" in record["exc"]
            for record in failures
        )
    finally:
        running.stop()


def _execute(database_url: str, statement: str) -> None:
    async def run() -> None:
        engine = create_async_engine(database_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _eventually_answers(
    stub: intake_service_pb2_grpc.IntakeServiceStub, request: svc.ListExperimentsRequest
) -> svc.ListExperimentsResponse:
    """The answer once the server has recovered; a statement prepared against the moved table
    may fail once more before its connection prepares it again."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return stub.ListExperiments(request)
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INTERNAL
            assert time.monotonic() < deadline, "no recovery without a restart"
            time.sleep(0.2)
