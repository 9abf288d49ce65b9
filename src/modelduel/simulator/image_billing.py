"""What one image costs in input tokens, in each provider's published formula:

- OpenAI: `detail: low` is the base cost; otherwise the image is fitted into 2048x2048,
  its short side brought down to 768 px, and each 512-px tile costs a fixed amount on
  top of the base: 70 + 140/tile for GPT-5.x, 85 + 170/tile for GPT-4o-class and
  o-series models.
- Anthropic: about width x height / 750 after the image is scaled to fit the model's
  limit: 1568 px on the long edge and 1.15 megapixels, or 3.75 megapixels for Claude
  Opus 4.7 and later (its higher resolution).
- Gemini: 258 tokens when both sides are at most 384 px; otherwise the image is cut
  into square tiles (side: the short side / 1.5, kept in 256..768 px) of 258 tokens each.

Finding the images in a request, sizing them and the size limits are `images`.
"""

from __future__ import annotations

import math

__all__ = ["anthropic_image_tokens", "gemini_image_tokens", "openai_image_tokens"]


def openai_image_tokens(model: str, width: int, height: int, detail: str = "auto") -> int:
    """Input tokens of one image on an OpenAI model (tile formula; see the module docstring)."""
    base, tile = (70, 140) if model.startswith("gpt-5") else (85, 170)
    if detail == "low":
        return base
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    tiles = math.ceil(int(w) / 512) * math.ceil(int(h) / 512)
    return base + tile * max(tiles, 1)


def _claude_high_res(model: str) -> bool:
    for prefix in ("claude-opus-", "claude-sonnet-", "claude-haiku-"):
        if model.startswith(prefix):
            version = model[len(prefix) :].split("-")
            try:
                major, minor = int(version[0]), int(version[1]) if len(version) > 1 else 0
            except ValueError:
                return False
            return (major, minor if minor < 100 else 0) >= (4, 7)
    return False


def anthropic_image_tokens(model: str, width: int, height: int) -> int:
    """Input tokens of one image on a Claude model: ~ w x h / 750 after its resize."""
    w, h = float(width), float(height)
    if _claude_high_res(model):
        limit_px = 3.75e6
    else:
        limit_px = 1.15e6
        if max(w, h) > 1568:
            scale = 1568 / max(w, h)
            w, h = w * scale, h * scale
    if w * h > limit_px:
        scale = math.sqrt(limit_px / (w * h))
        w, h = w * scale, h * scale
    return max(1, math.ceil(int(w) * int(h) / 750))


def gemini_image_tokens(width: int, height: int) -> int:
    """Input tokens of one image on Gemini: 258 per tile (one tile when small)."""
    if width <= 384 and height <= 384:
        return 258
    unit = min(max(math.floor(min(width, height) / 1.5), 256), 768)
    return 258 * math.ceil(width / unit) * math.ceil(height / unit)
