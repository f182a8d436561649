"""The embedded database's write-ahead log stays bounded under steady ingestion.

Checkpoints run beside the writers (storage/checkpoints.py). Writers appending while a
checkpoint copies would keep the log from ever being started over, so it would grow by every
byte written (about 6 MB per 1000 sessions here) and reads through it would slow down.
"""

from __future__ import annotations

import time
from pathlib import Path

import grpc
import pytest

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from experiment_service.api.intake.v2 import resources_pb2 as res
from tests.support.postgres import PostgresCluster
from tests.support.server import start_server

BATCHES = 60
# The log is cut back to journal_size_limit (64 MB) whenever it starts over; unbounded, it would
# pass 150 MB by the end of this test.
MAX_LOG_BYTES = 80 << 20


def _batch(offset: int) -> svc.IngestSessionsRequest:
    sessions = []
    for index in range(offset, offset + 1000):
        session = res.Session(
            session_id=f"s{index}",
            experiment_name="steady",
            status="success",
            latency_ms=float(index % 700),
            cost_usd=0.001,
            model_names=["m"],
            evaluator_results=[res.SessionEvaluatorResult(name="accuracy", data_type="NUMERIC")],
        )
        session.evaluator_results[0].value.number_value = (index % 10) / 10
        session.input.string_value = f"question {index} " * 20
        session.started_at.FromSeconds(1_700_000_000 + index)
        session.ended_at.FromSeconds(1_700_000_001 + index)
        sessions.append(session)
    return svc.IngestSessionsRequest(workspace="w", sessions=sessions)


def test_write_ahead_log_stays_bounded_under_steady_ingestion(
    tmp_path: Path, postgres: PostgresCluster | None
) -> None:
    if postgres is not None:
        pytest.skip("the write-ahead log is the embedded SQLite database's")
    running = start_server(tmp_path, gateway=False)
    log_file = Path(f"{running.database_url.split('///', 1)[1]}-wal")
    try:
        with grpc.insecure_channel(
            running.grpc_target, options=[("grpc.max_send_message_length", 64 << 20)]
        ) as channel:
            intake = intake_service_pb2_grpc.IntakeServiceStub(channel)
            intake.CreateExperiment(
                svc.CreateExperimentRequest(
                    workspace="w",
                    experiment=res.ExperimentRequest(
                        name="steady", agent_name="a", agent_version="1", dataset_name="d"
                    ),
                )
            )
            largest = 0
            for batch in range(BATCHES):
                intake.IngestSessions(_batch(batch * 1000))
                largest = max(largest, log_file.stat().st_size)
            assert largest < MAX_LOG_BYTES, f"the log grew to {largest / 1e6:.0f} MB"
            time.sleep(1)  # the checkpoint after the last write
            read = svc.GetExperimentRequest(workspace="w", name="steady")
            experiment = intake.GetExperiment(read)
            assert experiment.run_count == BATCHES * 1000
            assert experiment.aggregate_scores["accuracy"].count == BATCHES * 1000
    finally:
        running.stop()
