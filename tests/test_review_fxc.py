"""Defects found by the attacker/paper review of issues 10 and 14: pipes and odd paths as
--db, backups and output files; escape sequences in CSV/JSON and imports; phone numbers in
free text; no success message before the file is written; date-time columns that fit."""

import json
import os
import subprocess
import sys

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cdo.store.db import open_db

TIMEOUT = 20  # seconds: a hang is a failure, never a stuck suite


def _cdo(*args, cwd, env=None):
    """`cdo ARGS…` in a child process (a hang on a pipe must fail the test, not block it)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cdo", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=TIMEOUT, env=full_env)


@pytest.fixture
def unit_db(tmp_path, cli):
    assert cli("units", "add", "达州市公安局", "--category", "department").exit_code == 0
    return tmp_path / "cdo.db"


# ----------------------------------------------------------------------------- 1, 2: pipes

def test_restore_from_a_pipe_is_refused_not_hung(tmp_path, unit_db):
    os.mkfifo(tmp_path / "f")
    r = _cdo("restore", "f", "--yes", cwd=tmp_path)
    assert r.returncode == 1
    assert "不是普通文件" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_output_onto_a_pipe_is_refused_not_hung(tmp_path, unit_db, force):
    os.mkfifo(tmp_path / "p.xlsx")
    r = _cdo("units", "list", "-o", "p.xlsx", *force, cwd=tmp_path)
    assert r.returncode == 1
    assert "不是普通文件" in r.stderr and "Traceback" not in r.stderr
    assert not os.path.isfile(tmp_path / "p.xlsx")  # the pipe is still there, untouched


def test_output_into_a_folder_is_a_chinese_user_error(tmp_path, unit_db, cli):
    (tmp_path / "ro").mkdir()
    r = cli("units", "list", "-o", "ro/")
    assert r.exit_code != 0
    assert "文件夹" in r.stderr and "is a directory" not in r.stderr


@pytest.mark.parametrize("args", [
    ["units", "list", "-o", "/proc/units.xlsx"],
    ["backup", "/proc/copy.db"],
])
def test_a_folder_that_takes_no_file_is_one_chinese_line(tmp_path, unit_db, args):
    """/proc (like a read-only USB stick) lets no file be created in it: one line, in
    Chinese, nothing left behind, the database as it was."""
    r = _cdo(*args, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("cdo: ") and r.stderr.count("\n") == 1, r.stderr
    assert "/proc/" in r.stderr and "文件或文件夹不存在" in r.stderr
    assert "Traceback" not in r.stderr and "No such file" not in r.stderr


def test_os_reasons_are_chinese():
    import errno

    from cdo.errors import os_reason

    assert os_reason(OSError(errno.EROFS, "Read-only file system")) == "磁盘或文件夹是只读的"
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间已满"
    assert os_reason(OSError(errno.ENOTSUP, "Operation not supported")) == (
        "Operation not supported")  # one not listed: the system's words


# ----------------------------------------------------------------------------- 9: --db

@pytest.mark.parametrize("name", ["db.db-wal", "db.db-shm", "db.db-journal"])
def test_db_naming_a_journal_file_is_refused(tmp_path, cli, name):
    r = cli("--db", name, "units", "list")
    assert r.exit_code == 1 and "日志文件" in r.stderr
    assert not (tmp_path / name).exists()


def test_db_as_a_sqlite_uri_is_refused(tmp_path, cli):
    r = cli("--db", "file:db.db?mode=ro", "units", "list")
    assert r.exit_code == 1 and "URI" in r.stderr
    assert os.listdir(tmp_path) == []  # no 0-byte file named like the URI


def test_empty_db_is_refused_not_the_default(tmp_path, cli):
    r = cli("--db", "", "units", "list")
    assert r.exit_code == 1 and "数据库路径是空的" in r.stderr
    assert not (tmp_path / "cdo.db").exists()


# ----------------------------------------------------------------------------- 7: remind

def test_remind_into_a_missing_folder_announces_nothing_and_saves_nothing(
        tmp_path, cli, unit_db):
    assert cli("spotcheck", "add", "--unit", "公安局", "--resource", "户籍", "--dimension",
               "准确性", "--description", "缺失", "--issued-on", "2023-10-09").exit_code == 0
    r = cli("rectify", "remind", "--unit", "公安局", "--on", "2023-12-06",
            "-o", tmp_path / "nonexist" / "y.xlsx")
    assert r.exit_code == 1
    assert "所在文件夹不存在" in r.stderr
    assert "已登记" not in r.stdout
    db = open_db(unit_db)
    assert db.execute("SELECT count(*) FROM reminders").fetchone()[0] == 0


# ----------------------------------------------------------------------------- 5, 6: widths

def test_log_time_column_fits_date_and_time(cli, unit_db, tmp_path):
    assert cli("log", "-o", tmp_path / "log.xlsx").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "log.xlsx").active
    for row in ws.iter_rows():
        for c in row:
            if c.number_format == "yyyy-mm-dd hh:mm:ss":
                width = ws.column_dimensions[get_column_letter(c.column)].width
                assert width >= len("2023-12-06 10:00:00") + 1, width
                return
    raise AssertionError("no date-time cell in the log")


def test_template_instructions_wrap_inside_a_portrait_page(cli, tmp_path):
    from cdo.sheets.write import column_mm, printable_mm

    assert cli("spotcheck", "template", tmp_path / "t.xlsx").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["填写说明"]
    assert column_mm(ws.column_dimensions["A"].width) <= printable_mm(False)
    assert not ws.print_options.horizontalCentered
    for r in range(2, ws.max_row + 1):
        assert ws.cell(r, 1).alignment.wrap_text
        assert ws.row_dimensions[r].height  # room for its wrapped lines


# ----------------------------------------------------------------------------- 3: escapes

ESCAPES = "\x1b[2J\x1b]52;c;aGk=\x07\x9b31m"


def _problem(cli, description):
    r = cli("spotcheck", "add", "--unit", "公安局", "--resource", "户籍", "--dimension",
            "准确性", "--description", description, "--issued-on", "2023-10-09")
    assert r.exit_code == 0, r.stderr


def test_csv_and_json_carry_no_escape_sequences(cli, unit_db):

    _problem(cli, "描述")
    db = open_db(unit_db)  # as if an import from an older cdo had kept them
    db.execute("UPDATE problems SET description = ?", [f"描述{ESCAPES}完"])
    db.execute("UPDATE units SET name = ?", [f"达州市公安局{ESCAPES}"])
    db.conn.commit()
    for args in (["spotcheck", "list", "--format", "csv"], ["rectify", "list", "--format", "csv"],
                 ["report", "overdue", "--as-of", "2024-03-01", "--format", "csv"],
                 ["units", "list", "--format", "csv"], ["log", "--format", "csv"],
                 ["spotcheck", "list", "--format", "json"],
                 ["report", "overdue", "--as-of", "2024-03-01", "--format", "json"]):
        out = cli(*args).stdout
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out, args
    assert "描述完" in cli("spotcheck", "list", "--format", "csv").stdout
    # JSON keeps the data, escaped (json escapes C0; DEL and C1 escaped too)
    data = json.loads(cli("spotcheck", "list", "--format", "json").stdout)
    assert data[0]["description"] == f"描述{ESCAPES}完"


def test_print_helpers_clean_every_value(capsys):
    from cdo.output import print_csv, print_json

    print_csv([{"a": "x\x1b[2Jy\x9b1m"}], ["a"])
    print_json({"a": "x\x9by"})
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out
    assert out.startswith("a\nxy\n") and "\\u009b" in out  # JSON keeps the data, escaped


def test_imports_strip_controls_in_free_text_and_refuse_them_in_unit_names(
        cli, tmp_path, unit_db):
    (tmp_path / "u.csv").write_text("单位名称,类别\n达州市民政局\x1b[2J,市级部门\n", encoding="utf-8")
    r = cli("units", "import", tmp_path / "u.csv")
    assert r.exit_code == 1 and "控制字符" in r.stderr and "第 2 行" in r.stderr
    r = cli("units", "add", "达州市民政局\x9b", "--category", "department")
    assert r.exit_code == 1 and "控制字符" in r.stderr

    from cdo.problems.importer import TEMPLATE_HEADERS

    rows = [",".join(TEMPLATE_HEADERS),
            "1,达州市公安局,户籍\x07信息,准确性,缺失\x1b]0;title\x07住址\x9b,3,"]
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = cli("spotcheck", "new", "--file", tmp_path / "p.csv", "--month", "2023-10",
            "--issued-on", "2023-10-09")
    assert r.exit_code == 0, r.stderr
    row = open_db(unit_db).execute("SELECT resource, description FROM problems").fetchone()
    assert row == ("户籍信息", "缺失住址")


# ----------------------------------------------------------------------------- 8: phones

def test_phone_in_a_description_is_masked_everywhere_by_default(cli, unit_db, tmp_path):
    _problem(cli, "电话 139 7531 2468 联系")
    outs = [cli("spotcheck", "list").stdout,
            cli("spotcheck", "list", "--format", "csv").stdout,
            cli("spotcheck", "list", "--format", "json").stdout,
            cli("rectify", "list", "--format", "csv").stdout,
            cli("report", "overdue", "--as-of", "2024-03-01").stdout,
            cli("report", "overdue", "--as-of", "2024-03-01", "--format", "csv").stdout,
            cli("report", "overdue", "--as-of", "2024-03-01", "--format", "json").stdout]
    for out in outs:
        assert "139 **** 2468" in out, out
        assert "7531" not in out
    assert "description" in json.loads(outs[2])[0]  # the key stays
    assert cli("spotcheck", "list", "-o", tmp_path / "s.xlsx").exit_code == 0
    assert cli("report", "overdue", "--as-of", "2024-03-01", "-o",
               tmp_path / "o.xlsx").exit_code == 0
    for name in ("s.xlsx", "o.xlsx"):
        cells = [str(c.value) for ws in openpyxl.load_workbook(tmp_path / name).worksheets
                 for row in ws.iter_rows() for c in row if c.value is not None]
        assert any("139 **** 2468" in v for v in cells), name
        assert not any("7531" in v for v in cells), name


def test_checking_a_backup_leaves_no_wal_files_beside_it(tmp_path, unit_db, cli):
    import shutil
    import sqlite3

    from cdo.store.backup import inspect_database

    conn = sqlite3.connect(unit_db)  # a WAL-mode database file, copied as the clerk would
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(unit_db, tmp_path / "b.db")
    assert (tmp_path / "b.db").read_bytes()[18:20] == b"\x02\x02"  # WAL mode
    inspect_database(tmp_path / "b.db")
    assert not os.path.exists(tmp_path / "b.db-wal")
    assert not os.path.exists(tmp_path / "b.db-shm")


# ----------------------------------------------------------------------------- minor

def test_one_bad_form_imported_says_nothing_was_saved(cli, tmp_path, unit_db):
    wb = openpyxl.Workbook()
    wb.active.append(["这不是推荐表"])
    wb.save(tmp_path / "bad.xlsx")
    r = cli("register", "import", tmp_path / "bad.xlsx")
    assert r.exit_code == 1
    assert "其余已保存" not in r.stderr and "没有保存任何内容" in r.stderr


def test_deadline_past_the_calendar_says_its_range(cli):
    r = cli("calendar", "deadline", "9999-12-31", "30")
    assert r.exit_code == 1 and "1900—2200" in r.stderr
