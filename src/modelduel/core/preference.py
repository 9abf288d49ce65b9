"""Bradley–Terry strengths per model and task type, from what happened inside each duel.

Pure functions over rows of the results CSV (column -> text); no I/O, no UI. The method is
Chatbot Arena's: pairwise outcomes -> a Bradley–Terry fit -> bootstrap intervals.

Which pairs of runs inside a duel are compared, decided by rank or else by score, with
ties as half a win each side, is `core.comparisons`; this module fits strengths to them.

**The prior.** Each model also plays `prior_games` virtual games (default 1) against a
virtual reference model of strength 1, winning half of them. This is a weak prior that pulls
every strength towards the reference: it keeps a model that never loses (whose maximum
likelihood strength is infinite) finite, and gives models whose comparison graph is not
connected a defined (if uninformative) place. Its effect: with n real games, a model's
log strength moves by about 1/(n + prior_games) of the way towards 0, so it matters with a
handful of duels and fades with more. `prior_games=0` is the pure maximum likelihood fit,
which exists only when every split of the models has a win each way.

Strengths are reported as natural-log strengths anchored so that their mean is 0 (the
geometric mean of the strengths is 1): P(i beats j) = 1 / (1 + exp(s_j - s_i)).
The fit is Newton–Raphson on the log-posterior (the fixed point of Hunter's 2004 MM
algorithm, in far fewer steps), run for every bootstrap resample at once with numpy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from modelduel.core.bradley_terry import (
    DEFAULT_PRIOR_GAMES,
    _Bools,
    _Floats,
    _Ints,
    _pairs,
    fit_strengths,
)
from modelduel.core.comparisons import rank_cell, score_cell
from modelduel.core.counted import ranked_cell, scored_cell
from modelduel.core.duel_bootstrap import _bootstrap

__all__ = [
    "BOOTSTRAP_SAMPLES",
    "CodedRuns",
    "ModelStrength",
    "TaskPreference",
    "coded_runs",
    "coded_runs_of_columns",
    "preference_table",
]

BOOTSTRAP_SAMPLES = 1000


@dataclass(frozen=True)
class ModelStrength:
    """One model's Bradley–Terry strength within a task type.

    Attributes:
        model: the model as written in the CSV.
        strength: log strength, anchored so the task type's strengths have mean 0.
        low: 2.5 % bootstrap percentile of the strength (None without a bootstrap).
        high: 97.5 % bootstrap percentile (None without a bootstrap).
        duels: duels in which this model had at least one comparison.
        wins: real wins (ties count half), the prior's virtual games excluded.
        games: real comparisons.
        component: index of the model's connected part of the comparison graph (0 is the
            part of the first model by name); strengths in different parts are not
            comparable, only each pulled towards the reference by the prior.
    """

    model: str
    strength: float
    low: float | None
    high: float | None
    duels: int
    wins: float
    games: int
    component: int


@dataclass(frozen=True)
class TaskPreference:
    """The Bradley–Terry table of one task type.

    Attributes:
        task_type: the workload kind.
        models: per model, strongest first (then by name).
        duels: duels with at least one comparison.
        connected: every model is linked to every other through comparisons.
        prior_games: the prior's virtual games per model used in the fit.
        samples: bootstrap resamples behind the intervals (0 = no intervals).
        by_rank: comparisons decided by the `rank` column (the person's preference).
        by_score: comparisons decided by score differences within the duel.
    """

    task_type: str
    models: tuple[ModelStrength, ...]
    duels: int
    connected: bool
    prior_games: float
    samples: int
    by_rank: int = 0
    by_score: int = 0


def _distinct(values: _Ints) -> _Ints:
    """`np.unique(values)`: the sorted distinct values.

    With counts asked for: plain `np.unique` asks `np.ma.is_masked`, whose first use
    imports numpy.ma (~10 ms at `route`'s start-up) for arrays that are never masked.
    """
    distinct: _Ints = np.unique(values, return_counts=True)[0]
    return distinct


def _percentiles(draws: _Floats, percents: tuple[float, ...]) -> _Floats:
    """`np.percentile(draws, percents, axis=0)` (linear), the same floats, without numpy.ma.

    `np.percentile` asks `np.unique` for the order statistics it needs, and that imports
    numpy.ma (~10 ms of `route`'s start-up). These are numpy 2's steps for the linear
    method, with the same partition (so even the sign of a zero is the same) and the same
    interpolation, `b - (b - a) (1 - t)` for t >= 0.5, else `a + (b - a) t`.
    """
    n = draws.shape[0]
    virtual = (n - 1) * np.true_divide(np.asarray(percents, dtype=np.float64), 100)
    previous = np.floor(virtual)
    following = previous + 1
    above, below = virtual >= n - 1, virtual < 0
    previous[above] = following[above] = -1
    previous[below] = following[below] = 0
    before, after = previous.astype(np.intp), following.astype(np.intp)
    part = draws.copy()
    part.partition(sorted({0, -1, *before.tolist(), *after.tolist()}), axis=0)
    a, b = part[before], part[after]
    gamma = (virtual - previous).reshape(-1, *([1] * (draws.ndim - 1)))
    diff = b - a
    out: _Floats = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    nan_columns = np.isnan(part[-1, ...])
    if nan_columns.any():
        out[..., nan_columns] = np.nan
    return out


def _task_table(
    task_type: str,
    model_names: list[str],
    duel: _Ints,
    first: _Ints,
    second: _Ints,
    first_wins: _Floats,
    by_rank: _Bools,
    prior_games: float,
    samples: int,
    rng: np.random.Generator | None,
) -> TaskPreference:
    present = _distinct(np.concatenate([first, second]))
    models = [model_names[k] for k in present]
    m = len(models)
    i = np.searchsorted(present, first)
    j = np.searchsorted(present, second)
    duel_ids, k = np.unique(duel, return_inverse=True)
    cells = m * m
    # One flat win matrix per duel, so a bootstrap resample is a weighted sum of them.
    size = len(duel_ids) * cells
    forward = np.bincount(k * cells + i * m + j, weights=first_wins, minlength=size)
    backward = np.bincount(k * cells + j * m + i, weights=1.0 - first_wins, minlength=size)
    per_duel: _Floats = np.asarray(forward + backward, dtype=np.float64).reshape(-1, cells)
    total = per_duel.sum(axis=0).reshape(m, m)
    estimate = fit_strengths(total, prior_games)
    low = high = None
    if samples > 0 and rng is not None:
        resampled = _bootstrap(per_duel, samples, rng).reshape(samples, m, m)
        draws = fit_strengths(resampled, prior_games, start=estimate)
        low, high = _percentiles(draws, (2.5, 97.5))
    pairs = {(int(a), int(b)) for a, b in zip(*np.nonzero(total + total.T), strict=True)}
    component = _components(models, pairs)
    played = _distinct(np.concatenate([k * m + i, k * m + j])) % m
    duels_of = np.bincount(played, minlength=m)
    rows = [
        ModelStrength(
            model=name,
            strength=float(estimate[x]),
            low=None if low is None else float(low[x]),
            high=None if high is None else float(high[x]),
            duels=int(duels_of[x]),
            wins=float(total[x].sum()),
            games=round(float((total[x] + total[:, x]).sum())),
            component=component[x],
        )
        for x, name in enumerate(models)
    ]
    rows.sort(key=lambda r: (-round(r.strength, 12), r.model))
    ranked = int(by_rank.sum())
    return TaskPreference(
        task_type=task_type,
        models=tuple(rows),
        duels=len(duel_ids),
        connected=len(set(component)) <= 1,
        prior_games=prior_games,
        samples=samples if low is not None else 0,
        by_rank=ranked,
        by_score=int(by_rank.size) - ranked,
    )


def _components(models: list[str], pairs: set[tuple[int, int]]) -> list[int]:
    """The connected part of the comparison graph each model is in (union-find), numbered
    in model order: strengths compare only within one part."""
    label = list(range(len(models)))

    def root(i: int) -> int:
        while label[i] != i:
            label[i] = label[label[i]]
            i = label[i]
        return i

    for a, b in pairs:
        label[root(a)] = root(b)
    names: dict[int, int] = {}
    return [names.setdefault(root(i), len(names)) for i in range(len(models))]


@dataclass(frozen=True)
class CodedRuns:
    """The runs that can take part in a comparison, as integer-coded numpy columns.

    Names are sorted and codes are in name order, so a comparison's `first` is the
    alphabetically smaller model, as in `core.comparisons`; duels are coded in the order their
    first run appears. A missing rank or score is NaN.

    Attributes:
        task_types: the task types, sorted.
        models: the models, sorted.
        duel_type: each duel's task type (a code into `task_types`).
        duel, model: per run, its duel and model codes.
        rank, score: per run, as float64.
    """

    task_types: list[str]
    models: list[str]
    duel_type: _Ints
    duel: _Ints
    model: _Ints
    rank: _Floats
    score: _Floats


def coded_runs(rows: Iterable[Mapping[str, str]]) -> CodedRuns:
    """The rows that can take part in a comparison, coded (see `CodedRuns`).

    Raises:
        ValueError: a bad `rank` or `score` cell (see `comparisons`).
    """
    return CodedRuns(*_coded_runs(rows))


def coded_runs_of_columns(
    names: tuple[list[str], list[str], list[str], list[str]],
    task_type: _Ints,
    model: _Ints,
    score: _Floats,
    duel: _Ints,
    rank: _Ints,
) -> CodedRuns:
    """`coded_runs` of rows held as columns (`RunTable`), with whole-array steps.

    The same runs, codes and errors as `coded_runs` over the rows one at a time: 200,000
    rows take ~0.3 s of CPU that way (a dict per row) and a few milliseconds this way.

    Args:
        names: the distinct (stripped) task types, models, duel ids and `rank` cells the
            code columns index into.
        task_type, model, duel, rank: per row, codes into those names.
        score: per row, the score (NaN = not scored; the cells were checked already).

    Raises:
        ValueError: a `rank` cell is not a whole number >= 1: the first such row's, named
            by its duel, as `coded_runs` says it.
    """
    type_names, model_names, duel_ids, rank_cells = names
    rank_value = np.full(len(rank_cells), math.nan)
    bad_rank = np.zeros(len(rank_cells), dtype=bool)
    for code, text in enumerate(rank_cells):  # distinct cells: a handful
        try:
            value = rank_cell(text, "")
        except ValueError:
            bad_rank[code] = True
            continue
        rank_value[code] = math.nan if value is None else float(value)
    in_duel = np.array([bool(d) for d in duel_ids], dtype=bool)[duel]
    if bad_rank.any():
        first_bad = np.flatnonzero(in_duel & bad_rank[rank])
        if first_bad.size:
            i = int(first_bad[0])
            rank_cell(rank_cells[int(rank[i])], f"duel {duel_ids[int(duel[i])]}")
    runs_rank = rank_value[rank]
    keep = in_duel & ~(np.isnan(runs_rank) & np.isnan(score))
    task_type, model, duel = task_type[keep], model[keep], duel[keep]
    present_types, type_code = _sorted_codes(task_type, type_names)
    present_models, model_code = _sorted_codes(model, model_names)
    # duels coded in the order of their first run, as the row-by-row path numbers them
    key = task_type * max(1, len(duel_ids)) + duel
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    number = np.empty(len(order), dtype=np.int64)
    number[order] = np.arange(len(order), dtype=np.int64)
    return CodedRuns(
        present_types,
        present_models,
        type_code[task_type[first[order]]] if len(order) else np.zeros(0, dtype=np.int64),
        number[inverse.reshape(-1)],
        model_code[model],
        runs_rank[keep],
        np.asarray(score[keep], dtype=np.float64),
    )


def _sorted_codes(codes: _Ints, names: list[str]) -> tuple[list[str], _Ints]:
    """The names `codes` use, sorted, and old code -> position among them."""
    present = sorted({names[c] for c in _distinct(codes).tolist()})
    position = {name: k for k, name in enumerate(present)}
    recode = np.zeros(len(names), dtype=np.int64)
    for c, name in enumerate(names):
        recode[c] = position.get(name, 0)
    return present, recode


def _coded_runs(
    rows: Iterable[Mapping[str, str]],
) -> tuple[list[str], list[str], _Ints, _Ints, _Ints, _Floats, _Floats]:
    """`coded_runs` as a tuple (task types, models, duel_type, duel, model, rank, score)."""
    types: dict[str, int] = {}
    duels: dict[tuple[str, str], int] = {}
    models: dict[str, int] = {}
    duel_of: list[int] = []
    model_of: list[int] = []
    ranks: list[float] = []
    scores: list[float] = []
    for row in rows:
        duel_id = (row.get("duel_id") or "").strip()
        if not duel_id:
            continue
        # The empty-cell tests inline what _rank/_score do: 200,000 calls cost ~0.1 s.
        rank_text, score_text = ranked_cell(row), scored_cell(row)  # core.counted
        rank = rank_cell(rank_text, f"duel {duel_id}") if rank_text else None
        score = score_cell(score_text, f"duel {duel_id}") if score_text else None
        if rank is None and score is None:
            continue
        task_type = (row.get("task_type") or "").strip()
        types.setdefault(task_type, len(types))
        duel_of.append(duels.setdefault((task_type, duel_id), len(duels)))
        model_of.append(models.setdefault((row.get("model") or "").strip(), len(models)))
        ranks.append(math.nan if rank is None else float(rank))
        scores.append(math.nan if score is None else score)
    model_names = sorted(models)
    model_code = np.zeros(len(models), dtype=np.int64)
    for code, name in enumerate(model_names):
        model_code[models[name]] = code
    type_names = sorted(types)
    type_code = {name: code for code, name in enumerate(type_names)}
    duel_type = np.array([type_code[t] for t, _ in duels], dtype=np.int64)
    return (
        type_names,
        model_names,
        duel_type,
        np.asarray(duel_of, dtype=np.int64),
        model_code[np.asarray(model_of, dtype=np.int64)],
        np.asarray(ranks, dtype=np.float64),
        np.asarray(scores, dtype=np.float64),
    )


def preference_table(
    rows: Iterable[Mapping[str, str]] | CodedRuns,
    *,
    rng: np.random.Generator | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    prior_games: float = DEFAULT_PRIOR_GAMES,
) -> dict[str, TaskPreference]:
    """Bradley–Terry strengths with 95 % bootstrap intervals, per task type.

    The comparisons are those of `core.comparisons` (computed here with whole-array numpy
    steps: 200,000 rows take a fraction of a second). The intervals resample *duels* with
    replacement (a duel's comparisons share a prompt, so they are not independent;
    resampling runs would understate the noise), refit every resample with the same
    prior, and take the 2.5 and 97.5 percentiles of each model's anchored log strength.
    A model none of whose duels is drawn in a resample sits at the reference there, which
    widens its interval: honest, since it had no data in that draw.

    Args:
        rows: CSV rows as column -> text (task_type, model, duel_id, score, rank), or
            those rows coded already (`coded_runs_of_columns` of a `RunTable`).
        rng: the random generator of the bootstrap (injected so results are reproducible);
            None = no intervals.
        samples: bootstrap resamples.
        prior_games: see the module docstring.

    Returns:
        task type -> its table, in task-type order; a task type without any comparison
        has no entry.

    Raises:
        ValueError: a bad `rank` or `score` cell (see `core.comparisons`), or samples < 0.
    """
    if samples < 0:
        raise ValueError(f"samples must be >= 0, not {samples}")
    runs = rows if isinstance(rows, CodedRuns) else coded_runs(rows)
    type_names, model_names, duel_type = runs.task_types, runs.models, runs.duel_type
    duel, model, rank, score = runs.duel, runs.model, runs.rank, runs.score
    pair_duel, first, second, first_wins, by_rank = _pairs(duel, model, rank, score)
    pair_type = duel_type[pair_duel]
    out: dict[str, TaskPreference] = {}
    for code, task_type in enumerate(type_names):
        mine = pair_type == code
        if not mine.any():
            continue
        out[task_type] = _task_table(
            task_type, model_names, pair_duel[mine], first[mine], second[mine],
            first_wins[mine], by_rank[mine], prior_games, samples, rng,
        )  # fmt: skip
    return out
