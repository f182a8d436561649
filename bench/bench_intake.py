"""Intake benchmark: create, ingest and read-with-rollups, each against an in-run baseline.

    .venv/bin/python -m bench.bench_intake             # 0, 10k and 100k sessions
    .venv/bin/python -m bench.bench_intake --million   # adds the 1M-session read
    .venv/bin/python -m bench.bench_intake --backend postgresql [--million]

Starts the real server (SQLite, embedded default) in a temporary directory and prints a table
of medians with their baselines and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import orjson
from google.protobuf import json_format

from bench.postgres import postgres_cluster
from bench.table import print_table
from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.storage.database import SQLITE_PRAGMAS, Database
from experiment_service.storage.tables import ExperimentRow
from tests.support.server import free_port, start_server

BATCH = 1000
# Ingestion and its baseline both write INGEST_CHUNKS chunks of BATCHES_PER_CHUNK batches into
# a fresh table, and report the median chunk: the same volume on both sides.
INGEST_CHUNKS = 3
BATCHES_PER_CHUNK = 5
CONCURRENCY = 8
START = datetime(2024, 1, 1, tzinfo=UTC)


def session_message(experiment: str, index: int) -> res.Session:
    message = res.Session(
        session_id=f"s{index}",
        experiment_name=experiment,
        test_case_id=f"tc{index % 500}",
        status="success" if index % 10 else "error",
        latency_ms=100.0 + index % 900,
        model_names=["gpt-4o-mini" if index % 2 else "claude-3-5"],
        input_tokens=120 + index % 50,
        output_tokens=30 + index % 20,
        cost_usd=0.0001 * (index % 97),
        evaluator_results=[
            res.SessionEvaluatorResult(name="accuracy", data_type="NUMERIC"),
            res.SessionEvaluatorResult(name="helpful", data_type="BOOLEAN"),
        ],
    )
    message.started_at.FromDatetime(START + timedelta(seconds=index))
    message.ended_at.FromDatetime(START + timedelta(seconds=index, milliseconds=500))
    message.evaluator_results[0].value.number_value = (index % 100) / 100
    message.evaluator_results[1].value.bool_value = index % 3 == 0
    message.input.struct_value.update({"question": f"What is {index}?"})
    message.output.string_value = f"It is {index}."
    return message


async def throughput(call: Callable[[int], Awaitable[Any]], total: int) -> float:
    """Calls per second with CONCURRENCY callers sharing `total` calls."""
    counter = iter(range(total))

    async def worker() -> None:
        for index in counter:
            await call(index)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return total / (time.perf_counter() - started)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


async def bench_create(intake: Any, empty_target: str) -> tuple[float, float]:
    async with grpc.aio.insecure_channel(empty_target) as channel:
        empty = channel.unary_unary("/bench.Empty/Call")
        await throughput(lambda i: empty(b""), 500)  # warm-up
        baseline = statistics.median(
            [await throughput(lambda i: empty(b""), 3000) for _ in range(3)]
        )

    async def create(index: int, round_: int) -> None:
        await intake.CreateExperiment(
            svc.CreateExperimentRequest(
                workspace="bench-create",
                experiment=res.ExperimentRequest(
                    name=f"r{round_}-e{index}",
                    agent_name="agent",
                    agent_version="1",
                    dataset_name="d",
                ),
            )
        )

    await throughput(lambda i: create(i, -1), 300)
    rates = [await throughput(lambda i, r=r: create(i, r), 3000) for r in range(3)]
    return statistics.median(rates), baseline


RawRows = list[tuple[Any, ...]]


def raw_rows(
    sessions: list[res.Session], round_: int, encode_time: Callable[[Any], Any]
) -> tuple[RawRows, RawRows, RawRows]:
    """The rows one ingested batch writes (runs, session scores, evaluator results), as
    plain tuples in the RAW_*_COLUMNS orders, with the JSON the service stores."""
    now = encode_time(datetime.now(UTC))
    runs = []
    scores = []
    result_rows = []
    for s in sessions:
        session_id = f"{round_}-{s.session_id}"
        results = [
            {
                "name": r.name,
                "data_type": r.data_type,
                "value": _value(r.value),
                "string_value": None,
                "error": None,
            }
            for r in s.evaluator_results
        ]
        runs.append(
            (
                RAW_EXPERIMENT_ID,
                session_id,
                s.test_case_id,
                s.status,
                encode_time(s.started_at.ToDatetime(UTC)),
                encode_time(s.ended_at.ToDatetime(UTC)),
                s.latency_ms,
                s.cost_usd,
                s.input_tokens,
                s.output_tokens,
                orjson.dumps(list(s.model_names)).decode(),
                orjson.dumps(_value(s.input)).decode(),
                orjson.dumps(_value(s.output)).decode(),
                orjson.dumps(results).decode(),
                "{}",
                now,
            )
        )
        scores.extend(
            (RAW_EXPERIMENT_ID, session_id, s.test_case_id, r["name"], float(r["value"]))
            for r in results
        )
        result_rows.extend(
            (
                f"er_{uuid.uuid4()}",
                "raw",
                session_id,
                "",
                RAW_EXPERIMENT_ID,
                r["name"],
                r["data_type"],
                float(r["value"]),
                now,
                now,
            )
            for r in results
        )
    return runs, scores, result_rows


def _value(value: Any) -> Any:
    return json_format.MessageToDict(value)


# An id like the ones the service assigns: every index of both tables leads with it.
RAW_EXPERIMENT_ID = f"exp_{uuid.uuid4()}"
RAW_RUN_COLUMNS = (
    "experiment_id, session_id, test_case_id, status, started_at, ended_at, latency_ms, "
    "cost_usd, input_tokens, output_tokens, model_names, input, output, evaluator_results, "
    "metadata, ingested_at"
)
RAW_SCORE_COLUMNS = "experiment_id, session_id, test_case_id, name, value"
RAW_RESULT_COLUMNS = (
    "id, workspace, session_id, span_id, experiment_id, name, data_type, value, created_at, "
    "ingested_at"
)


async def service_schema(database_url: str) -> None:
    """A fresh database with the service's own tables, indexes and constraints (its
    migrations), and the experiment the raw rows belong to."""
    database = Database(database_url)
    try:
        await database.migrate()
        async with database.transaction(write=True) as session:
            now = datetime.now(UTC)
            session.add(
                ExperimentRow(
                    id=RAW_EXPERIMENT_ID,
                    workspace="raw",
                    kind="intake",
                    name="raw",
                    metadata_json={},
                    created_at=now,
                    updated_at=now,
                )
            )
    finally:
        await database.close()


async def raw_sqlite_rate(directory: Path, sessions: list[res.Session]) -> float:
    """The baseline: rows equivalent to what ingestion writes, inserted with sqlite3's
    executemany into the service's own schema (same indexes, foreign keys and pragmas), one
    transaction per batch, each batch's rows built before its clock starts."""
    path = directory / f"raw-{time.monotonic_ns()}.db"
    await service_schema(f"sqlite+aiosqlite:///{path}")
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    placeholders = ",".join("?" * 16)

    def chunk_seconds(chunk: int) -> float:
        elapsed = 0.0
        for batch in range(BATCHES_PER_CHUNK):
            runs, scores, results = raw_rows(
                sessions,
                chunk * BATCHES_PER_CHUNK + batch,
                lambda t: t.replace(tzinfo=None).isoformat(" ", "microseconds"),
            )
            started = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT INTO runs ({RAW_RUN_COLUMNS}) VALUES ({placeholders})", runs)
            db.executemany(
                f"INSERT INTO session_scores ({RAW_SCORE_COLUMNS}) VALUES (?,?,?,?,?)", scores
            )
            db.executemany(
                f"INSERT INTO evaluator_results ({RAW_RESULT_COLUMNS})"
                f" VALUES ({','.join('?' * 10)})",
                results,
            )
            db.execute("COMMIT")
            elapsed += time.perf_counter() - started
        return elapsed

    try:
        return statistics.median(
            BATCHES_PER_CHUNK * len(sessions) / chunk_seconds(chunk)
            for chunk in range(INGEST_CHUNKS)
        )
    finally:
        db.close()


