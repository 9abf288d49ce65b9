"""`modelduel export`: CSV (all or the brief's columns), typed JSON Lines, Markdown."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from modelduel.commands.export import add_export_parser, run_export
from modelduel.errors import CsvError
from modelduel.storage import BRIEF_COLUMNS, append_run


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_export_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["export", *argv])


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "r.csv"
    for i, (model, score) in enumerate([("openai/gpt-5.5", 4), ("anthropic/claude-opus-4-7", 5)]):
        row = {
            "task_id": "007",
            "task_type": "adhoc",
            "model": model,
            "score": score,
            "time_to_first_useful_s": 1.23456,
            "cost_usd": 0.0123456,
            "run_id": f"run-{i}",
            "duel_id": "duel-1",
            "blind": True,
        }
        transcript = {"run_id": f"run-{i}", "prompt": "Q?", "text": "# Heading\n\n```py\nx\n```"}
        append_run(path, row, transcript)
    return path


def test_csv_brief_columns(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.csv"
    assert run_export(parse(str(results), "--brief-columns", "-o", str(out))) == 0
    rows = list(csv.reader(out.open()))
    assert tuple(rows[0]) == BRIEF_COLUMNS and len(rows) == 3
    assert rows[1][0] == "007"


def test_jsonl_is_typed_and_carries_the_texts(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    run_export(parse(str(results), "--format", "jsonl", "-o", str(out)))
    first = json.loads(out.read_text().splitlines()[0])
    assert first["score"] == 4 and first["blind"] is True and first["notes"] is None
    assert first["task_id"] == "007"  # ids stay text even when they look numeric
    assert first["transcript"]["text"].startswith("# Heading")


def test_markdown_fences_answers_and_rounds(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    run_export(parse(str(results), "--format", "markdown", "--duel", "duel-1", "-o", str(out)))
    text = out.read_text()
    assert "````markdown\n# Heading" in text  # the answer's heading stays inside its fence
    assert "| 1.23 |" in text and "| 0.0123 |" in text


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="no such file"):
        run_export(parse(str(tmp_path / "nope.csv")))


@pytest.mark.parametrize("since", ["yesterday", "2026-13-45", "30/11/2026"])
def test_unparseable_since_is_a_usage_error(results: Path, since: str) -> None:
    from modelduel.errors import ModelduelError

    with pytest.raises(ModelduelError, match=r"--since .*YYYY-MM-DD") as info:
        run_export(parse(str(results), "--since", since))
    assert info.value.exit_code == 2


def test_filters_that_match_nothing_say_so_and_fail(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    assert run_export(parse(str(results), "--duel", "nope", "-o", str(out))) == 1
    err = capsys.readouterr().err
    assert "no runs match --duel nope" in err and "holds 2 runs" in err
    assert not out.exists()  # no header-only file that looks like an export
    dated = tmp_path / "dated.csv"
    for day in ("2026-11-29", "2026-11-30"):
        append_run(dated, {"task_id": "t", "model": "m", "timestamp": f"{day}T23:59:59Z"})
    assert run_export(parse(str(dated), "--since", "2026-12-01")) == 1
    assert "no runs match --since 2026-12-01" in capsys.readouterr().err
    assert run_export(parse(str(dated), "--since", "2026-11-30", "-o", str(out))) == 0
    assert [r["timestamp"] for r in csv.DictReader(out.open())] == ["2026-11-30T23:59:59Z"]


def test_csv_export_neutralises_every_formula(tmp_path: Path) -> None:
    source = tmp_path / "r.csv"
    append_run(source, {"task_id": "t", "model": "m", "run_id": "r1", "notes": "=1+1"})
    append_run(source, {"task_id": "t", "model": "m", "run_id": "r2", "notes": "HAND"})
    # the second note typed by hand into the source file, not written by the app
    source.write_text(source.read_text().replace("HAND", '"=HYPERLINK(""http://x"")"'))
    out = tmp_path / "out.csv"
    assert run_export(parse(str(source), "-o", str(out))) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["notes"] for r in rows] == ["'=1+1", '\'=HYPERLINK("http://x")']
    assert rows[0]["wall_time_s"] == "" and rows[0]["manual_corrections"] == ""


def test_out_refuses_a_missing_directory(results: Path, tmp_path: Path) -> None:
    from modelduel.errors import ModelduelError

    target = tmp_path / "missing" / "out.csv"
    with pytest.raises(ModelduelError, match="does not exist"):
        run_export(parse(str(results), "-o", str(target)))
    assert not target.parent.exists()


def test_the_parser_offers_exactly_the_formats_storage_writes() -> None:
    from modelduel.commands import export as command
    from modelduel.storage import export as writer

    assert command.FORMATS == writer.FORMATS


@pytest.mark.parametrize("fmt", ["markdown", "jsonl"])
@pytest.mark.parametrize("to_file", [False, True])
def test_a_csv_moved_without_its_transcript_says_so_and_exits_1(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, to_file: bool
) -> None:
    moved = results.rename(tmp_path / "moved.csv")  # the .jsonl stays behind as r.jsonl
    out = tmp_path / f"out.{fmt}"
    argv = [str(moved), "--format", fmt, *(["-o", str(out)] if to_file else [])]
    assert run_export(parse(*argv)) == 1  # an incomplete export is not a success
    captured = capsys.readouterr()
    (line,) = [x for x in captured.err.splitlines() if "transcript" in x]
    assert str(tmp_path / "moved.jsonl") in line and "together" in line and "--no-text" in line
    exported = out.read_text() if to_file else captured.out
    assert "# Heading" not in exported  # the figures are exported, the texts cannot be
    if fmt == "markdown":  # each answer says why it is absent, not "(no text)"
        assert exported.count("(text not exported: no transcript moved.jsonl") == 2
        assert "(no text)" not in exported
    else:
        assert all(json.loads(x)["transcript"] is None for x in exported.splitlines())


def test_no_text_asks_for_an_export_without_texts(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moved = results.rename(tmp_path / "moved.csv")
    assert run_export(parse(str(moved), "--format", "jsonl", "--no-text")) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    records = [json.loads(x) for x in captured.out.splitlines()]
    assert len(records) == 2 and all("transcript" not in r for r in records)
    assert run_export(parse(str(moved), "--format", "markdown", "--no-text")) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "| openai/gpt-5.5 | 4 |" in captured.out
    assert "###" not in captured.out  # no answer sections, not even empty ones


def test_a_run_missing_from_a_present_transcript_is_told_apart(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transcript = results.with_suffix(".jsonl")
    kept = [x for x in transcript.read_text().splitlines() if '"run-1"' not in x]
    transcript.write_text("".join(x + "\n" for x in kept))
    assert run_export(parse(str(results), "--format", "markdown")) == 1
    captured = capsys.readouterr()
    assert "1 of 2 runs have no record in " + str(transcript) in captured.err
    assert "beside" not in captured.err  # not the "no transcript at all" message
    assert captured.out.count("# Heading") == 1  # run-0's text is exported
    assert f"(text not exported: run run-1 has no record in {transcript.name})" in captured.out


def test_a_csv_export_needs_no_transcript(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moved = results.rename(tmp_path / "moved.csv")
    assert run_export(parse(str(moved))) == 0  # a CSV export carries no texts
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("which", ["csv", "transcript", "lock", "csv-by-another-path"])
def test_out_refuses_to_overwrite_the_csv_or_its_transcript(
    results: Path, tmp_path: Path, which: str
) -> None:
    from modelduel.errors import ModelduelError

    targets = {
        "csv": results,
        "transcript": results.with_suffix(".jsonl"),
        "lock": results.parent / f".{results.name}.lock",
        "csv-by-another-path": tmp_path / "sub" / ".." / results.name,
    }
    (tmp_path / "sub").mkdir()
    before = {p: p.read_bytes() for p in (results, results.with_suffix(".jsonl"))}
    with pytest.raises(ModelduelError, match="would replace it"):
        run_export(parse(str(results), "--format", "markdown", "-o", str(targets[which])))
    assert {p: p.read_bytes() for p in before} == before
