"""The statistics of a comparison, vectorised with numpy (no per-pair Python loops).

Paired (runs matched by test case): the mean difference candidate - baseline, its 95%
confidence interval by a percentile bootstrap of the pairs (fixed seed: the same data gives
the same answer), and the two-sided Wilcoxon signed-rank p-value (zero differences dropped;
exact distribution up to 50 pairs without ties, else the normal approximation with the tie
correction), as scipy.stats.wilcoxon computes them.
Unpaired (nothing to match): the difference of means, a bootstrap of each side on its own, and
the two-sided Mann-Whitney U p-value (normal approximation, tie and continuity corrections).
Across metrics, p-values are adjusted with Holm's step-down method.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20261123
CONFIDENCE = 0.95
# Resamples drawn at once: bounds the memory of the bootstrap to ~RESAMPLE_BLOCK * n floats.
RESAMPLE_BLOCK = 200
EXACT_WILCOXON_MAX_PAIRS = 50
PERMUTATION_MAX_PAIRS = 13


def bootstrap_means(values: Floats, seed: int = BOOTSTRAP_SEED) -> Floats:
    """The means of each column of `values` (n units x m metrics; NaN where a unit has no
    value for a metric) in BOOTSTRAP_RESAMPLES resamples of whole units: every metric sees
    the same resamples, so paired differences stay paired. Returns a resamples x m array."""
    units, metrics = values.shape
    if units == 0:
        return np.full((BOOTSTRAP_RESAMPLES, metrics), np.nan)
    present = (~np.isnan(values)).astype(np.float64)
    filled = np.where(present > 0, values, 0.0)
    rng = np.random.default_rng(seed)
    means: list[Floats] = []
    remaining = BOOTSTRAP_RESAMPLES
    while remaining:
        block = min(RESAMPLE_BLOCK, remaining)
        remaining -= block
        picks = rng.integers(0, units, size=(block, units))
        # How often each unit is drawn in each resample: then one matrix product gives the
        # resampled sums of every metric at once.
        offsets = (np.arange(block) * units)[:, None]
        weights = np.bincount((picks + offsets).ravel(), minlength=block * units)
        weights = weights.reshape(block, units).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            means.append((weights @ filled) / (weights @ present))
    return np.concatenate(means)


def percentile_intervals(resampled: Floats) -> Floats:
    """The central CONFIDENCE interval of each column of resampled statistics: an (m, 2)
    array of (lower, upper); NaN for a column without values."""
    tail = (1 - CONFIDENCE) / 2 * 100
    intervals = np.full((resampled.shape[1], 2), np.nan)
    for metric in range(resampled.shape[1]):
        column = resampled[:, metric]
        column = column[~np.isnan(column)]
        if column.size:
            intervals[metric] = np.percentile(column, [tail, 100 - tail])
    return intervals


def wilcoxon_signed_rank(differences: Floats) -> float:
    """Two-sided p-value of the Wilcoxon signed-rank test of paired differences, computed as
    scipy.stats.wilcoxon's default does: zero differences dropped; the exact distribution for
    up to 50 pairs without ties or zeros; with ties or zeros, the exact permutation
    distribution of the signed ranks for up to 13 pairs; else the normal approximation with
    the tie correction."""
    nonzero = differences[differences != 0]
    n = nonzero.size
    if n == 0:
        return 1.0
    ranks, tie_sizes = _average_ranks(np.abs(nonzero))
    r_plus = float(ranks[nonzero > 0].sum())
    r_minus = float(ranks[nonzero < 0].sum())
    irregular = bool((tie_sizes > 1).any()) or n < differences.size
    if not irregular and differences.size <= EXACT_WILCOXON_MAX_PAIRS:
        return min(1.0, 2.0 * _signed_rank_cdf(n, round(min(r_plus, r_minus))))
    if irregular and differences.size <= PERMUTATION_MAX_PAIRS:
        return _signed_rank_permutation(ranks, r_plus)
    mean = n * (n + 1) / 4
    variance = n * (n + 1) * (2 * n + 1) / 24 - float((tie_sizes**3 - tie_sizes).sum()) / 48
    if variance <= 0:
        return 1.0
    z = (min(r_plus, r_minus) - mean) / math.sqrt(variance)
    return min(1.0, math.erfc(abs(z) / math.sqrt(2)))


def _signed_rank_permutation(ranks: Floats, observed: float) -> float:
    """Two-sided p-value of W+ over all 2^n sign assignments of the (tied) ranks."""
    n = ranks.size
    patterns = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    null = patterns @ ranks
    tolerance = abs(observed) * 1e-12
    less = float(np.mean(null <= observed + tolerance))
    greater = float(np.mean(null >= observed - tolerance))
    return min(1.0, 2.0 * min(less, greater))


def mann_whitney_u(baseline: Floats, candidate: Floats) -> float:
    """Two-sided p-value of the Mann-Whitney U test (normal approximation)."""
    n1, n2 = baseline.size, candidate.size
    if n1 == 0 or n2 == 0:
        return 1.0
    ranks, tie_sizes = _average_ranks(np.concatenate([baseline, candidate]))
    u1 = float(ranks[:n1].sum()) - n1 * (n1 + 1) / 2
    mean = n1 * n2 / 2
    n = n1 + n2
    tie_term = float((tie_sizes**3 - tie_sizes).sum()) / (n * (n - 1)) if n > 1 else 0.0
    variance = n1 * n2 / 12 * ((n + 1) - tie_term)
    if variance <= 0:
        return 1.0
    u = max(u1, n1 * n2 - u1)
    z = (u - mean - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2)))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values (same order as given)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def _average_ranks(values: Floats) -> tuple[Floats, Floats]:
    """Ranks 1..n of `values` (ties share their average rank) and the size of every group of
    equal values."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, ordered.size]).astype(np.float64)
    group_ranks = starts + (sizes + 1) / 2
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(group_ranks, sizes.astype(np.int64))
    return ranks, sizes


def _signed_rank_cdf(n: int, statistic: int) -> float:
    """P(W+ <= statistic) for n untied, non-zero differences: each rank is in W+ or not with
    probability 1/2, so the number of subsets of {1..n} by sum is the exact distribution."""
    total = n * (n + 1) // 2
    counts = np.zeros(total + 1)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        counts[rank:] = counts[rank:] + counts[: total + 1 - rank].copy()
    return float(counts[: statistic + 1].sum() / counts.sum())
