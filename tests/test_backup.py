"""`cdo backup`, `auto_backup` for importers, and `cdo restore`."""

import os
import re
import sqlite3
import stat

import pytest

from cdo.roster.units import add_unit
from cdo.store import backup
from cdo.store.db import open_db, transaction


def _units(path):
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM units ORDER BY id")]
    finally:
        conn.close()


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def live(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_unit(db, "达州市公安局", "department")
    db.conn.close()
    return db_path


# ----------------------------------------------------------------------------- backup


def test_backup_default_name_owner_only(cli, live, tmp_path):
    r = cli("backup")
    assert r.exit_code == 0, r.stderr
    m = re.search(r"已备份到 (\S+cdo-backup-\d{8}-\d{6}\.db)（[\d.]+ KB）", r.stdout)
    assert m, r.stdout
    path = m.group(1)
    assert os.path.dirname(path) == str(tmp_path / "backups")
    assert _mode(path) == 0o600
    assert _mode(tmp_path / "backups") == 0o700
    assert _units(path) == ["达州市教育局", "达州市公安局"]
    # a self-contained file: no WAL side files needed
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_backup_to_named_file_and_folder(cli, live, tmp_path):
    r = cli("backup", "copy.db")
    assert r.exit_code == 0, r.stderr
    assert "已备份到 copy.db" in r.stdout
    assert _units(tmp_path / "copy.db") == ["达州市教育局", "达州市公安局"]
    assert _mode(tmp_path / "copy.db") == 0o600
    (tmp_path / "usb").mkdir()
    r = cli("backup", "usb")
    assert r.exit_code == 0, r.stderr
    assert len(list((tmp_path / "usb").glob("cdo-backup-*.db"))) == 1


def test_two_backups_in_the_same_second_do_not_collide(cli, live, tmp_path):
    assert cli("backup").exit_code == 0
    assert cli("backup").exit_code == 0
    assert len(list((tmp_path / "backups").glob("cdo-backup-*.db"))) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["copy.db"], "已存在"),
        (["nofolder/x.db"], "所在文件夹不存在"),
    ],
)
def test_backup_refusals(cli, live, tmp_path, args, message):
    (tmp_path / "copy.db").write_text("keep me")
    r = cli("backup", *args)
    assert r.exit_code == 1
    assert r.stderr.startswith("cdo: ") and message in r.stderr
    assert (tmp_path / "copy.db").read_text() == "keep me"


def test_backup_without_database(cli, tmp_path):
    r = cli("backup")
    assert r.exit_code == 1
    assert "数据库不存在" in r.stderr
    assert not (tmp_path / "cdo.db").exists()


def test_backup_holds_committed_state_while_another_writes(live, tmp_path):
    writer = open_db(live)
    with transaction(writer):
        writer.execute("INSERT INTO units (name, category, created_at)"
                       " VALUES ('半截', 'region', 'x')")
        # the writer's transaction is open (not committed) while the copy is made
        backup.copy_database(live, tmp_path / "mid.db")
    assert _units(tmp_path / "mid.db") == ["达州市教育局", "达州市公安局"]
    assert "半截" in _units(live)
    ok = sqlite3.connect(tmp_path / "mid.db").execute("PRAGMA integrity_check").fetchone()
    assert ok == ("ok",)


# ----------------------------------------------------------------------------- auto


def test_auto_backup_keeps_the_last_five_and_the_days_first(live, tmp_path):
    manual = backup.copy_database(live, tmp_path / "manual.db")
    assert manual > 0
    made = []
    for i in range(7):
        made.append(backup.auto_backup(live))
        os.utime(made[-1], ns=(i * 10**9, i * 10**9))  # distinct ages, whatever the clock
    autos = sorted(p.name for p in (tmp_path / "backups").glob("cdo-auto-*.db"))
    assert len(autos) == 6
    # the day's first copy (before its first change) stays; the second is the one let go
    assert sorted(p.name for p in [made[0], *made[2:]]) == autos
    assert not made[1].exists()
    assert (tmp_path / "manual.db").exists()
    assert all(_mode(p) == 0o600 for p in [made[0], *made[2:]])


