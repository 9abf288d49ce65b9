"""Keys of the duel screen, one after the other, and the rank mode's letters.

Keys that arrive in one terminal write are queued together, and two things used to
act on them late. `Widget.focus()` is deferred to a callback queued behind those keys,
so after `5 right 5` both 5s scored the first pane: the screen now moves focus at once
(`DuelScreen.focus_now`). And Textual forwards each key to the focused widget's own
queue and runs bindings only once it has bubbled back up, so every key of a burst is
forwarded before the first binding runs: an `escape` leaving the prompt came too late
for the digit after it, which was typed into the prompt. Here each key runs its binding
(or is typed) in the app's own task, in arrival order.

The same holds on every other screen (the note, attach and quit dialogs, any screen
added later): an `Input` types a printable key in its own queue, but `backspace` is a
binding, run only once the key has bubbled back up to the app, after the characters
behind it were typed (`abc`, backspace, `def` gave `abcde`). So on those screens too a
printable key is typed into the focused `Input`, and any other key runs its binding,
here and at once; a key no binding takes goes Textual's usual way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input

from modelduel.core.rank_entry import RankEntry
from modelduel.tui.duelscreen import DuelScreen
from modelduel.tui.prompt import PromptEditor, SystemPromptInput
from modelduel.tui.scoring import tell

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp

__all__ = ["KeyOrder"]


class KeyOrder:
    """The app's key path on the duel screen: priority bindings, rank mode, typing, bindings."""

    def __init__(self, app: ModelduelApp) -> None:
        self.app = app
        self._priority_cache: tuple[tuple[int, int, int], frozenset[str]] | None = None
        self.ranking: RankEntry | None = None
        """While `o` ranks the panes: the order given so far."""

    def priority_keys(self, focused: object) -> frozenset[str]:
        """Keys of priority bindings for this focus (walking the chain per key made a
        500 KB paste take minutes); recomputed when focus or the keymap changes."""
        app = self.app
        cache_key = (id(app.screen), id(focused), id(app._keymap))
        if self._priority_cache is None or self._priority_cache[0] != cache_key:
            keys = frozenset(
                key
                for _, bindings in app.screen._binding_chain
                for key, found in bindings.key_to_bindings.items()
                if any(b.priority for b in found)
            )
            self._priority_cache = (cache_key, keys)
        return self._priority_cache[1]

    async def handle(self, event: events.Key) -> bool:
        """Handle a key completely before the next one is read (duel screen or dialog).

        Returns:
            True if the key was handled; False leaves it to Textual's usual path.
        """
        app = self.app
        screen = app.screen
        if screen.maximized is not None and event.key == "escape":
            return False  # Textual's restore-the-maximised-pane
        app.app_focus = True
        focused = app.focused
        if not isinstance(screen, DuelScreen):
            return await self.handle_other(event, focused)
        if event.key in self.priority_keys(focused) and await app._check_bindings(
            event.key, priority=True
        ):
            return True
        typing = isinstance(focused, (PromptEditor, SystemPromptInput))
        if self.ranking is not None and not typing and self.rank_key(event):
            return True
        if isinstance(focused, PromptEditor):
            if not focused.read_only and (event.is_printable or event.key == "enter"):
                focused.queue_typed("\n" if event.key == "enter" else event.character or "")
                return True
            focused.flush_typed()
        elif isinstance(focused, SystemPromptInput) and event.is_printable:
            focused.insert_text_at_cursor(event.character or "")
            return True
        return await app._check_bindings(event.key)

    async def handle_other(self, event: events.Key, focused: object) -> bool:
        """A key of any screen but the duel screen (a dialog), in arrival order.

        Returns:
            True if the key was typed or ran a binding; False leaves it to Textual.
        """
        app = self.app
        if event.key in self.priority_keys(focused) and await app._check_bindings(
            event.key, priority=True
        ):
            return True
        if isinstance(focused, Input) and event.is_printable:
            type_into(focused, event.character or "")
            return True
        return await app._check_bindings(event.key)

    # -- rank mode ------------------------------------------------------------------------

    def start_ranking(self) -> None:
        """Key `o`: the pane letters pressed next give the order, best first."""
        app = self.app
        view = app.view
        if view is None or len(view.panes) < 2:
            app.say("rank needs a duel of two or more panes on screen")
            return
        if not view.all_ended:
            app.say("rank once every run has ended")
            return
        self.ranking = RankEntry(view)
        app.update_status()

    def rank_key(self, event: events.Key) -> bool:
        """One key while ranking; False leaves the key to its binding (ranking ends)."""
        app = self.app
        view = app.view
        entry = self.ranking
        if view is None or entry is None:
            self.ranking = None
            return False
        key = (event.character or "").lower() if event.is_printable else event.key
        step = entry.press(view, key)
        if step.say:
            app.say(step.say)
            return True
        if step.write:
            say = app.saves.write_ranks(view, entry.order)
            app.sync_saved()
            if say is not None:
                tell(app, say)
        if step.done:
            self.ranking = None  # every pane placed, or a key that is not ranking's
        app.update_status()
        return step.handled


def type_into(field: Input, text: str) -> None:
    """Type `text` into `field` as its own key handler would: over the selection, if any."""
    selection = field.selection
    if selection.is_empty:
        field.insert_text_at_cursor(text)
    else:
        field.replace(text, *selection)
