"""Two clerks at once: separate processes writing the same database file both succeed."""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time

from cdo.roster.units import add_unit
from cdo.store.db import open_db

# A worker process: says it is ready, waits for the go, then runs `cdo units add` N times,
# each a whole command with its own connection, as a clerk typing quickly would.
WORKER = textwrap.dedent(
    """
    import os, sys, time
    from cdo.cli import app
    prefix, n, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    open(os.path.join(folder, prefix + ".ready"), "w").close()
    while not os.path.exists(os.path.join(folder, "go")):
        time.sleep(0.001)
    failed = 0
    for i in range(n):
        code = app(["units", "add", f"{prefix}{i:03d}", "--category", "市级部门"],
                   prog_name="cdo", standalone_mode=False)
        failed += bool(code)
    print(failed)
    """
)


def _env(db_path):
    return dict(os.environ, CDO_DB=str(db_path))


def _count(db_path, table="units"):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_two_clerks_adding_units_at_once(tmp_path, db_path):
    open_db(db_path).conn.close()
    prefixes = ("甲单位", "乙单位")
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, prefix, "30", str(tmp_path)],
                         env=_env(db_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for prefix in prefixes
    ]
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"{p}.ready").exists() for p in prefixes):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip().splitlines()[-1] == "0", (out, err)
    conn = sqlite3.connect(db_path)
    names = {r[0] for r in conn.execute("SELECT name FROM units")}
    audits = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'add'").fetchone()[0]
    conn.close()
    assert names == {f"{p}{i:03d}" for p in ("甲单位", "乙单位") for i in range(30)}
    assert audits == 60


def _units_csv(path, prefix, rows):
    with path.open("w", encoding="utf-8") as f:
        f.write("单位名称,类别\n")
        for i in range(rows):
            f.write(f"{prefix}{i:05d},国有企业\n")


def _run(args, db_path):
    with open(str(db_path) + f".{time.monotonic_ns()}.err", "wb") as err:
        return subprocess.Popen([sys.executable, "-m", "cdo", *map(str, args)],
                                env=_env(db_path), stdout=subprocess.DEVNULL, stderr=err), err.name


def _finish(proc_err):
    proc, err = proc_err
    proc.wait(timeout=60)
    with open(err, encoding="utf-8") as fh:
        assert proc.returncode == 0, fh.read()


def test_two_imports_a_reader_and_a_backup_at_once(tmp_path, db_path):
    add_unit(open_db(db_path), "达州市教育局", "department", "市教育局")
    _units_csv(tmp_path / "a.csv", "甲公司", 8000)
    _units_csv(tmp_path / "b.csv", "乙公司", 8000)
    a = _run(["units", "import", tmp_path / "a.csv"], db_path)
    b = _run(["units", "import", tmp_path / "b.csv"], db_path)
    time.sleep(0.4)
    reader = subprocess.run([sys.executable, "-m", "cdo", "units", "list", "--format", "json"],
                            env=_env(db_path), capture_output=True, text=True, timeout=60)
    copy = subprocess.run([sys.executable, "-m", "cdo", "backup", tmp_path / "during.db"],
                          env=_env(db_path), capture_output=True, text=True, timeout=60)
    a[0].wait(timeout=60)
    b[0].wait(timeout=60)
    _finish(a)
    _finish(b)
    assert reader.returncode == 0, reader.stderr
    assert len(json.loads(reader.stdout)) in (1, 8001, 16001)  # a committed state, never half
    assert copy.returncode == 0, copy.stderr
    during = _count(tmp_path / "during.db")
    assert during in (1, 8001, 16001)
    assert _count(db_path) == 16001
    conn = sqlite3.connect(tmp_path / "during.db")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_problem_imports_at_once(tmp_path, db_path):
    r = subprocess.run([sys.executable, "-m", "cdo", "spotcheck", "new", "--help"],
                       capture_output=True)
    assert r.returncode == 0, "cdo spotcheck new is missing"
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    db.conn.close()
    for name in ("a", "b"):
        with (tmp_path / f"{name}.csv").open("w", encoding="utf-8") as f:
            f.write("责任单位,数据资源名称,问题类型,问题描述,问题数据量\n")
            for i in range(3000):
                f.write(f"市教育局,资源{name}{i},完整性,缺少字段{i},1\n")
    procs = [
        _run(["spotcheck", "new", "--month", month, "--issued-on", f"{month}-20",
              "--file", tmp_path / f"{name}.csv"], db_path)
        for name, month in (("a", "2023-09"), ("b", "2023-10"))
    ]
    for p, _ in procs:
        p.wait(timeout=60)
    for p in procs:
        _finish(p)
    assert _count(db_path, "problems") == 6000
    assert _count(db_path, "spotchecks") == 2