def test_auto_backup_takes_a_database_or_a_path(live, tmp_path):
    db = open_db(live)
    p = backup.auto_backup(db, keep=2)
    assert p.parent == tmp_path / "backups" and p.name.startswith("cdo-auto-")
    assert _units(p) == ["达州市教育局", "达州市公安局"]
    assert backup.auto_backup(str(live), keep=2) is not None


def test_auto_backup_skips_memory_and_empty(db, tmp_path):
    assert backup.auto_backup(db) is None
    assert backup.auto_backup(":memory:") is None
    empty = tmp_path / "empty.db"
    open_db(empty).conn.close()
    assert backup.auto_backup(empty) is None
    assert not (tmp_path / "backups").exists()


def test_auto_backup_of_one_database_leaves_anothers_alone(live, tmp_path):
    other = tmp_path / "other.db"
    add_unit(open_db(other), "达州市民政局", "department")
    for _ in range(3):
        backup.auto_backup(other, keep=1)
    backup.auto_backup(live, keep=1)
    names = sorted(p.name.split("-auto-")[0] for p in (tmp_path / "backups").iterdir())
    assert names == ["cdo", "other", "other"]  # other's newest and its day's first


# ----------------------------------------------------------------------------- restore


@pytest.fixture
def saved(live, tmp_path):
    """A backup holding two units; then the live database gets a third."""
    backup.copy_database(live, tmp_path / "saved.db")
    add_unit(open_db(live), "达州市民政局", "department")
    return tmp_path / "saved.db"


def test_restore_with_yes(cli, live, saved, tmp_path):
    r = cli("restore", saved, "--yes")
    assert r.exit_code == 0, r.stderr
    assert "单位" in r.stdout and "备份文件" in r.stdout and "当前数据库" in r.stdout
    assert "备份中最新的一次修改" in r.stdout
    assert "恢复前的数据库已另存为" in r.stdout
    assert _units(live) == ["达州市教育局", "达州市公安局"]
    before = list((tmp_path / "backups").glob("cdo-before-restore-*.db"))
    assert len(before) == 1 and _units(before[0])[-1] == "达州市民政局"
    assert _mode(live) == 0o600
    # the restore itself is in the (restored) log
    db = open_db(live)
    row = db.execute("SELECT entity, action, reason FROM audit_log ORDER BY id DESC").fetchone()
    assert row[0] == "database" and row[1] == "restore" and "saved.db" in row[2]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_restore_asks_first(cli, live, saved):
    r = cli("restore", saved, input="n\n")
    assert r.exit_code == 1
    assert "用这个备份替换当前数据库" in r.stdout
    assert "已取消，当前数据库没有改动" in r.stderr
    assert _units(live)[-1] == "达州市民政局"
    r = cli("restore", saved, input="")  # no answer at all
    assert r.exit_code == 1 and "已取消" in r.stderr
    r = cli("restore", saved, input="y\n")
    assert r.exit_code == 0, r.stderr
    assert _units(live) == ["达州市教育局", "达州市公安局"]


def test_restore_says_what_changed_after_the_clerk_confirmed(cli, live, saved, tmp_path,
                                                             monkeypatch):
    """A colleague adds a unit while the clerk reads the counts and answers: the restore
    still goes ahead (the clerk chose this backup), says the database changed since, and
    the colleague's unit is in the copy kept aside."""
    import typer

    def answer_after_a_colleague_wrote(*args, **kwargs):
        add_unit(open_db(live), "达州市档案馆", "department")
        return True

    monkeypatch.setattr(typer, "confirm", answer_after_a_colleague_wrote)
    r = cli("restore", saved)
    assert r.exit_code == 0, r.stderr
    assert "注意：确认之后当前数据库又有改动（单位 3 → 4" in r.stdout
    assert _units(live) == ["达州市教育局", "达州市公安局"]
    (kept,) = (tmp_path / "backups").glob("cdo-before-restore-*.db")
    assert _units(kept)[-1] == "达州市档案馆"
    assert "又有改动" not in cli("restore", saved, "--yes").stdout


