"""Judge against person per rubric part: weighted kappa on hand-computed values, and the report."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from modelduel.commands.route import add_route_parser, run_route
from modelduel.core.judge_agreement import (
    PartAgreement,
    agreement_report,
    judge_agreement,
    weighted_kappa,
)
from modelduel.storage.columns import COLUMNS


def test_quadratic_weighted_kappa_of_a_three_value_part_by_hand() -> None:
    # (person, judge): weights 0 / 0.25 / 1 for a difference of 0 / 1 / 2.
    # Observed disagreement: (2,1) and (0,1) at 0.25 each -> 0.5 / 5 = 0.1.
    # Marginals: person 0:2 1:1 2:2, judge 0:1 1:3 2:1; chance disagreement
    # sum w_ij r_i c_j / 25 = (0.25*2*3 + 1*2*1 + 0.25*1*1 + 0.25*1*1 + 1*2*1 + 0.25*2*3) / 25
    # = 7.5 / 25 = 0.3, so kappa = 1 - 0.1 / 0.3 = 2/3.
    pairs = [(2, 2), (2, 1), (1, 1), (0, 1), (0, 0)]
    assert weighted_kappa(pairs, 3) == pytest.approx(2 / 3)


def test_for_a_binary_part_it_is_cohens_kappa() -> None:
    # p_o = 3/4; p_e = (1*2 + 3*2) / 16 = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2
    assert weighted_kappa([(1, 1), (1, 1), (1, 0), (0, 0)], 2) == pytest.approx(0.5)
    assert weighted_kappa([(0, 1), (1, 0)], 2) == pytest.approx(-1.0)
    assert weighted_kappa([(0, 0), (1, 1), (1, 1)], 2) == pytest.approx(1.0)


def test_a_near_miss_costs_less_than_a_far_one() -> None:
    base = [(0, 0), (1, 1), (2, 2), (0, 0), (2, 2)]
    near = weighted_kappa([*base, (2, 1)], 3)
    far = weighted_kappa([*base, (2, 0)], 3)
    assert near is not None and far is not None and near > far


def test_kappa_is_undefined_without_pairs_or_variation() -> None:
    assert weighted_kappa([], 2) is None
    assert weighted_kappa([(1, 1), (1, 1)], 2) is None  # chance explains it all


def _row(**cells: str) -> dict[str, str]:
    return {name: "" for name in COLUMNS} | cells


def test_pairs_are_rows_with_both_values_and_not_taken_from_the_judge() -> None:
    rows = [
        _row(quality="2", judge_quality="2", format="1", judge_format="0"),
        _row(quality="1", judge_quality="1", format="0", judge_format="0"),
        _row(quality="0", judge_quality="1"),
        # the person accepted the judge's quality: not an independent opinion
        _row(quality="2", judge_quality="0", parts_source="quality=judge format=person"),
        _row(quality="", judge_quality="2"),  # the person has not scored it
        _row(quality="x", judge_quality="2"),  # a hand-edited cell that is no score
        _row(quality="2"),  # no judge
    ]
    stats = {s.part: s for s in judge_agreement(rows)}
    assert list(stats) == ["quality", "correctness", "format", "rework"]
    # quality pairs (2,2) (1,1) (0,1): kappa 2/3 (by hand in the next test)
    assert stats["quality"].pairs == 3 and stats["quality"].exact == pytest.approx(2 / 3)
    assert stats["quality"].kappa == pytest.approx(2 / 3)
    # format pairs (1,0) (0,0): p_o = 1/2, p_e = (1*0 + 1*2) / 4 = 1/2 -> kappa 0
    assert (stats["format"].pairs, stats["format"].exact) == (2, 0.5)
    assert stats["format"].kappa == pytest.approx(0.0)
    assert stats["correctness"] == PartAgreement("correctness", 0, None, None)


def test_the_three_pair_quality_kappa_by_hand() -> None:
    # (2,2) (1,1) (0,1): disagreement 0.25/3; marginals person 1/1/1, judge 0:0 1:2 2:1;
    # chance = sum w r_i c_j / 9 = (0.25*1*2 + 1*1*1 + 0 + 0.25*1*1 + 0.25*1*2 + 0) / 9
    # = 2.25 / 9 = 0.25, so kappa = 1 - (0.25/3) / 0.25 = 2/3
    assert weighted_kappa([(2, 2), (1, 1), (0, 1)], 3) == pytest.approx(2 / 3)


def test_the_report_is_absent_without_a_judge() -> None:
    assert agreement_report([_row(quality="2", score="4")]) is None


def test_route_prints_the_judge_agreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "out.csv"
    rows = [
        _row(
            task_id="t",
            task_type="coding",
            model="openai/gpt-5.5",
            run_id=f"r{i}",
            score=str(int(q) + 3),
            cost_usd="0.01",
            quality=q,
            correctness="1",
            format="1",
            rework="1",
            judge_model="anthropic/claude-opus-4-7",
            judge_quality=j,
            judge_correctness="1",
            judge_format="1",
            judge_rework="1",
        )
        for i, (q, j) in enumerate([("2", "2"), ("2", "1"), ("1", "1"), ("0", "1"), ("0", "0")])
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    parser = argparse.ArgumentParser(prog="modelduel")
    add_route_parser(parser.add_subparsers(dest="command"))
    # the same file twice: each run counts once, as in the routing table
    assert run_route(parser.parse_args(["route", str(path), str(path)])) == 0
    out = capsys.readouterr().out
    assert "Judge vs person" in out
    quality = next(line for line in out.splitlines() if line.strip("│ ").startswith("quality"))
    assert (
        "│     5 │" in quality
        and "60%" in quality
        and "0.67" in quality
        and "substantial" in quality
    )
    correctness = next(line for line in out.splitlines() if "correctness" in line)
    assert "undefined" in correctness and "100%" in correctness
