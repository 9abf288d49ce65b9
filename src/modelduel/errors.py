"""The error tree for user-facing failures.

    ModelduelError              one line, shown without a traceback, exit 2
    ├── ConfigError             a bad config file, key or value (names file and key)
    ├── SpecError               a bad model spec such as "nope/gpt" (lists known providers)
    ├── TaskFileError           a bad task file (names file and field)
    └── CsvError                a bad or unwritable results CSV (names file, line, column)

Failures of a single model run are not exceptions that reach the user: they are
`modelduel.events.ErrorInfo` values carried by a `StreamFailed` event, so the other
models of a duel carry on.
"""

from __future__ import annotations

__all__ = ["ConfigError", "CsvError", "ModelduelError", "SpecError", "TaskFileError"]


class ModelduelError(Exception):
    """A user mistake or environment problem, reported as one line."""

    exit_code = 2


class ConfigError(ModelduelError):
    """The config file or an option is invalid."""


class SpecError(ModelduelError):
    """A model spec names an unknown provider or is malformed."""


class TaskFileError(ModelduelError):
    """A task file is invalid."""


class CsvError(ModelduelError):
    """A results CSV cannot be read or written."""
