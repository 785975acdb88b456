"""Issue 13: the same problem list imported twice (in whatever file), withdrawing a mistaken
import, the problem-data column chosen by its exact label, and 一致性 by a stated rule.

Lists are made as the office makes them: openpyxl with a merged title, stray spaces and a
merged unit column, then saved again by LibreOffice (soffice) as .xlsx and as .csv."""

import json

import openpyxl
import pytest
from conftest import soffice_convert

from cdo.roster.units import add_unit
from cdo.store.db import open_db


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市公安局", "department", "市公安局")
    add_unit(db, "达州市民政局", "department", "市民政局")
    add_unit(db, "通川区", "region")
    return db


LIST = [
    [1, "达州市公安局", "机动车登记信息", "准确性", "车辆所有人与身份证号不对应", 215],
    [2, "市公安局", "驾驶证信息", "完整性", "准驾车型为空", 12],
    [3, " 市民政局 ", "婚姻登记信息", "规范性", "性别字段编码不统一", "1,234"],
    [4, "通川区", "户籍人口统计数据", "时效性", "未按月更新", None],
]


def office_list(path, rows=LIST, headers=None, merge_unit=False):
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
    if merge_unit:  # 责任单位 merged down two rows, as units often send it
        ws.cell(4, 2).value = None
        ws.merge_cells("B3:B4")
    wb.save(path)
    return path


def new(cli, f, *extra, month="2023-09"):
    return cli("spotcheck", "new", "--month", month, "--issued-on", "2023-09-27", "--file", f,
               *extra)


def problem_count(db):
    return db.execute("SELECT COUNT(*) FROM problems").fetchone()[0]


def test_the_same_list_saved_again_by_libreoffice_is_refused_naming_the_first(cli, units,
                                                                              tmp_path):
    (tmp_path / "src").mkdir()
    first = office_list(tmp_path / "src" / "9月清单.xlsx")
    merged = office_list(tmp_path / "merged.xlsx", merge_unit=True)
    r = new(cli, first)
    assert r.exit_code == 0, r.stderr
    assert problem_count(units) == 4
    resaved = soffice_convert(first, tmp_path / "xlsx", "xlsx")
    as_csv = soffice_convert(first, tmp_path / "csv", "csv:Text - txt - csv (StarCalc):44,34,76")
    gbk = tmp_path / "9月清单-gbk.csv"  # as Excel saves CSV on a Chinese Windows
    gbk.write_bytes(as_csv.read_text(encoding="utf-8").encode("gbk"))
    for f in (resaved, as_csv, gbk, merged):
        assert f.read_bytes() != first.read_bytes()
        r = new(cli, f)
        assert r.exit_code == 1, (f, r.stdout)
        assert "已经导入过" in r.stderr and "抽查编号 1" in r.stderr, r.stderr
        assert "9月清单.xlsx" in r.stderr and "--again" in r.stderr
        assert problem_count(units) == 4
    # rows in another order are the same list too
    shuffled = office_list(tmp_path / "shuffled.xlsx", [LIST[3], LIST[2], LIST[0],
                                                        [2, "达州市公安局", *LIST[1][2:]]])
    r = new(cli, shuffled)
    assert r.exit_code == 1 and "抽查编号 1" in r.stderr
    # another month is another list
    assert new(cli, resaved, month="2023-08").exit_code == 0
    changed = office_list(tmp_path / "changed.xlsx",
                          [*LIST[:3], [4, "通川区", "户籍人口统计数据", "时效性", "未按季度更新", 1]])
    # … but a corrected list repeating rows of the first is refused, naming them
    r = new(cli, changed)
    assert r.exit_code == 1 and "这份清单有 3 个问题已在抽查编号 1" in r.stderr, r.stderr
    assert "第3行、第4行、第5行（共 3 行" in r.stderr
    assert new(cli, changed, "--again").exit_code == 0
    assert problem_count(units) == 12
    # --again: a second check really found the same problems
    r = new(cli, as_csv, "--again")
    assert r.exit_code == 0, r.stderr
    assert problem_count(units) == 16


def test_a_refused_duplicate_takes_no_backup(cli, units, tmp_path):
    first = office_list(tmp_path / "a.xlsx")
    assert new(cli, first).exit_code == 0
    backups = sorted((tmp_path / "backups").glob("*.db"))
    other = office_list(tmp_path / "b.xlsx", [[k, *row[1:]] for k, row in enumerate(LIST, 10)])
    assert new(cli, other).exit_code == 1
    assert sorted((tmp_path / "backups").glob("*.db")) == backups


