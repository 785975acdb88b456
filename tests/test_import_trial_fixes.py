"""Fresh-clone clerk trial, import defects: a date typed into a cell formatted as a number
(an Excel serial, 45839 = 2025-07-01) read as that date wherever a sheet gives a date;
hidden sheets (a unit's old list, a draft) never read as data, and said skipped; a 合计
line under the unit list passed over; 高新区/经开区 taken as 县市区及园区.

Files are built as units send them (openpyxl, a merged title, stray spaces, a number cell
where a date belongs), and where they pass through another program, saved by LibreOffice."""

import datetime as dt
import json
import shutil
import subprocess

import openpyxl
import pytest

from cdo.dates import from_excel_serial
from cdo.roster.units import add_unit
from cdo.sheets.forms import build_form
from cdo.sheets.read import cell_date
from cdo.store.db import open_db


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def book(path, *sheets, hidden=(), very_hidden=()):
    """A workbook of (name, rows) sheets; rows as lists of cell values."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        if name in hidden:
            ws.sheet_state = "hidden"
        if name in very_hidden:
            ws.sheet_state = "veryHidden"
    wb.save(path)
    return path


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市通川区", "region", "通川区")
    add_unit(db, "达州市教育局", "department", "市教育局")
    db.conn.close()
    return db_path


# ----------------------------------------------------------------------------- serial dates

@pytest.mark.parametrize("value, day", [
    (45839, dt.date(2025, 7, 1)), (45839.0, dt.date(2025, 7, 1)), ("45839", dt.date(2025, 7, 1)),
    (" 45839 ", dt.date(2025, 7, 1)), (45839.75, dt.date(2025, 7, 1)),  # a time of day dropped
    (32874, dt.date(1990, 1, 1)), (73415, dt.date(2100, 12, 31)),
    (dt.datetime(2025, 7, 1, 0, 0), dt.date(2025, 7, 1)), ("2025年7月1日", dt.date(2025, 7, 1)),
    ("20250701", dt.date(2025, 7, 1)), (None, None), ("  ", None),
])
def test_a_date_cell_read_every_way_units_write_it(value, day):
    assert cell_date(value) == day


@pytest.mark.parametrize("value", [32873, 73416, 120, 3, -45839, True, "4583", "45839x", "七月一日"])
def test_numbers_outside_1990_to_2100_are_not_dates(value):
    assert from_excel_serial(value) is None
    with pytest.raises(Exception, match="不是日期"):
        cell_date(value, "完成时限", "工作表“清单”D 列")


def _tongchuan_form(path, name="陈十一"):
    build_form({"name": name, "gender": "男", "position": "达州市通川区副区长",
                "phone": "18600001111", "work_plan": "计划", "birth_month": "1980.02"}).save(path)
    return path


def _history(cli, unit):
    return json.loads(ok(cli("register", "history", unit, "-f", "json")).stdout)


def test_a_serial_number_in_the_received_list_dates_the_form_and_ends_the_last_term(
        cli, units, tmp_path):
    first = _tongchuan_form(tmp_path / "李梅.xlsx", "李梅")
    ok(cli("register", "import", first, "--unit", "通川区", "--received", "2024-01-05"))
    folder = tmp_path / "forms"
    folder.mkdir()
    _tongchuan_form(folder / "通川区-更换.xlsx")
    book(folder / "收到登记.xlsx", ("Sheet", [["文件名", "收到日期"], ["通川区-更换.xlsx", 45839]]))
    r = ok(cli("register", "import", folder))
    assert "共 1 份：更换 1 份。" in r.stdout  # the list is no form, and no failure
    assert "收到日期 2025-07-01，取自收文登记表 收到登记.xlsx，第 2 行" in r.stdout
    old, new = _history(cli, "通川区")
    assert (old["name"], old["ended_on"]) == ("李梅", "2025-07-01")
    assert (new["name"], new["received_on"], new["recommended_on"]) == (
        "陈十一", "2025-07-01", "2025-07-01")


def test_a_bad_date_in_the_received_list_fails_its_form_not_dates_it_today(cli, units, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    _tongchuan_form(folder / "通川区-更换.xlsx")
    book(folder / "收到登记.xlsx", ("登记", [["文件名", "收到日期"], ["通川区-更换.xlsx", "七月一日"]]))
    r = cli("register", "import", folder)
    assert r.exit_code == 1
    assert "共 1 份：失败 1 份。" in r.stdout
    assert ("收文登记表 收到登记.xlsx，工作表“登记”，第 2 行 B 列：收到日期“七月一日”不是日期"
            in r.stdout + r.stderr)
    assert _history(cli, "通川区") == []  # never saved with today's date


def test_serial_dates_in_the_task_and_system_lists(cli, units, tmp_path):
    tasks = book(tmp_path / "共享.xlsx", ("共享责任清单", [
        ["2025年数据共享责任清单"], ["序号", "责任单位", "任务内容", "完成时限", "完成日期"],
        [1, "通川区", "低保信息共享", dt.datetime(2025, 6, 30), "2025.6.20"],
        [2, "教育局 ", "学籍共享", 45930, 45900]]))
    r = ok(cli("evidence", "tasks", "import", tasks, "--list", "share"))
    assert "新增 2 项" in r.stdout
    db = open_db(units)
    assert db.execute("SELECT due_on, done_on FROM evidence_tasks ORDER BY id").fetchall()[1] == (
        "2025-09-30", "2025-08-31")
    db.conn.close()
    systems = book(tmp_path / "系统.xlsx", ("Sheet", [
        ["序号", "系统名称", "建设类型（自建/条线）", "是否接入", "接入日期"],
        [1, "通川区低保系统", "自建", "是", 45800], [2, "省级条线系统", "条线", "是", "2025年5月6日"]]))
    ok(cli("evidence", "systems", "import", systems, "-u", "通川区"))
    db = open_db(units)
    assert [r[0] for r in db.execute("SELECT connected_on FROM systems ORDER BY id")] == [
        "2025-05-23", "2025-05-06"]
    db.conn.close()


def test_a_date_error_names_the_sheet_row_and_column(cli, units, tmp_path):
    tasks = book(tmp_path / "共享.xlsx", ("共享责任清单", [
        ["序号", "责任单位", "任务内容", "完成时限", "完成日期"],
        [1, "通川区", "低保信息共享", 120, None]]))
    r = cli("evidence", "tasks", "import", tasks, "--list", "share")
    assert r.exit_code == 1
    assert "第 2 行：完成时限“120”不是日期（工作表“共享责任清单”D 列；" in r.stderr


def soffice_convert(src, out_dir, to):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed for the round trips"
    out_dir.mkdir(exist_ok=True)
    subprocess.run([soffice, f"-env:UserInstallation=file://{out_dir / 'lo-profile'}",
                    "--headless", "--convert-to", to, "--outdir", str(out_dir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / f"{src.stem}.{to.split(':')[0]}"


def test_a_serial_date_survives_a_csv_round_trip(cli, units, tmp_path):
    src = book(tmp_path / "系统.xlsx", ("Sheet", [
        ["序号", "系统名称", "建设类型", "是否接入", "接入日期"], [1, "低保系统", "自建", "是", 45800]]))
    csv = soffice_convert(src, tmp_path / "lo", "csv:Text - txt - csv (StarCalc):44,34,76")
    assert "45800" in csv.read_text(encoding="utf-8")
    ok(cli("evidence", "systems", "import", csv, "-u", "通川区"))
    db = open_db(units)
    assert db.execute("SELECT connected_on FROM systems").fetchone()[0] == "2025-05-23"
    db.conn.close()
