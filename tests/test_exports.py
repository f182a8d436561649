"""Exports: every run of an experiment as CSV or JSON lines, streamed through the gateway."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import CONSOLE_SCRIPT, RunningServer

ROWS = 2500  # more than two pages of the exporter


@pytest.fixture
def ws(workspace: str, http: httpx.Client) -> str:
    base = f"/apis/intake/v2/workspaces/{workspace}"
    body = {"name": "e", "agent_name": "a", "agent_version": "1", "dataset_name": "d"}
    assert http.post(f"{base}/experiments", json=body).status_code == 201
    sessions = [
        {
            "session_id": f"s{i:05d}",
            "experiment_name": "e",
            "test_case_id": f"case-{i % 100}",
            "status": "success" if i % 10 else "error",
            "started_at": "2024-01-15T09:30:00Z",
            "ended_at": "2024-01-15T09:30:02Z",
            "latency_ms": 100 + i,
            "cost_usd": 0.001 * i,
            "input_tokens": 10,
            "output_tokens": 3,
            "model_names": ["m1"],
            "input": {"question": f"q{i}", "lines": "a\nb"},
            "output": f"answer, {i}",
            "evaluator_results": [
                {"name": "accuracy", "data_type": "NUMERIC", "value": (i % 4) / 4},
                {"name": "ok", "data_type": "BOOLEAN", "value": i % 2 == 0},
                {"name": "label", "data_type": "CATEGORICAL", "string_value": "good"},
            ],
        }
        for i in range(ROWS)
    ]
    for start in range(0, ROWS, 1000):
        chunk = {"sessions": sessions[start : start + 1000]}
        assert http.post(f"{base}/ingest/sessions", json=chunk).status_code == 201
    return base


def test_intake_sessions_export_as_csv(http: httpx.Client, ws: str) -> None:
    with http.stream("GET", f"{ws}/experiments/e/sessions/export", params={"format": "csv"}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert "content-length" not in r.headers, "streamed, not assembled first"
        text = r.read().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == ROWS
    assert list(rows[0]) == [
        *("session_id", "test_case_id", "status", "started_at", "ended_at", "latency_ms"),
        *("cost_usd", "input_tokens", "output_tokens", "model_names", "input", "output"),
        *("score.accuracy", "score.ok"),
    ]
    row = rows[7]
    assert (row["session_id"], row["test_case_id"], row["status"]) == (
        "s00007",
        "case-7",
        "success",
    )
    assert float(row["cost_usd"]) == pytest.approx(0.007) and row["latency_ms"] == "107.0"
    assert json.loads(row["input"]) == {"question": "q7", "lines": "a\nb"}
    assert row["output"] == "answer, 7" and json.loads(row["model_names"]) == ["m1"]
    assert (float(row["score.accuracy"]), float(row["score.ok"])) == (0.75, 0.0)
    assert rows[10]["status"] == "error" and rows[-1]["session_id"] == f"s{ROWS - 1:05d}"


def test_intake_sessions_export_as_json_lines_with_every_result(
    http: httpx.Client, ws: str
) -> None:
    reply = http.get(f"{ws}/experiments/e/sessions/export", params={"format": "jsonl"})
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in reply.text.splitlines()]
    assert len(lines) == ROWS
    assert lines[3]["scores"] == {"accuracy": 0.75, "ok": 0.0, "label": "good"}
    assert lines[3]["input"] == {"question": "q3", "lines": "a\nb"}
    bad = http.get(f"{ws}/experiments/e/sessions/export", params={"format": "xml"})
    assert bad.status_code == 400
    assert http.get(f"{ws}/experiments/ghost/sessions/export").status_code == 404


def test_the_cli_writes_an_export_file(
    server: RunningServer, ws: str, workspace: str, tmp_path: Path
) -> None:
    target = tmp_path / "sessions.jsonl"
    done = subprocess.run(
        [
            *(CONSOLE_SCRIPT, "export", "e", "--workspace", workspace, "--format", "jsonl"),
            *("--output", str(target), "--server", server.grpc_target),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{ROWS}/{ROWS} rows written" in done.stderr
    assert f"exported {ROWS} rows" in done.stdout
    assert len(target.read_text().splitlines()) == ROWS


def test_platform_traces_export(platform: httpx.Client, rest_base: str) -> None:
    dataset = platform.post("/api/datasets/", json={"name": "qa"}).json()
    rows = [{"input": {"q": i}, "expected_output": str(i)} for i in range(5)]
    platform.post(f"/api/datasets/{dataset['id']}/logs/batch/", json={"rows": rows})
    evaluator: dict[str, Any] = {
        "name": "exact",
        "evaluator_slug": "exact",
        "type": "code",
        "score_value_type": "boolean",
        "config": {"function": "exact_match"},
    }
    platform.post("/api/evaluators/", json=evaluator)
    experiment = platform.post(
        "/api/v2/experiments/",
        json={
            "name": "x",
            "dataset_id": dataset["id"],
            "workflows": [{"type": "custom"}],
            "evaluator_slugs": ["exact"],
        },
    ).json()
    base = f"/api/v2/experiments/{experiment['id']}"
    traces = platform.get(f"{base}/logs/list/").json()["results"]
    for trace in traces[:3]:
        body = {"output": trace["expected_output"], "metrics": {"cost": 0.5, "latency": 2}}
        assert platform.patch(f"{base}/logs/{trace['id']}/", json=body).status_code == 200
    reply = platform.get(f"{base}/logs/export/", params={"format": "csv"})
    assert reply.status_code == 200, reply.text
    exported = list(csv.DictReader(io.StringIO(reply.text)))
    assert [r["trace_id"] for r in exported] == [t["id"] for t in traces]
    first = exported[0]
    assert (first["status"], first["score.exact"], first["total_cost"]) == ("success", "1.0", "0.5")
    assert (
        first["duration_seconds"] == "2.0"
        and first["dataset_row_id"] == traces[0]["dataset_row_id"]
    )
    assert [r["status"] for r in exported[3:]] == ["pending", "pending"]
    assert httpx.get(f"{rest_base}{base}/logs/export/").status_code == 401
