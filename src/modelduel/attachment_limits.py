"""Each protocol's attachment limits, checked before a request is built.

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
Loading a file is `attachments`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelduel.attachments import MB, Attachment, AttachmentError, load_attachment

__all__ = ["PROVIDER_LIMITS", "ProviderLimits", "check_for_provider", "load_for_protocols"]


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
