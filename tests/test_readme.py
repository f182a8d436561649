"""The README runs as a user runs it: every shell block, in order, each in a fresh shell,
against a real server started on the default database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import start_server

# Runs once: the README's server uses its own default database whatever the backend under test.
pytestmark = pytest.mark.backend_independent

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
# What a `console` block may hold: commands that start a server or set up the shell, which
# the test harness does itself (they would not return, or would run this suite again).
SERVER_STARTS = re.compile(
    r"^(make (serve|test)|source \.venv|(\S+=\S+ )?experiment-service serve )"
)


def blocks(text: str) -> list[tuple[str, str]]:
    return [(match.group(1), match.group(2)) for match in FENCE.finditer(text)]


def test_every_block_is_run_or_starts_a_server() -> None:
    found = blocks((ROOT / "README.md").read_text())
    assert sum(language == "sh" for language, _ in found) >= 8
    for language, body in found:
        assert language in ("sh", "console", "toml"), f"a ```{language} block: {body[:80]}"
        if language == "console":
            commands = [line for line in body.splitlines() if line and line[0] not in " #"]
            for command in commands:
                assert SERVER_STARTS.match(command), f"not run by the README test: {command}"


def test_every_shell_block_runs_as_pasted_in_order(tmp_path: Path) -> None:
    data_home = str(tmp_path / "data")
    server = start_server(
        tmp_path, gateway=True, default_database=True, env={"XDG_DATA_HOME": data_home}
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "XDG_DATA_HOME": data_home,
        # Client commands default to this address; the test server has its own.
        "EXPERIMENT_SERVICE_GRPC_ADDRESS": server.grpc_target,
    }
    checkout = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True)
    outputs: list[str] = []
    try:
        for language, script in blocks((ROOT / "README.md").read_text()):
            if language != "sh":
                continue
            # The README's addresses are the defaults; the test server has its own.
            assert server.http_base is not None
            script = script.replace("http://localhost:8080", server.http_base)
            script = script.replace("localhost:50051", server.grpc_target)
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", script],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
                timeout=120,
            )
            server_log = server.log_path.read_text(errors="replace")[-3000:]
            assert done.returncode == 0, script + done.stdout + done.stderr + server_log
            outputs.append(done.stdout.replace(" ", ""))
    finally:
        server.stop()
    after = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True)
    assert after.stdout == checkout.stdout, "the examples wrote into the checkout"
    (intake, spans, evaluations, grpc_, platform, keys, comparison, watching) = outputs
    assert '"detail"' not in intake
    assert '"run_count":1' in intake and '"ingested":1' in intake
    assert '"errors":[]' in spans and '"detail"' not in spans
    assert '"run_count":1' in spans and '"sum":1500' in spans and '"span_count":2' in spans
    assert '"session_id":"run-2","span_id":"' in spans, "the captured chat completion"
    assert (
        '"input_tokens":30,"output_tokens":4,"cost_usd":0.0004,"trace_count":1,"span_count":3}'
        in spans
    ), "the ATIF trajectory: agent, step, tool call"
    assert '"detail"' not in evaluations and '"ingested":2' in evaluations
    assert '"run_count":2' in evaluations and '"mean":0.375' in evaluations
    assert '"comment":"late"' in evaluations and '"evaluator_scores":{"reward":0.75}' in evaluations
    assert "experiment_service.api.intake.v2.IntakeService" in grpc_
    assert '"name":"experiment_alpha_2024"' in grpc_
    assert '"detail"' not in platform and "null" not in platform, platform
    assert '"total_count":3' in platform
    assert '"content":"2+2?"' in platform, "the render preview"
    assert "imported2rows" in platform
    assert re.fullmatch(r"200\nrevokedkey_\S+\(acme\)\n401\n", keys), keys
    assert '"verdict":"improved"' in comparison, comparison
    assert '"summary":"qa_v2isbetterthanqa_v1oncorrect(+0.4,95%CI[' in comparison
    assert "cost-50%(significant),latency-23%(significant),tokensnotcomparable" in comparison
    assert comparison.count("metric,direction,pairs") == 1
    assert watching.startswith("qa_v2:20runs,$0.4000"), watching
    assert "data:{" in watching and "session_id,test_case_id" in watching
