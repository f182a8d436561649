"""`experiment-service compare`: ask a server for a comparison and print it for a person (a
table, its answer first) or a program (JSON, CSV)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from google.protobuf import json_format

from experiment_service.api.comparison.v2 import comparison_pb2 as pb
from experiment_service.api.intake.v2 import intake_service_pb2, intake_service_pb2_grpc
from experiment_service.api.platform.v2 import experiments_pb2, experiments_pb2_grpc
from experiment_service.cli import client
from experiment_service.cli.options import add_client_flags

CSV_FIELDS = (
    "metric",
    "direction",
    "pairs",
    "baseline_mean",
    "candidate_mean",
    "mean_difference",
    "relative_change",
    "ci_lower",
    "ci_upper",
    "p_value",
    "p_value_adjusted",
    "wins",
    "ties",
    "losses",
    "verdict",
)


def register(commands: Any) -> None:
    compare = commands.add_parser(
        "compare",
        help="is CANDIDATE better than BASELINE? paired statistics per metric",
        description="Compare two experiments of a workspace, paired per test case: the answer "
        "in a line, then per evaluator and for cost, latency and tokens, the means, the "
        "difference with its 95%% confidence interval, a p-value adjusted across metrics, "
        "wins/ties/losses and a verdict. Intake experiments by name (with --workspace), "
        "platform experiments by id (with --api-key).",
    )
    compare.add_argument("baseline", help="the experiment to compare against")
    compare.add_argument("candidate", help="the experiment under test")
    compare.add_argument("--workspace", help="compare intake experiments of this workspace")
    compare.add_argument(
        "--top", type=int, default=5, metavar="N", help="regressions per metric [%(default)s]"
    )
    compare.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="a table to read, or json/csv for programs [%(default)s]",
    )
    add_client_flags(compare)
    compare.set_defaults(run=lambda args: client.run(lambda: _run(args)))


def _run(args: argparse.Namespace) -> int:
    comparison = fetch(
        args.server,
        args.baseline,
        args.candidate,
        workspace=args.workspace,
        api_key=args.api_key,
        top=args.top,
    )
    sys.stdout.write(render(comparison, args.format))
    return 0


def fetch(
    server: str,
    baseline: str,
    candidate: str,
    *,
    workspace: str | None,
    api_key: str,
    top: int,
) -> pb.ExperimentComparison:
    """Intake experiments by name when a workspace is given, else platform experiments by id."""
    with client.connect(server, api_key) as (channel, metadata):
        if workspace is not None:
            intake = intake_service_pb2_grpc.IntakeServiceStub(channel)
            request = intake_service_pb2.CompareExperimentsRequest(
                workspace=workspace, name=candidate, baseline=baseline, top=top
            )
            return intake.CompareExperiments(request, metadata=metadata)
        platform = experiments_pb2_grpc.ExperimentServiceStub(channel)
        return platform.CompareExperiments(
            experiments_pb2.CompareExperimentsRequest(id=candidate, baseline=baseline, top=top),
            metadata=metadata,
        )


def render(comparison: pb.ExperimentComparison, form: str) -> str:
    if form == "json":
        as_dict = json_format.MessageToDict(comparison, preserving_proto_field_name=True)
        return json.dumps(as_dict, indent=2) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for metric in comparison.metrics:
            writer.writerow({field: _plain(metric, field) for field in CSV_FIELDS})
        return out.getvalue()
    return _table(comparison)


def _plain(metric: pb.MetricComparison, field: str) -> object:
    if field in pb.MetricComparison.DESCRIPTOR.fields_by_name and (
        pb.MetricComparison.DESCRIPTOR.fields_by_name[field].has_presence
    ):
        return getattr(metric, field) if metric.HasField(field) else ""
    return getattr(metric, field)


def _table(c: pb.ExperimentComparison) -> str:
    if c.method == "paired":
        matching = (
            f"{c.paired_test_cases} test cases paired ({c.baseline_only_test_cases} only in "
            f"{c.baseline}, {c.candidate_only_test_cases} only in {c.candidate})"
        )
    else:
        matching = "no test case in common: unpaired statistics (Mann-Whitney U)"
    lines = [
        f"{c.verdict.replace('_', ' ').upper()}: {c.summary}",
        f"{c.candidate} against baseline {c.baseline}: {matching}; "
        f"{c.baseline_runs} vs {c.candidate_runs} runs",
        f"{int(c.confidence * 100)}% intervals of the difference (bootstrap, "
        f"{c.bootstrap_resamples} resamples); p-values Holm-adjusted, alpha {c.alpha:g}",
        "",
    ]
    header = ("metric", "n", "baseline", "candidate", "change", "95% CI", "p adj", "W/T/L", "")
    rows = [header]
    for m in c.metrics:
        if not m.HasField("mean_difference"):
            rows.append((m.metric, str(m.pairs), "-", "-", "-", "-", "-", "-", "not comparable"))
            continue
        relative = f" ({m.relative_change:+.1%})" if m.HasField("relative_change") else ""
        rows.append(
            (
                m.metric,
                str(m.pairs or m.candidate_count),
                _number(m.baseline_mean),
                _number(m.candidate_mean),
                f"{_number(m.mean_difference, signed=True)}{relative}",
                f"[{_number(m.ci_lower, signed=True)}, {_number(m.ci_upper, signed=True)}]",
                f"{m.p_value_adjusted:.3g}",
                f"{m.wins}/{m.ties}/{m.losses}" if c.method == "paired" else "-",
                m.verdict.replace("_", " "),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    worst = [(m.metric, r) for m in c.metrics for r in m.regressions[:1]]
    if worst:
        lines.append("")
        lines.append("worst test case per metric (baseline -> candidate; runs):")
        for metric, r in worst:
            lines.append(
                f"  {metric}: {r.test_case_id}  {_number(r.baseline_value)} -> "
                f"{_number(r.candidate_value)}  ({', '.join(r.baseline_run_ids)} -> "
                f"{', '.join(r.candidate_run_ids)})"
            )
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _number(value: float, signed: bool = False) -> str:
    return f"{value:+.4g}" if signed else f"{value:.4g}"
