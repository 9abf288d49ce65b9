"""Attachments: a file a user (or a task) sends along with a prompt, as text or as an image.

`load_attachment(path)` decides what a file is from its bytes, never its extension:

- an image when it starts with the magic bytes of PNG, JPEG, WebP or GIF (the formats
  every provider accepts): media type, bytes, base64 and pixel size (read from the header);
- otherwise text when it decodes as UTF-8 (a BOM is dropped) and has no NUL byte: it is
  added to the prompt under its name, fenced (`prompt_block`);
- anything else is refused with one line naming the file (no silent lossy decoding: a
  Latin-1 file would otherwise reach the models with replacement characters in it).

Provider limits (`PROVIDER_LIMITS`, one row per protocol, with where each number comes
from) are checked by `check_for_provider` before a request is built, so an oversize image
is a clear error naming the file and the limit, not a 400 from the provider.

| protocol    | per image | all attachments, encoded | max pixels  |
|-------------|-----------|--------------------------|-------------|
| anthropic   | 5 MB      | 32 MB request            | 8000 x 8000 |
| openai      | 20 MB     | 50 MB total payload      | (resized)   |
| openai_chat | 20 MB     | 50 MB total payload      | (resized)   |
| gemini      | 20 MB     | 20 MB inline request     | (resized)   |

Sources: Anthropic, docs.claude.com/en/docs/vision "Basics and Limits" (8000x8000 px,
32 MB request; 5 MB per image on the API); OpenAI, platform.openai.com/docs/guides/
images-vision "Image input requirements" (up to 50 MB total payload per request, 20 MB
per image; OpenAI-compatible servers may be stricter); Gemini,
ai.google.dev/gemini-api/docs/image-understanding (inline data: the whole request under
20 MB, larger files through the Files API).

The Gemini figure is the long-documented inline limit; Google has announced larger inline
limits for some endpoints, so 20 MB is the conservative choice. Base64 grows bytes by 4/3,
and the request-body rows are checked on the encoded size.
"""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "MAX_TEXT_BYTES",
    "PROVIDER_LIMITS",
    "Attachment",
    "AttachmentError",
    "ProviderLimits",
    "check_for_provider",
    "fence_for",
    "load_attachment",
    "load_for_protocols",
    "sniff_image",
]

MB = 1024 * 1024
MAX_TEXT_BYTES = 8 * MB
"""A text attachment above this is refused: it would not fit any model's context window."""
MAX_FILE_BYTES = 50 * MB
"""Nothing larger than the most generous provider's whole request is even read."""


class AttachmentError(ValueError):
    """An attachment cannot be used: the message is one line naming the file and the fix."""


@dataclass(frozen=True, slots=True)
class ProviderLimits:
    """The image limits of one protocol (bytes are raw file bytes unless said otherwise)."""

    max_image_bytes: int
    max_request_bytes: int  # of all attachments, base64-encoded
    max_pixels_per_side: int | None
    source: str