def test_withdraw_a_whole_mistaken_import(cli, units, tmp_path):
    assert new(cli, office_list(tmp_path / "a.xlsx")).exit_code == 0
    assert new(cli, office_list(tmp_path / "b.xlsx"), "--again").exit_code == 0  # the mistake
    r = cli("rectify", "remind", "--unit", "通川区", "--on", "2023-10-09")
    assert r.exit_code == 0, r.stderr
    r = cli("spotcheck", "withdraw", "2")
    assert r.exit_code == 2 and "--reason" in r.stderr
    r = cli("spotcheck", "withdraw", "2", "--reason", "  ")
    assert r.exit_code == 1 and "--reason" in r.stderr
    r = cli("spotcheck", "withdraw", "9", "--reason", "重复导入")
    assert r.exit_code == 1 and "没有抽查编号 9" in r.stderr
    r = cli("spotcheck", "withdraw", "2", "--reason", "重复导入")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("已撤回抽查编号 2（2023-09，2023-09-27 下发，文件 b.xlsx）："
                               "删除 4 个问题（编号 5–8）")
    assert "1 次催办" in r.stdout
    rows = json.loads(cli("spotcheck", "list", "-f", "json").stdout)
    assert [p["id"] for p in rows] == [1, 2, 3, 4]
    # the audit log has the check and every problem, with the reason
    audit = units.execute(
        "SELECT entity, entity_id, action, reason FROM audit_log WHERE action = 'withdraw'"
        " ORDER BY id").fetchall()
    assert audit == [("problem", str(i), "withdraw", "重复导入") for i in (5, 6, 7, 8)] + [
        ("spotcheck", "2", "withdraw", "重复导入")]
    before = json.loads(units.execute(
        "SELECT before FROM audit_log WHERE entity = 'problem' AND entity_id = '8'"
        " AND action = 'withdraw'").fetchone()[0])
    assert before["resource"] == "户籍人口统计数据" and before["reminders"] == [1]
    r = cli("log", "--problem", "8")
    assert r.exit_code == 0 and "重复导入" in r.stdout
    # withdrawn once is enough; the numbers of withdrawn problems never come back
    r = cli("spotcheck", "withdraw", "2", "--reason", "again")
    assert r.exit_code == 1 and "已于" in r.stderr and "撤回" in r.stderr
    r = cli("spotcheck", "add", "--unit", "通川区", "--resource", "r", "--dimension", "准确性",
            "--description", "d", "--issued-on", "2023-10-09")
    assert r.exit_code == 0 and "#9" in r.stdout
    # a withdrawn list may be imported again (it is no longer there)
    r = new(cli, office_list(tmp_path / "c.xlsx", [[k, *row[1:]] for k, row in
                                                   enumerate(LIST, 20)]), month="2023-08")
    assert r.exit_code == 0
    r = cli("spotcheck", "withdraw", "3", "--reason", "月份错了")
    assert r.exit_code == 0
    r = new(cli, tmp_path / "c.xlsx", month="2023-08")  # same file: no longer refused
    assert r.exit_code == 0, r.stderr


@pytest.mark.parametrize("action", [
    ("rectify", "done", "3", "--on", "2023-10-10"),
    ("rectify", "negotiate", "3", "--until", "2024-01-31", "--on", "2023-10-10"),
])
def test_withdraw_is_refused_once_a_problem_has_moved_on(cli, units, tmp_path, action):
    assert new(cli, office_list(tmp_path / "a.xlsx")).exit_code == 0
    r = cli(*action)
    assert r.exit_code == 0, r.stderr
    r = cli("spotcheck", "withdraw", "1", "--reason", "导错了")
    assert r.exit_code == 1
    assert "不能撤回" in r.stderr and "#3" in r.stderr
    assert problem_count(units) == 4
    assert units.execute("SELECT withdrawn_at FROM spotchecks").fetchone()[0] is None


# -- the problem-data column -------------------------------------------------------------

