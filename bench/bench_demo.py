"""Benchmark: ordinary commands on the demo database, beside `sqlite-utils tables DB
--counts` on the same file, and (with --also PYTHON) the same commands run by another
Python environment, e.g. one with pandas and numpy installed.

Commands run in rounds (each command once per round, --runs rounds) so that a busy
machine slows all of them alike; medians, whole process. Wall time and CPU time (user +
system, from the kernel's rusage) are both shown: on a shared machine the CPU time is
the steadier of the two.

    python bench/bench_demo.py [--runs 15] [--also /tmp/cdo-bench-venv-pandas/bin/python]

Goals (issue 11): every ordinary command within 1.5× of the sqlite-utils yardstick; with
pandas installed, no command more than 30 ms slower.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = [
    ["--help"],
    ["calendar", "deadline", "2023-09-27", "30"],
    ["calendar", "show", "2023-10"],
    ["calendar", "years"],
    ["units", "list"],
    ["register", "list"],
    ["register", "missing", "--as-of", "2023-12-31"],
    ["spotcheck", "list", "--format", "json"],
    ["rectify", "list", "--as-of", "2023-12-29"],
    ["report", "overdue", "--as-of", "2023-12-29"],
    ["report", "overdue", "--as-of", "2023-12-29", "--format", "json"],
    ["report", "monthly", "--month", "2023-09", "--as-of", "2023-12-29"],
    ["score", "--year", "2023"],
    ["score", "--year", "2023", "--format", "json"],
    ["duty", "list", "--year", "2023"],
    ["log"],
    ["register", "show", "通川区"],
    ["report", "trend", "--year", "2023"],
    ["score", "suggest", "--year", "2023"],
    ["score", "imports", "--year", "2023"],
    ["evidence", "gaps", "--year", "2023"],
]


def sibling(python: str, tool: str) -> str:
    """The console script `tool` installed beside `python`, else on PATH."""
    path = Path(python).parent / tool
    return str(path) if path.exists() else (shutil.which(tool) or tool)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--also", help="another environment's python to time beside this one")
    args = ap.parse_args()
    pythons = [sys.executable] + ([args.also] if args.also else [])
    work = Path(tempfile.mkdtemp(prefix="cdo-bench-demo-"))
    db = work / "cdo-demo.db"
    subprocess.run([sibling(sys.executable, "cdo"), "demo"], cwd=work,
                   capture_output=True, check=True)
    cases: dict[tuple[int, str], list[str]] = {}
    for i, py in enumerate(pythons):
        cases[(i, "sqlite-utils tables DB --counts")] = [
            sibling(py, "sqlite-utils"), "tables", str(db), "--counts"]
        for c in COMMANDS:
            cases[(i, "cdo " + " ".join(c))] = [py, "-m", "cdo", "--db", str(db), *c]
    wall: dict[tuple[int, str], list[float]] = {k: [] for k in cases}
    cpu: dict[tuple[int, str], list[float]] = {k: [] for k in cases}
    for cmd in cases.values():  # warm the file cache and .pyc files
        subprocess.run(cmd, capture_output=True, cwd=work)
    for _ in range(args.runs):
        for key, cmd in cases.items():
            t = time.perf_counter()
            p = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            wall[key].append(time.perf_counter() - t)
            cpu[key].append(usage.ru_utime + usage.ru_stime)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"failed: {' '.join(cmd)}")
    print(f"demo database {db}; medians of {args.runs} rounds, milliseconds")
    if args.also:
        print(f"this python: {sys.executable}\nalso:        {args.also}")
    for title, times in (("CPU time (user + system)", cpu), ("wall time", wall)):
        _table(title, {k: statistics.median(v) * 1000 for k, v in times.items()},
               [name for (i, name) in cases if i == 0], bool(args.also))
    shutil.rmtree(work, ignore_errors=True)


def _table(title: str, med: dict, names: list[str], also: bool) -> None:
    head = f"{title:58s} {'ms':>6s} {'× yardstick':>11s}"
    if also:
        head += f" {'also ms':>8s} {'× yardstick':>11s} {'Δ ms':>6s}"
    print()
    print(head)
    worst_ratio, worst_delta = 0.0, 0.0
    for name in names:
        a = med[(0, name)]
        ya = med[(0, "sqlite-utils tables DB --counts")]
        line = f"{name:58s} {a:6.0f} {a / ya:10.2f}×"
        if name.startswith("cdo ") and name != "cdo --help":
            worst_ratio = max(worst_ratio, a / ya)
        if also:
            b = med[(1, name)]
            yb = med[(1, "sqlite-utils tables DB --counts")]
            line += f" {b:8.0f} {b / yb:10.2f}× {b - a:+6.0f}"
            if name.startswith("cdo "):
                worst_delta = max(worst_delta, b - a)
        print(line)
    print(f"worst ordinary command: {worst_ratio:.2f}× the yardstick (goal 1.5×)")
    if also:
        print(f"worst slow-down in the other environment: {worst_delta:+.0f} ms (goal 30 ms)")


if __name__ == "__main__":
    main()
