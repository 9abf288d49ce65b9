"""A prompt over one model's context window: that model's provider refuses it (HTTP 400 or
an error event), the run fails at once, unretried and unbilled, with a one-line reason;
the other model of the duel runs. Each adapter words the refusal the same way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from modelduel.config import Config, resolve_model
from modelduel.providers.anthropic.errors import anthropic_error
from modelduel.providers.gemini.errors import gemini_error
from modelduel.providers.openai.errors import openai_error, stream_error
from modelduel.storage import read_rows
from tests.support.cli import modelduel, write_config

FAST = """\
[simulator."{model}"]
ttft_ms = 20
reasoning_ms = 0
tps = 3000
answer_tokens = 40
"""
SONNET = "anthropic/claude-sonnet-4-5"  # 200,000 tokens
CHAT_LATEST = "openai/gpt-5-chat-latest"  # 128,000 tokens, over the Responses API
GPT = "openai/gpt-5.1"  # 400,000 tokens


def test_a_prompt_over_the_window_fails_that_model_only(tmp_path: Path) -> None:
    extra = "".join(FAST.format(model=m.split("/")[1]) for m in (SONNET, CHAT_LATEST, GPT))
    config = write_config(tmp_path, extra)
    csv_path = tmp_path / "r.csv"
    prompt = ("alpha " * 200_050).encode()
    done = modelduel(
        "ask", "--demo", "--config", config, "--csv", csv_path, "--retries", "2",
        "-m", SONNET, "-m", CHAT_LATEST, "-m", GPT, "-",
        cwd=tmp_path, stdin=prompt, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    rows = {row["model"]: row for row in read_rows(csv_path)}
    ran = rows[GPT]
    assert ran["finish_reason"] == "stop" and not ran["error"]
    assert int(ran["input_tokens"]) > 200_000
    for model in (SONNET, CHAT_LATEST):
        row = rows[model]
        assert row["finish_reason"] == "error"
        assert row["error"].startswith("bad_request: prompt too long"), row["error"]
        assert "\n" not in row["error"]
        assert row["retried"] == "0"
        assert not row["cost_usd"] and not row["input_tokens"]
    assert re.search(r"prompt too long: 200,\d\d\d tokens > 200,000", rows[SONNET]["error"])
    stderr = done.stderr.decode()
    assert f"{SONNET}: prompt too long" in stderr


def test_every_adapter_words_a_context_overflow_alike() -> None:
    anthropic = json.dumps(
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "prompt is too long: 300030 tokens > 200000 maximum",
            },
        }
    ).encode()
    chat = json.dumps(
        {
            "error": {
                "message": "This model's maximum context length is 128000 tokens. However, "
                "your messages resulted in 300030 tokens. Please reduce the length of the "
                "messages.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        }
    ).encode()
    gemini = json.dumps(
        {
            "error": {
                "code": 400,
                "message": "The input token count (1200293) exceeds the maximum number of "
                "tokens allowed (1048576).",
                "status": "INVALID_ARGUMENT",
            }
        }
    ).encode()
    responses_event = {
        "type": "error",
        "sequence_number": 2,
        "error": {
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
            "message": "Your input exceeds the context window of this model. Please adjust "
            "your input and try again.",
            "param": "input",
        },
    }
    infos = [
        anthropic_error(400, anthropic, {}, "anthropic"),
        openai_error(400, chat, {}),
        gemini_error(400, gemini, {}, "gemini"),
        stream_error(responses_event),
    ]
    for info in infos:
        assert info.kind == "bad_request" and not info.retryable, info
        assert info.message.startswith("prompt too long"), info.message
    assert infos[0].message.startswith("prompt too long: 300,030 tokens > 200,000")
    assert infos[1].message.startswith("prompt too long: 300,030 tokens > 128,000")
    assert infos[2].message.startswith("prompt too long: 1,200,293 tokens > 1,048,576")


def context_notices(spec: str, prompt: str) -> list[str]:
    _, notices = resolve_model(spec, Config(), {}).plan_request(prompt, None)
    return [n for n in notices if "context window" in n]


def test_a_prompt_clearly_over_a_known_window_gets_a_notice_and_is_still_sent() -> None:
    prompt = "word " * 220_000  # about 275,000 tokens by the 4-characters estimate
    (notice,) = context_notices(SONNET, prompt)
    assert "claude-sonnet-4-5" in notice and "200,000" in notice and "~275,000" in notice
    assert "the provider decides" in notice
    request, _ = resolve_model(SONNET, Config(), {}).plan_request(prompt, None)
    assert request.prompt == prompt  # a notice only: the request goes out whole
    assert context_notices(GPT, prompt) == []  # 400,000 holds it
    assert context_notices(SONNET, "word " * 150_000) == []  # ~187,500: not clearly over
    assert context_notices("openai-chat/qwen3-local", prompt) == []  # unknown window
