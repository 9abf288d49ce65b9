"""How sure a route is: the bootstrap share of resamples in which the winner stays first.

numpy is imported inside `_win_share` only: the CLI parser imports the routing modules and
must start fast, and only `route` with a runner-up draws resamples.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from modelduel.core.blas_threads import import_numpy_with_one_blas_thread
from modelduel.core.routing_cells import BOOTSTRAP_SAMPLES, OBJECTIVES, CellStats, _Run


def _canon(x: float) -> float:
    # 12 significant digits: equal-looking figures tie instead of being split by rounding.
    return x if math.isinf(x) else float(f"{x:.12g}")


_Key = tuple[float, float]


def _rank_key(cell: CellStats, objective: str) -> _Key | None:
    """Sort key (smaller is better) of a cell under an objective; None if ineligible."""
    avg = _canon(cell.avg_score)
    if objective == "quality-per-cost":
        if cell.quality_per_cost is None:  # None already when nothing succeeded
            return None
        return (-_canon(cell.quality_per_cost), -avg)
    if objective == "cost":
        if cell.cost_per_success is None:
            return None
        return (_canon(cell.cost_per_success), -avg)
    if objective == "quality":
        cps = cell.cost_per_success
        return (-avg, math.inf if cps is None else _canon(cps))
    if objective == "latency":
        if cell.median_ttfu_s is None:
            return None
        return (_canon(cell.median_ttfu_s), -avg)
    raise ValueError(f"unknown objective {objective!r} (choose from {', '.join(OBJECTIVES)})")


# Resamples are scored in chunks of about this many drawn runs, so memory stays bounded
# (a few tens of MB) however many runs a cell has.
_CHUNK_DRAWS = 1 << 20


def _bootstrap_seed(best: CellStats, other: CellStats, objective: str) -> int:
    """The resamples' seed: from the cell names (never `hash()`, which each process salts)."""
    names = f"{best.task_type}\x00{best.model}\x00{other.model}\x00{objective}"
    return int.from_bytes(hashlib.sha256(names.encode()).digest()[:8], "little")


