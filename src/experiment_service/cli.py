"""`experiment-service`: the command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from experiment_service import logs
from experiment_service.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_GRPC_ADDRESS,
    DEFAULT_HTTP_ADDRESS,
    DEFAULT_MAX_REQUEST_BYTES,
    Settings,
)

ENV_PREFIX = "EXPERIMENT_SERVICE_"


def _env(name: str, default: str) -> str:
    return os.environ.get(ENV_PREFIX + name, default)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="experiment-service",
        description=(
            "Records, runs and scores experiments on LLM agents and prompts. "
            "Every flag can also be set by the environment variable named in its help."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the gRPC server (migrates the database first)",
        description="Run the gRPC server until SIGTERM/SIGINT; migrates the database on start.",
    )
    serve.add_argument(
        "--grpc-address",
        default=_env("GRPC_ADDRESS", DEFAULT_GRPC_ADDRESS),
        metavar="HOST:PORT",
        help="where gRPC listens [env EXPERIMENT_SERVICE_GRPC_ADDRESS; default %(default)s]",
    )
    serve.add_argument(
        "--http-address",
        default=_env("HTTP_ADDRESS", DEFAULT_HTTP_ADDRESS),
        metavar="HOST:PORT",
        help="where the REST gateway (Envoy, started as a child process) listens "
        "[env EXPERIMENT_SERVICE_HTTP_ADDRESS; default %(default)s]",
    )
    serve.add_argument(
        "--no-gateway",
        action="store_true",
        default=_env("NO_GATEWAY", "") not in ("", "0", "false"),
        help="serve gRPC only, without starting Envoy [env EXPERIMENT_SERVICE_NO_GATEWAY=1]",
    )
    _add_database_flag(serve)
    serve.add_argument(
        "--log-level",
        default=_env("LOG_LEVEL", "info"),
        choices=("debug", "info", "warning", "error"),
        help="log verbosity; logs are JSON lines on stderr "
        "[env EXPERIMENT_SERVICE_LOG_LEVEL; default %(default)s]",
    )
    serve.add_argument(
        "--max-request-bytes",
        type=int,
        default=int(_env("MAX_REQUEST_BYTES", str(DEFAULT_MAX_REQUEST_BYTES))),
        metavar="N",
        help="largest request accepted [env EXPERIMENT_SERVICE_MAX_REQUEST_BYTES; "
        "default %(default)s]",
    )
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
    return parser


def _add_database_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=_env("DATABASE_URL", DEFAULT_DATABASE_URL),
        metavar="URL",
        help="SQLAlchemy async URL, e.g. sqlite+aiosqlite:///data/experiments.db or "
        "postgresql+asyncpg://user:pass@host/db "
        "[env EXPERIMENT_SERVICE_DATABASE_URL; default %(default)s]",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from experiment_service.server import serve

        logs.configure(args.log_level)
        settings = Settings(
            grpc_address=args.grpc_address,
            http_address=None if args.no_gateway else args.http_address,
            database_url=args.database_url,
            log_level=args.log_level,
            max_request_bytes=args.max_request_bytes,
        )
        asyncio.run(serve(settings))
    elif args.command == "gateway-config":
        from experiment_service import gateway
        from experiment_service.server import SERVICE_NAMES, SERVICES
        from experiment_service.servicers import rest

        path = gateway.write_config(
            Path(args.output_dir),
            http_address=args.http_address,
            upstreams=args.upstream,
            services=list(SERVICE_NAMES),
            body_fields=rest.body_fields(rest.bindings_of(list(SERVICES))),
            admin_port=args.admin_port,
            max_request_bytes=args.max_request_bytes,
        )
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
