"""Fresh-clone clerk trial, import defects: a date typed into a cell formatted as a number
(an Excel serial, 45839 = 2025-07-01) read as that date wherever a sheet gives a date;
hidden sheets (a unit's old list, a draft) never read as data, and said skipped; a 合计
line under the unit list passed over; 高新区/经开区 taken as 县市区及园区.

Files are built as units send them (openpyxl, a merged title, stray spaces, a number cell
where a date belongs), and where they pass through another program, saved by LibreOffice."""

import datetime as dt
import json
import zipfile

import openpyxl
import pytest
from conftest import soffice_convert

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


def test_a_birth_date_typed_into_a_number_cell_is_its_month(cli, units, tmp_path):
    f = tmp_path / "通川区.xlsx"
    build_form({"name": "陈十一", "gender": "男", "position": "达州市通川区副区长",
                "phone": "18600001111", "work_plan": "计划", "birth_month": 27820}).save(f)
    ok(cli("register", "import", f, "--unit", "通川区"))
    rows = json.loads(ok(cli("register", "show", "通川区", "-f", "json")).stdout)
    assert "1976-03" in json.dumps(rows, ensure_ascii=False)


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


def test_a_serial_date_survives_a_csv_round_trip(cli, units, tmp_path):
    src = book(tmp_path / "系统.xlsx", ("Sheet", [
        ["序号", "系统名称", "建设类型", "是否接入", "接入日期"], [1, "低保系统", "自建", "是", 45800]]))
    csv = soffice_convert(src, tmp_path / "lo", "csv:Text - txt - csv (StarCalc):44,34,76")
    assert "45800" in csv.read_text(encoding="utf-8")
    ok(cli("evidence", "systems", "import", csv, "-u", "通川区"))
    db = open_db(units)
    assert db.execute("SELECT connected_on FROM systems").fetchone()[0] == "2025-05-23"
    db.conn.close()


# ----------------------------------------------------------------------------- hidden sheets

UNIT_HEAD = ["序号", "单位 名称", "类\u3000别", " 简称 "]
UNIT_ROWS = [["2025年达州市首席数据官制度参与单位名单"], [], UNIT_HEAD,
             [1, "达州市通川区", "县市区", "通川区"], [2, " 达州市达川区 ", "县（市、区）", "达川区"],
             [3, "达州市教育局", "市级部门", "市教育局"]]
OLD_LIST = [["单位名称", "类别", "简称"], ["达州市已撤并局", "市级部门", "撤并局"]]


def _unit_names(db_path):
    db = open_db(db_path)
    names = [r[0] for r in db.execute("SELECT name FROM units ORDER BY id")]
    db.conn.close()
    return names


def test_hidden_and_very_hidden_sheets_of_a_unit_list_are_skipped_and_said(cli, db_path, tmp_path):
    f = book(tmp_path / "名单.xlsx", ("名单", UNIT_ROWS), ("旧名单", OLD_LIST),
             ("备用", [["单位名称", "类别"], ["达州市很隐藏局", "市级部门"]]),
             hidden=["旧名单"], very_hidden=["备用"])
    r = ok(cli("units", "import", f))
    assert r.stdout == ("名单.xlsx：新增 3 个单位，更新 0 个，未变 0 个\n"
                        "跳过隐藏的工作表“旧名单”、“备用”（隐藏的工作表不作为数据导入）\n")
    assert _unit_names(db_path) == ["达州市通川区", "达州市达川区", "达州市教育局"]


@pytest.mark.parametrize("to", ["ods", "xls"])
def test_hidden_sheets_skipped_in_ods_and_xls_too(cli, db_path, tmp_path, to):
    f = book(tmp_path / "名单.xlsx", ("名单", UNIT_ROWS), ("旧名单", OLD_LIST), hidden=["旧名单"])
    other = soffice_convert(f, tmp_path / "lo", to)
    r = ok(cli("units", "import", other))
    assert "跳过隐藏的工作表“旧名单”" in r.stdout
    assert "达州市已撤并局" not in _unit_names(db_path)
    assert len(_unit_names(db_path)) == 3


def test_a_workbook_of_hidden_sheets_only_is_refused_by_name(cli, db_path, tmp_path):
    # Excel and openpyxl keep one sheet visible; other programs may not: hide it in the XML
    made = book(tmp_path / "made.xlsx", ("旧名单", OLD_LIST), ("图", []), very_hidden=["图"])
    f = tmp_path / "全隐藏.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(f, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace('name="旧名单" sheetId="1" state="visible"'.encode(),
                                    'name="旧名单" sheetId="1" state="hidden"'.encode())
            out.writestr(item, data)
    r = cli("units", "import", f)
    assert r.exit_code == 1
    assert "所有工作表都是隐藏的（旧名单、图）" in r.stderr
    assert _unit_names(db_path) == []


PROBLEM_HEAD = ["序号", "责任单位", "数据资源 名称", "问题类型", "问题描述", "问题数据量", "备注"]


