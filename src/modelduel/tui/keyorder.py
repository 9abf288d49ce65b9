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

Escape and a key in one terminal write (`escape` then `4` typed fast, `send-keys Escape
4`) reach Textual's parser as `ESC 4`, which it reads as one key: alt+4, or on macOS an
option character (`ESC 4` is `¢`, `ESC f` is option+right), and the `¢` was typed into
the prompt instead of leaving it and scoring. As vim does with an ESC sequence it has no
mapping for, such a key is two keys here, `escape` then the key, unless the focused
widget or the screen binds the key it was read as (option+left/right move by word in
the prompt). `EscapeSplittingParser` marks each such key with the two it may be.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers import linux_driver
from textual.widgets import Input

from modelduel.core.rank_entry import RankEntry, pane_letter
from modelduel.tui.duelscreen import DuelScreen
from modelduel.tui.prompt import PromptEditor, SystemPromptInput
from modelduel.tui.scoring import tell

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp

__all__ = ["EscapeSplittingParser", "KeyOrder", "install_escape_split"]

ESC = "\x1b"
_INTRODUCERS = frozenset("[O" + ESC)
"""After ESC these begin an escape sequence (CSI, SS3) or are a second escape."""


class EscapeSplittingParser(XTermParser):
    """Textual's parser; a key read from ESC + one character says it may be two keys."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        # ESC + c is looked up as a pair (`ESC 4` -> `¢`, `ESC f` -> ctrl+right), or else,
        # once nothing longer matched, c is read again with alt=True (`ESC q` -> alt+q)
        pair = len(sequence) == 2 and sequence[0] == ESC and sequence[1] not in _INTRODUCERS
        single = alt and len(sequence) == 1 and sequence not in _INTRODUCERS
        read = list(super()._sequence_to_key_events(sequence, alt))
        if (pair or single) and len(read) == 1:
            plain = list(super()._sequence_to_key_events(sequence[-1]))
            if plain:
                read[0].escape_then = [events.Key("escape", ESC), *plain]  # type: ignore[attr-defined]
        return read


def install_escape_split() -> None:
    """The terminal driver reads keys with `EscapeSplittingParser` (its input thread
    makes a parser when the app starts; headless and web drivers have none)."""
    linux_driver.XTermParser = EscapeSplittingParser  # type: ignore[attr-defined]


class KeyOrder:
    """The app's key path on the duel screen: priority bindings, rank mode, typing, bindings."""

    def __init__(self, app: ModelduelApp) -> None:
        self.app = app
        self._priority_cache: tuple[tuple[int, int, int], frozenset[str]] | None = None
        self.ranking: RankEntry | None = None
        # the pane letters of an `o` refused mid-race: typed right after it (`o b c a`),
        # they are the order the user meant, not their own keys (`b` blind, `c` a rubric)
        self.refused_letters: frozenset[str] = frozenset()
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
        split = getattr(event, "escape_then", None)
        if split is not None and not self.binds(event.key):
            for key in split:
                await app.on_event(key)  # each in full, as if typed apart
            return True
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
        if self.refused_letters and not typing:
            letter = (event.character or "").lower() if event.is_printable else ""
            if letter in self.refused_letters:
                app.say(f"rank once every run has ended ({letter.upper()} after o: not a key)")
                return True
            self.refused_letters = frozenset()  # any other key: letters are keys again
        if isinstance(focused, PromptEditor):
            if not focused.read_only and (event.is_printable or event.key == "enter"):
                focused.queue_typed("\n" if event.key == "enter" else event.character or "")
                return True
            focused.flush_typed()
        elif isinstance(focused, SystemPromptInput) and event.is_printable:
            focused.insert_text_at_cursor(event.character or "")
            return True
        return await app._check_bindings(event.key)

    def binds(self, key: str) -> bool:
        """Whether the focused widget, its screen or the app has a binding for `key`."""
        return any(
            key in bindings.key_to_bindings for _, bindings in self.app.screen._binding_chain
        )

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
            self.refused_letters = frozenset(pane_letter(i).lower() for i in range(len(view.panes)))
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
            app.call_next(app.refresh_panes)  # the rank on its pane now, not at the next tick
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
