"""`modelduel config init|show`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from modelduel.options import add_config_option
from modelduel.redact import mask_url_userinfo

__all__ = ["add_parser", "run", "run_config"]


def _mask_urls(value: Any) -> Any:
    """Every `base_url` in the view with a password in its userinfo masked (`user:***@`)."""
    if isinstance(value, dict):
        return {
            k: mask_url_userinfo(v) if k == "base_url" and isinstance(v, str) else _mask_urls(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_urls(v) for v in value]
    return value


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`config init` and `config show`."""
    config = sub.add_parser("config", help="write or show the configuration")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = config_sub.add_parser("init", help="write a starting config file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_config_option(init)
    show = config_sub.add_parser("show", help="print the effective config (keys masked)")
    add_config_option(show)


def run_config(args: argparse.Namespace) -> int:
    """Write a starting config file, or print the effective config with keys masked."""
    from modelduel import locations
    from modelduel.config import effective_config_view, init_config_file, load_config

    if args.config_command == "init":
        path = args.config or locations.config_path()
        result = init_config_file(path, force=args.force)
        if result.created:
            print(f"wrote {path}")
        elif args.force:
            kept = f", kept your {', '.join(result.kept)}" if result.kept else ""
            print(f"replaced {path} with the starting config{kept}")
        elif result.added:
            print(
                f"updated {path}: added {', '.join(result.added)}; "
                f"kept your {', '.join(result.kept) or 'settings'} as they were"
            )
        else:
            print(f"{path} already has every setting; nothing changed")
        return 0
    config = load_config(args.config)
    view = _mask_urls(effective_config_view(config, dict(os.environ), args.config))
    json.dump(view, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


run = run_config  # the command table's interface (`cli.COMMANDS`)
