"""A theme that does not exist is a one-line error before the screen opens; `route --json`
says when its runs were simulated, as the exports do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from modelduel.errors import ModelduelError
from modelduel.tui.launch import check_theme
from tests.support.cli import clean_env

HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
    "output_tokens,cost_usd,manual_corrections,notes"
)


def test_an_unknown_theme_names_the_themes_there_are(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "modelduel", "--demo", "--theme", "nosuchtheme"],
        capture_output=True, text=True, env=clean_env(tmp_path), cwd=tmp_path,
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "--theme: no theme 'nosuchtheme'" in lines[0] and "modelduel-dark" in lines[0]


def test_without_a_terminal_the_duel_screen_says_so_and_names_the_headless_commands(
    tmp_path: Path,
) -> None:
    # no tty (CI, cron, `< /dev/null`): Textual would write escape codes into a log and
    # spin on a stdin it cannot read
    result = subprocess.run(
        [sys.executable, "-m", "modelduel", "--demo"],
        capture_output=True, text=True, env=clean_env(tmp_path), cwd=tmp_path,
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr, result.stderr
    assert "needs a terminal" in result.stderr and "modelduel ask" in result.stderr
    assert result.stdout == ""


def test_a_configured_theme_is_named_by_its_file_and_a_real_one_passes(tmp_path: Path) -> None:
    with pytest.raises(ModelduelError, match=r"config.toml: theme: no theme 'gone'"):
        check_theme(None, "gone", ["modelduel-dark"], tmp_path / "config.toml")
    check_theme("modelduel-dark", "", ["modelduel-dark"], tmp_path / "config.toml")
    check_theme("textual-dark", "", ["modelduel-dark"], tmp_path / "config.toml")
    check_theme(None, "", ["modelduel-dark"], tmp_path / "config.toml")


def test_route_json_says_its_runs_were_simulated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelduel import cli

    path = tmp_path / "r.csv"
    path.write_text(
        f"{HEADER},simulated\nt1,x,m,4,1,2,3,4,0.01,0,,true\nt2,x,n,5,1,2,3,4,0.01,0,,false\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit):
        cli.main(["route", str(path), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["simulated"] is True and "SIMULATED" in payload["simulated_note"]
    real = tmp_path / "real.csv"
    real.write_text(f"{HEADER}\nt1,x,m,4,1,2,3,4,0.01,0,\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        cli.main(["route", str(real), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["simulated"] is False and payload["simulated_note"] is None
