"""The route's bootstrap share, compared resample by resample without a key per resample,
is the share of the per-resample `_rank_key` comparison it replaced, exactly.

`_reference_share` is `routing_bootstrap._win_share` as it was at c6c8636: every resample's
key built in Python (`_canon` of each figure) and compared as a tuple. The vectorised
comparison must count the very same wins, on clear leads, exact ties, near ties (figures
equal to 12 significant digits, not in float), free models (an infinite quality per
cost), unpriced runs and every objective.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest

from modelduel.core.routing import BOOTSTRAP_SAMPLES, OBJECTIVES, CellStats, compute_stats
from modelduel.core.routing_bootstrap import (
    _bootstrap_seed,
    _canon,
    _Columns,
    _resample_medians,
    _win_share,
)


def _reference_keys(cell: _Columns, picks: Any, objective: str) -> list[Any]:
    n = len(cell.runs)
    size = picks.shape[0]
    if cell.packed is not None:
        sums = cell.packed[picks].sum(axis=1)
        avg = (sums >> 40) / n
        successes, unpriced = sums & 0xFFFFF, (sums >> 20) & 0xFFFFF
    else:
        avg = cell.scores[picks].sum(axis=1) / n
        flags = cell.flags[picks].sum(axis=1)
        successes, unpriced = flags & 0xFFFFFFFF, flags >> 32
    avgs = [_canon(x) for x in avg.tolist()]
    if objective == "latency":
        offsets = (np.arange(size, dtype=np.int64) * n)[:, None]
        counts = np.bincount((picks + offsets).ravel(), minlength=size * n).reshape(size, n)
        medians = _resample_medians(np, cell, counts)
        return [None if m is None else (_canon(m), -a) for m, a in zip(medians, avgs, strict=True)]
    total = cell.costs[picks].sum(axis=1)
    has_cps = (successes > 0) & (unpriced == 0)
    cps = np.where(has_cps, total / np.maximum(successes, 1), np.nan)
    keys: list[Any] = []
    for a, raw_avg, ok, c in zip(avgs, avg.tolist(), has_cps.tolist(), cps.tolist(), strict=True):
        if objective == "quality-per-cost":
            keys.append((-_canon(math.inf if c == 0 else raw_avg / c), -a) if ok else None)
        elif objective == "cost":
            keys.append((_canon(c), -a) if ok else None)
        else:
            keys.append((-a, _canon(c) if ok else math.inf))
    return keys


def _reference_share(best: CellStats, other: CellStats, objective: str) -> float:
    rng = np.random.default_rng(_bootstrap_seed(best, other, objective))
    na, nb = best.runs, other.runs
    chunk = max(1, (1 << 20) // (na + nb))
    cell_a, cell_b = _Columns.of(np, best), _Columns.of(np, other)
    wins = done = 0
    while done < BOOTSTRAP_SAMPLES:
        size = min(chunk, BOOTSTRAP_SAMPLES - done)
        keys_a = _reference_keys(cell_a, rng.integers(0, na, (size, na)), objective)
        keys_b = _reference_keys(cell_b, rng.integers(0, nb, (size, nb)), objective)
        for ka, kb in zip(keys_a, keys_b, strict=True):
            if ka is not None and (kb is None or ka < kb):
                wins += 1
        done += size
    return wins / BOOTSTRAP_SAMPLES


def _row(model: str, score: object, cost: str, ttfu: str) -> dict[str, str]:
    return {
        "task_id": "t",
        "task_type": "x",
        "model": model,
        "score": str(score),
        "time_to_first_useful_s": ttfu,
        "cost_usd": cost,
    }


def _cells(rows: list[dict[str, str]]) -> tuple[CellStats, CellStats]:
    a, b = compute_stats(rows, success_score=4)
    return a, b


def _random_cells(seed: int, runs: int, lead: float) -> tuple[CellStats, CellStats]:
    gen = random.Random(seed)
    rows = []
    for model, shift in (("a", 0.0), ("b", lead)):
        for _ in range(runs):
            score = min(5, max(0, round(gen.gauss(3 + shift, 1.2))))
            cost = gen.choice([f"{gen.uniform(0.001, 0.05):.4f}", "0", "", "0.01"])
            ttfu = gen.choice(["", f"{gen.uniform(0.2, 3):.3f}", "1.5"])
            rows.append(_row(model, score, cost, ttfu))
    return _cells(rows)


def _twin_cells(scale: float) -> tuple[CellStats, CellStats]:
    """Two cells of alike runs (few distinct scores, one cost and ttfu each), `b`'s cost
    `scale` times `a`'s: many resamples tie on the first figure, and with a scale of
    1 + 1e-14 it differs in float but not at 12 significant digits."""
    gen = random.Random(3)
    rows = []
    for _ in range(12):
        score = gen.choice([4, 4, 4, 5])
        rows.append(_row("a", score, repr(0.0123), "1.250"))
        rows.append(_row("b", score, repr(0.0123 * scale), "1.250"))
    return _cells(rows)


def _free_cells() -> tuple[CellStats, CellStats]:
    """Both free (quality per cost infinite in many resamples) with different scores."""
    rows = [_row(m, s, "0", "1.0") for m, s in (("a", 4), ("a", 5), ("b", 4), ("b", 3))] * 5
    return _cells(rows)


def _rare_success_cells() -> tuple[CellStats, CellStats]:
    """`b` succeeds in 1 run of 8 and has an unpriced run: many of its resamples have no
    key (no success, or a run without a price) while `a`'s have one, and the other way."""
    rows = [_row("a", s, "0.02", "1.0") for s in (4, 5, 3, 4, 2, 4, 5, 1)]
    rows += [_row("b", s, c, "0.5") for s, c in [(4, "0.01")] + [(2, "0.01")] * 6 + [(1, "")]]
    return _cells(rows)


