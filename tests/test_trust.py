"""Issue 14: a failing command changes nothing; only cdo's own schema is opened or restored;
a newer cdo's database is read-only; --db names a regular file; disk full, read-only files,
damaged schema text and undecodable arguments are one Chinese line, exit 1."""

import os
import re
import sqlite3

import pytest

from cdo.errors import CdoError
from cdo.roster.units import add_unit
from cdo.sheets.forms import build_form
from cdo.store import db as store_db
from cdo.store.db import open_db


def dump(path):
    """Everything in the database, as SQL text."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def refused(r, *words):
    assert r.exit_code == 1, (r.exit_code, r.stdout, r.stderr, r.exception)
    assert r.stderr.startswith("cdo: "), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert re.search(r"[\u4e00-\u9fff]", r.stderr)
    for w in words:
        assert w in r.stderr, (w, r.stderr)


@pytest.fixture
def live(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_unit(db, "达州市公安局", "department", "市公安局")
    db.conn.close()
    return db_path


@pytest.fixture
def with_cdo(cli, live, tmp_path):
    form = tmp_path / "form.xlsx"
    build_form({"name": "王建军", "gender": "男", "phone": "13908180001",
                "position": "达州市教育局副局长", "recommendation": "同意推荐。"}).save(form)
    r = cli("register", "import", form, "--received", "2023-05-25")
    assert r.exit_code == 0, r.stderr
    return live


# ----------------------------------------------------------------------------- 14.1


def test_a_command_that_fails_after_writing_leaves_the_database_as_it_was(cli, with_cdo):
    before = dump(with_cdo)
    r = cli("register", "end", "达州市教育局", "--on", "5954-02-18")
    refused(r)
    assert dump(with_cdo) == before
    r = cli("register", "list", "-f", "json")
    assert '"status": "recommended"' in r.stdout


def test_writes_are_committed_when_the_command_succeeds(cli, with_cdo):
    r = cli("register", "end", "达州市教育局", "--on", "2024-02-18", "--reason", "调动")
    assert r.exit_code == 0, r.stderr
    conn = sqlite3.connect(with_cdo)
    assert conn.execute("SELECT status, ended_on FROM cdos").fetchone() == ("ended", "2024-02-18")
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action='end'").fetchone() == (1,)


def test_any_failure_after_a_write_rolls_it_back(cli, live, monkeypatch):
    """The rule is general: whatever raises after the domain wrote, nothing is kept."""
    import cdo.output

    before = dump(live)

    def broken(*a, **k):
        raise OverflowError("after the write")

    monkeypatch.setattr(cdo.output, "emit", broken)
    monkeypatch.setattr("cdo.commands.common.echo", broken)
    monkeypatch.setattr("cdo.commands.units.echo", broken, raising=False)
    r = cli("units", "add", "达州市民政局", "--category", "department")
    refused(r, "没有保存任何内容")
    assert dump(live) == before


# ----------------------------------------------------------------------------- 14.2


def _crafted(src, dest, *statements):
    conn = sqlite3.connect(dest)
    sqlite3.connect(src).backup(conn)
    for s in statements:
        conn.execute(s)
    conn.commit()
    conn.close()
    return dest


CRAFTED = {
    "trigger": ("CREATE TRIGGER wipe AFTER INSERT ON units BEGIN DELETE FROM audit_log; END",
                "多出触发器 wipe"),
    "view": ("CREATE VIEW everyone AS SELECT * FROM cdos", "多出视图 everyone"),
    "table": ("CREATE TABLE extra (x)", "多出数据表 extra"),
    "index dropped": ("DROP INDEX units_short", "缺少索引 units_short"),
    "column added": ("ALTER TABLE units ADD COLUMN secret TEXT", "数据表 units 的定义被改过"),
    "trigger on migrations": (
        "CREATE TRIGGER m AFTER INSERT ON _sqlite_migrations BEGIN DELETE FROM units; END",
        "多出触发器 m"),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_restore_refuses_a_schema_cdo_did_not_make(cli, live, tmp_path, case):
    statement, said = CRAFTED[case]
    crafted = _crafted(live, tmp_path / "crafted.db", statement)
    before = dump(live)
    r = cli("restore", crafted, "--yes")
    refused(r, "crafted.db", "不是本版本 cdo 建立的", said)
    assert dump(live) == before
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_open_refuses_a_schema_cdo_did_not_make(cli, live, tmp_path, case):
    statement, said = CRAFTED[case]
    crafted = _crafted(live, tmp_path / "crafted.db", statement)
    before = dump(crafted)
    for args in (["units", "list"], ["units", "add", "达州市民政局", "--category", "department"]):
        r = cli("--db", crafted, *args)
        refused(r, "不是本版本 cdo 建立的", said, "cdo restore")
    assert dump(crafted) == before


def test_any_sqlite_file_with_the_right_table_names_is_refused(cli, live, tmp_path):
    fake = tmp_path / "fake.db"
    conn = sqlite3.connect(fake)
    conn.executescript("CREATE TABLE units (a); CREATE TABLE audit_log (b);")
    conn.close()
    refused(cli("restore", fake, "--yes"), "不是本版本 cdo 建立的")
    refused(cli("--db", fake, "units", "list"), "不是本版本 cdo 建立的")


def test_the_expected_schema_follows_the_migrations(tmp_path):
    """Derived from the migrations themselves: a database at any earlier step passes, and
    a migration added later (another engineer's) is checked with no list to update."""
    from sqlite_utils import Database, Migrations

    from cdo.store.schema import migrations
    from cdo.store.schema_check import schema_differences

    for n in range(1, len(migrations._migrations) + 1):
        part = Migrations("cdo")
        part._migrations = migrations._migrations[:n]
        db = Database(tmp_path / f"step{n}.db")
        part.apply(db)
        assert schema_differences(db.conn) == [], n
        db.close()
    db = open_db(tmp_path / "full.db")
    assert schema_differences(db.conn) == []
    db.execute("CREATE INDEX sneaky ON units(name)")
    assert schema_differences(db.conn) == ["多出索引 sneaky"]


def test_the_schema_snapshot_is_what_the_migrations_give():
    """data/schema.json spares each command running the migrations to check a database;
    a migration added or changed without writing it again fails here."""
    import json

    from cdo.paths import data_dir
    from cdo.store.schema_check import snapshot_of_migrations

    kept = json.loads((data_dir() / "schema.json").read_text(encoding="utf-8"))
    assert kept == snapshot_of_migrations(), (
        "data/schema.json is out of date: run python -m cdo.store.schema_check")


def test_the_snapshot_is_the_check_for_a_current_database(tmp_path, monkeypatch):
    """A current database is checked against the snapshot, so a snapshot that disagreed
    with the file would refuse it: the check really reads it."""
    from cdo.store import schema_check

    path = tmp_path / "x.db"
    open_db(path).close()
    real = schema_check.snapshot()
    altered = dict(real.schema)
    altered["index", "units_short"] = "CREATE INDEX units_short ON units(name)"
    monkeypatch.setattr(schema_check, "snapshot",
                        lambda: schema_check.Snapshot(real.migrations, altered))
    with pytest.raises(CdoError, match="索引 units_short 的定义被改过"):
        open_db(path)


def test_demo_never_overwrites_data_but_reuses_an_empty_or_demo_file(cli, tmp_path):
    """A file with anything recorded is refused; an earlier demo, or the empty file a demo
    interrupted before it saved anything leaves behind, is built again."""
    real = tmp_path / "real.db"
    add_unit(open_db(real), "达州市教育局", "department")
    r = cli("--db", real, "demo")
    assert r.exit_code == 1 and "不是演示数据库" in r.stderr
    assert "达州市教育局" in cli("--db", real, "units", "list").stdout
    empty = tmp_path / "empty.db"
    open_db(empty).close()  # what an interrupted demo leaves: the tables, nothing in them
    for _ in range(2):  # then again over the demo it built
        r = cli("--db", empty, "demo")
        assert r.exit_code == 0, r.stderr
    assert cli("--db", empty, "units", "list", "--format", "json").stdout.count('"name"') == 57


def test_the_demo_database_and_sqlite_statistics_are_accepted(cli, live, tmp_path):
    conn = sqlite3.connect(live)
    conn.execute("ANALYZE")
    conn.close()
    assert cli("units", "list").exit_code == 0
    demo = tmp_path / "demo.db"
    r = cli("--db", demo, "demo")
    assert r.exit_code == 0, r.stderr
    r = cli("--db", demo, "units", "add", "测试新单位", "--category", "department")
    assert r.exit_code == 0, r.stderr


def test_an_older_backup_still_restores(cli, live, tmp_path):
    from sqlite_utils import Database, Migrations

    from cdo.store.schema import migrations

    old = Database(tmp_path / "old.db")
    part = Migrations("cdo")
    part._migrations = migrations._migrations[:3]
    part.apply(old)
    old.execute("INSERT INTO units (name, category, created_at) VALUES ('渠县', 'region', 'x')")
    old.conn.commit()
    old.close()
    r = cli("restore", tmp_path / "old.db", "--yes")
    assert r.exit_code == 0, r.stderr
    assert "渠县" in cli("units", "list").stdout


# ----------------------------------------------------------------------------- 14.3


def test_a_newer_cdos_database_is_read_but_never_written(cli, live):
    conn = sqlite3.connect(live)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('cdo', 'm099_from_the_future', 'x')")
    conn.execute("CREATE TABLE future (x)")
    conn.commit()
    conn.close()
    before = dump(live)
    r = cli("units", "list")
    assert r.exit_code == 0 and "达州市教育局" in r.stdout
    r = cli("units", "add", "达州市民政局", "--category", "department")
    refused(r, "更新版本的 cdo", "m099_from_the_future", "不能修改")
    assert dump(live) == before


# ----------------------------------------------------------------------------- 14.4


@pytest.mark.parametrize("target", [":memory:", "/dev/null", "DIR", "FIFO"])
def test_the_database_must_be_a_regular_file(cli, tmp_path, target):
    if target == "DIR":
        target = str(tmp_path)
    elif target == "FIFO":
        target = str(tmp_path / "pipe")
        os.mkfifo(target)
    r = cli("--db", target, "units", "add", "达州市民政局", "--category", "department")
    refused(r, "--db")
    assert "已添加" not in r.stdout


def test_a_new_database_file_is_fine(cli, tmp_path):
    r = cli("--db", tmp_path / "new.db", "units", "add", "达州市民政局", "--category", "department")
    assert r.exit_code == 0, r.stderr


# ----------------------------------------------------------------------------- 14.18


def _wrap_open(monkeypatch, *pragmas):
    real = store_db.open_for_command

    def opened(path):
        db = real(path)
        for p in pragmas:
            value = p(db) if callable(p) else p
            db.execute(value)
        return db

    monkeypatch.setattr(store_db, "open_for_command", opened)


def test_disk_full_is_one_message_and_nothing_changed(cli, live, tmp_path, monkeypatch):
    # a full disk, as SQLite reports it: no page may be added to the file
    _wrap_open(monkeypatch, lambda db: "PRAGMA max_page_count = "
               f"{db.execute('PRAGMA page_count').fetchone()[0]}")
    before = dump(live)
    rows = "单位名称,类别\n" + "".join(f"测试单位{i}号,市级部门\n" for i in range(400))
    (tmp_path / "u.csv").write_text(rows, encoding="utf-8")
    r = cli("units", "import", tmp_path / "u.csv")
    refused(r, "磁盘空间已满", "没有保存任何内容")
    assert dump(live) == before


def test_a_read_only_database_is_one_message(cli, live, monkeypatch):
    os.chmod(live, 0o400)
    if os.geteuid() == 0:  # root writes anyway: make SQLite refuse as for a read-only file
        _wrap_open(monkeypatch, "PRAGMA query_only = ON")
    before = dump(live)
    r = cli("units", "add", "达州市民政局", "--category", "department")
    refused(r, "只读", "没有保存任何内容")
    os.chmod(live, 0o600)
    assert dump(live) == before


def _scribble(path, anchor: bytes, offset: int = 2):
    data = bytearray(path.read_bytes())
    at = data.find(anchor)
    assert at > 0
    data[at + offset] = 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("anchor", [b"reason TEXT", b"units (", b"CREATE INDEX audit_log_at"])
def test_an_invalid_byte_in_the_schema_text(cli, live, tmp_path, anchor):
    from conftest import copy_db

    copy_db(live, tmp_path / "good.db")
    for p in (live, tmp_path / "bad.db"):
        if p != live:
            copy_db(tmp_path / "good.db", p)
        _scribble(p, anchor)
    refused(cli("units", "list"), "损坏")
    refused(cli("units", "add", "达州市民政局", "--category", "department"), "损坏")
    refused(cli("restore", tmp_path / "bad.db", "--yes"), "损坏")
    r = cli("restore", tmp_path / "good.db", "--yes")
    assert r.exit_code == 0, r.stderr
    assert "达州市公安局" in cli("units", "list").stdout


@pytest.mark.parametrize("args", [
    ["spotcheck", "add", "--unit", "市教育局", "--resource", "学籍", "--dimension", "准确性",
     "--description", "坏\udcff字", "--issued-on", "2023-09-01"],
    ["duty", "meeting", "add", "--on", "2023-07-14", "--title", "\udcff\udcfe会议"],
    ["duty", "meeting", "add", "--on", "2023-07-14", "--title", "会议", "--note", "a\udcffb"],
    ["calendar", "set", "2023-07-14", "off", "--reason", "停电\udce9"],
])
def test_undecodable_bytes_in_an_argument(cli, live, args):
    before = dump(live)
    r = cli(*args)
    if r.exit_code == 2:  # the command's options changed: say so rather than pass
        pytest.fail(r.stderr)
    refused(r, "不是 UTF-8", "没有保存任何内容")
    assert dump(live) == before


# ----------------------------------------------------------------------------- 14.6

_SLOW_BACKUP = """
import sys, time
import cdo.store.backup as b
real = b._copy_into
def slow(src, tmp):
    real(src, tmp)
    print("copying", flush=True)
    time.sleep(60)  # a slow USB stick: SIGTERM arrives while the copy is being written
b._copy_into = slow
sys.argv = ["cdo", *sys.argv[1:]]
from cdo.cli import main
main()
"""


@pytest.mark.parametrize("args", [["backup"], ["backup", "named.db"]])
def test_sigterm_during_backup_leaves_no_partial_file(live, tmp_path, args):
    import signal
    import subprocess
    import sys

    env = dict(os.environ, CDO_DB=str(live))
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_BACKUP, *args], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "copying\n"
    partial = list(tmp_path.rglob(".*.partial"))
    assert partial and partial[0].stat().st_size > 0  # the copy was under way
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert err.startswith("cdo: ") and "备份被终止" in err and "Traceback" not in err
    left = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["cdo.db"], left


