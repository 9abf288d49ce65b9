"""Usage -> cost, from maintained price data (genai-prices) or the user's override.

Prices change; genai-prices ships a dated snapshot of every provider's list
prices (tiers and cache reads included) and never downloads at run time here,
because `update_prices` is never called. A model it does not know is priced at
"unknown" (None), never at a silent $0; a local model marked `free` costs 0.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import Iterable
from importlib.metadata import version

from modelduel.core.metrics import Cost
from modelduel.events import Usage
from modelduel.price_override import PriceOverride
from modelduel.providers import registry

__all__ = ["PriceOverride", "price_run", "price_source", "warm_up"]

# (kind, model id) pairs the price data does not know, as found by a child process: a
# lineup of local or unlisted models is then priced "unknown" without this process ever
# loading the price library (pydantic and the table, ~15 MB resident for a whole session)
_UNKNOWN: set[tuple[str, str]] = set()


async def warm_up(lineup: Iterable[tuple[str, str]]) -> None:
    """Get ready to price these (kind, model id) runs, before any run, not during one.

    A short-lived child process looks the models up in the price data (unless the
    library is loaded here already); only when one of them is there does this process
    load the price library (about 100-300 ms). Models are fixed at launch, so what the
    lookup found holds for the whole session. If the child fails, the library loads
    here, as it would at the first priced run.
    """
    pairs = sorted({(kind, _base_model_id(model_id)) for kind, model_id in lineup} - _UNKNOWN)
    if not pairs:
        return
    if _library_loaded():
        unknown = _unknown_here(pairs)
    else:
        unknown = await _unknown_elsewhere(pairs)
    _UNKNOWN.update(unknown)
    for kind, model_id in pairs:
        if (kind, model_id) not in _UNKNOWN:
            _library_price(kind, model_id, 1, 0, 1)


def _library_loaded() -> bool:
    return "genai_prices" in sys.modules


async def _unknown_elsewhere(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # what the child could not tell stays out of _UNKNOWN: it is looked up here instead
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "modelduel.core.pricing",
            json.dumps(pairs),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return []
    try:
        out, _ = await proc.communicate()
    except asyncio.CancelledError:
        # the app is closing: no child outlives it
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        return []
    try:
        found = [(kind, model_id) for kind, model_id in json.loads(out)]
    except (ValueError, TypeError):
        return []
    return [pair for pair in found if pair in pairs]


def _unknown_here(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of these (kind, base model id) pairs, those the price data has no model for."""
    from genai_prices import Usage as PriceUsage  # noqa: PLC0415
    from genai_prices import calc_price  # noqa: PLC0415

    unknown = []
    for kind, model_id in pairs:
        try:
            calc_price(
                PriceUsage(input_tokens=1, output_tokens=1), model_id, provider_id=_provider(kind)
            )
        except LookupError:
            # raised by the model lookup alone, before any usage is read: true of every run
            unknown.append((kind, model_id))
        except ValueError:
            pass
    return unknown


@functools.cache
def price_source() -> str:
    """Which price data prices runs: the library and its version."""
    return f"genai-prices {version('genai-prices')}"


