"""Widget styles live in `.tcss` files beside their widgets, and the wheel ships them."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder
from textual.widget import Widget

from modelduel.tui import (
    conversation,
    duelscreen,
    pane,
    pane_lines,
    screens,
    stream_markdown,
    taskpanel,
)
from modelduel.tui.tcss import read_tcss

REPO = Path(__file__).resolve().parents[1]
TUI = REPO / "src" / "modelduel" / "tui"
TCSS_FILES = sorted(p.name for p in TUI.glob("*.tcss"))

STYLED: dict[str, type[Widget]] = {
    "text-line.tcss": pane_lines.TextLine,
    "error-line.tcss": pane_lines.ErrorLine,
    "response-pane.tcss": pane.ResponsePane,
    "pane-body.tcss": stream_markdown.PaneBody,
    "task-panel.tcss": taskpanel.TaskPanel,
    "conversation-lines.tcss": conversation._Lines,
    "duel-screen.tcss": duelscreen.DuelScreen,
    "dialog.tcss": screens.Dialog,
    "unsaved-quit-screen.tcss": screens.UnsavedQuitScreen,
}


def test_every_tcss_file_is_a_widgets_default_css() -> None:
    assert sorted(STYLED) == TCSS_FILES
    for name, widget in STYLED.items():
        assert widget.__dict__["DEFAULT_CSS"] == (TUI / name).read_text(encoding="utf-8"), name


def test_every_modal_screen_takes_the_dialog_style() -> None:
    for screen in (
        screens.HelpScreen,
        screens.NoteScreen,
        screens.AttachScreen,
        screens.HistoryScreen,
        screens.ReportScreen,
        screens.UnsavedQuitScreen,
    ):
        assert issubclass(screen, screens.Dialog)


@pytest.mark.parametrize(
    "module", sorted(p.name for p in TUI.glob("*.py") if p.name != "app.py"), ids=str
)
def test_no_widget_keeps_its_style_inline(module: str) -> None:
    # A style written back into a Python string would be a second place to look for it.
    tree = ast.parse((TUI / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = any(isinstance(t, ast.Name) and t.id == "DEFAULT_CSS" for t in targets)
            value = node.value
            if named and value is not None:
                assert not isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp), (
                    f"{module}:{node.lineno}: DEFAULT_CSS inline; put it in a .tcss file"
                )


def test_the_wheel_ships_every_tcss_file_and_read_tcss_reads_each_from_it(tmp_path: Path) -> None:
    builder = WheelBuilder(str(REPO))
    (wheel,) = builder.build(directory=str(tmp_path / "dist"), versions=["standard"])
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(Path(n).name for n in archive.namelist() if n.startswith("modelduel/tui/"))
        assert set(TCSS_FILES) <= set(shipped)
        archive.extractall(tmp_path / "site")
    # From the unpacked wheel alone (not this checkout), every style loads by name.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import modelduel.tui.tcss as t; "
        "assert t.__file__.startswith(sys.argv[1]), t.__file__; "
        "print(all(t.read_tcss(n) for n in sys.argv[2:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "site"), *TCSS_FILES],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_read_tcss_names_the_package_file() -> None:
    assert read_tcss("text-line.tcss") == (TUI / "text-line.tcss").read_text(encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        read_tcss("no-such.tcss")
