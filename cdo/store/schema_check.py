"""Trust no database file: its schema must be exactly what this cdo's migrations create.

A file restored from elsewhere (or edited with another program) could carry its own
triggers (one that empties the audit log on every write), views or altered tables. The
schema it should have is what running the migrations it records as applied gives on a
fresh in-memory database. For a database that has had all of this cdo's migrations, in
order (every file, once opened by this cdo), that result is kept in data/schema.json:
running twelve migrations costs ~13 ms, a tenth of a command. tests/test_trust.py fails
when the file no longer matches the migrations; `python -m cdo.store.schema_check`
writes it again.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from typing import NamedTuple

from cdo.errors import CdoError

# Objects SQLite itself makes (AUTOINCREMENT, ANALYZE / PRAGMA optimize): no SQL of ours.
SQLITE_OWN = ("sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4")
# The table `cdo demo` marks its database with (so it never overwrites a real one).
DEMO_MARKER_SQL = "CREATE TABLE demo_marker (built_at TEXT)"
EXTRA_ALLOWED = {("table", "demo_marker"): DEMO_MARKER_SQL}
MIGRATIONS_TABLE = "_sqlite_migrations"

KIND_NAMES = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}


class UnknownMigrationError(CdoError):
    """The database records a migration this cdo does not have (a newer cdo made it)."""

    def __init__(self, names: list[str]):
        self.names = names
        super().__init__("、".join(names))


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """The cdo migrations the database records as applied, in the order applied."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone()
    if not found:
        return []
    return [r[0] for r in conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = 'cdo' ORDER BY rowid")]


class Snapshot(NamedTuple):
    migrations: tuple[str, ...]  # every migration of this cdo, in the order registered
    schema: dict[tuple[str, str], str | None]  # what running them gives


SNAPSHOT_FILE = "schema.json"


@cache
def snapshot() -> Snapshot:
    """The schema all of this cdo's migrations give (data/schema.json)."""
    from cdo.paths import data_dir

    data = json.loads((data_dir() / SNAPSHOT_FILE).read_text(encoding="utf-8"))
    return Snapshot(tuple(data["migrations"]),
                    {(kind, name): sql for kind, name, sql in data["schema"]})


def snapshot_of_migrations() -> dict:
    """data/schema.json as the migrations give it now."""
    from cdo.store.schema import migrations

    names = tuple(m.name for m in migrations._migrations)
    schema = expected_schema(names)
    return {"migrations": list(names),
            "schema": [[kind, name, schema[kind, name]] for kind, name in sorted(schema)]}


def unknown_migrations(conn: sqlite3.Connection) -> list[str]:
    """Migrations recorded in the database that this cdo does not know."""
    from cdo.store.schema import migrations

    known = {m.name for m in migrations._migrations}
    return [name for name in applied_migrations(conn) if name not in known]


@cache
def expected_schema(applied: tuple[str, ...]) -> dict[tuple[str, str], str | None]:
    """{(type, name): sql} of a fresh database on which exactly `applied` were run, in that
    order: the order the database ran them (a migration merged later may have run after
    one registered after it, and two ALTER TABLEs give a different text in another order)."""
    from sqlite_utils import Database, Migrations

    from cdo.store.schema import migrations

    by_name = {m.name: m for m in migrations._migrations}
    subset = Migrations(migrations.name)
    subset._migrations = [by_name[name] for name in applied]
    db = Database(memory=True)
    subset.apply(db)
    schema = _schema_of(db.conn)
    db.close()
    return schema


def _schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], str | None]:
    # Text read as bytes: a schema scribbled over with an invalid UTF-8 byte is reported,
    # not a UnicodeDecodeError.
    rows = conn.execute(
        "SELECT type, CAST(name AS BLOB), CAST(sql AS BLOB) FROM sqlite_master").fetchall()
    out: dict[tuple[str, str], str | None] = {}
    for kind, name, sql in rows:
        key = (kind, name.decode("utf-8", "replace"))
        out[key] = None if sql is None else sql.decode("utf-8", "replace")
        if "\ufffd" in key[1] or "\ufffd" in (out[key] or ""):
            raise DamagedSchemaError("结构说明里有无法识别的字节")
    return out


class DamagedSchemaError(Exception):
    """The schema text itself cannot be read (the file is damaged); message in Chinese."""


def schema_differences(conn: sqlite3.Connection) -> list[str]:
    """How the schema of `conn` differs from the one this cdo creates, in Chinese phrases
    (empty: identical). Raises UnknownMigrationError for a newer cdo's database and
    DamagedSchemaError for one whose schema cannot be read."""
    try:
        recorded = applied_migrations(conn)
        current = tuple(recorded) == snapshot().migrations
        unknown = [] if current else unknown_migrations(conn)
        applied = tuple(dict.fromkeys(recorded))
    except (sqlite3.OperationalError, UnicodeDecodeError):
        raise DamagedSchemaError("结构说明无法读取") from None
    if unknown:
        raise UnknownMigrationError(unknown)
    actual = _schema_of(conn)
    if not applied:
        if not actual:
            return []  # a new, empty file: the migrations will create everything
        return ["没有 cdo 建库的记录（不是 cdo 建立的数据库）"]
    expected = snapshot().schema if current else expected_schema(applied)
    diffs = []
    for key, sql in sorted(actual.items()):
        kind, name = key
        if key in expected:
            if sql != expected[key] and name != MIGRATIONS_TABLE:
                diffs.append(f"{KIND_NAMES.get(kind, kind)} {name} 的定义被改过")
        elif kind == "table" and name in SQLITE_OWN:
            continue
        elif key in EXTRA_ALLOWED and sql == EXTRA_ALLOWED[key]:
            continue
        else:
            diffs.append(f"多出{KIND_NAMES.get(kind, kind)} {name}")
    diffs += [f"缺少{KIND_NAMES.get(kind, kind)} {name}"
              for (kind, name) in sorted(expected) if (kind, name) not in actual]
    return diffs


def describe(diffs: list[str], limit: int = 3) -> str:
    """'多出触发器 wipe；缺少索引 units_short' (the first few, and how many more)."""
    text = "；".join(diffs[:limit])
    if len(diffs) > limit:
        text += f" 等 {len(diffs)} 处"
    return text


if __name__ == "__main__":  # python -m cdo.store.schema_check: write data/schema.json again
    from cdo.paths import data_dir

    target = data_dir() / SNAPSHOT_FILE
    snap = snapshot_of_migrations()
    lines = [json.dumps(entry, ensure_ascii=False) for entry in snap["schema"]]
    target.write_text(f'{{"migrations": {json.dumps(snap["migrations"])},\n "schema": [\n  '
                      + ",\n  ".join(lines) + "\n]}\n", encoding="utf-8")
    print(f"wrote {target}")
