"""Attachments: a file a user (or a task) sends along with a prompt, as text or as an image.

`load_attachment(path)` decides what a file is from its bytes, never its extension:

- an image when its magic bytes say PNG, JPEG, WebP or GIF (`image_header`; the formats
  every provider accepts): media type, bytes, base64 and pixel size;
- otherwise text when it decodes as UTF-8 (a BOM is dropped) and has no NUL byte: it is
  added to the prompt under its name, fenced (`prompt_block`);
- anything else is refused with one line naming the file (no silent lossy decoding: a
  Latin-1 file would otherwise reach the models with replacement characters in it).

An image cut short or damaged (`image_header.image_damage`), or a file named like an image
(`.png`, `.jpg`, `.jpeg`, `.gif`, `.webp`) whose bytes are no image, is refused the same
way: it would otherwise be sent as an image no model can decode, or as text.

Each protocol's limits are checked before a request is built (`attachment_limits`).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from modelduel.image_header import image_damage, sniff_image

__all__ = [
    "MAX_TEXT_BYTES",
    "MB",
    "Attachment",
    "AttachmentError",
    "fence_for",
    "load_attachment",
]

MB = 1024 * 1024
MAX_TEXT_BYTES = 8 * MB
"""A text attachment above this is refused: it would not fit any model's context window."""
MAX_FILE_BYTES = 50 * MB
"""Nothing larger than the most generous provider's whole request is even read."""
IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP"}
"""Names that promise an image: such a file that is not one is refused, never sent as text."""


class AttachmentError(ValueError):
    """An attachment cannot be used: the message is one line naming the file and the fix."""


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
        damage = image_damage(data, media_type)
        if damage is not None:
            kind = media_type.removeprefix("image/").upper().replace("WEBP", "WebP")
            raise AttachmentError(
                f"{label}: a {kind} image that is {damage}; re-export it or attach another file"
            )
        return Attachment(label, "image", media_type, data, width=width, height=height)
    promised = IMAGE_SUFFIXES.get(path.suffix.lower())
    if promised is not None:
        raise AttachmentError(
            f"{label}: not a {promised} image (nor any other, by its bytes); re-export it, "
            "or rename it if it is text"
        )
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
