"""The Bradley–Terry fit behind `core.preference`: strengths from win counts.

Newton–Raphson on the log-posterior (the fixed point of Hunter's 2004 MM algorithm, in far
fewer steps), run for every bootstrap resample at once with numpy; a weak prior of
`DEFAULT_PRIOR_GAMES` virtual games against a reference keeps every strength finite; and
every comparison of the coded runs (`_pairs`), the fit's input. The resamples are drawn in
`core.duel_bootstrap`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

DEFAULT_PRIOR_GAMES = 1.0
_MAX_ITERATIONS = 100
_MAX_STEP = 2.0
_TOLERANCE = 1e-10

_Floats = npt.NDArray[np.float64]
_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


def _sigmoid(x: _Floats) -> _Floats:
    out: _Floats = 1.0 / (1.0 + np.exp(-np.clip(x, -500.0, 500.0)))
    return out


def fit_strengths(
    wins: _Floats, prior_games: float = DEFAULT_PRIOR_GAMES, start: _Floats | None = None
) -> _Floats:
    """Bradley–Terry log strengths by Newton–Raphson, for many win matrices at once.

    The model: P(i beats j) = sigma(s_i - s_j), sigma the logistic function. With the
    prior (`prior_games` games against a reference at s = 0, half won) the log-posterior
    is  sum_ij w_ij log sigma(s_i - s_j) + sum_i c/2 log sigma(s_i) + c/2 log sigma(-s_i);
    its gradient is g_i = W_i - sum_j N_ij sigma(s_i - s_j) + c/2 - c sigma(s_i) (W_i
    model i's wins, N_ij the games of i and j) and its Hessian is minus a weighted graph
    Laplacian minus c sigma(s_i)(1 - sigma(s_i)) on the diagonal: negative definite for
    c > 0, so the maximum is unique and Newton's method converges to it. A step is
    shortened to at most 2 in any log strength (a trust region, so the first steps of an
    extreme record cannot overshoot); iteration stops when no step exceeds 1e-10 or after
    100 steps. This is the same fixed point as Hunter's (2004) MM algorithm (the likelihood
    equations W_i + c/2 = sum_j N_ij sigma(s_i - s_j) + c sigma(s_i)), reached in ~10
    steps instead of thousands. With c = 0 the scale is free and the pseudo-inverse takes
    the step orthogonal to it.

    Args:
        wins: shape (..., m, m); wins[..., i, j] = wins of model i over model j (ties
            count half for each side).
        prior_games: virtual games per model against the reference (>= 0; 0 = pure MLE,
            which diverges towards +-inf for an undefeated or winless model and then
            stops at the step limit).
        start: log strengths to start from (broadcast to shape (..., m); default 0). The
            maximum is unique, so the start changes the steps taken, not the answer: the
            bootstrap starts its resamples at the point estimate, a few steps away.

    Returns:
        Log strengths of shape (..., m), each row anchored to mean 0.

    Raises:
        ValueError: a negative prior.
    """
    if prior_games < 0:
        raise ValueError(f"prior_games must be >= 0, not {prior_games}")
    wins = np.asarray(wins, dtype=np.float64)
    games = wins + np.swapaxes(wins, -1, -2)
    won = wins.sum(axis=-1) + prior_games / 2
    c = prior_games
    s = np.zeros(wins.shape[:-1])
    if start is not None:
        s = s + start
    eye = np.eye(wins.shape[-1], dtype=bool)
    for _ in range(_MAX_ITERATIONS):
        sig = _sigmoid(s[..., :, None] - s[..., None, :])
        sig_ref = _sigmoid(s)
        gradient = won - (games * sig).sum(axis=-1) - c * sig_ref
        weight = games * sig * (1.0 - sig)
        hessian = weight - np.where(eye, weight.sum(axis=-1)[..., None], 0.0)
        hessian = hessian - np.where(eye, (c * sig_ref * (1.0 - sig_ref))[..., None], 0.0)
        if c > 0:
            step = -np.linalg.solve(hessian, gradient[..., None])[..., 0]
        else:
            step = -(np.linalg.pinv(hessian) @ gradient[..., None])[..., 0]
        largest = np.max(np.abs(step), axis=-1, keepdims=True, initial=0.0)
        step = step * np.minimum(1.0, _MAX_STEP / np.maximum(largest, 1e-300))
        s = s + step
        if float(np.max(largest, initial=0.0)) < _TOLERANCE:
            break
    centred: _Floats = s - s.mean(axis=-1, keepdims=True)
    return centred


def _pairs(
    duel: _Ints, model: _Ints, rank: _Floats, score: _Floats
) -> tuple[_Ints, _Ints, _Ints, _Floats, _Bools]:
    """Every comparison of the coded runs, vectorised: (duel, first, second, first_wins, by_rank).

    Runs are sorted by duel, so two runs of one duel are at most (largest duel - 1) apart:
    pairing each run with the one `offset` places on, for every offset, visits each pair
    of a duel exactly once in a handful of whole-array steps.
    """
    order = np.lexsort((score, rank, model, duel))
    duel, model, rank, score = duel[order], model[order], rank[order], score[order]
    largest = int(np.bincount(duel).max()) if duel.size else 0
    parts: list[tuple[_Ints, _Ints]] = []
    for offset in range(1, largest):
        a = np.arange(duel.size - offset)
        b = a + offset
        keep = (duel[a] == duel[b]) & (model[a] != model[b])
        parts.append((a[keep], b[keep]))
    a = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    b = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    # One ranked run is enough: a run left unplaced (`o c` ranks C only) is below it.
    by_rank = ~np.isnan(rank[a]) | ~np.isnan(rank[b])
    by_score = ~by_rank & ~np.isnan(score[a]) & ~np.isnan(score[b])
    placed = np.where(np.isnan(rank), np.inf, rank)
    # a's outcome: lower rank wins, higher score wins, equal is half a win each.
    with np.errstate(invalid="ignore"):
        a_wins = np.where(
            by_rank,
            0.5 + 0.5 * np.sign(placed[b] - placed[a]),
            0.5 + 0.5 * np.sign(score[a] - score[b]),
        )
    used = by_rank | by_score
    a, b, a_wins, by_rank = a[used], b[used], a_wins[used], by_rank[used]
    swap = model[a] > model[b]
    first = np.where(swap, model[b], model[a])
    second = np.where(swap, model[a], model[b])
    first_wins = np.where(swap, 1.0 - a_wins, a_wins)
    return duel[a], first, second, first_wins, by_rank
