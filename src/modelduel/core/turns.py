"""A run's turns and tool calls in the order they happened, for a pane to show.

The meter keeps one growing answer text and the figures; a pane of a tool loop or a
conversation also needs *where* each tool call came between the texts and where each
turn began. `RunTimeline` observes the same stamped events as the meter (O(1) work per
event) and keeps, per turn, a document: the answer text with a folded line for every
answered tool call at the place it happened (`▸ read_file src/a.py:1-40 → 40 lines`),
the turn's reasoning, and the calls still live (their arguments streaming, or waiting
for the tool's result).

It keeps no events: a re-run of the last turn puts back a `copy` taken when that turn
began (`core.session.RunSlot` takes it at each `TurnStarted`, with the meter's), so its
memory does not grow with the answer. Textual-free: the screen only reads it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from modelduel.core.toolresult import call_label
from modelduel.events import (
    Finished,
    ReasoningDelta,
    Retrying,
    RoundStarted,
    Stamped,
    StreamFailed,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ToolCallStarted,
    ToolResultReady,
    TurnStarted,
)

__all__ = ["TOOL_MARK", "LiveCall", "RunTimeline", "TurnLog", "tool_line"]

TOOL_MARK = "▸"
NOT_ANSWERED = {"tool_limit": "not run: tool round limit reached"}


def tool_line(label: str, summary: str | None) -> str:
    """`▸ read_file src/a.py:1-40 → 40 lines`; without a summary, the call is still going."""
    tail = f" → {summary}" if summary is not None else " …"
    return f"{TOOL_MARK} {label}{tail}"


def _md_line(line: str) -> str:
    """A folded tool line as a markdown block of its own (inline code, so the model's
    arguments are never read as markdown)."""
    return f"\n\n`{line.replace('`', chr(39))}`\n\n"


@dataclass
class LiveCall:
    """A tool call of the current response, not answered yet."""

    name: str
    call_id: str = ""
    arguments: str = ""
    done: bool = False

    @property
    def label(self) -> str:
        """The call as it stands (partial arguments show what has arrived)."""
        return call_label(self.name, self.arguments)


@dataclass
class TurnLog:
    """One turn: the user's message and what the model did, in order.

    Attributes:
        number: 1 for the first prompt, then one more per follow-up.
        prompt: the user's message of this turn ("" for the first: the duel's prompt).
        tool_calls: calls answered (or given up) in this turn.
    """

    number: int
    prompt: str = ""
    tool_calls: int = 0
    answer_chars: int = 0
    _doc: list[str] = field(default_factory=list)
    _doc_joined: str | None = ""
    _reasoning: list[str] = field(default_factory=list)
    _reasoning_joined: str | None = ""
    _first_words: str = ""

    def document(self) -> str:
        """The turn's answer with its tool lines, as markdown (it only grows)."""
        if self._doc_joined is None:
            self._doc_joined = "".join(self._doc)
            self._doc = [self._doc_joined]
        return self._doc_joined

    def reasoning(self) -> str:
        """The turn's reasoning text."""
        if self._reasoning_joined is None:
            self._reasoning_joined = "".join(self._reasoning)
            self._reasoning = [self._reasoning_joined]
        return self._reasoning_joined

    def add(self, piece: str) -> None:
        """Append to the document."""
        self._doc.append(piece)
        self._doc_joined = None

    def add_text(self, text: str) -> None:
        """Answer text arrived."""
        self.add(text)
        self.answer_chars += len(text)
        if len(self._first_words) < 60:
            self._first_words += text

    def add_reasoning(self, text: str) -> None:
        """Reasoning arrived."""
        self._reasoning.append(text)
        self._reasoning_joined = None

    def folded(self, width: int = 48) -> str:
        """The turn as one line: `▸ turn 1 · "prompt" → "answer…" · 2 tool calls`.

        Names no model and no figure, so a blind pane can show it.
        """
        asked = " ".join(self.prompt.split())
        answer = " ".join(self._first_words.split())
        parts = [f"{TOOL_MARK} turn {self.number}"]
        if asked:
            parts.append(f'"{_cut(asked, width // 2)}"')
        line = " · ".join(parts) + f" → {_cut(answer, width) or '(no text)'}"
        if self.tool_calls:
            noun = "tool call" if self.tool_calls == 1 else "tool calls"
            line += f" · {self.tool_calls} {noun}"
        return line


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RunTimeline:
    """One run's turns, tool lines and live calls, from its stamped events."""

    def __init__(self) -> None:
        self.turns: list[TurnLog] = [TurnLog(1)]
        self._rounds_seen = False  # a later request of the first turn: a retry keeps its text
        self.live: dict[int, LiveCall] = {}
        """The current response's calls not answered yet, by their index in it."""
        self._waiting: dict[str, LiveCall] = {}  # done, waiting for the result, by call id
        self._requests = 0
        self.version = 0
        """Grows whenever the live calls or the turns change (what a pane redraws on)."""
        self.generation = 0
        """Grows when the timeline is rebuilt (a re-run of the last turn): start over."""

    @property
    def turn(self) -> TurnLog:
        """The current (last) turn."""
        return self.turns[-1]

    def observe(self, stamped: Stamped) -> None:
        """Take one stamped event into account (the same events the meter gets)."""
        event = stamped.event
        turn = self.turns[-1]
        if isinstance(event, TextDelta):
            if event.text:
                turn.add_text(event.text)
        elif isinstance(event, ReasoningDelta):
            turn.add_reasoning(event.text)
        elif isinstance(event, ToolCallStarted):
            self.live[event.index] = LiveCall(event.name, event.call_id)
            self.version += 1
        elif isinstance(event, ToolCallArgumentsDelta):
            call = self.live.get(event.index)
            if call is not None:
                call.arguments += event.delta
                self.version += 1
        elif isinstance(event, ToolCallDone):
            call = self.live.get(event.index)
            if call is None:
                call = self.live[event.index] = LiveCall(event.name)
            call.call_id, call.name, call.arguments, call.done = (
                event.call_id,
                event.name,
                event.arguments,
                True,
            )
            self._waiting[event.call_id] = call
            self.version += 1
        elif isinstance(event, ToolResultReady):
            call = self._waiting.pop(event.call_id, None)
            for index, live in list(self.live.items()):
                if live is call or live.call_id == event.call_id:
                    del self.live[index]
            turn.add(_md_line(tool_line(event.label, event.summary or "done")))
            turn.tool_calls += 1
            self.version += 1
        elif isinstance(event, RoundStarted):
            self._rounds_seen = True
            self.live.clear()
            self._waiting.clear()
        elif isinstance(event, TurnStarted):
            self._give_up("")
            self.turns.append(TurnLog(event.turn, event.prompt))
            self.version += 1
        elif isinstance(event, Finished | StreamFailed):
            reason = event.reason if isinstance(event, Finished) else ""
            self._give_up(NOT_ANSWERED.get(reason, "not run"))
        elif isinstance(event, Retrying) and len(self.turns) == 1 and not self._rounds_seen:
            # the meter starts the first request's figures again: so does the text
            self.turns[0] = TurnLog(1)
            self.live.clear()
            self.version += 1

    def _give_up(self, why: str) -> None:
        """Calls that will get no result (the run ended, the cap): folded with why."""
        if not self.live:
            return
        turn = self.turns[-1]
        for call in self.live.values():
            turn.add(_md_line(tool_line(call.label, why or "not run")))
            turn.tool_calls += 1
        self.live.clear()
        self._waiting.clear()
        self.version += 1

    def live_lines(self) -> list[str]:
        """The calls going on now, one line each, in call order (arguments as they stream)."""
        return [tool_line(c.label, None) for _, c in sorted(self.live.items())]

    def folded_lines(self) -> list[str]:
        """Every turn before the current one, one line each."""
        return [t.folded() for t in self.turns[:-1]]

    def copy(self) -> RunTimeline:
        """An independent copy of the timeline as it stands (texts shared: they are str)."""
        other = RunTimeline.__new__(RunTimeline)
        # one deepcopy of the whole state: a call waiting for its result stays the same
        # object in `live` and `_waiting`, as it is here
        other.__dict__.update(copy.deepcopy(self.__dict__))
        return other

    def restore(self, earlier: RunTimeline) -> None:
        """Become `earlier` (a `copy` taken before the last turn began, which is run again);
        `earlier` is taken over, not copied. The generation grows: a pane starts over."""
        generation, version = self.generation, max(self.version, earlier.version)
        self.__dict__.update(earlier.__dict__)
        self.generation = generation + 1
        self.version = version + 1
