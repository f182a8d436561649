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
    GRPC_ADDRESS_FLAG,
    HTTP_ADDRESS_FLAG,
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
        GRPC_ADDRESS_FLAG,
        default=_env("GRPC_ADDRESS", DEFAULT_GRPC_ADDRESS),
        metavar="HOST:PORT",
        help="where gRPC listens [env EXPERIMENT_SERVICE_GRPC_ADDRESS; default %(default)s]",
    )
    serve.add_argument(
        HTTP_ADDRESS_FLAG,
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
        "--db-pool-size",
        type=int,
        default=int(_env("DB_POOL_SIZE", "10")),
        metavar="N",
        help="PostgreSQL connections kept open per process; up to N more open under load "
        "[env EXPERIMENT_SERVICE_DB_POOL_SIZE; default %(default)s]",
    )
    serve.add_argument(
        "--db-pool-timeout",
        type=float,
        default=float(_env("DB_POOL_TIMEOUT", "30")),
        metavar="S",
        help="how long a call waits for a free connection before failing with UNAVAILABLE "
        "[env EXPERIMENT_SERVICE_DB_POOL_TIMEOUT; default %(default)s]",
    )
    serve.add_argument(
        "--require-auth",
        action="store_true",
        default=_env("REQUIRE_AUTH", "") not in ("", "0", "false"),
        help="intake calls need an API key of the path's workspace too (platform calls always "
        "need one) [env EXPERIMENT_SERVICE_REQUIRE_AUTH=1]",
    )
    serve.add_argument(
        "--config",
        type=Path,
        default=_env("CONFIG", "") or None,
        metavar="FILE",
        help="TOML file of LLM providers (base URL, key variable, model patterns, prices, "
        "concurrency; see README) [env EXPERIMENT_SERVICE_CONFIG]",
    )
    serve.add_argument(
        "--llm-base-url",
        default=_env("LLM_BASE_URL", "") or None,
        metavar="URL",
        help="one OpenAI-compatible provider for every model, e.g. https://api.openai.com/v1; "
        "the key comes from OPENAI_API_KEY [env EXPERIMENT_SERVICE_LLM_BASE_URL]",
    )
    serve.add_argument(
        "--llm-price",
        action="append",
        type=_price,
        default=[_price(p) for p in _env("LLM_PRICES", "").split(";") if p.strip()],
        metavar="MODEL=IN,OUT",
        help="the price of MODEL in USD per million input and output tokens, e.g. "
        "gpt-4o-mini=0.15,0.60, for the --llm-base-url provider's calls and for ingested LLM "
        "spans that report tokens but no cost; repeat per model "
        "[env EXPERIMENT_SERVICE_LLM_PRICES, ';'-separated]",
    )
    serve.add_argument(
        "--no-runner",
        action="store_true",
        default=_env("NO_RUNNER", "") not in ("", "0", "false"),
        help="do not run built-in workflows in this process [env EXPERIMENT_SERVICE_NO_RUNNER=1]",
    )
    serve.add_argument(
        "--runner-lease-seconds",
        type=float,
        default=float(_env("RUNNER_LEASE_SECONDS", "30")),
        metavar="S",
        help="how long a trace in work stays claimed without a heartbeat; after a crash, "
        "another runner takes it over this long after "
        "[env EXPERIMENT_SERVICE_RUNNER_LEASE_SECONDS; default %(default)s]",
    )
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
    keys = commands.add_parser(
        "api-keys",
        help="create, list and revoke platform API keys",
        description="Manage platform API keys in the database the server uses.",
    )
    key_commands = keys.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    create = key_commands.add_parser("create", help="create a key and print it (once)")
    create.add_argument("--workspace", required=True, help="the workspace the key opens")
    create.add_argument("--name", help="a label to recognise the key by")
    _add_database_flag(create)
    listing = key_commands.add_parser("list", help="list keys (never their secret)")
    listing.add_argument("--workspace", help="only this workspace's keys")
    _add_database_flag(listing)
    revoke = key_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id", help="the id shown by `create` or `list` (key_...)")
    _add_database_flag(revoke)

    datasets = commands.add_parser("datasets", help="bulk dataset operations")
    dataset_commands = datasets.add_subparsers(
        dest="dataset_command", required=True, metavar="ACTION"
    )
    load = dataset_commands.add_parser(
        "import",
        help="add the rows of a JSONL or CSV file to a dataset",
        description="Add rows from a JSONL file (objects with input, expected_output?, "
        "metadata?) or a CSV file (expected_output and metadata columns; every other column "
        "becomes a key of the input object) through the batch RPC, 1000 rows per batch.",
    )
    load.add_argument("dataset_id", help="the dataset to add to")
    load.add_argument("file", type=Path, help="a .jsonl or .csv file")
    _add_client_flags(load)

    compare = commands.add_parser(
        "compare",
        help="is CANDIDATE better than BASELINE? paired statistics per metric",
        description="Compare two experiments of a workspace, paired per test case: per "
        "evaluator and for cost, latency and tokens, the means, the difference with its 95%% "
        "confidence interval, a p-value adjusted across metrics, wins/ties/losses and a "
        "verdict. Intake experiments by name (with --workspace), platform experiments by id "
        "(with --api-key).",
    )
    compare.add_argument("baseline", help="the experiment to compare against")
    compare.add_argument("candidate", help="the experiment under test")
    compare.add_argument("--workspace", help="compare intake experiments of this workspace")
    compare.add_argument(
        "--top", type=int, default=5, metavar="N", help="regressions per metric [%(default)s]"
    )
    compare.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="a table to read, or json/csv for programs [%(default)s]",
    )
    _add_client_flags(compare)

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
    _add_client_flags(export)

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
    _add_client_flags(watch)

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


