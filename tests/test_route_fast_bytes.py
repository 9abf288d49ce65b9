"""`core.routing_fast`: the byte-scanning read of a plainly valid results CSV.

It must read every file it takes to the rows the row path reads (`load_route_rows`, the
reference, as in `tests/test_route_fast.py`), and give a file up (None: the row-checked
way reads it, with its messages) whenever it is not sure.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import numpy as np
import pytest

from modelduel.core import routing_rows
from modelduel.core.routing_chunk import Codes
from modelduel.core.routing_fast import fast_file_part
from modelduel.core.routing_rows import load_route_table
from modelduel.errors import CsvError
from modelduel.storage.columns import COLUMNS
from tests.test_route_fast import assert_same

MODELS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "ollama/qwen3", "mistral/é-large"]
STAMPS = ["2026-03-02T10:00:00Z", "2026-03-16", "2026-03-09T10:00:00+02:00"]
NOTES = ["", "plain", 'says "hi", twice', "line one\nline two", "a\r\nb", ",,,", '""', "\n"]


def _row(rng: random.Random, i: int) -> dict[str, str]:
    return {
        "task_id": f"t{i % 7}",
        "task_type": rng.choice(["coding", "writing", "maths"]),
        "model": rng.choice(MODELS),
        "score": rng.choice(["0", "1", "2", "3", "4", "5", "4.5", "", "5.0", "1e0"]),
        "time_to_first_useful_s": rng.choice(["", "0.4", "1.25", "0", "3.5", "12"]),
        "cost_usd": rng.choice(["0", "0.01", "0.0000015", "", "0.3", "2e-3", "0.1"]),
        "notes": rng.choice(NOTES),
        "run_id": rng.choice([f"run-{i}", f"run-{i % 50}", ""]),
        "duel_id": rng.choice(["", f"duel-{i // 3}"]),
        "rank": rng.choice(["", "1", "2"]),
        "timestamp": rng.choice(
            ["2026-03-02T10:00:00Z", "2026-03-16", "2026-03-09T10:00:00+02:00"]
        ),
        "simulated": rng.choice(["true", "false", ""]),
        "judge_model": rng.choice(["", "", "openai/gpt-5.5"]),
    }


def write_plain(
    path: Path,
    rows: int,
    *,
    seed: int,
    columns: list[str] | None = None,
    crlf: bool = False,
    bom: bool = False,
    blank_lines: bool = False,
    final_newline: bool = True,
    edit: dict[int, dict[str, str]] | None = None,
) -> None:
    """A results CSV of plainly valid rows (the notes column still awkward)."""
    rng = random.Random(seed)
    names = columns or list(COLUMNS)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    out.writerow(names)
    for i in range(rows):
        row = _row(rng, i) | (edit or {}).get(i, {})
        out.writerow([row.get(name, "") for name in names])
        if blank_lines and rng.random() < 0.05:
            buf.write("\r\n" if crlf else "\n")
    text = buf.getvalue()
    if not final_newline:
        text = text.rstrip("\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def _taken(path: Path, check_timestamp: bool = False) -> bool:
    codes = [Codes() for _ in range(5)]
    part = fast_file_part(np, path, *codes[:3], check_timestamp, *codes[3:])
    return part is not None


PLAIN = {
    "all columns": {},
    "brief columns reversed": {"columns": [*reversed(COLUMNS[:11]), "run_id"]},
    "crlf, bom, blank lines": {"crlf": True, "bom": True, "blank_lines": True},
    "no final newline": {"final_newline": False},
    "negative zero cost": {"edit": {0: {"cost_usd": "-0"}, 1: {"score": "-0"}}},
    "no final newline, empty last cell": {
        "final_newline": False,
        "columns": [*COLUMNS[:11], "run_id", "judge_model"],
    },
}


@pytest.mark.parametrize("kwargs", PLAIN.values(), ids=PLAIN.keys())
@pytest.mark.parametrize("rows", [1, 5, 9000])
def test_a_plain_file_is_taken_and_reads_to_the_row_paths_rows(
    tmp_path: Path, kwargs: dict, rows: int
) -> None:
    path = tmp_path / "r.csv"
    write_plain(path, rows, seed=rows, **kwargs)
    assert _taken(path)
    assert _taken(path, check_timestamp=True)
    assert_same([path])
    assert_same([path], check_timestamp=True)


def test_a_plain_results_csv_is_read_without_the_csv_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row-checked reader is not even started for a file nothing is wrong with."""
    path = tmp_path / "r.csv"
    write_plain(path, 3000, seed=3)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read_column_chunks was used")

    monkeypatch.setattr(routing_rows, "read_column_chunks", refuse)
    loaded = load_route_table([path])
    assert len(loaded.table) > 0


def test_files_taken_and_given_up_mix_with_one_set_of_codes(tmp_path: Path) -> None:
    one, two, three = tmp_path / "1.csv", tmp_path / "2.csv", tmp_path / "3.csv"
    write_plain(one, 500, seed=1)
    write_plain(two, 400, seed=2, edit={7: {"model": " padded "}, 9: {"score": " 3"}})
    write_plain(three, 300, seed=3, crlf=True)
    assert _taken(one) and not _taken(two) and _taken(three)
    assert_same([one, two, three])
    assert_same([three, two, one], check_timestamp=True)


