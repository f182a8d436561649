"""Watching live runs: how soon events reach watchers, and what watchers cost the runner.

    .venv/bin/python -m bench.bench_watch

Runs a 1,000-row completion experiment against the loopback OpenAI-compatible server at full
speed, first with no watcher, then with ten gRPC watchers (in a process of their own, so that
they do not compete for this process's interpreter with the stand-in provider). Prints the
runner's rows/s both ways, and the delay from each change (the experiment's `updated_at`, set
in the transaction that made it) to its event's arrival at a watcher.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from multiprocessing import Process, Queue
from pathlib import Path

import grpc
import httpx

from experiment_service.api.platform.v2 import experiments_pb2, experiments_pb2_grpc
from tests.support.fake_llm import FakeLLM, providers_file
from tests.support.keys import create_api_key
from tests.support.server import RunningServer, start_server

ROWS, WATCHERS, CONCURRENCY = 1000, 10, 16


def start_run(api: httpx.Client, dataset_id: str) -> str:
    reply = api.post(
        "/api/v2/experiments/",
        json={
            "name": "bench",
            "dataset_id": dataset_id,
            "workflows": [{"type": "completion", "config": {"model": "echo"}}],
        },
    )
    return str(reply.json()["id"])


def watch(target: str, key: str, experiment_id: str, delays: list[float]) -> None:
    with grpc.insecure_channel(target) as channel:
        stub = experiments_pb2_grpc.ExperimentServiceStub(channel)
        request = experiments_pb2.WatchExperimentRequest(id=experiment_id)
        for event in stub.WatchExperiment(request, metadata=(("authorization", f"Bearer {key}"),)):
            changed = event.experiment.updated_at.ToDatetime(UTC)
            delays.append((datetime.now(UTC) - changed).total_seconds() * 1000)


def watchers(target: str, key: str, experiment_id: str, results: Queue[list[float]]) -> None:
    """In a child process: WATCHERS threads, each following the run to its end."""
    delays: list[float] = []
    threads = [
        threading.Thread(target=watch, args=(target, key, experiment_id, delays))
        for _ in range(WATCHERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(delays)


def timed_run(
    server: RunningServer, api: httpx.Client, key: str, dataset_id: str, watchers_on: bool
) -> tuple[float, list[float]]:
    experiment_id = start_run(api, dataset_id)
    started = time.perf_counter()
    results: Queue[list[float]] = Queue()
    child = None
    if watchers_on:
        child = Process(target=watchers, args=(server.grpc_target, key, experiment_id, results))
        child.start()
    while api.get(f"/api/v2/experiments/{experiment_id}/").json()["status"] != "completed":
        time.sleep(0.02)
    rate = ROWS / (time.perf_counter() - started)
    delays = results.get(timeout=60) if child is not None else []
    if child is not None:
        child.join(10)
    return rate, delays


def main() -> None:
    fake = FakeLLM()
    with tempfile.TemporaryDirectory() as tmp:
        config = providers_file(Path(tmp), fake, CONCURRENCY)
        server = start_server(Path(tmp), f"--config={config}", gateway=True)
        try:
            _, key = create_api_key(server, "bench")
            headers = {"authorization": f"Bearer {key}"}
            with httpx.Client(base_url=server.http_base, timeout=60, headers=headers) as api:
                dataset = api.post("/api/datasets/", json={"name": "bench"}).json()
                rows = [{"input": f"row {i}"} for i in range(ROWS)]
                api.post(f"/api/datasets/{dataset['id']}/logs/batch/", json={"rows": rows})
                alone = [timed_run(server, api, key, dataset["id"], False)[0] for _ in range(3)]
                watched = [timed_run(server, api, key, dataset["id"], True) for _ in range(3)]
        finally:
            server.stop()
            fake.close()
    rate_alone = statistics.median(alone)
    rate_watched = statistics.median(rate for rate, _ in watched)
    delays = sorted(d for _, found in watched for d in found)
    median, p95 = delays[len(delays) // 2], delays[int(len(delays) * 0.95)]
    print(
        f"runner, {ROWS} rows: {rate_alone:.0f} rows/s alone, {rate_watched:.0f} rows/s with "
        f"{WATCHERS} watchers ({rate_watched / rate_alone:.1%} of alone; medians of 3)"
    )
    print(
        f"event delay after the change, {len(delays)} events: median {median:.0f} ms, "
        f"p95 {p95:.0f} ms, max {delays[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
