"""The console script: help, start-up on a fresh SQLite file, graceful shutdown."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

import grpc

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from experiment_service.api.intake.v2 import resources_pb2 as res
from tests.support.server import CONSOLE_SCRIPT, start_server


def test_help_explains_every_serve_flag_and_its_environment_variable() -> None:
    top = subprocess.run([CONSOLE_SCRIPT, "--help"], capture_output=True, text=True, check=True)
    assert "serve" in top.stdout
    serve = subprocess.run(
        [CONSOLE_SCRIPT, "serve", "--help"], capture_output=True, text=True, check=True
    )
    for flag, env in [
        ("--grpc-address", "EXPERIMENT_SERVICE_GRPC_ADDRESS"),
        ("--database-url", "EXPERIMENT_SERVICE_DATABASE_URL"),
        ("--log-level", "EXPERIMENT_SERVICE_LOG_LEVEL"),
    ]:
        assert flag in serve.stdout and env in serve.stdout


def test_default_database_is_created_in_wal_mode_and_sigterm_stops_cleanly(
    tmp_path: Path,
) -> None:
    running = start_server(tmp_path, database_url="sqlite+aiosqlite:///data/experiments.db")
    with grpc.insecure_channel(running.grpc_target) as channel:
        stub = intake_service_pb2_grpc.IntakeServiceStub(channel)
        stub.CreateExperimentGroup(
            svc.CreateExperimentGroupRequest(
                workspace="w", experiment_group=res.ExperimentGroup(name="g")
            )
        )
    assert running.stop(signal.SIGTERM) == 0
    assert '"msg": "stopped"' in running.logs()

    database = tmp_path / "data" / "experiments.db"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT name FROM experiment_groups").fetchall() == [("g",)]


def test_start_fails_loudly_when_the_address_is_taken(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    try:
        clash = subprocess.run(
            [
                CONSOLE_SCRIPT,
                "serve",
                f"--grpc-address={first.grpc_target}",
                f"--database-url=sqlite+aiosqlite:///{tmp_path / 'b.db'}",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert clash.returncode != 0
        assert first.grpc_target.split(":")[1] in clash.stderr
    finally:
        first.stop()
