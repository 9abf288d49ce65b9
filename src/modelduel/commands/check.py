"""`modelduel check`: before a 30-run suite, is every model of the lineup ready?

Per model, one minimal real request (a one-word answer at the lowest effort, a small
output budget: well under a cent) through the same HTTP path as a duel. Reported:
the key (which variable), the endpoint, the model, whether reasoning summaries are
allowed (OpenAI organizations that are not verified get none), the rate-limit
headroom the provider's headers give, the cost, and the exact fix for anything that
failed. Exit 0 only when every model is ready.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from modelduel.options import add_config_option, add_model_options
from modelduel.redact import mask_url_userinfo

if TYPE_CHECKING:
    from modelduel.config import Config, ResolvedModel
    from modelduel.events import ErrorInfo

__all__ = ["CheckResult", "add_parser", "check_models", "run", "run_check"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `check` subcommand's arguments."""
    check = sub.add_parser(
        "check",
        help="one tiny real request per model: is each one ready?",
        description="Send each model one minimal request (a one-token answer) and report "
        "key, endpoint, model, reasoning summaries and rate-limit headroom, with the fix "
        "for anything that fails. Exit 0 only when every model is ready.",
    )
    add_model_options(check)
    add_config_option(check)


CHECK_PROMPT = "Reply with the single word: ready"
CHECK_BUDGET = 256
"""Small enough to cost well under a cent, large enough for a reasoning model's low effort."""


@dataclass
class CheckResult:
    """What one model's check found.

    Attributes:
        spec: the model spec.
        ready: True when the model answered.
        lines: (label, finding) pairs in display order.
        fix: the exact fix for a failure, None when ready.
    """

    spec: str
    ready: bool = False
    lines: list[tuple[str, str]] = field(default_factory=list)
    fix: str | None = None


def run_check(args: argparse.Namespace) -> int:
    """Check every model; exit 0 when all are ready, 1 otherwise."""
    from modelduel.config import load_config
    from modelduel.demo import demo_environment

    config = load_config(args.config)
    specs = list(args.models or config.default_models)
    if args.demo:
        with demo_environment(True, config) as env:
            results = asyncio.run(check_models(specs, config, env))
    else:
        # never a silent demo: a missing key is exactly what a check must report
        results = asyncio.run(check_models(specs, config, dict(os.environ)))
    out = sys.stdout
    if args.demo:
        # a green check on the simulator says nothing about the user's real accounts
        out.write("simulated providers (--demo): no real account or key was checked\n")
    for result in results:
        out.write(f"{result.spec}: {'ready' if result.ready else 'NOT READY'}\n")
        for label, text in result.lines:
            out.write(f"  {label:<20} {text}\n")
        if result.fix:
            out.write(f"  {'fix':<20} {result.fix}\n")
    ready = sum(r.ready for r in results)
    out.write(f"{ready} of {len(results)} models ready\n")
    return 0 if ready == len(results) else 1


async def check_models(specs: list[str], config: Config, env: dict[str, str]) -> list[CheckResult]:
    """Check each model at once (each is one small request); results in the given order."""
    from modelduel.core.duel import ClientPool
    from modelduel.providers.http import Timeouts

    pool = ClientPool(Timeouts(connect=config.connect_timeout_s))
    try:
        return list(await asyncio.gather(*(_check_one(spec, config, env, pool) for spec in specs)))
    finally:
        await pool.aclose()