def test_restore_keeps_open_connections_consistent(live, saved):
    reader = sqlite3.connect(live)
    assert len(reader.execute("SELECT * FROM units").fetchall()) == 3
    backup.restore_database(saved, live)
    assert len(reader.execute("SELECT * FROM units").fetchall()) == 2
    assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_restore_interrupted_after_the_content_is_replaced_says_so(cli, live, saved, monkeypatch):
    """A Ctrl-C once the backup's content is in: the restore is finished and recorded,
    and the clerk is told it was done (not that nothing was saved)."""
    import signal

    from cdo import interrupts
    from cdo.store import db as store_db

    real_open = store_db.open_db

    def open_then_ctrl_c(*args, **kwargs):
        if kwargs.get("migrate", True):  # the opening after the content was replaced
            os.kill(os.getpid(), signal.SIGINT)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(store_db, "open_db", open_then_ctrl_c)
    monkeypatch.setattr(interrupts, "requested", False)  # put back afterwards
    old = signal.signal(signal.SIGINT, interrupts.on_sigint)
    try:
        r = cli("restore", saved, "--yes")
    finally:
        signal.signal(signal.SIGINT, old)
    assert r.exit_code == 130, r.stderr
    assert "没有保存任何内容" not in r.stderr
    assert "中断前已保存" in r.stderr and "数据库恢复 1 项" in r.stderr, r.stderr
    assert _units(live) == ["达州市教育局", "达州市公安局"]
    db = real_open(live)
    assert db.execute("SELECT action FROM audit_log ORDER BY id DESC").fetchone()[0] == "restore"
    db.conn.close()


