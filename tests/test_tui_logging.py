"""The TUI's own failures are logged to modelduel's log file, with their traceback."""

from __future__ import annotations

import logging
from pathlib import Path

from modelduel.commands.tui_cmd import logging_to_file


def test_errors_logged_while_the_tui_runs_land_in_the_log_with_traceback(tmp_path: Path) -> None:
    log = tmp_path / "state" / "modelduel.log"
    engine = logging.getLogger("modelduel.worker")
    with logging_to_file(log):
        try:
            raise OSError(28, "No space left on device")
        except OSError as exc:
            engine.error("a duel callback failed; the runs carry on", exc_info=exc)
        engine.info("chatter below warning level stays out")
    engine.error("after the app: not in this file")
    text = log.read_text(encoding="utf-8")
    assert "ERROR modelduel.worker: a duel callback failed" in text
    assert "Traceback" in text and "No space left on device" in text
    assert "chatter" not in text and "after the app" not in text


def test_a_log_that_cannot_be_opened_does_not_stop_the_app(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with logging_to_file(blocker / "modelduel.log"):
        logging.getLogger("modelduel").error("goes nowhere")