GIVE_UP = {
    "quoted model": {5: {"model": "a,b"}},
    "apostrophe": {5: {"task_type": "'=sum"}},
    "blank score": {5: {"score": " "}},
    "padded number": {5: {"time_to_first_useful_s": " 2"}},
    "negative": {5: {"cost_usd": "-1"}},
    "nan": {5: {"score": "nan"}},
    "inf": {5: {"cost_usd": "1e999"}},
    "score above 5": {5: {"score": "6"}},
    "underscore": {5: {"cost_usd": "1_0"}},
    "empty model": {5: {"model": ""}},
    "blank task type": {5: {"task_type": "  "}},
    "lone CR in a note": {5: {"notes": "a\rb"}},
    "long cell": {5: {"model": "m" * 300}},
}


@pytest.mark.parametrize("edit", GIVE_UP.values(), ids=GIVE_UP.keys())
def test_a_file_it_is_unsure_of_is_given_up_and_read_the_row_way(
    tmp_path: Path, edit: dict[int, dict[str, str]]
) -> None:
    path = tmp_path / "r.csv"
    write_plain(path, 40, seed=4, edit=edit)
    assert not _taken(path)
    for skip in (False, True):
        errors = []
        for load in (routing_rows.load_route_rows, load_route_table):
            try:
                load([path], skip_bad_rows=skip, warn=lambda _: None)
                errors.append("")
            except CsvError as exc:
                errors.append(str(exc))
        assert errors[0] == errors[1]
        if not errors[0]:
            assert_same([path], skip_bad_rows=skip)


RAW = {
    "short row": b"a,b\n",
    "quote inside a cell": b'x,y"z' + b",1" * 48 + b"\n",
    "text after a closing quote": b'"x"y' + b",1" * 48 + b"\n",
    "torn quote": b'"open',
    "NUL": b"\x00\n",
}


@pytest.mark.parametrize("tail", RAW.values(), ids=RAW.keys())
def test_a_damaged_row_is_given_up(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "r.csv"
    write_plain(path, 40, seed=5)
    path.write_bytes(path.read_bytes() + tail)
    assert not _taken(path)


def test_a_bad_timestamp_is_given_up_only_when_weeks_are_asked(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_plain(path, 40, seed=6, edit={3: {"timestamp": "soon"}})
    assert _taken(path)
    assert not _taken(path, check_timestamp=True)
    assert_same([path])


def test_numbers_read_as_float_reads_them() -> None:
    """numpy's bytes-to-float64 (what the fast path uses) against `float`, cell by cell."""
    rng = random.Random(7)
    cells = ["", "0", "5", "1.", ".5", "00.10", "1e-400", "2E3", "+1", "0.1", "0.30000000000000004"]
    cells += [repr(rng.uniform(0, 5)) for _ in range(3000)]
    cells += [f"{rng.uniform(0, 1):.{rng.randint(0, 17)}f}" for _ in range(3000)]
    cells += [f"{rng.uniform(0, 1):.{rng.randint(0, 9)}e}" for _ in range(3000)]
    from modelduel.core.routing_fast import _NUMBER_BYTES, _numbers

    allowed = np.zeros(256, dtype=bool)
    allowed[list(_NUMBER_BYTES)] = True
    allowed[0] = True
    raw = np.array([c.encode() for c in cells])
    lens = np.array([len(c) for c in cells])
    values = _numbers(np, raw, lens, allowed)
    expected = np.array([float(c) if c else np.nan for c in cells])
    assert values.tobytes() == expected.tobytes()


def _table(path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch, **kwargs: bool) -> object:
    """What `load_route_table` makes of `path` (or its error), with or without the byte path."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(routing_rows, "fast_file_part", lambda *args: None)
        log: list[str] = []
        try:
            loaded = load_route_table([path], warn=log.append, **kwargs)
        except CsvError as exc:
            return ("error", str(exc), log)
    t = loaded.table
    named = [
        [names[c] for c in codes.tolist()]
        for names, codes in (
            (t.task_types, t.task_type),
            (t.models, t.model),
            (t.timestamps, t.timestamp),
            (t.duel_ids, t.duel),
            (t.ranks, t.rank),
        )
    ]
    numbers = [a.tobytes() for a in (t.score, t.cost, t.ttfu, t.simulated)]
    return (loaded.skipped, loaded.duplicates, loaded.judged, numbers, named, log)


@pytest.mark.parametrize("seed", range(3))
def test_randomly_damaged_files_read_as_the_row_checked_way_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """A few bytes put in or taken out anywhere: taken or given up, the same table or error."""
    rng = random.Random(seed)
    path = tmp_path / "r.csv"
    pieces = [b",", b'"', b"\n", b"\r", b"'", b" ", b"x", b"-", b"9", b".", b"\r\n", b'""']
    pieces += [b"\xc3\xa9", b"\t", b"e"]
    taken = 0
    for i in range(60):
        write_plain(
            path,
            rng.randint(1, 30),
            seed=seed * 1000 + i,
            crlf=rng.random() < 0.3,
            bom=rng.random() < 0.2,
            blank_lines=rng.random() < 0.3,
            final_newline=rng.random() < 0.7,
        )
        data = bytearray(path.read_bytes())
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(data) + 1)
            if rng.random() < 0.3 and at < len(data):
                del data[at]
            else:
                data[at:at] = rng.choice(pieces)
        path.write_bytes(bytes(data))
        taken += _taken(path)
        for kwargs in (
            {},
            {"skip_bad_rows": True},
            {"skip_bad_rows": True, "check_timestamp": True},
        ):
            fast = _table(path, True, monkeypatch, **kwargs)
            assert fast == _table(path, False, monkeypatch, **kwargs), (i, kwargs, bytes(data))
    assert 10 < taken < 60  # both ways were exercised
