"""Issue 13, clerk-trial review: a year in a score workbook's sheet name, the two year
checks of a filled 附件2 agreeing (--force, the sheet name), 合计/分值 rows labelled in any
column of a grid, a corrected problem list overlapping an earlier import, a bracketed
header named as written, unreadable entries of a folder of 推荐表 named.

Files are built as units send them (openpyxl, stray spaces, merged title) and, where
they pass through another program, saved again by LibreOffice."""

import json

import openpyxl
import pytest
from conftest import soffice_convert

from cdo import scoring
from cdo.roster.units import add_unit
from cdo.store.db import open_db

TABLE = scoring.load_table()
NUMBERS = TABLE.numbers
MAXES = {i.no: i.max for i in TABLE.items}


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市公安局", "department", "公安局")
    add_unit(db, "达州市民政局", "department", "民政局")
    add_unit(db, "达州市通川区", "region", "通川区")
    return db


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def fail(r, *patterns):
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    for p in patterns:
        assert p in r.stderr, r.stderr
    return r


def totals(cli, year):
    rows = json.loads(ok(cli("score", "--year", year, "-f", "json")).stdout)
    return {r["unit"]: r["total"] for r in rows}


def full(value):
    return [min(value, MAXES[n]) for n in NUMBERS]


def grid(path, rows, *, sheet="得分汇总", foot=()):
    """序号 | 考评对象 | 类别 | one column per item; no title row; `foot` rows as given."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["序号", " 考评对象 ", "类别", *[str(n) for n in NUMBERS]])
    for k, (unit, values) in enumerate(rows, 1):
        ws.append([k, unit, "市级部门", *values])
    for row in foot:
        ws.append(row)
    wb.save(path)
    return path


# -- 1. the sheet name's year --------------------------------------------------------------

def test_a_grid_whose_sheet_is_named_for_another_year_needs_force(cli, units, tmp_path):
    src = grid(tmp_path / "评分汇总.xlsx", [("通川区", full(2))], sheet="2023年度")
    resaved = soffice_convert(src, tmp_path / "lo", "xlsx")
    for f in (src, resaved):
        fail(cli("score", "import", f, "--year", 2024),
             "评分汇总.xlsx，工作表名“2023年度”写的是 2023 年度，不是 --year 2024", "--force",
             "没有导入任何分数")
    assert totals(cli, 2024)["达州市通川区"] == 0
    ok(cli("score", "import", src, "--year", 2023))
    assert totals(cli, 2023)["达州市通川区"] == sum(full(2))
    ok(cli("score", "import", resaved, "--year", 2024, "--force"))
    assert totals(cli, 2024)["达州市通川区"] == sum(full(2))


def test_a_workbook_with_a_sheet_per_year_names_the_sheet_of_the_other_year(cli, units,
                                                                            tmp_path):
    src = grid(tmp_path / "评分.xlsx", [("通川区", full(2))], sheet="2024年度")
    wb = openpyxl.load_workbook(src)
    old = wb.copy_worksheet(wb.active)
    old.title = "2023年度"
    wb.save(src)
    r = fail(cli("score", "import", src, "--year", 2024), "工作表名“2023年度”写的是 2023 年度")
    assert "工作表名“2024年度”" not in r.stderr


# -- 2. a filled 附件2 of another year -------------------------------------------------------

def filled_form(cli, path, year=2023, unit="公安局", clear_year=False):
    ok(cli("score", "sheet", "--year", year, "--unit", unit, path))
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for r in range(6, 21):
        ws.cell(r, 5).value = 1
    if clear_year:
        ws["D3"] = "评价年度："
    wb.save(path)
    return path


def test_force_imports_a_form_stating_another_year_and_the_refusal_says_so(cli, units,
                                                                          tmp_path):
    form = filled_form(cli, tmp_path / "公安局评价表.xlsx")
    resaved = soffice_convert(form, tmp_path / "lo", "xlsx")
    fail(cli("score", "import", resaved, "--year", 2025),
         "这是 2023 年度的评价表（达州市公安局），不是 2025 年度", "--force", "没有导入任何分数")
    assert totals(cli, 2025)["达州市公安局"] == 0
    ok(cli("score", "import", resaved, "--year", 2025, "--force"))
    assert totals(cli, 2025)["达州市公安局"] == 15


def test_a_form_with_its_year_cleared_is_checked_by_its_sheet_name(cli, units, tmp_path):
    form = filled_form(cli, tmp_path / "公安局评价表.xlsx", clear_year=True)
    resaved = soffice_convert(form, tmp_path / "lo", "xlsx")
    fail(cli("score", "import", resaved, "--year", 2025),
         "公安局评价表.xlsx，工作表名“2023年度评价表”写的是 2023 年度，不是 --year 2025",
         "--force")
    assert totals(cli, 2025)["达州市公安局"] == 0
    ok(cli("score", "import", resaved, "--year", 2025, "--force"))
    assert totals(cli, 2025)["达州市公安局"] == 15
    # the year it was made for goes in without --force
    ok(cli("score", "import", resaved, "--year", 2023))


# -- 3. 合计/分值 rows labelled in any column ------------------------------------------------

@pytest.mark.parametrize("column", [0, 2], ids=["in-序号", "in-类别"])
def test_total_and_maximum_rows_are_skipped_wherever_the_label_stands(cli, units, tmp_path,
                                                                      column):
    def foot(label, values):
        row = [None, None, None, *values]
        row[column] = label
        return row

    src = grid(tmp_path / "评分汇总.xlsx", [("通川区", full(2)), ("民政局 ", full(3))],
               foot=[foot("分值", [MAXES[n] for n in NUMBERS]),
                     foot(" 合 计 ", [a + b for a, b in zip(full(2), full(3), strict=True)])])
    resaved = soffice_convert(src, tmp_path / "lo", "xlsx")
    r = ok(cli("score", "import", resaved, "--year", 2023))
    assert "2 个单位" in r.stdout and "没有写单位名称" not in r.stderr
    assert totals(cli, 2023) == {"达州市公安局": 0, "达州市民政局": sum(full(3)),
                                 "达州市通川区": sum(full(2))}


def test_a_row_of_points_without_a_unit_or_a_total_label_is_still_refused(cli, units,
                                                                          tmp_path):
    src = grid(tmp_path / "g.xlsx", [("通川区", full(2))],
               foot=[[3, None, "市级部门", *full(1)]])
    fail(cli("score", "import", src, "--year", 2023), "第3行：没有写单位名称")


# -- 4. a corrected problem list repeating an earlier import ---------------------------------

LIST = [
    [1, "达州市公安局", "机动车登记信息", "准确性", "车辆所有人与身份证号不对应", 215],
    [2, "公安局", "驾驶证信息", "完整性", "准驾车型为空", 12],
    [3, " 民政局 ", "婚姻登记信息", "规范性", "性别字段编码不统一", "1,234"],
    [4, "通川区", "户籍人口统计数据", "时效性", "未按月更新", None],
]


def problem_list(path, rows, headers=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题清单"
    headers = headers or ["序  号", "责任单位", "数据资源名称", "问题类型", "问题描述 ",
                          "问题数据量（条）"]
    ws.cell(1, 1, "2023年9月数据抽查问题数据清单")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for c, h in enumerate(headers, 1):
        ws.cell(2, c, h)
    for r, row in enumerate(rows, 3):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
    wb.save(path)
    return path


def spotcheck(cli, f, *extra, month="2023-09"):
    return cli("spotcheck", "new", "--month", month, "--issued-on", "2023-09-27", "--file", f,
               *extra)


def problem_count(db):
    return db.execute("SELECT COUNT(*) FROM problems").fetchone()[0]


def test_a_corrected_list_repeating_an_earlier_import_is_refused_naming_the_rows(
        cli, units, tmp_path):
    r = ok(spotcheck(cli, problem_list(tmp_path / "9月清单.xlsx", LIST)))
    assert "月度抽查（抽查编号 1）" in r.stdout
    corrected = problem_list(tmp_path / "9月清单（更正）.xlsx",
                             [LIST[1], LIST[0], LIST[3], LIST[2],
                              [5, "通川区", "低保对象信息", "完整性", "缺少身份证号", 3]])
    resaved = soffice_convert(corrected, tmp_path / "lo", "xlsx")
    r = fail(spotcheck(cli, resaved),
             "这份清单有 4 个问题已在抽查编号 1（2023-09，2023-09-27 下发，文件 9月清单.xlsx，",
             "第3行、第4行、第5行、第6行（共 4 行", "整份清单未导入", "--again",
             "cdo spotcheck withdraw 1")
    assert "完全相同" not in r.stderr
    assert problem_count(units) == 4
    # another month is another check; --again takes the list whole
    ok(spotcheck(cli, resaved, month="2023-08"))
    assert problem_count(units) == 9
    ok(spotcheck(cli, resaved, "--again"))
    assert problem_count(units) == 14


def test_many_overlapping_rows_are_named_first_few_then_counted(cli, units, tmp_path):
    rows = [[k, "通川区", f"资源{k}", "准确性", "错", 1] for k in range(1, 16)]
    ok(spotcheck(cli, problem_list(tmp_path / "a.xlsx", rows)))
    r = fail(spotcheck(cli, problem_list(tmp_path / "b.xlsx",
                                         [*rows, [16, "公安局", "新", "准确性", "错", 1]])),
             "这份清单有 15 个问题已在抽查编号 1", "第3行、第4行", "第12行（等 15 行")
    assert "第13行" not in r.stderr
    assert problem_count(units) == 15


def test_a_withdrawn_import_does_not_block_its_corrected_list(cli, units, tmp_path):
    ok(spotcheck(cli, problem_list(tmp_path / "a.xlsx", LIST)))
    ok(cli("spotcheck", "withdraw", 1, "--reason", "清单有误，重发"))
    ok(spotcheck(cli, problem_list(tmp_path / "b.xlsx",
                                   [*LIST, [5, "通川区", "低保", "完整性", "缺", 3]])))
    assert problem_count(units) == 5


def test_the_whole_list_again_keeps_its_own_message(cli, units, tmp_path):
    ok(spotcheck(cli, problem_list(tmp_path / "a.xlsx", LIST)))
    fail(spotcheck(cli, problem_list(tmp_path / "b.xlsx", LIST[::-1])),
         "这份清单已经导入过：与抽查编号 1（2023-09，", "的 4 个问题完全相同")


# -- 5. an ambiguous header named as written -------------------------------------------------

def test_two_bracketed_count_headers_are_named_as_written(cli, units, tmp_path):
    headers = ["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量（条）",
               "问题数据量（个）"]
    f = problem_list(tmp_path / "two.xlsx", [[*LIST[0], 9]], headers)
    for path in (f, soffice_convert(f, tmp_path / "lo", "csv:Text - txt - csv (StarCalc):44,34,76")):
        fail(spotcheck(cli, path),
             "F 列“问题数据量（条）”和 G 列“问题数据量（个）”都像“问题数据量”列")
    assert problem_count(units) == 0


@pytest.mark.parametrize("order", [["问题数据量（条）", "问题数据量"],
                                   ["问题数据量", "问题数据量（条）"]])
def test_the_header_written_exactly_as_the_label_wins(cli, units, tmp_path, order):
    headers = ["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", *order]
    exact = order.index("问题数据量")
    values = [7, 8] if exact == 0 else [8, 7]
    f = problem_list(tmp_path / "c.xlsx", [[*LIST[0][:5], *values]], headers)
    resaved = soffice_convert(f, tmp_path / "lo", "xlsx")
    ok(spotcheck(cli, resaved))
    got = [p["records"] for p in json.loads(cli("spotcheck", "list", "-f", "json").stdout)]
    assert got == [7]


def test_two_row_header_ambiguity_is_named_as_written_too(cli, units, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "责任单位", "数据资源名称", "问题情况", None, None, None])
    ws.append([None, None, None, "问题类型", "问题描述", "问题数据量（条）", "问题数据量（个）"])
    ws.merge_cells("A1:A2")
    ws.append([*LIST[0], 9])
    wb.save(tmp_path / "two-rows.xlsx")
    fail(spotcheck(cli, tmp_path / "two-rows.xlsx"),
         "第 1—2 行表头：F 列“问题数据量（条）”和 G 列“问题数据量（个）”")


# -- 6. entries of a folder of 推荐表 that cannot be read ------------------------------------

def test_a_broken_link_and_a_folder_named_like_a_form_are_named_in_the_summary(cli, units,
                                                                              tmp_path):
    from cdo.sheets.forms import build_form

    folder = tmp_path / "推荐表"
    folder.mkdir()
    build_form({"name": "李梅", "gender": "女", "position": "通川区人民政府副区长",
                "phone": "13908182222", "birth_month": "1980.02"}).save(folder / "通川区.xlsx")
    gone = tmp_path / "已删除.xlsx"
    build_form({"name": "王五", "position": "达州市公安局副局长"}).save(gone)
    (folder / "unreadable.xlsx").symlink_to(gone)
    gone.unlink()  # the link stays, pointing nowhere
    (folder / "dir.xlsx").mkdir()
    (folder / "sub.ods").mkdir()  # holds a form: read, not a failure
    build_form({"name": "赵六", "gender": "男", "position": "达州市民政局副局长",
                "phone": "13908183333", "birth_month": "1979.05"}).save(folder / "sub.ods" / "民政局.xlsx")
    r = cli("register", "import", folder, "--received", "2023-06-01")
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert "共 4 份：新增 2 份，失败 2 份。" in r.stdout, r.stdout
    assert f"未导入  {folder / 'unreadable.xlsx'}：这是一个快捷方式（链接），它指向的文件已不存在" \
        in r.stderr, r.stderr
    assert f"未导入  {folder / 'dir.xlsx'}：这是一个文件夹（名字像表格文件），里面没有推荐表" \
        in r.stderr
    assert "sub.ods：" not in r.stderr
    assert "Traceback" not in r.stderr


# -- 8. what the README says of the résumé is what the commands do ---------------------------

def test_the_readme_says_where_the_resume_is_shown_and_the_commands_agree(cli, units,
                                                                        tmp_path):
    from pathlib import Path

    from cdo.sheets.forms import build_form

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "résumés are masked in every output" not in readme
    assert "`register show` prints it" in readme
    resume = "2001.07—2010.12 达州市劳动局科员"
    build_form({"name": "李梅", "gender": "女", "position": "通川区人民政府副区长",
                "phone": "13908182222", "birth_month": "1980.02",
                "resume": resume}).save(tmp_path / "通川区.xlsx")
    ok(cli("register", "import", tmp_path / "通川区.xlsx", "--received", "2023-06-01"))
    assert resume in ok(cli("register", "show", "通川区")).stdout  # the whole form, by design
    assert resume not in ok(cli("register", "list", "-f", "json")).stdout
    assert resume not in ok(cli("log", "-f", "json")).stdout
    assert resume in ok(cli("log", "-f", "json", "--show-contact")).stdout
