"""Image inputs against the simulator: accepted in each wire format, billed from real dimensions.

The image tokens a provider reports are the difference between the same request
with and without the image; here they must follow each provider's published formula
for the image's header dimensions, and images past a provider's limits get its 400.
"""

from __future__ import annotations

import base64
import json
import struct
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import types as gt

from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.simulator.image_billing import (
    anthropic_image_tokens,
    gemini_image_tokens,
    openai_image_tokens,
)

FAST = {"x-simulate-ttft-ms": "0", "x-simulate-tps": "20000", "x-simulate-reasoning-ms": "0"}
TEXT = "What is in this picture?"


def png(width: int, height: int, padding: int = 0) -> bytes:
    """A PNG header of the given size (all the simulator reads), padded to a byte count."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk
    head += struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return head + b"\0" * padding + b"\0\0\0\0IEND\xaeB`\x82"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=4) as handle:
        yield handle


def test_published_formulas() -> None:
    # OpenAI: 1024x1024 -> 768x768 -> 4 tiles; 2048x4096 -> 768x1536 -> 6 tiles.
    assert openai_image_tokens("gpt-4o", 1024, 1024) == 85 + 4 * 170 == 765
    assert openai_image_tokens("gpt-4o", 2048, 4096) == 85 + 6 * 170 == 1105
    assert openai_image_tokens("gpt-5.5", 1024, 1024) == 70 + 4 * 140
    assert openai_image_tokens("gpt-5.5", 4096, 8192, detail="low") == 70
    # Anthropic: w*h/750, after the resize to the model's limit.
    assert anthropic_image_tokens("claude-sonnet-4-5", 1000, 1000) == 1334
    assert anthropic_image_tokens("claude-sonnet-4-5", 4000, 3000) <= 1.15e6 / 750 + 1
    assert anthropic_image_tokens("claude-opus-4-7", 2000, 1500) == 4000
    # Gemini: 258 for a small image, else 258 per tile.
    assert gemini_image_tokens(384, 384) == 258
    assert gemini_image_tokens(1024, 1024) == 258 * 4


def _openai(sim: SimulatorHandle) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{sim.base_url}/v1", api_key="sk-test", max_retries=0, default_headers=FAST
    )


def test_responses_input_image_tokens(sim: SimulatorHandle) -> None:
    client = _openai(sim)
    url = "data:image/png;base64," + b64(png(1024, 1024))
    plain = client.responses.create(model="gpt-5.5", input=[{"role": "user", "content": TEXT}])
    with_image = client.responses.create(
        model="gpt-5.5",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": TEXT},
                    {"type": "input_image", "image_url": url, "detail": "auto"},
                ],
            }
        ],
    )
    assert plain.usage and with_image.usage
    assert with_image.usage.input_tokens - plain.usage.input_tokens == 70 + 4 * 140


def test_chat_image_url_tokens(sim: SimulatorHandle) -> None:
    client = _openai(sim)
    url = "data:image/png;base64," + b64(png(2048, 4096))
    plain = client.chat.completions.create(
        model="gpt-5.5", messages=[{"role": "user", "content": TEXT}]
    )
    with_image = client.chat.completions.create(
        model="gpt-5.5",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": TEXT},
                    {"type": "image_url", "image_url": {"url": url}},
                ],
            }
        ],
    )
    assert plain.usage and with_image.usage
    assert with_image.usage.prompt_tokens - plain.usage.prompt_tokens == 70 + 6 * 140


def test_chat_rejects_bytes_that_are_no_image(sim: SimulatorHandle) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        _openai(sim).chat.completions.create(
            model="gpt-5.5",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image_url",
                            "image_url": {"url": "data:image/png;base64," + b64(b"not an image")},
                        }
                    ],
                }
            ],
        )
    assert "You uploaded an unsupported image" in str(caught.value)


@pytest.fixture(scope="module")
def claude(sim: SimulatorHandle) -> Iterator[anthropic.Anthropic]:
    client = anthropic.Anthropic(
        base_url=sim.base_url, api_key="sk-ant-test", max_retries=0, default_headers=FAST
    )
    yield client
    client.close()


def _claude_image(claude: anthropic.Anthropic, data: str) -> anthropic.types.Message:
    block: Any = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": data},
    }
    return claude.messages.create(
        model="claude-opus-4-7",
        max_tokens=2000,
        messages=[{"role": "user", "content": [block, {"type": "text", "text": TEXT}]}],
    )


def test_anthropic_image_block_tokens(claude: anthropic.Anthropic) -> None:
    plain = claude.messages.create(
        model="claude-opus-4-7", max_tokens=2000, messages=[{"role": "user", "content": TEXT}]
    )
    with_image = _claude_image(claude, b64(png(1200, 900)))
    assert with_image.usage.input_tokens - plain.usage.input_tokens == 1200 * 900 // 750


def test_anthropic_rejects_an_image_over_5_mb(claude: anthropic.Anthropic) -> None:
    data = b64(png(100, 100, padding=4 * 1024 * 1024))
    with pytest.raises(anthropic.BadRequestError) as caught:
        _claude_image(claude, data)
    body: Any = caught.value.body
    assert body["error"]["message"] == (
        f"messages.0.content.0.image.source.base64: image exceeds 5 MB maximum: {len(data)} "
        "bytes > 5242880 bytes"
    )


def test_anthropic_rejects_an_image_over_8000_pixels(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        _claude_image(claude, b64(png(8001, 200)))
    body: Any = caught.value.body
    assert body["error"]["message"] == (
        "messages.0.content.0.image.source.base64.data: At least one of the image dimensions "
        "exceed max allowed size: 8000 pixels"
    )


def _gemini(sim: SimulatorHandle) -> genai.Client:
    return genai.Client(
        api_key="AIza-test", http_options=gt.HttpOptions(base_url=sim.base_url, headers=FAST)
    )


def test_gemini_inline_data_tokens(sim: SimulatorHandle) -> None:
    client = _gemini(sim)
    plain = client.models.generate_content(model="gemini-3.1-pro-preview", contents=TEXT)
    image = gt.Part.from_bytes(data=png(1024, 1024), mime_type="image/png")
    with_image = client.models.generate_content(
        model="gemini-3.1-pro-preview",
        contents=[gt.Content(role="user", parts=[image, gt.Part(text=TEXT)])],
    )
    assert plain.usage_metadata and with_image.usage_metadata
    extra = with_image.usage_metadata.prompt_token_count - plain.usage_metadata.prompt_token_count  # type: ignore[operator]
    assert extra == 258 * 4
    details = {
        d.modality: d.token_count for d in with_image.usage_metadata.prompt_tokens_details or []
    }
    assert details[gt.MediaModality.IMAGE] == 258 * 4


def test_gemini_rejects_inline_data_over_20_mb(sim: SimulatorHandle) -> None:
    # Sent raw: the SDK would base64 21 MB again on a slow shared machine.
    data = b64(png(64, 64, padding=16 * 1024 * 1024))
    body = {
        "contents": [
            {"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": data}}]}
        ]
    }
    request = urllib.request.Request(
        f"{sim.base_url}/v1beta/models/gemini-3.1-pro-preview:generateContent",
        data=json.dumps(body).encode(),
        headers={"x-goog-api-key": "AIza-test", "content-type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=60)
    assert caught.value.code == 400
    error = json.loads(caught.value.read())["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == "Request payload size exceeds the limit: 20971520 bytes."
