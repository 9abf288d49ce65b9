"""Promises a seeded mutation sample showed no test could see break (issue 11, item 7).

`python bench/mutation.py core providers storage --sample 60 --seed 1` let these mutants
through; each test names the mutant it kills (`mutmut show NAME` gives the diff) and was
seen to fail against it (`--retest-survivors`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import httpx2 as httpx
import pytest

from modelduel.capabilities import family_for
from modelduel.core.recorded_stats import stats_from_row
from modelduel.errors import CsvError
from modelduel.events import (
    AssistantReply,
    Event,
    Finished,
    ReasoningDelta,
    Stamped,
    StreamFailed,
    TextDelta,
)
from modelduel.providers.base import ModelRequest, SSEEvent, StreamTarget
from modelduel.providers.http import stream_events
from modelduel.providers.openai_chat.thinktags import ThinkTagSplitter
from modelduel.providers.registry import get_adapter
from modelduel.storage import append_run, columns, update_run
from modelduel.storage.csvchunks import ColumnChunks
from modelduel.storage.export import export_rows


def parse(kind: str, *docs: object, close: bool = True) -> list[Event]:
    """The events a protocol's parser makes of SSE data documents (event name = type)."""
    parser = get_adapter(kind).new_parser()
    out: list[Event] = []
    for doc in docs:
        name = doc.get("type", "message") if isinstance(doc, dict) else "message"
        out.extend(parser.feed(SSEEvent(str(name), json.dumps(doc))))
    if close:
        out.extend(parser.close())
    return out


# --- providers ---------------------------------------------------------------------------


def test_anthropic_a_bare_403_says_region_or_restriction_not_bad_key() -> None:
    """Mutant anthropic.parse_error `status == 403` -> `== 404`: the 403 headline goes."""
    body = json.dumps({"type": "error", "error": {"message": "nope"}}).encode()
    info = get_adapter("anthropic").parse_error(403, body, {})
    assert info.kind == "auth"
    assert "a region it does not serve" in info.message
    assert "not necessarily a bad key" in info.message


def test_anthropic_mid_stream_error_without_a_message_says_stream_failed() -> None:
    """Mutant anthropic._stream_error's fallback message changed."""
    events = parse("anthropic", {"type": "error", "error": {"type": "api_error"}})
    (failed,) = [e for e in events if isinstance(e, StreamFailed)]
    assert "stream failed" in failed.error.message


def test_responses_url_trims_a_trailing_slash() -> None:
    """Mutant OpenAIResponsesAdapter.url rstrip('/') -> rstrip('XX/XX')."""
    adapter = get_adapter("openai")
    assert adapter.url("http://127.0.0.1:9/v1/", "m") == "http://127.0.0.1:9/v1/responses"
    assert adapter.url("http://127.0.0.1:9/v1", "m") == "http://127.0.0.1:9/v1/responses"


def test_responses_raw_reasoning_text_is_reasoning() -> None:
    """Mutant ResponsesParser.feed: `response.reasoning_text.delta` not read as reasoning
    (open-weight models behind a Responses API stream their raw chain of thought so)."""
    events = parse(
        "openai",
        {"type": "response.reasoning_text.delta", "delta": "step one"},
        close=False,
    )
    assert events == [ReasoningDelta("step one")]


def test_responses_a_cut_stream_is_reported_once() -> None:
    """Mutant ResponsesParser.close `_done = True` -> False: a second close reported the
    cut again."""
    parser = get_adapter("openai").new_parser()
    first = parser.close()
    assert [type(e) for e in first] == [StreamFailed]
    assert parser.close() == []


