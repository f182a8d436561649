"""`experiment-service export`: an experiment's runs into a CSV or JSON-lines file, streamed
from the server chunk by chunk, with the rows written so far shown as they arrive."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from google.api import httpbody_pb2

from experiment_service.api.intake.v2 import intake_service_pb2, intake_service_pb2_grpc
from experiment_service.api.platform.v2 import experiments_pb2, experiments_pb2_grpc
from experiment_service.cli import client
from experiment_service.cli.options import add_client_flags


def register(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="write an experiment's runs to a CSV or JSON-lines file",
        description="Every trace of a platform experiment (by id, with --api-key), or every "
        "session of an intake experiment (by name, with --workspace), with inputs, outputs, "
        "scores, cost, tokens and latency, streamed into a file.",
    )
    export.add_argument("experiment", help="a platform experiment's id, or an intake name")
    export.add_argument("--workspace", help="export an intake experiment of this workspace")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--output", type=Path, required=True, metavar="FILE")
    add_client_flags(export)
    export.set_defaults(run=lambda args: client.run(lambda: _run(args)))


def _run(args: argparse.Namespace) -> int:
    stream = chunks(
        args.server, args.experiment, args.format, workspace=args.workspace, api_key=args.api_key
    )
    rows = write(stream, args.output, args.format)
    print(f"exported {rows} rows to {args.output}")
    return 0


def chunks(
    server: str, experiment: str, form: str, *, workspace: str | None, api_key: str
) -> Iterator[tuple[bytes, int]]:
    """The export's chunks, each with the experiment's run count (for the progress shown)."""
    with client.connect(server, api_key) as (channel, metadata):
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
