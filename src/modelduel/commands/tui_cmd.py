"""`modelduel` with no command: the duel screen."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel.errors import SpecError

if TYPE_CHECKING:
    from modelduel.config import Config
    from modelduel.tasks import Task
    from modelduel.tui.app import ModelduelApp, Runner
    from modelduel.tui.duelview import DuelView

__all__ = ["child_runner_factory", "run_tui"]

MAX_PANES = 6
DEMO_BANNER = (
    "DEMO: simulated providers on 127.0.0.1, not real model output. "
    "Set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY for real models."
)


def child_runner_factory(config: Config, env: dict[str, str]) -> object:
    """A factory giving the app a child-process runner wired to its sink."""
    from modelduel.core.worker import ChildDuelRunner

    def make(app: ModelduelApp) -> Runner:
        runner = ChildDuelRunner(
            app.sink,
            retries=config.retries,
            timeout_s=config.timeout_s,
            stall_timeout_s=config.stall_timeout_s,
            connect_timeout_s=config.connect_timeout_s,
            env=env,
            on_run_ended=app.run_ended,
        )
        return runner  # type: ignore[return-value]

    return make


def run_tui(
    args: argparse.Namespace,
    recorded: tuple[DuelView, ...] = (),
    tasks: tuple[Task, ...] = (),
) -> int:
    """Open the duel screen; returns when the user quits."""
    from modelduel import locations
    from modelduel.config import (
        DEMO_ENV,
        DuelSettings,
        load_config,
        resolve_model,
        save_theme_choice,
    )
    from modelduel.demo import demo_environment
    from modelduel.storage import ensure_writable
    from modelduel.tui.app import AppSettings, ModelduelApp
    from modelduel.tui.themes import load_themes, theme_dirs

    config = load_config(args.config)
    csv_path: Path = args.csv or Path(config.csv_path)
    ensure_writable(csv_path)
    specs = list(args.models or config.default_models)
    if not 1 <= len(specs) <= MAX_PANES:
        raise SpecError(f"give 1 to {MAX_PANES} models (got {len(specs)})")
    themes, problems = load_themes(theme_dirs(args.themes))
    history: tuple[DuelView, ...] = ()
    if not recorded and not tasks:
        from modelduel.commands.review import recorded_views

        # reopening a CSV lists its duels in the history, for re-scoring
        history = tuple(recorded_views(csv_path, blind=False))
    config_file = args.config or locations.config_path()
    with demo_environment(args.demo, config, announce=False) as env:
        duel = DuelSettings(getattr(args, "effort", None), getattr(args, "max_output_tokens", None))
        models = [resolve_model(spec, config, env, duel) for spec in specs]
        settings = AppSettings(
            config=config,
            models=models,
            csv_path=csv_path,
            blind=args.blind,
            theme=args.theme or config.theme,
            themes=tuple(themes),
            theme_problems=tuple(problems),
            banner=DEMO_BANNER if env.get(DEMO_ENV) else "",
            env=env,
            save_theme=lambda name: save_theme_choice(config_file, name),
            recorded=recorded,
            tasks=tasks,
            history=history,
        )
        app = ModelduelApp(settings, child_runner_factory(config, env))  # type: ignore[arg-type]
        app.run()
    return 0