def test_problem_records_come_from_the_exact_column_not_a_data_size_left_of_it(cli, units,
                                                                               tmp_path):
    headers = ["序号", "责任单位", "数据资源名称", "数据量", "问题类型", "问题描述",
               " 问题数据量 "]
    rows = [[1, "达州市公安局", "机动车登记信息", 52000, "准确性", "所有人不对应", 37],
            [2, "通川区", "户籍人口统计数据", 180000, "完整性", "缺少住址", 1205]]
    f = office_list(tmp_path / "size.xlsx", rows, headers)
    (tmp_path / "lo").mkdir()
    for path in (f, soffice_convert(f, tmp_path / "lo", "csv:Text - txt - csv (StarCalc):44,34,76")):
        r = new(cli, path, "--again")
        assert r.exit_code == 0, r.stderr
    got = [p["records"] for p in json.loads(cli("spotcheck", "list", "-f", "json").stdout)]
    assert got == [37, 1205, 37, 1205]


def test_a_header_fitting_two_columns_equally_is_an_error_naming_both(cli, units, tmp_path):
    headers = ["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题条数", "问题数量"]
    rows = [[1, "达州市公安局", "机动车登记信息", "准确性", "所有人不对应", 37, 38]]
    r = new(cli, office_list(tmp_path / "two.xlsx", rows, headers))
    assert r.exit_code == 1
    assert "F 列“问题条数”和 G 列“问题数量”都像“问题数据量”列" in r.stderr
    assert "two.xlsx，工作表“问题清单”，第 2 行" in r.stderr
    assert problem_count(units) == 0


def test_the_units_and_signin_readers_prefer_the_longer_label_too(tmp_path, db):
    from cdo.roster.units import read_units_file

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "单位全称", "类别"])  # 单位 is a short form here, 单位全称 the name
    ws.append(["公安", "达州市公安局", "市级部门"])
    wb.save(tmp_path / "u.xlsx")
    (rec,) = read_units_file(tmp_path / "u.xlsx")
    assert rec[2]["name"] == "达州市公安局"


# -- 一致性 ------------------------------------------------------------------------------

def test_consistency_is_recorded_as_accuracy_by_a_stated_rule(cli, units, tmp_path):
    r = cli("spotcheck", "add", "--help")
    assert "一致性" in r.stdout and "按准确性登记" in r.stdout
    assert "一致性" in cli("spotcheck", "new", "--help").stdout
    r = cli("spotcheck", "add", "--unit", "通川区", "--resource", "r", "--dimension", "一致性",
            "--description", "d", "--issued-on", "2023-10-09")
    assert r.exit_code == 0, r.stderr
    assert "问题类型“一致性”按规定记为准确性" in r.stdout
    rows = [[1, "达州市公安局", "机动车登记信息", "数据一致性问题", "与公安部库不一致", 3],
            [2, "通川区", "户籍人口统计数据", "一致性", "与民政不一致", 4],
            [3, "通川区", "低保", "准确性", "错", 4]]
    r = new(cli, office_list(tmp_path / "c.xlsx", rows))
    assert r.exit_code == 0, r.stderr
    assert "2 个问题的问题类型写作“一致性”，按规定记为准确性" in r.stdout
    dims = [p["dimension"] for p in json.loads(cli("spotcheck", "list", "-f", "json").stdout)]
    assert dims == ["accuracy"] * 4
    r = cli("spotcheck", "add", "--unit", "通川区", "--resource", "r", "--dimension", "准确性",
            "--description", "d2", "--issued-on", "2023-10-09")
    assert "按规定" not in r.stdout


@pytest.mark.parametrize("order", [["数据量", "问题数据量"], ["问题数据量", "数据量"],
                                   ["数据量", "问题数据量（条）"]])
def test_find_header_takes_the_longest_label_wherever_it_stands(order):
    from cdo.problems.importer import FIELDS, REQUIRED, _header_rows
    from cdo.sheets.read import find_header

    head = ["责任单位", "数据资源名称", *order, "问题类型", "问题描述"]
    header = find_header(_header_rows([["标题"], head]), FIELDS, REQUIRED)
    assert header is not None and header.row == 1
    assert head[header.columns["records"]].startswith("问题数据量")


def test_find_header_names_two_equal_columns():
    from cdo.sheets.read import AmbiguousHeaderError, find_header

    rows = [["单位", "类别", " 单位 "]]
    fields = {"name": ["单位名称", "单位"], "category": ["类别"]}
    with pytest.raises(AmbiguousHeaderError) as e:
        find_header(rows, fields, ["name", "category"], where="u.csv，")
    assert str(e.value).startswith("u.csv，第 1 行表头：A 列“单位”和 C 列“单位”都像“单位名称”列")
