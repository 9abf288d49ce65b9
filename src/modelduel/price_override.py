"""A price the user sets in config, below both `config` and `core.pricing`.

A leaf (a plain dataclass: no pydantic), so the config can read it without importing the
engine's pricing, and the engine can bill with it without importing the config. The
config's validator checks it (`config.schema`: the annotations carry its constraints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar

if TYPE_CHECKING:
    # only in annotations, resolved by pydantic when a config file is validated
    from annotated_types import Ge
    from pydantic import ConfigDict, Strict

__all__ = ["PriceOverride"]


@dataclass(frozen=True, kw_only=True)
class PriceOverride:
    """A price set in config, in USD per million tokens.

    Attributes:
        input_per_mtok: price of uncached input tokens.
        output_per_mtok: price of output tokens (reasoning included).
        cached_input_per_mtok: price of cache-read input tokens (default: the input price).
        cache_write_per_mtok: price of input tokens written to a prompt cache (default:
            the input price).
    """

    __pydantic_config__: ClassVar[ConfigDict] = {"extra": "forbid", "allow_inf_nan": False}

    input_per_mtok: Annotated[float, Strict(), Ge(0)]
    output_per_mtok: Annotated[float, Strict(), Ge(0)]
    cached_input_per_mtok: Annotated[float | None, Strict(), Ge(0)] = None
    cache_write_per_mtok: Annotated[float | None, Strict(), Ge(0)] = None
