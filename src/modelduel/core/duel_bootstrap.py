"""The Bradley–Terry bootstrap's resamples: win matrices of duels drawn with replacement.

`core.preference` fits each resample with `core.bradley_terry.fit_strengths`; this module
only draws them (whole duels, so the runs of one duel stay together), choosing per task
type the cheaper of two ways that have the same distribution. No fitting, no I/O.
"""

from __future__ import annotations

import numpy as np

from modelduel.core.bradley_terry import _Floats, _Ints


def _bootstrap(per_duel: _Floats, samples: int, rng: np.random.Generator) -> _Floats:
    """Win matrices of `samples` resamples of the duels (drawn with replacement), flat.

    A resample's win matrix is the sum of its duels' matrices: how many of the n drawn
    duels come from each *distinct* win matrix (with 5 models and 0-5 scores, at most a few
    hundred however many duels there are) times those matrices. The counts come from a
    multinomial with the distinct matrices' shares, which costs about one binomial per
    distinct matrix; when there are few duels per distinct matrix, drawing the n duels
    one by one and counting them is cheaper (`_DUELS_PER_PATTERN`) and has the same
    distribution.
    """
    n = per_duel.shape[0]
    patterns, counts = _distinct(per_duel)
    if n <= _DUELS_PER_PATTERN * len(counts):
        draws = _counts_of_drawn_duels(counts, samples, rng)
    else:
        draws = rng.multinomial(n, counts / n, size=samples)
    resampled: _Floats = draws.astype(np.float64) @ patterns
    return resampled


# Measured (numpy 2.4, 1,000 resamples, 500 distinct matrices, session 2026-12-02 16:26
# UTC): the multinomial costs 70-145 us per distinct matrix (more as n grows), drawing and
# counting 2.5-3.3 us per duel: 36 vs 13 ms at 4 duels per matrix, 45 vs 25 at 8, 71 vs
# 51 at 20, equal at ~28. (The old threshold, 6, sent 200k rows' 7.4 to the multinomial.)
_DUELS_PER_PATTERN = 24
# Duels drawn per block when drawing one by one: bounded memory (4 MB of indices, and as
# much again for their patterns; at 1 << 20 the 200k-row `route` peaked 17 MB higher).
_BLOCK_DRAWS = 1 << 19


def _counts_of_drawn_duels(counts: _Ints, samples: int, rng: np.random.Generator) -> _Ints:
    """How many duels of each distinct matrix each resample drew, drawing n duels each."""
    distinct, n = len(counts), int(counts.sum())
    pattern_of = np.repeat(np.arange(distinct, dtype=np.int64), counts)
    block = max(1, _BLOCK_DRAWS // max(n, 1))
    parts: list[_Ints] = []
    for start in range(0, samples, block):
        size = min(block, samples - start)
        drawn = pattern_of[rng.integers(0, n, (size, n))]
        drawn += (np.arange(size, dtype=np.int64) * distinct)[:, None]  # one row per resample
        parts.append(np.bincount(drawn.ravel(), minlength=size * distinct).reshape(size, distinct))
    return np.concatenate(parts) if parts else np.zeros((0, distinct), np.int64)


def _distinct(per_duel: _Floats) -> tuple[_Floats, _Ints]:
    """The distinct rows of `per_duel` (sorted) and how often each occurs.

    Every cell is a count of half wins (a multiple of 0.5), so twice a row, read as the
    digits of a number in base (largest cell + 1), is a key unique to the row: one sort of
    integers instead of `np.unique(axis=0)`'s sort of whole rows. Rows too wide for a
    64-bit key (many models) take `np.unique(axis=0)`.
    """
    doubled = np.rint(per_duel * 2).astype(np.int64)
    base = int(doubled.max(initial=0)) + 1
    cells = per_duel.shape[1]
    if base**cells >= 2**62:
        patterns, counts = np.unique(per_duel, axis=0, return_counts=True)
        return patterns, counts.astype(np.int64)
    keys = doubled @ (base ** np.arange(cells, dtype=np.int64))
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    return per_duel[first], counts.astype(np.int64)
