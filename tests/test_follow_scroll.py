"""Issue 13: following a stream, the view never scrolls past a line the user has not seen
(unless the pane is behind). One `set_answer` is one frame; no timing is asserted."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from modelduel.tui.stream_markdown import BEHIND_SCREENS, PaneBody
from modelduel.tui.themes import APP_VARIABLE_DEFAULTS
from modelduel.tui.wrapped_text import strip_text

VIEW = 20  # the body's height in the test app below


class BodyApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLE_DEFAULTS)  # the body's style reads $reasoning, as in the app

    def compose(self) -> ComposeResult:
        yield PaneBody()


def _view(body: PaneBody) -> list[str]:
    return [strip_text(body.render_line(y)).strip() for y in range(body.size.height)]


def _code(lines: int) -> str:
    return "```text\n" + "".join(f"marker{i:04d}\n" for i in range(lines))


def _stream(lines_per_frame: int, total: int) -> tuple[set[str], list[int], int]:
    """Markers seen in view; lines below each scrolled frame's view (negative: blank)."""

    async def main() -> tuple[set[str], list[int], int]:
        async with BodyApp().run_test(size=(60, VIEW)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            assert body.size.height == VIEW
            text = _code(total)
            seen: set[str] = set()
            behind: list[int] = []
            for end in range(lines_per_frame, total + 1, lines_per_frame):
                body.set_answer(text[: text.index(f"marker{end:04d}")] if end < total else text)
                seen.update(line for line in _view(body) if line.startswith("marker"))
                if body.scroll_offset.y > 0:  # once the text is longer than the view
                    behind.append(len(body.drawn_lines) - body.scroll_offset.y - VIEW)
            # the stream ended with lines below the view: they scroll in without arrivals
            for _ in range(200):
                await pilot.pause(0.02)
                seen.update(line for line in _view(body) if line.startswith("marker"))
                if f"marker{total - 1:04d}" in seen:
                    break
            return seen, behind, body.scroll_offset.y

    return asyncio.run(main())


def test_at_a_steady_rate_every_line_is_in_view_at_least_once() -> None:
    # 15 lines a frame: more than half a view (a jump to the newest line would skip some),
    # less than a view (a pane that is not behind)
    seen, _, _ = _stream(15, 600)
    missing = [i for i in range(600) if f"marker{i:04d}" not in seen]
    assert missing == []


def test_slow_lines_still_jump_so_most_frames_repaint_little() -> None:
    # 3 lines a frame: each jump puts the newest line mid-view (blank below it), so the
    # next frames repaint only their new lines; and the view never falls behind the end
    _, behind, _ = _stream(3, 300)
    assert min(behind) < -VIEW // 4, min(behind)
    assert max(behind) <= 0, max(behind)


def test_a_pane_that_is_behind_jumps_to_the_newest_lines() -> None:
    # 45 lines a frame: more than a view every frame, so creeping would fall ever further
    # behind; the view stays within BEHIND_SCREENS views of the end and skips instead
    seen, behind, _ = _stream(45, 900)
    assert max(behind) <= BEHIND_SCREENS * VIEW, max(behind)
    assert len(seen) < 900
    assert "marker0899" in seen


def test_lines_left_below_the_view_scroll_in_after_the_stream_ends() -> None:
    # one burst of 50 lines (2.5 views, not behind) and then nothing: the view must not
    # wait for arrivals that never come to show the rest
    seen, _, top = _stream(50, 50)
    assert [i for i in range(50) if f"marker{i:04d}" not in seen] == []
    assert top > 0


def test_when_the_stream_ends_the_view_goes_to_the_end_at_once() -> None:
    async def main() -> None:
        async with BodyApp().run_test(size=(60, VIEW)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            body.set_answer(_code(50))
            assert "marker0000" in _view(body)  # crept: the burst's first lines first
            body.live = False  # the run ended (the pane sets this from the stream's status)
            assert "marker0049" in _view(body)

    asyncio.run(main())


def test_updates_between_two_paints_never_scroll_past_a_line_not_painted() -> None:
    # a busy loop: three updates of 7 lines each come between two paints (21 lines, more
    # than half a view, less than BEHIND_SCREENS views). A view that counted a line as
    # shown when it scrolled, not when it was painted, would skip 14 of every 21 lines.
    async def main() -> set[str]:
        async with BodyApp().run_test(size=(60, VIEW)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            text = _code(630)
            seen: set[str] = set()
            for frame, end in enumerate(range(7, 631, 7)):
                body.set_answer(text[: text.index(f"marker{end:04d}")] if end < 630 else text)
                if frame % 3 == 2:  # the compositor paints the view (render_line)
                    seen.update(line for line in _view(body) if line.startswith("marker"))
            for _ in range(200):
                await pilot.pause(0.02)
                seen.update(line for line in _view(body) if line.startswith("marker"))
                if "marker0629" in seen:
                    break
            return seen

    seen = asyncio.run(main())
    assert [i for i in range(630) if f"marker{i:04d}" not in seen] == []


def _newest_in_view_after_resize(size: tuple[int, int], text: str, marker: str) -> list[str]:
    """Stream `text` 3 lines a frame, resize the app to `size` a third of the way in;
    each later frame's view must hold that frame's newest `marker` line. The frames
    whose view did not (their newest marker's number) are returned."""

    async def main() -> list[str]:
        async with BodyApp().run_test(size=(60, VIEW)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            ends = [text.index(f"{marker}{i:04d}") for i in range(3, 300, 3)]
            missed: list[str] = []
            for frame, end in enumerate(ends):
                body.set_answer(text[:end])
                await pilot.pause()
                if frame == len(ends) // 3:
                    await pilot.resize_terminal(*size)
                    await pilot.pause()
                newest = text[:end].rstrip().rsplit(marker, 1)[-1][:4]
                if frame > len(ends) // 3 and not any(
                    f"{marker}{newest}" in line for line in _view(body)
                ):
                    missed.append(newest)
            return missed

    return asyncio.run(main())


def test_a_pane_made_shorter_mid_stream_keeps_following() -> None:
    # judged by the new, shorter view alone, the view the taller one left was "scrolled
    # up": the pane stopped following and its text froze on screen while it streamed on
    code = _code(300)
    prose = "".join(f"Sentence word{i:04d} goes on for a while here.\n\n" for i in range(300))
    for size in [(60, VIEW // 2), (40, VIEW - 8), (80, VIEW + 10)]:
        assert _newest_in_view_after_resize(size, code, "marker") == [], size
        assert _newest_in_view_after_resize(size, prose, "word") == [], size


def test_an_ended_stream_shows_its_last_line_at_the_views_bottom() -> None:
    # the jumps leave up to half a view of blank below the newest line while it streams;
    # once it has ended, the answer is shown as a finished one: no blank below its end
    async def main() -> list[tuple[int, int, int]]:
        async with BodyApp().run_test(size=(60, VIEW)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            text = _code(300)
            ends = []
            for stop in (97, 151, 300):  # several places of the last jump's blank
                body.reset()
                body.live = True
                for end in range(3, stop + 1, 3):
                    body.set_answer(text[: text.index(f"marker{end:04d}")] if end < 300 else text)
                    await pilot.pause()
                body.live = False
                await pilot.pause()
                height = len(body.drawn_lines)
                ends.append((body.scroll_offset.y + VIEW, height, body.virtual_size.height))
            return ends

    for bottom, height, virtual in asyncio.run(main()):
        assert bottom == height == virtual
