"""Fixtures: the real server, started as its console script on a free port."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import grpc
import httpx
import pytest
import pytest_asyncio

from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from tests.support.keys import create_api_key
from tests.support.postgres import PostgresCluster, PostgresUnavailable
from tests.support.server import RunningServer, start_server

# The suite runs once per backend: `make test` runs it on SQLite, then on PostgreSQL.
BACKEND = os.environ.get("EXPERIMENT_SERVICE_TEST_BACKEND", "sqlite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that do not touch the database under test run in the SQLite pass only."""
    if BACKEND == "sqlite":
        return
    once = [item for item in items if item.get_closest_marker("backend_independent")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if item not in once]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster | None]:
    """The PostgreSQL cluster of a PostgreSQL run; None on SQLite."""
    if BACKEND != "postgresql":
        yield None
        return
    # Not under pytest's own (private) temporary tree: the server may run as another user.
    directory = Path(tempfile.mkdtemp(prefix="experiment-service-pg-"))
    cluster = PostgresCluster(directory)
    try:
        cluster.start()
    except PostgresUnavailable as reason:
        shutil.rmtree(directory, ignore_errors=True)
        pytest.skip(f"PostgreSQL run skipped: {reason}")
    yield cluster
    cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def new_database_url(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresCluster | None
) -> Callable[[], str]:
    """Makes a fresh, empty database on the backend under test; returns its URL."""
    if postgres is not None:
        return postgres.new_database

    def sqlite_url() -> str:
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'experiments.db'}"

    return sqlite_url


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, new_database_url: Callable[[], str]
) -> Iterator[RunningServer]:
    running = start_server(
        tmp_path_factory.mktemp("server"), gateway=True, database_url=new_database_url()
    )
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
def http(rest_base: str) -> Iterator[httpx.Client]:
    """An HTTP client of the REST gateway (no API key)."""
    with httpx.Client(base_url=rest_base, timeout=60) as client:
        yield client


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