def test_a_finished_backup_has_no_side_files(cli, live, tmp_path):
    assert cli("backup").exit_code == 0
    assert cli("backup", "named.db").exit_code == 0
    files = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(files) == 1 and files[0].endswith(".db")
    assert not list(tmp_path.rglob("*.partial")) and not list(tmp_path.rglob("*-journal"))


def test_migrations_run_in_another_order_are_checked_in_that_order(tmp_path):
    """A database that ran a later-merged migration after one registered after it (an
    intermediate release) is still cdo's own: its ALTERs compare in the order it ran them."""
    from sqlite_utils import Database, Migrations

    from cdo.store.schema_check import expected_schema, schema_differences

    first = Migrations("cdo")

    @first()
    def m001_a(db):
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")

    @first()
    def m003_c(db):
        db.execute("ALTER TABLE t ADD COLUMN c TEXT")

    @first()
    def m002_b(db):
        db.execute("ALTER TABLE t ADD COLUMN b TEXT")

    db = Database(tmp_path / "x.db")
    first.apply(db)  # ran a, c, b
    import cdo.store.schema as schema

    registered = Migrations("cdo")
    registered._migrations = [first._migrations[0], first._migrations[2], first._migrations[1]]
    real = schema.migrations
    schema.migrations = registered  # this cdo registers a, b, c
    try:
        expected_schema.cache_clear()
        assert schema_differences(db.conn) == []
        db.execute("CREATE TRIGGER x AFTER INSERT ON t BEGIN DELETE FROM t; END")
        assert schema_differences(db.conn) == ["多出触发器 x"]
    finally:
        schema.migrations = real
        expected_schema.cache_clear()


