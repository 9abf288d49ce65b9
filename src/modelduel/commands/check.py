"""`modelduel check`: is every model of the lineup ready for a suite?"""

from __future__ import annotations

import argparse

__all__ = ["run_check"]


def run_check(args: argparse.Namespace) -> int:
    """Not yet: placeholder replaced below."""
    raise NotImplementedError