def test_chat_a_refusal_is_shown_as_the_answer_and_finishes_as_refusal() -> None:
    """Mutant ChatParser.feed `refusal = delta.get('refusal')` -> None: a refusal came out
    as an empty answer."""
    base = {"id": "c", "object": "chat.completion.chunk"}
    events = parse(
        "openai-chat",
        {**base, "choices": [{"index": 0, "delta": {"refusal": "I can't help with that"}}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    )
    assert TextDelta("I can't help with that") in events
    assert not [e for e in events if isinstance(e, StreamFailed)]


def test_think_tags_a_reasoning_tail_held_back_comes_out_as_reasoning() -> None:
    """Mutant ThinkTagSplitter.flush `ReasoningDelta(held)` -> `ReasoningDelta(None)`: a
    stream that ends inside `<think>` with a possible partial `</think>` held back."""
    split = ThinkTagSplitter()
    assert split.feed("<think>weighing it</thi") == [ReasoningDelta("weighing it")]
    assert split.flush() == [ReasoningDelta("</thi")]
    assert split.flush() == []


def test_gemini_mid_stream_rate_limit_keeps_the_retry_delay_it_asks_for() -> None:
    """Mutant gemini._stream_error `err.get('details')` -> `err.get(None)`: the delay the
    provider asked for was dropped, so a retry would not wait for it."""
    err = {
        "code": 429,
        "status": "RESOURCE_EXHAUSTED",
        "message": "slow down",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}],
    }
    (failed,) = parse("gemini", {"error": err}, close=False)
    assert isinstance(failed, StreamFailed)
    assert failed.error.kind == "rate_limited" and failed.error.retry_after_s == 7.0


