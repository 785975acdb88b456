"""Automatic backups: taken only when an import is about to write (never for a refused
one), and pruned so that the copy from before each write day's first change survives
any number of later imports or retries (for AUTO_DAY_KEEP_DAYS days)."""

import datetime as dt
import os

import pytest

from cdo.roster.units import add_unit
from cdo.store import backup
from cdo.store.db import open_db


@pytest.fixture
def seeded(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_unit(db, "达州市公安局", "department", "市公安局")
    db.conn.close()
    return db_path


def _list(path, n):
    # as units send it: GBK from Excel's "CSV" save, a stray space in a unit name
    path.write_bytes(("责任单位,数据资源名称,问题类型,问题描述,问题数据量\n"
                      + "".join(f"市教育局 ,学籍{n}-{i},准确性,身份证号错误{i},{i + 1}\n"
                                for i in range(3))).encode("gbk"))
    return path


def _autos(db_path):
    return sorted(p.name for p in backup.auto_backups(db_path))


def test_refused_reimports_take_no_backup(cli, seeded, tmp_path):
    f = _list(tmp_path / "9月清单.csv", 1)
    args = ("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert cli(*args).exit_code == 0
    first = _autos(seeded)
    assert len(first) == 1
    for _ in range(6):
        r = cli(*args)
        assert r.exit_code == 1 and "已经导入过" in r.stderr
    assert _autos(seeded) == first


def test_the_copy_before_the_days_first_change_outlives_later_imports(cli, seeded, tmp_path):
    for n in range(8):
        f = _list(tmp_path / f"清单{n}.csv", n)
        r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
                "--file", f)
        assert r.exit_code == 0, r.stderr
    names = _autos(seeded)
    assert len(names) == 6  # the newest five and the day's first
    first = min(backup.auto_backups(seeded), key=lambda p: p.stat().st_mtime_ns)
    # the day's first copy holds the database as it was before any list came in
    import sqlite3

    conn = sqlite3.connect(first)
    assert conn.execute("SELECT count(*) FROM problems").fetchone() == (0,)
    conn.close()


def _fake(folder, stem, when, n=None):
    name = f"{stem}-auto-{when:%Y%m%d-%H%M%S}{'' if n is None else f'-{n}'}.db"
    p = folder / name
    p.write_bytes(b"")
    t = when.timestamp()
    os.utime(p, (t, t))
    return name


def test_retention_rule(tmp_path):
    db_path = tmp_path / "cdo.db"
    folder = tmp_path / "backups"
    folder.mkdir()
    now = dt.datetime(2023, 10, 20, 17, 0)
    day = dt.timedelta(days=1)
    old_first = _fake(folder, "cdo", now - 61 * day)  # first of a day 61 days ago: too old
    kept_first = _fake(folder, "cdo", now - 59 * day)  # first of a day 59 days ago
    later_same_day = _fake(folder, "cdo", now - 59 * day + dt.timedelta(hours=2))
    monday = [_fake(folder, "cdo", dt.datetime(2023, 10, 16, 9, 0, 0)),
              _fake(folder, "cdo", dt.datetime(2023, 10, 16, 9, 0, 0), 2)]
    today = [_fake(folder, "cdo", now.replace(hour=8) + dt.timedelta(minutes=i))
             for i in range(7)]
    _fake(folder, "other", now - 59 * day + dt.timedelta(hours=3))  # another database's
    manual = folder / "cdo-backup-20230101-000000.db"
    manual.write_bytes(b"")
    deleted = {p.name for p in backup.prune_auto(db_path, 5, now=now)}
    assert deleted == {old_first, later_same_day, monday[1], *today[1:2]}
    left = _autos(db_path)
    assert left == sorted([kept_first, monday[0], today[0], *today[2:]])
    assert manual.exists() and (folder / "other-auto-").parent.exists()
