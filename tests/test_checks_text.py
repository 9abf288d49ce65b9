"""Reading answers: fenced blocks, headings, and applying the unified diffs models write."""

from __future__ import annotations

import pytest

from modelduel.core.answer_text import (
    DiffError,
    apply_unified_diff,
    extract_diff,
    fenced_blocks,
    headings,
    python_blocks,
)

FILE = "def f():\n    a = 1\n\n    return a\n\n\ndef g():\n    return 2\n"


def test_fenced_blocks_and_headings() -> None:
    text = (
        "# T\n\n````markdown\n```python\nx\n```\n## not a heading\n````\n"
        "\n## Real ##\n~~~py\ny\n~~~\n"
    )
    blocks = fenced_blocks(text)
    assert [(b.lang, b.text) for b in blocks] == [
        ("markdown", "```python\nx\n```\n## not a heading\n"),
        ("py", "y\n"),
    ]
    assert [(h.level, h.text) for h in headings(text)] == [(1, "T"), (2, "Real")]
    assert [b.text for b in python_blocks(text)] == ["y\n"]
    assert [b.text for b in python_blocks("```\nz\n```")] == ["z\n"]  # untagged as fallback
    assert fenced_blocks("```python\nunclosed\n")[0].text == "unclosed\n"


def test_a_diff_with_wrong_counts_and_trimmed_blank_lines_applies() -> None:
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -1,99 +1,99 @@\n def f():\n-    a = 1\n+    a = 10\n"
        "\n"  # the blank context line, its leading space trimmed
        "     return a\n\nThat's the fix.\n"
    )
    assert apply_unified_diff({"m.py": FILE}, diff) == {"m.py": FILE.replace("a = 1", "a = 10")}


def test_a_hunk_at_the_wrong_line_is_found_nearby_and_new_and_deleted_files() -> None:
    diff = (
        "--- m.py\n+++ m.py\n@@ -40,2 +40,2 @@\n def g():\n-    return 2\n+    return 3\n"
        "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,1 @@\n+X = 1\n"
        "--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"
    )
    out = apply_unified_diff({"m.py": FILE, "old.py": "gone\n"}, diff)
    assert out == {
        "m.py": FILE.replace("return 2", "return 3"),
        "new.py": "X = 1\n",
        "old.py": None,
    }


@pytest.mark.parametrize(
    ("diff", "message"),
    [
        ("just prose", "no unified diff hunks found"),
        ("--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n", "only relative paths"),
        ("--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", "only relative paths"),
        ("--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-a\n+b\n", "'nope.py', which does not exist"),
        (
            "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-not there\n+b\n",
            "hunk 1 of 'm.py' does not apply",
        ),
    ],
)
def test_bad_diffs(diff: str, message: str) -> None:
    with pytest.raises(DiffError, match=message.replace("(", r"\(").replace(".", r"\.")):
        apply_unified_diff({"m.py": FILE}, diff)


def test_extract_diff_prefers_diff_fences() -> None:
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-a\n+b\n"
    assert extract_diff(f"Fix:\n```diff\n{diff}```\nand\n```diff\n{diff}```") == f"{diff}\n{diff}"
    assert extract_diff(f"```\n{diff}```") == diff
    assert extract_diff(f"Bare:\n{diff}\nDone.") is not None
    assert extract_diff("```python\nx = 1\n```") is None


def test_a_removed_line_that_starts_with_two_dashes_stays_in_its_hunk() -> None:
    """Removing `-- a comment` (SQL, Lua, Haskell) gives the diff line `--- a comment`: it
    is a removal inside the hunk, not the start of another file's header (that needs a
    `+++ ` line after it), so the rest of the hunk still applies."""
    sql = "select 1;\n-- old note\nselect 2;\n"
    diff = (
        "--- a/q.sql\n+++ b/q.sql\n@@ -1,3 +1,3 @@\n"
        " select 1;\n--- old note\n+-- new note\n select 2;\n"
    )
    assert apply_unified_diff({"q.sql": sql}, diff) == {
        "q.sql": "select 1;\n-- new note\nselect 2;\n"
    }
    # `-- old` removed and `++ new` added: a `--- `/`+++ ` pair with no hunk after it
    lua = "x = 1\n-- old\ny = 2\n"
    diff = "--- a/m.lua\n+++ b/m.lua\n@@ -1,3 +1,3 @@\n x = 1\n--- old\n+++ new\n y = 2\n"
    assert apply_unified_diff({"m.lua": lua}, diff) == {"m.lua": "x = 1\n++ new\ny = 2\n"}
