"""`cdo demo`: a demo database built from the bundled samples, step by step.

Each capability contributes one step: a function taking the database and returning a
one-line Chinese summary of what it made. Steps run in order in one transaction.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from cdo.errors import CdoError

if TYPE_CHECKING:
    from cdo.store.db import Database

DEMO_DB = "cdo-demo.db"
DEMO_YEAR = 2023

# What the clerk might type next, shown after the demo.
NEXT_COMMANDS = [
    "register list",
    "register missing --as-of 2023-12-31",
    "report overdue --as-of 2023-12-29",
    "calendar deadline 2023-09-27 30 --explain",
    "score --year 2023",
    "evidence show --unit 通川区 --year 2023 --as-of 2024-01-15",
]

# (module, function): each returns a one-line summary. Order matters: units first.
STEPS: list[tuple[str, str]] = [
    ("cdo.roster.units", "load_demo"),
    ("cdo.roster.cdos", "load_demo"),
    ("cdo.roster.duty", "load_demo"),
    ("cdo.problems.importer", "load_demo"),
    ("cdo.evaluation.evidence", "load_demo"),
    ("cdo.evaluation.points", "load_demo"),  # scores use the records above
    ("cdo.evaluation.evidence_view", "load_demo"),  # item 17 over the demo points
]


def demo_path(explicit: str | None) -> Path:
    """Where the demo goes: --db / $CDO_DB if given, else ./cdo-demo.db."""
    return Path(explicit or os.environ.get("CDO_DB") or DEMO_DB)


def prepare(path: Path) -> None:
    """Remove an earlier demo database at `path`, or one that holds nothing (a demo
    interrupted before it saved anything); refuse to touch one with data."""
    if not path.exists():
        return
    import sqlite3

    try:
        conn = sqlite3.connect(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            disposable = "demo_marker" in tables or not tables or (
                {"audit_log", "units"} <= tables and not conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM units)"
                ).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        disposable = False
    if not disposable:
        raise CdoError(f"{path} 已存在且不是演示数据库，为免覆盖真实数据，请用 --db 指定另一个文件")
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def build_demo(db: Database) -> list[str]:
    """Run every demo step; return their summaries."""
    from cdo.store.db import transaction

    summaries = []
    with transaction(db):
        db.execute("CREATE TABLE demo_marker (built_at TEXT)")
        db.execute("INSERT INTO demo_marker VALUES (datetime('now'))")
        for module, func in STEPS:
            summaries.append(getattr(importlib.import_module(module), func)(db))
    return summaries
