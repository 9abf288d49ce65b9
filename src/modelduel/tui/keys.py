"""Checking the user's `[keymap]` against the bindings: clashes and unknown ids.

Textual's `set_keymap` accepts anything: an id no binding has is ignored, and a key
given to two bindings of one screen makes one of them untypeable. Both are named at
start-up instead, one line each, with the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType

from modelduel.tui.duelscreen import DuelScreen
from modelduel.tui.prompt import PromptEditor, SystemPromptInput
from modelduel.tui.screens import (
    AttachScreen,
    HelpScreen,
    HistoryScreen,
    NoteScreen,
    ReportScreen,
    UnsavedQuitScreen,
)

__all__ = ["duel_keymap_problems", "keymap_problems"]


def keymap_problems(
    scopes: Iterable[Iterable[tuple[str, str]]], keymap: Mapping[str, str]
) -> list[str]:
    """One line per unknown id in `keymap` and per key bound twice in one scope.

    Args:
        scopes: groups of (binding id, default keys "a,b") whose keys share one
            focus (the duel screen and the app; the prompt editor; ...).
        keymap: the user's `[keymap]` table, id -> keys.

    Returns:
        The problems, in a stable order; empty when the keymap is sound.
    """
    groups = [list(scope) for scope in scopes]
    known = {binding_id for scope in groups for binding_id, _ in scope}
    problems = []
    for binding_id in keymap:
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (? lists every id)"
            problems.append(f"keymap: unknown action id {binding_id!r}{hint}")
    for scope in groups:
        owners: dict[str, list[str]] = {}
        for binding_id, default in scope:
            keys = keymap.get(binding_id, default)
            for key in (k.strip() for k in keys.split(",")):
                if key:
                    owners.setdefault(key, []).append(binding_id)
        for key, ids in owners.items():
            if len(ids) > 1 and any(i in keymap for i in ids):
                remapped = [i for i in ids if i in keymap]
                others = [i for i in ids if i != remapped[0]]
                problems.append(
                    f"keymap: {remapped[0]!r} = {keymap[remapped[0]]!r} clashes with "
                    f"{', '.join(repr(i) for i in others)} on key {key!r}: only one of them "
                    "works; map one of them to another key"
                )
    return problems


def _ids(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    return [(b.id, b.key) for b in bindings if isinstance(b, Binding) and b.id]


def duel_keymap_problems(
    keymap: Mapping[str, str], app_bindings: Iterable[BindingType] = ()
) -> list[str]:
    """`keymap_problems` for the app's own bindings (for start-up and `config show`).

    Args:
        keymap: the user's `[keymap]` table.
        app_bindings: the app's bindings (they share the duel screen's keys).

    Returns:
        One line per problem.
    """
    modals = (AttachScreen, HelpScreen, HistoryScreen, NoteScreen, ReportScreen, UnsavedQuitScreen)
    scopes = [
        _ids([*DuelScreen.BINDINGS, *app_bindings]),
        # a focused field's own bindings win while it has focus: each is its own scope
        _ids(PromptEditor.BINDINGS),
        _ids(SystemPromptInput.BINDINGS),
        *(_ids(modal.BINDINGS) for modal in modals),
    ]
    return keymap_problems(scopes, keymap)
