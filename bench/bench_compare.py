"""Comparison speed: two experiments of 10,000 test cases x 3 runs x 5 evaluators.

    .venv/bin/python -m bench.bench_compare                         # SQLite
    .venv/bin/python -m bench.bench_compare --backend postgresql    # a throwaway PostgreSQL

Ingests both experiments through the real server (gRPC), then times CompareExperiments over
gRPC from the client: after both experiments changed (one more session each: nothing cached),
after the candidate alone changed (the baseline's units are cached), and repeated (unchanged
experiments: the answer is cached). Prints medians; the figures include the gRPC round trip,
an upper bound of the server's time.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import grpc
from google.protobuf import struct_pb2

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import resources_pb2 as res
from experiment_service.api.intake.v2.intake_service_pb2_grpc import IntakeServiceStub
from tests.support.postgres import PostgresCluster
from tests.support.server import start_server

CASES, REPEATS, EVALUATORS = 10_000, 3, 5
WORKSPACE = "bench"


def ingest(stub: IntakeServiceStub, name: str, effect: float, seed: int) -> None:
    stub.CreateExperiment(
        svc.CreateExperimentRequest(
            workspace=WORKSPACE,
            experiment=res.ExperimentRequest(
                name=name, agent_name="agent", agent_version=name, dataset_name="d"
            ),
        )
    )
    rng = random.Random(seed)
    sessions = []
    for case in range(CASES):
        for repeat in range(REPEATS):
            session = res.Session(
                session_id=f"{name}-{case}-{repeat}",
                experiment_name=name,
                test_case_id=f"case-{case}",
                status="success",
                cost_usd=0.01 + rng.random() * 0.01,
                latency_ms=500 + rng.gauss(0, 50),
                input_tokens=100 + rng.randrange(50),
                output_tokens=20,
                evaluator_results=[
                    res.SessionEvaluatorResult(
                        name=f"evaluator_{e}",
                        data_type="NUMERIC",
                        value=struct_pb2.Value(number_value=rng.random() + effect * (e == 0)),
                    )
                    for e in range(EVALUATORS)
                ],
            )
            session.started_at.FromSeconds(1_700_000_000)
            session.ended_at.FromSeconds(1_700_000_002)
            sessions.append(session)
    for start in range(0, len(sessions), 1000):
        stub.IngestSessions(
            svc.IngestSessionsRequest(workspace=WORKSPACE, sessions=sessions[start : start + 1000])
        )


def touch(stub: IntakeServiceStub, name: str, round_: int) -> None:
    """One more session: the experiment's runs_version moves on."""
    session = res.Session(
        session_id=f"{name}-extra-{round_}",
        experiment_name=name,
        test_case_id=f"extra-{round_}",
        status="success",
    )
    session.started_at.FromSeconds(1_700_000_000)
    session.ended_at.FromSeconds(1_700_000_001)
    stub.IngestSessions(svc.IngestSessionsRequest(workspace=WORKSPACE, sessions=[session]))


def timed(stub: IntakeServiceStub, top: int) -> float:
    started = time.perf_counter()
    stub.CompareExperiments(
        svc.CompareExperimentsRequest(workspace=WORKSPACE, name="b", baseline="a", top=top)
    )
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    backend = parser.parse_args().backend
    with tempfile.TemporaryDirectory() as tmp:
        cluster = None
        if backend == "postgresql":
            # Not under the private temporary directory: the cluster may run as another user.
            cluster = PostgresCluster(Path(tempfile.mkdtemp(prefix="experiment-service-pg-")))
            cluster.start()
        url = cluster.new_database() if cluster else f"sqlite+aiosqlite:///{tmp}/bench.db"
        server = start_server(Path(tmp), database_url=url)
        try:
            with grpc.insecure_channel(server.grpc_target) as channel:
                stub = IntakeServiceStub(channel)
                ingest(stub, "a", 0.0, 1)
                ingest(stub, "b", 0.02, 2)
                both, candidate = [], []
                for round_ in range(7):
                    touch(stub, "a", round_)
                    touch(stub, "b", round_)
                    both.append(timed(stub, 5))
                    touch(stub, "b", 100 + round_)
                    candidate.append(timed(stub, 5))
                cached = [timed(stub, 5) for _ in range(30)]
        finally:
            server.stop()
            if cluster is not None:
                cluster.stop()
                shutil.rmtree(cluster.directory, ignore_errors=True)
    print(f"{backend}: {CASES} test cases x {REPEATS} runs x {EVALUATORS} evaluators per side")
    for label, times in (
        ("both experiments changed (nothing cached)", both),
        ("candidate changed (baseline's units cached)", candidate),
        ("unchanged (answer cached)", cached),
    ):
        print(f"{label}: median of {len(times)}: {statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
