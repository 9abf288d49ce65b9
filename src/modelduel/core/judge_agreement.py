"""How often the blind judge and the person agree, per rubric part: should the judge be trusted?

For each rubric part, the pairs are the rows holding both the person's value (the part's
column) and the judge's (`judge_<part>`). A part the person took from the judge's
suggestion (`parts_source` says `part=judge`) is no independent opinion and is left out.

The statistic is Cohen's kappa with quadratic weights (the scores are ordinal: a judge
that says 1 where the person says 2 disagrees less than one that says 0):

    kappa_w = 1 - sum(w_ij * O_ij) / sum(w_ij * E_ij),   w_ij = (i - j)^2 / (k - 1)^2

with O the observed proportions of (person i, judge j), E the products of the two
marginal proportions (chance agreement) and k the number of values the part takes.
For a 0-1 part it equals the unweighted kappa. It is undefined (None) when chance alone
explains every pair (both raters gave one value throughout).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.table import Table

from modelduel.core.scoring import RUBRIC_MAX

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = [
    "PartAgreement",
    "agreement_json",
    "agreement_report",
    "judge_agreement",
    "weighted_kappa",
]


def weighted_kappa(pairs: Sequence[tuple[int, int]], categories: int) -> float | None:
    """Cohen's kappa with quadratic weights over (rater A, rater B) pairs of 0..categories-1.

    Returns:
        kappa in [-1, 1], or None with no pairs or when it is undefined (see the module).
    """
    n = len(pairs)
    if n == 0 or categories < 2:
        return None
    observed = [[0] * categories for _ in range(categories)]
    for a, b in pairs:
        observed[a][b] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(categories)) for j in range(categories)]
    span = (categories - 1) ** 2
    disagreement = 0.0
    chance = 0.0
    for i in range(categories):
        for j in range(categories):
            weight = (i - j) ** 2 / span
            disagreement += weight * observed[i][j] / n
            chance += weight * rows[i] * cols[j] / (n * n)
    if chance == 0:
        return None
    return 1 - disagreement / chance


@dataclass(frozen=True, slots=True)
class PartAgreement:
    """Judge against person on one rubric part.

    Attributes:
        part: the rubric part.
        pairs: rows with both values.
        exact: the share of pairs where both gave the same value (None without pairs).
        kappa: quadratic-weighted Cohen's kappa (None: no pairs, or undefined).
    """

    part: str
    pairs: int
    exact: float | None
    kappa: float | None


def _value(cell: str | None, top: int) -> int | None:
    try:
        value = int(cell or "")
    except ValueError:
        return None  # empty, or a hand-edited cell that is no score: not a pair
    return value if 0 <= value <= top else None


def _from_judge(row: Mapping[str, str]) -> set[str]:
    sources = (row.get("parts_source") or "").split()
    return {item.partition("=")[0] for item in sources if item.endswith("=judge")}


def judge_agreement(rows: Iterable[Mapping[str, str]]) -> list[PartAgreement]:
    """Per rubric part, in the rubric's order: pairs, exact agreement and weighted kappa."""
    pairs: dict[str, list[tuple[int, int]]] = {part: [] for part in RUBRIC_MAX}
    for row in rows:
        taken = _from_judge(row)
        for part, top in RUBRIC_MAX.items():
            person = _value(row.get(part), top)
            judge = _value(row.get(f"judge_{part}"), top)
            if person is not None and judge is not None and part not in taken:
                pairs[part].append((person, judge))
    out = []
    for part, found in pairs.items():
        exact = sum(a == b for a, b in found) / len(found) if found else None
        out.append(
            PartAgreement(part, len(found), exact, weighted_kappa(found, RUBRIC_MAX[part] + 1))
        )
    return out


def _reading(kappa: float | None) -> str:
    # Landis & Koch's bands, the usual words for a kappa
    if kappa is None:
        return "undefined: one value throughout"
    if kappa < 0.2:
        return "slight or none"
    if kappa < 0.4:
        return "fair"
    if kappa < 0.6:
        return "moderate"
    if kappa < 0.8:
        return "substantial"
    return "almost perfect"


def agreement_report(rows: Iterable[Mapping[str, str]]) -> RenderableType | None:
    """The route report's judge section (a rich table), or None when no row has a pair."""
    stats = judge_agreement(rows)
    if not any(s.pairs for s in stats):
        return None
    table = Table(
        title="Judge vs person, per rubric part (quadratic-weighted Cohen's kappa)",
        caption="kappa: 1 = full agreement, 0 = no better than chance; "
        "parts taken from the judge's suggestion are left out",
        title_justify="left",
    )
    table.add_column("part")
    for name in ("pairs", "same value", "kappa"):
        table.add_column(name, justify="right")
    table.add_column("agreement")
    for s in stats:
        if not s.pairs:
            table.add_row(s.part, "0", "—", "—", "no pairs")
            continue
        assert s.exact is not None
        kappa = "—" if s.kappa is None else f"{s.kappa:.2f}"
        table.add_row(s.part, str(s.pairs), f"{s.exact:.0%}", kappa, _reading(s.kappa))
    return table


def agreement_json(rows: Iterable[Mapping[str, str]]) -> dict[str, Any]:
    """`route --json`'s judge section: rubric part -> pairs, exact agreement, kappa.

    `exact` and `kappa` are null without pairs (and kappa when it is undefined: one
    value throughout); parts taken from the judge's suggestion are not pairs.
    """
    return {
        s.part: {"pairs": s.pairs, "exact_agreement": s.exact, "kappa": s.kappa}
        for s in judge_agreement(rows)
    }
