"""The comparison's answer in one word and one line: is the candidate better, and where."""

from __future__ import annotations

from collections.abc import Sequence

from experiment_service.domain.comparison.model import (
    COST,
    LATENCY,
    TOKENS,
    MetricComparison,
    OverallVerdict,
    Verdict,
)

# How a run metric is named in the summary line.
_RUN_METRIC_WORDS = {COST: "cost", LATENCY: "latency", TOKENS: "tokens"}


def overall_verdict(metrics: Sequence[MetricComparison]) -> OverallVerdict:
    """From the score metrics' adjusted verdicts: improved when some score improved and none
    regressed, regressed the other way round, mixed when both happened, no significant change
    when scores were tested and none moved, not comparable when no score could be tested."""
    verdicts = {m.verdict for m in metrics if m.is_score}
    improved, regressed = Verdict.IMPROVED in verdicts, Verdict.REGRESSED in verdicts
    if improved and regressed:
        return OverallVerdict.MIXED
    if improved:
        return OverallVerdict.IMPROVED
    if regressed:
        return OverallVerdict.REGRESSED
    if Verdict.NO_SIGNIFICANT_CHANGE in verdicts:
        return OverallVerdict.NO_SIGNIFICANT_CHANGE
    return OverallVerdict.NOT_COMPARABLE


def summarize(baseline: str, candidate: str, metrics: Sequence[MetricComparison]) -> str:
    """E.g. "B is better than A on acc (+0.05, 95% CI [+0.02, +0.08]); no significant change
    on f1; cost -12%, latency +3%, tokens not comparable"."""
    scores = [m for m in metrics if m.is_score]
    parts = []
    for verdict, words in (
        (Verdict.IMPROVED, "better than"),
        (Verdict.REGRESSED, "worse than"),
    ):
        moved = [_with_interval(m) for m in scores if m.verdict == verdict]
        if moved:
            parts.append(f"{candidate} is {words} {baseline} on {', '.join(moved)}")
    for verdict, words in (
        (Verdict.NO_SIGNIFICANT_CHANGE, "no significant change on"),
        (Verdict.NOT_COMPARABLE, "not comparable on"),
    ):
        names = [m.metric for m in scores if m.verdict == verdict]
        if names:
            parts.append(f"{words} {', '.join(names)}")
    if not scores:
        parts.append("no evaluator scores to compare")
    runs = [_run_metric(m) for m in metrics if not m.is_score]
    if runs:
        parts.append(", ".join(runs))
    return "; ".join(parts)


def _with_interval(metric: MetricComparison) -> str:
    if metric.mean_difference is None or metric.ci_lower is None or metric.ci_upper is None:
        return metric.metric
    return (
        f"{metric.metric} ({metric.mean_difference:+.3g}, 95% CI "
        f"[{metric.ci_lower:+.3g}, {metric.ci_upper:+.3g}])"
    )


def _run_metric(metric: MetricComparison) -> str:
    word = _RUN_METRIC_WORDS.get(metric.metric, metric.metric)
    if metric.verdict == Verdict.NOT_COMPARABLE:
        return f"{word} not comparable"
    if metric.relative_change is not None:
        change = f"{metric.relative_change * 100:+.0f}%"
    elif metric.mean_difference is not None:
        change = f"{metric.mean_difference:+.3g}"
    else:
        return f"{word} not comparable"
    significant = metric.verdict in (Verdict.IMPROVED, Verdict.REGRESSED)
    return f"{word} {change}" + (" (significant)" if significant else "")
