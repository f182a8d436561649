"""`experiment-service gateway-config`: an Envoy configuration for a REST gateway of its own."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from experiment_service.config import DEFAULT_MAX_REQUEST_BYTES


def register(commands: Any) -> None:
    gateway = commands.add_parser(
        "gateway-config",
        help="write an Envoy configuration for a REST gateway in front of gRPC replicas",
        description="Write envoy.yaml (and the Lua filter it loads) for running Envoy on its own "
        "in front of one or more `serve --no-gateway` replicas; run it with "
        "`envoy -c DIR/envoy.yaml`.",
    )
    gateway.add_argument("--output-dir", required=True, metavar="DIR", help="where to write")
    gateway.add_argument(
        "--upstream",
        action="append",
        required=True,
        metavar="HOST:PORT",
        help="a replica's gRPC address; repeat for each replica",
    )
    gateway.add_argument(
        "--http-address",
        default="0.0.0.0:8080",
        metavar="HOST:PORT",
        help="where Envoy listens for REST [default %(default)s]",
    )
    gateway.add_argument(
        "--admin-port",
        type=int,
        default=9901,
        metavar="PORT",
        help="Envoy's admin port, on 127.0.0.1 [default %(default)s]",
    )
    gateway.add_argument(
        "--max-request-bytes",
        type=int,
        default=DEFAULT_MAX_REQUEST_BYTES,
        metavar="N",
        help="largest request body accepted [default %(default)s]",
    )
    gateway.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from experiment_service.rest import dialects, gateway
    from experiment_service.server import SERVICE_NAMES, SERVICES

    path = gateway.write_config(
        Path(args.output_dir),
        http_address=args.http_address,
        upstreams=args.upstream,
        services=list(SERVICE_NAMES),
        bindings=dialects.bindings_of(list(SERVICES)),
        admin_port=args.admin_port,
        max_request_bytes=args.max_request_bytes,
    )
    print(path)
    return 0
