"""A run cancelled before its first step records what it was to be sent.

Its transcript record then has the conversation planned (the prompt with its `--attach`
files), as a run cancelled mid-stream has: a resumed `run` compares that with what it
would send now, and does not refuse the duel saying "the attached files differ" for a
run that had the same files (nor join one whose files differ).
"""

from __future__ import annotations

from dataclasses import replace

from modelduel.conversation import Conversation, Text, UserMessage
from modelduel.core.batch import NEVER_SENT
from modelduel.core.duel import ClientPool, DuelRunner
from modelduel.events import ConversationState, RequestSent, StreamFailed
from tests.support.engine import Collect
from tests.test_cancel_before_start import unreachable_plan


async def _cancelled_before_start(sink: Collect, plan_id: str, conversation: object) -> None:
    plan = unreachable_plan(plan_id)
    if conversation is not None:
        assert isinstance(conversation, Conversation)
        plan = replace(plan, request=replace(plan.request, conversation=conversation))
    pool = ClientPool()
    runner = DuelRunner(sink, pool)
    try:
        runner.start([plan])
        assert runner.cancel(plan_id)  # same step: the task has not run a line yet
        await runner.wait()
    finally:
        await pool.aclose()


async def test_a_conversation_cancelled_before_its_first_step_keeps_what_was_planned() -> None:
    sent = Conversation(None, (UserMessage((Text("hi\n\nnotes.txt: the notes"),)),))
    sink = Collect()
    await _cancelled_before_start(sink, "r1", sent)
    assert sink.of(RequestSent) == []
    assert [f.error.kind for f in sink.of(StreamFailed)] == ["cancelled"]
    assert [s.conversation for s in sink.of(ConversationState)] == [sent]
    assert isinstance(sink.events[-1].event, StreamFailed), "the state comes before the end"
    assert sink.stats().conversation == sent


async def test_a_plain_request_cancelled_before_its_first_step_records_no_conversation() -> None:
    # a plain prompt is recorded as the prompt alone, as a plain run that streamed is
    sink = Collect()
    await _cancelled_before_start(sink, "r1", None)
    assert sink.of(ConversationState) == []
    assert sink.stats().conversation is None
    # the message a resumed `run` knows such a run by (an older record, without the
    # conversation, says nothing of its attached files)
    assert [f.error.message for f in sink.of(StreamFailed)] == [NEVER_SENT]
