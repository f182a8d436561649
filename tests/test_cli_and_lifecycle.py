"""The console script: help, start-up on a fresh SQLite file, graceful shutdown."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import grpc
import httpx

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


def _serve_and_fail(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """Run `serve` with `flags` (another database than any other server's); it must stop."""
    return subprocess.run(
        [
            CONSOLE_SCRIPT,
            "serve",
            f"--database-url=sqlite+aiosqlite:///{tmp_path / 'other.db'}",
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _assert_one_line_naming(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_an_unusable_database_url_stops_start_up_in_one_line_without_its_password(
    tmp_path: Path,
) -> None:
    flags = ("--grpc-address=127.0.0.1:0", "--no-gateway")
    unreachable = "postgresql+asyncpg://svc:hunter2@127.0.0.1:1/experiments"
    result = _serve_and_fail(tmp_path, *flags, f"--database-url={unreachable}")
    _assert_one_line_naming(result, "svc:***@127.0.0.1:1/experiments", "refused")
    assert "hunter2" not in result.stderr
    for malformed, cause in (
        ("nonsense://svc:hunter2@db/experiments", "nonsense"),
        ("not a url", "Could not parse"),
        (f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'x.db'}", "a-file"),
    ):
        (tmp_path / "a-file").write_text("a file, not a directory")
        result = _serve_and_fail(tmp_path, *flags, f"--database-url={malformed}")
        _assert_one_line_naming(result, "cannot use database", cause)
        assert "hunter2" not in result.stderr
    keys = subprocess.run(
        [CONSOLE_SCRIPT, "api-keys", "list", "--workspace", "w", "--database-url", unreachable],
        capture_output=True,
        text=True,
        timeout=60,
    )
    _assert_one_line_naming(keys, "cannot reach database", "svc:***@")


def test_a_busy_http_address_stops_start_up_instead_of_sharing_the_port(tmp_path: Path) -> None:
    first = start_server(tmp_path, gateway=True)
    try:
        assert first.http_base is not None
        http_address = first.http_base.removeprefix("http://")
        clash = _serve_and_fail(
            tmp_path, "--grpc-address=127.0.0.1:0", f"--http-address={http_address}"
        )
        _assert_one_line_naming(clash, http_address, "--http-address")
        # The first server still answers alone on its address.
        reply = httpx.get(f"{first.http_base}/apis/intake/v2/workspaces/w/experiments")
        assert reply.status_code == 200
    finally:
        first.stop()


def test_a_busy_grpc_address_stops_start_up(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    try:
        clash = _serve_and_fail(tmp_path, f"--grpc-address={first.grpc_target}", "--no-gateway")
        _assert_one_line_naming(clash, first.grpc_target, "--grpc-address")
    finally:
        first.stop()


def test_an_unparsable_address_stops_start_up(tmp_path: Path) -> None:
    result = _serve_and_fail(tmp_path, "--grpc-address=localhost", "--no-gateway")
    _assert_one_line_naming(result, "'localhost'", "--grpc-address")
    result = _serve_and_fail(tmp_path, "--grpc-address=127.0.0.1:0", "--http-address=:80x")
    _assert_one_line_naming(result, "':80x'", "--http-address")


def test_the_default_database_is_one_place_whatever_the_working_directory(
    tmp_path: Path,
) -> None:
    """A key made by the CLI in one directory opens a server started in another, and both
    say which database they use; the server's log is JSON lines only."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    expected = tmp_path / "data" / "experiment-service" / "experiments.db"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    created = subprocess.run(
        [CONSOLE_SCRIPT, "api-keys", "create", "--workspace", "w"],
        capture_output=True,
        text=True,
        check=True,
        cwd=elsewhere,
        env=env,
    )
    assert f"database: sqlite+aiosqlite:///{expected}" in created.stderr
    key = created.stdout.split("key:")[1].split()[0]
    workdir = tmp_path / "server"
    workdir.mkdir()
    running = start_server(
        workdir, gateway=True, default_database=True, env={"XDG_DATA_HOME": str(tmp_path / "data")}
    )
    try:
        assert running.http_base is not None
        reply = httpx.get(
            f"{running.http_base}/api/datasets/", headers={"authorization": f"Bearer {key}"}
        )
        assert reply.status_code == 200, reply.text
    finally:
        running.stop()
    lines = running.logs().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON: no gRPC fork notice
    said = {entry["msg"]: entry for entry in entries}
    assert said["database"]["database_url"] == f"sqlite+aiosqlite:///{expected}"
    assert not (workdir / "data").exists() and expected.exists()


def test_the_command_line_loads_no_server_layer_until_a_command_needs_it() -> None:
    """Client commands reach a server over gRPC: parsing any command line, and the client
    commands' modules, import nothing of the servicers, domain, storage, runner or REST."""
    probe = (
        "import sys\n"
        "from experiment_service import cli\n"
        "from experiment_service.cli import compare, datasets, export, watch\n"
        "cli.build_parser().parse_args(['compare', 'a', 'b', '--workspace', 'w'])\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('experiment_service.'))))"
    )
    loaded = subprocess.run(
        [str(Path(CONSOLE_SCRIPT).parent / "python"), "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "experiment_service.cli.compare" in loaded
    layers = ("servicers", "domain", "storage", "runner", "rest", "server")
    assert [m for m in loaded if m.split(".")[1] in layers] == []
