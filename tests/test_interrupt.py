"""Killing an import mid-way (SIGKILL, no chance to clean up) leaves the database intact
with all or none of that import."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from cdo.roster.units import add_unit
from cdo.store.db import open_db

ROWS = 50_000
CATEGORIES = ["市级部门", "国有企业", "公共服务机构", "县市区"]


def _cdo(args, db_path):
    env = dict(os.environ, CDO_DB=str(db_path))
    with open(str(db_path) + ".stderr", "wb") as err:
        return subprocess.Popen([sys.executable, "-m", "cdo", *map(str, args)], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)


def _exists(*words):
    r = subprocess.run([sys.executable, "-m", "cdo", *words, "--help"], capture_output=True)
    return r.returncode == 0


def _base(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_unit(db, "达州市公安局", "department", "市公安局")
    db.conn.close()


def _units_csv(path):
    with path.open("w", encoding="utf-8") as f:
        f.write("单位名称,类别,简称\n")
        for i in range(ROWS):
            f.write(f"测试单位{i:06d},{CATEGORIES[i % 4]},测{i:06d}\n")
    return ["units", "import", path], "units", 2


def _problems_csv(path):
    with path.open("w", encoding="utf-8") as f:
        f.write("责任单位,数据资源名称,问题类型,问题描述,问题数据量\n")
        for i in range(ROWS):
            unit = "市教育局" if i % 2 else "达州市公安局"
            f.write(f"{unit},资源{i},准确性,第{i}条记录身份证号错误,{i % 50 + 1}\n")
    args = ["spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
            "--file", path]
    return args, "problems", 0


def _wal_size(db_path):
    try:
        return os.path.getsize(str(db_path) + "-wal")
    except FileNotFoundError:
        return 0


def _kill_when(proc, db_path, when):
    """Wait for the moment `when` ('t:SECONDS' or 'wal:BYTES'), then SIGKILL.

    Returns True if the process was still running when killed.
    """
    kind, value = when.split(":")
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < 15:
        if kind == "t" and time.monotonic() - start >= float(value):
            break
        if kind == "wal" and _wal_size(db_path) >= int(value):
            break
        time.sleep(0.005)
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return alive


def _check(db_path, table, base):
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        audits = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()
    assert n in (base, base + ROWS), f"{n} rows: part of the import survived"
    return n, audits


# Kill moments: early (still reading the file), once the transaction has started spilling
# pages to the WAL, and late in the write.
MOMENTS = {"problems": ["t:0.3", "wal:200000", "wal:6000000"],
           "units": ["wal:200000", "wal:3000000"]}


@pytest.mark.parametrize("importer", ["problems", "units"])
def test_sigkill_mid_import_leaves_all_or_nothing(tmp_path, importer):
    make = _units_csv if importer == "units" else _problems_csv
    args, table, base = make(tmp_path / "big.csv")
    assert _exists(*map(str, args[:2])), f"cdo {' '.join(map(str, args[:2]))} is missing"
    killed_mid_write = 0
    for i, when in enumerate(MOMENTS[importer]):
        db_path = tmp_path / f"cdo{i}.db"
        _base(db_path)
        wal_before = _wal_size(db_path)
        proc = _cdo(args, db_path)
        alive = _kill_when(proc, db_path, when)
        wal_at_kill = _wal_size(db_path)
        n, audits = _check(db_path, table, base)
        if alive and n == base and wal_at_kill > wal_before:
            killed_mid_write += 1
        if alive:
            # nothing of the import is in the log either
            assert (n == base) == (audits == 2), (n, audits)
    # the test proves something only if at least one kill landed inside the write
    assert killed_mid_write >= 1, "no kill landed while the import was writing"
    if importer != "units":
        return
    # and the database the last kill left behind takes the same import whole
    proc = _cdo(args, db_path)
    proc.wait(timeout=60)
    assert proc.returncode == 0, (tmp_path / f"{db_path.name}.stderr").read_text()
    n, _ = _check(db_path, table, base)
    assert n == base + ROWS