def _fractional_cells() -> tuple[CellStats, CellStats]:
    """Scores in halves: the unpacked gather (`_Columns.packed` is None)."""
    gen = random.Random(11)
    rows = [
        _row(m, gen.choice([2.5, 3.5, 4, 4.5, 5]), f"{gen.uniform(0.01, 0.02):.4f}", "2.0")
        for m in ("a", "b")
        for _ in range(30)
    ]
    return _cells(rows)


CASES = {
    f"random-{s}": (s, runs, lead) for s, runs, lead in [(1, 6, 0.0), (2, 12, 0.4), (4, 30, 1.0)]
}


def _all_pairs() -> list[tuple[str, CellStats, CellStats]]:
    pairs = [(name, *_random_cells(*args)) for name, args in CASES.items()]
    pairs += [("tie", *_twin_cells(1.0)), ("near-tie", *_twin_cells(1 + 1e-14))]
    pairs += [("apart", *_twin_cells(1 + 1e-6))]
    pairs += [("free", *_free_cells()), ("halves", *_fractional_cells())]
    pairs += [("rare", *_rare_success_cells())]
    return pairs


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize(("name", "first", "second"), _all_pairs(), ids=lambda v: str(v)[:12])
def test_the_share_is_the_per_resample_keys_share(
    objective: str, name: str, first: CellStats, second: CellStats
) -> None:
    for a, b in ((first, second), (second, first)):
        assert _win_share(a, b, objective) == _reference_share(a, b, objective), name


def test_the_cases_reach_every_branch_of_the_comparison() -> None:
    # guards the test itself: the near tie decides resamples on the second figure, and a
    # share strictly between 0 and 1 comes from both wins and losses
    a, b = _twin_cells(1 + 1e-14)
    assert _canon(a.quality_per_cost or 0) == _canon(b.quality_per_cost or 0)
    assert a.quality_per_cost != b.quality_per_cost
    shares = {_reference_share(*_random_cells(2, 12, 0.4), o) for o in OBJECTIVES}
    assert any(0 < s < 1 for s in shares)
