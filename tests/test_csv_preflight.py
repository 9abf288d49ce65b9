"""The results CSV is checked for real (created, locked, appended) before any model runs.

Running as root, permissions block nothing, so the unwritable places here are ones the
kernel refuses to anyone: a directory of /proc (ENOENT on create, although it exists) and
a path under a regular file (ENOTDIR).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from modelduel.errors import CsvError
from modelduel.storage import ensure_writable, read_rows, transcript_path
from tests.support.cli import FAST, modelduel, wait_for, write_config
from tests.support.tmux_app import NEEDS_TMUX, tmux_app

STARTER = Path(__file__).resolve().parents[1] / "tasks" / "starter"
PROC = Path("/proc")


def _proc_refuses_files() -> bool:
    if not (PROC / "self").is_dir():
        return False
    try:
        fd = os.open(PROC / ".modelduel-probe", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return True
    os.close(fd)  # pragma: no cover - a /proc that takes files: nothing to test here
    os.unlink(PROC / ".modelduel-probe")
    return False


needs_proc = pytest.mark.skipif(not _proc_refuses_files(), reason="needs Linux /proc")


def _one_line(message: str) -> str:
    lines = message.strip().splitlines()
    assert len(lines) == 1, message
    return lines[0]


@needs_proc
def test_a_directory_that_takes_no_files_is_refused_with_its_reason() -> None:
    path = PROC / "x.csv"
    with pytest.raises(CsvError) as info:
        ensure_writable(path)
    line = _one_line(str(info.value))
    assert str(path) in line
    assert "No such file or directory" in line  # the OS reason
    # the directory exists: telling the user to check that it does is no help
    assert "check that the directory exists" not in line
    assert "pick another path" in line


def test_a_path_under_a_regular_file_says_it_is_not_a_directory(tmp_path: Path) -> None:
    plain = tmp_path / "file"
    plain.write_text("x")
    with pytest.raises(CsvError) as info:
        ensure_writable(plain / "x.csv")
    line = _one_line(str(info.value))
    assert str(plain / "x.csv") in line
    assert "not a directory" in line and "does not exist" not in line


def test_a_transcript_that_cannot_be_appended_is_refused_up_front(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    transcript_path(path).mkdir()  # r.jsonl is a directory: no record can go there
    with pytest.raises(CsvError) as info:
        ensure_writable(path)
    line = _one_line(str(info.value))
    assert str(transcript_path(path)) in line and "transcript" in line
    assert not path.exists()


def test_checking_leaves_no_csv_and_no_transcript(tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    ensure_writable(path)
    assert not path.exists() and not transcript_path(path).exists()
    # the lock's sidecar may stay (it is never deleted); no probe file is left behind
    assert {p.name for p in tmp_path.iterdir()} <= {".new.csv.lock"}


@needs_proc
def test_ask_refuses_before_any_model_runs(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = modelduel(
        "ask", "--demo", "--config", config, "-m", FAST, "--csv", "/proc/x.csv", "hi", cwd=tmp_path
    )
    err = result.stderr.decode()
    assert result.returncode == 2, err
    line = _one_line(err)
    assert "/proc/x.csv" in line and "No such file or directory" in line
    assert "NOT saved" not in err
    assert result.stdout == b""  # no answer, no table: nothing was sent


@needs_proc
def test_run_refuses_before_any_model_runs(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = modelduel(
        "run", "--demo", "--config", config, "-m", FAST, STARTER, "--csv", "/proc/y.csv",
        cwd=tmp_path,
    )  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 2, err
    line = _one_line(err)
    assert "/proc/y.csv" in line and "No such file or directory" in line
    assert "NOT saved" not in err and "fix-retry-after" not in result.stdout.decode()


def test_ask_under_a_regular_file_refuses_naming_the_reason(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    (tmp_path / "file").write_text("x")
    csv_path = tmp_path / "file" / "x.csv"
    result = modelduel(
        "ask", "--demo", "--config", config, "-m", FAST, "--csv", csv_path, "hi", cwd=tmp_path
    )
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "not a directory" in _one_line(err) and result.stdout == b""
    assert read_rows(tmp_path / "modelduel-results.csv") == []


@needs_proc
@NEEDS_TMUX
def test_the_duel_screen_refuses_before_it_opens(tmp_path: Path) -> None:
    # in a real terminal: without one the screen refuses first, for want of a terminal
    config = write_config(tmp_path)
    for name, args in (("suite", f"suite {STARTER}"), ("duel", "")):
        app = f"{sys.executable} -m modelduel {args} --demo --config {config} --csv /proc/z.csv"
        with tmux_app(
            f"preflight-{name}", f"sh -c '{app}; echo exit=$?; exec sleep 60'", tmp_path
        ) as tmux:

            def said() -> str:
                # joined (-J), with what scrolled off: the line is wider than the pane
                return tmux.run("capture-pane", "-p", "-J", "-S", "-100", "-t", tmux.session)

            assert wait_for(lambda: "exit=" in said(), 60), said()
            text = said()
            assert "exit=2" in text, text
            assert "/proc/z.csv" in text and "No such file or directory" in text, text
