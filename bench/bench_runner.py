"""Runner throughput: rows completed per second against a loopback OpenAI-compatible server.

    .venv/bin/python -m bench.bench_runner

Runs a one-step completion experiment with the provider answering at once and after 200 ms;
with a provider concurrency of C, the ideal at 200 ms is C / 0.2 s rows per second.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from tests.support.fake_llm import FakeLLM, providers_file
from tests.support.keys import create_api_key
from tests.support.server import start_server

CONCURRENCY = 16


def run_once(api: httpx.Client, rows: int) -> float:
    dataset = api.post("/api/datasets/", json={"name": "bench"}).json()
    batch = [{"input": f"row {i}"} for i in range(rows)]
    api.post(f"/api/datasets/{dataset['id']}/logs/batch/", json={"rows": batch})
    started = time.perf_counter()
    experiment = api.post(
        "/api/v2/experiments/",
        json={
            "name": "bench",
            "dataset_id": dataset["id"],
            "workflows": [{"type": "completion", "config": {"model": "echo"}}],
        },
    ).json()
    while api.get(f"/api/v2/experiments/{experiment['id']}/").json()["status"] != "completed":
        time.sleep(0.05)
    return rows / (time.perf_counter() - started)


def main() -> None:
    fake = FakeLLM()
    with tempfile.TemporaryDirectory() as tmp:
        config = providers_file(Path(tmp), fake, CONCURRENCY)
        server = start_server(Path(tmp), f"--config={config}", gateway=True)
        try:
            _, key = create_api_key(server, "bench")
            with httpx.Client(
                base_url=server.http_base, timeout=60, headers={"authorization": f"Bearer {key}"}
            ) as api:
                results = []
                for latency, rows in ((0.0, 2000), (0.2, 800)):
                    fake.latency = latency
                    results.append((latency, rows, run_once(api, rows)))
        finally:
            server.stop()
            fake.close()
    print("provider latency | rows | rows/s | ideal (concurrency / latency)")
    print("---------------- | ---- | ------ | -----------------------------")
    for latency, rows, rate in results:
        ideal = f"{CONCURRENCY / latency:.0f}" if latency else "-"
        print(f"{latency * 1000:>13.0f} ms | {rows} | {rate:6.1f} | {ideal}")


if __name__ == "__main__":
    main()
