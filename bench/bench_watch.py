"""Watching live runs: how soon events reach watchers, and what watchers cost the runner.

    .venv/bin/python -m bench.bench_watch

Runs a 1,000-row completion experiment against the loopback OpenAI-compatible server at full
speed, alternately with no watcher and with ten gRPC watchers (in a process of their own, so
that they do not compete for this process's interpreter with the stand-in provider): the two
arms take turns, so that neither is favoured by the database's growth. Prints the runner's
rows/s both ways, the server's CPU seconds per run both ways (less noisy than rows/s on a
shared machine: the server is CPU-bound, and time stolen from it is not counted), and two
delays:

- per change: for each trace, from its result's commit (its `end_time`, taken when the
  transaction that stored it began) to the arrival of the first event counting it finished.
  This is what a watcher waits for a change: the wait for the next read, plus building and
  sending the event.
- per event: from the newest change an event contains (the experiment's `updated_at`) to the
  event's arrival: building and sending alone.
"""

from __future__ import annotations

import bisect
import os
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

ROWS, WATCHERS, CONCURRENCY, PAIRS = 1000, 10, 16, 6
UNFINISHED = ("pending", "running")
# (arrival, traces finished, newest change in the event), times in seconds since the epoch
Arrival = tuple[float, int, float]


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


def watch(target: str, key: str, experiment_id: str, arrivals: list[Arrival]) -> None:
    with grpc.insecure_channel(target) as channel:
        stub = experiments_pb2_grpc.ExperimentServiceStub(channel)
        request = experiments_pb2.WatchExperimentRequest(id=experiment_id)
        for event in stub.WatchExperiment(request, metadata=(("authorization", f"Bearer {key}"),)):
            arrived = time.time()
            finished = sum(
                n for status, n in event.trace_counts.items() if status not in UNFINISHED
            )
            changed = event.experiment.updated_at.ToDatetime(UTC).timestamp()
            arrivals.append((arrived, finished, changed))


def watchers(
    target: str, key: str, experiment_id: str, results: Queue[list[list[Arrival]]]
) -> None:
    """In a child process: WATCHERS threads, each following the run to its end."""
    arrivals: list[list[Arrival]] = [[] for _ in range(WATCHERS)]
    threads = [
        threading.Thread(target=watch, args=(target, key, experiment_id, mine)) for mine in arrivals
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(arrivals)


def end_times(api: httpx.Client, experiment_id: str) -> list[float]:
    """When each trace's result was stored, in ascending order."""
    ends: list[float] = []
    url: str | None = f"/api/v2/experiments/{experiment_id}/logs/list/?page_size=100"
    while url:
        page = api.get(url).json()
        ends += [datetime.fromisoformat(t["end_time"]).timestamp() for t in page["results"]]
        url = page.get("next")
    return sorted(ends)


def change_delays(ends: list[float], arrivals: list[Arrival]) -> list[float]:
    """For each trace, ms from its commit to the first event that counts it finished."""
    counts = [finished for _, finished, _ in arrivals]  # never falls along one stream
    delays = []
    for rank, ended in enumerate(ends, start=1):
        first = bisect.bisect_left(counts, rank)
        if first < len(arrivals):
            delays.append((arrivals[first][0] - ended) * 1000)
    return delays


def timed_run(
    server: RunningServer, api: httpx.Client, key: str, dataset_id: str, watchers_on: bool
) -> tuple[float, float, list[float], list[float]]:
    """Rows/s, server CPU seconds, and with watchers on, the per-change and per-event delays in
    ms."""
    experiment_id = start_run(api, dataset_id)
    started, cpu_before = time.perf_counter(), cpu_seconds(server.process.pid)
    results: Queue[list[list[Arrival]]] = Queue()
    child = None
    if watchers_on:
        child = Process(target=watchers, args=(server.grpc_target, key, experiment_id, results))
        child.start()
    # Polled sparsely: the poll is load on the server too, in both arms alike.
    while api.get(f"/api/v2/experiments/{experiment_id}/").json()["status"] != "completed":
        time.sleep(0.1)
    rate = ROWS / (time.perf_counter() - started)
    cpu = cpu_seconds(server.process.pid) - cpu_before
    if child is None:
        return rate, cpu, [], []
    streams = results.get(timeout=60)
    child.join(10)
    ends = end_times(api, experiment_id)
    per_change = [d for stream in streams for d in change_delays(ends, stream)]
    per_event = [(arrived - changed) * 1000 for s in streams for arrived, _, changed in s]
    return rate, cpu, per_change, per_event


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spread(delays: list[float]) -> str:
    ordered = sorted(delays)
    median, p95 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]
    return f"median {median:.0f} ms, p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms"


def main() -> None:
    fake = FakeLLM()
    alone: list[tuple[float, float, list[float], list[float]]] = []
    watched: list[tuple[float, float, list[float], list[float]]] = []
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
                for _ in range(PAIRS):
                    alone.append(timed_run(server, api, key, dataset["id"], False))
                    watched.append(timed_run(server, api, key, dataset["id"], True))
        finally:
            server.stop()
            fake.close()
    rate_alone = statistics.median(rate for rate, *_ in alone)
    rate_watched = statistics.median(rate for rate, *_ in watched)
    cpu_alone = statistics.median(cpu for _, cpu, *_ in alone)
    cpu_watched = statistics.median(cpu for _, cpu, *_ in watched)
    per_change = [d for *_, found, _ in watched for d in found]
    per_event = [d for *_, found in watched for d in found]
    print(
        f"runner, {ROWS} rows: {rate_alone:.0f} rows/s alone, {rate_watched:.0f} rows/s with "
        f"{WATCHERS} watchers ({rate_watched / rate_alone:.1%} of alone; medians of {PAIRS}, "
        f"alone {', '.join(f'{r:.0f}' for r, *_ in alone)}; "
        f"watched {', '.join(f'{r:.0f}' for r, *_ in watched)})"
    )
    print(
        f"server CPU per run: {cpu_alone:.2f} s alone, {cpu_watched:.2f} s watched "
        f"({cpu_watched / cpu_alone - 1:+.1%}; medians of {PAIRS})"
    )
    print(f"change to event, {len(per_change)} trace results: {spread(per_change)}")
    print(f"newest change in an event to its arrival, {len(per_event)} events: {spread(per_event)}")


if __name__ == "__main__":
    main()
