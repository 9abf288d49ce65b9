"""Cost of drawing one pane update as an answer grows, per answer shape.

Run: `python bench/bench_render.py [--runs 3]`. No terminal, no app: a pane's answer is
drawn into lines with a Rich console at 60 columns, as `PaneBody` does, after every
~40-character delta (about 10 tokens, one 10 Hz tick at 100 tok/s). Shapes: prose
(paragraphs and short lists), one long paragraph, one long code block. Per shape it prints
the median milliseconds per update in the first and the last tenth of the answer, and
their ratio (1.0x = the cost does not grow with the answer), for:

- `now`: `AnswerLines` (blocks drawn once; an open code fence, list or paragraph drawn in
  kept chunks);
- `before`: the first implementation's algorithm (each finished block drawn once with a
  fresh Rich Markdown, the unfinished block drawn whole on every update).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from rich.console import Console, RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.style import Style
from textual.strip import Strip

from modelduel.tui.answer_lines import AnswerLines
from modelduel.tui.markdown_blocks import split_blocks

WIDTH = 60
CONSOLE = Console(width=WIDTH, color_system="truecolor", force_terminal=True)
DELTA = 40


def draw(renderable: RenderableType) -> list[Strip]:
    options = CONSOLE.options.update_width(WIDTH)
    lines = CONSOLE.render_lines(renderable, options, style=Style(), pad=True)
    return [Strip(line, WIDTH) for line in lines]


def prose(tokens: int) -> str:
    paragraphs = []
    words = 0
    i = 0
    while words < tokens:
        body = " ".join(f"word{j} **bold** and `code`" for j in range(12))
        paragraphs.append(f"Paragraph {i}: {body}.")
        if i % 4 == 3:
            paragraphs.append("- item one\n- item two\n- item three")
        words += 60
        i += 1
    return "\n\n".join(paragraphs)


def one_paragraph(tokens: int) -> str:
    """One long paragraph (a model that never breaks its answer), with bold and code."""
    words = []
    for j in range(tokens):
        words.append(f"**word{j}**" if j % 9 == 4 else f"`w{j}`" if j % 13 == 6 else f"word{j}")
    return "Intro.\n\n" + " ".join(words) + ".\n"


def one_code_block(tokens: int) -> str:
    lines = []
    for i in range(tokens // 8):
        lines.append(f"    result_{i} = handle(request, retries={i % 5})  # step {i}")
        if i % 6 == 5:
            lines.append("")
            lines.append(f"def function_{i}(request):")
    return "Here is the file:\n\n```python\n" + "\n".join(lines) + "\n```\n"


class Before:
    """The first implementation: the unfinished block is drawn whole on every update."""

    def __init__(self) -> None:
        self.text = ""
        self.consumed = 0
        self.blocks: list[list[Strip]] = []
        self.tail: list[Strip] = []

    def update(self, text: str) -> None:
        self.text = text
        blocks, self.consumed = split_blocks(text, self.consumed)
        for block in blocks:
            self.blocks.append(draw(RichMarkdown(block, code_theme="monokai", hyperlinks=False)))
        tail = text[self.consumed :]
        md = RichMarkdown(tail, code_theme="monokai", hyperlinks=False)
        self.tail = draw(md) if tail.strip() else []


def costs(make: Callable[[], object], text: str) -> tuple[float, float]:
    """Median ms per update in the first and the last tenth of the answer."""
    renderer = make()
    update = renderer.update  # type: ignore[attr-defined]
    times: list[float] = []
    for end in range(DELTA, len(text) + DELTA, DELTA):
        start = time.perf_counter()
        update(text[:end])
        times.append((time.perf_counter() - start) * 1000)
    tenth = max(1, len(times) // 10)
    return statistics.median(times[:tenth]), statistics.median(times[-tenth:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", default="500,4000,8000")
    args = parser.parse_args()
    makers: dict[str, Callable[[], object]] = {
        "now": lambda: AnswerLines(draw, lambda: Strip.blank(WIDTH, Style())),
        "before": Before,
    }
    shapes: tuple[tuple[str, Callable[[int], str]], ...] = (
        ("prose", prose),
        ("one paragraph", one_paragraph),
        ("one code block", one_code_block),
    )
    for shape, build in shapes:
        for tokens in (int(t) for t in args.tokens.split(",")):
            text = build(tokens)
            for name, make in makers.items():
                firsts, lasts = zip(*(costs(make, text) for _ in range(args.runs)), strict=True)
                ratios = [b / a for a, b in zip(firsts, lasts, strict=True)]
                print(
                    f"{shape:>14} {tokens:>5} tok {name:>6}: first tenth"
                    f" {min(firsts):.1f}-{max(firsts):.1f} ms, last tenth"
                    f" {min(lasts):.1f}-{max(lasts):.1f} ms per update,"
                    f" last/first {min(ratios):.1f}-{max(ratios):.1f}x"
                )


if __name__ == "__main__":
    main()