def test_restore_over_a_damaged_database(cli, live, saved, tmp_path):
    damaged = os.urandom(20000)
    live.write_bytes(damaged)
    r = cli("restore", saved, "--yes")
    assert r.exit_code == 0, r.stderr
    assert _units(live) == ["达州市教育局", "达州市公安局"]
    kept = list((tmp_path / "backups").glob("cdo-before-restore-*.db"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert _mode(kept[0]) == 0o600


def test_restore_into_a_missing_database(cli, saved, tmp_path):
    r = cli("--db", tmp_path / "fresh.db", "restore", saved, "--yes")
    assert r.exit_code == 0, r.stderr
    assert _units(tmp_path / "fresh.db") == ["达州市教育局", "达州市公安局"]
    assert _mode(tmp_path / "fresh.db") == 0o600


def test_restore_an_older_schema_migrates_it(cli, live, tmp_path):
    old = tmp_path / "old.db"
    backup.copy_database(live, old)
    conn = sqlite3.connect(old)
    conn.execute("DROP TABLE scores")
    conn.execute("DROP TABLE score_years")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_scoring'")
    conn.commit()
    conn.close()
    r = cli("restore", old, "--yes")
    assert r.exit_code == 0, r.stderr
    db = open_db(live)
    assert "scores" in db.table_names()


def _bad_files(tmp_path, live):
    files = {}
    files["empty"] = tmp_path / "empty.db"
    files["empty"].write_bytes(b"")
    files["random"] = tmp_path / "random.db"
    files["random"].write_bytes(os.urandom(5000))
    files["text"] = tmp_path / "notes.txt"
    files["text"].write_text("这不是数据库", encoding="utf-8")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    files["not cdo"] = other
    whole = tmp_path / "whole.db"
    backup.copy_database(live, whole)
    data = whole.read_bytes()
    files["truncated"] = tmp_path / "half.db"
    files["truncated"].write_bytes(data[: len(data) // 2])
    corrupt = bytearray(data)
    for i in range(4096 * 2 + 100, len(corrupt), 997):  # scribble over later pages
        corrupt[i] = 0xFF
    files["corrupt"] = tmp_path / "corrupt.db"
    files["corrupt"].write_bytes(bytes(corrupt))
    newer = tmp_path / "newer.db"
    backup.copy_database(live, newer)
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('cdo', 'm999_future', 'x')")
    conn.commit()
    conn.close()
    files["newer"] = newer
    files["missing"] = tmp_path / "nope.db"
    files["folder"] = tmp_path
    return files


def test_restore_refuses_bad_files_and_changes_nothing(cli, live, tmp_path):
    files = _bad_files(tmp_path, live)
    before = live.read_bytes()
    for what, path in files.items():
        r = cli("restore", path, "--yes")
        assert r.exit_code == 1, (what, r.stdout, r.stderr)
        assert r.stderr.startswith("cdo: "), (what, r.stderr)
        assert re.search(r"[\u4e00-\u9fff]", r.stderr), what
        assert "Traceback" not in r.stderr
    assert _units(live) == ["达州市教育局", "达州市公安局"]
    assert not (tmp_path / "backups").exists()
    assert live.read_bytes() == before


def test_restore_the_live_database_onto_itself(cli, live):
    r = cli("restore", live, "--yes")
    assert r.exit_code == 1
    assert "就是当前数据库本身" in r.stderr


# ----------------------------------------------------------------------------- imports

# Every bulk import takes an automatic backup first: (command words, argv, file, content).
BULK_IMPORTS = [
    (["units", "import"], ["units", "import", "{f}"], "units.csv",
     "单位名称,类别\n达州市民政局,市级部门\n"),
    (["spotcheck", "new"], ["spotcheck", "new", "--month", "2023-09", "--issued-on",
                            "2023-09-27", "--file", "{f}"], "list.csv",
     "责任单位,数据资源名称,问题类型,问题描述,问题数据量\n市教育局,学籍,准确性,错,3\n"),
    (["score", "import"], ["score", "import", "{f}", "--year", "2023"], "scores.csv",
     "单位,1,2\n市教育局,3,4\n"),
    (["register", "import"], ["register", "import", "{form}", "--unit", "达州市公安局",
                              "--received", "2023-06-01"], None, None),
]


@pytest.mark.parametrize("words, argv, name, content", BULK_IMPORTS,
                         ids=[" ".join(b[0]) for b in BULK_IMPORTS])
def test_bulk_import_takes_an_automatic_backup_first(cli, live, tmp_path, words, argv, name,
                                                     content):
    from cdo.paths import data_dir

    assert cli(*words, "--help").exit_code == 0, f"cdo {' '.join(words)} is missing"
    if name:
        (tmp_path / name).write_text(content, encoding="utf-8")
    form = data_dir() / "samples" / "forms" / "03-市公安局.xlsx"
    args = [a.replace("{f}", str(tmp_path / (name or ""))).replace("{form}", str(form))
            for a in argv]
    r = cli(*args)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    autos = list((tmp_path / "backups").glob("cdo-auto-*.db"))
    assert len(autos) == 1, f"cdo {' '.join(words)} took no automatic backup"
    # the copy holds the state before the import
    assert _units(autos[0]) == ["达州市教育局", "达州市公安局"]


# --- refused imports take no backup (a clerk retrying a bad file must not lose real copies)


def _autos(tmp_path):
    return sorted((tmp_path / "backups").glob("cdo-auto-*.db"))


def test_refused_score_imports_take_no_backup(cli, live, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("单位,1,2\n市教育局,9,4\n", encoding="utf-8")  # 9 > 5: refused
    for _ in range(6):
        assert cli("score", "import", bad, "--year", "2023").exit_code == 1
    assert _autos(tmp_path) == []
    good = tmp_path / "good.csv"
    good.write_text("单位,1,2\n市教育局,3,4\n", encoding="utf-8")
    assert cli("score", "import", good, "--year", "2023").exit_code == 0
    assert len(_autos(tmp_path)) == 1
    # the same file again changes nothing: no copy; a change without --reason is refused
    assert cli("score", "import", good, "--year", "2023").exit_code == 0
    changed = tmp_path / "changed.csv"
    changed.write_text("单位,1,2\n市教育局,2,4\n", encoding="utf-8")
    r = cli("score", "import", changed, "--year", "2023")
    assert r.exit_code == 1 and "--reason" in r.stderr
    assert len(_autos(tmp_path)) == 1
    # a finalized year refuses the import before any copy
    assert cli("score", "finalize", "--year", "2023", "--allow-incomplete").exit_code == 0
    r = cli("score", "import", changed, "--year", "2023", "--reason", "复核")
    assert r.exit_code == 1 and "定稿" in r.stderr
    assert len(_autos(tmp_path)) == 1


def test_refused_signin_sheets_take_no_backup(cli, live, tmp_path):
    assert cli("duty", "meeting", "add", "--on", "2023-07-14", "--title", "会").exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("单位,签到情况\n市教育局,出席\n火星局,出席\n", encoding="utf-8")
    for _ in range(6):
        assert cli("duty", "attend", "1", "--file", bad).exit_code == 1
    assert _autos(tmp_path) == []
    good = tmp_path / "good.csv"
    good.write_text("单位,签到情况\n市教育局,出席\n", encoding="utf-8")
    assert cli("duty", "attend", "1", "--file", good).exit_code == 0
    assert cli("duty", "attend", "1", "--file", good).exit_code == 0  # nothing new
    assert len(_autos(tmp_path)) == 1
    assert cli("duty", "attend", "1", "--file", good, "--rest-absent").exit_code == 0
    assert len(_autos(tmp_path)) == 2


def test_register_import_backs_up_only_before_a_form_it_writes(cli, live, tmp_path):
    from cdo.sheets.forms import build_form

    def form(name, position, fname):
        p = tmp_path / fname
        build_form({"name": name, "gender": "男", "position": position, "phone": "13908180001",
                    "work_plan": "计划", "recommendation": "同意推荐。"}).save(p)
        return p

    nowhere = form("无名", "某公司经理", "a-nowhere.xlsx")
    for _ in range(6):
        r = cli("register", "import", nowhere, "--received", "2023-05-25")
        assert r.exit_code == 1 and "找不到已登记的单位" in r.stderr
    assert _autos(tmp_path) == []
    police = form("王建军", "达州市公安局副局长", "b-police.xlsx")
    r = cli("register", "import", nowhere, police, "--received", "2023-05-25")
    assert r.exit_code == 1 and "新增  达州市公安局  王建军" in r.stdout
    autos = _autos(tmp_path)
    assert len(autos) == 1
    cdos = sqlite3.connect(autos[0]).execute("SELECT count(*) FROM cdos").fetchone()[0]
    assert cdos == 0  # the copy holds the state before the first written form
    r = cli("register", "import", police, "--received", "2023-05-26")  # unchanged
    assert r.exit_code == 0 and "无变化 1 份" in r.stdout
    assert len(_autos(tmp_path)) == 1


def test_pruning_keeps_the_newest_auto_copies_by_age_not_by_name(live, tmp_path):
    folder = tmp_path / "backups"
    made = [backup.auto_backup(live) for _ in range(5)]
    # the oldest by name is made the newest by age: it is kept, the others go by age
    for i, p in enumerate(made):
        t = (100 - i) * 10**9 if i == 0 else i * 10**9
        os.utime(p, ns=(t, t))
    manual = folder / "cdo-backup-20000101-000000.db"
    backup.copy_database(live, manual)
    os.utime(manual, ns=(0, 0))
    newest = backup.auto_backup(live)
    kept = set(_autos(tmp_path))
    assert len(kept) == 5
    assert made[0] in kept and newest in kept and made[1] not in kept
    assert manual.exists()  # only automatic copies are ever pruned
