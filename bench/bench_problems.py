"""Benchmark: problems at scale — 2,000 units, 200,000 problems.

Builds a database (units by SQL, problems through `cdo spotcheck new` in twenty
10,000-row lists, states set through the domain functions), then times whole commands
with time.perf_counter around subprocess.run, beside `sqlite-utils --help` as a yardstick.

    python bench/bench_problems.py [--dir /tmp/cdo-bench] [--runs 5] [--keep]

Targets (PRODUCT.md): a 10,000-row list imported within 5 s; `cdo report overdue
--format json` over 200,000 problems within 1.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

UNITS = 2_000
LISTS = 20
ROWS = 10_000
DIMS = ["准确性", "时效性", "完整性", "规范性"]
AS_OF = "2024-10-31"


def cdo(db: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    cmd = [sys.executable, "-m", "cdo", "--db", str(db), *args]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{r.stderr}")
    return elapsed, r


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append(time.perf_counter() - t)
    return out


def build_units(db_path: Path, work: Path) -> list[str]:
    """2,000 units through `cdo units import`; CDO rows straight into the table."""
    from cdo.store.db import open_db, transaction

    cats = ["县市区", "市级部门", "国有企业", "公共服务机构"]
    names = [f"达州市测试单位{i:04d}" for i in range(UNITS)]
    listing = work / "units.csv"
    listing.write_text(
        "单位名称,简称,类别\n"
        + "".join(f"{n},测试{i:04d},{cats[i % 4]}\n" for i, n in enumerate(names)),
        encoding="utf-8",
    )
    el, _ = cdo(db_path, "units", "import", str(listing))
    print(f"  units import ({UNITS:,} rows): {el:.2f} s")
    db = open_db(db_path)
    now = dt.datetime.now().isoformat(timespec="seconds")
    with transaction(db):
        # a current CDO for most units, an ended one for some
        db.conn.executemany(
            "INSERT INTO cdos (unit_id, name, status, created_at, updated_at)"
            " VALUES (?,?,?,?,?)",
            [(i + 1, f"首席{i:04d}", "ended" if i % 10 == 0 else "appointed", now, now)
             for i in range(UNITS) if i % 7],
        )
    db.conn.close()
    return names


def write_list(path: Path, names: list[str], seed: int) -> None:
    import openpyxl

    rnd = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("问题数据清单")
    ws.append(["抽查问题数据清单"])
    ws.append(["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量", "备注"])
    for i in range(ROWS):
        name = names[rnd.randrange(len(names))]
        short = name if i % 3 else "测试" + name[-4:]
        ws.append([i + 1, short, f"数据资源{rnd.randrange(5000)}", DIMS[i % 4],
                   f"第{i}条：字段缺失或格式不规范", rnd.randrange(1, 5000), None])
    wb.save(path)


def set_states(db_path: Path) -> dict:
    """Most problems closed, some late, some reopened or negotiated, the rest open."""
    from cdo.problems import model as problems
    from cdo.store.db import open_db

    db = open_db(db_path)
    rnd = random.Random(7)
    by_month: dict[str, list[tuple[int, str]]] = {}
    for pid, month, due in db.execute("SELECT id, month, due_on FROM problems"):
        by_month.setdefault(month, []).append((pid, due))
    counts = {"closed": 0, "late": 0, "reopened": 0, "negotiated": 0}
    for _month, rows in sorted(by_month.items()):
        rnd.shuffle(rows)
        n = len(rows)
        due = dt.date.fromisoformat(rows[0][1])
        closed = [p for p, _ in rows[: int(n * 0.70)]]
        late = [p for p, _ in rows[int(n * 0.70): int(n * 0.80)]]
        reopened = [p for p, _ in rows[int(n * 0.80): int(n * 0.83)]]
        negotiated = [p for p, _ in rows[int(n * 0.83): int(n * 0.86)]]
        problems.transition(db, closed, "done", due - dt.timedelta(days=5))
        problems.transition(db, closed, "verify", due - dt.timedelta(days=2))
        problems.transition(db, late, "done", due + dt.timedelta(days=9))
        problems.transition(db, reopened, "done", due - dt.timedelta(days=3))
        problems.transition(db, reopened, "reopen", due + dt.timedelta(days=4))
        problems.transition(db, negotiated, "negotiate", due - dt.timedelta(days=1),
                          until=due + dt.timedelta(days=120))
        counts["closed"] += len(closed)
        counts["late"] += len(late)
        counts["reopened"] += len(reopened)
        counts["negotiated"] += len(negotiated)
    db.conn.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="/tmp/cdo-bench")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="reuse a database built earlier")
    args = ap.parse_args()
    work = Path(args.dir)
    db = work / "bench.db"
    if not (args.keep and db.exists()):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        t0 = time.perf_counter()
        names = build_units(db, work)
        lists = []
        for k in range(LISTS):
            path = work / f"problems-{k:02d}.xlsx"
            write_list(path, names, k)
            lists.append(path)
        print(f"units and {LISTS} lists written in {time.perf_counter() - t0:.1f} s")
        imports = []
        for k, path in enumerate(lists):
            year, month = 2023 + k // 12, k % 12 + 1
            el, _ = cdo(db, "spotcheck", "new", "--month", f"{year}-{month:02d}",
                        "--issued-on", f"{year}-{month:02d}-25", "--file", str(path))
            imports.append(el)
            print(f"  import {k + 1:2d}/{LISTS} ({ROWS:,} rows): {el:.2f} s")
        t1 = time.perf_counter()
        counts = set_states(db)
        print(f"states set in {time.perf_counter() - t1:.1f} s: {counts}")
        shutil.rmtree(work / "backups", ignore_errors=True)  # the imports' safety copies
        print(f"built in {time.perf_counter() - t0:.0f} s; "
              f"import of a 10,000-row list: median {statistics.median(imports):.2f} s, "
              f"max {max(imports):.2f} s (target 5 s)")
    size = db.stat().st_size / 1e6
    print(f"database {db} ({size:.0f} MB)")

    py = sys.executable
    env_cdo = [py, "-m", "cdo", "--db", str(db)]
    cases = [
        ("sqlite-utils --help (yardstick)", [shutil.which("sqlite-utils") or "sqlite-utils",
                                            "--help"]),
        ("cdo --help", [py, "-m", "cdo", "--help"]),
        ("cdo report overdue --format json", [*env_cdo, "report", "overdue", "--as-of", AS_OF,
                                              "--format", "json"]),
        ("cdo report overdue (table)", [*env_cdo, "report", "overdue", "--as-of", AS_OF]),
        ("cdo report monthly --month 2024-03", [*env_cdo, "report", "monthly", "--month",
                                                "2024-03", "--as-of", AS_OF, "-f", "json"]),
        ("cdo rectify list --due-within 10", [*env_cdo, "rectify", "list", "--due-within",
                                              "10", "--as-of", "2024-08-20", "-f", "json"]),
        ("cdo spotcheck list --month 2024-08 -f json", [*env_cdo, "spotcheck", "list",
                                                        "--month", "2024-08", "-f", "json"]),
    ]
    r = subprocess.run(cases[2][1], capture_output=True, text=True, check=True)
    n_overdue = r.stdout.count('"id":')
    print(f"overdue problems as of {AS_OF}: {n_overdue:,}")
    print(f"{'command':45s} {'min':>7s} {'median':>7s}   ({args.runs} runs, whole process)")
    for label, cmd in cases:
        times = timed(cmd, args.runs)
        print(f"{label:45s} {min(times):7.3f} {statistics.median(times):7.3f}")
    if os.environ.get("BENCH_CLEAN"):
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
