"""A corrupt line in the transcript is named as such, not as a run "with no record"."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.commands.export import run_export
from modelduel.storage.transcript import read_transcript
from tests.test_export import parse, results

__all__ = ["results"]  # the fixture, used by name


def break_line(transcript: Path, run_id: str) -> int:
    lines = transcript.read_text().splitlines()
    number = next(i for i, x in enumerate(lines, 1) if f'"{run_id}"' in x)
    lines[number - 1] = lines[number - 1][:40]  # cut short, as by a killed writer
    transcript.write_text("".join(x + "\n" for x in lines))
    return number


def test_the_reader_names_the_bad_line(results: Path) -> None:
    number = break_line(results.with_suffix(".jsonl"), "run-1")
    read = read_transcript(results)
    assert [line for line, _ in read.bad_lines] == [number]


def test_export_names_the_bad_line(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    transcript = results.with_suffix(".jsonl")
    number = break_line(transcript, "run-1")
    assert run_export(parse(str(results), "--format", "markdown")) == 1
    err = capsys.readouterr().err
    assert f"{transcript}:{number} is not valid JSON (" in err, err
    assert "that run's texts are missing" in err
    assert "have no record" not in err  # the one missing run is that line's


def test_the_history_notes_the_bad_line(results: Path) -> None:
    from modelduel.tui.recorded import recorded_views

    transcript = results.with_suffix(".jsonl")
    number = break_line(transcript, "run-1")
    notes: list[str] = []
    views = recorded_views(results, blind=False, notes=notes)
    assert len(views) == 1
    assert notes == [
        f"{transcript}:{number} is not valid JSON (Unterminated string starting at: column 37)"
        ": the texts of a run there are missing"
    ]
