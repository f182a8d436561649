"""`experiment-service`: the command line, one module per command group.

`serve`, `api-keys` and `gateway-config` run server code; the client commands (`datasets`,
`compare`, `export`, `watch`) reach a running server over gRPC (client.py) and import nothing
of the server's layers.
"""

from __future__ import annotations

import argparse
import os
import sys

# Before gRPC is first imported (the client commands' modules import it): the server forks only
# to exec Envoy, where gRPC's fork handlers have nothing to do and would print a plain-text line
# into the JSON log; gRPC's own logs are errors only.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

from experiment_service.cli import (
    api_keys,
    compare,
    datasets,
    export,
    gateway,
    serve,
    watch,
)

COMMAND_GROUPS = (serve, api_keys, datasets, compare, export, watch, gateway)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="experiment-service",
        description=(
            "Records, runs and scores experiments on LLM agents and prompts. "
            "Every flag can also be set by the environment variable named in its help."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