def test_gemini_a_non_object_detail_names_no_field() -> None:
    """Mutant gemini._violated_field `isinstance(item, dict) or True`: a string detail
    crashed the error reader."""
    body = json.dumps(
        {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT", "details": ["x"]}}
    ).encode()
    info = get_adapter("gemini").parse_error(400, body, {})
    assert info.kind == "bad_request" and info.param is None


def test_a_request_crosses_the_worker_pipe_with_its_capabilities() -> None:
    """Mutant ModelRequest.to_json `"caps"` key renamed: the child worker rebuilt the
    request without the capability family the parent resolved (config `[caps]`)."""
    caps = family_for("anthropic", "claude-opus-4-7")
    request = ModelRequest("claude-opus-4-7", "hi", caps=caps)
    back = ModelRequest.from_json(json.loads(json.dumps(request.to_json())))
    assert back == request and back.caps == caps


async def test_every_stamp_of_a_timed_out_request_is_a_clock_reading() -> None:
    """Mutant http.stream_events: the timeout's `StreamFailed` stamped None, not `clock()`."""
    times = iter(range(1_000, 10_000, 7))

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    target = StreamTarget("openai-chat", "http://127.0.0.1:9/v1", lambda: "k", "KEY")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        got = [
            s
            async for s in stream_events(
                client, target, ModelRequest("m", "hi"), clock=lambda: next(times)
            )
        ]
    assert isinstance(got[-1].event, StreamFailed)
    assert all(isinstance(s.t_ns, int) and s.t_ns >= 1_000 for s in got), got


async def test_a_missing_key_without_a_variable_name_says_the_api_key() -> None:
    """Mutant http.stream_events: the missing-key fallback words changed."""
    target = StreamTarget("openai-chat", "http://127.0.0.1:9/v1", lambda: None, None)
    async with httpx.AsyncClient() as client:
        got = [s.event async for s in stream_events(client, target, ModelRequest("m", "hi"))]
    (failed,) = got
    assert isinstance(failed, StreamFailed)
    assert (failed.error.kind, failed.error.message) == ("missing_key", "the API key is not set")


# --- core --------------------------------------------------------------------------------


def test_a_reopened_run_keeps_its_recorded_output_rate() -> None:
    """Mutant recorded_stats.stats_from_row `output_tokens_per_s=None`: a recorded duel re-opened
    without the rate it was measured at."""
    row = {"model": "m/x", "output_tokens": "120", "output_tokens_per_s": "48.5"}
    assert stats_from_row(row, None).output_tokens_per_s == 48.5
    assert stats_from_row({"model": "m/x"}, None).output_tokens_per_s is None


# --- storage -----------------------------------------------------------------------------


def test_every_column_is_documented() -> None:
    """Mutants columns._brief/_extra dropping `doc`: the column table is where a column's
    meaning is written down (the export's typing and the docs read it)."""
    assert all(c.doc for c in columns.TABLE), [c.name for c in columns.TABLE if not c.doc]


def test_a_rewrite_whose_rename_fails_names_the_csv_and_what_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mutants csvrewrite.rewrite_atomically: the doing-words of the error dropped or None."""
    path = tmp_path / "r.csv"
    append_run(path, {"task_id": "t", "model": "m/x", "run_id": "r1"})
    before = path.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(CsvError) as caught:
        update_run(path, "r1", {"score": 5})
    assert str(path) in str(caught.value) and "rewrite the results CSV" in str(caught.value)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".r.csv.*.tmp"))  # the temp file does not linger


def test_a_markdown_export_quotes_a_multi_line_prompt_and_shows_score_and_wall_time(
    tmp_path: Path,
) -> None:
    """Mutants export._markdown: the prompt's quote marks, the score and the wall-time
    cells."""
    rows = [
        {
            "duel_id": "d1",
            "run_id": "r1",
            "task_id": "t1",
            "model": "m/x",
            "score": "4",
            "time_to_first_useful_s": "0.25",
            "wall_time_s": "1.5",
            "input_tokens": "10",
            "output_tokens": "20",
            "cost_usd": "0.002",
        }
    ]
    transcripts = {"r1": {"prompt": "line one\nline two", "text": "the answer"}}
    out = tmp_path / "e.md"
    export_rows(rows, transcripts, out, "markdown", brief_columns=False)
    text = out.read_text(encoding="utf-8")
    assert "\n> line one\n> line two\n" in text
    assert "| m/x | 4 | 0.25 | 1.5 | 10 | 20 | 0.002 |" in text
    assert "the answer" in text


def test_a_damaged_csv_read_in_chunks_gives_every_row_once_in_order(tmp_path: Path) -> None:
    """Mutants csvchunks.ColumnChunks._slow: chunks starting at row 1, or only the first
    `chunk_rows` rows read. A torn last row cut mid-character (not UTF-8) sends the file
    down the careful path; every complete row still comes out, once, in order."""
    path = tmp_path / "r.csv"
    for i in range(5):
        append_run(path, {"task_id": "t", "model": "m/x", "run_id": f"r{i}", "notes": "ok"})
    with path.open("ab") as f:
        f.write(b"t,coding,m/x,\xc3")  # a writer killed inside a two-byte character
    notices: list[str] = []
    chunks = list(ColumnChunks(path, ("run_id",), notices.append, 2))
    assert [c.lines for c in chunks] == [[2, 3], [4, 5], [6]]
    assert [r for c in chunks for r in c.cells["run_id"]] == ["r0", "r1", "r2", "r3", "r4"]
    assert len(notices) == 1 and "incomplete" in notices[0]


def test_chat_reply_keeps_the_response_id_the_stream_gave() -> None:
    """Mutant ChatParser.feed reading `doc.get("ID")`: the transcript's response lost the
    provider's id (the handle to find it in the provider's logs)."""
    parser = get_adapter("openai-chat").new_parser(True)
    events: list[Event] = []
    for doc in (
        {"id": "chatcmpl-9", "choices": [{"index": 0, "delta": {"content": "hi"}}]},
        {"id": "chatcmpl-9", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ):
        events.extend(parser.feed(SSEEvent("message", json.dumps(doc))))
    events.extend(parser.close())
    (reply,) = [e for e in events if isinstance(e, AssistantReply)]
    assert reply.message.response_id == "chatcmpl-9" and reply.message.text == "hi"


def test_a_conversation_without_a_call_log_folds_calls_from_the_tool_results(
    tmp_path: Path,
) -> None:
    """Mutants export._call_markdown / _conversation_markdown: a transcript whose call log
    is missing (a run cut before it was written) still shows each call's result from the
    conversation's tool message, a failed call as `error`, and `1 line` / `40 lines`."""
    from tests.test_export_conversation import markdown, transcript

    text = markdown(tmp_path, transcript(tool_calls=[]))
    assert "▸ read_file → 40 lines</summary>" in text
    assert "▸ run_command → error, 1 line</summary>" in text
    assert "not answered" not in text


def test_an_unpriced_round_leaves_the_runs_cost_unknown_not_the_later_rounds_alone() -> None:
    """Mutant metrics._fold_request `or` -> `and`: a tool loop whose first request had no
    price must not show the cost of the later ones as the run's cost."""
    from modelduel.core.meter import StreamMeter
    from modelduel.core.metrics import Cost
    from modelduel.events import RequestSent, RoundStarted, Usage

    prices = iter([Cost(None, "unknown: not in the price data"), Cost(0.5, "config")])
    last = Cost(0.5, "config")

    def price(usage: Usage) -> Cost:
        return next(prices, last)

    meter = StreamMeter(price)
    for stamped in [
        Stamped(0, RequestSent(0)),
        Stamped(1, Usage(input_tokens=10, output_tokens=2)),
        Stamped(2, RoundStarted(2)),
        Stamped(3, RequestSent(0)),
        Stamped(4, Usage(input_tokens=20, output_tokens=3)),
        Stamped(5, Finished("stop", "stop")),
    ]:
        meter.observe(stamped)
    s = meter.stats()
    assert (s.input_tokens, s.output_tokens) == (30, 5)
    assert s.cost_usd is None