def price_run(
    kind: str,
    model_id: str,
    usage: Usage,
    override: PriceOverride | None = None,
    free: bool = False,
) -> Cost:
    """The cost of one run's usage (possibly a live estimate: the caller marks it).

    Args:
        kind: the protocol kind, which tells the price data which provider it is.
        model_id: the provider's model id.
        usage: normalised usage (input includes cached; output includes reasoning).
        override: a config price, which wins over the library.
        free: a local model: cost is exactly 0.
    """
    if free:
        return Cost(0.0, "config: free")
    if usage.input_tokens is None and usage.output_tokens is None:
        return Cost(None, "no usage")
    if usage.input_tokens is None and kind == "openai-chat":
        # a Chat server that reports no usage: pricing only the estimated output would
        # count the prompt as free (the hosted protocols report input at the end)
        return Cost(None, "no usage reported: cost unknown")
    inp = usage.input_tokens or 0
    cached = min(usage.cached_input_tokens or 0, inp)
    written = min(usage.cache_write_tokens or 0, inp - cached)
    written_1h = min(usage.cache_write_1h_tokens or 0, written)
    out = usage.output_tokens or 0
    if override is not None:
        cached_price = override.cached_input_per_mtok
        if cached_price is None:
            cached_price = override.input_per_mtok
        write_price = override.cache_write_per_mtok
        if write_price is None:
            write_price = override.input_per_mtok
        usd = (
            (inp - cached - written) * override.input_per_mtok
            + cached * cached_price
            + written * write_price
            + out * override.output_per_mtok
        ) / 1e6
        return Cost(usd, "config")
    base_id = _base_model_id(model_id)
    if (kind, base_id) in _UNKNOWN:
        return _unknown_model(base_id)
    return _library_price(kind, base_id, inp, cached, out, written, written_1h)


def _unknown_model(model_id: str) -> Cost:
    return Cost(None, f"{price_source()}: unknown model {model_id}")


def _provider(kind: str) -> str | None:
    return registry.spec_for(kind).price_provider_id if kind in registry.kinds() else None


def _base_model_id(model_id: str) -> str:
    # The simulator's fault suffix (`model@fault=...`) and OpenRouter's vendor prefix
    # are not part of the priced model's name.
    return model_id.split("@", 1)[0].rsplit("/", 1)[-1]


@functools.lru_cache(maxsize=4096)
def _library_price(
    kind: str,
    model_id: str,
    inp: int,
    cached: int,
    out: int,
    written: int = 0,
    written_1h: int = 0,
) -> Cost:
    # loaded at the first priced run: genai_prices reads its price data on import
    from genai_prices import Usage as PriceUsage  # noqa: PLC0415
    from genai_prices import calc_price  # noqa: PLC0415

    provider = _provider(kind)
    fields: dict[str, int] = {
        "input_tokens": inp,
        "cache_read_tokens": cached,
        "output_tokens": out,
    }
    if written:
        # genai-prices counts writes inside input_tokens and the 1-hour ones inside writes
        fields["cache_write_tokens"] = written
        fields["cache_write_1h_tokens"] = written_1h
    try:
        result = calc_price(PriceUsage(**fields), model_id, provider_id=provider)
    except LookupError:
        return _unknown_model(model_id)
    except ValueError as exc:
        # usage the price data cannot decompose (e.g. a negative leaf): unknown, and why;
        # anything else is a bug that must not be written to the CSV as an unknown cost
        return Cost(None, f"{price_source()}: no price for {model_id} ({exc})")
    if provider is None and not _named_exactly(result.model.match, model_id):
        # a server of ours (Ollama's deepseek-r1:14b) is not the hosted model it resembles
        return Cost(
            None,
            f"{price_source()}: {model_id} only resembles {result.model.id}; set a price "
            "or free = true in the config",
        )
    return Cost(float(result.total_price), price_source())


def _named_exactly(clause: object, model_id: str) -> bool:
    """True when the price data's match clause names `model_id` itself.

    An `equals` clause, or a `starts_with` clause whose prefix is the whole id
    (`claude-opus-4-7` is listed as a prefix of its dated versions): `deepseek-r1:14b`
    only starts with `deepseek-r1`, so it is not named.
    """
    wanted = model_id.lower()
    for attr in ("equals", "starts_with"):
        named = getattr(clause, attr, None)
        if isinstance(named, str) and named.lower() == wanted:
            return True
    for attr in ("or_", "and_"):
        parts = getattr(clause, attr, None)
        if isinstance(parts, list) and any(_named_exactly(p, model_id) for p in parts):
            return True
    return False


if __name__ == "__main__":
    # the warm-up's child: argv[1] is a JSON list of [kind, base model id]; prints those
    # the price data does not know
    print(json.dumps(_unknown_here([(k, m) for k, m in json.loads(sys.argv[1])])))
