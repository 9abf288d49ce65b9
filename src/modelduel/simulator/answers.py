"""Simulated answers: markdown built from the prompt, in a style per model persona.

Every answer is labelled as simulated in its heading and in a closing note, so it
can never be mistaken for a real model's output. The content is deterministic for
a given random generator state: the same prompt and seed give the same text. What the
prompt is about (its topic line and keywords) is `topic`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from modelduel.simulator.judge import judge_reply
from modelduel.simulator.longform import grow, shaped_answer
from modelduel.simulator.tokens import count_tokens
from modelduel.simulator.topic import keywords, topic_of

__all__ = ["Answer", "build_answer"]


@dataclass(frozen=True, slots=True)
class Answer:
    """The reasoning summary parts and the markdown answer of one simulated request."""

    reasoning_parts: tuple[str, ...]
    text: str


def _ident(words: list[str]) -> str:
    name = "_".join(re.sub(r"[^a-z0-9]+", "_", w.lower()).strip("_") for w in words[:2])
    return name or "task"


_POINTS = [
    "Start from what **{k}** must guarantee, then work outwards.",
    "Keep **{k}** explicit rather than implied — it is where mistakes hide.",
    "Measure **{k}** before optimising it; intuition is often wrong here.",
    "Treat **{k}** as an interface: small, documented, tested.",
    "Write down the assumptions about **{k}** so a reviewer can check them.",
    "Prefer a boring, well-known approach to **{k}** over a clever one.",
    "Check how **{k}** behaves on empty, huge and malformed input.",
    "Make failures around **{k}** loud and early, not silent and late.",
]

_PERSONA_INTRO = {
    "terse": "**Short answer:** focus on {k0} and {k1} — the rest follows.",
    "structured": (
        "Here is a structured walk-through of **{topic}**. I'll cover the core idea, "
        "a worked example and the trade-offs — with the caveat that this text is simulated."
    ),
    "sectioned": (
        "Great question! **{topic}** comes down to a few key ideas. "
        "Let's break it down step by step — from {k0} to {k1}."
    ),
    "plain": "A simulated local-model answer about {topic}: it touches {k0} and {k1} — briefly.",
}

_REASONING = {
    "terse": [
        "**Scoping the request**\n\nThe user asks about {topic}. I'll identify the essentials "
        "({k0}, {k1}) and keep the answer short.",
        "**Choosing the format**\n\nA heading, a few bullets, one code block and a small table "
        "should cover it without padding.",
    ],
    "structured": [
        "The user wants to understand {topic}. I should explain the core idea first, then "
        "ground it in a small example involving {k0}, and finish with trade-offs around {k1}. "
        "A table will make the comparison easy to scan.",
    ],
    "sectioned": [
        "**Clarifying the goal**\n\nI'm focusing on what the user needs from {topic}: a clear "
        "explanation of {k0} and how it relates to {k1}.\n\n\n",
        "**Structuring the answer**\n\nI'm now organising numbered sections, a code sample "
        "and a comparison table so the answer is easy to follow.\n\n\n",
    ],
    "plain": [
        "Okay, the user asks about {topic}. Key terms: {k0}, {k1}. "
        "I'll answer with a short list, code and a table.",
    ],
}


def build_answer(
    prompt: str,
    persona: str,
    model: str,
    target_tokens: int,
    rng: random.Random,
    shape: str = "mixed",
) -> Answer:
    """The simulated reasoning summary and markdown answer for `prompt`.

    Args:
        prompt: the user's message (all user text of the request).
        persona: one of terse, structured, sectioned, plain.
        model: the model id, named in the closing "simulated" note.
        target_tokens: the answer length in tokens: reached (within one section, row
            or line) at any length; a mixed answer is never shorter than its persona's
            short form.
        rng: the generator that picks phrasing; the same state gives the same text.
        shape: mixed (the persona's markdown, grown with more sections), prose, list,
            table or code (one long fenced code block); see `longform`.
    """
    verdict = judge_reply(prompt, model)  # a judge prompt gets a JSON verdict, no markdown
    if verdict is not None:
        return Answer(reasoning_parts=(), text=verdict)
    persona = persona if persona in _PERSONA_INTRO else "plain"
    topic = topic_of(prompt)
    keys = keywords(prompt)
    fmt = {"topic": topic, "k0": keys[0], "k1": keys[1]}
    reasoning = tuple(part.format(**fmt) for part in _REASONING[persona])

    points = list(_POINTS)
    rng.shuffle(points)
    n_points = {"terse": 3, "structured": 4, "sectioned": 4, "plain": 3}[persona]
    func = _ident(keys)
    code = (
        "```python\n"
        f"def {func}(items: list[str]) -> dict[str, int]:\n"
        f'    """Simulated example for: {topic.replace(chr(34), chr(39))}."""\n'
        "    return {item: len(item) for item in items if item}\n"
        "```"
    )
    rows = [
        f"| {k} | {rng.choice(['high', 'medium', 'low'])} | {rng.choice(['✓', '—'])} |"
        for k in keys[:3]
    ]
    table = "| Aspect | Impact | Covered |\n|---|---|---|\n" + "\n".join(rows)
    # The footer never names the model: in blind mode that would give the pane away.
    footer = "_Simulated answer from modelduel's local simulator — not real model output._"

    def render(n: int) -> str:
        bullets = [points[i % len(points)].format(k=keys[i % len(keys)]) for i in range(n)]
        intro = _PERSONA_INTRO[persona].format(**fmt)
        if persona == "terse":
            body = [
                f"## {topic} (simulated)",
                intro,
                "\n".join(f"- {b}" for b in bullets),
                code,
                table,
            ]
        elif persona == "structured":
            body = [
                f"# {topic} (simulated)",
                intro,
                "## Key points",
                "\n".join(f"{i + 1}. {b}" for i, b in enumerate(bullets)),
                "## Example",
                code,
                "## Trade-offs",
                table,
                "In short: get the fundamentals of "
                f"{keys[0]} right, and {keys[1]} becomes much easier to reason about.",
            ]
        elif persona == "sectioned":
            body = [
                f"## {topic} (simulated)",
                intro,
                "### 1. The core idea",
                "\n".join(f"*   {b}" for b in bullets),
                "### 2. A quick example",
                code,
                "### 3. At a glance",
                table,
                "---",
                f"The most important rule is to **stay explicit about {keys[0]}**.",
            ]
        else:
            body = [
                f"### {topic} (simulated)",
                intro,
                "\n".join(f"* {b}" for b in bullets),
                code,
                table,
            ]
        return "\n\n".join([*body, footer])

    if shape != "mixed":
        text = shaped_answer(shape, topic, keys, footer, target_tokens, rng)
        return Answer(reasoning_parts=reasoning, text=text)
    text = render(n_points)
    # Grow the list until the answer reaches its profile's length, within reason...
    while count_tokens(text) < target_tokens and n_points < 40:
        n_points += 1
        text = render(n_points)
    # ...and past that, add whole sections (linear work, whatever the length).
    if count_tokens(text) < target_tokens:
        body = text[: -len(footer)].rstrip()
        text = grow(body, footer, target_tokens, rng, keys)
    return Answer(reasoning_parts=reasoning, text=text)
