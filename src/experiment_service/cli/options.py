"""Flags shared by several commands, each with its environment variable."""

from __future__ import annotations

import argparse
import os

from experiment_service.config import DEFAULT_DATABASE_URL, DEFAULT_GRPC_ADDRESS

ENV_PREFIX = "EXPERIMENT_SERVICE_"


def env(name: str, default: str) -> str:
    """EXPERIMENT_SERVICE_<name>, else `default`."""
    return os.environ.get(ENV_PREFIX + name, default)


def env_flag(name: str) -> bool:
    return env(name, "") not in ("", "0", "false")


def add_database_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=env("DATABASE_URL", DEFAULT_DATABASE_URL),
        metavar="URL",
        help="SQLAlchemy async URL, e.g. sqlite+aiosqlite:////var/lib/es/experiments.db or "
        "postgresql+asyncpg://user:pass@host/db; the default, in the user's data directory, is "
        "the same from any working directory "
        "[env EXPERIMENT_SERVICE_DATABASE_URL; default %(default)s]",
    )


def add_client_flags(parser: argparse.ArgumentParser) -> None:
    """How a command reaches a running server."""
    parser.add_argument(
        "--server",
        default=env("GRPC_ADDRESS", DEFAULT_GRPC_ADDRESS),
        metavar="HOST:PORT",
        help="the server's gRPC address [env EXPERIMENT_SERVICE_GRPC_ADDRESS; default %(default)s]",
    )
    parser.add_argument(
        "--api-key",
        default=env("API_KEY", ""),
        metavar="KEY",
        help="an API key of the workspace [env EXPERIMENT_SERVICE_API_KEY]",
    )
