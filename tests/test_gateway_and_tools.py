"""The gateway's lifecycle and configuration, and the standard tools against the server."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
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
    # Telemetry: the service's own reads and OTLP/HTTP, and OTLP's standard gRPC service.
    assert "experiment_service.api.intake.v2.TelemetryService" in listed.stdout.split()
    # NVIDIA's evaluations and evaluator results.
    assert "experiment_service.api.intake.v2.EvaluationService" in listed.stdout.split()
    assert "experiment_service.api.intake.v2.EvaluatorResultService" in listed.stdout.split()
    assert "opentelemetry.proto.collector.trace.v1.TraceService" in listed.stdout.split()
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


def test_an_envoy_that_dies_is_logged_and_started_again(tmp_path: Path) -> None:
    running = start_server(tmp_path, gateway=True)
    try:
        assert running.http_base is not None
        children = Path(f"/proc/{running.process.pid}/task/{running.process.pid}/children")
        (envoy_pid,) = [int(pid) for pid in children.read_text().split()]
        os.kill(envoy_pid, signal.SIGKILL)
        _wait_ready(f"{running.http_base}/openapi.json")
        assert "gateway exited; starting it again" in running.log_path.read_text()
        assert httpx.get(f"{running.http_base}/healthz").status_code == 200
    finally:
        assert running.stop(signal.SIGTERM) == 0


@contextlib.contextmanager
def standalone_gateway(directory: Path, upstream: str) -> Iterator[str]:
    """Envoy on its own (configured by `gateway-config`) in front of `upstream`; yields its
    base URL once it is ready."""
    http_port, admin_port = free_port(), free_port()
    written = subprocess.run(
        [
            *(CONSOLE_SCRIPT, "gateway-config", "--output-dir", str(directory)),
            *("--upstream", upstream),
            *("--http-address", f"127.0.0.1:{http_port}", "--admin-port", str(admin_port)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    envoy = subprocess.Popen(
        [BIN / "envoy", "-c", written.stdout.strip(), "--log-level", "error"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{admin_port}/ready")
        yield f"http://127.0.0.1:{http_port}"
    finally:
        envoy.terminate()
        envoy.wait(10)


def test_rest_reports_an_unreachable_server_as_503_not_as_a_bad_request(tmp_path: Path) -> None:
    """Envoy on its own in front of a replica that is down: REST callers get the server's
    failure in the documented error body, whatever they sent."""
    with standalone_gateway(tmp_path, f"127.0.0.1:{free_port()}") as base:
        intake = f"{base}/apis/intake/v2/workspaces/w/experiments"
        for reply in (
            httpx.get(intake),
            httpx.post(intake, json={"name": "x", "agent_name": "a"}),
            httpx.get(f"{base}/api/datasets/", headers={"authorization": "Bearer k"}),
        ):
            assert reply.status_code == 503, reply.text
            assert reply.headers["content-type"] == "application/json"
            detail = reply.json()["detail"]
            assert detail.startswith("The service is unavailable ("), detail


def test_healthz_follows_the_grpc_servers_health(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        with standalone_gateway(tmp_path / "gateway", server.grpc_target) as base:
            assert httpx.get(f"{base}/healthz").status_code == 200
            server.stop()
            deadline = time.monotonic() + 10
            while httpx.get(f"{base}/healthz").status_code != 503:
                assert time.monotonic() < deadline, "still healthy after the server stopped"
                time.sleep(0.2)
    finally:
        server.stop()


def _wait_ready(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"Envoy not ready at {url}")
