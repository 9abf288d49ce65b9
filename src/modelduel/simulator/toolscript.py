"""The tool script: what a simulated model does with the tools a request declares.

The script is a comma list of `NAME=VALUE` items, given per request in the
`x-simulate-tools` header or per model as `tools = "..."` under
`[simulator."MODEL"]` in the config (the header wins, item by item):

    rounds=N        tool rounds before the text answer (default 1; 0: never call a tool)
    parallel=K      calls per round, when the request allows parallel calls (default 1)
    invalid=R       in round R (1-based) the first call's arguments break its schema
                    (a required property left out, or a value of the wrong type)
    unknown=R       in round R the first call names a tool the request did not declare
    nonjson=R       in round R the first call's arguments are not JSON (cut short); on
                    Gemini, whose `args` is a JSON object on the wire, it is a call
                    with no arguments at all instead
    fail=N[:KIND]   the Nth request of the loop (1 = the first) fails with the HTTP
                    fault KIND (default `server`; any HTTP fault of `faults`)


Several rounds take several items: `invalid=1+2`. `script_for` merges a model's configured
script with the request header's items over it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from modelduel.simulator.faults import HTTP_FAULTS

__all__ = [
    "TOOLS_HEADER",
    "ToolScript",
    "ToolScriptError",
    "merge_scripts",
    "parse_script",
    "script_for",
]

TOOLS_HEADER = "x-simulate-tools"


class ToolScriptError(ValueError):
    """A tool script that does not parse; the message names the item."""


@dataclass(frozen=True, slots=True)
class ToolScript:
    """What the simulated model does with declared tools (see the module docstring)."""

    rounds: int = 1
    parallel: int = 1
    invalid: frozenset[int] = frozenset()
    unknown: frozenset[int] = frozenset()
    nonjson: frozenset[int] = frozenset()
    fail: int | None = None
    fail_kind: str = "server"
    given: frozenset[str] = frozenset()  # the item names the spec set, for merging


def _rounds(name: str, value: str) -> frozenset[int]:
    try:
        numbers = frozenset(int(v) for v in value.split("+"))
    except ValueError:
        raise ToolScriptError(f"{name}={value}: expected round numbers such as 1 or 1+2") from None
    if any(n < 1 for n in numbers):
        raise ToolScriptError(f"{name}={value}: rounds count from 1")
    return numbers


def parse_script(spec: str) -> ToolScript:
    """The tool script of a spec such as `rounds=2,parallel=3,invalid=1`.

    Raises:
        ToolScriptError: an unknown item or a value that is not a count.
    """
    script = ToolScript()
    given: set[str] = set()
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not value:
            raise ToolScriptError(f"{item!r}: expected NAME=VALUE (rounds=2, parallel=2 ...)")
        if name in ("rounds", "parallel"):
            if not value.isdigit() or int(value) > 64 or (name == "parallel" and value == "0"):
                raise ToolScriptError(f"{name}={value}: expected a whole number 0..64")
            if name == "rounds":
                script = replace(script, rounds=int(value))
            else:
                script = replace(script, parallel=int(value))
        elif name in ("invalid", "unknown", "nonjson"):
            numbers = _rounds(name, value)
            if name == "invalid":
                script = replace(script, invalid=numbers)
            elif name == "unknown":
                script = replace(script, unknown=numbers)
            else:
                script = replace(script, nonjson=numbers)
        elif name == "fail":
            count, _, kind = value.partition(":")
            if not count.isdigit() or int(count) < 1:
                raise ToolScriptError(f"fail={value}: expected the request number, e.g. fail=2")
            kind = kind.strip() or "server"
            if kind not in HTTP_FAULTS:
                known = ", ".join(sorted(HTTP_FAULTS))
                raise ToolScriptError(f"fail={value}: {kind!r} is not an HTTP fault ({known})")
            script = replace(script, fail=int(count), fail_kind=kind)
        else:
            raise ToolScriptError(
                f"{name!r} is not a tool script item (rounds, parallel, invalid, unknown, "
                "nonjson, fail)"
            )
        given.add(name)
    return replace(script, given=frozenset(given))


def merge_scripts(base: ToolScript, over: ToolScript) -> ToolScript:
    """`base` with every item `over` sets taken from `over` (a header over a config)."""
    changes: dict[str, Any] = {}
    for name in over.given:
        changes[name] = getattr(over, name)
        if name == "fail":
            changes["fail_kind"] = over.fail_kind
    return replace(base, **changes, given=base.given | over.given)


def script_for(config_spec: str, header_spec: str | None) -> ToolScript:
    """A model's configured script with the request header's items over it.

    Raises:
        ToolScriptError: either spec does not parse.
    """
    script = parse_script(config_spec) if config_spec else ToolScript()
    return merge_scripts(script, parse_script(header_spec)) if header_spec else script
