"""A duel split in two duel ids (a CSV of a resume before duels were completed in place,
or a resume sent other settings): its halves are never paired with each other.

The task went to A, B and C in d1; B was cut short (cancelled) and sent again later, alone,
in d2. Pairing B's d2 answer with A's or C's would compare answers to requests not sent
together; the preference table leaves it out instead (B's d2 run has no pair) and counts
one duel, d1, not two. Per-model averages do not pair runs, so they count B's d2 run.
"""

from __future__ import annotations

from modelduel.core.comparisons import Comparison, comparisons
from modelduel.core.preference import preference_table


def _run(
    model: str, duel: str, score: str = "", rank: str = "", finish: str = "stop"
) -> dict[str, str]:
    return {
        "task_id": "t0",
        "task_type": "coding",
        "model": model,
        "duel_id": duel,
        "score": score,
        "rank": rank,
        "finish_reason": finish,
    }


ROWS = [
    _run("a", "d1", "4", "1"),
    _run("c", "d1", "3", "2"),
    _run("b", "d1", finish="cancelled"),  # cancelled: neither scored nor ranked
    _run("b", "d2", "5", "1"),  # the resumed run, a duel of its own
]


def test_the_halves_of_a_split_duel_are_not_paired() -> None:
    assert comparisons(ROWS) == [Comparison("coding", "d1", "a", "c", 1.0, "rank")]
    (table,) = preference_table(ROWS, samples=0).values()
    assert table.duels == 1
    assert sorted((m.model, m.duels, m.games) for m in table.models) == [
        ("a", 1, 1),
        ("c", 1, 1),
    ]
