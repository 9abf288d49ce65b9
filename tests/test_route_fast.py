"""route's columnar path (`load_route_table` + `compute_table_stats`) against the row path.

The row path (`load_route_rows` + `compute_stats`, one dict per row) is the reference: on
generated CSVs full of awkward cells, both must give the same rows, figures, routes,
notices and one-line errors, chunk boundaries anywhere.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import subprocess
import sys
from pathlib import Path

import pytest

from modelduel.core import routing_rows
from modelduel.core.routing import (
    CellStats,
    choose_routes,
    compute_stats,
    compute_table_stats,
    iso_week,
)
from modelduel.core.routing_bootstrap import _Columns, _resample_keys
from modelduel.core.routing_rows import load_route_rows, load_route_table
from modelduel.display import simulated_note
from modelduel.errors import CsvError
from modelduel.storage.columns import BRIEF_COLUMNS

TYPES = ["coding", "writing", " coding ", "'=sum", "=sum", "a,b", 'q"uote']
MODELS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", " ollama/qwen3 ", "'+x", "m\nnewline"]
SCORES = ["0", "1", "2", "3", "4", "5", "4.5", "", " ", "3 ", "-0", "1e0", "5.0"]
COSTS = ["0", "0.01", "0.0000015", "", "-0", "1_0", "0.3", "0.1", "0.2", "2e-3"]
TTFUS = ["", "0.4", "1.25", " 2", "0", "3.5", "1e1"]
NOTES = ["", "plain", 'says "hi", twice', "line one\nline two", "a\r\nb", "=cmd", ",,,", "\n\n"]
STAMPS = ["2026-03-02T10:00:00Z", "2026-03-09T10:00:00+02:00", "", "2026-03-16", " 2026-W"]


def _row(rng: random.Random, i: int, dup_every: int) -> dict[str, str]:
    run = f"run-{i % dup_every}" if dup_every else f"run-{i}"
    return {
        "task_id": f"t{i % 7:03d}",
        "task_type": rng.choice(TYPES),
        "model": rng.choice(MODELS),
        "score": rng.choice(SCORES),
        "time_to_first_useful_s": rng.choice(TTFUS),
        "wall_time_s": f"{rng.uniform(1, 9):.3f}",
        "input_tokens": str(rng.randint(1, 900)),
        "output_tokens": str(rng.randint(1, 900)),
        "cost_usd": rng.choice(COSTS),
        "manual_corrections": rng.choice(["", "0", "2"]),
        "notes": rng.choice(NOTES),
        "run_id": rng.choice([run, run, run, "", f" {run} "]),
        "timestamp": rng.choice(STAMPS[:4]),
        "simulated": rng.choice(["true", "false", "", "True"]),
        "extra col": rng.choice(["", "x,y", '"']),
    }


def write_awkward(
    path: Path,
    rows: int,
    *,
    seed: int,
    crlf: bool = False,
    bom: bool = False,
    dup_every: int = 0,
    columns: list[str] | None = None,
    blank_lines: bool = True,
    raw_after: dict[int, str] | None = None,
    tail: str = "",
) -> None:
    """A results CSV of awkward (but valid) rows: quotes, commas and newlines in cells,
    empty and blank cells, unknown costs, neutralised formulas, duplicate run ids."""
    rng = random.Random(seed)
    names = columns or list(_row(rng, 0, 0))
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    out.writerow(names)
    for i in range(rows):
        row = _row(rng, i, dup_every)
        out.writerow([row.get(name, "") for name in names])
        if raw_after and i in raw_after:
            buf.write(raw_after[i] + "\n")
        if blank_lines and rng.random() < 0.02:
            buf.write("\r\n" if crlf else "\n")
    buf.write(tail)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))


def _by_week_rows(rows: list) -> dict[str, list[CellStats]]:
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(iso_week(row.get("timestamp")), []).append(row)
    return {w: compute_stats(g) for w, g in groups.items()}


def assert_same(paths: list[Path], **kwargs: bool) -> tuple[list[str], list[str]]:
    """Both paths over `paths`: equal rows, stats, routes, notes; returns both warn logs."""
    slow_log: list[str] = []
    fast_log: list[str] = []
    slow = load_route_rows(paths, warn=slow_log.append, **kwargs)
    fast = load_route_table(paths, warn=fast_log.append, **kwargs)
    assert fast_log == slow_log
    assert (fast.skipped, fast.duplicates, len(fast.table)) == (
        slow.skipped,
        slow.duplicates,
        len(slow.rows),
    )
    for success in (4.0, 2.5, 0.0):
        slow_stats = compute_stats(slow.rows, success)
        fast_stats = compute_table_stats(fast.table, success)
        assert fast_stats == slow_stats  # every field, runs_detail and scores included
        # repr tells -0.0 from 0.0, which == does not (JSON would print "-0.0")
        assert repr(fast_stats) == repr(slow_stats)
        assert [repr(c.runs_detail) for c in fast_stats] == [
            repr(c.runs_detail) for c in slow_stats
        ]
        for objective in ("quality-per-cost", "cost", "quality", "latency"):
            assert choose_routes(fast_stats, objective) == choose_routes(slow_stats, objective)
    assert simulated_note(fast.table.simulated_rows()) == simulated_note(slow.rows)
    if kwargs.get("check_timestamp"):
        weeks = {w: compute_table_stats(t) for w, t in fast.table.by_week().items()}
        slow_weeks = _by_week_rows(slow.rows)
        assert weeks == {w: s for w, s in slow_weeks.items() if s or w in weeks}
        order = sorted(slow_weeks, key=lambda w: (w == "undated", w))
        assert list(weeks) == [w for w in order if w in weeks]
    return slow_log, fast_log


@pytest.fixture(params=[8192, 7, 1], ids=["chunk8192", "chunk7", "chunk1"])
def chunk_rows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(routing_rows, "CHUNK_ROWS", request.param)
    return int(request.param)


def test_awkward_rows_give_the_same_report(tmp_path: Path, chunk_rows: int) -> None:
    one, two, three = tmp_path / "one.csv", tmp_path / "two.csv", tmp_path / "three.csv"
    write_awkward(one, 400, seed=1, dup_every=150)
    write_awkward(two, 300, seed=2, crlf=True, bom=True, dup_every=120)
    # brief columns only, in another order: no run_id, timestamp or simulated at all
    write_awkward(three, 200, seed=3, columns=list(reversed(BRIEF_COLUMNS)))
    slow_log, _ = assert_same([one, two, three], skip_bad_rows=True, check_timestamp=True)
    assert slow_log == []
    fast = load_route_table([one, two, three])
    assert fast.duplicates > 0 and len(fast.table) > 500


BAD_LINES = {
    5: "t1,coding,openai/gpt-5.5,abc,1,2,3,4,0.1,0,n,r-bad1,,,",
    9: "t1,coding,openai/gpt-5.5,7,1,2,3,4,0.1,0,n,r-bad2,,,",
    12: "t1,coding,openai/gpt-5.5,4,1,2,3,4,-0.5,0,n,r-bad3,,,",
    20: "t1,, ,4,nan,2,3,4,inf,0,n,r-bad4,,,",
    30: "t1,coding,openai/gpt-5.5,4,1,2,3,4,0.1,0,n,r-bad5,not a date,,",
    31: "t1,coding,openai/gpt-5.5,'-1,1,2,3,4,'=2,0,n,r-bad6,,,",
    40: "too,few,cells",
    41: 't1,coding,openai/gpt-5.5,4,1,2,3,4,0.1,0,"multi\nline note",r-ok,,,',
    42: "t1,coding,openai/gpt-5.5,4,1,2,3,4,0.1,0,n,r-bad7,2026-13-40,,",
}


@pytest.mark.parametrize(
    "tail",
    ["", "t9,coding,openai/gpt-5.5,4,1\n", 't9,coding,"open quote,4\n', "\n\n"],
    ids=["clean", "torn-short-last-row", "torn-open-quote", "blank-lines"],
)
def test_bad_rows_get_the_same_one_line_errors(tmp_path: Path, chunk_rows: int, tail: str) -> None:
    path = tmp_path / "bad.csv"
    names = [*BRIEF_COLUMNS, "run_id", "timestamp", "simulated", "extra col"]
    write_awkward(path, 60, seed=4, columns=names, raw_after=BAD_LINES, tail=tail)
    for check_timestamp in (False, True):
        _, fast_log = assert_same([path], skip_bad_rows=True, check_timestamp=check_timestamp)
        assert len(fast_log) == (8 if check_timestamp else 6) + (tail.startswith("t9"))
        # without --skip-bad-rows: the first bad row's line, file and column, one line
        with pytest.raises(CsvError) as slow_error:
            load_route_rows([path], check_timestamp=check_timestamp, warn=lambda _: None)
        with pytest.raises(CsvError) as fast_error:
            load_route_table([path], check_timestamp=check_timestamp, warn=lambda _: None)
        assert str(fast_error.value) == str(slow_error.value)
        assert "\n" not in str(fast_error.value) and f"{path}:" in str(fast_error.value)
        assert "column 'score': 'abc' is not a number" in str(fast_error.value)


def test_a_bad_row_in_a_later_chunk_names_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    # a bad score well past the first chunk, after many multi-line notes
    late = {19_950: "t1,coding,openai/gpt-5.5,six,1,2,3,4,0.1,0,n,r-late,,,"}
    write_awkward(path, 20_000, seed=5, raw_after=late)
    with pytest.raises(CsvError) as slow_error:
        load_route_rows([path])
    with pytest.raises(CsvError) as fast_error:
        load_route_table([path])
    assert str(fast_error.value) == str(slow_error.value)
    assert "'six' is not a number" in str(fast_error.value)


@pytest.mark.parametrize(
    "damage",
    [
        b"t1,coding,m,4,1,2,3,4,0.1,0,n\x00ul,r,,,\n",
        b"t1,coding,m,4,1,2,3,4,0.1,0,caf\xe9,r,,,\n",
        b't1,coding,m,4,1,2,3,4,0.1,0,"a"b,r,,,\n',
        b"t1,coding,m,4,1,2,3,4,0.1,0,\xc3",
    ],
    ids=["nul", "latin-1", "bad-quote", "cut-utf8-at-end"],
)
def test_damaged_files_fail_or_skip_as_the_row_path_does(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "damaged.csv"
    write_awkward(path, 30, seed=6, blank_lines=False)
    path.write_bytes(path.read_bytes() + damage + b"t2,coding,m,4,1,2,3,4,0.1,0,n,r2,,,\n")
    try:
        slow = load_route_rows([path], skip_bad_rows=True, warn=lambda _: None)
    except CsvError as exc:
        with pytest.raises(CsvError) as fast_error:
            load_route_table([path], skip_bad_rows=True, warn=lambda _: None)
        assert str(fast_error.value) == str(exc)
        return
    fast = load_route_table([path], skip_bad_rows=True, warn=lambda _: None)
    assert compute_table_stats(fast.table) == compute_stats(slow.rows)


@pytest.mark.parametrize(
    "text",
    [
        "task_id;task_type;model\n",
        "task_id,model\n1,m\n",
        '"task_id,task_type\n',
        "",
        "\ufeff",
    ],
    ids=["semicolons", "missing-columns", "torn-header", "empty", "bom-only"],
)
def test_bad_headers_fail_as_the_row_path_does(tmp_path: Path, text: str) -> None:
    path = tmp_path / "header.csv"
    path.write_text(text, encoding="utf-8")
    try:
        slow = load_route_rows([path])
    except CsvError as exc:
        with pytest.raises(CsvError) as fast_error:
            load_route_table([path])
        assert str(fast_error.value) == str(exc)
        return
    assert len(load_route_table([path]).table) == len(slow.rows) == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_packed_bootstrap_counts_unpriced_and_successes_as_the_plain_sums(seed: int) -> None:
    # whole scores (the packed sums) with unknown costs in both cells: under `quality` a
    # tie on the average is broken by cost per success, which an unpriced run takes away.
    # The packed gather (score, unpriced and success counts in one int64) must rank every
    # resample as the plain per-column sums do, drawn from the very same indices.
    import numpy as np

    rng = random.Random(seed)
    rows = [
        {
            "task_type": "x",
            "model": model,
            "score": str(rng.choice([3, 4, 4, 5])),
            "cost_usd": rng.choice(["0.01", "0.02", "", "0.015"]),
            "time_to_first_useful_s": rng.choice(["", "0.5", "1.5"]),
        }
        for model in ("a", "b")
        for _ in range(12)
    ]
    draw = np.random.default_rng(seed)
    seen: set[bool] = set()
    for cell in compute_stats(rows):
        packed = _Columns.of(np, cell)
        assert packed.packed is not None  # whole scores: this is the packed path
        plain = dataclasses.replace(packed, packed=None)
        picks = draw.integers(0, cell.runs, (2000, cell.runs))
        for objective in ("quality-per-cost", "cost", "quality", "latency"):
            keys = _resample_keys(np, packed, picks, objective)  # (has a key, figures)
            plain_keys = _resample_keys(np, plain, picks, objective)
            for ours, theirs in zip(keys, plain_keys, strict=True):
                np.testing.assert_array_equal(ours, theirs, err_msg=objective)  # NaN == NaN
            seen |= {not valid for valid in keys[0].tolist()}
    assert seen == {True, False}  # resamples with an unpriced run (no key) and without


@pytest.mark.parametrize("seed", [4, 5])
def test_bootstrap_columns_are_the_runs_as_the_per_run_loops_read_them(seed: int) -> None:
    # `_Columns.of` builds its arrays column-wise; the per-run loops are the definition:
    # flags = success + unpriced << 32, and the timed runs in ttfu order, ties (and equal
    # ttfus) in run order, runs without a ttfu left out.
    import numpy as np

    rng = random.Random(seed)
    rows = [
        {
            "task_type": "x",
            "model": "a",
            "score": rng.choice(["2", "4", "4.5", "5", "3.25"]),
            "cost_usd": rng.choice(["0.01", "0.02", "", "0"]),
            "time_to_first_useful_s": rng.choice(["", "0.5", "1.5", "0", "0.25", "1.5"]),
        }
        for _ in range(400)  # enough for numpy's default sort to be unstable
    ]
    (cell,) = compute_stats(rows)
    runs = cell.runs_detail
    got = _Columns.of(np, cell)
    assert got.scores.tolist() == [r[0] for r in runs]
    assert got.costs.tolist() == [r[1] for r in runs]
    flags = [int(r[0] >= cell.success_score) + (int(r[3]) << 32) for r in runs]
    assert got.flags.tolist() == flags
    timed = sorted((j for j, r in enumerate(runs) if r[2] is not None), key=lambda j: runs[j][2])
    assert got.timed == timed
    assert got.ttfus.tolist() == [runs[j][2] for j in timed]
    assert len(set(got.ttfus.tolist())) < len(timed)  # ties were there to keep in order


def test_route_imports_no_ui_and_no_provider_stack(tmp_path: Path) -> None:
    # `modelduel route` is a report: Textual, the provider registry (pydantic) and the
    # HTTP stack are start-up cost it never uses; the exports import them when asked
    path = tmp_path / "runs.csv"
    write_awkward(path, 50, seed=8)
    code = (
        "import sys\n"
        "from modelduel.cli import main\n"
        "try:\n"
        f"    main(['route', '--json', {str(path)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('textual', 'pydantic', 'httpx', 'modelduel.tui', 'modelduel.providers')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "      or any(m.startswith(h + '.') or m == h for h in heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "LOADED []" in out, out[-500:]


def test_codes_give_one_code_per_stripped_name_across_chunks() -> None:
    # the first chunk teaches every name, a later one brings only known cells (the
    # cache-only path), and one more mixes known cells with new ones (the relearn path)
    import numpy as np

    from modelduel.core.routing_chunk import Codes

    codes = Codes()
    chunks = [["a", " a", "b", "a "], ["b", "a", "a"], ["c", "a", " c ", "b", "d"], []]
    got = [codes.array_of(np, chunk).tolist() for chunk in chunks]
    names = codes.names
    assert sorted(names) == ["a", "b", "c", "d"]
    for chunk, chunk_codes in zip(chunks, got, strict=True):
        assert [names[k] for k in chunk_codes] == [cell.strip() for cell in chunk]
    assert all(isinstance(k, int) for part in got for k in part)
