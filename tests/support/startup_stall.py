"""Holding modelduel still at a point of its start-up, so a signal lands there every time.

`SHIM` is a `sitecustomize.py` (put its directory first on PYTHONPATH). It reads:

- MODELDUEL_TEST_MARKS: a directory; a marker file is dropped there at each point;
- MODELDUEL_TEST_POINT: where `python -m modelduel` stalls 3 s: `parse` (importing the
  command's module, to parse its options), `platform` (importing the storage modules, to
  check the platform), `config` (importing the config's modules,
  pydantic's, before the simulator starts), `loop` (importing the engine, httpx, in
  `asyncio.run` before `ask` takes the signals), `before` (just before `asyncio.run`) or
  `spawning` (inside the call that creates the worker child, the loop held as by a slow
  fork); anything else: nowhere;
- MODELDUEL_TEST_CHILD_STALL: seconds the worker child waits before its imports, SIGINT
  ignored (as the running child does), after writing its pid to the marker `child`.
"""

from __future__ import annotations

from pathlib import Path

SHIM = """
import os, signal, sys, time
_marks = os.environ["MODELDUEL_TEST_MARKS"]
_point = os.environ["MODELDUEL_TEST_POINT"]
_argv = list(getattr(sys, "orig_argv", []))

def _mark(name, value=""):
    with open(os.path.join(_marks, name + ".tmp"), "w") as f:
        f.write(value)
    os.replace(os.path.join(_marks, name + ".tmp"), os.path.join(_marks, name))

if _argv[1:3] == ["-m", "modelduel.core.workerchild"]:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as the running child does
    _mark("child", str(os.getpid()))
    time.sleep(float(os.environ["MODELDUEL_TEST_CHILD_STALL"]))
elif _argv[1:3] == ["-m", "modelduel"]:
    import asyncio
    _stall_on = {
        "parse": "modelduel.commands.ask",
        "platform": "modelduel.storage.lock",
        "config": "modelduel.config",
        "loop": "modelduel.core.duel",
    }
    if _point in _stall_on:
        class _Stall:  # held on the first import of that module (where its time goes)
            @staticmethod
            def find_spec(name, path=None, target=None):
                if name == _stall_on[_point] and not os.path.exists(os.path.join(_marks, _point)):
                    _mark(_point)
                    time.sleep(3)
                return None  # found by the usual finders
        sys.meta_path.insert(0, _Stall)
    if _point == "before":
        _real_run = asyncio.run
        def _run(*args, **kwargs):
            _mark("before")
            time.sleep(3)
            return _real_run(*args, **kwargs)
        asyncio.run = _run
    elif _point == "spawning":
        _real_create = asyncio.create_subprocess_exec
        async def _create(*args, **kwargs):
            _mark("spawning")
            time.sleep(3)  # a fork that takes its time: the loop is held meanwhile
            return await _real_create(*args, **kwargs)
        asyncio.create_subprocess_exec = _create
"""


def alive(pid: int) -> bool:
    """Running, not a zombie (an orphan's zombie may never be reaped in a container)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
