"""Is B better than A? Comparisons through the real server, checked against scipy and numpy."""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections import defaultdict
from typing import Any

import grpc
import httpx
import numpy as np
import pytest
from scipy import stats

from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2.intake_service_pb2_grpc import IntakeServiceStub
from tests.support.server import CONSOLE_SCRIPT, RunningServer

Run = dict[str, Any]


@pytest.fixture
def ws(workspace: str) -> str:
    return f"/apis/intake/v2/workspaces/{workspace}"


def run(case: str | None, scores: dict[str, float | bool] | None = None, **fields: Any) -> Run:
    """One session: its test case, evaluator results (BOOLEAN when a bool) and run fields."""
    results = [
        {
            "name": name,
            "data_type": "BOOLEAN" if isinstance(value, bool) else "NUMERIC",
            "value": value,
        }
        for name, value in (scores or {}).items()
    ]
    body = {
        "status": "success",
        "started_at": "2024-01-15T09:30:00Z",
        "ended_at": "2024-01-15T09:30:02Z",
        "evaluator_results": results,
        **fields,
    }
    if case is not None:
        body["test_case_id"] = case
    return body


def experiment(http: httpx.Client, ws: str, name: str, runs: list[Run]) -> None:
    body = {"name": name, "agent_name": "agent", "agent_version": name, "dataset_name": "d"}
    assert http.post(f"{ws}/experiments", json=body).status_code == 201
    sessions = [
        {**r, "session_id": f"{name}-{i}", "experiment_name": name} for i, r in enumerate(runs)
    ]
    for start in range(0, len(sessions), 1000):
        reply = http.post(
            f"{ws}/ingest/sessions", json={"sessions": sessions[start : start + 1000]}
        )
        assert reply.status_code == 201, reply.text


