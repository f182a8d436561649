"""Spans benchmark: OTLP/HTTP protobuf through Envoy, in the shape of NVIDIA's intake load test.

    .venv/bin/python -m bench.bench_spans                       # SQLite, 1M stored spans
    .venv/bin/python -m bench.bench_spans --backend postgresql
    .venv/bin/python -m bench.bench_spans --stored 200000       # a quicker "many stored" case

Sessions of 20 spans: one root agent span naming the experiment and test case, LLM and tool
children with model, tokens, cost and 100-300 character payloads. Request bodies are built
before the clock starts; a fixed number of requests is kept in flight; a span counts once its
request is answered (the answer comes after the commit, so the span is readable). Prints
medians of three rounds with the in-run baseline (a raw executemany of the same span rows into
the service's own schema) and ratios, then read latencies over 10,000 sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from bench.postgres import postgres_cluster
from bench.table import print_table
from experiment_service.domain.telemetry.attributes import span_values
from experiment_service.servicers.otlp_convert import received_spans
from experiment_service.storage.database import SQLITE_PRAGMAS, Database
from tests.support.otlp import set_attributes
from tests.support.server import RunningServer, start_server

WORKSPACE = "bench"
EXPERIMENT = "agent-under-test"
SPANS_PER_SESSION = 20
START_NS = 1_700_000_000_000_000_000
READ_SESSIONS = 10_000
ROUNDS = 3


def text(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghij ") for _ in range(rng.randint(100, 300)))


def session_spans(index: int, rng: random.Random) -> list[trace_pb2.Span]:
    """One session: a root agent span and 19 LLM/tool children."""
    trace_id = index.to_bytes(8, "big") + rng.randbytes(8)
    root_id = rng.randbytes(7) + b"\x01"
    begin = START_NS + index * 1_000_000
    root = trace_pb2.Span(
        trace_id=trace_id,
        span_id=root_id,
        name="agent",
        start_time_unix_nano=begin,
        end_time_unix_nano=begin + 900_000_000,
    )
    set_attributes(
        root,
        {
            "openinference.span.kind": "AGENT",
            "session.id": f"session-{index}",
            "nemo.experiment.id": EXPERIMENT,
            "nemo.test_case.id": f"case-{index % 1000}",
            "input.value": text(rng),
            "output.value": text(rng),
        },
    )
    spans = [root]
    for child in range(SPANS_PER_SESSION - 1):
        llm = child % 2 == 0
        attributes: dict[str, Any] = {
            "openinference.span.kind": "LLM" if llm else "TOOL",
            "session.id": f"session-{index}",
            "input.value": text(rng),
            "output.value": text(rng),
        }
        if llm:
            attributes.update(
                {
                    "llm.model_name": "llama-3.1-8b" if child % 4 else "gpt-4o-mini",
                    "llm.token_count.prompt": 100 + child,
                    "llm.token_count.completion": 20 + child,
                    "llm.cost.total": 0.0001 * (child + 1),
                }
            )
        else:
            attributes["tool.name"] = "search"
        span = trace_pb2.Span(
            trace_id=trace_id,
            span_id=rng.randbytes(7) + bytes([child + 2]),
            parent_span_id=root_id,
            name="llm" if llm else "tool",
            start_time_unix_nano=begin + (child + 1) * 10_000_000,
            end_time_unix_nano=begin + (child + 1) * 10_000_000 + 8_000_000,
        )
        set_attributes(span, attributes)
        spans.append(span)
    return spans


def bodies(first_session: int, sessions: int, spans_per_request: int) -> list[bytes]:
    """Serialized export requests holding the sessions' spans, spans_per_request each."""
    rng = random.Random(first_session)
    spans = [
        span
        for index in range(first_session, first_session + sessions)
        for span in session_spans(index, rng)
    ]
    requests = []
    for offset in range(0, len(spans), spans_per_request):
        request = trace_service_pb2.ExportTraceServiceRequest()
        resource = request.resource_spans.add()
        service = resource.resource.attributes.add(key="service.name")
        service.value.string_value = "bench-agent"
        resource.scope_spans.add().spans.extend(spans[offset : offset + spans_per_request])
        requests.append(request.SerializeToString())
    return requests


