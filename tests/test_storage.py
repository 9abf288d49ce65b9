"""The results CSV and its transcript: encoding, foreign files, torn rows, concurrency, crashes."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelduel.errors import CsvError
from modelduel.storage import (
    BRIEF_COLUMNS,
    COLUMNS,
    append_run,
    decode_cell,
    encode_cell,
    ensure_writable,
    read_rows,
    read_transcripts,
    transcript_path,
    update_run,
)

BOM = b"\xef\xbb\xbf"
HEADER = ",".join(COLUMNS)


def run_row(run_id: str, **cells: object) -> dict[str, object]:
    """A row as core.records.csv_row shapes it (unscored), with ``cells`` overriding."""
    row: dict[str, object] = {
        "task_id": "adhoc-1a2b3c",
        "task_type": "adhoc",
        "model": "openai/gpt-5.5",
        "score": None,
        "time_to_first_useful_s": 1.25,
        "wall_time_s": 4.5,
        "input_tokens": 120,
        "output_tokens": 345,
        "cost_usd": 0.01095,
        "manual_corrections": 0,
        "notes": None,
        "run_id": run_id,
        "duel_id": "d1",
        "timestamp": "2026-11-02T10:00:00Z",
        "provider": "openai",
        "model_id": "gpt-5.5",
        "pane": 0,
        "blind": False,
        "connect_s": 0.031,
        "ttft_s": 0.9,
        "reasoning_tokens": 64,
        "cached_input_tokens": 0,
        "output_tokens_per_s": 95.5,
        "tokens_exact": True,
        "price_source": "genai-prices 0.0.40",
        "finish_reason": "stop",
        "error": None,
        "retried": 0,
    }
    row.update(cells)
    return row


def collect() -> tuple[list[str], Callable[[str], None]]:
    notices: list[str] = []
    return notices, notices.append


# --- encoding ---------------------------------------------------------------------------


def test_golden_bytes_of_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    append_run(path, run_row("r1", notes='first, "quoted" note'))
    expected = (
        HEADER + "\n"
        "adhoc-1a2b3c,adhoc,openai/gpt-5.5,,1.25,4.5,120,345,0.01095,0,"
        '"first, ""quoted"" note",r1,d1,2026-11-02T10:00:00Z,openai,gpt-5.5,0,false,'
        "0.031,0.9,64,0,95.5,true,genai-prices 0.0.40,stop,,0,,,,,,,,,,,,,,,,,,,,,,\n"
    )
    assert path.read_bytes() == expected.encode("utf-8")
    assert not path.read_bytes().startswith(BOM)


def test_cell_encoding() -> None:
    assert encode_cell(None) == ""
    assert encode_cell(True) == "true"
    assert encode_cell(False) == "false"
    assert encode_cell(-3) == "-3"  # numbers are never prefixed
    assert encode_cell(-0.5) == "-0.5"
    assert encode_cell(0.1 + 0.2) == "0.30000000000000004"
    assert encode_cell(1.5e-05) == "0.000015"  # no exponent for ordinary small costs
    assert encode_cell(1e16) == "10000000000000000"
    assert float(encode_cell(1.2345678901234e-9)) == 1.2345678901234e-9
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert encode_cell(text) == "'" + text
        assert decode_cell(encode_cell(text)) == text
    assert encode_cell("a=b") == "a=b"
    assert encode_cell("'plain") == "'plain"
    # an apostrophe the user typed before a trigger survives the round trip
    assert encode_cell("'=x") == "''=x"
    assert decode_cell("''=x") == "'=x"
    assert encode_cell("nul\x00") == "nul\ufffd"


def test_numbers_stay_unquoted_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1", cost_usd=0.00002, wall_time_s=-1.5, input_tokens=10**12))
    line = path.read_text(encoding="utf-8").splitlines()[1]
    cells = line.split(",")
    assert cells[COLUMNS.index("cost_usd")] == "0.00002"
    assert cells[COLUMNS.index("wall_time_s")] == "-1.5"
    assert cells[COLUMNS.index("input_tokens")] == "1000000000000"
    assert '"' not in line and "'" not in line


TRICKY = [
    "commas, and more, commas",
    'quotes "inside" and ""doubled""',
    "new\nlines\r\nand\rcarriage returns",
    "line\u2028separator and paragraph\u2029separator and NEL\x85",
    "emoji 🧪🚀👩🏽‍💻 and ñ, ß, 日本語",
    '=HYPERLINK("http://x")',
    "+1",
    "-not a number",
    "@mention",
    "\tleading tab",
    "'=already quoted by the user",
    "",
    " leading and trailing spaces ",
    "x" * 200_000,
]


def test_round_trip_of_tricky_text(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    for i, text in enumerate(TRICKY):
        append_run(path, run_row(f"r{i}", notes=text, error=text, provider=text))
    rows = read_rows(path)
    assert [r["notes"] for r in rows] == TRICKY
    assert [r["error"] for r in rows] == TRICKY
    assert [r["provider"] for r in rows] == TRICKY
    raw = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw and "'@mention" in raw and "'-not a number" in raw


def test_one_megabyte_cell_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    big = 'ab,"c\n' * 200_000  # 1.2 MB, far past the csv module's default 131,072 limit
    append_run(path, run_row("r1", notes=big))
    update_run(path, "r1", {"score": 5})
    (row,) = read_rows(path)
    assert row["notes"] == big and row["score"] == "5"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")), max_size=4)
)
def test_property_encode_then_read_returns_the_same_text(texts: list[str]) -> None:
    # NUL and lone surrogates are excluded: they cannot be stored, so they become U+FFFD.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.csv"
        for i, text in enumerate(texts):
            append_run(path, run_row(f"r{i}", notes=text, extra_column=text))
        rows = read_rows(path)
        assert [r["notes"] for r in rows] == texts
        assert [r["extra_column"] for r in rows] == texts


# --- files written by someone else ------------------------------------------------------


def test_bom_file_in_another_order_with_extra_column(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    order = [*reversed(BRIEF_COLUMNS), "reviewer"]
    old_row = ["n1", "0", "0.5", "300", "100", "9.0", "2.0", "4", "claude-opus-4-7", "coding", "t1"]
    original = BOM + (",".join(order) + "\r\n" + ",".join([*old_row, "ann"]) + "\r\n").encode(
        "utf-8"
    )
    path.write_bytes(original)
    ensure_writable(path)
    assert path.read_bytes() == original  # checking never modifies

    append_run(path, run_row("r1", notes="=new", score=3))
    data = path.read_bytes()
    assert data.startswith(BOM) and not data.startswith(BOM + BOM)
    lines = data[len(BOM) :].decode("utf-8").split("\r\n")  # CRLF kept too
    header = lines[0].split(",")
    missing = [c for c in COLUMNS if c not in order]
    assert header == order + missing
    assert lines[1].split(",") == [*old_row, "ann"] + [""] * len(missing)
    assert lines[-1] == ""

    rows = read_rows(path)
    assert rows[0]["task_id"] == "t1" and rows[0]["reviewer"] == "ann"
    assert rows[0]["model"] == "claude-opus-4-7" and rows[0]["run_id"] == ""
    assert rows[1]["task_id"] == "adhoc-1a2b3c" and rows[1]["notes"] == "=new"
    assert rows[1]["score"] == "3" and rows[1]["reviewer"] == ""
    assert rows[1]["run_id"] == "r1" and rows[1]["cost_usd"] == "0.01095"

    update_run(path, "r1", {"score": 5, "reviewer": "bob"})
    rows = read_rows(path)
    assert rows[1]["score"] == "5" and rows[1]["reviewer"] == "bob"
    assert path.read_bytes().startswith(BOM)
    assert path.read_bytes()[len(BOM) :].decode().split("\r\n")[1] == lines[1]


def test_complete_last_row_without_final_newline_is_kept(tmp_path: Path) -> None:
    # Spreadsheet exports (e.g. Google Sheets) often omit the final newline.
    path = tmp_path / "r.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(["x"] * len(COLUMNS)), encoding="utf-8")
    notices, on_notice = collect()
    append_run(path, run_row("r2"), on_notice=on_notice)
    rows = read_rows(path)
    assert [r["run_id"] for r in rows] == ["x", "r2"]
    assert notices == []
    assert not list(tmp_path.glob("*.torn-*"))


def test_file_without_brief_columns_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_bytes(b"name,age\nann,3\n")
    for call in (
        lambda: ensure_writable(path),
        lambda: append_run(path, run_row("r1")),
        lambda: read_rows(path),
    ):
        with pytest.raises(CsvError, match="lacks task_id") as info:
            call()
        assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == b"name,age\nann,3\n"


def test_malformed_files_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    good = ",".join(["v"] * len(COLUMNS)) + "\n"
    cases = {
        "quote": HEADER + "\n" + good + 'a,"b"c,d\n' + good,
        "nul": HEADER + "\n" + good + "a\x00b\n" + good,
    }
    for text in cases.values():
        path.write_bytes(text.encode("utf-8"))
        for call in (lambda: read_rows(path), lambda: append_run(path, run_row("r"))):
            with pytest.raises(CsvError, match="line 3") as info:
                call()
            assert str(path) in str(info.value)
        assert path.read_bytes() == text.encode("utf-8")
    path.write_bytes((HEADER + "\n").encode() + "café".encode("latin-1") + b"\n" + good.encode())
    with pytest.raises(CsvError, match="line 2 is not UTF-8"):
        read_rows(path)


def test_user_errors_are_one_line_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="does not exist"):
        ensure_writable(tmp_path / "nope" / "r.csv")
    with pytest.raises(CsvError, match="is a directory"):
        ensure_writable(tmp_path)
    with pytest.raises(CsvError, match=str(tmp_path)):
        append_run(tmp_path, run_row("r1"))
    with pytest.raises(CsvError):
        append_run(tmp_path / "nope" / "r.csv", run_row("r1"))
    with pytest.raises(CsvError, match="does not exist"):
        update_run(tmp_path / "r.csv", "r1", {"score": 1})
    assert read_rows(tmp_path / "missing.csv") == []
    ensure_writable(tmp_path / "new.csv")
    assert not (tmp_path / "new.csv").exists()
    if os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "ro"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            with pytest.raises(CsvError, match="not writable"):
                ensure_writable(locked / "r.csv")
            with pytest.raises(CsvError, match="permissions"):
                append_run(locked / "r.csv", run_row("r1"))
        finally:
            locked.chmod(0o700)


# --- updates ----------------------------------------------------------------------------


def test_update_changes_only_that_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    for i in range(3):
        append_run(path, run_row(f"r{i}", notes=f"-note {i}\nsecond line"))
    before = path.read_bytes().split(b"\n")
    update_run(path, "r1", {"score": 4, "quality": 2, "notes": "@fixed\nit"})
    after = path.read_bytes().split(b"\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [3, 4]  # the two lines of r1's record (header, r0 on lines 0-2)
    rows = read_rows(path)
    assert [r["score"] for r in rows] == ["", "4", ""]
    assert rows[1]["quality"] == "2" and rows[1]["notes"] == "@fixed\nit"
    assert rows[0]["notes"] == "-note 0\nsecond line"
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_update_of_duplicated_run_id_changes_the_last(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("dup"))
    append_run(path, run_row("dup"))
    update_run(path, "dup", {"score": 1})
    assert [r["score"] for r in read_rows(path)] == ["", "1"]


def test_update_of_unknown_run_id_raises(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"))
    before = path.read_bytes()
    with pytest.raises(CsvError, match="no row with run_id 'zzz'") as info:
        update_run(path, "zzz", {"score": 5})
    assert str(path) in str(info.value)
    assert path.read_bytes() == before


def test_update_keeps_file_permissions(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"))
    path.chmod(0o640)
    update_run(path, "r1", {"score": 2})
    assert path.stat().st_mode & 0o777 == 0o640


# --- torn rows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail",
    [
        b"adhoc-x,adhoc,openai/gpt-5.5,,1.2",  # cut mid-row, no newline
        b'adhoc-x,adhoc,m,,1,2,3,4,5,0,"a note\nwith a new',  # cut inside a quoted cell
        b"adhoc-x,adhoc,m,\xe6\x97",  # cut inside a multi-byte character
        b"short,row\n",  # too few cells, even with a newline
    ],
)
def test_torn_last_row_is_moved_aside_and_reported(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"))
    good = path.read_bytes()
    path.write_bytes(good + tail)
    notices, on_notice = collect()
    rows = read_rows(path, on_notice=on_notice)
    assert [r["run_id"] for r in rows] == ["r1"]
    (torn,) = tmp_path.glob("r.csv.torn-*")
    assert torn.read_bytes() == tail
    assert len(torn.name) == len("r.csv.torn-20261102T100000")
    assert path.read_bytes() == good
    assert len(notices) == 1 and torn.name in notices[0] and str(path) in notices[0]
    append_run(path, run_row("r2"), on_notice=on_notice)
    assert [r["run_id"] for r in read_rows(path)] == ["r1", "r2"]
    assert len(notices) == 1


def test_torn_row_is_repaired_by_append_and_update_too(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"))
    with path.open("ab") as f:
        f.write(b"torn,")
    notices, on_notice = collect()
    append_run(path, run_row("r2"), on_notice=on_notice)
    with path.open("ab") as f:
        f.write(b"torn again")
    update_run(path, "r2", {"score": 3}, on_notice=on_notice)
    assert len(notices) == 2
    assert sorted(p.read_bytes() for p in tmp_path.glob("r.csv.torn-*")) == [
        b"torn again",
        b"torn,",
    ]
    assert [(r["run_id"], r["score"]) for r in read_rows(path)] == [("r1", ""), ("r2", "3")]


def test_torn_row_without_on_notice_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"))
    with path.open("ab") as f:
        f.write(b"torn")
    append_run(path, run_row("r2"))
    assert "incomplete" in caplog.text and "r.csv.torn-" in caplog.text


# --- transcripts ------------------------------------------------------------------------


def test_transcript_beside_the_csv(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    assert transcript_path(path) == tmp_path / "results.jsonl"
    assert read_transcripts(path) == {}
    text = "answer\u2028with a line separator, émoji 🧪 and \n newline"
    append_run(path, run_row("r1"), {"run_id": "r1", "text": text, "reasoning_text": None})
    append_run(path, run_row("r2"), {"run_id": "r2", "text": "two"})
    append_run(path, run_row("r1"), {"run_id": "r1", "text": "retry"})
    raw = transcript_path(path).read_bytes()
    assert raw.count(b"\n") == 3 and "🧪".encode() in raw  # one line per record, not escaped
    records = read_transcripts(path)
    assert records["r1"]["text"] == "retry" and records["r2"]["text"] == "two"


def test_transcript_survives_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"), {"run_id": "r1", "text": "one"})
    with transcript_path(path).open("ab") as f:
        f.write(b'{"run_id": "r2", "te')  # a writer killed mid-line
    append_run(path, run_row("r3"), {"run_id": "r3", "text": "three\ud800"})
    records = read_transcripts(path)
    assert sorted(records) == ["r1", "r3"]
    assert records["r3"]["text"] == "three\ud800"
    assert b'"te\n' in transcript_path(path).read_bytes()  # the torn bytes are kept


def test_a_refused_file_gets_no_orphan_transcript(tmp_path: Path) -> None:
    # A row that cannot be written (not a results CSV) leaves no orphan transcript either.
    path = tmp_path / "r.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with pytest.raises(CsvError):
        append_run(path, run_row("r1"), {"run_id": "r1"})
    assert not transcript_path(path).exists()


def test_transcript_is_written_before_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The row write fails after the checks: the transcript must already be on disk, so
    # a row never points at a missing transcript.
    from modelduel.storage import csvstore

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    path = tmp_path / "r.csv"
    append_run(path, run_row("r0"), {"run_id": "r0"})
    monkeypatch.setattr(csvstore, "_append_bytes", full_disk)
    with pytest.raises(CsvError):
        append_run(path, run_row("r1"), {"run_id": "r1"})
    assert "r1" in read_transcripts(path)
    assert [r["run_id"] for r in read_rows(path)] == ["r0"]


# --- concurrency and crashes ------------------------------------------------------------


def _appender(path: str, worker: str, count: int) -> None:
    for i in range(count):
        rid = f"{worker}-{i}"
        append_run(Path(path), run_row(rid, notes=f"row {i} of {worker}"), {"run_id": rid})


def _updater(path: str, done: Any, out: str) -> None:
    csv_path = Path(path)
    updated: list[str] = []
    while not done.is_set() or len(updated) < 20:
        if not csv_path.exists():
            time.sleep(0.005)
            continue
        pending = [r["run_id"] for r in read_rows(csv_path) if r["score"] == ""]
        for rid in pending[-3:]:
            update_run(csv_path, rid, {"score": 5, "quality": 2, "notes": f"scored {rid}"})
            updated.append(rid)
        if not pending:
            time.sleep(0.005)
    Path(out).write_text(json.dumps(updated), encoding="utf-8")


def test_two_appenders_and_an_updater_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    ctx = multiprocessing.get_context("spawn")
    done = ctx.Event()
    out = tmp_path / "updated.json"
    updater = ctx.Process(target=_updater, args=(str(path), done, str(out)))
    appenders = [ctx.Process(target=_appender, args=(str(path), w, 200)) for w in ("a", "b")]
    updater.start()
    for p in appenders:
        p.start()
    for p in appenders:
        p.join(60)
        assert p.exitcode == 0
    done.set()
    updater.join(60)
    assert updater.exitcode == 0

    rows = read_rows(path)
    ids = [r["run_id"] for r in rows]
    assert sorted(ids) == sorted(f"{w}-{i}" for w in ("a", "b") for i in range(200))
    for w in ("a", "b"):  # each process's rows stay in its own order
        mine = [rid for rid in ids if rid.startswith(w + "-")]
        assert mine == [f"{w}-{i}" for i in range(200)]
    updated = set(json.loads(out.read_text(encoding="utf-8")))
    assert len(updated) >= 20
    for row in rows:
        if row["run_id"] in updated:
            assert row["score"] == "5" and row["notes"] == f"scored {row['run_id']}"
        else:
            assert row["score"] == "" and row["notes"].startswith("row ")
    assert set(read_transcripts(path)) == set(ids)


def _append_forever(path: str, start: int) -> None:
    big = 'long note, with "quotes"\n' * 4000  # ~100 KB rows make a kill mid-write likely
    i = start
    while True:
        rid = f"k{i}"
        append_run(Path(path), run_row(rid, notes=f"{rid}:{big}"), {"run_id": rid, "text": big})
        i += 1


def test_sigkill_during_appends_leaves_only_complete_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    ctx = multiprocessing.get_context("spawn")
    big = 'long note, with "quotes"\n' * 4000
    start = 0
    for delay in (0.35, 0.5, 0.65):
        child = ctx.Process(target=_append_forever, args=(str(path), start))
        child.start()
        deadline = time.monotonic() + 20
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        assert child.exitcode == -signal.SIGKILL
        rows = read_rows(path)  # readable, and repaired if a row was torn after all
        assert rows, "the child wrote nothing before it was killed"
        start = len(rows) + 1000
        transcripts = read_transcripts(path)
        for row in rows:
            rid = row["run_id"]
            assert row["notes"] == f"{rid}:{big}"
            assert row["model"] == "openai/gpt-5.5" and row["retried"] == "0"
            assert transcripts[rid]["text"] == big  # written before its row


def test_torn_row_is_skipped_when_it_cannot_be_repaired(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"))
    damaged = path.read_bytes() + b"torn"
    path.write_bytes(damaged)
    (tmp_path / ".r.csv.lock").unlink()
    (tmp_path / ".r.csv.lock").mkdir()  # no lock can be taken, as in a read-only directory
    notices, on_notice = collect()
    assert [r["run_id"] for r in read_rows(path, on_notice=on_notice)] == ["r1"]
    assert len(notices) == 1 and "not repaired" in notices[0]
    assert path.read_bytes() == damaged
    with pytest.raises(CsvError, match=str(path)):
        append_run(path, run_row("r2"))
    assert path.read_bytes() == damaged


def test_symlinked_csv_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    append_run(real, run_row("r1"))
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    update_run(link, "r1", {"score": 2})
    assert link.is_symlink() and read_rows(real)[0]["score"] == "2"


# --- malformed middle rows (never padded, never counted) ---------------------------------


def brief_file(path: Path, rows: list[str]) -> bytes:
    """A hand-written CSV with only the brief's 11 columns (so an append adds columns)."""
    data = (",".join(BRIEF_COLUMNS) + "\n" + "".join(r + "\n" for r in rows)).encode()
    path.write_bytes(data)
    return data


