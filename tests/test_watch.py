"""Watching intake experiments live: a gRPC stream and Server-Sent Events through Envoy."""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2.intake_service_pb2_grpc import IntakeServiceStub
from experiment_service.api.intake.v2.intake_service_pb2_grpc import (
    IntakeServiceStub as IntakeServiceSyncStub,
)
from tests.support.server import CONSOLE_SCRIPT, RunningServer, start_server


def session(session_id: str) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "experiment_name": "e",
        "status": "success",
        "started_at": "2024-01-15T09:30:00Z",
        "ended_at": "2024-01-15T09:30:02Z",
        "cost_usd": 0.5,
    }


@pytest.fixture
def ws(workspace: str, http: httpx.Client) -> str:
    base = f"/apis/intake/v2/workspaces/{workspace}"
    body = {"name": "e", "agent_name": "a", "agent_version": "1", "dataset_name": "d"}
    assert http.post(f"{base}/experiments", json=body).status_code == 201
    return base


def sse_events(reply: httpx.Response) -> Iterator[dict[str, Any]]:
    for line in reply.iter_lines():
        if line.startswith("data: "):
            yield json.loads(line[len("data: ") :])


async def test_a_grpc_watcher_gets_the_experiment_at_once_then_each_change(
    intake: IntakeServiceStub, http: httpx.Client, ws: str, workspace: str
) -> None:
    stream = intake.WatchExperiment(svc.WatchExperimentRequest(workspace=workspace, name="e"))
    first = await asyncio.wait_for(stream.read(), 5)
    assert (first.name, first.run_count) == ("e", 0)
    reply = await asyncio.to_thread(
        http.post, f"{ws}/ingest/sessions", json={"sessions": [session("s1"), session("s2")]}
    )
    assert reply.status_code == 201
    started = time.monotonic()
    second = await asyncio.wait_for(stream.read(), 5)
    assert second.run_count == 2 and second.cost_usd.sum == 1.0, "one event for the batch"
    assert time.monotonic() - started < 2
    stream.cancel()


async def test_watching_an_unknown_experiment_is_not_found(
    intake: IntakeServiceStub, workspace: str
) -> None:
    stream = intake.WatchExperiment(svc.WatchExperimentRequest(workspace=workspace, name="no"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stream.read()
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_server_sent_events_through_the_gateway(http: httpx.Client, ws: str) -> None:
    def ingest_later() -> None:
        time.sleep(0.5)
        http.post(f"{ws}/ingest/sessions", json={"sessions": [session("s1")]})

    threading.Thread(target=ingest_later, daemon=True).start()
    with http.stream("GET", f"{ws}/experiments/e/events") as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        events = sse_events(reply)
        assert next(events)["run_count"] == 0
        changed = next(events)
        assert changed["run_count"] == 1 and changed["name"] == "e"
    missing = http.get(f"{ws}/experiments/ghost/events")
    assert missing.status_code == 404
    assert missing.json()["detail"].endswith("/ghost' not found.")


def test_the_cli_watches_an_intake_experiment_for_a_bounded_time(
    server: RunningServer, http: httpx.Client, ws: str, workspace: str
) -> None:
    assert http.post(f"{ws}/ingest/sessions", json={"sessions": [session("s1")]}).status_code == 201
    watch = [CONSOLE_SCRIPT, "watch", "--workspace", workspace, "--server", server.grpc_target]
    started = time.monotonic()
    done = subprocess.run(
        [*watch, "e", "--max-seconds", "1.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 1.5
    assert done.stdout.splitlines()[0] == "e: 1 runs, $0.5000"
    missing = subprocess.run(
        [*watch, "ghost", "--max-seconds", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr


def test_changes_written_by_another_replica_reach_the_stream(
    tmp_path: Path, new_database_url: Callable[[], str]
) -> None:
    database_url = new_database_url()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    watched = start_server(tmp_path / "a", database_url=database_url)
    writer = start_server(tmp_path / "b", database_url=database_url, gateway=True)
    try:
        assert writer.http_base is not None
        base = f"{writer.http_base}/apis/intake/v2/workspaces/w"
        body = {"name": "e", "agent_name": "a", "agent_version": "1", "dataset_name": "d"}
        assert httpx.post(f"{base}/experiments", json=body).status_code == 201
        with grpc.insecure_channel(watched.grpc_target) as channel:
            stream = IntakeServiceSyncStub(channel).WatchExperiment(
                svc.WatchExperimentRequest(workspace="w", name="e")
            )
            assert next(stream).run_count == 0
            sessions = {"sessions": [session("s1")]}
            assert httpx.post(f"{base}/ingest/sessions", json=sessions).status_code == 201
            assert next(stream).run_count == 1
            stream.cancel()
    finally:
        writer.stop()
        watched.stop()
