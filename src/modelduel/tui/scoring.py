"""Score keys on the duel screen: apply, write, tell; accept the checks' and judge's parts.

What is written and what may be said about it is the Textual-free
`core.session_saves.SessionSaves`; this module finds the pane, shows the notices,
moves focus on and repaints the status.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from modelduel.core.scoring import Score
from modelduel.core.session_interface import Say
from modelduel.tui.panegrid import focus_next_unscored

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp
    from modelduel.tui.pane import ResponsePane

__all__ = ["accept_suggestions", "change_score", "retry_saves", "tell"]


def tell(app: ModelduelApp, say: Say) -> None:
    """Show one of the rules' notices."""
    app.notify(say.message, severity=say.severity, timeout=say.timeout)


def change_score(
    app: ModelduelApp,
    pane: ResponsePane | None,
    change: Callable[[Score], Score],
    *,
    source: str | Mapping[str, str] = "person",
) -> None:
    """Apply a score change to a pane and write it to its CSV row at once."""
    view = app.view
    if pane is None or view is None:
        app.notify("focus a pane first (escape leaves the prompt)", severity="warning")
        return
    outcome = app.saves.change_score(view, pane.index, change, source=source)
    if outcome.applied:
        app.sync_saved()
        app.call_next(app.refresh_panes)  # the score on its pane now, not at the next tick
    for say in outcome.says:
        tell(app, say)
    if outcome.newly_scored:
        app.pace.scored()
        focus_next_unscored(app, view, pane.index)
    app.update_status()


def accept_suggestions(app: ModelduelApp, pane: ResponsePane | None) -> None:
    """Take the checks' suggested rubric parts as the pane's (the person's key), and
    the judge's for parts neither a check nor the person gave."""
    # the judge's module loads with the judge (`[judge]` on) or here, at the first accept
    from modelduel.tui.judging import judge_offers  # noqa: PLC0415  keeps core.judge off the launch path

    judged = judge_offers(pane.model) if pane is not None else {}
    if pane is None or not (pane.model.suggestions or judged):
        what = "check or judge" if app.judging is not None else "check"
        app.notify(f"no {what} suggestions on this pane", severity="warning")
        return
    values: dict[str, Any] = {p: s.value for p, s in pane.model.suggestions.items()}
    values.update({p: s.value for p, s in judged.items()})
    sources = {p: "check" for p in pane.model.suggestions} | {p: "judge" for p in judged}
    change_score(app, pane, lambda s: dataclasses.replace(s, direct=None, **values), source=sources)


def retry_saves(app: ModelduelApp) -> None:
    """Retry every write that failed (key `s`; also before every write)."""
    pending = bool(app.ledger.pending)
    tell(app, app.saves.retry())
    if pending:
        app.sync_saved()
        app.update_status()
