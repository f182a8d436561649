"""`experiment-service serve`: its flags, each defaulting from `Settings` (overridden by its
environment variable), and the server's start."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiment_service import logs
from experiment_service.cli.options import add_database_flag, env, env_flag
from experiment_service.config import GRPC_ADDRESS_FLAG, HTTP_ADDRESS_FLAG, Settings

DEFAULTS = Settings()


@dataclass(frozen=True)
class Option:
    """A serve flag that sets one Settings field."""

    flag: str
    field: str
    metavar: str
    help: str
    type: type[Any] = str

    @property
    def env_name(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_").upper()

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        default = getattr(DEFAULTS, self.field)
        text = env(self.env_name, "")
        parser.add_argument(
            self.flag,
            dest=self.field,
            type=self.type,
            default=self.type(text) if text else default,
            metavar=self.metavar,
            help=f"{self.help} [env EXPERIMENT_SERVICE_{self.env_name}"
            + ("; default %(default)s]" if default is not None else "]"),
        )


OPTIONS = (
    Option(GRPC_ADDRESS_FLAG, "grpc_address", "HOST:PORT", "where gRPC listens"),
    Option(
        HTTP_ADDRESS_FLAG,
        "http_address",
        "HOST:PORT",
        "where the REST gateway (Envoy, started as a child process) listens",
    ),
    Option(
        "--db-pool-size",
        "db_pool_size",
        "N",
        "PostgreSQL connections kept open per process; up to N more open under load",
        int,
    ),
    Option(
        "--db-pool-timeout",
        "db_pool_timeout",
        "S",
        "how long a call waits for a free connection before failing with UNAVAILABLE",
        float,
    ),
    Option(
        "--config",
        "providers_config",
        "FILE",
        "TOML file of LLM providers (base URL, key variable, model patterns, prices, "
        "concurrency; see docs/platform-api.md)",
        Path,
    ),
    Option(
        "--llm-base-url",
        "llm_base_url",
        "URL",
        "one OpenAI-compatible provider for every model, e.g. https://api.openai.com/v1; "
        "the key comes from OPENAI_API_KEY",
    ),
    Option(
        "--runner-lease-seconds",
        "runner_lease_seconds",
        "S",
        "how long a trace in work stays claimed without a heartbeat; after a crash, "
        "another runner takes it over this long after",
        float,
    ),
    Option("--max-request-bytes", "max_request_bytes", "N", "largest request accepted", int),
)


def register(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the gRPC server (migrates the database first)",
        description="Run the gRPC server until SIGTERM/SIGINT; migrates the database on start.",
    )
    for option in OPTIONS:
        option.add_to(serve)
    serve.add_argument(
        "--no-gateway",
        action="store_true",
        default=env_flag("NO_GATEWAY"),
        help="serve gRPC only, without starting Envoy [env EXPERIMENT_SERVICE_NO_GATEWAY=1]",
    )
    add_database_flag(serve)
    serve.add_argument(
        "--require-auth",
        action="store_true",
        default=env_flag("REQUIRE_AUTH"),
        help="intake calls need an API key of the path's workspace too (platform calls always "
        "need one) [env EXPERIMENT_SERVICE_REQUIRE_AUTH=1]",
    )
    serve.add_argument(
        "--llm-price",
        action="append",
        type=price,
        default=[price(p) for p in env("LLM_PRICES", "").split(";") if p.strip()],
        metavar="MODEL=IN,OUT",
        help="the price of MODEL in USD per million input and output tokens, e.g. "
        "gpt-4o-mini=0.15,0.60, for the --llm-base-url provider's calls and for ingested LLM "
        "spans that report tokens but no cost; repeat per model "
        "[env EXPERIMENT_SERVICE_LLM_PRICES, ';'-separated]",
    )
    serve.add_argument(
        "--no-runner",
        action="store_true",
        default=env_flag("NO_RUNNER"),
        help="do not run built-in workflows in this process [env EXPERIMENT_SERVICE_NO_RUNNER=1]",
    )
    serve.add_argument(
        "--log-level",
        default=env("LOG_LEVEL", DEFAULTS.log_level),
        choices=("debug", "info", "warning", "error"),
        help="log verbosity; logs are JSON lines on stderr "
        "[env EXPERIMENT_SERVICE_LOG_LEVEL; default %(default)s]",
    )
    serve.set_defaults(run=run)


def price(text: str) -> tuple[str, tuple[float, float]]:
    model, _, prices = text.partition("=")
    parts = prices.split(",")
    try:
        numbers = tuple(float(part) for part in parts)
    except ValueError:
        numbers = ()
    if not model.strip() or len(numbers) != 2 or min(numbers) < 0:
        raise argparse.ArgumentTypeError(
            f"expected MODEL=INPUT,OUTPUT (USD per million tokens, >= 0), got {text!r}"
        )
    return model.strip(), (numbers[0], numbers[1])


def settings(args: argparse.Namespace) -> Settings:
    """The Settings the parsed flags describe; fields without a flag keep their defaults."""
    given = {option.field: getattr(args, option.field) for option in OPTIONS}
    if args.no_gateway:
        given["http_address"] = None
    return Settings(
        **given,
        database_url=args.database_url,
        require_auth=args.require_auth,
        llm_prices=dict(args.llm_price),
        runner=not args.no_runner,
        log_level=args.log_level,
    )


def run(args: argparse.Namespace) -> int:
    import uvloop

    from experiment_service.addresses import StartupError
    from experiment_service.server import serve
    from experiment_service.storage.database import DatabaseUnusable

    logs.configure(args.log_level)
    try:
        uvloop.run(serve(settings(args)))
    except (StartupError, DatabaseUnusable) as error:
        print(f"experiment-service: {error}", file=sys.stderr)
        return 2
    return 0
