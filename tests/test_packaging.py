"""The service as users install it: a wheel, not this checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.server import start_server

ROOT = Path(__file__).resolve().parent.parent

# Runs once: the database under test plays no part in it.
pytestmark = pytest.mark.backend_independent


def test_a_wheel_in_a_fresh_virtual_environment_serves_rest(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--wheel-dir", str(wheels), str(ROOT)),
        ],
        check=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    (wheel,) = wheels.glob("experiment_service-*.whl")
    # pip resolves what the wheel declares, and nothing else: a dependency it forgets is
    # missing here (versions pinned as in the checkout, so the cache serves them).
    subprocess.run(
        [
            *(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *("-c", str(ROOT / "constraints.txt"), str(wheel)),
        ],
        check=True,
    )
    installed = subprocess.run(
        [str(python), "-c", "import experiment_service; print(experiment_service.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout
    assert installed.startswith(str(venv)), installed

    workdir = tmp_path / "run"
    workdir.mkdir()
    server = start_server(workdir, gateway=True, console_script=venv / "bin" / "experiment-service")
    try:
        assert server.http_base is not None
        with httpx.Client(base_url=server.http_base, timeout=10) as client:
            document = client.get("/openapi.json")
            assert document.status_code == 200
            assert "/apis/intake/v2/workspaces/{workspace}/experiments" in document.json()["paths"]
            base = "/apis/intake/v2/workspaces/packaged/experiments"
            body = {
                "name": "from_a_wheel",
                "agent_name": "A",
                "agent_version": "1",
                "dataset_name": "D",
            }
            created = client.post(base, json=body)
            assert created.status_code == 201, created.text
            missing = client.post(base, json={"name": "no_agent"})
            assert missing.status_code == 422
            assert {"loc": ["body", "agent_name"], "msg": "Field required", "type": "missing"} in (
                missing.json()["detail"]
            )
    finally:
        server.stop()
