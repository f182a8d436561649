"""Server settings: one frozen object built from flags and environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_GRPC_ADDRESS = "127.0.0.1:50051"
DEFAULT_HTTP_ADDRESS = "127.0.0.1:8080"


def default_database_path() -> Path:
    """Where the embedded database lives unless told otherwise: the user's data directory
    ($XDG_DATA_HOME, else ~/.local/share), the same for `serve` and every command, from any
    working directory."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "experiment-service" / "experiments.db"


DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{default_database_path()}"
DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024
# The flags that set the listening addresses, named in start-up errors.
GRPC_ADDRESS_FLAG = "--grpc-address"
HTTP_ADDRESS_FLAG = "--http-address"


@dataclass(frozen=True)
class Settings:
    grpc_address: str = DEFAULT_GRPC_ADDRESS
    """Where gRPC listens, HOST:PORT (port 0 picks a free one)."""

    http_address: str | None = DEFAULT_HTTP_ADDRESS
    """Where the REST gateway (Envoy) listens, HOST:PORT; None runs no gateway."""

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy async URL: sqlite+aiosqlite:///PATH or postgresql+asyncpg://..."""

    db_pool_size: int = 10
    """PostgreSQL connections kept per process (as many more may open under load)."""

    db_pool_timeout: float = 30.0
    """Seconds a call waits for a free connection before failing with UNAVAILABLE."""

    require_auth: bool = False
    """Intake calls need an API key of the path's workspace too (platform calls always do)."""

    providers_config: Path | None = None
    """TOML file of LLM providers (see runner/providers.py)."""

    llm_base_url: str | None = None
    """One OpenAI-compatible provider for every model; key from OPENAI_API_KEY."""

    llm_prices: dict[str, tuple[float, float]] = field(default_factory=dict)
    """The `llm_base_url` provider's prices: model -> (input, output) USD per million tokens."""

    runner: bool = True
    """Run built-in workflows and LLM evaluators in this process."""

    runner_lease_seconds: float = 30.0
    """How long a claimed trace stays this replica's without a heartbeat."""

    log_level: str = "info"
    """debug, info, warning or error; logs are JSON lines on stderr."""

    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    """Largest request message accepted; larger ones fail with RESOURCE_EXHAUSTED."""

    shutdown_grace_seconds: float = 10.0
    """How long in-flight calls may run on after SIGTERM/SIGINT."""
