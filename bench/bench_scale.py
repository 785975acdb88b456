"""Benchmark: how cdo grows with the data — 20,000, 200,000 and 1,000,000 problems.

For each size, a database of 2,000 units is built with SQL inserts (not through the CLI:
a million problems would take an hour that way), most problems overdue on AS_OF, a tenth
with events (done, verified, late, negotiated). Then whole commands are timed (median of
--runs, peak memory from the kernel's rusage), each beside the `sqlite3` shell running
the same query on the same file where one applies:

  * `cdo report overdue --format json` and `--format csv`, as of AS_OF (today's path:
    no later events) and as of AS_PAST (events after it are replayed);
  * `cdo spotcheck list --format json` and `--format csv` over all problems;
  * `cdo spotcheck new` of a 10,000-row list (on a copy of the database);
  * `cdo score --year 2024` (the ranking; 2,000 units × 15 items);
  * `cdo report annual --year 2024` (the year's workbook: the year's problems, one row
    each, and 30,000 rows of 评价依据 from the evidence `build_evidence` adds).

    python bench/bench_scale.py [--sizes 20000,200000,1000000] [--runs 3] [--keep]
                                [--only annual,ranking]

Goals (issue 11): overdue JSON/CSV within 1.5× of the sqlite3 shell and under 100 MiB at
200,000 overdue problems; the past-date path within 2× of today's; growth linear.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

UNITS = 2_000
AS_OF = dt.date(2025, 6, 30)
AS_PAST = dt.date(2024, 6, 28)
YEAR = 2024
DIMS = ["accuracy", "timeliness", "completeness", "normativity"]
MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]


GNU_TIME = "/usr/bin/time"


def run(cmd: list[str], stdin: Path | None = None) -> tuple[float, float, float]:
    """Run `cmd` with stdout to /dev/null: (wall seconds, CPU seconds, peak MiB).

    The peak comes from GNU time where installed: the kernel's figure for a direct child
    also counts the memory of this (larger) process it was forked from."""
    gnu = os.path.exists(GNU_TIME)
    t = time.perf_counter()
    with open(stdin or os.devnull, "rb") as inp:
        p = subprocess.Popen([GNU_TIME, "-f", "peak %M"] * gnu + cmd, stdin=inp,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read().decode() if p.stderr else ""
        _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    peak = usage.ru_maxrss
    if gnu:
        peak = int(err.strip().splitlines()[-1].removeprefix("peak "))
    return elapsed, usage.ru_utime + usage.ru_stime, peak / 1024


def measure(cmd: list[str], runs: int, stdin: Path | None = None
            ) -> tuple[float, float, float]:
    """Medians of wall and CPU time, the largest peak memory, over `runs` runs."""
    results = [run(cmd, stdin) for _ in range(runs)]
    return (statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results), max(r[2] for r in results))


def build(path: Path, n: int) -> None:
    """2,000 units with CDOs, n problems over 24 months, a tenth with events, and a
    year of points for the ranking — all with SQL inserts."""
    from cdo import scoring
    from cdo.problems.model import compute_deadline
    from cdo.store import calendar_store
    from cdo.store.db import open_db

    t0 = time.perf_counter()
    db = open_db(path)
    cal = calendar_store.load_calendar(db)
    db.conn.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    now = "2025-01-01T09:00:00+08:00"
    rnd = random.Random(n)
    cats = ["region", "department", "enterprise", "institution"]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO units (id, name, short, category, created_at)"
                     " VALUES (?,?,?,?,?)",
                     [(i + 1, f"达州市测试单位{i:04d}", f"测试{i:04d}", cats[i % 4], now)
                      for i in range(UNITS)])
    conn.executemany("INSERT INTO cdos (unit_id, name, position, status, recommended_on,"
                     " appointed_on, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                     [(i + 1, f"首席{i:04d}", "副局长", "appointed", "2023-03-10",
                       "2023-04-20", now, now) for i in range(UNITS) if i % 7])
    per_month = n // len(MONTHS)
    pid = eid = 0
    for k, month in enumerate(MONTHS):
        issued = dt.date.fromisoformat(month + "-25")
        due = compute_deadline(cal, issued, "spotcheck").due
        conn.execute("INSERT INTO spotchecks (id, month, issued_on, problems, created_at)"
                     " VALUES (?,?,?,?,?)", [k + 1, month, issued.isoformat(), per_month, now])
        problems, events = [], []
        for j in range(per_month if k < len(MONTHS) - 1 else n - pid):
            pid += 1
            state = rnd.random()
            status, rect, closed, until, due_on, late = "open", None, None, None, due, None
            if state < 0.04:  # rectified in time and verified
                status, rect, closed = "closed", due - dt.timedelta(5), due - dt.timedelta(2)
                events += [(eid + 1, pid, "done", rect, None), (eid + 2, pid, "verify", closed,
                                                                None)]
                eid += 2
            elif state < 0.07:  # rectified late
                status, rect = "rectified", due + dt.timedelta(9)
                late = due + dt.timedelta(1)
                events.append((eid + 1, pid, "done", rect, None))
                eid += 1
            elif state < 0.10:  # negotiated before the deadline
                status = "negotiated"
                until = due_on = due + dt.timedelta(120)
                events.append((eid + 1, pid, "negotiate", due - dt.timedelta(1), until))
                eid += 1
            problems.append((
                pid, k + 1, month, "spotcheck", rnd.randrange(UNITS) + 1, f"数据资源{j % 5000}",
                DIMS[j % 4], f"第{j}条：字段缺失或格式不规范", rnd.randrange(1, 5000),
                issued.isoformat(), due_on.isoformat(), due.isoformat(),
                until and until.isoformat(), status, rect and rect.isoformat(),
                closed and closed.isoformat(), late and late.isoformat(), now))
        conn.executemany(
            "INSERT INTO problems (id, spotcheck_id, month, source, unit_id, resource,"
            " dimension, description, records, issued_on, due_on, original_due_on,"
            " negotiated_until, status, rectified_on, closed_on, first_late_on, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", problems)
        conn.executemany(
            "INSERT INTO problem_events (id, problem_id, action, on_date, until_on,"
            " created_at) VALUES (?,?,?,?,?,?)",
            [(e, p, a, on.isoformat(), u and u.isoformat(), now) for e, p, a, on, u in events])
    table = scoring.load_table()
    conn.executemany(
        "INSERT INTO scores (year, unit_id, item, points, updated_at) VALUES (?,?,?,?,?)",
        [(YEAR, u + 1, item.no, rnd.randint(int(item.max * 0.5) * 2, int(item.max) * 2) / 2,
          now) for u in range(UNITS) for item in table.items])
    build_evidence(conn, rnd, now)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    print(f"  built {n:,} problems in {time.perf_counter() - t0:.1f} s "
          f"({path.stat().st_size / 1e6:.0f} MB)", flush=True)


def build_evidence(conn: sqlite3.Connection, rnd: random.Random, now: str) -> None:
    """The records behind the year's evaluation, as a province's office would hold them
    (what `report annual` and `score suggest` read): two data specialists a unit, 10
    meetings and trainings of YEAR with every unit's attendance, work plans and
    summaries, a resource catalogue of 20 entries and a list of 5 systems a unit, 5 tasks
    and a project a unit, and a quality check a unit every month of YEAR."""
    from cdo.sheets.read import normalize_label

    units = range(1, UNITS + 1)
    conn.executemany(
        "INSERT INTO specialists (unit_id, name, phone, added_on) VALUES (?,?,?,?)",
        [(u, f"专员{u:04d}{k}", f"1380000{u:04d}", "2023-05-01") for u in units for k in "甲乙"])
    meetings = [(m + 1, "training" if m % 3 == 2 else "meeting",
                 f"{YEAR}-{m + 2:02d}-15", f"首席数据官工作推进会第{m + 1}次") for m in range(10)]
    conn.executemany("INSERT INTO meetings (id, kind, held_on, title, created_at)"
                     " VALUES (?,?,?,?,?)", [(*m, now) for m in meetings])
    statuses = ["present"] * 14 + ["deputy", "deputy", "excused", "absent"]
    conn.executemany(
        "INSERT INTO attendance (meeting_id, unit_id, status) VALUES (?,?,?)",
        [(m[0], u, rnd.choice(statuses)) for m in meetings for u in units if rnd.random() < 0.95])
    conn.executemany(
        "INSERT INTO duty_reports (unit_id, year, kind, received_on, created_at)"
        " VALUES (?,?,?,?,?)",
        [(u, YEAR, kind, f"{YEAR + (kind == 'summary')}-{1 + rnd.randrange(2):02d}-"
          f"{1 + rnd.randrange(28):02d}", now)
         for u in units for kind in ("plan", "summary") if rnd.random() < 0.9])
    shares = ["unconditional", "conditional", "none"]
    grades = ["general", "important", "core"]
    conn.executemany(
        "INSERT INTO catalog_versions (id, unit_id, received_on, entries, created_at)"
        " VALUES (?,?,?,?,?)", [(u, u, f"{YEAR}-03-{1 + u % 28:02d}", 20, now) for u in units])
    conn.executemany(
        "INSERT INTO catalog_entries (version_id, name, name_key, frequency, share, open,"
        " dictionary, grade, row) VALUES (?,?,?,?,?,?,?,?,?)",
        [(u, name, normalize_label(name), rnd.choice(["每日", "每月", None]),
          rnd.choice(shares), rnd.choice(shares), rnd.randrange(2), rnd.choice(grades), k + 2)
         for u in units for k in range(20)
         for name in [f"数据资源{rnd.randrange(5000)}"]])
    conn.executemany(
        "INSERT INTO system_lists (id, unit_id, received_on, created_at) VALUES (?,?,?,?)",
        [(u, u, f"{YEAR}-04-{1 + u % 28:02d}", now) for u in units])
    conn.executemany(
        "INSERT INTO systems (list_id, name, kind, connected, connected_on, row)"
        " VALUES (?,?,?,?,?,?)",
        [(u, f"业务系统{k}", "self" if k < 3 else "line", c, f"{YEAR}-06-30" if c else None, k + 2)
         for u in units for k in range(5) for c in [int(rnd.random() < 0.7)]])
    tasks = [("share", k) for k in range(3)] + [("return", 0), ("open-plan", 0)]
    conn.executemany(
        "INSERT INTO evidence_tasks (list, unit_id, content, content_key, due_on, done_on,"
        " created_at) VALUES (?,?,?,?,?,?,?)",
        [(kind, u, text, normalize_label(text), f"{YEAR}-{3 + 2 * k:02d}-30",
          f"{YEAR}-{2 + 2 * k:02d}-{1 + rnd.randrange(28):02d}" if rnd.random() < 0.8 else None,
          now) for u in units for kind, k in tasks
         for text in [f"{'共享' if kind == 'share' else '回流'}任务{k + 1}：数据资源{u % 5000}"]])
    conn.executemany(
        "INSERT INTO projects (unit_id, name, name_key, kind, stage, approved_on, online_on,"
        " typical, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(u, name, normalize_label(name), "application", "running", f"{YEAR}-02-01",
          f"{YEAR}-08-01", int(u % 10 == 0), now, now)
         for u in units if u % 2 for name in [f"数据应用示范{u:04d}"]])
    conn.executemany(
        "INSERT INTO quality_checks (month, unit_id, resource, checked, nulls, wrong,"
        " created_at) VALUES (?,?,?,?,?,?,?)",
        [(f"{YEAR}-{m:02d}", u, f"数据资源{u % 5000}", 1000, rnd.randrange(50),
          rnd.randrange(30), now) for u in units for m in range(1, 13)])


def write_list(path: Path, seed: int, rows: int = 10_000) -> None:
    import openpyxl

    rnd = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("问题数据清单")
    ws.append(["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量"])
    for i in range(rows):
        ws.append([i + 1, f"达州市测试单位{rnd.randrange(UNITS):04d}", f"数据资源{i}",
                   ["准确性", "时效性", "完整性", "规范性"][i % 4], f"第{i}条：格式不规范",
                   rnd.randrange(1, 5000)])
    wb.save(path)


def floor_script(db_path: Path, folder: Path, kind: str) -> Path:
    """An sqlite3 shell script running cdo's own query for `kind` on the same file:
    the same temporary tables (filled here), the same SELECT, rows printed as read — the
    JSON texts as cdo's SQL makes them (phones unmasked: the shell cannot mask), the CSV
    fields as plain columns in the shell's own CSV mode."""
    from cdo.problems import model, reports
    from cdo.store import calendar_store
    from cdo.store.db import open_db

    db = open_db(db_path, migrate=False)
    cal = calendar_store.load_calendar(db)
    model.prepare_as_of(db, AS_OF, cal)
    days = db.conn.execute("SELECT due, n FROM temp.cdo_overdue_days").fetchall()
    day = f"'{AS_OF.isoformat()}'"
    if kind in ("overdue-json", "overdue-csv"):
        if kind == "overdue-json":
            pairs = [f"'{k}', {v}" for k, v in reports._OVERDUE_VALUES]
            pairs[model.PROBLEM_KEYS.index("provisional")] = (
                "'provisional', json(CASE WHEN p.provisional THEN 'true' ELSE 'false' END)")
            cols = f"json_object({', '.join(pairs)})"
        else:
            cols = ", ".join(v for _, v in reports._OVERDUE_VALUES)
        sql = reports._overdue_query(False, cols, AS_OF)
    elif kind == "list-json":  # the problem list, every problem
        sql = _list_json_sql(db, cal)
    else:
        sql, _ = model._problem_list_query(
            db, AS_OF, cal, lambda values: ", ".join(v for _, v in values), {})
    db.conn.close()
    sql = sql.replace(":day", day)
    sql = sql.replace("cdo_overdue_days(", "coalesce(NULL, ")  # the shell has no callback
    head = ".mode csv\n.headers on\n" if kind.endswith("csv") else ".mode list\n"
    text = (head
            + "CREATE TEMP TABLE cdo_overdue_days (due TEXT PRIMARY KEY, n INTEGER NOT NULL)"
            " WITHOUT ROWID;\n"
            + "CREATE TEMP TABLE cdo_then (id INTEGER PRIMARY KEY, status TEXT, due_on TEXT,"
            " rectified_on TEXT, closed_on TEXT, negotiated_until TEXT);\n"
            + "INSERT INTO cdo_overdue_days VALUES "
            + ",".join(f"('{d}',{k})" for d, k in days) + ";\n" + sql + ";\n")
    script = folder / f"floor-{kind}.sql"
    script.write_text(text, encoding="utf-8")
    return script