def _at_once(db_path, args, n):
    """Start `cdo ARGS` n times at the same moment; their (returncode, stderr)."""
    procs = [subprocess.Popen([sys.executable, "-m", "cdo", *map(str, args)],
                              env=_env(db_path), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(n)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    return [(p.returncode, err) for p, err in zip(procs, errs, strict=True)]


def _migrations_recorded(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'cdo' ORDER BY rowid")]
    finally:
        conn.close()


def test_commands_opening_a_new_file_at_once_create_it_once(tmp_path):
    """Several clerks' first command on a new file: one creates the tables, the others
    wait for it (not 'table already exists', not 'database is locked')."""
    from cdo.store.schema import migrations

    for round_ in range(3):
        db_path = tmp_path / f"new{round_}.db"
        results = _at_once(db_path, ["units", "list"], 4)
        assert [code for code, _ in results] == [0] * 4, results
        assert _migrations_recorded(db_path) == [m.name for m in migrations._migrations]


def test_commands_opening_an_older_file_at_once_upgrade_it_once(tmp_path):
    """After an upgrade of cdo, the office's file is upgraded by whoever comes first; the
    others never see it half upgraded (which would look like a tampered file)."""
    from sqlite_utils import Database, Migrations

    from cdo.store.schema import migrations

    for round_ in range(3):
        db_path = tmp_path / f"old{round_}.db"
        old = Database(db_path)
        part = Migrations("cdo")
        part._migrations = migrations._migrations[:1]
        part.apply(old)
        old.execute("INSERT INTO units (name, category, created_at) VALUES ('渠县', 'region', 'x')")
        old.close()
        results = _at_once(db_path, ["units", "list"], 4)
        assert [code for code, _ in results] == [0] * 4, results
        assert not any("结构" in err for _, err in results)
        assert _migrations_recorded(db_path) == [m.name for m in migrations._migrations]
        assert _count(db_path) == 1


def test_a_write_waits_for_another_and_says_so_and_ctrl_c_stops_it(tmp_path, db_path):
    """Another command holds the write lock: the clerk is told cdo is waiting, and Ctrl-C
    ends the wait at once, with nothing saved."""
    import signal

    open_db(db_path).conn.close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        log = tmp_path / "stderr.txt"
        with log.open("w") as sink:
            p = subprocess.Popen([sys.executable, "-m", "cdo", "units", "add", "达州市档案馆",
                                  "--category", "市级部门"], env=_env(db_path),
                                 stdout=subprocess.DEVNULL, stderr=sink)
        deadline = time.monotonic() + 30
        while "正在等待" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline and p.poll() is None, log.read_text()
            time.sleep(0.05)
        stopped = time.monotonic()
        p.send_signal(signal.SIGINT)
        p.wait(timeout=10)
        assert time.monotonic() - stopped < 2
        err = log.read_text(encoding="utf-8")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert p.returncode == 130, err
    assert "按 Ctrl+C 放弃" in err and "没有保存任何内容" in err
    assert "Traceback" not in err
    assert _count(db_path) == 0


def test_a_write_that_waits_too_long_gives_up_with_one_line(tmp_path, db_path, monkeypatch):
    from cdo.errors import CdoError
    from cdo.store import db as store_db

    monkeypatch.setattr(store_db, "WAIT_LIMIT_S", 0.5)
    db = open_db(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        try:
            add_unit(db, "达州市档案馆", "department")
            raise AssertionError("the write did not wait for the lock")
        except CdoError as e:
            assert str(e) == "数据库正被另一位同事的命令占用，请稍后再试"
        assert 0.5 <= time.monotonic() - start < 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == store_db.BUSY_TIMEOUT_MS


# A colleague's write: takes the write lock, says "held", waits for the file `release`
# (or SECONDS), adds the unit 持锁单位, commits and says "committed".
HOLDER = textwrap.dedent(
    """
    import os, sqlite3, sys, time
    db, folder, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not os.path.exists(os.path.join(folder, "release")):
        time.sleep(0.01)
    conn.execute("INSERT INTO units (name, category, created_at) "
                 "VALUES ('持锁单位', 'department', 'x')")
    conn.execute("COMMIT")
    print("committed", flush=True)
    """
)


def _restore_setup(tmp_path, db_path):
    """db_path holds 达州市教育局, then 达州市活数据局; saved.db only the first."""
    from cdo.store.backup import copy_database

    add_unit(open_db(db_path), "达州市教育局", "department")
    copy_database(db_path, tmp_path / "saved.db")
    add_unit(open_db(db_path), "达州市活数据局", "department")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path), str(tmp_path), "30"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _names(path):
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM units"))
    finally:
        conn.close()


def _restore_waiting(tmp_path, db_path):
    """Start `cdo restore saved.db --yes`; return it once it says it is waiting."""
    log = tmp_path / "restore.err"
    with log.open("w") as sink:
        p = subprocess.Popen([sys.executable, "-m", "cdo", "restore", tmp_path / "saved.db",
                              "--yes"], env=_env(db_path), stdout=subprocess.DEVNULL,
                             stderr=sink)
    deadline = time.monotonic() + 30
    while "正在等待" not in log.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline and p.poll() is None, log.read_text()
        time.sleep(0.05)
    return p, log


def test_restore_waits_for_a_colleagues_write_and_keeps_it_in_the_safety_copy(tmp_path,
                                                                             db_path):
    """Restore takes the write lock before its safety copy: a colleague's commit landing
    while it waits is in that copy, not lost. Connections other processes hold open see
    the restored data afterwards."""
    holder = _restore_setup(tmp_path, db_path)
    reader = sqlite3.connect(db_path, isolation_level=None)  # another process's, kept open
    assert len(reader.execute("SELECT * FROM units").fetchall()) == 2
    p, log = _restore_waiting(tmp_path, db_path)
    (tmp_path / "release").touch()
    assert holder.communicate(timeout=30)[0].strip() == "committed"
    assert p.wait(timeout=60) == 0, log.read_text(encoding="utf-8")
    assert _names(db_path) == ["达州市教育局"]
    assert [r[0] for r in reader.execute("SELECT name FROM units")] == ["达州市教育局"]
    assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reader.close()
    [safety] = (tmp_path / "backups").glob("cdo-before-restore-*.db")
    assert _names(safety) == ["持锁单位", "达州市教育局", "达州市活数据局"]


def test_restore_stopped_while_waiting_changes_nothing(tmp_path, db_path):
    import signal

    holder = _restore_setup(tmp_path, db_path)
    p, log = _restore_waiting(tmp_path, db_path)
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=10) == 130
    err = log.read_text(encoding="utf-8")
    assert "没有保存任何内容" in err and "Traceback" not in err
    (tmp_path / "release").touch()
    assert holder.communicate(timeout=30)[0].strip() == "committed"
    assert _names(db_path) == ["持锁单位", "达州市教育局", "达州市活数据局"]
    assert not list((tmp_path / "backups").glob("cdo-before-restore-*"))


def _all_waiting_then_released(tmp_path, db_path, args, n):
    """Start `cdo ARGS` n times while the write lock is held elsewhere; once all of them
    wait for it (each has read the database by then), release it. Their (code, out, err)."""
    from pathlib import Path

    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        procs = []
        for i in range(n):
            with (tmp_path / f"{i}.out").open("w") as out, (tmp_path / f"{i}.err").open("w") as err:
                procs.append(subprocess.Popen([sys.executable, "-m", "cdo", *map(str, args)],
                                              env=_env(db_path), stdout=out, stderr=err))
        deadline = time.monotonic() + 60
        while not all("正在等待" in (tmp_path / f"{i}.err").read_text(encoding="utf-8")
                      for i in range(n)):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
            time.sleep(0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for p in procs:
        p.wait(timeout=60)
    return [(p.returncode, Path(tmp_path / f"{i}.out").read_text(encoding="utf-8"),
             (tmp_path / f"{i}.err").read_text(encoding="utf-8")) for i, p in enumerate(procs)]


def test_the_same_units_list_imported_by_three_clerks_at_once(tmp_path, db_path):
    """Each import decides what to add under the write lock: the first adds the units, the
    others find them there (no UNIQUE constraint failure)."""
    from pathlib import Path

    units_csv = Path(__file__).resolve().parent.parent / "data" / "units.csv"
    open_db(db_path).conn.close()
    results = _all_waiting_then_released(tmp_path, db_path, ["units", "import", units_csv], 3)
    assert [code for code, _, _ in results] == [0, 0, 0], results
    outs = sorted(out.strip() for _, out, _ in results)
    assert outs == ["units.csv：新增 0 个单位，更新 0 个，未变 57 个"] * 2 + [
        "units.csv：新增 57 个单位，更新 0 个，未变 0 个"], outs
    assert _count(db_path) == 57


def test_the_same_unit_added_by_three_clerks_at_once(tmp_path, db_path):
    open_db(db_path).conn.close()
    results = _all_waiting_then_released(
        tmp_path, db_path, ["units", "add", "达州市测试局", "-c", "市级部门", "-s", "测试"], 3)
    assert sorted(code for code, _, _ in results) == [0, 1, 1], results
    refused = [err for code, _, err in results if code == 1]
    assert all("cdo: 单位已存在：达州市测试局" in err for err in refused), refused
    assert _count(db_path) == 1


def test_a_clash_with_a_record_saved_meanwhile_is_told_in_chinese(cli, db_path, monkeypatch):
    """Should a check made before the write lock still let a duplicate through, the clerk
    reads what happened in Chinese, not SQLite's English as an unreadable file."""
    from cdo.roster import units

    def clash(*args, **kwargs):
        raise sqlite3.IntegrityError("UNIQUE constraint failed: units.short")

    monkeypatch.setattr(units, "add_unit", clash)
    r = cli("--db", db_path, "units", "add", "达州市测试局", "-c", "市级部门", "-s", "测试")
    assert r.exit_code == 1
    assert r.stderr.startswith("cdo: 要保存的记录与数据库中已有的记录冲突（可能同事刚刚保存了相同的内容），"
                               "本次没有保存任何内容"), r.stderr
    assert "UNIQUE" not in r.stderr and "无法读取" not in r.stderr


def test_an_older_file_busy_when_opened_is_waited_for(tmp_path):
    """A file in SQLite's older journal mode (a copy, another program's file) is switched to
    WAL on opening, which needs it to itself: cdo waits for a colleague's write to end
    instead of saying at once that it is busy."""
    import threading

    db_path = tmp_path / "rollback.db"
    open_db(db_path).conn.close()
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO units (name, category, created_at) VALUES ('达州市档案馆',"
                 " 'department', 'x')")
    threading.Timer(1.5, lambda: conn.execute("COMMIT")).start()
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "cdo", "units", "list", "--format", "json"],
                       env=_env(db_path), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "达州市档案馆" in r.stdout and time.monotonic() - start >= 1.4
    conn.close()


def test_the_same_catalogue_imported_by_three_clerks_at_once_is_one_version(tmp_path, db_path):
    from cdo.paths import data_dir

    add_unit(open_db(db_path), "达州市通川区", "region", "通川区")
    sample = data_dir() / "samples" / "evidence" / "目录清单-通川区-第1版.xlsx"
    results = _at_once(db_path, ["evidence", "catalog", "import", sample, "-u", "通川区",
                                 "--received", "2024-01-05"], 3)
    assert [code for code, _ in results] == [0, 0, 0], results
    assert _count(db_path, "catalog_versions") == 1
