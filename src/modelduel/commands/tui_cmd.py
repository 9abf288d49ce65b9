"""`modelduel` with no command: the duel screen (`tui.launch` opens it).

The top-level options are the duel screen's (`cli`); this module is the command table's
default entry, so the command layer stays above the screen it opens.
"""

from __future__ import annotations

from modelduel.tui.launch import run_tui

__all__ = ["run"]

# the command run with no command name (`cli.DEFAULT_COMMAND`)
run = run_tui