def _list_json_sql(db, cal) -> str:
    """The SQL cdo's `spotcheck list --format json` runs, but for masking phones (the shell
    cannot): the same texts, laid out the same way."""
    from cdo.output import json_element_sql
    from cdo.problems import model

    sql, _ = model._problem_list_query(
        db, AS_OF, cal,
        lambda values: json_element_sql(values, model.BOOLEAN_KEYS, show_contact=True,
                                        checked=db.has_odd_values()), {})
    return sql


def bench_size(n: int, folder: Path, runs: int, keep: bool, only: set[str] | None = None
               ) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"problems-{n}.db"
    if not (keep and db.exists()):
        for f in folder.glob(f"problems-{n}.db*"):
            f.unlink()
        build(db, n)
    conn = sqlite3.connect(db)
    overdue = conn.execute(
        "SELECT COUNT(*) FROM problems WHERE status IN ('open','negotiated') AND due_on < ?",
        [AS_OF.isoformat()]).fetchone()[0]
    replayed = conn.execute("SELECT COUNT(DISTINCT problem_id) FROM problem_events"
                            " WHERE on_date > ?", [AS_PAST.isoformat()]).fetchone()[0]
    year_rows = conn.execute("SELECT COUNT(*) FROM problems WHERE month LIKE ?",
                             [f"{YEAR}-%"]).fetchone()[0]
    conn.close()
    py = sys.executable
    cdo = [py, "-m", "cdo", "--db", str(db)]
    sqlite = [shutil.which("sqlite3") or "sqlite3", "-readonly", str(db)]
    out: dict = {"n": n, "overdue": overdue, "replayed": replayed, "year rows": year_rows}
    cases = {
        "overdue json": [*cdo, "report", "overdue", "--as-of", str(AS_OF), "-f", "json"],
        "overdue csv": [*cdo, "report", "overdue", "--as-of", str(AS_OF), "-f", "csv"],
        "overdue json past": [*cdo, "report", "overdue", "--as-of", str(AS_PAST), "-f", "json"],
        "list json": [*cdo, "spotcheck", "list", "--as-of", str(AS_OF), "-f", "json"],
        "list csv": [*cdo, "spotcheck", "list", "--as-of", str(AS_OF), "-f", "csv"],
        "ranking": [*cdo, "score", "--year", str(YEAR), "-f", "json"],
        "annual": [*cdo, "report", "annual", "--year", str(YEAR), "--as-of", str(AS_OF),
                   "-o", str(folder / "annual.xlsx"), "--force"],
    }
    for name, cmd in cases.items():
        if only is None or name in only:
            out[name] = measure(cmd, runs)
    if only is not None:
        return out
    floors = {"overdue json": "overdue-json", "overdue csv": "overdue-csv",
              "list json": "list-json", "list csv": "list-csv"}
    for name, kind in floors.items():
        out[name + " floor"] = measure(sqlite, runs, floor_script(db, folder, kind))
    rank_sql = folder / "floor-ranking.sql"
    rank_sql.write_text(
        ".mode list\nSELECT u.name, u.category, SUM(s.points) AS total, COUNT(*) = 15"
        f" FROM units u LEFT JOIN scores s ON s.unit_id = u.id AND s.year = {YEAR}"
        " GROUP BY u.id ORDER BY total DESC, u.name;\n", encoding="utf-8")
    out["ranking floor"] = measure(sqlite, runs, rank_sql)
    # a 10,000-row list imported into a copy of the database (the import backs it up first)
    copy = folder / "import-copy.db"
    shutil.copyfile(db, copy)
    listing = folder / "list-10000.xlsx"
    if not listing.exists():
        write_list(listing, 1)
    out["import"] = run([py, "-m", "cdo", "--db", str(copy), "spotcheck", "new", "--month",
                         "2025-01", "--issued-on", "2025-01-27", "--file", str(listing)])
    for f in folder.glob("import-copy.db*"):
        f.unlink()
    shutil.rmtree(folder / "backups", ignore_errors=True)
    return out