def test_a_tool_error_is_summarised_as_an_error_and_not_marked_cut() -> None:
    """Mutant toolworld._error dropping `cut`: the summary landed in `truncated` and the
    folded pane line lost its `error: ...` words."""
    from modelduel.core.toolworld import ToolWorld

    result = ToolWorld([]).call("no_such_tool", "{}")
    assert result.is_error and result.truncated is False
    assert result.summary.startswith("error: ")


def test_the_save_ledger_writes_the_transcript_beside_the_row(tmp_path: Path) -> None:
    """Mutant session_controller._append passing no transcript: the run's text and
    conversation were never written, only its CSV row."""
    from modelduel.core.session_controller import SaveLedger
    from modelduel.storage import read_rows, read_transcripts

    path = tmp_path / "r.csv"
    row = {"task_id": "t", "task_type": "adhoc", "model": "m/x", "run_id": "r1"}
    assert SaveLedger(path).record_run("r1", row, {"run_id": "r1", "text": "the answer"})
    assert [r["run_id"] for r in read_rows(path)] == ["r1"]
    assert read_transcripts(path)["r1"]["text"] == "the answer"


def test_every_field_of_a_request_crosses_the_worker_pipe() -> None:
    """Mutants ModelRequest.to_json/from_json/_loop_json: tools, the output cap or the
    caps lost on the way to the child worker, so the child sent a different request."""
    from modelduel.conversation import ToolSpec

    tool = ToolSpec("read_file", "Read a file", {"type": "object", "properties": {}})
    request = ModelRequest(
        "claude-opus-4-7",
        "hi",
        system="be brief",
        max_output_tokens=1234,
        reasoning_effort="high",
        temperature=0.5,
        show_reasoning=False,
        extra_headers=(("x-fault", "none"),),
        caps=family_for("anthropic", "claude-opus-4-7"),
        omit_params=("temperature",),
        tools=(tool,),
        store=True,
    )
    back = ModelRequest.from_json(json.loads(json.dumps(request.to_json())))
    assert back == request
    assert back.tools == (tool,) and back.max_output_tokens == 1234


def test_the_status_alone_says_auth_or_not_found() -> None:
    """Mutants errors.error_kind_for_status: 403 read as not auth, 404 as not not_found."""
    from modelduel.providers.errors import error_kind_for_status

    assert [error_kind_for_status(s) for s in (401, 403, 404)] == ["auth", "auth", "not_found"]
    assert error_kind_for_status(405) != "not_found"


def test_retry_after_as_an_http_date_and_in_the_past() -> None:
    """Mutants retry_after.parse_retry_after / _non_negative: an HTTP date read as seconds from
    now; a date already past waits 0 s, not 1 s."""
    from modelduel.providers.retry_after import parse_retry_after

    now = 1_767_225_600.0  # Thu, 01 Jan 2026 00:00:00 GMT
    later = {"retry-after": "Thu, 01 Jan 2026 00:00:03 GMT"}
    past = {"retry-after": "Wed, 31 Dec 2025 23:59:00 GMT"}
    assert parse_retry_after(later, now, clamp=False) == 3.0
    assert parse_retry_after(past, now, clamp=False) == 0.0
    assert parse_retry_after({"retry-after": "-5"}, now, clamp=False) == 0.0


def test_a_protocol_registered_by_a_test_can_be_removed_again() -> None:
    """Mutants registry.unregister popping the wrong key: a test's fake protocol stayed
    registered for every later test."""
    from modelduel.providers import registry

    spec = registry.spec_for("openai-chat")
    fake = dataclasses.replace(spec, kind="fake-proto")
    registry.register(fake)
    assert "fake-proto" in registry.kinds()
    registry.unregister("fake-proto")
    assert "fake-proto" not in registry.kinds()
    registry.unregister("fake-proto")  # removing what is not there is no error
