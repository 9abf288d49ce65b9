"""Crash-safety promises of the results CSV, asserted on the bytes on disk.

Each test was written against a hand-made mutation the rest of the suite let through:
the CSV rewritten in place instead of temp-and-rename, no truncate after a failed
append, and a row appended in two writes. A real full disk is `RLIMIT_FSIZE` in a child
process (writes past the limit fail with EFBIG, as with ENOSPC); a real crash is a
SIGKILL right after each write() the writer makes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import modelduel
from modelduel.storage import append_run, read_rows, update_run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and rlimits")

ROOT = Path(__file__).resolve().parents[1]


def row(run_id: str, notes: str = "", **cells: object) -> dict[str, object]:
    return {
        "task_id": "t1",
        "task_type": "coding",
        "model": "openai/gpt-5.5",
        "score": None,
        "output_tokens": 12,
        "cost_usd": 0.001,
        "notes": notes,
        "run_id": run_id,
        **cells,
    }


def no_torn_row(path: Path) -> list[dict[str, str]]:
    """The rows, asserting the file holds only complete rows (nothing to repair)."""
    notices: list[str] = []
    rows = read_rows(path, repair=False, on_notice=notices.append)
    assert notices == [], notices
    assert path.read_bytes().endswith(b"\n")
    assert not list(path.parent.glob("*.torn-*"))
    return rows


def run_child(code: str, *args: object) -> subprocess.CompletedProcess[str]:
    # the child imports the modelduel this test imports (a mutated copy under a mutation run)
    src = Path(modelduel.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


# A writer that meets a full disk `limit` bytes into any file.
FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from modelduel.errors import CsvError
from modelduel.storage import append_run, update_run
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG, not a signal
path, limit, action = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
big = "a note long enough to cross the limit " * 3000
try:
    if action == "append":
        append_run(path, {"task_id": "t1", "task_type": "coding", "model": "m/x",
                          "run_id": "r-big", "notes": big})
    else:
        update_run(path, "r1", {"notes": big, "score": 5})
except CsvError as exc:
    print(exc)
    sys.exit(3)
"""


def test_an_update_replaces_the_file_so_a_reader_never_sees_a_mix(tmp_path: Path) -> None:
    """A reader that opened the CSV before an update reads the old file to its end, whole:
    the update writes a new file and renames it over, it never rewrites the bytes a reader
    is in the middle of."""
    path = tmp_path / "r.csv"
    for i in range(3):
        append_run(path, row(f"r{i}", notes="old " * 50))
    before = path.read_bytes()
    with path.open("rb") as reader:
        head = reader.read(100)
        update_run(path, "r1", {"score": 5, "notes": "new " * 500})
        assert head + reader.read() == before
    rows = no_torn_row(path)
    assert [r["score"] for r in rows] == ["", "5", ""]


def test_an_update_that_meets_a_full_disk_leaves_the_csv_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    for i in range(3):
        append_run(path, row(f"r{i}"))
    before = path.read_bytes()
    done = run_child(FULL_DISK, path, len(before) + 500, "update")
    assert done.returncode == 3, done.stderr
    assert str(path) in done.stdout and "cannot" in done.stdout  # one line naming the file
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".r.csv.lock")) == [
        "r.csv"
    ]  # no temp file left behind


def test_an_append_that_meets_a_full_disk_leaves_no_partial_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    for i in range(2):
        append_run(path, row(f"r{i}"))
    before = path.read_bytes()
    done = run_child(FULL_DISK, path, len(before) + 2000, "append")
    assert done.returncode == 3, done.stderr
    assert str(path) in done.stdout
    assert path.read_bytes() == before  # cut back to where it was
    append_run(path, row("r2"))  # and the next append lands on a clean line
    assert [r["run_id"] for r in no_torn_row(path)] == ["r0", "r1", "r2"]


# A writer that is SIGKILLed right after its Nth write() (to any file), doing appends, an
# update and an append that adds a column (an atomic rewrite, then an append).
KILLED_AFTER_WRITE = """
import os, signal, sys
from pathlib import Path
from modelduel.storage import append_run, update_run
path, kill_after = Path(sys.argv[1]), int(sys.argv[2])
real_write, writes = os.write, 0
def write(fd, data):
    global writes
    n = real_write(fd, data)
    writes += 1
    if writes == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)
    return n
os.write = write
note = 'a long note, with "quotes", commas\\nand lines ' * 2000
def row(rid, **more):
    return {"task_id": "t1", "task_type": "coding", "model": "m/x", "run_id": rid,
            "notes": f"{rid}:{note}", **more}
append_run(path, row("k0"), {"run_id": "k0", "text": note})
append_run(path, row("k1"), {"run_id": "k1", "text": note})
update_run(path, "k0", {"score": 4, "quality": 2})
append_run(path, row("k2", team_column="added"), {"run_id": "k2", "text": note})
append_run(path, row("k3"), {"run_id": "k3", "text": note})
"""
NOTE = 'a long note, with "quotes", commas\nand lines ' * 2000


def test_a_writer_killed_after_any_write_leaves_only_complete_rows(tmp_path: Path) -> None:
    """Whatever write() a SIGKILL follows, the CSV holds only whole rows: there is never
    a torn row to repair, because each row goes out in one write and each rewrite is a
    rename."""
    kills = 0
    for kill_after in range(1, 40):
        path = tmp_path / f"run{kill_after}" / "r.csv"
        path.parent.mkdir()
        done = run_child(KILLED_AFTER_WRITE, path, kill_after)
        if done.returncode == 0:
            break  # the writer made fewer writes than this: every kill point was tried
        assert done.returncode == -signal.SIGKILL, done.stderr
        kills += 1
        if not path.exists():
            continue
        rows = no_torn_row(path)
        assert rows, "a header without its first row"  # they go out in one write too
        for r in rows:
            assert r["notes"] == f"{r['run_id']}:{NOTE}"
        ids = [r["run_id"] for r in rows]
        assert ids == ["k0", "k1", "k2", "k3"][: len(ids)]
    else:
        pytest.fail("the writer never finished")
    assert kills >= 8  # each append is two writes (transcript, row); each rewrite one
    final = no_torn_row(tmp_path / f"run{kill_after}" / "r.csv")
    assert [r["run_id"] for r in final] == ["k0", "k1", "k2", "k3"]
    assert final[0]["score"] == "4" and final[2]["team_column"] == "added"