async def raw_postgres_rate(database_url: str, sessions: list[res.Session]) -> float:
    """The PostgreSQL counterpart of raw_sqlite_rate: asyncpg executemany, same schema."""
    import asyncpg

    await service_schema(database_url)
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))

    async def chunk_seconds(chunk: int) -> float:
        elapsed = 0.0
        for batch in range(BATCHES_PER_CHUNK):
            runs, scores, results = raw_rows(
                sessions, chunk * BATCHES_PER_CHUNK + batch, lambda t: t
            )
            started = time.perf_counter()
            async with connection.transaction():
                await connection.executemany(
                    f"INSERT INTO runs ({RAW_RUN_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,"
                    "$10,$11::jsonb,$12::jsonb,$13::jsonb,$14::jsonb,$15::jsonb,$16)",
                    runs,
                )
                await connection.executemany(
                    f"INSERT INTO session_scores ({RAW_SCORE_COLUMNS}) VALUES ($1,$2,$3,$4,$5)",
                    scores,
                )
                await connection.executemany(
                    f"INSERT INTO evaluator_results ({RAW_RESULT_COLUMNS})"
                    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                    results,
                )
            elapsed += time.perf_counter() - started
        return elapsed

    try:
        return statistics.median(
            [
                BATCHES_PER_CHUNK * len(sessions) / await chunk_seconds(chunk)
                for chunk in range(INGEST_CHUNKS)
            ]
        )
    finally:
        await connection.close()


