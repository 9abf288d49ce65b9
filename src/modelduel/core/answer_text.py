"""Reading an answer's text: fenced blocks, Markdown headings, and unified diffs.

Pure functions over strings (and, for `apply_unified_diff`, a dict of file texts), so
the checks that use them are unit-tested without a file system or a process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = [
    "DiffError",
    "FencedBlock",
    "Heading",
    "apply_unified_diff",
    "extract_diff",
    "fenced_blocks",
    "headings",
    "python_blocks",
]

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")


@dataclass(frozen=True, slots=True)
class FencedBlock:
    """A fenced code block: its info-string language (lower case, may be ""), its text,
    and the 0-based line of its opening fence."""

    lang: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Heading:
    """An ATX Markdown heading outside code blocks: level, text, 0-based line."""

    level: int
    text: str
    line: int


def _scan(text: str) -> tuple[list[FencedBlock], list[Heading]]:
    blocks: list[FencedBlock] = []
    heads: list[Heading] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE_OPEN.match(line)
        if opening:
            fence, lang = opening.group(1), opening.group(2).lower()
            body: list[str] = []
            j = i + 1
            while j < len(lines):
                stripped = lines[j].strip()
                if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                    break
                body.append(lines[j])
                j += 1
            # An unclosed fence runs to the end of the text (CommonMark's rule).
            blocks.append(FencedBlock(lang, "\n".join(body) + ("\n" if body else ""), i))
            i = j + 1
            continue
        heading = _ATX.match(line)
        if heading:
            heads.append(Heading(len(heading.group(1)), heading.group(2).strip(), i))
        i += 1
    return blocks, heads


def fenced_blocks(text: str) -> list[FencedBlock]:
    """Every fenced code block of a Markdown text, in order."""
    return _scan(text)[0]


def headings(text: str) -> list[Heading]:
    """Every ATX heading (`## Title`) of a Markdown text, outside code blocks, in order."""
    return _scan(text)[1]


def python_blocks(text: str) -> list[FencedBlock]:
    """The blocks tagged python (`python`, `py`, `python3`); if none is, the untagged ones."""
    blocks = fenced_blocks(text)
    tagged = [b for b in blocks if b.lang in ("python", "py", "python3")]
    return tagged or [b for b in blocks if not b.lang]


class DiffError(ValueError):
    """A diff that cannot be read or applied; the message says which file and hunk."""


@dataclass
class _Hunk:
    old_start: int
    lines: list[str]  # each starts with " ", "-" or "+"


@dataclass
class _FilePatch:
    old: str | None  # None: /dev/null (a new file)
    new: str | None  # None: /dev/null (a deleted file)
    hunks: list[_Hunk]


_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


def extract_diff(answer: str) -> str | None:
    """The unified diff in an answer: its diff/patch-fenced blocks joined, else the
    fenced blocks that look like a diff, else the bare text; None if none has one."""
    blocks = fenced_blocks(answer)
    candidates = [b.text for b in blocks if b.lang in ("diff", "patch", "udiff")]
    if not candidates:
        candidates = [b.text for b in blocks if _looks_like_diff(b.text)]
    if not candidates and _looks_like_diff(answer):
        candidates = [answer]
    return "\n".join(candidates) if candidates else None


def _looks_like_diff(text: str) -> bool:
    return bool(re.search(r"^--- .*\n\+\+\+ .*\n@@ ", text, re.MULTILINE))


def _diff_path(raw: str) -> str | None:
    name = raw.split("\t", 1)[0].strip()
    if name == "/dev/null":
        return None
    if name.startswith(("a/", "b/")):
        name = name[2:]
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts:
        raise DiffError(f"the diff names {name!r}: only relative paths inside the task's folder")
    return str(path)


def _file_header(lines: list[str], i: int) -> bool:
    """A file's `--- `/`+++ ` pair starts at line `i`. A `--- ` line alone is a removed line
    that began with `-- ` (an SQL or Lua comment), part of the hunk it is in."""
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _parse(diff: str) -> list[_FilePatch]:
    lines = diff.splitlines()
    patches: list[_FilePatch] = []
    i = 0
    while i < len(lines):
        if _file_header(lines, i):
            patches.append(_FilePatch(_diff_path(lines[i][4:]), _diff_path(lines[i + 1][4:]), []))
            i += 2
            continue
        header = _HUNK.match(lines[i])
        if header and patches:
            hunk = _Hunk(int(header.group(1)), [])
            i += 1
            while i < len(lines):
                line = lines[i]
                if _HUNK.match(line) or (
                    # `-- x` removed and `++ y` added read as a header too: a real one
                    # has its first hunk next
                    _file_header(lines, i) and i + 2 < len(lines) and _HUNK.match(lines[i + 2])
                ):
                    break
                if line.startswith("\\"):  # "\ No newline at end of file"
                    i += 1
                    continue
                if line == "":
                    line = " "  # a blank context line whose space was trimmed
                elif line[0] not in " +-":
                    break
                hunk.lines.append(line)
                i += 1
            while hunk.lines and hunk.lines[-1] == " ":
                hunk.lines.pop()  # blank lines after the diff, before the prose
            patches[-1].hunks.append(hunk)
            continue
        i += 1
    if not patches or not any(p.hunks for p in patches):
        raise DiffError("no unified diff hunks found (expected '--- a/FILE', '+++ b/FILE', '@@')")
    return patches


def _find(haystack: list[str], needle: list[str], near: int, start: int) -> int:
    if not needle:
        return min(max(near, start), len(haystack))
    for loose in (False, True):

        def norm(line: str, loose: bool = loose) -> str:
            return line.rstrip() if loose else line

        target = [norm(s) for s in needle]
        spots = [
            k
            for k in range(start, len(haystack) - len(needle) + 1)
            if [norm(s) for s in haystack[k : k + len(needle)]] == target
        ]
        if spots:
            return min(spots, key=lambda k: abs(k - near))
    return -1


def apply_unified_diff(files: dict[str, str], diff: str) -> dict[str, str | None]:
    """Apply a unified diff to file texts, tolerating wrong hunk line counts.

    Each hunk's old lines (context and removals) must occur in the file, at the line its
    header says or anywhere after the previous hunk (nearest first; trailing whitespace
    is ignored if an exact match fails).

    Args:
        files: path (relative, "/"-separated) -> text of the files that exist.
        diff: the unified diff.

    Returns:
        path -> new text for every file the diff touches; None for a deleted file.

    Raises:
        DiffError: the diff has no hunks, names a path outside the folder, patches a file
            that does not exist, or a hunk does not apply.
    """
    out: dict[str, str | None] = {}
    for patch in _parse(diff):
        target = patch.new if patch.new is not None else patch.old
        assert target is not None
        if patch.old is None:
            original = ""
        else:
            current = out.get(patch.old, files.get(patch.old))
            if current is None:
                raise DiffError(f"the diff patches {patch.old!r}, which does not exist")
            original = current
        had_newline = original.endswith("\n") or not original
        lines = original.splitlines()
        start = 0
        for number, hunk in enumerate(patch.hunks, 1):
            old = [s[1:] for s in hunk.lines if s[0] in " -"]
            new = [s[1:] for s in hunk.lines if s[0] in " +"]
            at = _find(lines, old, max(hunk.old_start - 1, 0), start)
            if at < 0:
                raise DiffError(
                    f"hunk {number} of {target!r} does not apply: its context and removed lines "
                    f"are not in the file (header says line {hunk.old_start})"
                )
            lines[at : at + len(old)] = new
            start = at + len(new)
        if patch.new is None:
            out[target] = None
        else:
            out[target] = "\n".join(lines) + ("\n" if had_newline and lines else "")
    return out
