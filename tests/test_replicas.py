"""Two server processes on one database: write rules hold across them, and the runners share
the work without running a trace twice, even when one of them is killed."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from experiment_service.api.intake.v2 import resources_pb2 as res
from tests.support.fake_llm import FakeLLM
from tests.support.keys import create_api_key
from tests.support.postgres import PostgresCluster
from tests.support.server import RunningServer, start_server


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


def replica(directory: Path, database_url: str, fake: FakeLLM, name: str) -> RunningServer:
    directory.mkdir(parents=True, exist_ok=True)
    return start_server(
        directory,
        f"--llm-base-url={fake.base_url}",
        "--runner-lease-seconds=5",
        gateway=True,
        database_url=database_url,
        env={"OPENAI_API_KEY": name},
    )


async def contested_creates(targets: list[str]) -> list[object]:
    """20 concurrent creates of one name, alternating between the replicas."""
    channels = [grpc.aio.insecure_channel(target) for target in targets]
    try:
        stubs = [intake_service_pb2_grpc.IntakeServiceStub(c) for c in channels]
        request = svc.CreateExperimentRequest(
            workspace="shared",
            experiment=res.ExperimentRequest(
                name="contested", agent_name="a", agent_version="1", dataset_name="d"
            ),
        )
        return await asyncio.gather(
            *(stubs[i % 2].CreateExperiment(request) for i in range(20)),
            return_exceptions=True,
        )
    finally:
        for channel in channels:
            await channel.close()


def test_two_replicas_share_one_database(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    fake: FakeLLM,
    postgres: PostgresCluster | None,
) -> None:
    database_url = new_database_url()
    first = replica(tmp_path / "a", database_url, fake, "replica-a")
    second = replica(tmp_path / "b", database_url, fake, "replica-b")
    try:
        results = asyncio.run(contested_creates([first.grpc_target, second.grpc_target]))
        winners = [r for r in results if isinstance(r, res.Experiment)]
        codes = {r.code() for r in results if isinstance(r, grpc.aio.AioRpcError)}
        assert len(winners) == 1 and codes == {grpc.StatusCode.ALREADY_EXISTS}

        _, key = create_api_key(first, "shared")
        headers = {"authorization": f"Bearer {key}"}
        # Slow enough that the run outlasts the other replica's poll interval (1 s).
        fake.latency = 0.1
        with httpx.Client(base_url=first.http_base, headers=headers, timeout=60) as api:
            dataset = api.post("/api/datasets/", json={"name": "d"}).json()
            rows = [{"input": f"row {i}"} for i in range(300)]
            api.post(f"/api/datasets/{dataset['id']}/logs/batch/", json={"rows": rows})
            shared = api.post(
                "/api/v2/experiments/",
                json={
                    "name": "shared",
                    "dataset_id": dataset["id"],
                    "workflows": [{"type": "completion", "config": {"model": "upper"}}],
                },
            ).json()
            wait_done(api, shared["id"])

            calls = Counter(c["messages"][-1]["content"] for c in fake.calls("upper"))
            assert set(calls) == {f"row {i}" for i in range(300)}
            assert set(calls.values()) == {1}, "no trace ran twice"
            if postgres is not None:
                # Replicas share the work on PostgreSQL. On SQLite the write lock is not fair
                # between processes, so one replica may do it all (still each trace once).
                keys = Counter(c["_authorization"] for c in fake.calls("upper"))
                assert set(keys) == {"Bearer replica-a", "Bearer replica-b"}, keys

            # One replica dies mid-run; the other takes its traces over when the leases lapse.
            fake.latency = 0.05
            second_run = api.post(
                "/api/v2/experiments/",
                json={
                    "name": "survivor",
                    "dataset_id": dataset["id"],
                    "workflows": [{"type": "completion", "config": {"model": "echo"}}],
                },
            ).json()
            deadline = time.monotonic() + 30
            while api.get(f"/api/v2/experiments/{second_run['id']}/").json()["progress"] < 15:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        first.stop(signal.SIGKILL)
        with httpx.Client(base_url=second.http_base, headers=headers, timeout=60) as api:
            done = wait_done(api, second_run["id"])
            assert done["status"] == "completed"
            statuses = Counter(
                t["status"]
                for page in range(1, 4)
                for t in api.get(
                    f"/api/v2/experiments/{second_run['id']}/logs/list/",
                    params={"page": page, "page_size": 100},
                ).json()["results"]
            )
            assert statuses == {"success": 300}
    finally:
        fake.latency = 0.0
        first.stop()
        second.stop()


def wait_done(api: httpx.Client, experiment_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        current = api.get(f"/api/v2/experiments/{experiment_id}/").json()
        if current["status"] not in ("pending", "running"):
            return dict(current)
        time.sleep(0.1)
    raise AssertionError(f"not done: {current}")
