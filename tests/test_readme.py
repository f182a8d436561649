"""The README's Platform API walk-through runs as pasted, in order, against a real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.server import start_server

ROOT = Path(__file__).resolve().parent.parent


def shell_block_after(heading: str) -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index(heading) :]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match is not None, f"no shell block under {heading!r}"
    return match.group(1)


def test_the_readme_examples_run_as_pasted_in_order(tmp_path: Path) -> None:
    data_home = str(tmp_path / "data")
    server = start_server(
        tmp_path, gateway=True, default_database=True, env={"XDG_DATA_HOME": data_home}
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "XDG_DATA_HOME": data_home,
    }
    outputs: dict[str, str] = {}
    try:
        for heading in (
            "## Using the Intake API over REST",
            "## Reporting agent runs as OpenTelemetry spans",
            "## Evaluations and evaluator results (NVIDIA's vocabulary)",
            "## Using the Intake API over gRPC",
            "## Using the Platform API",
        ):
            script = shell_block_after(heading)
            # The walk-through's addresses are the defaults; the test server has its own.
            script = script.replace("http://localhost:8080", str(server.http_base))
            script = script.replace("localhost:50051", server.grpc_target)
            script = script.replace(
                "--api-key $KEY", f"--api-key $KEY --server {server.grpc_target}"
            )
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", script],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                env=env,
                timeout=120,
            )
            # The server's log says what the gateway did, should a call not connect.
            server_log = server.log_path.read_text(errors="replace")[-3000:]
            assert done.returncode == 0, heading + done.stdout + done.stderr + server_log
            outputs[heading] = done.stdout.replace(" ", "")
    finally:
        server.stop()
    intake_rest = outputs["## Using the Intake API over REST"]
    assert '"detail"' not in intake_rest
    assert '"run_count":1' in intake_rest and '"ingested":1' in intake_rest
    spans = outputs["## Reporting agent runs as OpenTelemetry spans"]
    assert '"errors":[]' in spans and '"detail"' not in spans
    assert '"run_count":1' in spans and '"sum":1500' in spans and '"span_count":2' in spans
    assert '"session_id":"run-2","span_id":"' in spans, "the captured chat completion"
    assert (
        '"input_tokens":30,"output_tokens":4,"cost_usd":0.0004,"trace_count":1,"span_count":3}'
        in spans
    ), "the ATIF trajectory: agent, step, tool call"
    evaluations = outputs["## Evaluations and evaluator results (NVIDIA's vocabulary)"]
    assert '"detail"' not in evaluations and '"ingested":2' in evaluations
    assert '"run_count":2' in evaluations and '"mean":0.375' in evaluations
    assert '"comment":"late"' in evaluations and '"evaluator_scores":{"reward":0.75}' in evaluations
    intake_grpc = outputs["## Using the Intake API over gRPC"]
    assert "experiment_service.api.intake.v2.IntakeService" in intake_grpc
    assert '"name":"experiment_alpha_2024"' in intake_grpc
    platform = outputs["## Using the Platform API"]
    assert '"detail"' not in platform and "null" not in platform, platform
    assert '"total_count":3' in platform
    assert '"content":"2+2?"' in platform, "the render preview"
    assert "imported2rows" in platform and re.search(r"revokedkey_\S+\(acme\)", platform)
