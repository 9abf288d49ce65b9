"""A prompt over the model's context window is refused the way each real API refuses it.

The window is the capability data's `context_window` (what `modelduel models` prints);
a model whose window is unknown is never refused. Raw httpx against a simulator thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from modelduel.capabilities import family_for
from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.simulator.tokens import count_tokens
from tests.test_simulator import FAST, datas, request_for, sse_events


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=5, ground_truth=True) as handle:
        yield handle


@pytest.fixture(scope="module")
def client(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, timeout=60) as c:
        yield c


def big(tokens: int) -> str:
    text = "alpha " * tokens
    assert count_tokens(text) >= tokens
    return text


def send(
    client: httpx.Client, protocol: str, model: str, prompt: str, *, stream: bool = True
) -> httpx.Response:
    path, auth, body = request_for(protocol, model=model, stream=stream)
    if protocol == "openai":
        body["input"] = [{"role": "user", "content": prompt}]
        body.pop("instructions")
    elif protocol == "openai-chat":
        body["messages"] = [{"role": "user", "content": prompt}]
    elif protocol == "anthropic":
        body["messages"] = [{"role": "user", "content": prompt}]
        body.pop("system")
        body.pop("thinking")
    else:
        body["contents"] = [{"role": "user", "parts": [{"text": prompt}]}]
        body.pop("systemInstruction")
    return client.post(path, headers={**auth, **FAST}, json=body)


def window(kind: str, model: str) -> int:
    size = family_for(kind, model).context_window
    assert size is not None
    return size


def test_anthropic_refuses_a_prompt_over_the_window(client: httpx.Client) -> None:
    limit = window("anthropic", "claude-sonnet-4-5")
    assert limit == 200_000
    prompt = big(limit + 30)
    r = send(client, "anthropic", "claude-sonnet-4-5", prompt)
    assert r.status_code == 400
    doc = r.json()
    assert doc["type"] == "error" and doc["request_id"]
    n = count_tokens(prompt)
    assert doc["error"] == {
        "type": "invalid_request_error",
        "message": f"prompt is too long: {n} tokens > {limit} maximum",
    }
    assert r.headers.get("x-should-retry") != "true"


def test_a_prompt_within_the_window_is_answered(client: httpx.Client) -> None:
    r = send(client, "anthropic", "claude-sonnet-4-5", big(1000))
    assert r.status_code == 200


def test_chat_completions_refuses_with_context_length_exceeded(client: httpx.Client) -> None:
    limit = window("openai-chat", "gpt-5-chat-latest")
    prompt = big(limit + 5)
    r = send(client, "openai-chat", "gpt-5-chat-latest", prompt)
    assert r.status_code == 400
    n = count_tokens(prompt)
    assert r.json() == {
        "error": {
            "message": f"This model's maximum context length is {limit} tokens. However, your "
            f"messages resulted in {n} tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }


def test_chat_server_of_unknown_window_is_not_refused(client: httpx.Client) -> None:
    assert family_for("openai-chat", "qwen3-local").context_window is None
    r = send(client, "openai-chat", "qwen3-local", big(300_000))
    assert r.status_code == 200


RESPONSES_ERROR = {
    "type": "invalid_request_error",
    "code": "context_length_exceeded",
    "message": "Your input exceeds the context window of this model. Please adjust your input "
    "and try again.",
    "param": "input",
}


def test_responses_stream_ends_in_an_error_event_after_created(client: httpx.Client) -> None:
    limit = window("openai", "gpt-5-chat-latest")
    r = send(client, "openai", "gpt-5-chat-latest", big(limit + 5))
    # The Responses API accepts the stream, then fails it: sequence 2 is the error.
    assert r.status_code == 200
    names = [n for n, _ in sse_events(r.content)]
    assert names == ["response.created", "response.in_progress", "error"]
    last = datas(r.content)[-1]
    assert last == {"type": "error", "sequence_number": 2, "error": RESPONSES_ERROR}


def test_responses_without_stream_is_a_400(client: httpx.Client) -> None:
    limit = window("openai", "gpt-5-chat-latest")
    r = send(client, "openai", "gpt-5-chat-latest", big(limit + 5), stream=False)
    assert r.status_code == 400
    assert r.json() == {"error": RESPONSES_ERROR}


def test_gemini_refuses_with_invalid_argument(client: httpx.Client) -> None:
    limit = window("gemini", "gemini-3.1-pro-preview")
    prompt = "a " * (limit + 10)
    n = count_tokens(prompt)
    assert n > limit
    r = send(client, "gemini", "gemini-3.1-pro-preview", prompt)
    assert r.status_code == 400
    assert json.loads(r.content) == {
        "error": {
            "code": 400,
            "message": f"The input token count ({n}) exceeds the maximum number of tokens "
            f"allowed ({limit}).",
            "status": "INVALID_ARGUMENT",
        }
    }