def _price(text: str) -> tuple[str, tuple[float, float]]:
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


def _add_client_flags(parser: argparse.ArgumentParser) -> None:
    """How a command reaches a running server."""
    parser.add_argument(
        "--server",
        default=_env("GRPC_ADDRESS", DEFAULT_GRPC_ADDRESS),
        metavar="HOST:PORT",
        help="the server's gRPC address [env EXPERIMENT_SERVICE_GRPC_ADDRESS; default %(default)s]",
    )
    parser.add_argument(
        "--api-key",
        default=_env("API_KEY", ""),
        metavar="KEY",
        help="an API key of the workspace [env EXPERIMENT_SERVICE_API_KEY]",
    )


def _add_database_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=_env("DATABASE_URL", DEFAULT_DATABASE_URL),
        metavar="URL",
        help="SQLAlchemy async URL, e.g. sqlite+aiosqlite:////var/lib/es/experiments.db or "
        "postgresql+asyncpg://user:pass@host/db; the default, in the user's data directory, is "
        "the same from any working directory "
        "[env EXPERIMENT_SERVICE_DATABASE_URL; default %(default)s]",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        # The server forks only to exec Envoy; gRPC's fork handlers have nothing to do there,
        # and would print a plain-text line into the JSON log. Its own logs: errors only.
        os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
        import uvloop

        from experiment_service.addresses import StartupError
        from experiment_service.server import serve
        from experiment_service.storage.database import DatabaseUnusable

        logs.configure(args.log_level)
        settings = Settings(
            grpc_address=args.grpc_address,
            http_address=None if args.no_gateway else args.http_address,
            require_auth=args.require_auth,
            db_pool_size=args.db_pool_size,
            db_pool_timeout=args.db_pool_timeout,
            providers_config=args.config,
            llm_base_url=args.llm_base_url,
            llm_prices=dict(args.llm_price),
            runner=not args.no_runner,
            runner_lease_seconds=args.runner_lease_seconds,
            database_url=args.database_url,
            log_level=args.log_level,
            max_request_bytes=args.max_request_bytes,
        )
        try:
            uvloop.run(serve(settings))
        except (StartupError, DatabaseUnusable) as error:
            print(f"experiment-service: {error}", file=sys.stderr)
            return 2
    elif args.command == "datasets":
        return _import_dataset(args)
    elif args.command == "compare":
        return _compare(args)
    elif args.command == "watch":
        return _watch(args)
    elif args.command == "export":
        return _export(args)
    elif args.command == "api-keys":
        return asyncio.run(_api_keys(args))
    elif args.command == "gateway-config":
        from experiment_service.rest import dialects as rest
        from experiment_service.rest import gateway
        from experiment_service.server import SERVICE_NAMES, SERVICES

        path = gateway.write_config(
            Path(args.output_dir),
            http_address=args.http_address,
            upstreams=args.upstream,
            services=list(SERVICE_NAMES),
            bindings=rest.bindings_of(list(SERVICES)),
            admin_port=args.admin_port,
            max_request_bytes=args.max_request_bytes,
        )
        print(path)
    return 0


def _import_dataset(args: argparse.Namespace) -> int:
    import grpc

    from experiment_service.dataset_import import import_file

    try:
        added = import_file(args.server, args.api_key, args.dataset_id, args.file)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except grpc.RpcError as error:
        print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    print(f"imported {added} rows into {args.dataset_id}")
    return 0


def _export(args: argparse.Namespace) -> int:
    import grpc

    from experiment_service import export_file

    stream = export_file.chunks(
        args.server, args.experiment, args.format, workspace=args.workspace, api_key=args.api_key
    )
    try:
        rows = export_file.write(stream, args.output, args.format)
    except grpc.RpcError as error:
        print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    print(f"exported {rows} rows to {args.output}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    import grpc

    from experiment_service import watch_report

    stream = watch_report.lines(
        args.server,
        args.experiment,
        workspace=args.workspace,
        api_key=args.api_key,
        max_seconds=args.max_seconds,
    )
    try:
        watch_report.follow(stream)
    except grpc.RpcError as error:
        print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _compare(args: argparse.Namespace) -> int:
    import grpc

    from experiment_service import comparison_report

    try:
        comparison = comparison_report.fetch(
            args.server,
            args.baseline,
            args.candidate,
            workspace=args.workspace,
            api_key=args.api_key,
            top=args.top,
        )
    except grpc.RpcError as error:
        print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    sys.stdout.write(comparison_report.render(comparison, args.format))
    return 0


async def _api_keys(args: argparse.Namespace) -> int:
    from experiment_service.domain.errors import DomainError
    from experiment_service.domain.platform.api_keys import ApiKeys
    from experiment_service.storage.database import Database, DatabaseUnusable

    try:
        database = Database(args.database_url)
    except DatabaseUnusable as error:
        print(f"experiment-service: {error}", file=sys.stderr)
        return 2
    try:
        await database.migrate()
        print(f"database: {database.display_url}", file=sys.stderr)
        keys = ApiKeys(database)
        if args.key_command == "create":
            record, secret = await keys.create(args.workspace, args.name)
            print(f"id:        {record.id}\nworkspace: {record.workspace}\nkey:       {secret}")
            print("Store the key now: it is not kept and cannot be shown again.", file=sys.stderr)
        elif args.key_command == "list":
            for record in await keys.list(args.workspace):
                state = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
                print(
                    f"{record.id}  {record.workspace}  {record.prefix}...  "
                    f"{record.name or '-'}  {state}"
                )
        else:
            record = await keys.revoke(args.key_id)
            print(f"revoked {record.id} ({record.workspace})")
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    except DatabaseUnusable as error:
        print(f"experiment-service: {error}", file=sys.stderr)
        return 2
    finally:
        await database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
