"""The simulator's numbered lists nest their bullets under their items past item 9 too
(fresh-eyes run: from item 10 a 3-space indent made each bullet a list of its own,
which CommonMark rightly draws at the top level)."""

from __future__ import annotations

import random

from markdown_it import MarkdownIt

from modelduel.simulator.longform import shaped_answer


def test_every_bullet_of_a_long_numbered_list_is_nested_in_its_item() -> None:
    for shape in ("list", "mixed"):
        text = shaped_answer(shape, "Raft", ["state", "latency"], "Footer.", 6000, random.Random(2))
        tokens = MarkdownIt().parse(text)
        top_bullets = [t for t in tokens if t.type == "bullet_list_open" and t.level == 0]
        nested = [t for t in tokens if t.type == "bullet_list_open" and t.level > 0]
        assert top_bullets == [], shape
        assert nested or shape == "mixed", shape  # the check looked at some
