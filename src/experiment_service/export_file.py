"""`experiment-service export`: an experiment's runs into a CSV or JSON-lines file, streamed
from the server chunk by chunk, with the rows written so far shown as they arrive."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
from google.api import httpbody_pb2

from experiment_service.api.intake.v2 import intake_service_pb2, intake_service_pb2_grpc
from experiment_service.api.platform.v2 import experiments_pb2, experiments_pb2_grpc


def chunks(
    server: str, experiment: str, form: str, *, workspace: str | None, api_key: str
) -> Iterator[tuple[bytes, int]]:
    """The export's chunks, each with the experiment's run count (for the progress shown)."""
    metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
    with grpc.insecure_channel(server) as channel:
        stream: Iterator[httpbody_pb2.HttpBody]
        if workspace is not None:
            intake = intake_service_pb2_grpc.IntakeServiceStub(channel)
            total = intake.GetExperiment(
                intake_service_pb2.GetExperimentRequest(workspace=workspace, name=experiment),
                metadata=metadata,
            ).run_count
            stream = intake.ExportSessions(
                intake_service_pb2.ExportSessionsRequest(
                    workspace=workspace, name=experiment, format=form
                ),
                metadata=metadata,
            )
        else:
            platform = experiments_pb2_grpc.ExperimentServiceStub(channel)
            summary = platform.GetTraceSummary(
                experiments_pb2.GetTraceSummaryRequest(experiment_id=experiment),
                metadata=metadata,
            )
            total = summary.total_count
            stream = platform.ExportTraces(
                experiments_pb2.ExportTracesRequest(experiment_id=experiment, format=form),
                metadata=metadata,
            )
        for body in stream:
            yield body.data, total


def write(stream: Iterator[tuple[bytes, int]], path: Path, form: str) -> int:
    """Write the chunks to `path`; returns the rows written (a CSV header is not a row)."""
    rows = 0
    header = form == "csv"
    with path.open("wb") as out:
        for data, total in stream:
            out.write(data)
            rows += data.count(b"\n") - (1 if header else 0)
            header = False
            done = f"{rows}/{total}" if total else str(rows)
            print(f"\r  {done} rows written to {path}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows
