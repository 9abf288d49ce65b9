"""A `run` stopped while a task's duel is in flight resumes into the same duel.

Ctrl+C mid-duel leaves the models that finished saved and the one still streaming saved
as cancelled. The same command again runs that model only, and its new row joins the
duel the others are in (same `duel_id`), so `score` shows the task's answers side by
side: one duel, every model, the cancelled row kept in the CSV but not shown as a pane.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from modelduel.storage import read_rows, read_transcripts
from tests.support.cli import FAST, SLOW, modelduel, start, wait_for, write_config

GEMINI = "gemini/gemini-3.1-pro-preview"  # fast in the test profiles, like FAST


def write_one_task_suite(directory: Path) -> Path:
    suite = directory / "suite"
    suite.mkdir()
    (suite / "t0.toml").write_text(
        'id = "t0"\ntype = "research_summary"\ntitle = "T"\nprompt = "Say 0."\n'
        'criteria = ["a"]\noutput_format = "Text."\n',
        encoding="utf-8",
    )
    return suite


def interrupted(
    tmp_path: Path, *extra: object, stop: signal.Signals = signal.SIGINT
) -> tuple[tuple[object, ...], Path, list[dict[str, str]]]:
    """A run of one task on three models stopped by ctrl+c (or `stop`) while SLOW streams:
    the run's arguments, its CSV (SLOW made fast now, for the resume), the rows it saved."""
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    suite = write_one_task_suite(tmp_path)
    args: tuple[object, ...] = ("run", suite, "--demo", "--config", config, "--csv", csv_path)
    args += ("-m", FAST, "-m", SLOW, "-m", GEMINI, *extra)
    proc = start(*args, cwd=tmp_path)
    try:
        # FAST and GEMINI are saved: SLOW is streaming now
        assert wait_for(lambda: len(read_rows(csv_path)) == 2, 60)
        os.killpg(proc.pid, stop)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    before = read_rows(csv_path)
    if stop == signal.SIGINT:
        assert proc.returncode == 130, err
        assert sorted((r["model"], r["finish_reason"]) for r in before) == [
            (FAST, "stop"),
            (GEMINI, "stop"),
            (SLOW, "cancelled"),
        ]
    assert len({r["duel_id"] for r in before}) == 1
    config.write_text(config.read_text().replace("tps = 15\n", "tps = 3000\n"), encoding="utf-8")
    return args, csv_path, before


