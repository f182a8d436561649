"""Datasets, prompts and evaluators over the platform REST API (and the import CLI)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import CONSOLE_SCRIPT, RunningServer


def test_dataset_lifecycle_and_rows(platform: httpx.Client) -> None:
    created = platform.post("/api/datasets/", json={"name": "qa", "description": "arith"})
    assert created.status_code == 201
    dataset = created.json()
    assert dataset["status"] == "ready" and dataset["row_count"] == 0
    base = f"/api/datasets/{dataset['id']}"

    row = platform.post(
        f"{base}/logs/",
        json={"input": {"q": "2+2"}, "expected_output": "4", "metadata": {"src": "hand"}},
    )
    assert row.status_code == 201
    assert row.json()["unique_id"] and row.json()["input"] == {"q": "2+2"}
    # An empty object or list is a value, and reads back as one.
    other = platform.post("/api/datasets/", json={"name": "empties"}).json()
    for empty in ({}, []):
        stored = platform.post(f"/api/datasets/{other['id']}/logs/", json={"input": empty})
        assert stored.json()["input"] == empty
    messages = [{"role": "user", "content": "hi"}]
    batch = platform.post(
        f"{base}/logs/batch/",
        json={"rows": [{"input": messages}, {"input": "plain text", "expected_output": 1}]},
    )
    assert batch.status_code == 201 and batch.json() == {"created": 2, "row_count": 3}

    first = platform.get(f"{base}/logs/list/", params={"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["next"] == f"{base}/logs/list/?page=2&page_size=2" and "previous" not in first
    second = platform.get(first["next"]).json()
    assert [r["input"] for r in second["results"]] == ["plain text"]
    assert second["previous"] == f"{base}/logs/list/?page=1&page_size=2"
    assert [r["input"] for r in first["results"]] == [{"q": "2+2"}, messages]

    patched = platform.patch(f"{base}/", json={"description": "arithmetic"})
    assert patched.json()["name"] == "qa" and patched.json()["description"] == "arithmetic"
    assert platform.get(f"{base}/").json()["row_count"] == 3
    assert platform.delete(f"{base}/").status_code == 204
    assert platform.get(f"{base}/").status_code == 404
    assert platform.get(f"{base}/logs/list/").status_code == 404


def test_dataset_refusals(platform: httpx.Client) -> None:
    assert platform.post("/api/datasets/", json={}).json() == {"name": ["Field required"]}
    dataset = platform.post("/api/datasets/", json={"name": "d"}).json()
    bad = platform.post(
        f"/api/datasets/{dataset['id']}/logs/batch/", json={"rows": [{"input": 1}, {}]}
    )
    assert bad.status_code == 400 and bad.json() == {"rows.1.input": ["Field required"]}
    assert platform.get(f"/api/datasets/{dataset['id']}/").json()["row_count"] == 0
    assert platform.get("/api/datasets/", params={"page_size": 101}).status_code == 400
    # The bounds the OpenAPI document declares: 0 is a page like any other, not "the default".
    assert platform.get("/api/datasets/", params={"page": 0}).status_code == 400
    assert platform.get("/api/datasets/", params={"page_size": 100}).status_code == 200
    assert platform.get("/api/datasets/", params={"sort_by": "size"}).status_code == 400
    # Wrong JSON types are keyed by the field the caller sent, in the API's own words.
    wrong = platform.post("/api/datasets/", json={"name": {"x": 1}})
    assert wrong.status_code == 400
    assert wrong.json() == {"name": ["Input should be a valid string"]}
    listed = platform.post("/api/datasets/", json={"name": "n", "description": ["a"]})
    assert listed.status_code == 400
    assert listed.json() == {
        "detail": "Input should be a single value, not a list (in the request body)."
    }


def test_import_cli_loads_jsonl_and_csv(
    server: RunningServer, platform: httpx.Client, api_key: str, tmp_path: Path
) -> None:
    dataset = platform.post("/api/datasets/", json={"name": "bulk"}).json()
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps({"input": {"n": i}, "expected_output": str(i * 2)}) for i in range(2500)
        )
    )
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text(
        "question,expected_output,metadata\n"
        'What is 2+2?,4,"{""k"": 1}"\n'
        "Half of 9?,4.50,\n"
        "Unknown?,,\n"
    )
    for path in (jsonl, csv_file):
        done = subprocess.run(
            [
                CONSOLE_SCRIPT,
                "datasets",
                "import",
                dataset["id"],
                str(path),
                f"--server={server.grpc_target}",
                f"--api-key={api_key}",
            ],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert "rows added" in done.stderr
    assert platform.get(f"/api/datasets/{dataset['id']}/").json()["row_count"] == 2503
    from_csv = platform.get(
        f"/api/datasets/{dataset['id']}/logs/list/", params={"page": 26, "page_size": 100}
    ).json()["results"]
    # CSV cells are text, as written: never turned into numbers.
    assert [(row["input"], row.get("expected_output"), row["metadata"]) for row in from_csv] == [
        ({"question": "What is 2+2?"}, "4", {"k": 1}),
        ({"question": "Half of 9?"}, "4.50", {}),
        ({"question": "Unknown?"}, None, {}),
    ]

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"input": 1}\nnot json\n')
    failed = subprocess.run(
        [
            CONSOLE_SCRIPT,
            "datasets",
            "import",
            dataset["id"],
            str(broken),
            f"--server={server.grpc_target}",
            f"--api-key={api_key}",
        ],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1 and "broken.jsonl:2" in failed.stderr


def new_prompt(platform: httpx.Client) -> dict[str, Any]:
    return dict(platform.post("/api/prompts/", json={"name": "greeter"}).json())


def test_prompt_versions_render_in_a_sandbox(platform: httpx.Client) -> None:
    prompt = new_prompt(platform)
    assert prompt["latest_version"] == 0
    versions = f"/api/prompts/{prompt['id']}/versions"
    first = platform.post(
        f"{versions}/",
        json={
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hello {{ name | title }}, {{ ask }}"},
            ],
            "model": "gpt-4o-mini",
            "temperature": 0.2,
            "max_tokens": 50,
        },
    )
    assert first.status_code == 201
    assert first.json()["version"] == 1 and first.json()["variables"] == ["ask", "name"]
    second = platform.post(
        f"{versions}/",
        json={"messages": [{"role": "user", "content": "v2 {{ name }}"}], "model": "gpt-4o"},
    )
    assert second.json()["version"] == 2
    listed = platform.get(f"{versions}/").json()
    assert [v["version"] for v in listed["results"]] == [2, 1]
    assert platform.get(f"/api/prompts/{prompt['id']}/").json()["latest_version"] == 2

    rendered = platform.post(
        f"{versions}/1/render/", json={"variables": {"name": "ada lovelace", "ask": "why?"}}
    )
    assert rendered.status_code == 200
    assert rendered.json()["messages"][1] == {"role": "user", "content": "Hello Ada Lovelace, why?"}
    missing = platform.post(f"{versions}/1/render/", json={"variables": {"name": "x"}})
    assert missing.status_code == 400 and "'ask' is undefined" in missing.json()["detail"]

    deployed = platform.patch(f"/api/prompts/{prompt['id']}/", json={"deployed_version": 1})
    assert deployed.json()["deployed_version"] == 1
    assert (
        platform.patch(f"/api/prompts/{prompt['id']}/", json={"deployed_version": 9}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "are not allowed"),
        ("{{ cycler.__init__.__globals__.os }}", "'__globals__'"),
        ("{{ x['__class__'] }}", "'__class__'"),
        ("line one\n{% if %}", "line 2"),
        ("{{ unclosed", "line 1"),
    ],
)
def test_unsafe_or_broken_templates_are_refused_with_the_line(
    platform: httpx.Client, content: str, expected: str
) -> None:
    prompt = new_prompt(platform)
    reply = platform.post(
        f"/api/prompts/{prompt['id']}/versions/",
        json={"messages": [{"role": "user", "content": content}], "model": "m"},
    )
    assert reply.status_code == 400
    [message] = reply.json()["messages.0.content"]
    assert expected in message
    assert platform.get(f"/api/prompts/{prompt['id']}/").json()["latest_version"] == 0


def test_prompt_version_settings_are_validated(platform: httpx.Client) -> None:
    prompt = new_prompt(platform)
    reply = platform.post(
        f"/api/prompts/{prompt['id']}/versions/",
        json={
            "messages": [{"role": "robot", "content": "x"}],
            "temperature": 2.5,
            "top_p": -0.1,
            "max_tokens": 0,
        },
    )
    assert reply.status_code == 400
    assert set(reply.json()) == {"messages.0.role", "model", "temperature", "top_p", "max_tokens"}


CODE_CASES = [
    ({"function": "exact_match"}, "boolean", " Paris ", "Paris", True),
    ({"function": "exact_match", "case_sensitive": False}, "boolean", "PARIS", "paris", True),
    ({"function": "exact_match"}, "boolean", "Paris", "paris", False),
    # What a person calls equal: numbers and their text, JSON and its text, true and "true".
    ({"function": "exact_match"}, "boolean", "4", 4, True),
    ({"function": "exact_match"}, "boolean", "4.5", "4.50", True),
    ({"function": "exact_match"}, "boolean", " 4 ", "4.0", True),
    ({"function": "exact_match"}, "boolean", "4", "5", False),
    ({"function": "exact_match"}, "boolean", "4 apples", "4", False),
    ({"function": "exact_match"}, "boolean", "True", True, True),
    ({"function": "exact_match"}, "boolean", 1, True, False),
    ({"function": "exact_match"}, "boolean", '{"b": 2, "a": 1}', {"a": 1, "b": 2}, True),
    ({"function": "exact_match"}, "numerical", "[1, 2]", [2, 1], 0.0),
    ({"function": "contains", "value": "42"}, "boolean", "the answer is 42", None, True),
    ({"function": "regex", "pattern": r"^\d{3}-\d{4}$"}, "boolean", "555-1234", None, True),
    ({"function": "json_valid"}, "boolean", '{"a": [1, 2]}', None, True),
    ({"function": "json_valid"}, "numerical", "{nope", None, 0.0),
    ({"function": "numeric_closeness", "tolerance": 0.1}, "boolean", "3.14", "3.2", True),
    ({"function": "numeric_closeness"}, "numerical", 10, 7, 3.0),
    ({"function": "length", "min": 2, "max": 5}, "boolean", "abcdef", None, False),
    ({"function": "length"}, "numerical", "abcd", None, 4.0),
]


@pytest.mark.parametrize(("config", "value_type", "output", "expected", "score"), CODE_CASES)
def test_code_evaluators_run_on_demand(
    platform: httpx.Client,
    config: dict[str, Any],
    value_type: str,
    output: Any,
    expected: Any,
    score: Any,
) -> None:
    evaluator = platform.post(
        "/api/evaluators/",
        json={
            "name": "e",
            "evaluator_slug": "e",
            "type": "code",
            "score_value_type": value_type,
            "config": config,
        },
    )
    assert evaluator.status_code == 201, evaluator.text
    body: dict[str, Any] = {"output": output}
    if expected is not None:
        body["expected_output"] = expected
    ran = platform.post(f"/api/evaluators/{evaluator.json()['id']}/run/", json=body)
    assert ran.status_code == 200
    assert ran.json()["score"]["value"] == score


def test_evaluator_rules(platform: httpx.Client) -> None:
    body = {
        "name": "Judge",
        "evaluator_slug": "judge",
        "type": "llm",
        "score_value_type": "numerical",
        "config": {"model": "gpt-4o", "prompt": "Rate {{ output }} from 1 to 10."},
    }
    judge = platform.post("/api/evaluators/", json=body)
    assert judge.status_code == 201
    duplicate = platform.post("/api/evaluators/", json=body)
    assert duplicate.status_code == 400 and "judge" in duplicate.json()["detail"]
    run = platform.post(f"/api/evaluators/{judge.json()['id']}/run/", json={"output": "x"})
    assert run.status_code == 400

    bad = platform.post(
        "/api/evaluators/",
        json={
            "name": "",
            "evaluator_slug": "has space",
            "type": "robot",
            "score_value_type": "categorical",
        },
    )
    assert set(bad.json()) == {"name", "evaluator_slug", "type", "categories"}
    bad_code = platform.post(
        "/api/evaluators/",
        json={
            "name": "r",
            "evaluator_slug": "r",
            "type": "code",
            "score_value_type": "text",
            "config": {"function": "regex", "pattern": "("},
        },
    )
    assert set(bad_code.json()) == {"config.pattern", "score_value_type"}
    bad_llm = platform.post(
        "/api/evaluators/",
        json={
            "name": "j",
            "evaluator_slug": "j2",
            "type": "llm",
            "score_value_type": "boolean",
            "config": {"prompt": "{{ output.__class__ }}"},
        },
    )
    assert set(bad_llm.json()) == {"config.model", "config.prompt"}

    evaluator_id = judge.json()["id"]
    renamed = platform.patch(f"/api/evaluators/{evaluator_id}/", json={"name": "Judge 2"})
    assert renamed.json()["name"] == "Judge 2" and renamed.json()["evaluator_slug"] == "judge"
    assert (
        platform.patch(
            f"/api/evaluators/{evaluator_id}/", json={"evaluator_slug": "other"}
        ).status_code
        == 400
    )
    assert platform.get("/api/evaluators/").json()["count"] == 1
    assert platform.delete(f"/api/evaluators/{evaluator_id}/").status_code == 204
    assert platform.get(f"/api/evaluators/{evaluator_id}/").status_code == 404