def compare(http: httpx.Client, ws: str, candidate: str, baseline: str, **query: Any) -> Any:
    reply = http.get(
        f"{ws}/experiments/{candidate}/comparison", params={"baseline": baseline, **query}
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def metric(answer: Any, name: str) -> Any:
    (found,) = [m for m in answer["metrics"] if m["metric"] == name]
    return found


def per_case(runs: list[Run], value: Any) -> dict[str, float]:
    """Reference: each test case's mean of `value(run)` over its runs that have one."""
    grouped: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        v = value(r)
        if v is not None:
            grouped[r["test_case_id"]].append(float(v))
    return {case: sum(vs) / len(vs) for case, vs in grouped.items()}


def score_of(name: str) -> Any:
    return lambda r: next(
        (float(x["value"]) for x in r["evaluator_results"] if x["name"] == name), None
    )


def reference_wilcoxon(differences: np.ndarray) -> float:
    if not differences[differences != 0].size:
        return 1.0
    return float(stats.wilcoxon(differences).pvalue)


def holm(p_values: list[float]) -> list[float]:
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    adjusted, running = [0.0] * len(p_values), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def planted(seed: int, cases: int, effect: float, repeats: int = 2) -> tuple[list[Run], list[Run]]:
    rng = random.Random(seed)
    base: list[Run] = []
    cand: list[Run] = []
    for case in range(cases):
        difficulty = rng.random()
        for _ in range(repeats):
            base.append(
                run(
                    f"case-{case}",
                    {"accuracy": difficulty + rng.gauss(0, 0.05), "correct": rng.random() < 0.5},
                    cost_usd=round(0.01 + rng.random() * 0.01, 6),
                    latency_ms=round(500 + rng.gauss(0, 50), 3),
                    input_tokens=100 + rng.randrange(20),
                    output_tokens=20,
                )
            )
            cand.append(
                run(
                    f"case-{case}",
                    {
                        "accuracy": difficulty + effect + rng.gauss(0, 0.05),
                        "correct": rng.random() < 0.5,
                    },
                    cost_usd=round(0.01 + rng.random() * 0.01 - (0.005 if effect else 0), 6),
                    latency_ms=round(500 + rng.gauss(0, 50), 3),
                    input_tokens=100 + rng.randrange(20),
                    output_tokens=20,
                )
            )
    return base, cand


def test_every_statistic_matches_the_reference_on_a_planted_effect(
    http: httpx.Client, ws: str
) -> None:
    base, cand = planted(seed=7, cases=60, effect=0.1)
    experiment(http, ws, "a", base)
    experiment(http, ws, "b", cand)
    answer = compare(http, ws, "b", "a")
    assert answer["method"] == "paired" and answer["paired_test_cases"] == 60
    assert answer["baseline_runs"] == answer["candidate_runs"] == 120
    assert answer["baseline_only_test_cases"] == answer["candidate_only_test_cases"] == 0
    assert [m["metric"] for m in answer["metrics"]] == [
        "accuracy",
        "correct",
        "cost_usd",
        "latency_ms",
        "tokens",
    ]
    references = {
        "accuracy": score_of("accuracy"),
        "correct": score_of("correct"),
        "cost_usd": lambda r: r["cost_usd"],
        "latency_ms": lambda r: r["latency_ms"],
        "tokens": lambda r: r["input_tokens"] + r["output_tokens"],
    }
    p_values = []
    for name, value in references.items():
        before, after = per_case(base, value), per_case(cand, value)
        cases = sorted(before)
        x = np.array([before[c] for c in cases])
        y = np.array([after[c] for c in cases])
        d = y - x
        got = metric(answer, name)
        assert got["pairs"] == 60 and got["test"] == "wilcoxon_signed_rank"
        assert got["baseline_mean"] == pytest.approx(x.mean(), rel=1e-9)
        assert got["candidate_mean"] == pytest.approx(y.mean(), rel=1e-9)
        assert got["mean_difference"] == pytest.approx(d.mean(), rel=1e-9, abs=1e-12)
        assert got["relative_change"] == pytest.approx(d.mean() / abs(x.mean()), rel=1e-9)
        assert got["p_value"] == pytest.approx(reference_wilcoxon(d), rel=1e-9)
        sign = 1 if got["direction"] == "higher_is_better" else -1
        assert (got["wins"], got["ties"], got["losses"]) == (
            int((sign * d > 0).sum()),
            int((d == 0).sum()),
            int((sign * d < 0).sum()),
        )
        reference = stats.bootstrap(
            (d,), np.mean, n_resamples=1000, method="percentile", random_state=1
        ).confidence_interval
        width = reference.high - reference.low
        assert got["ci_lower"] == pytest.approx(reference.low, abs=0.25 * width)
        assert got["ci_upper"] == pytest.approx(reference.high, abs=0.25 * width)
        assert got["ci_lower"] <= got["mean_difference"] <= got["ci_upper"]
        p_values.append(got["p_value"])
    for got, adjusted in zip(answer["metrics"], holm(p_values), strict=True):
        assert got["p_value_adjusted"] == pytest.approx(adjusted, rel=1e-9)
    assert metric(answer, "accuracy")["verdict"] == "improved"
    assert metric(answer, "cost_usd")["verdict"] == "improved", "cheaper is better"
    assert metric(answer, "correct")["verdict"] == "no_significant_change"
    assert metric(answer, "tokens")["verdict"] == "no_significant_change"
    # The reverse question gets the mirrored answer.
    reverse = compare(http, ws, "a", "b")
    assert metric(reverse, "accuracy")["verdict"] == "regressed"
    assert metric(reverse, "accuracy")["p_value"] == metric(answer, "accuracy")["p_value"]
    # Reproducible: the same data gives the same interval.
    assert (
        compare(http, ws, "b", "a", top=4)["metrics"][0]["ci_lower"]
        == metric(answer, "accuracy")["ci_lower"]
    )


def test_null_effects_are_mostly_not_significant(http: httpx.Client, ws: str) -> None:
    flagged = 0
    for seed in range(12):
        base, cand = planted(seed=100 + seed, cases=25, effect=0.0, repeats=1)
        experiment(http, ws, f"a{seed}", base)
        experiment(http, ws, f"b{seed}", cand)
        answer = compare(http, ws, f"b{seed}", f"a{seed}")
        flagged += metric(answer, "accuracy")["verdict"] != "no_significant_change"
    assert flagged <= 2


def test_ties_zero_differences_a_single_pair_and_booleans(http: httpx.Client, ws: str) -> None:
    same = [run(f"c{i}", {"s": 0.5, "ok": True}, cost_usd=1.0) for i in range(8)]
    experiment(http, ws, "a", same)
    experiment(http, ws, "b", same)
    answer = compare(http, ws, "b", "a")
    for name in ("s", "ok", "cost_usd"):
        got = metric(answer, name)
        assert (got["pairs"], got["ties"], got["wins"], got["losses"]) == (8, 8, 0, 0)
        assert got["mean_difference"] == 0 and got["p_value"] == 1
        assert (got["ci_lower"], got["ci_upper"]) == (0, 0)
        assert got["verdict"] == "no_significant_change"
    assert metric(answer, "ok")["baseline_mean"] == 1.0, "a BOOLEAN true counts as 1"

    experiment(http, ws, "one-a", [run("only", {"s": 0.2})])
    experiment(http, ws, "one-b", [run("only", {"s": 0.9})])
    single = metric(compare(http, ws, "one-b", "one-a"), "s")
    assert single["pairs"] == 1 and single["p_value"] == 1.0
    assert single["mean_difference"] == pytest.approx(0.7)
    assert single["verdict"] == "no_significant_change"

    # Ties among the differences: the normal approximation with the tie correction.
    tied_base = [run(f"c{i}", {"s": 0.0}) for i in range(30)]
    tied_cand = [run(f"c{i}", {"s": [0.0, 1.0, 1.0, -1.0, 2.0][i % 5]}) for i in range(30)]
    experiment(http, ws, "tie-a", tied_base)
    experiment(http, ws, "tie-b", tied_cand)
    d = np.array([[0.0, 1.0, 1.0, -1.0, 2.0][i % 5] for i in range(30)])
    got = metric(compare(http, ws, "tie-b", "tie-a"), "s")
    assert got["p_value"] == pytest.approx(reference_wilcoxon(d), rel=1e-9)
    # ... and for a handful of pairs, the exact permutation distribution of the tied ranks.
    experiment(http, ws, "few-a", [run(f"c{i}", {"s": 0.0}) for i in range(6)])
    few = [1.0, 1.0, 2.0, -1.0, 3.0, 0.0]
    experiment(http, ws, "few-b", [run(f"c{i}", {"s": v}) for i, v in enumerate(few)])
    got = metric(compare(http, ws, "few-b", "few-a"), "s")
    assert got["p_value"] == pytest.approx(reference_wilcoxon(np.array(few)), rel=1e-9)


def test_repeats_are_averaged_and_a_missing_value_drops_only_its_pair(
    http: httpx.Client, ws: str
) -> None:
    base = [run("x", {"s": 0.0}, cost_usd=1.0), run("x", {"s": 1.0}, cost_usd=3.0)]
    base += [run("y", {"s": 0.5}, cost_usd=1.0), run("z", {"s": 0.5}, cost_usd=1.0)]
    cand = [run("x", {"s": 1.0}), run("y", {"s": 0.5}, cost_usd=2.0), run("z", {"s": 1.0})]
    cand += [run("new", {"s": 1.0}, cost_usd=1.0)]
    experiment(http, ws, "a", base)
    experiment(http, ws, "b", cand)
    answer = compare(http, ws, "b", "a")
    assert (answer["paired_test_cases"], answer["candidate_only_test_cases"]) == (3, 1)
    score = metric(answer, "s")
    assert score["pairs"] == 3 and score["baseline_mean"] == pytest.approx(0.5)
    cost = metric(answer, "cost_usd")
    assert cost["pairs"] == 1, "x and z have no cost in the candidate: only y pairs"
    assert (cost["baseline_mean"], cost["candidate_mean"]) == (1.0, 2.0)


def test_regressions_name_the_worst_test_cases_and_both_sides_runs(
    http: httpx.Client, ws: str
) -> None:
    base = [run(f"c{i}", {"s": 1.0}) for i in range(10)]
    cand = [run(f"c{i}", {"s": 1.0 - i / 10}) for i in range(10)]
    experiment(http, ws, "a", base)
    experiment(http, ws, "b", cand)
    answer = compare(http, ws, "b", "a", top=3)
    regressions = metric(answer, "s")["regressions"]
    assert [r["test_case_id"] for r in regressions] == ["c9", "c8", "c7"]
    assert regressions[0]["baseline_value"] == 1.0
    assert regressions[0]["candidate_value"] == pytest.approx(0.1)
    assert regressions[0]["difference"] == pytest.approx(-0.9)
    assert regressions[0]["baseline_run_ids"] == ["a-9"]
    assert regressions[0]["candidate_run_ids"] == ["b-9"]
    assert compare(http, ws, "b", "a", top=0)["metrics"][0]["regressions"] == []


def test_without_test_cases_the_comparison_is_unpaired_and_says_so(
    http: httpx.Client, ws: str
) -> None:
    rng = random.Random(3)
    x = [round(rng.gauss(0.5, 0.1), 6) for _ in range(30)]
    y = [round(rng.gauss(0.6, 0.1), 6) for _ in range(25)]
    experiment(http, ws, "a", [run(None, {"s": v}) for v in x])
    experiment(http, ws, "b", [run(None, {"s": v}) for v in y])
    answer = compare(http, ws, "b", "a")
    assert answer["method"] == "unpaired" and answer["paired_test_cases"] == 0
    got = metric(answer, "s")
    assert got["test"] == "mann_whitney_u" and got["pairs"] == 0
    assert (got["baseline_count"], got["candidate_count"]) == (30, 25)
    assert got["mean_difference"] == pytest.approx(np.mean(y) - np.mean(x), rel=1e-9)
    reference = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True).pvalue
    assert got["p_value"] == pytest.approx(reference, rel=1e-9)
    assert got["ci_lower"] < got["mean_difference"] < got["ci_upper"]


