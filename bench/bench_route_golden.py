"""`modelduel route` output of this tree against another's, byte for byte, on the bench's data.

Run: `.venv/bin/python bench/bench_route_golden.py --against OTHER/src [--rows 5000,50000]`.

For each size, the CSV that `bench_route.py` times (all columns, and the brief's plus
run_id and timestamp) is generated once; then both trees run `route` on it as text, as
`--json`, with `--export` and `--export-litellm`, under every objective, and with
`--by-week` (text and JSON), and every stdout, stderr, exit status and exported file is
compared. A speed change to routing must leave all of them as they were: it prints each
difference (the first lines of a diff) and exits 1 if there is any, else one line per
size saying how many outputs matched.
"""

from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_route import header, write_csv

OBJECTIVES = ("quality-per-cost", "cost", "quality", "latency")


def _variants(csv_path: Path, out: Path) -> dict[str, tuple[list[str], list[Path]]]:
    """name -> (route arguments, files the run writes)."""
    toml, yaml = out / "routes.toml", out / "litellm.yaml"
    runs: dict[str, tuple[list[str], list[Path]]] = {
        "text": ([str(csv_path)], []),
        "json": ([str(csv_path), "--json"], []),
        "export": ([str(csv_path), "--export", str(toml), "--export-litellm", str(yaml)], []),
        "week-text": ([str(csv_path), "--by-week"], []),
        "week-json": ([str(csv_path), "--by-week", "--json"], []),
    }
    runs["export"] = (runs["export"][0], [toml, yaml])
    for objective in OBJECTIVES[1:]:
        runs[objective] = ([str(csv_path), "--objective", objective], [])
    return runs


def _outputs(src: Path | None, csv_path: Path, work: Path) -> dict[str, str]:
    """Every output of every variant, the tree's own paths written as OUT."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    got: dict[str, str] = {}
    for name, (args, files) in _variants(csv_path, work).items():
        for f in files:
            f.unlink(missing_ok=True)
        proc = subprocess.run(
            [sys.executable, "-m", "modelduel", "route", *args],
            capture_output=True,
            text=True,
            env=env,
        )
        got[f"{name}: stdout"] = proc.stdout.replace(str(work), "OUT")
        got[f"{name}: stderr"] = proc.stderr.replace(str(work), "OUT")
        got[f"{name}: exit"] = str(proc.returncode)
        for f in files:
            got[f"{name}: {f.name}"] = f.read_text(encoding="utf-8") if f.exists() else "<none>"
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, metavar="SRC")
    parser.add_argument("--rows", default="5000,50000,200000", help="sizes, comma-separated")
    args = parser.parse_args()
    differ = False
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (int(s) for s in args.rows.split(",")):
            for columns in ("all", "brief"):
                csv_path = Path(tmp) / f"r{rows}-{columns}.csv"
                write_csv(csv_path, rows, header(columns))
                ours_dir, theirs_dir = Path(tmp) / "ours", Path(tmp) / "theirs"
                ours_dir.mkdir(exist_ok=True)
                theirs_dir.mkdir(exist_ok=True)
                ours = _outputs(None, csv_path, ours_dir)
                theirs = _outputs(args.against.resolve(), csv_path, theirs_dir)
                bad = [k for k in ours if ours[k] != theirs.get(k)]
                for key in bad:
                    differ = True
                    diff = difflib.unified_diff(
                        theirs.get(key, "").splitlines(), ours[key].splitlines(), lineterm=""
                    )
                    print(f"DIFFERS {rows} rows, {columns} columns, {key}:")
                    print("\n".join(list(diff)[:20]))
                print(
                    f"{rows:>7} rows, {columns} columns: {len(ours) - len(bad)} of {len(ours)}"
                    " outputs identical",
                    flush=True,
                )
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