def test_resume_runs_the_missing_model_in_the_interrupted_duel(tmp_path: Path) -> None:
    from modelduel.tui.recorded import recorded_views

    args, csv_path, before = interrupted(tmp_path)
    duel_id = before[0]["duel_id"]
    again = modelduel(*args, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    assert b"resuming: 2 of 3 runs already in" in again.stderr
    after = read_rows(csv_path)
    assert after[:3] == before, "the rows saved before ctrl+c stay, the cancelled one too"
    assert [(r["model"], r["finish_reason"]) for r in after[3:]] == [(SLOW, "stop")]
    new = after[3]
    assert new["duel_id"] == duel_id, "the resumed run is one more run of the same duel"
    cancelled = next(r for r in before if r["model"] == SLOW)
    assert new["pane"] == cancelled["pane"], "it takes the pane its cancelled run had"
    assert read_transcripts(csv_path)[new["run_id"]]["duel_id"] == duel_id

    # `score` opens one duel for the task, with every model's answer, the new SLOW run's
    views = recorded_views(csv_path, blind=False)
    assert len(views) == 1
    (view,) = views
    assert view.duel_id == duel_id
    assert sorted(p.spec for p in view.panes) == sorted([FAST, SLOW, GEMINI])
    shown = {view.panes[i].spec: view.run_id(i) for i in range(len(view.panes))}
    assert shown[SLOW] == new["run_id"]
    assert not any(view.cancelled(i) for i in range(len(view.panes)))

    # blind (as `score` opens it): three panes to score, and scoring them reveals the names
    # (a cancelled pane with text could be scored by no key and would hold them back)
    from modelduel.core.scoring import Score

    (blind,) = recorded_views(csv_path, blind=True)
    assert len(blind.panes) == 3 and all(p.hidden for p in blind.panes)
    for pane in blind.panes:
        pane.score = Score().set_direct(4)
    assert blind.reveal_if_scored()


def test_resume_after_a_kill_completes_the_duel(tmp_path: Path) -> None:
    # killed outright: SLOW has no row, but the transcript of the runs saved says the
    # duel was sent to it, so the duel was cut short and SLOW completes it
    args, csv_path, before = interrupted(tmp_path, stop=signal.SIGKILL)
    assert sorted(r["model"] for r in before) == sorted([FAST, GEMINI])
    again = modelduel(*args, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    after = read_rows(csv_path)
    assert [(r["model"], r["duel_id"]) for r in after[2:]] == [(SLOW, before[0]["duel_id"])]
    assert after[2]["pane"] == "1", "its lineup place"


def test_resume_with_another_budget_starts_a_new_duel(tmp_path: Path) -> None:
    # the duel's runs were sent the default budget: SLOW sent another one would not be a
    # fair match for them, so it runs in a new duel, and the command says why
    args, csv_path, before = interrupted(tmp_path)
    duel_id = before[0]["duel_id"]
    again = modelduel(*args, "--max-output-tokens", "777", cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    sent = before[0]["max_output_tokens"]
    assert (
        f"task t0: not joining duel {duel_id} (max_output_tokens differs: {sent} vs 777); "
        "starting a new duel"
    ).encode() in again.stderr
    after = read_rows(csv_path)
    assert after[:3] == before
    assert [r["model"] for r in after[3:]] == [SLOW]  # its answer ends at the 777 tokens
    assert after[3]["duel_id"] != duel_id
    assert after[3]["max_output_tokens"] == "777"


def test_resume_with_the_same_attached_file_joins_and_another_does_not(tmp_path: Path) -> None:
    # the --attach file is in the first message each run was sent (its transcript's
    # conversation): an edited file starts a new duel, the same file completes the duel
    notes = tmp_path / "notes.txt"
    notes.write_text("the notes\n", encoding="utf-8")
    args, csv_path, before = interrupted(tmp_path, "--attach", notes)
    duel_id = before[0]["duel_id"]
    saved = {p: p.read_bytes() for p in (csv_path, csv_path.with_suffix(".jsonl"))}

    notes.write_text("the notes, edited\n", encoding="utf-8")
    edited = modelduel(*args, cwd=tmp_path, timeout=120)
    assert edited.returncode == 0, edited.stderr
    why = f"task t0: not joining duel {duel_id} (the attached files differ); starting a new duel"
    assert why.encode() in edited.stderr
    assert read_rows(csv_path)[3]["duel_id"] != duel_id

    for path, data in saved.items():  # back to the CSV as ctrl+c left it
        path.write_bytes(data)
    notes.write_text("the notes\n", encoding="utf-8")
    same = modelduel(*args, cwd=tmp_path, timeout=120)
    assert same.returncode == 0, same.stderr
    assert b"not joining" not in same.stderr
    assert [(r["model"], r["duel_id"]) for r in read_rows(csv_path)[3:]] == [(SLOW, duel_id)]


def test_resume_with_another_effort_starts_a_new_duel(tmp_path: Path) -> None:
    # the duel's runs were sent --effort high: SLOW sent low would not be a fair match for
    # them, so it runs in a new duel with the effort asked now, and the command says why
    args, csv_path, before = interrupted(tmp_path, "--effort", "high")
    duel_id = before[0]["duel_id"]
    assert {r["effort"] for r in before} - {""}, "the effort was recorded per run"
    again = modelduel(*args, "--effort", "low", cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    err = again.stderr.decode()
    line = next(x for x in err.splitlines() if "not joining" in x)
    assert line.startswith(f"task t0: not joining duel {duel_id} (effort differs: "), err
    assert line.endswith("); starting a new duel"), line
    after = read_rows(csv_path)
    assert after[:3] == before
    assert [r["model"] for r in after[3:]] == [SLOW]
    assert after[3]["duel_id"] != duel_id
    assert after[3]["effort"] != next(r for r in before if r["model"] == SLOW)["effort"]


def test_a_model_added_since_does_not_join_the_interrupted_duel(tmp_path: Path) -> None:
    # the lineup has a fourth model now: SLOW completes the duel it was sent, the newcomer
    # was never sent that prompt with the others, so it gets a duel of its own (as after a
    # finished duel) and the command says so
    added = "openai/gpt-5.4"
    args, csv_path, before = interrupted(tmp_path)
    duel_id = before[0]["duel_id"]
    config = tmp_path / "config.toml"
    profile = '[simulator."gpt-5.4"]\nttft_ms = 20\nreasoning_ms = 0\ntps = 3000\n'
    config.write_text(config.read_text() + profile, encoding="utf-8")
    again = modelduel(*args, "-m", added, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    why = f"task t0: not joining duel {duel_id} (it was not sent to {added}); starting a new duel"
    assert why.encode() in again.stderr
    after = read_rows(csv_path)
    assert after[:3] == before
    by_model = {r["model"]: r for r in after[3:]}
    assert sorted(by_model) == sorted([SLOW, added])
    assert by_model[SLOW]["duel_id"] == duel_id
    assert by_model[added]["duel_id"] not in {r["duel_id"] for r in before}
    assert read_transcripts(csv_path)[by_model[added]["run_id"]]["duel_models"] == [added]


def test_each_duel_refused_is_said_in_a_line_of_its_own(tmp_path: Path) -> None:
    # two duels of t0 cut short (the second a copy of the first under another id), the
    # task's prompt edited since: neither is joined, and `run` says so for each
    args, csv_path, before = interrupted(tmp_path)
    duel_id = before[0]["duel_id"]
    other = duel_id + "-copy"
    ids = {r["run_id"] for r in before}
    for path in (csv_path, csv_path.with_suffix(".jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        copies = []
        for line in lines:
            if duel_id in line:
                for run_id in ids:
                    line = line.replace(run_id, run_id + "-copy")
                copies.append(line.replace(duel_id, other))
        path.write_text("".join(lines + copies), encoding="utf-8")
    assert {r["duel_id"] for r in read_rows(csv_path)} == {duel_id, other}
    task = tmp_path / "suite" / "t0.toml"
    task.write_text(task.read_text().replace("Say 0.", "Say 1."), encoding="utf-8")
    again = modelduel(*args, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    err = again.stderr.decode()
    lines = [x for x in err.splitlines() if "not joining" in x]
    assert lines == [
        f"task t0: not joining duel {d} (the prompt differs); starting a new duel"
        for d in (duel_id, other)
    ], err
    after = read_rows(csv_path)
    assert [r["model"] for r in after[6:]] == [SLOW]
    assert after[6]["duel_id"] not in {duel_id, other}
