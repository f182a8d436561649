"""Comparisons: domain -> proto (one message for both dialects)."""

from __future__ import annotations

from experiment_service.api.comparison.v2 import comparison_pb2 as pb
from experiment_service.domain.comparison.model import Comparison, MetricComparison

# The fields a metric leaves out when there is nothing to compare.
_OPTIONAL_NUMBERS = tuple(
    field.name for field in pb.MetricComparison.DESCRIPTOR.fields if field.has_presence
)


def comparison_message(comparison: Comparison) -> pb.ExperimentComparison:
    return pb.ExperimentComparison(
        baseline=comparison.baseline,
        candidate=comparison.candidate,
        method=comparison.method.value,
        paired_test_cases=comparison.paired_test_cases,
        baseline_only_test_cases=comparison.baseline_only_test_cases,
        candidate_only_test_cases=comparison.candidate_only_test_cases,
        baseline_runs=comparison.baseline_runs,
        candidate_runs=comparison.candidate_runs,
        alpha=comparison.alpha,
        confidence=comparison.confidence,
        bootstrap_resamples=comparison.bootstrap_resamples,
        metrics=[_metric(m) for m in comparison.metrics],
        verdict=comparison.verdict.value,
        summary=comparison.summary,
    )


def _metric(metric: MetricComparison) -> pb.MetricComparison:
    message = pb.MetricComparison(
        metric=metric.metric,
        is_score=metric.is_score,
        direction=metric.direction.value,
        pairs=metric.pairs,
        baseline_count=metric.baseline_count,
        candidate_count=metric.candidate_count,
        test=metric.test,
        wins=metric.wins,
        ties=metric.ties,
        losses=metric.losses,
        verdict=metric.verdict.value,
        regressions=[
            pb.Regression(
                test_case_id=r.test_case_id,
                baseline_value=r.baseline_value,
                candidate_value=r.candidate_value,
                difference=r.difference,
                baseline_run_ids=r.baseline_run_ids,
                candidate_run_ids=r.candidate_run_ids,
            )
            for r in metric.regressions
        ],
    )
    for name in _OPTIONAL_NUMBERS:
        value = getattr(metric, name)
        if value is not None:
            setattr(message, name, value)
    return message