def _win_share(best: CellStats, other: CellStats, objective: str) -> float:
    """Share of bootstrap resamples in which `best` still ranks strictly above `other`.

    Each resample draws `len(runs)` runs with replacement from `best`, then from `other`
    (numpy's `Generator.integers`, PCG64, seeded by the cell names: the same CSV gives the
    same share and the same route in every process, whatever the row order, because
    runs_detail is sorted), and ranks the two resampled cells with `_rank_key`. It is the
    bootstrap of the plain definition (`random.choices` per resample) in distribution,
    not draw for draw: the share agrees with that reference within its resampling noise,
    and drawing integer indices directly costs half of reproducing `random`'s uniforms.
    A resample's sums are gathered from the drawn indices and its median ttfu read from
    how many times it drew each run (a counts matrix): nothing is sorted per resample.
    Sums are plain float sums rather than `math.fsum`; figures are compared at 12
    significant digits, so the two agree unless a figure falls within a few ulps of a
    rounding boundary.
    """
    import_numpy_with_one_blas_thread()  # the first numpy import of a TUI report, often
    import numpy as np  # noqa: PLC0415 - the CLI parser imports this module; start fast

    rng = np.random.default_rng(_bootstrap_seed(best, other, objective))
    na, nb = best.runs, other.runs
    chunk = max(1, _CHUNK_DRAWS // (na + nb))
    cell_a, cell_b = _Columns.of(np, best), _Columns.of(np, other)
    wins = 0
    done = 0
    while done < BOOTSTRAP_SAMPLES:
        size = min(chunk, BOOTSTRAP_SAMPLES - done)
        keys_a = _resample_keys(np, cell_a, rng.integers(0, na, (size, na)), objective)
        keys_b = _resample_keys(np, cell_b, rng.integers(0, nb, (size, nb)), objective)
        wins += _wins(np, keys_a, keys_b)
        done += size
    return wins / BOOTSTRAP_SAMPLES


# Two figures whose difference is over this share of the larger one keep their order
# through `_canon` (12 significant digits move a figure by at most 5e-12 of itself).
_CLEAR = 1e-9


def _wins(np: Any, keys_a: _Keys, keys_b: _Keys) -> int:
    """How many resamples rank `a` strictly above `b`: `ka is not None and (kb is None or
    ka < kb)` with each key `(_canon(first), _canon(second))`, as `_rank_key` builds it.

    A pair whose first figures are finite and clearly apart (`_CLEAR`) is decided by them
    as they are; only the others (ties, near ties, infinite figures) build the keys.
    """
    valid_a, first_a, second_a = keys_a
    valid_b, first_b, second_b = keys_b
    wins = int(np.count_nonzero(valid_a & ~valid_b))
    both = valid_a & valid_b
    with np.errstate(invalid="ignore"):  # inf - inf: not clear, decided below
        clear = (
            both
            & np.isfinite(first_a)
            & np.isfinite(first_b)
            & (np.abs(first_a - first_b) > _CLEAR * np.maximum(np.abs(first_a), np.abs(first_b)))
        )
    wins += int(np.count_nonzero(clear & (first_a < first_b)))
    for i in np.flatnonzero(both & ~clear).tolist():
        ka = (_canon(float(first_a[i])), _canon(float(second_a[i])))
        kb = (_canon(float(first_b[i])), _canon(float(second_b[i])))
        wins += ka < kb
    return wins


@dataclass(frozen=True)
class _Columns:
    """A cell's runs as arrays, built once per bootstrap rather than once per chunk."""

    runs: tuple[_Run, ...]
    scores: Any  # float64 per run
    costs: Any  # float64 per run
    flags: Any  # int64 per run: 1 if a success, plus 1 << 32 if unpriced
    timed: list[int]  # runs with a ttfu, in ttfu order
    ttfus: Any  # their ttfus, sorted
    # int64 per run: score << 40 | unpriced << 20 | success, when every score is a whole
    # number and the cell has under 2**20 runs, so one gather sums all three; else None
    packed: Any = None

    @staticmethod
    def of(np: Any, cell: CellStats) -> _Columns:
        runs = cell.runs_detail
        # one transpose, then whole columns: 4,000 runs a cell took ~3 ms as four list loops
        score_col, cost_col, ttfu_col, unpriced_col = zip(*runs, strict=True) if runs else ((),) * 4
        scores = np.array(score_col, dtype=np.float64)
        costs = np.array(cost_col, dtype=np.float64)
        unpriced = np.array(unpriced_col, dtype=np.int64)
        flags = (scores >= cell.success_score).astype(np.int64) + (unpriced << 32)
        # a missing ttfu (None) reads as NaN; a parsed ttfu is never NaN (`parse_number`)
        all_ttfus = np.array(ttfu_col, dtype=np.float64)
        has_ttfu = np.flatnonzero(~np.isnan(all_ttfus))
        # stable, as `sorted`: runs with equal ttfus stay in run order
        by_ttfu = has_ttfu[np.argsort(all_ttfus[has_ttfu], kind="stable")]
        timed = by_ttfu.tolist()
        ttfus = all_ttfus[by_ttfu]
        packed = None
        whole = scores == np.floor(scores)
        if len(runs) < _PACK_LIMIT and bool(whole.all()) and bool((scores >= 0).all()):
            # a sum of whole scores is exact in float64 as in int64: the same averages
            packed = (scores.astype(np.int64) << 40) | ((flags >> 32) << 20) | (flags & 0xFFFFFFFF)
        return _Columns(runs, scores, costs, flags, timed, ttfus, packed)


_PACK_LIMIT = 1 << 20


# Each resample's key as arrays: (has a key, first figure, second figure), the figures
# not yet through `_canon` (`_wins` applies it where the order could depend on it).
_Keys = tuple[Any, Any, Any]


def _resample_keys(np: Any, cell: _Columns, picks: Any, objective: str) -> _Keys:
    """`_rank_key` of each resample of `cell` (a row of `picks` holds its drawn run
    indices), as arrays: the key is `(_canon(first), _canon(second))` where valid, and
    `_canon(-x) == -_canon(x)` (rounding to 12 digits is symmetric), so a negated figure
    is negated before the rounding."""
    n = len(cell.runs)
    size = picks.shape[0]
    # Gathered sums, not a counts matrix times the columns: `@` goes to a multithreaded
    # BLAS that spins for seconds on a busy 2-core machine, and einsum on integers is slow.
    if cell.packed is not None:
        sums = cell.packed[picks].sum(axis=1)
        avg = (sums >> 40) / n
        successes, unpriced = sums & 0xFFFFF, (sums >> 20) & 0xFFFFF
    else:
        avg = cell.scores[picks].sum(axis=1) / n
        flags = cell.flags[picks].sum(axis=1)  # successes + unpriced << 32
        successes, unpriced = flags & 0xFFFFFFFF, flags >> 32
    if objective == "latency":
        offsets = (np.arange(size, dtype=np.int64) * n)[:, None]
        # counts[i, j]: how many times resample i drew run j
        counts = np.bincount((picks + offsets).ravel(), minlength=size * n).reshape(size, n)
        medians = np.array(
            [math.nan if m is None else m for m in _resample_medians(np, cell, counts)],
            dtype=np.float64,
        )
        return ~np.isnan(medians), medians, -avg
    # costs only here: the latency key does not use them
    total = cell.costs[picks].sum(axis=1)
    has_cps = (successes > 0) & (unpriced == 0)
    cps = np.where(has_cps, total / np.maximum(successes, 1), np.nan)
    if objective == "quality-per-cost":
        with np.errstate(divide="ignore", invalid="ignore"):
            # a free cell's quality per cost is infinite (as `math.inf if c == 0`)
            qpc = np.where(cps == 0, math.inf, avg / np.where(cps == 0, 1.0, cps))
        return has_cps, -qpc, -avg
    if objective == "cost":
        return has_cps, cps, -avg
    if objective == "quality":
        return np.ones(size, dtype=bool), -avg, np.where(has_cps, cps, math.inf)
    raise ValueError(f"unknown objective {objective!r}")


def _resample_medians(np: Any, cell: _Columns, counts: Any) -> list[float | None]:
    """The median ttfu of each resample (a row of `counts`), as `statistics.median`."""
    timed, values = cell.timed, cell.ttfus
    if not timed:
        return [None] * counts.shape[0]
    cumulative = np.cumsum(counts[:, timed], axis=1)
    m = cumulative[:, -1]
    low_pos, high_pos = (m - 1) // 2, m // 2
    # the element at sorted position p is the first value whose cumulative count exceeds p
    low = values[np.minimum((cumulative <= low_pos[:, None]).sum(axis=1), len(timed) - 1)]
    high = values[np.minimum((cumulative <= high_pos[:, None]).sum(axis=1), len(timed) - 1)]
    median = np.where(m % 2 == 1, high, (low + high) / 2)
    return [None if k == 0 else float(v) for k, v in zip(m.tolist(), median.tolist(), strict=True)]
