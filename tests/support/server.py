"""Start and stop real `experiment-service serve` processes for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

CONSOLE_SCRIPT = Path(sys.executable).parent / "experiment-service"
STARTUP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    grpc_target: str
    http_base: str | None
    database_url: str
    log_path: Path

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_server(
    workdir: Path,
    *extra_args: str,
    database_url: str | None = None,
    gateway: bool = False,
    env: dict[str, str] | None = None,
    console_script: Path = CONSOLE_SCRIPT,
    default_database: bool = False,
) -> RunningServer:
    """Run the console script in `workdir` and wait until its health check says SERVING
    (with `gateway`, Envoy is up by then too: the server reports SERVING after it). With
    `default_database`, no --database-url is given: the server picks its default."""
    port = free_port()
    http_port = free_port() if gateway else None
    gateway_args = [f"--http-address=127.0.0.1:{http_port}"] if gateway else ["--no-gateway"]
    database_url = database_url or f"sqlite+aiosqlite:///{workdir / 'experiments.db'}"
    log_path = workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(console_script),
                "serve",
                f"--grpc-address=127.0.0.1:{port}",
                *([] if default_database else [f"--database-url={database_url}"]),
                *gateway_args,
                *extra_args,
            ],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    http_base = f"http://127.0.0.1:{http_port}" if gateway else None
    running = RunningServer(process, f"127.0.0.1:{port}", http_base, database_url, log_path)
    _wait_until_serving(running)
    return running


def _wait_until_serving(running: RunningServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with grpc.insecure_channel(running.grpc_target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if running.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{running.logs()}")
            try:
                reply = health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    running.stop(signal.SIGKILL)
    raise RuntimeError(f"server not serving after {STARTUP_TIMEOUT_S}s:\n{running.logs()}")
