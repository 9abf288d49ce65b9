"""What a scoring session writes and what it may say about it: the persistence rules.

A run's row when it ends, a score, a rank, a retry, the choice at quit and the
recovery file at an exit that cannot ask: each goes through the `SaveLedger`, and
each returns the one line the front end shows. "saved" is said only for what the
ledger reports on disk; a change to a run whose row is not written yet is "kept",
and a failed write is "NOT saved" with its reason.

Textual-free: the duel and its panes are read through small protocols (the TUI's
`DuelView` and `PaneModel` fit them; `core.session_interface` holds them and the
outcomes handed back), so these rules are unit-tested without a pilot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from modelduel.core.counted import is_cancelled_row
from modelduel.core.rank_entry import rank_cells
from modelduel.core.routing import plural
from modelduel.core.scoring import RUBRIC_MAX, Score
from modelduel.core.session_controller import SaveLedger
from modelduel.core.session_interface import QuitOutcome, Say, ScoredDuel, ScoredPane, ScoreOutcome
from modelduel.errors import CsvError

__all__ = [
    "SessionSaves",
    "parts_source",
]


def _not_saved(what: str, error: str) -> Say:
    return Say(
        f"{what} NOT saved (kept, retried on the next write; s retries): {error}", "error", 10
    )


def parts_source(pane: ScoredPane, before: Score, source: str | Mapping[str, str]) -> str | None:
    """Update who gave each rubric part; the `parts_source` cell (`format=check ...`)."""
    after = pane.score
    for part in RUBRIC_MAX:
        value = getattr(after, part)
        if value is None:
            pane.sources.pop(part, None)
        elif value != getattr(before, part) or part not in pane.sources:
            pane.sources[part] = source if isinstance(source, str) else source.get(part, "person")
    cell = " ".join(f"{p}={pane.sources[p]}" for p in RUBRIC_MAX if p in pane.sources)
    return cell or None


class SessionSaves:
    """The session's writes through one ledger, and the status line's last word on them."""

    def __init__(self, ledger: SaveLedger) -> None:
        self.ledger = ledger
        self.last_save = "nothing saved yet"
        """What the last write put on disk (or the last message): the status bar's tail."""
        self.dropped_scores: list[str] = []
        """`PANE: score dropped: ...` for each score a cancelled run lost, in order."""

    # -- marks ----------------------------------------------------------------------------

    def sync(self, duels: Iterable[ScoredDuel]) -> None:
        """Every pane's saved / NOT saved mark, from what the ledger has on disk."""
        for duel in duels:
            for i, pane in enumerate(duel.panes):
                run_id = duel.run_id(i)
                pane.saved = self.ledger.is_saved(run_id)
                pane.unsaved = self.ledger.is_pending(run_id)

    def status_tail(self) -> tuple[str, bool]:
        """(the status bar's last words, True if they say something is NOT saved)."""
        pending = len(self.ledger.pending)
        if pending:
            error = self.ledger.last_error
            return f"{plural(pending, 'run')} NOT saved ({error}); s retries", True
        return self.last_save, False

    # -- writes ---------------------------------------------------------------------------

    def run_ended(
        self,
        run_id: str,
        row: Mapping[str, object],
        transcript: Mapping[str, Any] | None,
        pane: ScoredPane,
        spec: str,
    ) -> Say | None:
        """A run ended: its row goes to the CSV; a notice if it did not land.

        A run that ended cancelled loses a score given while it ran (`core.counted`: it
        would not count): the pane and the row are unscored, and the notice says so.
        """
        dropped = self._drop_cancelled_score(run_id, row, pane)
        if dropped:
            self.dropped_scores.append(f"{pane.label}: score dropped (it had {dropped})")
        if not self.ledger.record_run(run_id, row, transcript):
            return _not_saved("run", self.ledger.last_error)
        # blind: naming the pane that finished first would give its speed away
        self.last_save = "saved a run" if pane.hidden else f"saved {spec} run"
        if dropped:
            self.last_save = f"{pane.label}: score dropped: the run was cancelled"
            return Say(
                f"{self.last_save} (it had {dropped}; cancelled runs are not counted)", "warning", 8
            )
        return None

    def _drop_cancelled_score(
        self, run_id: str, row: Mapping[str, object], pane: ScoredPane
    ) -> str:
        """Clear the score of a run that ended cancelled; what was dropped ("" if none)."""
        before = pane.score
        if not is_cancelled_row(row) or not (before.is_scored or before.is_partial):
            return ""
        pane.score = before.cleared()  # the note and corrections stay
        changes = pane.score.csv_changes()
        changes["parts_source"] = parts_source(pane, before, "person")
        # before `record_run`: a row not written yet takes these cells with it
        self.ledger.record_changes(run_id, changes)
        return before.describe()

    def change_score(
        self,
        duel: ScoredDuel,
        index: int,
        change: Callable[[Score], Score],
        *,
        source: str | Mapping[str, str] = "person",
    ) -> ScoreOutcome:
        """Apply a score change to a pane and write it to its CSV row at once.

        `source` is who gave the rubric parts this change sets: "person" (a key) or
        "check" / "judge" (an accepted suggestion; per part as a mapping); it goes to the
        row's `parts_source`. A run with no row yet keeps the change for its row.
        """
        pane = duel.panes[index]
        before = pane.score
        try:
            after = change(pane.score)
        except ValueError as exc:
            return ScoreOutcome((Say(str(exc), "warning"),))
        if (after.is_scored or after.is_partial) and duel.nothing_to_score(index):
            # a 0 would count as an answer that was judged; there is no answer
            ended = "was cancelled" if duel.cancelled(index) else "failed"
            message = f"{pane.label} {ended} with no output: nothing to score (r re-runs it)"
            self.last_save = message
            return ScoreOutcome((Say(message, "warning"),))
        if (after.is_scored or after.is_partial) and duel.cancelled(index):
            # core.counted: a cancelled run's score never counts, partial answer or not
            message = (
                f"{pane.label} was cancelled: not scored (cancelled runs are not counted;"
                " r re-runs it)"
            )
            self.last_save = message
            return ScoreOutcome((Say(message, "warning"),))
        pane.score = after
        changes = after.csv_changes()
        changes["parts_source"] = parts_source(pane, before, source)
        if pane.blind:
            changes["blind"] = True  # scored without knowing which model it was
        run_id = duel.run_id(index)
        on_disk = self.ledger.record_changes(run_id, changes)
        says: list[Say] = []
        if self.ledger.is_pending(run_id):
            says.append(_not_saved("score", self.ledger.last_error))
        elif on_disk:
            extra = ""
            if after.manual_corrections:
                extra += f", {plural(after.manual_corrections, 'correction')}"
            if after.note:
                extra += ", note"
            self.last_save = f"saved {after.describe()}{extra} for {pane.label}"
        else:
            self.last_save = f"score {after.describe()} kept; saved when {pane.label} ends"
        if duel.reveal_if_scored():
            says.append(Say("every pane scored: names revealed"))
        return ScoreOutcome(tuple(says), True, after.is_scored and not before.is_scored)

    def write_ranks(self, duel: ScoredDuel, order: list[int]) -> Say | None:
        """Each pane's rank (from `order`, best first) to its row through the ledger.

        "saved rank" only when every rank written is on disk: a failed write says
        NOT saved, and a run whose row is not in the CSV yet keeps its rank until it is.
        """
        ranks = rank_cells(order, len(duel.panes))
        failed = False
        kept: list[str] = []
        for index, rank in enumerate(ranks):
            pane = duel.panes[index]
            if pane.rank == rank:
                continue
            pane.rank = rank
            run_id = duel.run_id(index)
            on_disk = self.ledger.record_changes(run_id, {"rank": rank})
            if self.ledger.is_pending(run_id):
                failed = True
            elif not on_disk:
                kept.append(pane.label)
        shown = " > ".join(duel.panes[i].label for i in order) or "no order"
        if failed:
            return _not_saved("rank", self.ledger.last_error)
        if kept:
            self.last_save = f"rank {shown} kept; saved when {', '.join(kept)} ends"
        else:
            self.last_save = f"saved rank {shown}"
        return None

    def record_checks(self, run_id: str, columns: Mapping[str, object]) -> None:
        """The task checks' counts go to the run's row (the pane's mark says if they landed)."""
        self.ledger.record_changes(run_id, columns)

    def retry(self) -> Say:
        """Retry every write that failed (key `s`)."""
        if not self.ledger.pending:
            return Say("everything is saved")
        count = len(self.ledger.pending)
        if self.ledger.retry():
            self.last_save = f"saved {plural(count, 'pending run')}"
            return Say(self.last_save)
        return Say(f"still NOT saved: {self.ledger.last_error}", "error", 10)

    # -- leaving --------------------------------------------------------------------------

    def may_leave(self) -> bool:
        """Nothing acknowledged is off disk (after one more try at what is pending)."""
        return not self.ledger.pending or self.ledger.retry()

    def quit_choice(self, choice: str | None) -> QuitOutcome:
        """Act on the answer to "N runs are not saved": `discard`, `save:<path>`, or retry.

        None (the question dismissed) stays in the app without asking again.
        """
        if choice is None:
            return QuitOutcome(leave=False)
        if choice == "discard":
            self.ledger.discard()
            return QuitOutcome(leave=True)
        if choice.startswith("save:"):
            target = Path(choice[5:]).expanduser()
            try:
                written = self.ledger.save_elsewhere(target)
            except CsvError as exc:
                say = Say(f"could not save to {target}: {exc}", "error", 10)
                return QuitOutcome(leave=False, say=say, ask_again=True)
            return QuitOutcome(leave=True, say=Say(f"saved {plural(written)} to {target}"))
        if self.ledger.retry():
            return QuitOutcome(leave=True)
        say = Say(f"still NOT saved: {self.ledger.last_error}", "error")
        return QuitOutcome(leave=False, say=say, ask_again=True)

    def save_recovery(self, csv_path: Path, stamp: str, state_dir: Callable[[], Path]) -> str:
        """At an exit that cannot ask: what the CSV refused goes to a recovery file.

        The file is `<csv stem>-unsaved-<stamp>.csv` beside the CSV, else in the state
        directory (`state_dir()`; it may raise OSError or RuntimeError without a home).

        Returns:
            The line saying where the runs went ("" when nothing was pending).
        """
        if self.ledger.retry():
            return ""
        count = plural(len(self.ledger.pending), "run")
        reason = self.ledger.last_error
        name = f"{csv_path.stem}-unsaved-{stamp}.csv"
        candidates = [csv_path.with_name(name)]
        try:
            state = state_dir()
            state.mkdir(parents=True, exist_ok=True)
            candidates.append(state / name)
        except (OSError, RuntimeError):  # no home: only the CSV's folder
            pass
        written, errors = self.ledger.save_recovery(candidates)
        if written is not None:
            return (
                f"{count} could not be written to {csv_path} ({reason}); saved to {written} instead"
            )
        return (
            f"{count} NOT saved: {csv_path} ({reason}); the recovery files failed too: "
            + "; ".join(errors)
        )
