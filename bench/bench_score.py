"""Benchmark: the annual ranking over 2,000 units × 15 items.

Builds a database (units by SQL; the points through `cdo score import` of one 2,000-row
spreadsheet, so the importer is timed too; a few units left incomplete, ties included),
then times whole commands with time.perf_counter around subprocess.run, beside
`sqlite-utils --help` as a yardstick.

    python bench/bench_score.py [--dir /tmp/cdo-bench-score] [--runs 5] [--keep]

Target (PRODUCT.md): `cdo score --year Y` over 2,000 units within 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

UNITS = 2_000
YEAR = 2023


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        out.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return out


def build(folder: Path) -> tuple[Path, float]:
    """The database with 2,000 units, and the seconds `cdo score import` took."""
    import openpyxl

    from cdo import scoring
    from cdo.store.db import open_db, transaction

    db_path = folder / "bench.db"
    db = open_db(db_path)
    cats = ["region", "department", "enterprise", "institution"]
    now = dt.datetime.now().isoformat(timespec="seconds")
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO units (name, short, category, created_at) VALUES (?,?,?,?)",
            [(f"达州市测试单位{i:04d}", f"测试{i:04d}", cats[i % 4], now) for i in range(UNITS)],
        )
    db.conn.close()

    rng = random.Random(2023)
    table = scoring.load_table()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("评分")
    ws.append(["单位", *table.numbers])
    for i in range(UNITS):
        row: list = [f"测试{i:04d}"]
        for item in table.items:
            row.append(rng.randint(int(item.max * 0.5) * 2, int(item.max) * 2) / 2)
        if i % 250 == 7:  # a few incomplete units: third-party score still missing
            row[-1] = None
        ws.append(row)
    grid = folder / "points.xlsx"
    wb.save(grid)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "cdo", "--db", str(db_path), "score", "import",
                        str(grid), "--year", str(YEAR)], capture_output=True, text=True)
    took = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"import failed:\n{r.stderr}")
    return db_path, took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="/tmp/cdo-bench-score")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    folder = Path(args.dir)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    db_path, import_s = build(folder)
    print(f"built {UNITS} units × 15 items; `cdo score import` of the 2,000-row sheet: "
          f"{import_s:.2f} s")
    cdo = [sys.executable, "-m", "cdo", "--db", str(db_path)]
    cases = {
        "sqlite-utils --help (yardstick)": ["sqlite-utils", "--help"],
        "cdo --help": [*cdo, "--help"],
        f"cdo score --year {YEAR}": [*cdo, "score", "--year", str(YEAR)],
        f"cdo score --year {YEAR} --format json": [*cdo, "score", "--year", str(YEAR),
                                                   "--format", "json"],
        f"cdo score --year {YEAR} --format csv": [*cdo, "score", "--year", str(YEAR),
                                                  "--format", "csv"],
    }
    worst = 0.0
    for name, cmd in cases.items():
        times = timed(cmd, args.runs)
        med = statistics.median(times)
        if name.startswith("cdo score"):
            worst = max(worst, med)
        print(f"{name:45s} median {med:.3f} s  (min {min(times):.3f}, max {max(times):.3f})")
    verdict = "met" if worst <= 1.0 else "NOT met"
    print(f"target: within 1 s — {verdict} (worst median {worst:.3f} s)")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