async def send_all(base: str, requests: list[bytes], in_flight: int) -> float:
    """Send every body with `in_flight` requests outstanding, each on its own keep-alive
    HTTP/1.1 connection; seconds until the last answer.

    A minimal client on asyncio streams: httpx's pool tops out near 100 requests/s at 50
    connections on this machine (measured against Envoy's own /healthz), below what is
    measured here, while this one costs the client a few microseconds per request."""
    address = httpx.URL(base)
    host, port = address.host, address.port or 80
    path = f"/apis/intake/v2/workspaces/{WORKSPACE}/ingest/otlp/v1/traces"
    head = (
        f"POST {path} HTTP/1.1\r\nhost: {host}:{port}\r\n"
        "content-type: application/x-protobuf\r\ncontent-length: "
    ).encode()
    pending = iter(requests)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for body in pending:
                writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                answer = await reader.readexactly(length)
                assert status.split()[1] == b"200" and answer == b'{"errors":[]}', answer
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - started


def spans_stored(server: RunningServer) -> int:
    reply = httpx.get(
        f"{server.http_base}/apis/intake/v2/workspaces/{WORKSPACE}/spans",
        params={"page_size": 1, "mode": "summary"},
        timeout=120,
    )
    return int(reply.json()["pagination"]["total_results"])


def ingest_rate(
    server: RunningServer, first_session: int, sessions: int, per_request: int, in_flight: int
) -> tuple[float, int]:
    """(median spans/s over ROUNDS rounds of `sessions` sessions each, next session index)."""
    rates = []
    for _ in range(ROUNDS):
        requests = bodies(first_session, sessions, per_request)
        before = spans_stored(server)
        seconds = asyncio.run(send_all(server.http_base or "", requests, in_flight))
        sent = sessions * SPANS_PER_SESSION
        assert spans_stored(server) - before == sent, "every span sent is readable"
        rates.append(sent / seconds)
        first_session += sessions
    return statistics.median(rates), first_session


def span_rows(first_session: int, sessions: int) -> list[dict[str, Any]]:
    """The rows the service stores for these sessions (its own mapping), for the baseline."""
    now = datetime.now().astimezone()
    rows = []
    for body in bodies(first_session, sessions, 10_000):
        spans, errors = received_spans(trace_service_pb2.ExportTraceServiceRequest.FromString(body))
        assert not errors
        for span in spans:
            session_id = str(span.attributes["session.id"])
            rows.append(span_values(span, WORKSPACE, session_id, now))
    return rows


async def fresh_schema(database_url: str) -> None:
    database = Database(database_url)
    try:
        await database.migrate()
    finally:
        await database.close()


