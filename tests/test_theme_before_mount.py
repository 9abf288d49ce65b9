"""The chosen theme is set before the app's stylesheet is first read, so Textual does not
apply the stylesheet to the DOM twice before the first frame (once with its default theme,
once with ours: set at mount, it did, ~25-30 ms of the launch's CPU)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.css.stylesheet import Stylesheet

from modelduel.config import Config, resolve_model
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.themeload import load_themes, shipped_theme_dir
from tests.test_launch_path import ENV, SPECS, GatedRunner


async def test_the_theme_is_in_effect_before_the_first_frame_without_a_css_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the theme in effect each time the stylesheet is applied to the app's DOM
    applied: list[str] = []
    update = Stylesheet.update

    def counted(sheet: Stylesheet, root: object, animate: bool = False) -> None:
        applied.append(app.theme)
        update(sheet, root, animate)  # type: ignore[arg-type]

    monkeypatch.setattr(Stylesheet, "update", counted)
    at_first_frame: list[tuple[str, int]] = []
    config = Config()
    settings = AppSettings(
        config=config,
        models=[resolve_model(spec, config, ENV) for spec in SPECS],
        csv_path=tmp_path / "r.csv",
        theme="modelduel-light",
        themes=tuple(load_themes([shipped_theme_dir()])[0]),
        after_first_frame=(lambda: at_first_frame.append(app.theme),),
    )
    app = ModelduelApp(settings, lambda a: GatedRunner(a, []))
    # in effect from construction: the stylesheet's first read (as the app starts) uses it
    assert app.theme == "modelduel-light"
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if at_first_frame:
                break
        assert at_first_frame == ["modelduel-light"]
        # applied with the chosen theme from the first time (set at mount it was applied
        # twice before the first frame; not asserted: a resize may apply it again)
        assert applied[0] == "modelduel-light"
        runner = app.runner
        assert isinstance(runner, GatedRunner)
        runner.ready.set()
