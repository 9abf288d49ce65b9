"""The request body each default model gets, beside what the official SDK sends for it.

Run: `python bench/request_bodies.py [--out docs/request-bodies.md]`. Talks only to
127.0.0.1: a loopback server records every request body (and answers 400, so nothing
streams); modelduel's bodies go through its real HTTP path (resolve_model ->
DuelState -> stream_events), the SDKs' through `openai`, `anthropic` and
`google-genai` configured as a user of each would write the same options.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.replay_server import Script, running_server  # noqa: E402

from modelduel.config import Config, DuelSettings, parse_config, resolve_model  # noqa: E402
from modelduel.core.session import DuelState  # noqa: E402
from modelduel.providers.http import make_client, stream_events  # noqa: E402

PROMPT = "hi"
SYSTEM = "Be concise."
BUDGET = 64000
EFFORTS = (None, "low", "medium", "high", "max")
MODELS = ("openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview")
REFUSE = Script(
    [(0.0, b'{"error": {"message": "captured"}}')], status=400, content_type="application/json"
)


def _strip(body: Any) -> dict[str, Any]:
    """The body without the prompt parts every row shares (and key order normalised)."""
    out = dict(body)
    for key in ("input", "messages", "contents", "instructions", "system", "systemInstruction"):
        out.pop(key, None)
    out.pop("model", None)
    return json.loads(json.dumps(out, sort_keys=True))


async def modelduel_body(base: str, spec: str, show: bool, effort: str | None) -> dict[str, Any]:
    env = {
        "MODELDUEL_DEMO": "1",
        "OPENAI_BASE_URL": f"{base}/v1",
        "ANTHROPIC_BASE_URL": base,
        "GOOGLE_GEMINI_BASE_URL": base,
        "OPENAI_API_KEY": "sk-x",
        "ANTHROPIC_API_KEY": "sk-ant-x",
        "GEMINI_API_KEY": "g-x",
    }
    config = parse_config({"models": {spec: {"show_reasoning": show}}}, "bench")
    model = resolve_model(spec, config, env, DuelSettings(effort, BUDGET))
    state = DuelState.create([model], PROMPT, SYSTEM)
    plan = state.plans()[0]
    async with make_client() as client:
        async for _ in stream_events(client, plan.target, plan.request):
            pass
    return {}


def sdk_call(base: str, spec: str, show: bool, effort: str | None) -> None:
    """The SDK call a user would write for the same options (its request is refused)."""
    word = None
    if effort is not None:
        model = resolve_model(spec, Config(), {}, DuelSettings(effort))
        word = model.effort_word
    if spec.startswith("openai/"):
        import openai

        client = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-x", max_retries=0)
        reasoning: dict[str, str] = {}
        if word:
            reasoning["effort"] = word
        if show:
            reasoning["summary"] = "auto"
        kwargs: dict[str, Any] = {"reasoning": reasoning} if reasoning else {}
        with contextlib.closing(client), contextlib.suppress(openai.APIStatusError):
            client.responses.create(
                model="gpt-5.5",
                instructions=SYSTEM,
                input=[{"role": "user", "content": PROMPT}],
                max_output_tokens=BUDGET,
                store=False,
                stream=True,
                **kwargs,
            )
    elif spec.startswith("anthropic/"):
        import anthropic

        client2 = anthropic.Anthropic(base_url=base, api_key="sk-ant-x", max_retries=0)
        extra: dict[str, Any] = {}
        if word:
            extra["output_config"] = {"effort": word}
        with contextlib.closing(client2), contextlib.suppress(anthropic.APIStatusError):
            client2.messages.create(
                model="claude-opus-4-7",
                system=SYSTEM,
                messages=[{"role": "user", "content": PROMPT}],
                max_tokens=BUDGET,
                thinking={"type": "adaptive", "display": "summarized" if show else "omitted"},
                stream=True,
                **extra,
            )
    else:
        from google import genai
        from google.genai import errors
        from google.genai import types as gt

        client3 = genai.Client(api_key="g-x", http_options=gt.HttpOptions(base_url=base))
        thinking = gt.ThinkingConfig(
            thinking_level=word if word else None,  # type: ignore[arg-type]
            include_thoughts=True if show else None,
        )
        config = gt.GenerateContentConfig(
            system_instruction=SYSTEM, max_output_tokens=BUDGET, thinking_config=thinking
        )
        with contextlib.closing(client3), contextlib.suppress(errors.APIError):
            for _ in client3.models.generate_content_stream(
                model="gemini-3.1-pro-preview", contents=PROMPT, config=config
            ):
                pass


async def capture() -> list[tuple[str, bool, str | None, dict[str, Any], dict[str, Any]]]:
    """(model, show_reasoning, effort, modelduel body, SDK body) for every combination."""
    rows = []
    async with running_server(lambda r: REFUSE) as srv:
        for spec in MODELS:
            for show in (True, False):
                for effort in EFFORTS:
                    await modelduel_body(srv.base, spec, show, effort)
                    ours = _strip(srv.requests[-1].json())
                    await asyncio.to_thread(sdk_call, srv.base, spec, show, effort)
                    theirs = _strip(srv.requests[-1].json())
                    rows.append((spec, show, effort, ours, theirs))
    return rows


def _spelling(value: Any) -> Any:
    """JSON with snake_case keys, lower-case strings and empty objects dropped (the SDK's
    spelling and modelduel's mean the same to the API)."""
    import re

    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _spelling(item)
            if item == {}:
                continue
            out[re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()] = item
        return out
    if isinstance(value, str):
        return value.lower()
    return value


def render(rows: list[tuple[str, bool, str | None, dict[str, Any], dict[str, Any]]]) -> str:
    """The Markdown table of docs/request-bodies.md."""

    def cell(body: dict[str, Any]) -> str:
        return "`" + json.dumps(body, separators=(",", ":"), sort_keys=True) + "`"

    lines = [
        "# Request bodies: modelduel beside the official SDKs",
        "",
        "Captured on loopback by `python bench/request_bodies.py` (a server on 127.0.0.1",
        "records each body). Prompt, system prompt, `model`, `stream` and `store` are left",
        f"out of the cells; every row had `--max-output-tokens {BUDGET}`. `show_reasoning`",
        "on/off, and `--effort` (none = not given) mapped through the capability data. The",
        "SDK column is what openai / anthropic / google-genai put on the wire when a user",
        "passes the same options. `same`: identical JSON, or identical up to the SDK's",
        'spelling (google-genai writes `include_thoughts`, `thinking_level: "HIGH"` and an',
        "empty `thinkingConfig`; the REST API documents the camelCase, lower-case form",
        "modelduel sends).",
        "",
        "| model | show_reasoning | --effort | modelduel sends | SDK sends | same |",
        "|---|---|---|---|---|---|",
    ]
    for spec, show, effort, ours, theirs in rows:
        ours_c = dict(ours)
        theirs_c = dict(theirs)
        for body in (ours_c, theirs_c):
            body.pop("stream", None)
            body.pop("store", None)
        if ours_c == theirs_c:
            same = "yes"
        elif _spelling(ours_c) == _spelling(theirs_c):
            same = "yes (SDK spelling)"
        else:
            same = "no"
        lines.append(
            f"| {spec} | {'on' if show else 'off'} | {effort or 'none'} | {cell(ours_c)} "
            f"| {cell(theirs_c)} | {same} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Capture and write the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "request-bodies.md")
    args = parser.parse_args()
    text = render(asyncio.run(capture()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
