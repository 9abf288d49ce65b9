"""Bradley–Terry strengths against hand-computed values (core.preference)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from modelduel.core.bradley_terry import fit_strengths
from modelduel.core.comparisons import comparisons
from modelduel.core.preference import preference_table

LN2, LN3 = math.log(2), math.log(3)


def run(
    duel: str, model: str, score: str = "", rank: str = "", task: str = "code"
) -> dict[str, str]:
    return {"duel_id": duel, "task_type": task, "model": model, "score": score, "rank": rank}


def scored_duels(
    prefix: str, winner: str, loser: str, times: int, task: str = "code"
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for k in range(times):
        rows += [
            run(f"{prefix}{k}", winner, "5", task=task),
            run(f"{prefix}{k}", loser, "3", task=task),
        ]
    return rows


def ranked_duels(prefix: str, winner: str, loser: str, times: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for k in range(times):
        rows += [run(f"{prefix}{k}", winner, rank="1"), run(f"{prefix}{k}", loser, rank="2")]
    return rows


def strengths(rows: list[dict[str, str]], prior: float, task: str = "code") -> dict[str, float]:
    table = preference_table(rows, prior_games=prior)[task]
    return {m.model: m.strength for m in table.models}


def test_three_models_match_the_hand_computed_mle() -> None:
    # Counts chosen to equal their expectations under p = (4, 2, 1):
    #   A-B 3 games, A wins 4/6 * 3 = 2; B-C 3 games, B wins 2/3 * 3 = 2; A-C 5 games,
    #   A wins 4/5 * 5 = 4. Then the likelihood equations W_i = sum_j n_ij p_i/(p_i+p_j)
    #   hold at p = (4, 2, 1) (A: 2 + 4 = 3*4/6 + 5*4/5), and the log-likelihood is strictly
    #   concave for a strongly connected graph, so that is the MLE. Mean-0 logs:
    #   ln(4, 2, 1) - ln 2 = (ln 2, 0, -ln 2).
    rows = (
        ranked_duels("ab", "A", "B", 2) + ranked_duels("ba", "B", "A", 1)  # ranks
        + scored_duels("bc", "B", "C", 2) + scored_duels("cb", "C", "B", 1)  # scores
        + scored_duels("ac", "A", "C", 4) + ranked_duels("ca", "C", "A", 1)
    )  # fmt: skip
    got = strengths(rows, prior=0)
    assert got == pytest.approx({"A": LN2, "B": 0.0, "C": -LN2}, abs=1e-7)
    table = preference_table(rows, prior_games=0)["code"]
    assert [m.model for m in table.models] == ["A", "B", "C"]
    assert [(m.wins, m.games, m.duels) for m in table.models] == [(6, 8, 8), (3, 6, 6), (2, 8, 8)]


def test_two_models_closed_form() -> None:
    # Two models: p_A / (p_A + p_B) = wins / games, so s_A - s_B = ln(7 / 3).
    rows = scored_duels("x", "A", "B", 7) + scored_duels("y", "B", "A", 3)
    got = strengths(rows, prior=0)
    assert got["A"] - got["B"] == pytest.approx(math.log(7 / 3), abs=1e-8)
    assert got["A"] + got["B"] == pytest.approx(0.0, abs=1e-12)  # anchored: mean 0


def test_a_tie_counts_half_a_win_for_each() -> None:
    # One win and one tie for A: A has 1.5 wins of 2, B 0.5 -> ratio 3, s = +-ln(3)/2.
    rows = [*scored_duels("w", "A", "B", 1), run("t", "A", "4"), run("t", "B", "4")]
    assert strengths(rows, prior=0) == pytest.approx({"A": LN3 / 2, "B": -LN3 / 2}, abs=1e-8)
    # equal ranks are a tie too
    rows = [*ranked_duels("w", "A", "B", 1), run("t", "A", rank="1"), run("t", "B", rank="1")]
    assert strengths(rows, prior=0) == pytest.approx({"A": LN3 / 2, "B": -LN3 / 2}, abs=1e-8)


def test_rank_takes_precedence_over_score_and_gaps_fall_back_to_score() -> None:
    rows = [run("d", "A", "5", "2"), run("d", "B", "3", "1"), run("d", "C", "4", "")]
    got = {(c.first, c.second): (c.first_wins, c.source) for c in comparisons(rows)}
    # A-B both ranked: B's rank 1 beats A's 2 although A scored higher; C, left unranked,
    # is below both ranked runs although it outscored B.
    assert got == {
        ("A", "B"): (0.0, "rank"),
        ("A", "C"): (1.0, "rank"),
        ("B", "C"): (1.0, "rank"),
    }
    rows = [run("e", "A", "5"), run("e", "B", "3"), run("e", "C", "4", "1")]
    got = {(c.first, c.second): (c.first_wins, c.source) for c in comparisons(rows)}
    assert got["A", "B"] == (1.0, "score")  # neither ranked: the scores decide


def test_what_cannot_be_compared_is_left_out() -> None:
    rows = [
        run("", "A", "5"), run("", "B", "1"),  # no duel id: cannot pair
        run("d", "A", "5"), run("d", "A", "1"),  # same model twice
        run("e", "A", "5"), run("e", "B", ""),  # B neither scored nor ranked
        run("g", "A", "5", task="docs"), run("g", "B", "4", task="code"),  # other type
    ]  # fmt: skip
    assert comparisons(rows) == []
    assert preference_table(rows) == {}


def test_bad_rank_names_the_duel_and_column() -> None:
    with pytest.raises(ValueError, match=r"duel d7: column 'rank': 'first' is not a whole number"):
        comparisons([run("d7", "A", rank="first")])
    with pytest.raises(ValueError, match=r"duel d7: column 'rank': '0' must be 1"):
        comparisons([run("d7", "A", rank="0")])
    with pytest.raises(ValueError, match=r"duel d7: column 'score': 'x' is not a number"):
        comparisons([run("d7", "A", score="x")])


def test_an_undefeated_model_stays_finite_and_the_prior_is_as_documented() -> None:
    # A beats B 5 times out of 5. With prior c virtual games each against p = 1 (half won),
    # the solution is symmetric, p_B = 1/p_A = 1/x, and A's equation is
    #   5 + c/2 = 5 * x^2/(x^2 + 1) + c * x/(x + 1).
    # At c = 2, x = 3: 5 * 9/10 + 2 * 3/4 = 4.5 + 1.5 = 6 = 5 + 1. So s_A = ln 3 = -s_B.
    rows = scored_duels("d", "A", "B", 5)
    assert strengths(rows, prior=2) == pytest.approx({"A": LN3, "B": -LN3}, abs=1e-8)
    default = strengths(rows, prior=1)
    assert math.isfinite(default["A"]) and default["A"] > LN3  # a weaker prior pulls less
    # The prior shrinks towards 0 and matters less with more data: 7-3 vs the MLE ln(7/3)/2.
    few = scored_duels("x", "A", "B", 7) + scored_duels("y", "B", "A", 3)
    many = scored_duels("x", "A", "B", 70) + scored_duels("y", "B", "A", 30)
    mle = math.log(7 / 3) / 2
    assert 0 < strengths(few, prior=1)["A"] < strengths(many, prior=1)["A"] < mle
    assert strengths(many, prior=1)["A"] == pytest.approx(mle, abs=0.01)


def test_disconnected_parts_are_flagged_and_each_sits_at_the_reference() -> None:
    # A-B: A wins 2 of 3; C-D: 1 each. Nothing links the two parts. C and D are symmetric
    # around the reference (C: 1 + 1/2 = 2 * p/(2p) + p/(p+1) holds at p = 1), and
    # p_B = 1/p_A solves A-B (A's and B's equations then add up to 3 + 1 games), so C and
    # D are at exactly 0 and A = -B.
    rows = (
        scored_duels("ab", "A", "B", 2) + scored_duels("ba", "B", "A", 1)
        + scored_duels("cd", "C", "D", 1) + scored_duels("dc", "D", "C", 1)
    )  # fmt: skip
    table = preference_table(rows, prior_games=1)["code"]
    got = {m.model: m for m in table.models}
    assert not table.connected
    assert got["C"].strength == pytest.approx(0.0, abs=1e-9) == got["D"].strength
    assert (
        got["A"].strength == pytest.approx(-got["B"].strength, abs=1e-9) and got["A"].strength > 0
    )
    assert got["A"].component == got["B"].component != got["C"].component == got["D"].component
    linked = rows + scored_duels("bc", "B", "C", 1)
    assert preference_table(linked)["code"].connected


def test_fit_is_vectorised_over_a_stack_of_win_matrices() -> None:
    one = np.array([[0, 2, 4], [1, 0, 2], [1, 1, 0]], dtype=float)
    two = np.array([[0, 1, 0], [3, 0, 1], [2, 2, 0]], dtype=float)
    stacked = fit_strengths(np.stack([one, two]), 1.0)
    assert stacked[0] == pytest.approx(fit_strengths(one, 1.0), abs=1e-9)
    assert stacked[1] == pytest.approx(fit_strengths(two, 1.0), abs=1e-9)
    with pytest.raises(ValueError, match="prior_games"):
        fit_strengths(one, -1)


def seven_three(copies: int = 1) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for c in range(copies):
        rows += scored_duels(f"x{c}-", "A", "B", 7) + scored_duels(f"y{c}-", "B", "A", 3)
    return rows


def test_intervals_are_reproducible_for_a_seed_and_contain_the_estimate() -> None:
    rows = seven_three()
    first = preference_table(rows, rng=np.random.default_rng(7), samples=500)["code"]
    again = preference_table(rows, rng=np.random.default_rng(7), samples=500)["code"]
    generator = np.random.default_rng(8)
    preference_table(rows, rng=generator, samples=500)
    assert first == again
    # the generator given is really the one drawn from
    assert generator.bit_generator.state != np.random.default_rng(8).bit_generator.state
    assert first.samples == 500
    for m in first.models:
        assert m.low is not None and m.high is not None
        assert m.low < m.strength < m.high


def test_intervals_shrink_with_more_duels() -> None:
    def width(rows: list[dict[str, str]]) -> float:
        top = preference_table(rows, rng=np.random.default_rng(1), samples=500)["code"].models[0]
        assert top.low is not None and top.high is not None
        return top.high - top.low

    assert width(seven_three(4)) < 0.7 * width(seven_three(1))


def test_the_bootstrap_resamples_whole_duels_not_runs() -> None:
    # Five identical three-model duels, A > B > C. Resampling whole duels always redraws the
    # same data (zero width); resampling runs or single comparisons would not.
    rows = []
    for k in range(5):
        rows += [
            run(f"d{k}", "A", rank="1"),
            run(f"d{k}", "B", rank="2"),
            run(f"d{k}", "C", rank="3"),
        ]
    table = preference_table(rows, rng=np.random.default_rng(3), samples=200)["code"]
    for m in table.models:
        assert m.low == pytest.approx(m.strength, abs=1e-8) and m.high == pytest.approx(
            m.strength, abs=1e-8
        )


def test_no_generator_no_intervals_and_row_order_does_not_matter() -> None:
    rows = seven_three() + scored_duels("z", "C", "A", 2)
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)
    plain = preference_table(rows)["code"]
    assert plain.samples == 0 and all(m.low is None and m.high is None for m in plain.models)
    assert preference_table(shuffled) == preference_table(rows)
    with pytest.raises(ValueError, match="samples"):
        preference_table(rows, samples=-1)
