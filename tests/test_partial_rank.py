"""A partial rank (`o c`: C best, the rest not placed) counts in the preference table.

The duel screen's `o c` writes rank 1 to C's row and leaves the others empty; a placed run
is above every run of its duel that was not placed, so it wins those comparisons by rank,
and the runs left unplaced are still compared among themselves by score.
"""

from __future__ import annotations

from modelduel.core.comparisons import comparisons
from modelduel.core.preference import preference_table
from modelduel.report_stats import task_preference_table


def run(duel: str, model: str, score: str = "", rank: str = "") -> dict[str, str]:
    return {"duel_id": duel, "task_type": "code", "model": model, "score": score, "rank": rank}


def _one_best_of_three() -> list[dict[str, str]]:
    # A scored 3, B 4, C 2, then `o c`: C ranked best, A and B not placed.
    return [run("d", "A", "3"), run("d", "B", "4"), run("d", "C", "2", "1")]


def test_the_one_placed_run_beats_the_unplaced_by_rank() -> None:
    got = {(c.first, c.second): (c.first_wins, c.source) for c in comparisons(_one_best_of_three())}
    assert got == {
        ("A", "B"): (0.0, "score"),  # neither placed: their scores decide
        ("A", "C"): (0.0, "rank"),  # C placed best, A not
        ("B", "C"): (0.0, "rank"),  # C beats B although B scored higher
    }


def test_a_placed_run_beats_an_unscored_unplaced_one() -> None:
    got = comparisons([run("f", "A", "", "1"), run("f", "B", "4", "")])
    assert [(c.first, c.second, c.first_wins, c.source) for c in got] == [("A", "B", 1.0, "rank")]


def test_the_fast_table_agrees_and_the_heading_counts_the_rank() -> None:
    pref = preference_table(_one_best_of_three())["code"]
    assert (pref.by_rank, pref.by_score) == (2, 1)
    wins = {m.model: m.wins for m in pref.models}
    assert wins == {"A": 0.0, "B": 1.0, "C": 2.0}
    heading = task_preference_table(pref).renderables[0]  # type: ignore[attr-defined]
    assert "no rank yet" not in str(heading)
    assert "2 by rank, 1 by score" in str(heading)
