"""`experiment-service watch`: follow an experiment live, as a progress bar in a terminal (one
line per change otherwise), until it finishes (platform) or the user stops it (intake)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import grpc

from experiment_service.api.intake.v2 import intake_service_pb2, intake_service_pb2_grpc
from experiment_service.api.platform.v2 import experiments_pb2, experiments_pb2_grpc
from experiment_service.cli import client
from experiment_service.cli.options import add_client_flags

BAR_WIDTH = 30


def register(commands: Any) -> None:
    watch = commands.add_parser(
        "watch",
        help="follow an experiment live: progress, trace counts, cost",
        description="Follow an experiment as it changes: a platform experiment (by id, with "
        "--api-key) until it completes, fails or is cancelled; an intake experiment (by name, "
        "with --workspace) until interrupted, or for --max-seconds.",
    )
    watch.add_argument("experiment", help="a platform experiment's id, or an intake name")
    watch.add_argument("--workspace", help="watch an intake experiment of this workspace")
    watch.add_argument(
        "--max-seconds",
        type=float,
        metavar="S",
        help="stop watching after S seconds (exit 0), e.g. in scripts [default: no limit]",
    )
    add_client_flags(watch)
    watch.set_defaults(run=lambda args: client.run(lambda: _run(args)))


def _run(args: argparse.Namespace) -> int:
    follow(
        lines(
            args.server,
            args.experiment,
            workspace=args.workspace,
            api_key=args.api_key,
            max_seconds=args.max_seconds,
        )
    )
    return 0


def lines(
    server: str,
    experiment: str,
    *,
    workspace: str | None,
    api_key: str,
    max_seconds: float | None = None,
) -> Iterator[str]:
    """One status line per event of the experiment's watch stream, for at most `max_seconds`
    when given (the stream's deadline; reaching it ends the lines, not in an error)."""
    try:
        yield from _lines(server, experiment, workspace, api_key, max_seconds)
    except grpc.RpcError as error:
        if max_seconds is None or error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise


def _lines(
    server: str, experiment: str, workspace: str | None, api_key: str, timeout: float | None
) -> Iterator[str]:
    with client.connect(server, api_key) as (channel, metadata):
        if workspace is not None:
            intake = intake_service_pb2_grpc.IntakeServiceStub(channel)
            request = intake_service_pb2.WatchExperimentRequest(
                workspace=workspace, name=experiment
            )
            for state in intake.WatchExperiment(request, metadata=metadata, timeout=timeout):
                cost = f", ${state.cost_usd.sum:.4f}" if state.HasField("cost_usd") else ""
                yield f"{state.name}: {state.run_count} runs{cost}"
            return
        platform = experiments_pb2_grpc.ExperimentServiceStub(channel)
        stream = platform.WatchExperiment(
            experiments_pb2.WatchExperimentRequest(id=experiment),
            metadata=metadata,
            timeout=timeout,
        )
        for event in stream:
            progress = event.experiment.progress
            done = int(BAR_WIDTH * progress / 100)
            counts = ", ".join(f"{n} {status}" for status, n in sorted(event.trace_counts.items()))
            yield (
                f"[{'#' * done}{'.' * (BAR_WIDTH - done)}] {progress:5.1f}% "
                f"{event.experiment.status} ({counts}; ${event.summary.total_cost:.4f})"
            )


def follow(stream: Iterator[str], out: TextIO = sys.stdout) -> None:
    """Redraw one line in a terminal; print line after line anywhere else."""
    terminal = out.isatty()
    last = ""
    for line in stream:
        if terminal:
            out.write("\r" + line.ljust(len(last)))
        else:
            out.write(line + "\n")
        out.flush()
        last = line
    if terminal:
        out.write("\n")
