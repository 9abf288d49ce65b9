"""The prompt a command is given: an argument or stdin, as UTF-8 text or one clear error.

Bytes that are not UTF-8 are refused with one line naming the first bad byte and its
offset, never decoded lossily (a Latin-1 prompt would otherwise reach the models with
replacement characters in it); an argument Python could only decode with surrogate
escapes is refused the same way.
"""

from __future__ import annotations

import os
import sys

from modelduel.errors import ModelduelError

__all__ = ["argv_text", "read_prompt", "read_prompt_bytes"]


def read_prompt_bytes(data: bytes, source: str) -> str:
    """Prompt bytes as text: UTF-8, or one line naming the first bad byte and its offset.

    Raises:
        ModelduelError: the bytes are not UTF-8.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise ModelduelError(
            f"the prompt from {source} is not UTF-8 text: byte 0x{bad} at offset {exc.start}; "
            "convert it first (e.g. iconv -f latin1 -t utf-8)"
        ) from None


def argv_text(text: str, source: str) -> str:
    """An argument as text; the bytes Python could not decode (surrogate escapes) are refused."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return read_prompt_bytes(os.fsencode(text), source)
    return text


def read_prompt(arg: str) -> str:
    """The prompt argument as text: `-` reads stdin; an empty prompt is refused.

    Raises:
        ModelduelError: not UTF-8 (naming the byte), or empty.
    """
    if arg == "-":
        prompt = read_prompt_bytes(sys.stdin.buffer.read(), "stdin")
    else:
        prompt = argv_text(arg, "the command line")
    if not prompt.strip():
        raise ModelduelError("the prompt is empty: pass it as an argument, or - to read stdin")
    return prompt
