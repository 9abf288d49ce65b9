"""What a prompt is about, for a simulated answer: a short topic line for its headings and
the keywords its sentences name. The answer built from them is `answers`.
"""

from __future__ import annotations

import re

__all__ = ["keywords", "topic_of"]

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "should",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "explain",
        "describe",
        "tell",
        "write",
        "give",
        "show",
        "make",
        "about",
        "some",
        "any",
        "all",
        "one",
        "two",
        "three",
        "more",
        "most",
        "very",
        "just",
        "also",
        "using",
    ]
)

_LEADING_VERBS = frozenset({"explain", "describe", "summarize", "summarise", "define", "discuss"})


def topic_of(prompt: str) -> str:
    """A short topic line for headings: the prompt's first line, at most eight words."""
    line = next((ln.strip() for ln in prompt.splitlines() if ln.strip()), "your request")
    words = line.split()
    # "Explain CRDTs" reads better as the heading "CRDTs".
    if len(words) > 1 and words[0].lower().strip(":,") in _LEADING_VERBS:
        words = words[1:]
        words[0] = words[0][:1].upper() + words[0][1:]
    topic = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
    return topic.rstrip(".?!:") or "your request"


def keywords(prompt: str) -> list[str]:
    """Up to twelve words the answer is about: the prompt's own, then fillers."""
    seen: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9_+-]{2,}", prompt):
        low = word.lower()
        if low not in _STOPWORDS and low not in (s.lower() for s in seen):
            seen.append(word)
    fillers = ["inputs", "state", "edge cases", "latency", "correctness", "cost"]
    return (seen + [f for f in fillers if f not in seen])[:12]