PROVIDER_LIMITS: dict[str, ProviderLimits] = {
    "anthropic": ProviderLimits(
        5 * MB, 32 * MB, 8000, "docs.claude.com/en/docs/vision (5 MB/image, 32 MB request)"
    ),
    "openai": ProviderLimits(
        20 * MB, 50 * MB, None, "platform.openai.com/docs/guides/images-vision (50 MB total)"
    ),
    "openai_chat": ProviderLimits(
        20 * MB, 50 * MB, None, "platform.openai.com/docs/guides/images-vision (50 MB total)"
    ),
    "gemini": ProviderLimits(
        20 * MB, 20 * MB, None, "ai.google.dev/gemini-api/docs/image-understanding (20 MB inline)"
    ),
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One loaded attachment.

    Attributes:
        name: how it is named to the model (the path as the user gave it).
        kind: "text" or "image".
        media_type: "text/plain", or the image's type ("image/png", ...).
        data: the file's bytes.
        text: the decoded text (text attachments only).
        width / height: the image's pixel size from its header (images only; None if the
            header does not say, e.g. a truncated JPEG).
    """

    name: str
    kind: Literal["text", "image"]
    media_type: str
    data: bytes
    text: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def base64(self) -> str:
        """The bytes as standard base64, as every provider's inline image field wants."""
        return base64.b64encode(self.data).decode("ascii")

    @property
    def data_url(self) -> str:
        """`data:<media type>;base64,...`, the form OpenAI's image inputs take."""
        return f"data:{self.media_type};base64,{self.base64}"

    def prompt_block(self) -> str:
        """A text attachment as it is added to the prompt: its name, then the text fenced."""
        if self.text is None:
            raise ValueError(f"{self.name} is an image, not text")
        fence = fence_for(self.text)
        body = self.text if self.text.endswith("\n") else self.text + "\n"
        return f"Attached file: {self.name}\n{fence}\n{body}{fence}"


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in `text`, so it cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def sniff_image(data: bytes) -> tuple[str, int | None, int | None] | None:
    """The media type and pixel size of an image, from its magic bytes; None if not one.

    Args:
        data: the file's bytes (the first few KB are enough for every format but JPEG).

    Returns:
        (media type, width, height), the sizes None when the header is cut short.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            w, h = struct.unpack(">II", data[16:24])
            return "image/png", w, h
        return "image/png", None, None
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) >= 10:
            w, h = struct.unpack("<HH", data[6:10])
            return "image/gif", w, h
        return "image/gif", None, None
    if data.startswith(b"\xff\xd8\xff"):
        return ("image/jpeg", *_jpeg_size(data))
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("image/webp", *_webp_size(data))
    return None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    # Walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT/JPG/DAC).
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None, None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > len(data):
                return None, None
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        w = 1 + int.from_bytes(data[24:27], "little")
        h = 1 + int.from_bytes(data[27:30], "little")
        return w, h
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None, None


def load_attachment(path: Path, name: str | None = None) -> Attachment:
    """Read one attachment and decide whether it is an image or text.

    Args:
        path: the file.
        name: how to call it in the prompt (default: `path` as given).

    Returns:
        The attachment.

    Raises:
        AttachmentError: missing, unreadable, too large, or neither an image nor UTF-8 text.
    """
    label = name if name is not None else str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise AttachmentError(f"{label}: not a file")
        if size > MAX_FILE_BYTES:
            raise AttachmentError(
                f"{label}: {size / MB:.1f} MB is larger than any provider accepts "
                f"({MAX_FILE_BYTES // MB} MB)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise AttachmentError(f"{label}: no such file") from None
    except OSError as exc:
        raise AttachmentError(f"{label}: cannot read ({exc.strerror or exc})") from None
    sniffed = sniff_image(data)
    if sniffed is not None:
        media_type, width, height = sniffed
        return Attachment(label, "image", media_type, data, width=width, height=height)
    if len(data) > MAX_TEXT_BYTES:
        raise AttachmentError(
            f"{label}: {len(data) / MB:.1f} MB of text is over the {MAX_TEXT_BYTES // MB} MB "
            "limit for a text attachment"
        )
    if b"\x00" in data:
        raise AttachmentError(
            f"{label}: a binary file, not UTF-8 text nor a PNG, JPEG, WebP or GIF image"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AttachmentError(
            f"{label}: not UTF-8 text (byte {exc.start}) nor a PNG, JPEG, WebP or GIF image; "
            "convert it to UTF-8"
        ) from None
    return Attachment(label, "text", "text/plain", data, text=text)


def check_for_provider(attachments: list[Attachment], protocol: str) -> None:
    """Check a request's attachments against one protocol's limits before sending.

    Args:
        attachments: every attachment of the request (text ones count towards the body).
        protocol: a key of `PROVIDER_LIMITS` ("anthropic", "openai", "openai_chat",
            "gemini"); an unknown protocol is checked against the strictest row.

    Raises:
        AttachmentError: naming the file (or the total) and the limit with its source.
    """
    limits = PROVIDER_LIMITS.get(protocol) or min(
        PROVIDER_LIMITS.values(), key=lambda lim: lim.max_image_bytes
    )
    total = 0
    for att in attachments:
        if att.kind == "image":
            if len(att.data) > limits.max_image_bytes:
                raise AttachmentError(
                    f"{att.name}: image of {len(att.data) / MB:.1f} MB is over {protocol}'s "
                    f"{limits.max_image_bytes // MB} MB per image ({limits.source})"
                )
            side = limits.max_pixels_per_side
            if side is not None and max(att.width or 0, att.height or 0) > side:
                raise AttachmentError(
                    f"{att.name}: image of {att.width}x{att.height} px is over {protocol}'s "
                    f"{side}x{side} px limit ({limits.source})"
                )
        total += (len(att.data) + 2) // 3 * 4
    if total > limits.max_request_bytes:
        raise AttachmentError(
            f"attachments: {total / MB:.1f} MB once encoded is over {protocol}'s "
            f"{limits.max_request_bytes // MB} MB per request ({limits.source})"
        )


def load_for_protocols(
    paths: list[Path], protocols: list[str], option: str = "--attach"
) -> list[Attachment]:
    """Load the attachments a command was given and check them against every protocol.

    Done before any model runs, so a missing or oversize file costs nothing.

    Args:
        paths: the files, as the user gave them (their names in the prompt).
        protocols: the wire protocols of the models (`openai`, `openai-chat`, ...).
        option: the option to name in errors.

    Raises:
        AttachmentError: one line naming the option, the file and the limit.
    """
    loaded: list[Attachment] = []
    for path in paths:
        try:
            loaded.append(load_attachment(path, name=str(path)))
        except AttachmentError as exc:
            raise AttachmentError(f"{option} {exc}") from None
    for protocol in dict.fromkeys(p.replace("-", "_") for p in protocols):
        try:
            check_for_provider(loaded, protocol)
        except AttachmentError as exc:
            raise AttachmentError(f"{option} {exc}") from None
    return loaded