async def ingest_up_to(intake: Any, experiment: str, have: int, want: int) -> float:
    """Ingest sessions have..want-1 in batches of BATCH, one call at a time; returns sessions
    per second. Requests are built before the clock starts, as the baseline's rows are."""
    requests = [
        svc.IngestSessionsRequest(
            workspace="bench",
            sessions=[
                session_message(experiment, i) for i in range(offset, min(offset + BATCH, want))
            ],
        )
        for offset in range(have, want, BATCH)
    ]
    started = time.perf_counter()
    for request in requests:
        await intake.IngestSessions(request)
    return (want - have) / (time.perf_counter() - started)


async def read_latency_ms(intake: Any, experiment: str, reads: int = 50) -> tuple[float, float]:
    """(first read after ingest, median of repeated reads), in milliseconds."""
    request = svc.GetExperimentRequest(workspace="bench", name=experiment)
    started = time.perf_counter()
    first = await intake.GetExperiment(request)
    first_ms = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(reads):
        started = time.perf_counter()
        again = await intake.GetExperiment(request)
        times.append((time.perf_counter() - started) * 1000)
    assert again.run_count == first.run_count
    return first_ms, statistics.median(times)


async def run(
    sizes: list[int], workdir: Path, database_url: str | None = None
) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    server = start_server(workdir, database_url=database_url)
    empty_port = free_port()
    empty = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is measured
        [sys.executable, str(Path(__file__).with_name("empty_server.py")), str(empty_port)],
        stdout=subprocess.PIPE,
    )
    assert empty.stdout is not None and empty.stdout.readline().strip() == b"ready"
    try:
        async with grpc.aio.insecure_channel(
            server.grpc_target,
            options=[("grpc.max_send_message_length", 64 << 20)],
        ) as channel:
            intake = intake_service_pb2_grpc.IntakeServiceStub(channel)
            create_rate, empty_rate = await bench_create(intake, f"127.0.0.1:{empty_port}")
            rows.append(
                (
                    "CreateExperiment (calls/s, 8 callers)",
                    f"{create_rate:,.0f}",
                    f"{empty_rate:,.0f} (empty unary call)",
                    f"{empty_rate / create_rate:.2f}x",
                )
            )

            for name in ("ingest-bench", "reads"):
                await intake.CreateExperiment(
                    svc.CreateExperimentRequest(
                        workspace="bench",
                        experiment=res.ExperimentRequest(
                            name=name, agent_name="a", agent_version="1", dataset_name="d"
                        ),
                    )
                )
            sample = [session_message("ingest-bench", i) for i in range(BATCH)]
            if database_url is None:
                raw_rate = await raw_sqlite_rate(workdir, sample)
                raw_name = "raw sqlite3 executemany"
            else:
                raw_rate = await raw_postgres_rate(database_url, sample)
                raw_name = "raw asyncpg executemany"
            chunk = BATCHES_PER_CHUNK * BATCH
            ingest_rates = [
                await ingest_up_to(intake, "ingest-bench", i * chunk, (i + 1) * chunk)
                for i in range(INGEST_CHUNKS)
            ]
            ingest_rate = statistics.median(ingest_rates)
            rows.append(
                (
                    "IngestSessions (sessions/s, batches of 1000)",
                    f"{ingest_rate:,.0f}",
                    f"{raw_rate:,.0f} ({raw_name})",
                    f"{raw_rate / ingest_rate:.2f}x",
                )
            )

            have = 0
            _, zero_ms = await read_latency_ms(intake, "reads")
            rows.append(("GetExperiment, 0 sessions (ms)", f"{zero_ms:.2f}", "-", "-"))
            for size in sizes:
                started = time.perf_counter()
                await ingest_up_to(intake, "reads", have, size)
                have = size
                print(
                    f"  ingested {size:,} sessions in {time.perf_counter() - started:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
                first_ms, repeat_ms = await read_latency_ms(intake, "reads")
                rows.append(
                    (
                        f"GetExperiment, {size:,} sessions (ms)",
                        f"{repeat_ms:.2f}",
                        f"{zero_ms:.2f} (0 sessions)",
                        f"{repeat_ms / zero_ms:.2f}x",
                    )
                )
                rows.append(
                    (
                        f"  first read after ingest, {size:,} sessions (ms)",
                        f"{first_ms:.1f}",
                        "-",
                        "-",
                    )
                )
    finally:
        empty.terminate()
        server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true", help="also read at 1M sessions")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    sizes = [10_000, 100_000] + ([1_000_000] if args.million else [])
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend == "postgresql":
            with postgres_cluster() as new_database:
                rows = asyncio.run(run(sizes, Path(tmp), new_database()))
        else:
            rows = asyncio.run(run(sizes, Path(tmp)))
    print_table(args.backend, rows)


if __name__ == "__main__":
    main()
