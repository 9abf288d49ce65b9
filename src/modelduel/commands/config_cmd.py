"""`modelduel config init|show`."""

from __future__ import annotations

import argparse
import json
import os
import sys

__all__ = ["run_config"]


def run_config(args: argparse.Namespace) -> int:
    """Write a starting config file, or print the effective config with keys masked."""
    from modelduel import locations
    from modelduel.config import (
        default_config_toml,
        effective_config_view,
        load_config,
        write_config_file,
    )

    if args.config_command == "init":
        path = args.config or locations.config_path()
        write_config_file(path, default_config_toml(), force=args.force)
        print(f"wrote {path}")
        return 0
    config = load_config(args.config)
    view = effective_config_view(config, dict(os.environ), args.config)
    json.dump(view, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
