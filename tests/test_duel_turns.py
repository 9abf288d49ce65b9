"""The duel screen's conversations without a screen: timeline, plans, the row's updates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelduel.config import Config, resolve_model
from modelduel.conversation import AssistantMessage, Conversation, Text, UserMessage
from modelduel.core.followups import followup_plan, followup_problem, last_turn_plan
from modelduel.core.metrics import StreamStats
from modelduel.core.session import DuelState
from modelduel.core.session_controller import SaveLedger
from modelduel.core.turns import RunTimeline
from modelduel.errors import CsvError
from modelduel.events import (
    ConversationState,
    ErrorInfo,
    Finished,
    RequestSent,
    RoundStarted,
    Stamped,
    StreamFailed,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ToolCallStarted,
    ToolResultReady,
    TurnStarted,
    Usage,
)

ENV = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2"}
MS = 1_000_000


def st(t_ms: int, event: Any) -> Stamped:
    return Stamped(t_ms * MS, event)


def test_a_tool_call_shows_live_as_its_arguments_stream_then_folds_in_order() -> None:
    tl = RunTimeline()
    tl.observe(st(0, RequestSent(0)))
    tl.observe(st(1, TextDelta("Let me look.")))
    tl.observe(st(2, ToolCallStarted(0, "c1", "read_file")))
    tl.observe(st(3, ToolCallArgumentsDelta(0, '{"path": "src/tok')))
    assert tl.live_lines() == ['▸ read_file {"path": "src/tok …']  # what has arrived
    args = '{"path": "src/tokens.py", "end_line": 40}'
    tl.observe(st(4, ToolCallArgumentsDelta(0, args[len('{"path": "src/tok') :])))
    assert tl.live_lines() == ["▸ read_file src/tokens.py:1-40 …"]
    tl.observe(st(5, ToolCallDone(0, "c1", "read_file", args)))
    assert "▸" not in tl.turn.document()  # not answered yet: only the live line
    tl.observe(
        st(
            9,
            ToolResultReady(
                "c1", "read_file", "read_file src/tokens.py:1-40", "x", False, "40 lines"
            ),
        )
    )
    assert tl.live_lines() == []
    tl.observe(st(10, RoundStarted(1)))
    tl.observe(st(11, TextDelta("The bug is on line 12.")))
    doc = tl.turn.document()
    first, line, last = (
        doc.index("Let me"),
        doc.index("▸ read_file src/tokens.py:1-40 → 40 lines"),
        doc.index("The bug"),
    )
    assert first < line < last  # in the order it happened
    assert tl.turn.tool_calls == 1


def test_calls_never_answered_are_folded_with_why_when_the_run_ends() -> None:
    tl = RunTimeline()
    tl.observe(st(0, ToolCallStarted(0, "c1", "run_command")))
    tl.observe(st(1, ToolCallDone(0, "c1", "run_command", '{"command": "ls"}')))
    tl.observe(st(2, Finished("tool_limit", None)))
    assert tl.live_lines() == []
    assert "▸ run_command ls → not run: tool round limit reached" in tl.turn.document()


def test_turns_fold_to_a_line_each_and_the_body_shows_the_current_one() -> None:
    tl = RunTimeline()
    tl.observe(st(1, TextDelta("First answer, long enough to be cut somewhere.")))
    tl.observe(st(2, Finished("stop", None)))
    tl.observe(st(3, TurnStarted(2, "now add tests")))
    tl.observe(st(4, TextDelta("Second answer")))
    assert tl.turn.document() == "Second answer"
    (line,) = tl.folded_lines()
    assert line.startswith("▸ turn 1 → First answer")
    assert "gpt" not in line and "$" not in line  # nothing a blind pane may not show
    tl.observe(st(5, Finished("stop", None)))
    tl.observe(st(6, TurnStarted(3, "shorter")))
    assert tl.folded_lines()[1].startswith('▸ turn 2 · "now add tests" → Second answer')


def _duel(spec_count: int = 2) -> DuelState:
    config = Config()
    specs = ["openai/gpt-5.5", "anthropic/claude-opus-4-7"][:spec_count]
    models = [resolve_model(s, config, ENV) for s in specs]
    return DuelState.create(models, "first prompt", "be brief")


def _play_turn(duel: DuelState, index: int, t0: int, text: str, turn: int) -> None:
    slot = duel.slots[index]
    if turn > 1:
        duel.sink(slot.run_id, st(t0, TurnStarted(turn, "again")))
    duel.sink(slot.run_id, st(t0 + 1, RequestSent(0)))
    duel.sink(slot.run_id, st(t0 + 100, TextDelta(text)))
    duel.sink(slot.run_id, st(t0 + 200, Usage(100 * turn, 0, 10 * turn, 0)))
    messages: list[Any] = [UserMessage((Text("first prompt"),))]
    for n in range(1, turn + 1):
        if n > 1:
            messages.append(UserMessage((Text("again"),)))
        messages.append(AssistantMessage((Text(f"answer {n}"),), "openai", "gpt-5.5"))
    duel.sink(
        slot.run_id, st(t0 + 200, ConversationState(Conversation("be brief", tuple(messages))))
    )
    duel.sink(slot.run_id, st(t0 + 300, Finished("stop", None)))
    slot.ended = True


def test_a_followup_continues_each_runs_own_conversation_under_its_run_id() -> None:
    duel = _duel()
    _play_turn(duel, 0, 0, "answer 1", 1)
    slot = duel.slots[0]
    plan = followup_plan(duel, slot, "now add tests")
    assert plan.run_id == slot.run_id  # one row per conversation
    conversation = plan.request.conversation
    assert conversation is not None
    assert [type(m).__name__ for m in conversation.messages] == [
        "UserMessage",
        "AssistantMessage",
        "UserMessage",
    ]
    assert conversation.messages[1].text == "answer 1"  # its own earlier answer
    assert conversation.messages[2].text == "now add tests"
    assert plan.keep_conversation and plan.followups == ()


def test_a_run_whose_last_turn_failed_takes_no_followup() -> None:
    duel = _duel()
    slot = duel.slots[1]
    duel.sink(slot.run_id, st(0, RequestSent(0)))
    duel.sink(slot.run_id, st(5, StreamFailed(ErrorInfo("server", "boom"))))
    slot.ended = True
    assert followup_problem(duel, slot) == "its last turn failed"
    duel.slots[0].ended = False
    assert followup_problem(duel, duel.slots[0]) == "still running"


def test_rewinding_the_last_turn_keeps_the_earlier_turns_figures() -> None:
    duel = _duel(1)
    _play_turn(duel, 0, 0, "answer 1", 1)
    slot = duel.slots[0]
    after_one = slot.stats()
    _play_turn(duel, 0, 1000, "answer 2", 2)
    assert slot.stats().turns == 2 and slot.stats().output_tokens == after_one.output_tokens + 20
    plan = last_turn_plan(duel, slot)
    assert plan is not None and plan.request.conversation is not None
    texts = [m.text for m in plan.request.conversation.messages]
    assert texts == ["first prompt", "answer 1", "again"]  # the turn before, the same message
    duel.rewind_last_turn(slot)
    again = slot.stats()
    assert (again.turns, again.ttft_s, again.wall_time_s, again.gap_p50_s) == (
        1,
        after_one.ttft_s,
        after_one.wall_time_s,
        after_one.gap_p50_s,
    )
    # the replaced turn's 20 tokens were paid for: the totals keep them, its turn is gone
    assert again.output_tokens == after_one.output_tokens + 20
    assert [f["output_tokens"] for f in slot.meter.turn_figures()] == [after_one.output_tokens]
    assert not slot.ended and slot.timeline.generation == 1
    assert len(slot.timeline.turns) == 1
    assert slot.timeline.turn.document() == "answer 1"


class FakeDisk:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, object]] = {}
        self.transcripts: list[dict[str, Any]] = []
        self.fail = False

    def append(self, path: Path, row: Any, transcript: Any) -> None:
        if self.fail:
            raise CsvError("disk full")
        if transcript is not None:
            self.transcripts.append(dict(transcript))
        self.rows[str(row["run_id"])] = dict(row)

    def update(self, path: Path, run_id: str, changes: Any) -> None:
        if self.fail:
            raise CsvError("disk full")
        self.rows[run_id].update(changes)

    def write_transcript(self, path: Path, record: Any) -> None:
        if self.fail:
            raise CsvError("disk full")
        self.transcripts.append(dict(record))


def test_a_later_turn_updates_the_row_keeps_the_score_and_adds_its_transcript() -> None:
    disk = FakeDisk()
    ledger = SaveLedger(
        Path("r.csv"),
        append=disk.append,
        update=disk.update,
        write_transcript=disk.write_transcript,
    )
    row1 = {"run_id": "r1", "turns": 1, "output_tokens": 10, "score": None, "manual_corrections": 0}
    assert ledger.record_run("r1", row1, {"run_id": "r1", "text": "a"})
    assert ledger.record_changes("r1", {"score": 4, "manual_corrections": 1})
    ledger.turn_started("r1")
    assert not ledger.is_saved("r1")  # the row on disk is not the run's latest state
    row2 = {**row1, "turns": 2, "output_tokens": 30}
    disk.fail = True
    assert not ledger.record_run("r1", row2, {"run_id": "r1", "text": "ab"})
    assert not ledger.is_saved("r1") and ledger.is_pending("r1")
    disk.fail = False
    assert ledger.retry()
    assert len(disk.rows) == 1  # updated, never appended again
    assert disk.rows["r1"] == {
        "run_id": "r1",
        "turns": 2,
        "output_tokens": 30,
        "score": 4,
        "manual_corrections": 1,
    }
    assert disk.transcripts[-1]["text"] == "ab" and ledger.is_saved("r1")


def test_rerunning_the_last_turn_keeps_the_replaced_turns_spend_in_the_row() -> None:
    from modelduel.core.records import csv_row

    duel = _duel(1)
    slot = duel.slots[0]
    _play_turn(duel, 0, 0, "answer 1", 1)
    _play_turn(duel, 0, 1000, "answer 2", 2)
    spent = csv_row(duel, slot)
    duel.rewind_last_turn(slot)
    _play_turn(duel, 0, 2000, "answer 2 again", 2)
    row = csv_row(duel, slot)
    # the replaced turn was paid for: the row counts it with the re-run's
    assert row["output_tokens"] == spent["output_tokens"] + 20
    assert row["input_tokens"] == spent["input_tokens"] + 200
    assert spent["cost_usd"] is not None and row["cost_usd"] is not None
    assert row["cost_usd"] > spent["cost_usd"]
    assert row["turns"] == 2
    # the turns' own figures are the conversation's: the re-run turn's spend only
    figures = slot.meter.turn_figures()
    assert [f["output_tokens"] for f in figures] == [10, 20]


def _tool_turn(slot_events: list[Stamped], t0: int, turn: int) -> None:
    """A turn with a tool call, a second round and a gap pattern of its own."""
    if turn > 1:
        slot_events.append(st(t0, TurnStarted(turn, f"turn {turn}")))
    slot_events += [
        st(t0 + 1, RequestSent(0)),
        st(t0 + 50, TextDelta("Let me look. ")),
        st(t0 + 53 + turn, TextDelta("Reading. ")),
        st(t0 + 60, ToolCallStarted(0, f"c{turn}", "read_file")),
        st(t0 + 61, ToolCallDone(0, f"c{turn}", "read_file", '{"path": "a.py"}')),
        st(t0 + 62, Usage(100 * turn, 0, 7 * turn, 0)),
        st(t0 + 70, ToolResultReady(f"c{turn}", "read_file", "read a.py", "x", False, "1 line")),
        st(t0 + 71, RoundStarted(1)),
        st(t0 + 90, TextDelta(f"Answer {turn}.")),
        st(t0 + 97 + 3 * turn, TextDelta(" Done.")),
        st(t0 + 120, Usage(120 * turn, 0, 9 * turn, 0)),
        st(t0 + 130, Finished("stop", None)),
    ]


def test_a_rewind_equals_a_replay_of_the_events_before_the_last_turn() -> None:
    from modelduel.core.meter import StreamMeter
    from modelduel.core.records import csv_row

    duel = _duel(1)
    slot = duel.slots[0]
    events: list[Stamped] = []
    for turn in (1, 2, 3):
        _tool_turn(events, 1000 * turn, turn)
    for stamped in events:
        duel.sink(slot.run_id, stamped)
    before_rewind = csv_row(duel, slot)
    last_start = max(i for i, s in enumerate(events) if isinstance(s.event, TurnStarted))
    replay, timeline = StreamMeter(slot.meter._price), RunTimeline()
    for stamped in events[:last_start]:
        replay.observe(stamped)
        timeline.observe(stamped)
    duel.rewind_last_turn(slot)
    got, want = slot.stats(), replay.stats()
    spend = ("input_tokens", "output_tokens", "cost", "output_tokens_per_s", "tokens_exact")
    for name in StreamStats.__slots__:
        if name not in spend:
            assert getattr(got, name) == getattr(want, name), name
    assert slot.meter.turn_figures() == replay.turn_figures()
    # every request of the three turns, the replaced third included
    assert (got.output_tokens, got.input_tokens) == (16 + 32 + 48, 220 + 440 + 660)
    assert got.cost_usd is not None and want.cost_usd is not None
    assert got.cost_usd > want.cost_usd
    assert [t.document() for t in slot.timeline.turns] == [t.document() for t in timeline.turns]
    assert slot.timeline.folded_lines() == timeline.folded_lines()
    # the re-run's own spend adds to the replaced one's
    for stamped in events[last_start:]:
        duel.sink(slot.run_id, stamped)
    row = csv_row(duel, slot)
    assert row["output_tokens"] == before_rewind["output_tokens"] + 48
    assert row["turns"] == 3


def test_the_timeline_keeps_no_event_so_its_memory_does_not_grow_with_the_answer() -> None:
    import tracemalloc

    pieces = [f"w{i % 10} " for i in range(20_000)]  # made before measuring
    tl = RunTimeline()
    tracemalloc.start()
    try:
        for i, piece in enumerate(pieces):
            tl.observe(Stamped(i * MS, TextDelta(piece)))
            if i % 1000 == 0:
                tl.turn.document()  # a pane reads it every frame
        tl.turn.document()
        grown, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the joined text (~60 KB) and little else; keeping each Stamped would be > 2 MB
    assert grown < 600_000
