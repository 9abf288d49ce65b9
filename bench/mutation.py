"""Mutation testing of the engine: mutmut over core/, providers/ and storage/, one worker.

    python bench/mutation.py core              # one package (core, providers, storage)
    python bench/mutation.py core storage      # several; `all` for the three
    python bench/mutation.py core.routing      # one module
    python bench/mutation.py core              # again: resumes where it was stopped
    python bench/mutation.py core --retest-survivors   # after adding tests
    python bench/mutation.py --report --survivors      # the score of the last run
    python bench/mutation.py providers storage --sample 150   # 150 mutants a package, seeded
    python bench/mutation.py providers.base --sample 20 --keep-stats   # tests unchanged

mutmut (configured in pyproject.toml, `[tool.mutmut]`) copies the sources to
`mutants/`, makes small changes one at a time (`<` to `<=`, a constant + 1, a
dropped call...), and runs, for each mutant, only the tests that executed the
mutated function (it records which when it first runs the suite). A mutant the
tests fail on is *killed*; one they pass on *survived*: no test can see that
change, so either the code is dead or a promise has no test.

Results are kept in `mutants/`, so a stopped run resumes; `--fresh` tests every
mutant again. `--sample N` (with `--seed`) tests N mutants drawn at random from each
package (or module) named, so a bounded run still estimates the package's score; the
report then counts only the mutants tested. `mutmut browse` shows survivors;
`mutmut show NAME` one diff.

Child processes (the duel worker, the spawned writers of the storage tests) import
the mutated copy too: `PYTHONPATH` points at `mutants/src`, and mutmut's
`MUTANT_UNDER_TEST` is inherited, so a mutant is live in every process a test starts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "providers", "storage")


def _run_mutmut(names: list[str], workers: int, *, keep_stats: bool = False) -> int:
    mutated_src = ROOT / "mutants" / "src"
    # Made before Python starts: an entry of PYTHONPATH that does not exist yet is cached as
    # "nothing here" and never searched again, even once mutmut has filled it.
    mutated_src.mkdir(parents=True, exist_ok=True)
    # Which tests run which function is recorded afresh, so changed tests count at once
    # (10-20 minutes); `--keep-stats` reuses the last record when no test has changed.
    if not keep_stats:
        (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(mutated_src)}
    mutmut = Path(sys.executable).with_name("mutmut")
    cmd = [str(mutmut), "run", "--max-children", str(workers), *names]
    shown = " ".join(cmd if len(names) <= 3 else [*cmd[:4], f"<{len(names)} mutants>"])
    print("$", shown, flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def _generate() -> None:
    """Write the mutants to `mutants/` without testing any, so a sample can be drawn."""
    code = (
        "from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants, "
        "set_mutant_under_test, setup_source_paths, store_lines_covered_by_tests\n"
        "set_mutant_under_test('mutant_generation')\n"
        "copy_src_dir(); copy_also_copy_files(); setup_source_paths()\n"
        "store_lines_covered_by_tests(); create_mutants(1)\n"
    )
    (ROOT / "mutants").mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _sample(packages: list[str], size: int, seed: int) -> list[str]:
    """`size` untested mutant names a package, the same ones for the same seed."""
    if not _results(packages):
        _generate()
    rng = random.Random(seed)
    names: list[str] = []
    for package in packages:
        results = _results([package])
        every = sorted(n for r in results.values() for n in r)
        chosen = rng.sample(every, min(size, len(every)))
        names += sorted(n for n in chosen if _status_of(results, n) == "not checked")
    return names


def _status_of(results: dict[str, dict[str, str]], name: str) -> str:
    return next(r[name] for r in results.values() if name in r)


def _results(packages: list[str]) -> dict[str, dict[str, str]]:
    """module -> {mutant name -> status} from `mutants/**/*.py.meta`."""
    out: dict[str, dict[str, str]] = {}
    src = ROOT / "mutants" / "src"
    for package in packages:
        where = src / "modelduel" / package.replace(".", "/")
        metas = [where.with_suffix(".py.meta")] if "." in package else where.rglob("*.py.meta")
        for meta in sorted(m for m in metas if m.exists()):
            data = json.loads(meta.read_text(encoding="utf-8"))
            module = meta.relative_to(src).as_posix().removesuffix(".py.meta")
            out[module] = {n: _status(c) for n, c in data.get("exit_code_by_key", {}).items()}
    return out


def _to_run(packages: list[str], mode: str) -> list[str]:
    """Mutant names (or wildcards) for mutmut: named mutants are always (re)tested."""
    results = _results(packages)
    if mode == "fresh" or not results:
        return [f"modelduel.{p}.*" for p in packages]
    wanted = {"not checked"} if mode == "resume" else {"survived", "no tests"}
    return sorted(n for r in results.values() for n, status in r.items() if status in wanted)


def _status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return str(status_by_exit_code[code])


def report(packages: list[str], *, survivors: bool) -> None:
    """Print killed/total per module (and overall) from `mutants/**/*.meta`."""
    results = _results(packages)
    if not results:
        print("no results yet: run `python bench/mutation.py core` first")
        return
    total = Counter[str]()
    print(f"{'module':<40} {'killed':>7} {'survived':>9} {'no tests':>9} {'other':>6} {'score':>7}")
    for module, statuses in sorted(results.items()):
        counts = Counter(statuses.values())
        total.update(counts)
        print(_line(module, counts))
    print(_line("all", total))
    if total["not checked"]:
        print(f"({total['not checked']} mutants not checked yet: run again to resume)")
    if survivors:
        print("\nsurvivors (mutmut show NAME for the diff):")
        for statuses in results.values():
            for name in sorted(n for n, status in statuses.items() if status == "survived"):
                print(" ", name)


def _line(label: str, counts: Counter[str]) -> str:
    killed = counts["killed"] + counts["timeout"] + counts["caught by type check"]
    survived, no_tests = counts["survived"], counts["no tests"]
    other = sum(counts.values()) - killed - survived - no_tests - counts["not checked"]
    tested = killed + survived + no_tests
    score = f"{killed / tested:.0%}" if tested else "-"
    return f"{label:<40} {killed:>7} {survived:>9} {no_tests:>9} {other:>6} {score:>7}"


def main() -> int:
    """Run mutmut over the chosen packages, then print the score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "packages", nargs="*", help="core, providers, storage, all, or a module (core.routing)"
    )
    parser.add_argument("--workers", type=int, default=1, help="mutants tested at once (1)")
    parser.add_argument("--report", action="store_true", help="only print the last results")
    parser.add_argument("--survivors", action="store_true", help="also list surviving mutants")
    parser.add_argument(
        "--sample", type=int, metavar="N", help="test N random mutants a package (or module)"
    )
    parser.add_argument("--seed", type=int, default=11, help="the sample's seed (11)")
    parser.add_argument(
        "--keep-stats",
        action="store_true",
        help="reuse the last record of which tests run which function (no test changed)",
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--fresh", action="store_true", help="test every mutant again")
    how.add_argument(
        "--retest-survivors",
        action="store_true",
        help="test again only what survived or had no tests (after adding tests)",
    )
    args = parser.parse_args()
    chosen = list(PACKAGES) if "all" in args.packages or not args.packages else args.packages
    unknown = [p for p in chosen if p.split(".")[0] not in PACKAGES]
    if unknown:
        parser.error(f"unknown package {unknown[0]!r}: choose from {', '.join(PACKAGES)} or all")
    if not args.report:
        mode = "fresh" if args.fresh else "survivors" if args.retest_survivors else "resume"
        names = (
            _sample(chosen, args.sample, args.seed)
            if args.sample and mode == "resume"
            else _to_run(chosen, mode)
        )
        if names:
            code = _run_mutmut(names, args.workers, keep_stats=args.keep_stats)
            if code != 0:
                print(f"mutmut exited with {code}", file=sys.stderr)
                return code
    report(chosen, survivors=args.survivors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
