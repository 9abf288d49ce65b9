"""Answers of any length, in the shapes that matter to a renderer.

`grow` appends sections to an answer until it reaches a token target, so
`answer_tokens` is honoured from a hundred tokens to hundreds of thousands. The
shapes are those a terminal renderer finds hard in different ways:

* mixed: headings, paragraphs, lists, code blocks and tables in turn (a long
  markdown answer);
* prose: paragraphs only;
* list: one long numbered list with nested bullets;
* table: one long table;
* code: one long fenced code block (a model answering with a whole file).

Every choice comes from the generator passed in, so the text is deterministic
for a seed. Work is linear in the length: each piece is counted once as it is
added, never by re-rendering the whole answer.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from modelduel.simulator.tokens import count_tokens

__all__ = ["grow", "shaped_answer"]

_SENTENCES = [
    "The key property of {a} is that it stays predictable when {b} changes underneath it.",
    "In practice, teams measure {a} first and only then decide how much {b} they can afford.",
    "A common mistake is to treat {a} as an afterthought; it shapes every later decision.",
    "When {a} and {b} disagree, prefer the one a reviewer can check in five minutes.",
    "Small, explicit interfaces around {a} make {b} far easier to test.",
    "The trade-off is simple to state: more {a} buys less {b}, and the curve is not linear.",
    "Logging {a} at the boundary catches most surprises before they reach {b}.",
    "It helps to write down what {a} must never do, not only what it should do.",
    "Under load, {a} degrades gracefully only if {b} was designed with back-pressure.",
    "Each of these steps is cheap on its own; together they make {a} dependable.",
]
_ITEMS = [
    "Decide what **{a}** guarantees and write it down.",
    "Add a test that fails when **{a}** breaks.",
    "Measure **{a}** under realistic load, not on an idle machine.",
    "Keep **{a}** separate from **{b}** so each can change alone.",
    "Review **{a}** with someone who did not write it.",
    "Document the failure modes of **{a}** next to the code.",
]
_VERBS = ["load", "parse", "merge", "score", "render", "check", "store", "route", "split", "sync"]
_NOUNS = ["items", "rows", "events", "notes", "tokens", "records", "chunks", "edits"]


def _sentence(rng: random.Random, words: list[str]) -> str:
    a, b = rng.sample(words, 2) if len(words) > 1 else (words[0], words[0])
    return rng.choice(_SENTENCES).format(a=a, b=b)


def _paragraph(rng: random.Random, words: list[str]) -> str:
    return " ".join(_sentence(rng, words) for _ in range(rng.randint(3, 6)))


def _bullets(rng: random.Random, words: list[str], start: int) -> str:
    lines = []
    for i in range(rng.randint(4, 8)):
        a, b = rng.choice(words), rng.choice(words)
        marker = f"{start + i}. "
        lines.append(f"{marker}{rng.choice(_ITEMS).format(a=a, b=b)}")
        if rng.random() < 0.4:
            # nested under its item: indented to the item's text (4 columns from item 10)
            lines.append(f"{' ' * len(marker)}- {_sentence(rng, words)}")
    return "\n".join(lines)


def _row(rng: random.Random, words: list[str], n: int) -> str:
    level = rng.choice(["high", "medium", "low"])
    mark = rng.choice(["✓", "—", "partial"])
    return f"| {n} | {rng.choice(words)} | {level} | {mark} | {rng.randint(1, 999)} ms |"


_TABLE_HEAD = "| # | Aspect | Impact | Covered | Cost |\n|---|---|---|---|---|"


def _ident(word: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", word.lower()).strip("_") or "item"


def _function(rng: random.Random, words: list[str], n: int) -> str:
    verb, noun = rng.choice(_VERBS), rng.choice(_NOUNS)
    name = f"{verb}_{_ident(rng.choice(words))}_{n}"
    limit = rng.randint(2, 64)
    lines = [
        f"def {name}({noun}: list[str], limit: int = {limit}) -> dict[str, int]:",
        f'    """{verb.capitalize()} the {noun} (simulated example {n})."""',
        "    counts: dict[str, int] = {}",
        f"    for position, value in enumerate({noun}):",
        "        if position >= limit:",
        "            break",
        "        key = value.strip().lower()",
        "        counts[key] = counts.get(key, 0) + len(value)",
    ]
    if rng.random() < 0.5:
        lines += [
            "    if not counts:",
            f'        raise ValueError("no {noun} to {verb}")',
        ]
    lines.append("    return counts")
    return "\n".join(lines)


def _code_block(rng: random.Random, words: list[str], n: int) -> str:
    return "```python\n" + _function(rng, words, n) + "\n```"


def _mixed_section(rng: random.Random, words: list[str], n: int) -> str:
    heading = f"## Part {n}: {rng.choice(words)}"
    kind = rng.choice(["paragraph", "list", "code", "table", "paragraph"])
    if kind == "paragraph":
        body = _paragraph(rng, words) + "\n\n" + _paragraph(rng, words)
    elif kind == "list":
        body = _paragraph(rng, words) + "\n\n" + _bullets(rng, words, 1)
    elif kind == "code":
        body = _sentence(rng, words) + "\n\n" + _code_block(rng, words, n)
    else:
        rows = "\n".join(_row(rng, words, i + 1) for i in range(rng.randint(4, 9)))
        body = _sentence(rng, words) + "\n\n" + _TABLE_HEAD + "\n" + rows
    return f"{heading}\n\n{body}"


def grow(
    text: str,
    footer: str,
    target: int,
    rng: random.Random,
    words: list[str],
) -> str:
    """`text` with mixed markdown sections added until text plus footer reach `target` tokens.

    `text` ends with non-whitespace and every section is joined with a blank line,
    so the token count of the whole is the sum of the parts' counts.
    """
    used = count_tokens(text) + count_tokens("\n\n" + footer)
    parts = [text]
    n = 1
    while used < target:
        section = "\n\n" + _mixed_section(rng, words, n)
        used += count_tokens(section)
        parts.append(section)
        n += 1
    return "".join(parts) + "\n\n" + footer


def _fill(target: int, head: str, tail: str, make: Callable[[int], str], sep: str) -> str:
    """`head`, then pieces `make(1), make(2)...` joined by `sep`, then `tail`, near `target`."""
    used = count_tokens(head) + count_tokens(tail)
    parts = [head]
    n = 1
    while used < target or n == 1:
        piece = (sep if n > 1 else "") + make(n)
        used += count_tokens(piece)
        parts.append(piece)
        n += 1
    return "".join(parts) + tail


def shaped_answer(
    shape: str, topic: str, words: list[str], footer: str, target: int, rng: random.Random
) -> str:
    """An answer of one shape (prose, list, table, code) of about `target` tokens."""
    title = f"## {topic} (simulated)\n\n"
    end = "\n\n" + footer
    if shape == "code":
        head = title + f"The whole module for **{topic}**, in one file:\n\n```python\n"
        return _fill(target, head, "\n```" + end, lambda n: _function(rng, words, n), "\n\n\n")
    if shape == "table":
        head = title + f"Every aspect of **{topic}** at a glance:\n\n" + _TABLE_HEAD + "\n"
        return _fill(target, head, end, lambda n: _row(rng, words, n), "\n")
    if shape == "list":
        head = title + f"The steps for **{topic}**, in order:\n\n"

        def item(n: int) -> str:
            a, b = rng.choice(words), rng.choice(words)
            marker = f"{n}. "
            line = f"{marker}{rng.choice(_ITEMS).format(a=a, b=b)}"
            if rng.random() < 0.4:
                line += f"\n{' ' * len(marker)}- {_sentence(rng, words)}"  # nested, as above
            return line

        return _fill(target, head, end, item, "\n")
    return _fill(target, title, end, lambda n: _paragraph(rng, words), "\n\n")
