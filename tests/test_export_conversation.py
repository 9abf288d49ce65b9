"""`modelduel export --format markdown` of a conversation: turns, folded tool calls, answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelduel.storage.export import export_rows

ROWS = [{"run_id": "r1", "duel_id": "d1", "task_id": "agent", "model": "openai/gpt-5.5"}]
RESULT = "\n".join(f"{i}\tline {i}" for i in range(1, 41))


def transcript(**extra: Any) -> dict[str, Any]:
    messages = [
        {"role": "user", "parts": [{"type": "text", "text": "Find the bug."}]},
        {
            "role": "assistant",
            "parts": [
                {"type": "reasoning", "text": "thinking", "provider_data": None},
                {"type": "text", "text": "Checking the file.", "provider_data": None},
                {"type": "tool_call", "id": "c1", "name": "read_file", "arguments": "{}"},
                {"type": "tool_call", "id": "c2", "name": "run_command", "arguments": "{}"},
            ],
        },
        {
            "role": "tool",
            "results": [
                {"call_id": "c1", "name": "read_file", "content": RESULT, "is_error": False},
                {"call_id": "c2", "name": "run_command", "content": "no ``` <b>", "is_error": True},
            ],
        },
        {"role": "assistant", "parts": [{"type": "text", "text": "## Fix\nLine 12 is wrong."}]},
        {
            "role": "user",
            "parts": [
                {"type": "text", "text": "Now add a test."},
                {"type": "image", "name": "shot.png", "media_type": "image/png", "data_base64": ""},
            ],
        },
        {"role": "assistant", "parts": [{"type": "text", "text": "def test_x(): ..."}]},
    ]
    calls = [
        {
            "turn": 1,
            "round": 1,
            "call_id": "c1",
            "name": "read_file",
            "label": "read_file src/x.py:1-40",
            "result": RESULT,
            "is_error": False,
            "summary": "40 lines",
        },
        {
            "turn": 1,
            "round": 1,
            "call_id": "c2",
            "name": "run_command",
            "label": "run_command <rm -rf>",
            "result": "no ``` <b>",
            "is_error": True,
            "summary": "error, 1 line",
        },
    ]
    record = {
        "run_id": "r1",
        "prompt": "Find the bug.",
        "text": "def test_x(): ...",
        "tool_calls": calls,
        "conversation": {"system": None, "messages": messages},
        "turn_figures": [
            {
                "turn": 1,
                "wall_time_s": 2.5,
                "input_tokens": 100,
                "output_tokens": 20,
                "tool_calls": 2,
            },
            {
                "turn": 2,
                "wall_time_s": 1.0,
                "input_tokens": 300,
                "output_tokens": 9,
                "tool_calls": 0,
            },
        ],
    }
    return record | extra


def markdown(tmp_path: Path, record: dict[str, Any]) -> str:
    out = tmp_path / "x.md"
    export_rows(ROWS, {"r1": record}, out, "markdown", False)
    return out.read_text(encoding="utf-8")


def test_each_turn_its_folded_calls_and_its_answer_in_order(tmp_path: Path) -> None:
    text = markdown(tmp_path, transcript())
    order = [
        "#### Turn 1",
        "*2.5 s · 100 in / 20 out · 2 tool calls*",
        "> Checking the file.",
        "<details><summary>▸ read_file src/x.py:1-40 → 40 lines</summary>",
        "````text\n1\tline 1\n",
        "40\tline 40\n````\n\n</details>",
        "<details><summary>▸ run_command &lt;rm -rf&gt; → error, 1 line</summary>",
        "````text\nno ``` <b>\n````",  # a longer fence: the result cannot close it
        "**Answer**\n\n````markdown\n## Fix\nLine 12 is wrong.\n````",
        "#### Turn 2",
        "> Now add a test.",
        "📎 shot.png",
        "**Answer**\n\n````markdown\ndef test_x(): ...\n````",
    ]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    # the model talking between calls is not taken for its answer, and reasoning stays out
    assert text.count("**Answer**") == 2 and "thinking" not in text


def test_a_call_never_answered_and_a_failed_run_say_so(tmp_path: Path) -> None:
    record = transcript(
        tool_calls=[],
        error={"kind": "provider_error", "message": "openai server error (HTTP 500)"},
    )
    messages = record["conversation"]["messages"][:2]
    record["conversation"] = {"system": None, "messages": messages}
    text = markdown(tmp_path, record)
    assert "▸ read_file → not answered" in text
    assert "**Ended:** openai server error (HTTP 500)" in text


def test_a_run_without_a_conversation_keeps_its_fenced_answer(tmp_path: Path) -> None:
    text = markdown(tmp_path, {"run_id": "r1", "prompt": "hi", "text": "# Hello"})
    assert "### openai/gpt-5.5\n\n````markdown\n# Hello\n````\n" in text
    assert "Turn 1" not in text
