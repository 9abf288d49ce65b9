"""A price the user sets in config, below both `config` and `core.pricing`.

A leaf (pydantic only), so the config can read it without importing the engine's
pricing, and the engine can bill with it without importing the config.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PriceOverride"]


class PriceOverride(BaseModel):
    """A price set in config, in USD per million tokens.

    Attributes:
        input_per_mtok: price of uncached input tokens.
        output_per_mtok: price of output tokens (reasoning included).
        cached_input_per_mtok: price of cache-read input tokens (default: the input price).
        cache_write_per_mtok: price of input tokens written to a prompt cache (default:
            the input price).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)
    cached_input_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_per_mtok: float | None = Field(default=None, ge=0)
