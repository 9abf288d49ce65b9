"""Key-like strings out of text that came from a provider, and passwords out of URLs.

A provider's error body can echo the key it was sent, often partly masked
(`Incorrect API key provided: sk-test-*****T123`). The part shown is still part of a
secret, so every message a provider wrote goes through `redact_secrets` before it is
written to the CSV, the transcript, `ask --json` or shown on screen. One rule, applied
where messages leave the engine: the worker (events to the TUI, `run` and `ask`'s live
view), `core.records` (CSV, transcript, JSON) and `display.error_message` (text on
screen); it is idempotent, so a message passing two of them is unchanged by the second.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

__all__ = ["REDACTED", "mask_url_userinfo", "redact_secrets"]

REDACTED = "[redacted]"

# Each pattern is a key *shape*, not a particular provider's exact format, and keeps a
# masked key (`*`, `.`) in scope: OpenAI `sk-`, `sk-proj-`, Anthropic `sk-ant-`, Google
# `AIza`, bearer tokens, and key=/api_key= query or form values.
_KEY_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_*.\-]{6,}"),
    re.compile(r"\bAIza[A-Za-z0-9_*.\-]{8,}"),
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9_*.~+/=\-]{6,}"),
    re.compile(r"(?i)\b((?:x-goog-api-|x-api-|api[_-]?)?key)([=:]\s*)[A-Za-z0-9_*.\-]{6,}"),
)


# Variables whose values are secrets whatever their shape (a local server's token, a
# check's output that printed the environment): their exact values are redacted too.
_SECRET_NAME = re.compile(r"(?i)(api_?key|token|secret|password)$|_KEY$")
_MIN_SECRET_LEN = 8


def redact_secrets(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` with every key-like string replaced by ``[redacted]``.

    Args:
        text: a provider's message (an error body, a status line), or a check's output.
        env: the environment whose secret variables' values (names ending in `_KEY`,
            `API_KEY`, `TOKEN`, `SECRET`, `PASSWORD`; 8 characters or more) are redacted
            wherever they appear; default `os.environ`.

    Returns:
        The same text, each key-like string (see the patterns above) replaced; the words
        around it (`Bearer`, `api_key=`) are kept so the message still reads.
    """
    for name, value in (os.environ if env is None else env).items():
        if len(value) >= _MIN_SECRET_LEN and _SECRET_NAME.search(name) and value in text:
            text = text.replace(value, REDACTED)
    text = _KEY_PATTERNS[0].sub(REDACTED, text)
    text = _KEY_PATTERNS[1].sub(REDACTED, text)
    text = _KEY_PATTERNS[2].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _KEY_PATTERNS[3].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def mask_url_userinfo(url: str) -> str:
    """A URL with the password of its userinfo (`https://user:PASS@host`) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
