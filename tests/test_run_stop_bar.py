"""`run` stopped by SIGTERM: its progress bar counts only the runs that finished.

A cancelled run is saved (as cancelled, to be resumed) but is not done: the bar said
`3/3` above "0 of 3 runs done".
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

from tests.support.cli import start

TASK = """id = "t1"
type = "coding"
title = "T"
prompt = "hi"
criteria = ["a"]
output_format = "text"
"""


def test_the_bar_counts_only_what_finished(tmp_path: Path) -> None:
    (tmp_path / "tk").mkdir()
    (tmp_path / "tk" / "t1.toml").write_text(TASK, encoding="utf-8")
    proc = start("run", "--demo", "tk", "--csv", "r.csv", cwd=tmp_path)
    try:
        time.sleep(3)  # the demo's runs take 5 s and more: stopped while they stream
        proc.send_signal(signal.SIGTERM)
        _, err_bytes = proc.communicate(timeout=120)
    finally:
        proc.kill()
    err = err_bytes.decode()
    stopped = re.search(r"stopped \(SIGTERM\): (\d+) of 3 runs done", err)
    assert stopped is not None, err
    bars = re.findall(r"runs .*?(\d+)/3", err.replace("\r", "\n"))
    assert bars, err
    assert bars[-1] == stopped.group(1), err
