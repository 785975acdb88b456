"""The row loop every list importer shares (evidence catalogue, systems, tasks, projects,
quality; the monthly problem list): the whole message naming every bad row, in order,
with each row's reasons; where a workbook has several sheets; units named loosely, not
uniquely or not at all; merged cells; repeats; the cut after 200 rows; an empty list;
what is written, the audit log and the automatic copy. Exact strings, so that the shared
code keeps every importer's words."""

import datetime as dt
import json

import openpyxl
import pytest

from cdo.roster.units import add_unit
from cdo.store.backup import auto_backups
from cdo.store.db import open_db, transaction


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市通川区", "region", "通川区")
    add_unit(db, "达州市公安局", "department", "市公安局")
    with transaction(db):  # two units 市国资委 could name, as an old roster may have them
        for name in ("达州市国资委", "四川省国资委"):
            db.execute("INSERT INTO units (name, category, created_at)"
                       " VALUES (?, 'department', '2023-01-01T00:00:00')", [name])
    db.conn.close()


def book(path, *sheets):
    """A workbook of (name, rows, merges) sheets; rows as lists of cell values."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for rng in merges:
            ws.merge_cells(rng)
    wb.save(path)
    return path


def refused(r, db_path, tables):
    assert r.exit_code == 1, (r.exit_code, r.stdout, r.stderr)
    assert r.stdout == ""
    db = open_db(db_path)
    for t in tables:
        assert db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] == 0, t
    db.conn.close()
    assert auto_backups(db_path) == []  # a refused list takes no copy
    return r.stderr


def audit(db_path):
    db = open_db(db_path)
    rows = [(e, i, a, u, json.loads(b) if b else None, json.loads(f) if f else None)
            for e, i, a, u, b, f in db.execute(
                "SELECT entity, entity_id, action, unit_id, before, after FROM audit_log"
                " WHERE entity NOT IN ('unit') ORDER BY id")]
    db.conn.close()
    return rows


def unit_id(db_path, name):
    db = open_db(db_path)
    uid = db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()[0]
    db.conn.close()
    return uid


# ----------------------------------------------------------------------------- systems

def test_systems_list_two_sheets_every_bad_row_in_one_message(cli, units, db_path, tmp_path):
    head = ["序号", "系统名称", "建设类型（自建/条线）", "是否接入", "接入日期"]
    f = book(tmp_path / "系统.xlsx",
             ("自建系统", [["通川区信息系统清单"], head,
                          [1, "甲系统", "外包", "是", None],
                          [2, "", "自建", "否", "2023-05-01"],
                          [3, "乙系统", "自建", "是", "2023-01-05"],
                          [4, " 乙系统", "条线", "也许", "上周"],
                          [5, None, None, None, None],
                          ["合计：4"]], ["A1:E1"]),
             ("条线系统", [head, [1, "丙系统", None, "是", "2023-02-30"],
                          [2, "甲系统", "条线", "否", None]], []))
    err = refused(cli("evidence", "systems", "import", f, "-u", "通川区"), db_path,
                  ["system_lists", "systems"])
    assert err == (
        f"cdo: {f}：5 行有误，整份系统清单均未导入，请改正后重新导入：\n"
        "  工作表“自建系统”第 3 行：建设类型“外包”不认识（应为 自建 或 条线）\n"
        "  工作表“自建系统”第 4 行：系统名称为空；是否接入为“否”却填了接入日期\n"
        "  工作表“自建系统”第 6 行：系统“乙系统”与第 5 行重复；是否接入“也许”不认识（应为 是 或 否）；"
        "接入日期“上周”不是日期（E 列；应写成 2023-09-27、2023/9/27 或 2023年9月27日，"
        "或用日期格式的单元格）\n"
        "  工作表“条线系统”第 2 行：建设类型为空（应为 自建 或 条线）；接入日期“2023-02-30”这一天不存在"
        "（E 列）\n"
        "  工作表“条线系统”第 3 行：系统“甲系统”与工作表“自建系统”第 3 行重复\n")


def test_systems_list_with_only_a_header_and_numbered_blank_rows(cli, units, db_path, tmp_path):
    f = book(tmp_path / "系统.xlsx", ("Sheet1", [["序号", "系统名称", "建设类型"], [1], [2]], []))
    err = refused(cli("evidence", "systems", "import", f, "-u", "通川区"), db_path,
                  ["system_lists"])
    assert err == f"cdo: {f}：系统清单中没有信息系统（表头下面是空的）\n"


# ----------------------------------------------------------------------------- catalogue

def test_catalog_a_bad_first_row_still_makes_a_later_one_a_repeat(cli, units, db_path, tmp_path):
    f = tmp_path / "目录.csv"
    f.write_text("序号,数据资源名称,共享属性,数据字典\n1,低保信息,随便,有\n2,,,\n3, 低保信息 ,有条件,无\n"
                 "4,补贴信息,无条件共享,也许\n", encoding="utf-8")
    err = refused(cli("evidence", "catalog", "import", f, "-u", "通川区"), db_path,
                  ["catalog_versions", "catalog_entries"])
    assert err == (
        f"cdo: {f}：3 行有误，整份目录清单均未导入，请改正后重新导入：\n"
        "  第 2 行：共享属性“随便”不认识（应为 无条件共享、有条件共享 或 不予共享）\n"
        "  第 4 行：数据资源“低保信息”与第 2 行重复\n"
        "  第 5 行：数据字典“也许”不认识（应为 有 或 无）\n")


def test_catalog_more_than_200_bad_rows_are_counted_not_listed(cli, units, db_path, tmp_path):
    f = tmp_path / "目录.csv"
    f.write_text("数据资源名称,数据量\n" + "".join(f"资源{i},很多\n" for i in range(203)),
                 encoding="utf-8")
    err = refused(cli("evidence", "catalog", "import", f, "-u", "通川区"), db_path,
                  ["catalog_versions"])
    lines = err.splitlines()
    assert lines[0] == f"cdo: {f}：203 行有误，整份目录清单均未导入，请改正后重新导入："
    assert lines[1] == "  第 2 行：数据量“很多”不是整数"
    assert lines[200] == "  第 201 行：数据量“很多”不是整数"
    assert lines[201:] == ["  ……另有 3 行有误，未一一列出"]


def test_catalog_import_writes_entries_audit_and_one_copy(cli, units, db_path, tmp_path):
    f = book(tmp_path / "目录.xlsx", ("目录", [
        ["数据资源名称", "所属信息系统", "数据量", "共享属性", "开放属性", "数据字典", "分级"],
        ["低保信息", "救助系统", "1,200", "有条件", "不予开放", "有", "重要"],
        ["补贴信息", None, None, "无条件共享", None, "无", None],
        ["注：本表由单位填报"]], ["B2:B3"]))
    r = cli("evidence", "catalog", "import", f, "-u", "达州市通川区", "--received", "2023-04-20")
    assert r.exit_code == 0, r.stderr
    db = open_db(db_path)
    assert db.execute("SELECT name, name_key, system, fields, volume, frequency, share, open,"
                      " dictionary, grade, row FROM catalog_entries ORDER BY id").fetchall() == [
        ("低保信息", "低保信息", "救助系统", None, 1200, None, "conditional", "none", 1,
         "important", 2),
        ("补贴信息", "补贴信息", "救助系统", None, None, None, "unconditional", None, 0, None, 3)]
    db.conn.close()
    uid = unit_id(db_path, "达州市通川区")
    assert audit(db_path) == [("catalog", "1", "import", uid, None,
                               {"received_on": "2023-04-20", "entries": 2,
                                "source_file": "目录.xlsx"})]
    assert len(auto_backups(db_path)) == 1


# ----------------------------------------------------------------------------- tasks

TASK_HEAD = ["序号", "责任单位", "任务内容", "完成时限", "完成日期"]


def test_tasks_units_named_loosely_merged_and_repeated(cli, units, db_path, tmp_path):
    f = book(tmp_path / "共享.xlsx", ("清单", [
        ["第三批数据共享责任清单"], TASK_HEAD,
        [1, "通川区 ", "低保共享", dt.datetime(2023, 6, 30), None],
        [2, None, "补贴共享", "2023-13-01", None],
        [3, None, "低保共享 ", "2023-07-30", None],
        [4, "市国资委", "户籍共享", "2023-06-30", None],
        [5, "", "", None, "昨天"],
        [6, "四川省达州市公安局", "机动车共享", "2023年9月30日", None],
        [7, "某某局", "社保共享", "2023-06-30", None]], ["A1:E1", "B3:B5"]))
    err = refused(cli("evidence", "tasks", "import", f, "--list", "share"), db_path,
                  ["evidence_tasks"])
    assert err == (
        f"cdo: {f}：5 行有误，整份任务清单均未导入，请改正后重新导入：\n"
        "  第 4 行：完成时限“2023-13-01”这一天不存在（工作表“清单”D 列）\n"
        "  第 5 行：与第 3 行是同一任务\n"
        "  第 6 行：责任单位“市国资委”不唯一（可能是 达州市国资委、四川省国资委），请写全称\n"
        "  第 7 行：责任单位为空；任务内容为空；完成时限为空；完成日期“昨天”不是日期"
        "（工作表“清单”E 列；应写成 2023-09-27、2023/9/27 或 2023年9月27日，或用日期格式的单元格）\n"
        "  第 9 行：责任单位“某某局”不在单位名单中\n")


def test_tasks_import_then_update_writes_and_audits(cli, units, db_path, tmp_path):
    rows = [[1, "通川区", "低保共享", dt.datetime(2023, 6, 30), None],
            [2, None, "补贴共享", "2023-09-30", "2023-09-01"],
            [3, "四川省达州市公安局", "机动车共享", "2023年9月30日", None]]
    f = book(tmp_path / "共享.xlsx", ("清单", [TASK_HEAD, *rows], ["B2:B3"]))
    r = cli("evidence", "tasks", "import", f, "--list", "share")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "已导入数据共享责任清单：新增 3 项，更新 0 项，未变 0 项（文件中已完成 1 项）\n"
    tc, ga = unit_id(db_path, "达州市通川区"), unit_id(db_path, "达州市公安局")
    rows[0][4] = "2023-06-20"
    rows[1][4] = None  # a blank 完成日期 does not undo a recorded one
    f2 = book(tmp_path / "共享2.xlsx", ("清单", [TASK_HEAD, *rows], ["B2:B3"]))
    r = cli("evidence", "tasks", "import", f2, "--list", "share")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "已导入数据共享责任清单：新增 0 项，更新 1 项，未变 2 项（文件中已完成 1 项）\n"
    db = open_db(db_path)
    assert db.execute("SELECT list, unit_id, content, content_key, due_on, done_on, source_file"
                      " FROM evidence_tasks ORDER BY id").fetchall() == [
        ("share", tc, "低保共享", "低保共享", "2023-06-30", "2023-06-20", "共享.xlsx"),
        ("share", tc, "补贴共享", "补贴共享", "2023-09-30", "2023-09-01", "共享.xlsx"),
        ("share", ga, "机动车共享", "机动车共享", "2023-09-30", None, "共享.xlsx")]
    db.conn.close()
    assert audit(db_path) == [
        ("task", "1", "import", tc, None, {"list": "share", "content": "低保共享",
                                           "due_on": "2023-06-30", "done_on": None}),
        ("task", "2", "import", tc, None, {"list": "share", "content": "补贴共享",
                                           "due_on": "2023-09-30", "done_on": "2023-09-01"}),
        ("task", "3", "import", ga, None, {"list": "share", "content": "机动车共享",
                                           "due_on": "2023-09-30", "done_on": None}),
        ("task", "1", "change", tc, {"due_on": "2023-06-30", "done_on": None},
         {"due_on": "2023-06-30", "done_on": "2023-06-20"})]
    assert len(auto_backups(db_path)) == 2


# ----------------------------------------------------------------------------- projects

PROJECT_HEAD = ["单位", "项目名称", "类型", "阶段", "立项日期", "上线日期", "典型应用示范"]


def test_projects_only_a_good_earlier_row_makes_a_repeat(cli, units, db_path, tmp_path):
    f = book(tmp_path / "项目.xlsx", ("项目", [
        PROJECT_HEAD,
        ["通川区", "甲", "炒股", "建设", None, None, None],
        ["通川区", "甲", "应用示范", "建设", None, None, None],
        ["通川区", " 甲", "应用示范", "立项", None, None, None],
        ["", "乙", "应用示范", None, None, None, "也许"],
        ["某局", "丙", "数据交易", "上线运行", "2023-05-01", "2023-04-01", "是"]], []))
    err = refused(cli("evidence", "projects", "import", f), db_path, ["projects"])
    assert err == (
        f"cdo: {f}：4 行有误，整份项目清单均未导入，请改正后重新导入：\n"
        "  第 2 行：类型“炒股”不认识（应为 应用示范、授权运营、数据交易 或 确权等探索）\n"
        "  第 4 行：与第 3 行是同一项目\n"
        "  第 5 行：单位为空；阶段为空（应为 立项、建设 或 上线运行）；典型应用示范“也许”不认识（应为 是 或 否）\n"
        "  第 6 行：单位“某局”不在单位名单中；上线日期早于立项日期\n")


def test_projects_import_writes_and_audits(cli, units, db_path, tmp_path):
    f = book(tmp_path / "项目.xlsx", ("项目", [
        PROJECT_HEAD,
        ["通川区", "网格融合", "应用示范", None, "2023-03-01", "2023-08-15", "是"],
        [None, "数据运营", "授权运营", "立项", "2023-07-01", None, None]], ["A2:A3"]))
    r = cli("evidence", "projects", "import", f)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "已导入项目：新增 2 个，更新 0 个，未变 0 个\n"
    tc = unit_id(db_path, "达州市通川区")
    assert audit(db_path) == [
        ("project", "1", "import", tc, None,
         {"name": "网格融合", "kind": "application", "stage": "running",
          "approved_on": "2023-03-01", "online_on": "2023-08-15", "typical": 1, "note": None}),
        ("project", "2", "import", tc, None,
         {"name": "数据运营", "kind": "operation", "stage": "approved",
          "approved_on": "2023-07-01", "online_on": None, "typical": 0, "note": None})]
    assert len(auto_backups(db_path)) == 1


def test_projects_with_only_a_header(cli, units, db_path, tmp_path):
    f = tmp_path / "项目.csv"
    f.write_text("单位,项目名称,类型\n", encoding="utf-8")
    err = refused(cli("evidence", "projects", "import", f), db_path, ["projects"])
    assert err.startswith(f"cdo: {f}：")
    f.write_text("序号,单位,项目名称,类型\n1,,,\n", encoding="utf-8")
    err = refused(cli("evidence", "projects", "import", f), db_path, ["projects"])
    assert err == f"cdo: {f}：项目清单中没有项目（表头下面是空的）\n"


# ----------------------------------------------------------------------------- quality

Q_HEAD = ["序号", "责任单位", "数据资源名称", "抽查记录数", "空值数", "错值数"]


def test_quality_merged_unit_bad_rows_and_the_written_rows(cli, units, db_path, tmp_path):
    bad = book(tmp_path / "bad.xlsx", ("抽查结果", [
        ["2023年6月抽查结果"], Q_HEAD,
        [1, "通川区", "低保", 100, 101, 0],
        [2, None, "低保", 100, 1, 1],
        [3, None, None, "十条", None, 3],
        [4, "市国资委", "户籍", 0, 0, 0],
        [None, "合计"]], ["A1:F1", "B3:B5"]))
    err = refused(cli("evidence", "quality", "import", bad, "--month", "2023-06"), db_path,
                  ["quality_checks"])
    assert err == (
        f"cdo: {bad}：4 行有误，整份抽查结果均未导入，请改正后重新导入：\n"
        "  第 3 行：空值数 101 大于抽查记录数 100\n"
        "  第 4 行：与第 3 行重复（同一单位、同一数据资源）\n"
        "  第 5 行：抽查记录数“十条”不是整数；空值数为空\n"
        "  第 6 行：责任单位“市国资委”不唯一（可能是 达州市国资委、四川省国资委），请写全称；"
        "抽查记录数为 0\n")
    good = book(tmp_path / "good.xlsx", ("抽查结果", [
        Q_HEAD, [1, "通川区", "低保", 100, 5, 1], [2, None, "补贴", "1,000", 0, 2],
        [3, "市公安局", None, 10, 1, 0]], ["B2:B3"]))
    r = cli("evidence", "quality", "import", good, "--month", "2023-06")
    assert r.exit_code == 0, r.stderr
    tc, ga = unit_id(db_path, "达州市通川区"), unit_id(db_path, "达州市公安局")
    db = open_db(db_path)
    assert db.execute("SELECT month, unit_id, resource, checked, nulls, wrong, source_file"
                      " FROM quality_checks ORDER BY id").fetchall() == [
        ("2023-06", tc, "低保", 100, 5, 1, "good.xlsx"),
        ("2023-06", tc, "补贴", 1000, 0, 2, "good.xlsx"),
        ("2023-06", ga, None, 10, 1, 0, "good.xlsx")]
    db.conn.close()
    assert audit(db_path) == [("quality", "2023-06", "import", None, None,
                               {"rows": 3, "source_file": "good.xlsx"})]
    assert len(auto_backups(db_path)) == 1


def test_quality_with_only_a_header(cli, units, db_path, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text("序号,责任单位,抽查记录数,空值数,错值数\n1,,,,\n", encoding="utf-8")
    err = refused(cli("evidence", "quality", "import", f, "--month", "2023-06"), db_path,
                  ["quality_checks"])
    assert err == f"cdo: {f}：抽查结果中没有数据（表头下面是空的）\n"


def test_tasks_with_only_a_header(cli, units, db_path, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("序号,责任单位,任务内容,完成时限\n1,,,\n2,,,\n", encoding="utf-8")
    err = refused(cli("evidence", "tasks", "import", f, "--list", "return"), db_path,
                  ["evidence_tasks"])
    assert err == f"cdo: {f}：任务清单中没有任务（表头下面是空的）\n"


def test_catalog_with_only_a_header(cli, units, db_path, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("序号,数据资源名称\n1,\n", encoding="utf-8")
    err = refused(cli("evidence", "catalog", "import", f, "-u", "通川区"), db_path,
                  ["catalog_versions"])
    assert err == f"cdo: {f}：目录清单中没有数据资源（表头下面是空的）\n"


# ----------------------------------------------------------------------------- problem list

LIST_HEAD = ["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量"]


def test_problem_list_two_sheets_loose_units_every_bad_row(cli, units, db_path, tmp_path):
    f = book(tmp_path / "清单.xlsx",
             ("区县", [LIST_HEAD, [1, "通川区 ", "低保", "完整性", "缺地址", 3],
                      [2, "市国资委", "户籍", "准确性", "错", 1],
                      [3, "", "", "", "", None],
                      [4, None, "婚姻", "一致性问题啊", " ", "约100"]], []),
             ("部门", [LIST_HEAD, [1, "四川省达州市公安局", "机动车", "准确性", "错", 2],
                      [2, "某某局", "x", "时效性", "慢", -1]], []))
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    err = refused(r, db_path, ["problems", "spotchecks"])
    assert err == (
        f"cdo: {f}：3 行有误，整份清单均未导入，请改正后重新导入：\n"
        "  工作表“区县”第 3 行：责任单位“市国资委”不唯一（可能是 达州市国资委、四川省国资委），请写全称\n"
        "  工作表“区县”第 5 行：责任单位为空；问题类型“一致性问题啊”不认识（应为 准确性、时效性、完整性 或 规范性）；"
        "问题描述为空；问题数据量须为数字（如 1234），收到 '约100'；不清楚可留空\n"
        "  工作表“部门”第 3 行：责任单位“某某局”不在单位名单中；问题数据量不能为负数，收到 -1\n")


def test_problem_list_more_than_200_bad_rows_and_an_empty_one(cli, units, db_path, tmp_path):
    f = tmp_path / "清单.csv"
    f.write_text("责任单位,数据资源名称,问题类型,问题描述\n"
                 + "".join(f"某某局,资源{i},完整性,缺\n" for i in range(201)), encoding="utf-8")
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    lines = refused(r, db_path, ["problems"]).splitlines()
    assert lines[0] == f"cdo: {f}：201 行有误，整份清单均未导入，请改正后重新导入："
    assert lines[1] == "  第 2 行：责任单位“某某局”不在单位名单中"
    assert lines[201:] == ["  ……另有 1 行有误，未一一列出"]
    f.write_text("序号,责任单位,数据资源名称,问题类型,问题描述\n1,,,,\n", encoding="utf-8")
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert refused(r, db_path, ["problems"]) == f"cdo: {f}：清单中没有问题数据（表头下面是空的）\n"


# ----------------------------------------------------------------------------- totals lines

def test_a_totals_line_with_its_sums_is_not_a_record(cli, units, db_path, tmp_path):
    """An office's result sheet ends with 合计 and the column sums; a catalogue with the
    sums of 数据项数 and 数据量. Neither is a unit or a data resource."""
    q = book(tmp_path / "q.xlsx", ("抽查结果", [
        Q_HEAD, [1, "通川区", "低保", 100, 5, 1], [2, "市公安局", "户籍", "1,000", 10, 2],
        [None, "合计", None, "1,100", 15, 3], ["填表人：张三"]], []))
    r = cli("evidence", "quality", "import", q, "--month", "2023-06")
    assert r.exit_code == 0, r.stderr
    assert "2 行，2 个单位" in r.stdout
    # fillers where a sum makes no sense, a count with its word
    for filler in ("—", "/", "2个单位", "无"):
        q = book(tmp_path / "q2.xlsx", ("抽查结果", [
            Q_HEAD, [1, "通川区", "低保", 100, 5, 1],
            [None, "合计", filler, "100", 5, "—"]], []))
        r = cli("evidence", "quality", "import", q, "--month", "2023-07", "--replace")
        assert r.exit_code == 0, (filler, r.stderr)
        assert "1 行，1 个单位" in r.stdout
    c = tmp_path / "c.csv"
    c.write_text("序号,数据资源名称,数据项数,数据量\n1,低保信息,12,\"1,000\"\n2,补贴信息,8,500\n"
                 "合计：,,20,\"1,500\"\n", encoding="utf-8")
    r = cli("evidence", "catalog", "import", c, "-u", "通川区", "--received", "2023-05-01")
    assert r.exit_code == 0, r.stderr
    assert "2 条" in r.stdout
    # a resource whose name only starts like a total is still a record, and a 合计 beside
    # words is a row to correct, not a line to drop
    c.write_text("数据资源名称,数据项数\n合计收入数据,3\n合计,有条件\n", encoding="utf-8")
    r = cli("evidence", "catalog", "import", c, "-u", "通川区", "--received", "2023-05-02")
    assert r.exit_code == 1
    assert r.stderr == (f"cdo: {c}：1 行有误，整份目录清单均未导入，请改正后重新导入：\n"
                        "  第 3 行：数据项数“有条件”不是整数\n")


def test_a_repeat_on_another_sheet_names_that_sheet(cli, units, db_path, tmp_path):
    f = book(tmp_path / "q.xlsx",
             ("区县", [Q_HEAD, [1, "通川区", "低保", 100, 5, 1]], []),
             ("部门", [Q_HEAD, [1, "市公安局", "户籍", 10, 1, 0], [2, "市公安局", "户籍", 10, 1, 0],
                      [3, "达州市通川区", " 低保", 100, 5, 1]], []))
    err = refused(cli("evidence", "quality", "import", f, "--month", "2023-06"), db_path,
                  ["quality_checks"])
    assert err == (
        f"cdo: {f}：2 行有误，整份抽查结果均未导入，请改正后重新导入：\n"
        "  工作表“部门”第 3 行：与第 2 行重复（同一单位、同一数据资源）\n"
        "  工作表“部门”第 4 行：与工作表“区县”第 2 行重复（同一单位、同一数据资源）\n")
    f = book(tmp_path / "t.xlsx",
             ("上半年", [TASK_HEAD, [1, "通川区", "低保共享", "2023-06-30", None]], []),
             ("下半年", [TASK_HEAD, [1, "通川区", "低保共享", "2023-12-31", None]], []))
    err = refused(cli("evidence", "tasks", "import", f, "--list", "share"), db_path,
                  ["evidence_tasks"])
    assert err.endswith("  工作表“下半年”第 2 行：与工作表“上半年”第 2 行是同一任务\n")
