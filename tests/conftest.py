"""Fixtures: the real server, started as its console script on a free port."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import grpc
import httpx
import pytest
import pytest_asyncio

from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from tests.support.keys import create_api_key
from tests.support.server import RunningServer, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server"), gateway=True)
    yield running
    running.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def channel(server: RunningServer) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        yield channel


@pytest.fixture(scope="session")
def intake(channel: grpc.aio.Channel) -> intake_service_pb2_grpc.IntakeServiceStub:
    return intake_service_pb2_grpc.IntakeServiceStub(channel)


@pytest.fixture
def workspace() -> str:
    """A fresh workspace per test: tests share one server but never each other's data."""
    return f"ws-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def rest_base(server: RunningServer) -> str:
    """The REST gateway under test: EXPERIMENT_SERVICE_REST_URL (a deployed gateway), or the
    Envoy started by the test server."""
    base = os.environ.get("EXPERIMENT_SERVICE_REST_URL") or server.http_base
    assert base is not None
    return base.rstrip("/")


@pytest.fixture
def api_key(server: RunningServer, workspace: str) -> str:
    """A key of the test's workspace."""
    return create_api_key(server, workspace)[1]


@pytest.fixture
def platform(rest_base: str, api_key: str) -> Iterator[httpx.Client]:
    """An HTTP client of the platform API, authenticated for the test's workspace."""
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=rest_base, headers=headers, timeout=60) as client:
        yield client