def report(results: list[dict]) -> None:
    def cell(r, key):
        wall, cpu, mib = r[key]
        return f"{wall:.2f} s ({cpu:.2f} s CPU), {mib:.0f} MiB"

    print()
    print("| problems (overdue) | what | cdo: wall (CPU), peak memory | sqlite3 shell | ratio "
          "(CPU) |")
    print("|---|---|---|---|---|")
    for r in results:
        label = f"{r['n']:,} ({r['overdue']:,})"
        for key, what in [("overdue json", "`report overdue -f json`"),
                          ("overdue csv", "`report overdue -f csv`"),
                          ("overdue json past", f"… as of {AS_PAST} ({r['replayed']:,} replayed)"),
                          ("list json", "`spotcheck list -f json` (all)"),
                          ("list csv", "`spotcheck list -f csv` (all)"),
                          ("ranking", "`score --year` (2,000 units)"),
                          ("annual", f"`report annual` ({r['year rows']:,} problems of {YEAR})"),
                          ("import", "`spotcheck new`, 10,000 rows")]:
            if key not in r:
                continue
            floor = r.get(key + " floor")
            if key == "overdue json past" and "overdue json" in r:
                ratio = f"{r[key][1] / r['overdue json'][1]:.2f}× today's path"
            elif floor:
                ratio = f"{r[key][1] / floor[1]:.2f}×"
            else:
                ratio = ""
            print(f"| {label} | {what} | {cell(r, key)} | "
                  f"{cell(r, key + ' floor') if floor else ''} | {ratio} |")
            label = ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="/tmp/cdo-bench-scale")
    ap.add_argument("--sizes", default="20000,200000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="reuse databases built earlier")
    ap.add_argument("--only", help="time only these commands (e.g. annual,ranking), no floors")
    args = ap.parse_args()
    folder = Path(args.dir)
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"== {n:,} problems", flush=True)
        only = set(args.only.split(",")) if args.only else None
        results.append(bench_size(n, folder, args.runs, args.keep, only))
        report(results[-1:])
    print(f"\nAll sizes (median of {args.runs} runs, whole process; ratios of CPU time, the "
          "steadier figure on a shared machine):")
    report(results)
    if os.environ.get("BENCH_CLEAN"):
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