def test_an_import_after_a_write_in_the_same_command_still_backs_up(live, tmp_path):
    """A command's held writes (here: one on open) do not stop the automatic copy, and
    the copy holds the state from before the command."""
    from cdo.store import backup
    from cdo.store.db import end_command, open_for_command, transaction

    conn = sqlite3.connect(live)
    conn.execute("INSERT INTO audit_log (at, os_user, command, entity, action)"
                 " VALUES ('x', 'u', 'c', 'unit', 'add')")
    conn.commit()
    conn.close()
    db = open_for_command(live)
    try:
        with transaction(db):
            db.execute("INSERT INTO units (name, category, created_at)"
                       " VALUES ('半截', 'region', 'x')")
        copy = backup.auto_backup(db)
        assert copy is not None
        names = [r[0] for r in sqlite3.connect(copy).execute("SELECT name FROM units")]
        assert "半截" not in names and "达州市教育局" in names
    finally:
        end_command(ok=False)
    assert "半截" not in [r[0] for r in sqlite3.connect(live).execute("SELECT name FROM units")]


def test_a_backup_onto_a_full_disk_leaves_no_file(cli, live, tmp_path, monkeypatch):
    import cdo.store.backup as backup_mod

    real = backup_mod._copy_into

    def full(src, tmp):
        real(src, tmp)  # the copy is half-written when the disk fills
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_mod, "_copy_into", full)
    for args in (["backup"], ["backup", "named.db"]):
        r = cli(*args)
        refused(r, "磁盘空间已满", "没有留下备份文件")
    left = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["cdo.db"], left


def test_a_broken_pipe_after_the_work_keeps_what_was_saved(cli, live, monkeypatch):
    """`cdo units add … | head`: the reader left before the last line; the unit is added."""
    def gone(*a, **k):
        raise BrokenPipeError

    monkeypatch.setattr("cdo.commands.units.echo", gone, raising=False)
    monkeypatch.setattr("cdo.commands.common.echo", gone)
    r = cli("units", "add", "达州市民政局", "--category", "department")
    assert r.exit_code == 0
    names = [n for (n,) in sqlite3.connect(live).execute("SELECT name FROM units")]
    assert "达州市民政局" in names