def test_answers_are_cached_until_either_experiment_changes(http: httpx.Client, ws: str) -> None:
    experiment(http, ws, "a", [run(f"c{i}", {"s": 0.5}) for i in range(5)])
    experiment(http, ws, "b", [run(f"c{i}", {"s": 0.5}) for i in range(5)])
    first = compare(http, ws, "b", "a")
    assert compare(http, ws, "b", "a") == first
    more = {"session_id": "late", "experiment_name": "b", **run("c0", {"s": 1.0})}
    assert http.post(f"{ws}/ingest/sessions", json={"sessions": [more]}).status_code == 201
    changed = compare(http, ws, "b", "a")
    assert changed["candidate_runs"] == 6
    # c0 now has two runs (0.5 and 1.0), averaged first: (0.75 + 4 * 0.5) / 5.
    assert metric(changed, "s")["candidate_mean"] == pytest.approx(0.55)


def test_refusals(http: httpx.Client, ws: str, workspace: str) -> None:
    experiment(http, ws, "a", [run("c", {"s": 1.0})])
    experiment(http, ws, "empty", [])
    experiment(http, ws, "also-empty", [])
    missing = http.get(f"{ws}/experiments/a/comparison", params={"baseline": "ghost"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"Experiment '{workspace}/ghost' not found."}
    assert (
        http.get(f"{ws}/experiments/ghost/comparison", params={"baseline": "a"}).status_code == 404
    )
    itself = http.get(f"{ws}/experiments/a/comparison", params={"baseline": "a"})
    assert itself.status_code == 400
    assert itself.json() == {"detail": "An experiment cannot be compared with itself."}
    empty = http.get(f"{ws}/experiments/empty/comparison", params={"baseline": "also-empty"})
    assert empty.status_code == 400 and "no finished runs" in empty.json()["detail"]
    no_baseline = http.get(f"{ws}/experiments/a/comparison")
    assert no_baseline.status_code == 400
    too_many = http.get(f"{ws}/experiments/a/comparison", params={"baseline": "empty", "top": 101})
    assert too_many.status_code == 400


async def test_compare_over_grpc(
    intake: IntakeServiceStub, http: httpx.Client, ws: str, workspace: str
) -> None:
    experiment(http, ws, "a", [run(f"c{i}", {"s": 0.0}) for i in range(5)])
    experiment(http, ws, "b", [run(f"c{i}", {"s": 1.0}) for i in range(5)])
    answer = await intake.CompareExperiments(
        svc.CompareExperimentsRequest(workspace=workspace, name="b", baseline="a", top=2)
    )
    (score, *_) = answer.metrics
    assert (score.metric, score.pairs, score.mean_difference) == ("s", 5, 1.0)
    assert score.p_value == pytest.approx(reference_wilcoxon(np.ones(5)))
    assert len(score.regressions) == 0
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await intake.CompareExperiments(
            svc.CompareExperimentsRequest(workspace=workspace, name="b", baseline="b")
        )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_platform_experiments_pair_by_dataset_row(platform: httpx.Client) -> None:
    dataset = platform.post("/api/datasets/", json={"name": "qa"}).json()
    rows = [{"input": {"q": i}, "expected_output": str(i)} for i in range(12)]
    platform.post(f"/api/datasets/{dataset['id']}/logs/batch/", json={"rows": rows})
    platform.post(
        "/api/evaluators/",
        json={
            "name": "exact",
            "evaluator_slug": "exact",
            "type": "code",
            "score_value_type": "boolean",
            "config": {"function": "exact_match"},
        },
    )
    ids = []
    for name, right in (("a", 6), ("b", 12)):
        created = platform.post(
            "/api/v2/experiments/",
            json={
                "name": name,
                "dataset_id": dataset["id"],
                "workflows": [{"type": "custom"}],
                "evaluator_slugs": ["exact"],
            },
        ).json()
        traces = platform.get(
            f"/api/v2/experiments/{created['id']}/logs/list/", params={"page_size": 100}
        ).json()["results"]
        for trace in traces:
            answer = trace["expected_output"] if int(trace["expected_output"]) < right else "?"
            body = {"output": answer, "metrics": {"cost": 0.01, "latency": 1.0}}
            reply = platform.patch(
                f"/api/v2/experiments/{created['id']}/logs/{trace['id']}/", json=body
            )
            assert reply.status_code == 200
        ids.append(created["id"])
    reply = platform.get(f"/api/v2/experiments/{ids[1]}/comparison/", params={"baseline": ids[0]})
    assert reply.status_code == 200, reply.text
    answer = reply.json()
    assert answer["method"] == "paired" and answer["paired_test_cases"] == 12
    exact = metric(answer, "exact")
    assert (exact["baseline_mean"], exact["candidate_mean"]) == (0.5, 1.0)
    assert (exact["wins"], exact["ties"], exact["losses"]) == (6, 6, 0)
    assert exact["p_value"] == pytest.approx(reference_wilcoxon(np.r_[np.zeros(6), np.ones(6)]))
    other = platform.get("/api/v2/experiments/nope/comparison/", params={"baseline": ids[0]})
    assert other.status_code == 404


def test_the_cli_prints_a_table_and_json(
    server: RunningServer, http: httpx.Client, ws: str, workspace: str
) -> None:
    experiment(http, ws, "a", [run(f"c{i}", {"accuracy": 0.5}, cost_usd=0.02) for i in range(8)])
    experiment(http, ws, "b", [run(f"c{i}", {"accuracy": 0.9}, cost_usd=0.01) for i in range(8)])
    command = [CONSOLE_SCRIPT, "compare", "a", "b", "--workspace", workspace]
    command += ["--server", server.grpc_target]
    table = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    lines = table.splitlines()
    assert any(line.split()[:1] == ["accuracy"] and "improved" in line for line in lines), table
    assert "8 test cases paired" in table
    assert lines[0].startswith("IMPROVED: b is better than a on accuracy (+0.4"), table
    as_json = subprocess.run(
        [*command, "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    parsed = json.loads(as_json)
    assert parsed["candidate"] == "b" and parsed["metrics"][0]["metric"] == "accuracy"
    as_csv = subprocess.run(
        [*command, "--format", "csv"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert as_csv[0].startswith("metric,") and len(as_csv) == 1 + 4


def test_a_metric_one_side_never_reported_is_not_comparable_and_not_tested(
    http: httpx.Client, ws: str
) -> None:
    rng = random.Random(11)
    base = [run(f"c{i}", {"acc": 0.5 + rng.gauss(0, 0.02)}, cost_usd=0.02) for i in range(30)]
    cand = [
        run(f"c{i}", {"acc": 0.6 + rng.gauss(0, 0.02)}, cost_usd=0.01, input_tokens=100)
        for i in range(30)
    ]
    experiment(http, ws, "a", base)
    experiment(http, ws, "b", cand)
    answer = compare(http, ws, "b", "a")
    tokens = metric(answer, "tokens")
    assert tokens["verdict"] == "not_comparable" and tokens["pairs"] == 0
    assert (tokens["baseline_count"], tokens["candidate_count"]) == (0, 30)
    for absent in ("baseline_mean", "candidate_mean", "p_value", "p_value_adjusted"):
        assert absent not in tokens, absent
    latency = metric(answer, "latency_ms")
    assert latency["verdict"] == "not_comparable", "neither side reported a latency"
    # Only the metrics tested form the Holm family: acc and cost.
    tested = [m for m in answer["metrics"] if m["verdict"] != "not_comparable"]
    assert [m["metric"] for m in tested] == ["acc", "cost_usd"]
    for got, adjusted in zip(tested, holm([m["p_value"] for m in tested]), strict=True):
        assert got["p_value_adjusted"] == pytest.approx(adjusted, rel=1e-12)
    assert answer["verdict"] == "improved"
    assert answer["summary"].startswith("b is better than a on acc (+0.1")
    assert "tokens not comparable" in answer["summary"] and "cost -50%" in answer["summary"]
    # Rollups agree: a side without token counts has no token statistics at all.
    assert "tokens" not in http.get(f"{ws}/experiments/a").json()
    assert http.get(f"{ws}/experiments/b").json()["tokens"]["mean"] == 100


def test_the_overall_verdict_follows_the_scores(http: httpx.Client, ws: str) -> None:
    rng = random.Random(5)

    def side(name: str, shift: dict[str, float]) -> None:
        runs = [
            run(
                f"c{i}",
                {m: 0.5 + (i % 7) / 20 + shift.get(m, 0) + rng.gauss(0, 0.01) for m in "xy"},
                cost_usd=0.01,
            )
            for i in range(40)
        ]
        experiment(http, ws, name, runs)

    side("base", {})
    side("better", {"x": 0.2})
    side("worse", {"y": -0.2})
    side("mixed", {"x": 0.2, "y": -0.2})
    side("same", {})
    verdicts = {name: compare(http, ws, name, "base") for name in ("better", "worse", "mixed")}
    assert {name: answer["verdict"] for name, answer in verdicts.items()} == {
        "better": "improved",
        "worse": "regressed",
        "mixed": "mixed",
    }
    assert "no significant change on y" in verdicts["better"]["summary"]
    assert re.match(
        r"mixed is better than base on x \(\+0\.(19|20)\d*, 95% CI \[\+0\.\d+, \+0\.\d+\]\); "
        r"mixed is worse than base on y \(-0\.(19|20)",
        verdicts["mixed"]["summary"],
    ), verdicts["mixed"]["summary"]
    same = compare(http, ws, "same", "base")
    assert same["verdict"] == "no_significant_change"
    assert same["summary"].startswith("no significant change on x, y; cost +0%")
    experiment(http, ws, "unscored", [run(f"c{i}", cost_usd=0.01) for i in range(40)])
    experiment(http, ws, "unscored-too", [run(f"c{i}", cost_usd=0.02) for i in range(40)])
    unscored = compare(http, ws, "unscored-too", "unscored")
    assert unscored["verdict"] == "not_comparable"
    assert unscored["summary"].startswith(
        "no evaluator scores to compare; cost +100% (significant)"
    )