def test_short_middle_row_is_reported_left_out_and_never_padded(tmp_path: Path) -> None:
    from modelduel.storage import read_rows_with_lines

    path = tmp_path / "hand.csv"
    short = "t2,coding,openai/gpt-5.5,5,1.0"  # 5 cells where the header has 11
    brief_file(
        path,
        ["t1,coding,openai/gpt-5.5,4,1,2,10,20,0.01,0,", short, "t3,coding,m,3,1,2,1,2,0.1,0,"],
    )
    notices, on_notice = collect()
    rows = read_rows(path, on_notice=on_notice)
    assert [r["task_id"] for r in rows] == ["t1", "t3"]
    assert len(notices) == 1 and f"{path}:3:" in notices[0] and "5 cells" in notices[0]
    # appending adds modelduel's columns: the short row must stay short, not become valid
    append_run(path, run_row("r9"), on_notice=on_notice)
    assert short + "\n" in path.read_text()
    read = read_rows_with_lines(path)
    assert [line for line, _ in read.rows] == [2, 4, 5]
    assert [(b.line, b.cells) for b in read.bad] == [(3, 5)]
    update_run(path, "r9", {"score": 4})
    assert short + "\n" in path.read_text()


def test_update_never_changes_a_malformed_row_with_the_same_run_id(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, run_row("r1"))
    append_run(path, run_row("r2"))
    header, first, second = path.read_bytes().splitlines(keepends=True)
    # a stray short row after r1's, holding "r1" where the run_id column is
    stray = (",".join(["x"] * COLUMNS.index("run_id") + ["r1"]) + "\n").encode()
    path.write_bytes(header + first + stray + second)
    update_run(path, "r1", {"score": 3})
    assert stray in path.read_bytes()  # left exactly as it was
    assert [(r["run_id"], r["score"]) for r in read_rows(path)] == [("r1", "3"), ("r2", "")]


def test_semicolon_separated_file_is_named_as_such_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes((";".join(BRIEF_COLUMNS) + "\nt1;coding;m;4;1;2;3;4;0,5;0;\n").encode())
    for call in (lambda: read_rows(path), lambda: ensure_writable(path)):
        with pytest.raises(CsvError, match=";-separated") as info:
            call()
        message = str(info.value)
        assert str(path) in message and "delimiter=';'" in message and "\n" not in message


def test_no_silent_no_op_lock_where_flock_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tomllib

    from modelduel.cli import main

    monkeypatch.setattr("sys.platform", "win32")
    with pytest.raises(CsvError, match="POSIX systems only"):
        append_run(tmp_path / "r.csv", run_row("r1"))
    assert not (tmp_path / "r.csv").exists()
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(tmp_path / "r.csv")])  # said at start-up, before any work
    assert exit_info.value.code == 2
    assert "POSIX systems only" in capsys.readouterr().err
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    classifiers = tomllib.loads(pyproject.read_text())["project"]["classifiers"]
    assert "Operating System :: POSIX" in classifiers
    assert not any("Windows" in c or "OS Independent" in c for c in classifiers)
