"""Ctrl-C (SIGINT) at any moment: never a traceback, and what the clerk is told is exactly
what is in the database — nothing saved, or precisely what was."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdo.roster.units import add_unit
from cdo.sheets.forms import build_form
from cdo.store.db import open_db

ROWS = 12_000


# `python -m cdo ARGS`, except that the child writes one byte to the pipe `fd` once cdo has
# taken over Ctrl-C (`interrupts.install`, the first thing `cdo/__main__.py` does). Before
# that moment the interpreter is still starting (site, importing the cdo package) and a
# Ctrl-C is Python's own, with its own traceback: no cdo code could handle it. The tests
# send SIGINT only after the byte came, so every interrupt lands inside cdo.
_BOOT = """
import os, runpy, sys
fd = int(sys.argv.pop(1))
from cdo import interrupts
_install = interrupts.install
def install():
    global fd
    _install()
    if fd is not None:  # the command line installs it again: one byte only
        os.write(fd, b"r")
        os.close(fd)
        fd = None
interrupts.install = install
runpy.run_module("cdo", run_name="__main__", alter_sys=True)
"""


class _Child(subprocess.Popen):
    ready_fd: int


def _start(args, db_path):
    env = dict(os.environ, CDO_DB=str(db_path))
    ready, marker = os.pipe()
    try:
        proc = _Child([sys.executable, "-c", _BOOT, str(marker), *map(str, args)], env=env,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(marker,))
    finally:
        os.close(marker)
    proc.ready_fd = ready
    return proc


def _wait_ready(proc, timeout=60):
    """Wait until the child is inside cdo (its byte on the pipe), or has exited."""
    import select

    try:
        readable, _, _ = select.select([proc.ready_fd], [], [], timeout)
        assert readable, "the child did not start cdo in time"
        assert os.read(proc.ready_fd, 1) == b"r" or proc.wait(timeout=60) is not None
    finally:
        os.close(proc.ready_fd)


def _count(db_path, table):
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _no_traceback(err):
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert "TypeError" not in err and "无法读取" not in err, err


@pytest.fixture
def big_list(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="gbk") as f:
        f.write("责任单位,数据资源名称,问题类型,问题描述,问题数据量\n")
        for i in range(ROWS):
            f.write(f"市教育局,资源{i},准确性,第{i}条记录身份证号错误,{i % 50 + 1}\n")
    return path


def _fresh(db_path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db_path}{suffix}"):
            os.remove(f"{db_path}{suffix}")
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    db.conn.close()


def _interrupt(proc, when, db_path):
    """SIGINT `when` seconds after cdo took over Ctrl-C, or ('rows', table, n) once n rows
    are committed."""
    _wait_ready(proc)
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < 30:
        if isinstance(when, float) and time.monotonic() - start >= when:
            break
        if isinstance(when, tuple):
            try:
                if _count(db_path, when[1]) >= when[2]:
                    break
            except sqlite3.OperationalError:
                pass
        time.sleep(0.002)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out.decode(), err.decode()


def test_what_the_clerk_is_told_is_what_was_saved(tmp_path, big_list):
    args = ["spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
            "--file", big_list]
    db_path = tmp_path / "base.db"
    _fresh(db_path)
    t0 = time.monotonic()
    code, _, err = _interrupt(_start(args, db_path), 1e9, db_path)
    whole = time.monotonic() - t0
    assert code == 0, err
    # very early (cdo still importing), while reading, while writing, and once all rows
    # are in
    moments = [0.03, 0.1, 0.25, *(whole * f for f in (0.3, 0.5, 0.7, 0.85, 0.95)),
               ("rows", "problems", ROWS)]
    told = {"nothing": 0, "saved": 0, "finished": 0}
    for i, when in enumerate(moments):
        db_path = tmp_path / f"cdo{i}.db"
        _fresh(db_path)
        code, out, err = _interrupt(_start(args, db_path), when, db_path)
        n = _count(db_path, "problems")
        assert n in (0, ROWS), n
        _no_traceback(err)
        if code == 0:
            assert n == ROWS and "已登记" in out
            told["finished"] += 1
        elif n == 0:
            assert code == 130 and err == "cdo: 已中断，本次命令没有保存任何内容\n", (when, err)
            told["nothing"] += 1
        else:
            assert code == 130 and "中断前已保存" in err, (when, err)
            assert f"问题新增 {ROWS} 项" in err and "月度抽查新增 1 项" in err, err
            assert "没有保存任何内容" not in err
            told["saved"] += 1
    assert told["nothing"] >= 2, told  # the test interrupted some imports mid-way


def _forms(folder, n):
    folder.mkdir()
    db_units = []
    for i in range(n):
        unit = f"达州市测试{i:02d}局"
        db_units.append(unit)
        build_form({"name": f"张{'一二三四五六七八九十'[i % 10]}{i}", "gender": "男",
                    "position": f"{unit}副局长", "phone": "13908180001", "work_plan": "计划",
                    "birth_month": "1980.01"}).save(folder / f"{i:02d}-{unit}.xlsx")
    return db_units


def test_folder_import_interrupted_names_exactly_the_forms_saved(tmp_path):
    db_path = tmp_path / "cdo.db"
    db = open_db(db_path)
    for unit in _forms(tmp_path / "forms", 30):
        add_unit(db, unit, "department")
    db.conn.close()
    proc = _start(["register", "import", tmp_path / "forms", "--received", "2023-05-30"],
                  db_path)
    code, _, err = _interrupt(proc, ("rows", "cdos", 3), db_path)
    _no_traceback(err)
    conn = sqlite3.connect(db_path)
    in_db = {r[0] for r in conn.execute("SELECT source_file FROM cdos")}
    conn.close()
    assert code == 130 and 3 <= len(in_db) < 30, (code, err)
    told = set(re.findall(r"已保存的推荐表：(\S+)，工作表“推荐表”", err))
    assert {Path(t).name for t in told} == in_db and len(told) == len(in_db)
    assert f"首席数据官推荐 {len(in_db)} 项" in err and "其余没有保存" in err


def test_an_interrupt_a_reader_swallowed_is_not_blamed_on_the_file(cli, db_path, tmp_path,
                                                                   monkeypatch):
    """A Ctrl-C inside openpyxl that surfaced as another error: the clerk is told it was
    an interrupt, not that a good form cannot be read."""
    from cdo import interrupts
    from cdo.errors import FileReadError
    from cdo.sheets import forms

    db = open_db(db_path)
    add_unit(db, "达州市测试00局", "department")
    db.conn.close()
    _forms(tmp_path / "forms", 1)
    monkeypatch.setattr(interrupts, "requested", False)

    def interrupted(path, merged=False, **bounds):
        interrupts.requested = True  # as the SIGINT handler does
        raise FileReadError(f"{path}：无法读取这个 Excel 文件（TypeError），请另存为 .xlsx 后再试")

    monkeypatch.setattr("cdo.sheets.read.read_table", interrupted)
    assert forms  # read_forms imports read_table when it runs
    r = cli("register", "import", tmp_path / "forms", "--received", "2023-05-30")
    assert r.exit_code == 130
    assert r.stderr == "cdo: 已中断，本次命令没有保存任何内容\n"
    assert "TypeError" not in r.stdout + r.stderr