def test_a_hidden_draft_sheet_of_a_problem_list_is_no_problem(cli, units, tmp_path):
    f = book(tmp_path / "p2025-01.xlsx",
             ("2025年1月", [["达州市2025年1月数据抽查问题数据清单"], PROBLEM_HEAD,
                           [1, "通川区", "户籍人口信息", "准确性", "身份证号校验位错误", 120],
                           [2, "教育局", "学籍信息", "时效性", "未按月更新", "３５"],
                           ["合计", None, None, None, None, 155]]),
             ("草稿", [PROBLEM_HEAD[:6], [1, "通川区", "旧问题", "准确性", "草稿里的行", 1]]),
             hidden=["草稿"])
    r = ok(cli("spotcheck", "new", "--month", "2025-01", "--issued-on", "2025-02-10", "--file", f))
    assert "2 个问题" in r.stdout
    assert "读取了" not in r.stdout  # one sheet read, not two
    assert "跳过隐藏的工作表“草稿”（隐藏的工作表不作为数据导入）" in r.stdout
    db = open_db(units)
    assert [x[0] for x in db.execute("SELECT resource FROM problems ORDER BY id")] == [
        "户籍人口信息", "学籍信息"]
    db.conn.close()
    r = cli("spotcheck", "new", "--month", "2025-01", "--issued-on", "2025-02-10", "--file", f,
            "--sheet", "草稿", "--again")
    assert r.exit_code == 1
    assert "工作表“草稿”是隐藏的" in r.stderr


def test_evidence_lists_skip_a_hidden_sheet_and_say_so(cli, units, tmp_path):
    head = ["序号", "系统名称", "建设类型", "是否接入", "接入日期"]
    f = book(tmp_path / "系统.xlsx", ("Sheet", [head, [1, "低保系统", "自建", "是", "2025-05-06"]]),
             ("旧", [head, [1, "旧系统", "外包", "也许", "上周"]]), hidden=["旧"])
    r = ok(cli("evidence", "systems", "import", f, "-u", "通川区"))
    assert "1 个系统" in r.stdout
    assert "跳过隐藏的工作表“旧”" in r.stdout


def test_a_hidden_old_form_in_a_recommendation_workbook_is_not_imported(cli, units, tmp_path):
    f = _tongchuan_form(tmp_path / "通川区.xlsx")
    wb = openpyxl.load_workbook(f)
    old = wb.copy_worksheet(wb.worksheets[0])
    old.title = "上次的"
    old.sheet_state = "hidden"
    wb.save(f)
    r = ok(cli("register", "import", f, "--unit", "通川区"))
    assert "共 1 份：新增 1 份。" in r.stdout
    assert "跳过隐藏的工作表“上次的”" in r.stdout


# ----------------------------------------------------------------------------- 合计, 园区

def test_a_totals_line_under_the_unit_list_is_no_unit(cli, db_path, tmp_path):
    f = book(tmp_path / "名单.xlsx", ("名单", [*UNIT_ROWS, ["合计", "3个单位", None, None], [],
                                             ["注：类别按政策填写"]]))
    r = ok(cli("units", "import", f))
    assert r.stdout == "名单.xlsx：新增 3 个单位，更新 0 个，未变 0 个\n"
    assert len(_unit_names(db_path)) == 3


def test_a_unit_named_like_a_total_is_still_a_unit(cli, db_path, tmp_path):
    f = book(tmp_path / "名单.xlsx", ("名单", [UNIT_HEAD, [1, "合计核算中心", "公共服务机构", None]]))
    ok(cli("units", "import", f))
    assert _unit_names(db_path) == ["合计核算中心"]


@pytest.mark.parametrize("word", ["高新区", "经开区", "园区", "高新技术产业开发区", "经济技术开发区",
                                  "产业园区", "县市区及园区", " 高新区 "])
def test_zones_are_regions(cli, db_path, word):
    r = ok(cli("units", "add", "达州高新区", "--category", word))
    assert r.stdout == "已添加单位：达州高新区（县市区及园区）\n"


def test_zones_in_a_unit_list_and_the_accepted_words_named_as_shown(cli, db_path, tmp_path):
    f = book(tmp_path / "名单.xlsx", ("名单", [
        UNIT_HEAD, [1, "达州高新技术产业开发区管理委员会", "高新区", "高新区"],
        [2, "达州经济技术开发区管理委员会", "经开区", "经开区"],
        ["合计", "2个单位"]]))
    ok(cli("units", "import", f))
    rows = json.loads(ok(cli("units", "list", "-f", "json")).stdout)
    assert {r["category"] for r in rows} == {"region"}
    r = cli("units", "add", "某镇", "--category", "乡镇")
    assert r.exit_code == 1
    assert ("可用：县市区及园区（region）、市级部门（department）、国有企业（enterprise）、"
            "公共服务机构（institution）") in r.stderr


def test_a_hidden_sheet_of_a_score_grid_is_not_scored(cli, units, tmp_path):
    head = ["单位名称", "1", "2"]
    f = book(tmp_path / "评分.xlsx", ("评分", [head, ["通川区", 3, 2]]),
             ("上次", [head, ["教育局", 3, 2]]), hidden=["上次"])
    r = ok(cli("score", "import", f, "--year", 2025))
    assert "1 个单位" in r.stdout
    assert "注意：评分.xlsx：跳过隐藏的工作表“上次”" in r.stderr
