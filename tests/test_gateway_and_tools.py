"""The gateway's lifecycle and configuration, and the standard tools against the server."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.server import CONSOLE_SCRIPT, RunningServer, free_port, start_server

BIN = Path(sys.executable).parent
SERVICE = "experiment_service.api.intake.v2.IntakeService"


def test_generated_gateway_config_passes_envoy_validation(tmp_path: Path) -> None:
    written = subprocess.run(
        [
            CONSOLE_SCRIPT,
            "gateway-config",
            "--output-dir",
            str(tmp_path),
            "--upstream",
            "127.0.0.1:50051",
            "--upstream",
            "replica-2.internal:50051",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    config = Path(written.stdout.strip())
    assert "replica-2.internal" in config.read_text()
    validated = subprocess.run(
        [BIN / "envoy", "--mode", "validate", "-c", str(config)], capture_output=True, text=True
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "OK" in validated.stdout + validated.stderr


def test_grpcurl_lists_services_and_creates_an_experiment(
    server: RunningServer, workspace: str
) -> None:
    grpcurl = shutil.which("grpcurl", path=str(BIN)) or "grpcurl"
    listed = subprocess.run(
        [grpcurl, "-plaintext", server.grpc_target, "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert SERVICE in listed.stdout.split()
    request = {
        "workspace": workspace,
        "experiment": {
            "name": "from_grpcurl",
            "agent_name": "A",
            "agent_version": "1",
            "dataset_name": "D",
        },
    }
    created = subprocess.run(
        [
            grpcurl,
            "-plaintext",
            "-d",
            json.dumps(request),
            server.grpc_target,
            f"{SERVICE}/CreateExperiment",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    reply = json.loads(created.stdout)
    assert reply["name"] == "from_grpcurl" and reply["id"].startswith("exp_")


def test_serve_stops_envoy_when_it_stops(tmp_path: Path) -> None:
    running = start_server(tmp_path, gateway=True)
    assert running.http_base is not None
    assert httpx.get(f"{running.http_base}/openapi.json").status_code == 200
    assert running.stop(signal.SIGTERM) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{running.http_base}/openapi.json")


def test_serve_fails_loudly_when_envoy_cannot_start(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                CONSOLE_SCRIPT,
                "serve",
                f"--grpc-address=127.0.0.1:{free_port()}",
                f"--http-address=127.0.0.1:{port}",
                f"--database-url=sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
    assert result.returncode != 0
    assert "Envoy" in result.stderr