def sqlite_insert(path: Path) -> Callable[[list[dict[str, Any]]], float]:
    """A raw sqlite3 executemany into the service's schema, one transaction per call."""
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        db.execute(f"PRAGMA {pragma}")

    def insert(rows: list[dict[str, Any]]) -> float:
        columns = list(rows[0])
        values = [
            tuple(
                orjson.dumps(v).decode()
                if isinstance(v, dict)
                else v.replace(tzinfo=None).isoformat(" ", "microseconds")
                if isinstance(v, datetime)
                else v
                for v in row.values()
            )
            for row in rows
        ]
        sql = (
            f"INSERT INTO telemetry_spans ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        for offset in range(0, len(values), 100):  # 100 spans per transaction, as requests
            db.executemany(sql, values[offset : offset + 100])
            db.execute("COMMIT")
            db.execute("BEGIN IMMEDIATE")
        db.execute("COMMIT")
        return time.perf_counter() - started

    return insert


def postgres_insert(database_url: str) -> Callable[[list[dict[str, Any]]], float]:
    import asyncpg

    loop = asyncio.new_event_loop()
    connection = loop.run_until_complete(
        asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    )

    def insert(rows: list[dict[str, Any]]) -> float:
        columns = list(rows[0])
        marks = ", ".join(
            f"${i + 1}::jsonb" if name == "raw_attributes" else f"${i + 1}"
            for i, name in enumerate(columns)
        )
        sql = f"INSERT INTO telemetry_spans ({', '.join(columns)}) VALUES ({marks})"
        values = [
            tuple(orjson.dumps(v).decode() if isinstance(v, dict) else v for v in row.values())
            for row in rows
        ]

        async def run() -> float:
            started = time.perf_counter()
            for offset in range(0, len(values), 100):
                async with connection.transaction():
                    await connection.executemany(sql, values[offset : offset + 100])
            return time.perf_counter() - started

        return loop.run_until_complete(run())

    return insert


def baseline_rate(insert: Callable[[list[dict[str, Any]]], float], sessions: int) -> float:
    rates = []
    for round_ in range(ROUNDS):
        rows = span_rows(10_000_000 + round_ * sessions, sessions)
        rates.append(len(rows) / insert(rows))
    return statistics.median(rates)


def preload(insert: Callable[[list[dict[str, Any]]], float], spans: int) -> None:
    """Store `spans` spans of other sessions (rows as the service writes them) directly."""
    template = span_rows(20_000_000, 500)
    done = 0
    while done < spans:
        batch = []
        for row in template:
            # Other sessions, of no experiment: the stored volume without runs to adopt.
            batch.append(
                {
                    **row,
                    "trace_id": f"{done // SPANS_PER_SESSION:032x}",
                    "session_id": f"pre-{done // SPANS_PER_SESSION}",
                    "experiment_name": None,
                }
            )
            done += 1
        insert(batch)


def read_p50(url: str, params: dict[str, Any], reads: int = 50) -> float:
    times = []
    with httpx.Client(timeout=60) as client:
        for _ in range(reads):
            started = time.perf_counter()
            assert client.get(url, params=params).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(backend: str, stored: int, tmp: Path, new_url: Callable[[], str]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []

    def measured(*row: str) -> None:
        rows.append(row)
        print(" | ".join(row), flush=True)  # as it comes; the table follows at the end

    def inserter(url: str) -> Callable[[list[dict[str, Any]]], float]:
        if backend == "sqlite":
            return sqlite_insert(Path(url.split("///", 1)[1]))
        return postgres_insert(url)

    def serve(url: str) -> RunningServer:
        directory = tmp / f"server-{time.monotonic_ns()}"
        directory.mkdir()
        return start_server(directory, gateway=True, database_url=url)

    baseline_url = new_url()
    asyncio.run(fresh_schema(baseline_url))
    baseline = baseline_rate(inserter(baseline_url), 250)

    empty_url = new_url()
    server = serve(empty_url)
    try:
        created = httpx.post(
            f"{server.http_base}/apis/intake/v2/workspaces/{WORKSPACE}/experiments",
            json={"name": EXPERIMENT, "agent_name": "a", "agent_version": "1", "dataset_name": "d"},
        )
        assert created.status_code == 201, created.text
        per_round = READ_SESSIONS // ROUNDS + 1
        rate_100, next_session = ingest_rate(server, 0, per_round, 100, 10)
        measured(
            "ingest 100 spans/request, 10 in flight (spans/s)",
            f"{rate_100:,.0f}",
            f"{baseline:,.0f}",
            f"{baseline / rate_100:.2f}x",
        )
        rate_1, next_session = ingest_rate(server, next_session, 25, 1, 50)
        measured("ingest 1 span/request, 50 in flight (spans/s)", f"{rate_1:,.0f}", "", "")
        base = f"{server.http_base}/apis/intake/v2/workspaces/{WORKSPACE}"
        sessions = next_session
        traces = read_p50(f"{base}/traces", {"mode": "preview", "page_size": 50})
        measured(f"GET /traces preview, 50 of {sessions:,} sessions (ms)", f"{traces:.1f}", "", "")
        experiment = read_p50(f"{base}/experiments/{EXPERIMENT}", {})
        measured(
            f"GET experiment with rollups over {sessions:,} sessions (ms)",
            f"{experiment:.1f}",
            "",
            "",
        )
    finally:
        server.stop()

    if stored:
        full_url = new_url()
        asyncio.run(fresh_schema(full_url))
        started = time.perf_counter()
        preload(inserter(full_url), stored)
        print(f"preloaded {stored:,} spans in {time.perf_counter() - started:.0f} s")
        server = serve(full_url)
        try:
            created = httpx.post(
                f"{server.http_base}/apis/intake/v2/workspaces/{WORKSPACE}/experiments",
                json={
                    "name": EXPERIMENT,
                    "agent_name": "a",
                    "agent_version": "1",
                    "dataset_name": "d",
                },
            )
            assert created.status_code == 201, created.text
            rate_full, _ = ingest_rate(server, 0, 250, 100, 10)
        finally:
            server.stop()
        measured(
            f"ingest 100x10 after {stored:,} stored spans (spans/s)",
            f"{rate_full:,.0f}",
            f"{rate_100:,.0f}",
            f"{rate_100 / rate_full:.2f}x",
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--stored", type=int, default=1_000_000, help="spans stored beforehand")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend == "postgresql":
            with postgres_cluster() as new_database:
                rows = run(args.backend, args.stored, Path(tmp), new_database)
        else:
            counter = iter(range(1_000_000))

            def new_url() -> str:
                return f"sqlite+aiosqlite:///{Path(tmp) / f'spans-{next(counter)}.db'}"

            rows = run(args.backend, args.stored, Path(tmp), new_url)
    print_table(args.backend, rows)


if __name__ == "__main__":
    main()