async def _check_one(spec: str, config: Config, env: dict[str, str], pool: object) -> CheckResult:
    from modelduel.config import resolve_model
    from modelduel.core.duel import ClientPool
    from modelduel.core.session import DuelState
    from modelduel.display import error_message, fmt_cost
    from modelduel.errors import ModelduelError
    from modelduel.events import Finished, Notice, StreamFailed
    from modelduel.providers.http import stream_events
    from modelduel.readiness import cost_note, fix_for, rate_limit_headroom

    assert isinstance(pool, ClientPool)
    result = CheckResult(spec)
    try:
        model = resolve_model(spec, config, env)
    except ModelduelError as exc:
        result.fix = str(exc)
        return result
    if model.api_key is None and model.key_required:
        result.lines.append(("key", f"not found ({model.key_env} is not set)"))
        result.fix = f"export {model.key_env}=<your {model.provider} key>"
        return result
    result.lines.append(
        (
            "key",
            "simulated (--demo: no real key was read)"
            if model.simulated
            else f"found in {model.key_env}"
            if model.api_key is not None
            else "none needed",
        )
    )
    model = replace(model, effort_word=_cheapest_effort(model), budget=CHECK_BUDGET, notices=())
    state = DuelState.create([model], CHECK_PROMPT, None)
    slot = state.slots[0]
    plan = state.plan(slot)
    headers: dict[str, str] = {}

    def seen(status: int, response_headers: Mapping[str, str]) -> None:
        headers.clear()
        headers.update(response_headers)

    error: ErrorInfo | None = None
    notices: list[str] = []
    finished = False
    stream = stream_events(
        pool.get(model.provider),
        plan.target,
        plan.request,
        stall_timeout_s=config.stall_timeout_s,
        on_response=seen,
    )
    try:
        async with asyncio.timeout(config.timeout_s):
            async for stamped in stream:
                state.sink(slot.run_id, stamped)
                event = stamped.event
                if isinstance(event, StreamFailed):
                    error = event.error
                elif isinstance(event, Finished):
                    finished = True
                elif isinstance(event, Notice):
                    notices.append(event.text)
    except TimeoutError:
        from modelduel.events import ErrorInfo as Info

        error = Info("timeout", f"no answer within {config.timeout_s:g} s")
    finally:
        await stream.aclose()
    reached = (
        error is None
        or error.status is not None
        or error.kind
        not in (
            "connection",
            "timeout",
        )
    )
    result.lines.append(
        (
            "endpoint",
            f"{mask_url_userinfo(model.base_url)} {'reached' if reached else 'NOT reached'}",
        )
    )
    if error is not None:
        result.lines.append(("error", error_message(error)))
        result.fix = fix_for(error, model)
        return result
    stats = slot.stats()
    answered = stats.text.strip()
    if answered:
        result.ready = finished
        shown = answered if len(answered) <= 24 else answered[:23] + "…"
        served = f"{model.model_id} answered {shown!r} ({stats.finish_reason})"
    elif stats.finish_reason == "max_tokens":
        # the model works; a reasoning model may spend a tiny budget thinking
        result.ready = finished
        served = (
            f"{model.model_id} answered, but spent all {CHECK_BUDGET} tokens before any "
            "visible text (max_tokens)"
        )
    else:
        # an HTTP 200 with no answer is not a model that is ready for a suite
        served = f"{model.model_id} returned no answer text ({stats.finish_reason})"
        result.fix = (
            f"the endpoint accepted the request but no text came back: "
            f"`modelduel ask -m {model.spec} hello` shows what it sends"
        )
    result.lines.append(("model", served))
    if model.caps.thinking == "openai-reasoning" and model.kind == "openai":
        if notices:
            result.lines.append(("reasoning summaries", "not allowed: " + notices[0]))
        else:
            result.lines.append(("reasoning summaries", "allowed"))
    result.lines.append(("rate limits", rate_limit_headroom(headers)))
    exact = stats.tokens_exact
    result.lines.append(("cost", fmt_cost(stats.cost_usd, exact) + cost_note(stats.cost)))
    return result


def _cheapest_effort(model: ResolvedModel) -> str | None:
    caps = model.caps
    if caps.thinking == "none":
        return None
    if caps.thinking == "openai-reasoning" and model.kind == "openai":
        # summaries are only asked for with some reasoning: keep the check able to see them
        return caps.map_effort("low")
    for word in ("none", "minimal"):
        if word in caps.efforts:
            return word
    return caps.map_effort("low")


# the command table's interface (`cli.COMMANDS`)
run = run_check
