"""Image inputs: found in each wire format, sized from their headers, checked against the
providers' limits, and billed (the per-provider formulas are in `image_billing`).

Where each protocol carries an inline image: Responses `input_image` and Chat
`image_url` parts (base64 data URLs), Anthropic `image` blocks (base64 source), Gemini
`inlineData` parts. An image's pixel size comes from its own header (PNG, JPEG, WebP,
GIF; see `modelduel.image_header.sniff_image`), never from what the client claims.

Size limits answer with the provider's own 400: Anthropic "image exceeds 5 MB maximum"
(measured on the base64 text, as the API does) and "At least one of the image dimensions
exceed max allowed size: 8000 pixels"; Gemini "Request payload size exceeds the limit:
20971520 bytes." for inline data past 20 MB; an image whose bytes are not PNG, JPEG,
WebP or GIF gets OpenAI's "You uploaded an unsupported image" (Anthropic and Gemini:
their invalid-image messages). OpenAI's own cap (50 MB a request) lies past the
simulator's body limit, which answers first.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any

from modelduel.image_header import sniff_image
from modelduel.simulator.generation import Rejection
from modelduel.simulator.image_billing import (
    anthropic_image_tokens,
    gemini_image_tokens,
    openai_image_tokens,
)

__all__ = ["image_tokens"]

ANTHROPIC_MAX_BASE64 = 5 * 1024 * 1024
ANTHROPIC_MAX_SIDE = 8000
GEMINI_MAX_INLINE = 20 * 1024 * 1024


def _decode(data: Any) -> bytes | None:
    if not isinstance(data, str):
        return None
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None


def _data_url(url: Any) -> str | None:
    """The base64 payload of a `data:image/...;base64,` URL, None for any other URL."""
    if isinstance(url, str) and url.startswith("data:") and ";base64," in url[:100]:
        return url.split(",", 1)[1]
    return None


def _openai_parts(protocol: str, body: Mapping[str, Any]) -> Iterator[tuple[str, Any, str]]:
    """(where, base64 text, detail) of each inline image of an OpenAI request."""
    if protocol == "openai":
        items = body.get("input")
        for i, item in enumerate(items if isinstance(items, list) else []):
            content = item.get("content") if isinstance(item, dict) else None
            for j, part in enumerate(content if isinstance(content, list) else []):
                if isinstance(part, dict) and part.get("type") == "input_image":
                    payload = _data_url(part.get("image_url"))
                    if payload is not None:
                        yield f"input[{i}].content[{j}]", payload, str(part.get("detail", "auto"))
        return
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        for j, part in enumerate(content if isinstance(content, list) else []):
            if isinstance(part, dict) and part.get("type") == "image_url":
                image = part.get("image_url")
                image = image if isinstance(image, dict) else {"url": image}
                payload = _data_url(image.get("url"))
                if payload is not None:
                    detail = str(image.get("detail", "auto"))
                    yield f"messages[{i}].content[{j}]", payload, detail


def image_tokens(protocol: str, body: Mapping[str, Any], model: str) -> int:
    """Input tokens of every inline image of a request, in the provider's formula.

    Raises:
        Rejection: an image over the provider's limits, or bytes that are no image.
    """
    total = 0
    if protocol in ("openai", "openai-chat"):
        for where, payload, detail in _openai_parts(protocol, body):
            size = _size(_decode(payload))
            if size is None:
                raise Rejection(
                    "bad_request",
                    "You uploaded an unsupported image. Please make sure your image has of one "
                    "the following formats: ['png', 'jpeg', 'gif', 'webp'].",
                    param=where,
                    code="invalid_image_format",
                )
            total += openai_image_tokens(model, *size, detail=detail)
        return total
    if protocol == "anthropic":
        for i, message in enumerate(body.get("messages") or []):
            content = message.get("content") if isinstance(message, dict) else None
            for j, block in enumerate(content if isinstance(content, list) else []):
                if not isinstance(block, dict) or block.get("type") != "image":
                    continue
                found = block.get("source")
                source: dict[str, Any] = found if isinstance(found, dict) else {}
                if source.get("type") != "base64":
                    continue
                data = source.get("data")
                where = f"messages.{i}.content.{j}.image.source.base64"
                if isinstance(data, str) and len(data) > ANTHROPIC_MAX_BASE64:
                    raise Rejection(
                        "bad_request",
                        f"{where}: image exceeds 5 MB maximum: {len(data)} bytes > "
                        f"{ANTHROPIC_MAX_BASE64} bytes",
                        param=where,
                    )
                size = _size(_decode(data))
                if size is None:
                    raise Rejection(
                        "bad_request",
                        f"{where}.data: The image was specified using the image/"
                        f"{str(source.get('media_type', 'png')).split('/')[-1]} media type, "
                        "but the image appears to be invalid.",
                        param=f"{where}.data",
                    )
                if max(size) > ANTHROPIC_MAX_SIDE:
                    raise Rejection(
                        "bad_request",
                        f"{where}.data: At least one of the image dimensions exceed max allowed "
                        f"size: {ANTHROPIC_MAX_SIDE} pixels",
                        param=f"{where}.data",
                    )
                total += anthropic_image_tokens(model, *size)
        return total
    inline = 0
    for content in body.get("contents") or []:
        parts = content.get("parts") if isinstance(content, dict) else None
        for part in parts if isinstance(parts, list) else []:
            blob = (
                part.get("inlineData", part.get("inline_data")) if isinstance(part, dict) else None
            )
            if not isinstance(blob, dict):
                continue
            mime = str(blob.get("mimeType", blob.get("mime_type", "")))
            if not mime.startswith("image/"):
                continue
            data = blob.get("data")
            inline += len(data) if isinstance(data, str) else 0
            if inline > GEMINI_MAX_INLINE:
                raise Rejection(
                    "bad_request",
                    f"Request payload size exceeds the limit: {GEMINI_MAX_INLINE} bytes.",
                )
            size = _size(_decode(data))
            if size is None:
                raise Rejection(
                    "bad_request",
                    "Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
                )
            total += gemini_image_tokens(*size)
    return total


def _size(data: bytes | None) -> tuple[int, int] | None:
    if not data:
        return None
    sniffed = sniff_image(data)
    if sniffed is None or sniffed[1] is None or sniffed[2] is None:
        return None
    return sniffed[1], sniffed[2]
