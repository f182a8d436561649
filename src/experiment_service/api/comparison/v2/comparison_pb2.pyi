from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExperimentComparison(_message.Message):
    __slots__ = ("baseline", "candidate", "method", "paired_test_cases", "baseline_only_test_cases", "candidate_only_test_cases", "baseline_runs", "candidate_runs", "alpha", "confidence", "bootstrap_resamples", "metrics", "verdict", "summary")
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PAIRED_TEST_CASES_FIELD_NUMBER: _ClassVar[int]
    BASELINE_ONLY_TEST_CASES_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_ONLY_TEST_CASES_FIELD_NUMBER: _ClassVar[int]
    BASELINE_RUNS_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_RUNS_FIELD_NUMBER: _ClassVar[int]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    BOOTSTRAP_RESAMPLES_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    baseline: str
    candidate: str
    method: str
    paired_test_cases: int
    baseline_only_test_cases: int
    candidate_only_test_cases: int
    baseline_runs: int
    candidate_runs: int
    alpha: float
    confidence: float
    bootstrap_resamples: int
    metrics: _containers.RepeatedCompositeFieldContainer[MetricComparison]
    verdict: str
    summary: str
    def __init__(self, baseline: _Optional[str] = ..., candidate: _Optional[str] = ..., method: _Optional[str] = ..., paired_test_cases: _Optional[int] = ..., baseline_only_test_cases: _Optional[int] = ..., candidate_only_test_cases: _Optional[int] = ..., baseline_runs: _Optional[int] = ..., candidate_runs: _Optional[int] = ..., alpha: _Optional[float] = ..., confidence: _Optional[float] = ..., bootstrap_resamples: _Optional[int] = ..., metrics: _Optional[_Iterable[_Union[MetricComparison, _Mapping]]] = ..., verdict: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class MetricComparison(_message.Message):
    __slots__ = ("metric", "is_score", "direction", "pairs", "baseline_count", "candidate_count", "baseline_mean", "candidate_mean", "mean_difference", "relative_change", "ci_lower", "ci_upper", "p_value", "p_value_adjusted", "test", "wins", "ties", "losses", "verdict", "regressions")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    IS_SCORE_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    BASELINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_COUNT_FIELD_NUMBER: _ClassVar[int]
    BASELINE_MEAN_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_MEAN_FIELD_NUMBER: _ClassVar[int]
    MEAN_DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    RELATIVE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    CI_LOWER_FIELD_NUMBER: _ClassVar[int]
    CI_UPPER_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_ADJUSTED_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    WINS_FIELD_NUMBER: _ClassVar[int]
    TIES_FIELD_NUMBER: _ClassVar[int]
    LOSSES_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    REGRESSIONS_FIELD_NUMBER: _ClassVar[int]
    metric: str
    is_score: bool
    direction: str
    pairs: int
    baseline_count: int
    candidate_count: int
    baseline_mean: float
    candidate_mean: float
    mean_difference: float
    relative_change: float
    ci_lower: float
    ci_upper: float
    p_value: float
    p_value_adjusted: float
    test: str
    wins: int
    ties: int
    losses: int
    verdict: str
    regressions: _containers.RepeatedCompositeFieldContainer[Regression]
    def __init__(self, metric: _Optional[str] = ..., is_score: _Optional[bool] = ..., direction: _Optional[str] = ..., pairs: _Optional[int] = ..., baseline_count: _Optional[int] = ..., candidate_count: _Optional[int] = ..., baseline_mean: _Optional[float] = ..., candidate_mean: _Optional[float] = ..., mean_difference: _Optional[float] = ..., relative_change: _Optional[float] = ..., ci_lower: _Optional[float] = ..., ci_upper: _Optional[float] = ..., p_value: _Optional[float] = ..., p_value_adjusted: _Optional[float] = ..., test: _Optional[str] = ..., wins: _Optional[int] = ..., ties: _Optional[int] = ..., losses: _Optional[int] = ..., verdict: _Optional[str] = ..., regressions: _Optional[_Iterable[_Union[Regression, _Mapping]]] = ...) -> None: ...

class Regression(_message.Message):
    __slots__ = ("test_case_id", "baseline_value", "candidate_value", "difference", "baseline_run_ids", "candidate_run_ids")
    TEST_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    BASELINE_VALUE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_VALUE_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    BASELINE_RUN_IDS_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_RUN_IDS_FIELD_NUMBER: _ClassVar[int]
    test_case_id: str
    baseline_value: float
    candidate_value: float
    difference: float
    baseline_run_ids: _containers.RepeatedScalarFieldContainer[str]
    candidate_run_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, test_case_id: _Optional[str] = ..., baseline_value: _Optional[float] = ..., candidate_value: _Optional[float] = ..., difference: _Optional[float] = ..., baseline_run_ids: _Optional[_Iterable[str]] = ..., candidate_run_ids: _Optional[_Iterable[str]] = ...) -> None: ...
