"""`cdo evidence …` through the CLI: each importer with files as units send them (title
rows, merged cells, stray spaces, dates as text and as date cells, a LibreOffice round
trip), bad rows named with nothing saved; the per-unit view, rules, gaps, item 17; and
`cdo demo` then `score suggest` covering every item records can support."""

import datetime as dt
import json
import shutil
import subprocess

import openpyxl
import pytest

from cdo.paths import data_dir
from cdo.roster.units import add_unit
from cdo.store.db import open_db

D = dt.date
SAMPLES = data_dir() / "samples" / "evidence"


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def fail(r, *needles):
    assert r.exit_code == 1, (r.exit_code, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    for n in needles:
        assert n in r.stderr, (n, r.stderr)
    return r


def count(db_path, table):
    db = open_db(db_path)
    n = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    db.conn.close()
    return n


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    for name, cat, short in (("达州市通川区", "region", "通川区"), ("达州市公安局", "department", "市公安局"),
                             ("达州市民政局", "department", "市民政局"),
                             ("达州市大数据中心", "department", "市大数据中心")):
        add_unit(db, name, cat, short)
    db.conn.close()


def xlsx(path, header, rows, *, title=None, merge_col=None, sheet="Sheet1", notes=True):
    """A sheet as units send it: a merged title row, the header, rows, equal values in
    `merge_col` (1-based) merged down, a signature line and a notes sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    first = ws.max_row + 1
    for row in rows:
        ws.append(list(row))
    if merge_col:
        r = 0
        vals = [row[merge_col - 1] for row in rows]
        while r < len(vals):
            end = r
            while end + 1 < len(vals) and vals[end + 1] == vals[r]:
                end += 1
            if end > r:
                for k in range(r + 1, end + 1):
                    ws.cell(first + k, merge_col).value = None
                ws.merge_cells(start_row=first + r, start_column=merge_col, end_row=first + end,
                               end_column=merge_col)
            r = end + 1
    ws.append([])
    ws.append(["填表人：张三"])
    if notes:
        wb.create_sheet("填写说明")["A1"] = "按要求填写"
    wb.save(path)
    return path


CAT_HEAD = ["序号", " 数据资源名称 ", "所属信息系统", "数据项数（个）", "数据量（条）", "更新 频率",
            "共享属性", "开放属性", "数据字典", "分级"]


def catalog_rows():
    return [
        (1, "城乡低保对象信息 ", "社会救助系统", 32, "18,650", "每月", " 有条件共享", "不予开放", "有", "重要"),
        (2, "\u3000残疾人补贴信息", "社会救助系统", "18", 4200.0, "每月", "有条件", "不予开放", "无", "一般"),
        (3, "危房改造信息", "住房系统", None, None, None, "无条件共享", "有条件开放", None, None),
    ]


# ----------------------------------------------------------------------------- catalogue

def test_catalog_import_merged_cells_spaces_and_versions(cli, units, tmp_path):
    f = xlsx(tmp_path / "目录.xlsx", CAT_HEAD, catalog_rows(), title="通川区数据资源目录清单",
             merge_col=3)
    r = ok(cli("evidence", "catalog", "import", f, "--unit", "通川区", "--received", "2023-04-20"))
    assert r.stdout.strip() == "已导入 达州市通川区 数据资源目录第 1 版（2023-04-20 收到），3 条"
    rows = json.loads(ok(cli("evidence", "catalog", "list", "--unit", "通川区", "-f", "json")).stdout)
    assert [(e["name"], e["system"], e["fields"], e["volume"], e["share"], e["dictionary"])
            for e in rows] == [
        ("城乡低保对象信息", "社会救助系统", 32, 18650, "有条件共享", "有"),
        ("残疾人补贴信息", "社会救助系统", 18, 4200, "有条件共享", "无"),  # merged cell filled
        ("危房改造信息", "住房系统", None, None, "无条件共享", None)]
    f2 = xlsx(tmp_path / "目录2.xlsx", CAT_HEAD, catalog_rows()[:1])
    r = ok(cli("evidence", "catalog", "import", f2, "--unit", "达州市通川区", "--received", "2023年10月15日"))
    assert "第 2 版" in r.stdout and "现为现行版本" in r.stdout
    versions = json.loads(ok(cli("evidence", "catalog", "versions", "-f", "json")).stdout)
    assert [(v["version"], v["received_on"], v["entries"], v["current"]) for v in versions] == [
        (1, "2023-04-20", 3, False), (2, "2023-10-15", 1, True)]
    current = json.loads(ok(cli("evidence", "catalog", "list", "-u", "通川区", "-f", "json")).stdout)
    assert len(current) == 1
    old = json.loads(ok(cli("evidence", "catalog", "list", "-u", "通川区", "--version", 1,
                            "-f", "json")).stdout)
    assert len(old) == 3
    fail(cli("evidence", "catalog", "list", "-u", "通川区", "--version", 3), "没有第 3 版")


def test_catalog_bad_rows_are_all_named_and_nothing_is_saved(cli, units, db_path, tmp_path):
    rows = catalog_rows() + [
        (4, "", "系统", 1, 1, "每月", "无条件共享", "无条件开放", "有", "一般"),
        (5, "城乡低保对象信息", "系统", 1, 1, "每月", "无条件共享", "无条件开放", "有", "一般"),
        (6, "甲", "系统", -3, "很多", "每月", "随便共享", "无条件开放", "也许", "绝密"),
    ]
    f = xlsx(tmp_path / "目录.xlsx", CAT_HEAD, rows, title="目录")
    r = fail(cli("evidence", "catalog", "import", f, "--unit", "通川区"),
             "3 行有误，整份目录清单均未导入",
             "第 6 行：数据资源名称为空",
             "第 7 行：数据资源“城乡低保对象信息”与第 3 行重复",
             "第 8 行：数据项数“-3”是负数；数据量“很多”不是整数；共享属性“随便共享”不认识",
             "数据字典“也许”不认识", "分级“绝密”不认识")
    assert str(f) in r.stderr
    assert count(db_path, "catalog_versions") == 0 and count(db_path, "catalog_entries") == 0
    fail(cli("evidence", "catalog", "import", f, "--unit", "不存在的局"), "没有这个单位")
    (tmp_path / "x.csv").write_text("名称,说明\n甲,乙\n", encoding="utf-8")
    fail(cli("evidence", "catalog", "import", tmp_path / "x.csv", "--unit", "通川区"),
         "没有找到数据资源目录清单的表头", "数据资源名称")


def test_catalog_csv_in_gbk_as_excel_saves_it(cli, units, tmp_path):
    f = tmp_path / "目录.csv"
    f.write_bytes("数据资源名称,共享属性,数据字典\n机动车登记信息,有条件共享,有\n".encode("gb18030"))
    ok(cli("evidence", "catalog", "import", f, "--unit", "市公安局", "--received", "2024-01-08"))
    rows = json.loads(ok(cli("evidence", "catalog", "list", "-u", "市公安局", "-f", "json")).stdout)
    assert rows[0]["name"] == "机动车登记信息" and rows[0]["share"] == "有条件共享"

    def item(no, day):
        rows = json.loads(ok(cli("score", "suggest", "--year", 2023, "-u", "市公安局",
                                 "--as-of", day, "-f", "json")).stdout)
        return next(r for r in rows if r["item"] == no)

    # received after the as-of date: not yet evidence; after the year's end: sent late
    assert item(10, "2023-12-31")["suggested"] is None
    assert item(4, "2023-12-31")["suggested"] is None
    assert item(10, "2024-01-15")["suggested"] == 6  # dictionary 有, no 更新频率
    late = item(4, "2024-01-15")
    assert late["suggested"] == 6 and "次年补报，2 分" in late["records"][0]


# ----------------------------------------------------------------------------- systems

SYS_HEAD = ["序号", "系统名称", "建设类型（自建/条线）", "是否接入", "接入日期"]


def test_systems_dates_as_cells_and_text(cli, units, tmp_path):
    f = xlsx(tmp_path / "系统.xlsx", SYS_HEAD, [
        (1, "社会救助系统", "自建", "是", dt.datetime(2023, 6, 12)),
        (2, "网格平台", " 自建 ", "是", "2023年9月5日"),
        (3, "智慧社区", "自建", "否", None),
        (4, "住房保障系统", "条线", "否", None),
        (5, "数据平台", "自建", None, "2023/3/1"),  # a date without 是: connected
    ], title="系统清单")
    r = ok(cli("evidence", "systems", "import", f, "-u", "通川区", "--received", "2023-05-10"))
    assert "5 个系统，自建 4 个，其中已接入 3 个" in r.stdout
    rows = json.loads(ok(cli("evidence", "systems", "list", "-f", "json")).stdout)
    assert [(s["system"], s["kind"], s["connected"], s["connected_on"]) for s in rows] == [
        ("社会救助系统", "自建", True, "2023-06-12"), ("网格平台", "自建", True, "2023-09-05"),
        ("智慧社区", "自建", False, None), ("住房保障系统", "条线", False, None),
        ("数据平台", "自建", True, "2023-03-01")]
    s = json.loads(ok(cli("score", "suggest", "--year", 2023, "-u", "通川区", "--as-of",
                          "2023-08-01", "-f", "json")).stdout)
    item5 = next(x for x in s if x["item"] == 5)
    assert item5["suggested"] == 2.5  # 5 × 2/4: the 网格平台 connected after 1 August
    assert item5["basis"] == "自建系统4个，已接入2个"


def test_systems_bad_rows(cli, units, db_path, tmp_path):
    f = xlsx(tmp_path / "系统.xlsx", SYS_HEAD, [
        (1, "甲", "外包", "是", None), (2, "乙", "自建", "否", "2023-05-01"),
        (3, "丙", "条线", "是", "2023-02-30"), (4, "丁", None, "也许", "上周")])
    fail(cli("evidence", "systems", "import", f, "-u", "通川区"),
         "第 2 行：建设类型“外包”不认识（应为 自建 或 条线）",
         "第 3 行：是否接入为“否”却填了接入日期",
         "第 4 行：接入日期“2023-02-30”这一天不存在",
         "第 5 行：建设类型为空", "是否接入“也许”不认识", "接入日期“上周”不是日期")
    assert count(db_path, "system_lists") == 0


# ----------------------------------------------------------------------------- tasks

TASK_HEAD = ["序号", "责任单位", "任务内容", "完成时限", "完成日期"]


def test_tasks_import_update_done_and_list(cli, units, db_path, tmp_path):
    rows = [(1, "通川区", "低保信息共享", dt.datetime(2023, 6, 30), dt.datetime(2023, 6, 20)),
            (2, "通川区", "补贴信息共享", "2023年9月30日", None),
            (3, "市公安局", "机动车信息共享", "2023/10/31", None)]
    f = xlsx(tmp_path / "共享.xlsx", TASK_HEAD, rows, title="第三批数据共享责任清单", merge_col=2)
    r = ok(cli("evidence", "tasks", "import", f, "--list", "share"))
    assert r.stdout.strip() == "已导入数据共享责任清单：新增 3 项，更新 0 项，未变 0 项（文件中已完成 1 项）"
    listed = json.loads(ok(cli("evidence", "tasks", "list", "--as-of", "2023-10-01",
                               "-f", "json")).stdout)
    assert [(t["unit"], t["content"], t["due_on"], t["state"]) for t in listed] == [
        ("达州市通川区", "低保信息共享", "2023-06-30", "按期完成"),
        ("达州市通川区", "补贴信息共享", "2023-09-30", "逾期未完成"),  # merged 责任单位 filled
        ("达州市公安局", "机动车信息共享", "2023-10-31", "未到期")]
    # the office's updated list: 完成日期 filled in; a blank one does not undo
    rows[1] = (2, "通川区", "补贴信息共享", "2023年9月30日", "2023-10-18")
    rows[0] = (1, "通川区", "低保信息共享", dt.datetime(2023, 6, 30), None)
    f2 = xlsx(tmp_path / "共享2.xlsx", TASK_HEAD, rows)
    r = ok(cli("evidence", "tasks", "import", f2, "--list", "共享"))
    assert "新增 0 项，更新 1 项，未变 2 项" in r.stdout
    ok(cli("evidence", "tasks", "done", 3, "--on", "2023-10-30"))
    fail(cli("evidence", "tasks", "done", 3, "--on", "2023-11-01"), "已记录为在另一天完成")
    fail(cli("evidence", "tasks", "done", 99, "--on", "2023-11-01"), "没有这些任务：#99")
    fail(cli("evidence", "tasks", "done", 1, "--on", "2099-01-01"), "晚于今天")
    fail(cli("evidence", "catalog", "import", f, "-u", "通川区", "--received", "2099-01-01"),
         "晚于今天")
    ok(cli("evidence", "tasks", "import", xlsx(tmp_path / "回流.xlsx", TASK_HEAD, [
        (1, "通川区", "社保卡数据回流", D(2023, 10, 31), None)]), "--list", "return"))
    s = json.loads(ok(cli("score", "suggest", "--year", 2023, "-u", "通川区", "--as-of",
                          "2024-01-15", "-f", "json")).stdout)
    item7 = next(x for x in s if x["item"] == 7)
    assert item7["suggested"] == 5  # 10 × (1 + 0.5 + 0)/3
    assert item7["basis"] == "到期任务3个：按期完成1、逾期完成1、未完成1"
    assert len(item7["records"]) == 3
    fail(cli("evidence", "tasks", "import", f, "--list", "other"), "清单种类不对")


def test_tasks_bad_rows(cli, units, db_path, tmp_path):
    f = xlsx(tmp_path / "t.xlsx", TASK_HEAD, [
        (1, "某某局", "甲", "2023-06-30", None), (2, "通川区", "", "2023-06-30", None),
        (3, "通川区", "乙", None, None), (4, "通川区", "丙", "2023-06-30", "昨天"),
        (5, "通川区", "丁", "2023-06-30", None), (6, "通川区", " 丁", "2023-07-30", None)])
    fail(cli("evidence", "tasks", "import", f, "--list", "return"),
         "第 2 行：责任单位“某某局”不在单位名单中", "第 3 行：任务内容为空",
         "第 4 行：完成时限为空", "第 5 行：完成日期“昨天”不是日期",
         "第 7 行：与第 6 行是同一任务")
    assert count(db_path, "evidence_tasks") == 0


def test_the_same_list_imported_again_is_not_a_new_version(cli, units, db_path):
    """The same catalogue or systems list received the same day (imported twice, or by two
    clerks at once) is one version; received again later, it is a new one."""
    from cdo.paths import data_dir

    samples = data_dir() / "samples" / "evidence"
    cat = ["evidence", "catalog", "import", samples / "目录清单-通川区-第1版.xlsx", "-u", "通川区"]
    ok(cli(*cat, "--received", "2024-01-05"))
    backups = len(list((db_path.parent / "backups").glob("*.db")))
    assert backups >= 1
    r = ok(cli(*cat, "--received", "2024-01-05"))
    assert r.stdout == ("达州市通川区 数据资源目录与已导入的第 1 版（2024-01-05 收到）完全相同，"
                        "没有重复导入\n")
    assert count(db_path, "catalog_versions") == 1
    assert len(list((db_path.parent / "backups").glob("*.db"))) == backups  # nothing written
    assert "第 2 版" in ok(cli(*cat, "--received", "2024-02-01")).stdout
    sys_ = ["evidence", "systems", "import", samples / "信息系统清单-通川区.xlsx", "-u", "通川区",
            "--received", "2024-01-05"]
    ok(cli(*sys_))
    assert "完全相同，没有重复导入" in ok(cli(*sys_)).stdout
    assert count(db_path, "system_lists") == 1


# ----------------------------------------------------------------------------- projects

def test_projects_add_import_list(cli, units, db_path, tmp_path):
    ok(cli("evidence", "projects", "add", "-u", "通川区", "--name", "低保核查", "--kind", "应用示范",
           "--stage", "上线运行", "--approved-on", "2023-03-01", "--online-on", "2023-08-15",
           "--typical"))
    f = xlsx(tmp_path / "项目.xlsx",
             ["序号", "单位", "项目名称", "类型", "阶段", "立项日期", "上线日期", "典型应用示范"], [
                 (1, "通川区", "网格融合", "应用示范", "建设", dt.datetime(2023, 6, 10), None, "否"),
                 (2, "通川区", "数据授权运营", "授权运营", "立项", "2023年7月1日", None, None),
                 (3, "通川区", "低保核查", "应用示范", "上线运行", "2023-03-01", "2023-08-15", "是")],
             merge_col=2)
    r = ok(cli("evidence", "projects", "import", f))
    assert "新增 2 个，更新 0 个，未变 1 个" in r.stdout
    rows = json.loads(ok(cli("evidence", "projects", "list", "-f", "json")).stdout)
    assert [(p["name"], p["kind"], p["stage"], p["typical"]) for p in rows] == [
        ("低保核查", "应用示范", "上线运行", True), ("网格融合", "应用示范", "建设", False),
        ("数据授权运营", "授权运营", "立项", False)]
    s = {x["item"]: x for x in json.loads(ok(cli(
        "score", "suggest", "--year", 2023, "-u", "通川区", "--as-of", "2024-01-15",
        "-f", "json")).stdout)}
    assert s[13]["suggested"] == 7 and s[16]["suggested"] == 1
    bad = xlsx(tmp_path / "bad.xlsx", ["单位", "项目名称", "类型", "阶段", "上线日期", "立项日期"], [
        ("通川区", "甲", "炒股", "建设", None, None), ("通川区", "乙", "应用示范", "立项", "2023-05-01", None),
        ("通川区", "丙", "应用示范", "上线运行", "2023-01-01", "2023-05-01")], notes=False)
    fail(cli("evidence", "projects", "import", bad), "第 2 行：类型“炒股”不认识",
         "第 3 行：填了上线日期，阶段却是“立项”", "第 4 行：上线日期早于立项日期")
    fail(cli("evidence", "projects", "add", "-u", "通川区", "--name", "x", "--kind", "应用示范",
             "--stage", "想法"), "阶段“想法”不认识")
    assert count(db_path, "projects") == 3


def test_a_project_added_again_keeps_what_is_not_given(cli, units):
    """Moving a project on a stage must not erase its dates or the office's 典型 mark."""
    ok(cli("evidence", "projects", "add", "-u", "通川区", "--name", "低保核查", "--kind", "应用示范",
           "--stage", "建设", "--approved-on", "2023-05-01", "--typical"))
    r = ok(cli("evidence", "projects", "add", "-u", "通川区", "--name", "低保核查", "--kind",
               "应用示范", "--stage", "上线运行", "--online-on", "2023-09-01"))
    assert "已更新" in r.stdout
    (p,) = json.loads(ok(cli("evidence", "projects", "list", "-f", "json")).stdout)
    assert (p["stage"], p["approved_on"], p["online_on"], p["typical"]) == (
        "上线运行", "2023-05-01", "2023-09-01", True)
    ok(cli("evidence", "projects", "add", "-u", "通川区", "--name", "低保核查", "--kind", "应用示范",
           "--stage", "上线运行", "--not-typical"))
    (p,) = json.loads(ok(cli("evidence", "projects", "list", "-f", "json")).stdout)
    assert (p["approved_on"], p["typical"]) == ("2023-05-01", False)
    # a project put back to 建设 is not online: its 上线日期 goes, and the log says so;
    # a note is kept and logged like every other field
    ok(cli("evidence", "projects", "add", "-u", "通川区", "--name", "低保核查", "--kind", "应用示范",
           "--stage", "建设", "--note", "系统改造"))
    (p,) = json.loads(ok(cli("evidence", "projects", "list", "-f", "json")).stdout)
    assert (p["stage"], p["approved_on"], p["online_on"]) == ("建设", "2023-05-01", None)
    log = json.loads(ok(cli("log", "--entity", "应用项目", "-f", "json")).stdout)
    assert "上线日期: 2023-09-01 → 空" in log[0]["changes"] and "备注: 空 → 系统改造" in log[0]["changes"]


# ----------------------------------------------------------------------------- quality

Q_HEAD = ["序号", "责任单位", "数据资源名称", "抽查记录数（条）", "空值数", "错值数"]


def test_quality_import_rates_trend_and_item12(cli, units, db_path, tmp_path):
    march = xlsx(tmp_path / "3.xlsx", Q_HEAD, [(1, "通川区", "低保", 1000, 60, 20),
                                                (2, "通川区", "补贴", 1000, 40, 20),
                                                (3, "市公安局", "机动车", "8,000", 80, 40)],
                 title="2023年3月抽查结果", merge_col=2)
    ok(cli("evidence", "quality", "import", march, "--month", "2023年3月"))
    fail(cli("evidence", "quality", "import", march, "--month", "2023-03"), "已导入", "--replace")
    r = ok(cli("evidence", "quality", "import", march, "--month", "2023-03", "--replace"))
    assert "替换原有 3 行" in r.stdout
    (tmp_path / "12.csv").write_text(
        "责任单位,抽查记录数,空值数,错值数\n通川区,2000,20,30\n市公安局,8000,40,50\n",
        encoding="utf-8-sig")
    ok(cli("evidence", "quality", "import", tmp_path / "12.csv", "--month", "2023-12"))
    rows = json.loads(ok(cli("evidence", "quality", "list", "--year", 2023, "-f", "json")).stdout)
    assert [(r["unit"], r["month"], r["null_rate"], r["error_rate"], r["trend"]) for r in rows] == [
        ("达州市通川区", "2023-03", 0.05, 0.02, ""),
        ("达州市通川区", "2023-12", 0.01, 0.015, "空值率下降、错值率下降"),
        ("达州市公安局", "2023-03", 0.01, 0.005, ""),
        ("达州市公安局", "2023-12", 0.005, 0.0063, "空值率下降、错值率上升")]
    s = {(x["unit"], x["item"]): x for x in json.loads(ok(cli(
        "score", "suggest", "--year", 2023, "--as-of", "2024-01-15", "-f", "json")).stdout)}
    assert s[("达州市通川区", 12)]["suggested"] == 5
    assert s[("达州市公安局", 12)]["suggested"] == 2.5
    assert s[("达州市民政局", 12)]["suggested"] is None  # no check
    bad = xlsx(tmp_path / "bad.xlsx", Q_HEAD, [(1, "通川区", "低保", 100, 101, 0),
                                               (2, "通川区", "低保", 100, 1, 1),
                                               (3, "市公安局", "x", 0, 0, 0),
                                               (4, "市民政局", "y", 10, None, 1)])
    fail(cli("evidence", "quality", "import", bad, "--month", "2023-06"),
         "第 2 行：空值数 101 大于抽查记录数 100", "第 3 行：与第 2 行重复",
         "第 4 行：抽查记录数为 0", "第 5 行：空值数为空")
    assert count(db_path, "quality_checks") == 5  # March 3 + December 2


def test_quality_sheet_inside_the_months_problem_list(cli, units, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题数据清单"
    ws.append(["责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量"])
    ws.append(["通川区", "低保", "完整性", "缺少地址", 12])
    q = wb.create_sheet("抽查结果")
    q.append(["责任单位", "数据资源名称", "抽查记录数", "空值数", "错值数"])
    q.append(["通川区", "低保", 500, 12, 3])
    wb.save(tmp_path / "2023-09.xlsx")
    ok(cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
           "--file", tmp_path / "2023-09.xlsx"))
    r = ok(cli("evidence", "quality", "import", tmp_path / "2023-09.xlsx", "--month", "2023-09"))
    assert "1 行，1 个单位" in r.stdout


# ----------------------------------------------------------------------------- gaps, view

def test_census_gaps_and_links(cli, units, tmp_path):
    ok(cli("evidence", "catalog", "import", xlsx(tmp_path / "c.xlsx", CAT_HEAD, catalog_rows()),
           "-u", "通川区", "--received", "2023-04-01"))
    for res in ("城乡低保对象信息", "户籍人口信息"):
        ok(cli("spotcheck", "add", "--unit", "通川区", "--resource", f" {res}",
               "--dimension", "完整性", "--description", "缺少字段", "--issued-on", "2023-09-27"))
    gaps = json.loads(ok(cli("evidence", "gaps", "--year", 2023, "-f", "json")).stdout)
    assert [(g["unit"], g["resource"], g["linked"]) for g in gaps] == [
        ("达州市通川区", "户籍人口信息", False)]
    every = json.loads(ok(cli("evidence", "gaps", "--year", 2023, "--all", "-f", "json")).stdout)
    assert [(g["resource"], g["catalog_entry"]) for g in every] == [
        ("城乡低保对象信息", "城乡低保对象信息"), ("户籍人口信息", None)]
    s = {x["item"]: x for x in json.loads(ok(cli(
        "score", "suggest", "--year", 2023, "-u", "通川区", "-f", "json")).stdout)}
    assert s[4]["suggested"] == 6  # catalogue 4 + no systems list 0 + 4 × 1/2
    assert "不在目录中：户籍人口信息" in "".join(s[4]["records"])


def test_show_every_item_with_evidence_and_entered_points(cli, units, tmp_path):
    ok(cli("evidence", "catalog", "import", xlsx(tmp_path / "c.xlsx", CAT_HEAD, catalog_rows()),
           "-u", "通川区", "--received", "2023-04-01"))
    ok(cli("score", "set", "--year", 2023, "-u", "通川区", "--item", 10, "--points", 6,
           "--note", "评价组核定"))
    ok(cli("score", "set", "--year", 2023, "-u", "通川区", "--item", 6, "--points", 4))
    rows = json.loads(ok(cli("evidence", "show", "-u", "通川区", "--year", 2023, "--as-of",
                             "2024-01-15", "-f", "json")).stdout)
    assert [r["item"] for r in rows] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17]
    assert set(rows[0]) == {"item", "part", "max", "entered", "suggested", "basis", "records"}
    by = {r["item"]: r for r in rows}
    assert by[10]["entered"] == 6 and by[10]["suggested"] == 4.7  # 6 × 1/3 + 4 × 2/3
    assert by[10]["records"][0].startswith("目录第1版（2023-04-01）3 条：有数据字典 1 条")
    assert by[6]["entered"] == 4 and by[6]["suggested"] is None and "评价组" in by[6]["basis"]
    assert by[17]["max"] == 10 and "第三方" in by[17]["basis"]
    table = ok(cli("evidence", "show", "-u", "通川区", "--year", 2023)).stdout
    assert "评价依据" in table and "第17项" in table
    fail(cli("evidence", "show", "-u", "某某局", "--year", 2023), "没有这个单位")


def test_apply_never_overwrites_entered_points(cli, units, db_path, tmp_path):
    ok(cli("evidence", "catalog", "import", xlsx(tmp_path / "c.xlsx", CAT_HEAD, catalog_rows()),
           "-u", "通川区", "--received", "2023-04-01"))
    ok(cli("score", "set", "--year", 2023, "-u", "通川区", "--item", 10, "--points", 3))
    ok(cli("score", "suggest", "--year", 2023, "-u", "通川区", "--apply"))
    db = open_db(db_path)
    pts = dict(db.execute("SELECT item, points FROM scores WHERE unit_id = 1").fetchall())
    assert pts[10] == 3  # entered: kept
    assert pts[4] == 8 and pts[8] == 4.4  # 4 + 0 + 4 × 1; 5 × (2 × 1 + 2/3) ÷ 3
    db.conn.close()


# ----------------------------------------------------------------------------- item 17

def test_third_party_two_column_sheet(cli, units, db_path, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["单位", "评估得分"], [" 通川区", 8.5], ["市公安局", "9"]):
        ws.append(row)
    wb.save(tmp_path / "三方.xlsx")
    r = ok(cli("evidence", "third-party", tmp_path / "三方.xlsx", "--year", 2023))
    assert "新增 2 个，修改 0 个，未变 0 个" in r.stdout
    (tmp_path / "无表头.csv").write_text("通川区,9\n市民政局,7.5\n", encoding="utf-8")
    fail(cli("evidence", "third-party", tmp_path / "无表头.csv", "--year", 2023),
         "第 1 行（达州市通川区，第17项）：已有 8.5 分，文件中为 9 分", "--reason")
    r = ok(cli("evidence", "third-party", tmp_path / "无表头.csv", "--year", 2023,
               "--reason", "第三方复核更正"))
    assert "新增 1 个，修改 1 个" in r.stdout
    (tmp_path / "bad.csv").write_text("单位,得分\n通川区,11\n某某局,5\n市公安局,\n",
                                      encoding="utf-8")
    fail(cli("evidence", "third-party", tmp_path / "bad.csv", "--year", 2023),
         "第 2 行：得分“11”", "第 3 行：单位“某某局”不在单位名单中", "第 4 行：得分为空")
    db = open_db(db_path)
    assert db.execute("SELECT points FROM scores WHERE item = 17 AND unit_id = 1").fetchone()[0] == 9
    db.conn.close()
    ok(cli("score", "finalize", "--year", 2023, "--allow-incomplete"))
    fail(cli("evidence", "third-party", tmp_path / "三方.xlsx", "--year", 2023), "定稿")


# ----------------------------------------------------------------------------- rules, demo

def test_rules_are_stated_for_every_item_and_in_help(cli):
    rows = json.loads(ok(cli("evidence", "rules", "-f", "json")).stdout)
    assert [r["item"] for r in rows] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17]
    assert all(r["rule"] for r in rows)
    by = {r["item"]: r["rule"] for r in rows}
    assert "普查覆盖率" in by[4] and "2A" in by[8] and "数据字典" in by[10]
    assert "典型应用示范计 5" in by[13] and "授权运营" in by[16] and "不建议" in by[6]
    help_ = ok(cli("score", "suggest", "--help")).stdout
    for no in (4, 5, 7, 8, 10, 12, 13, 16):
        assert f"第{no}项" in help_, no


def test_demo_then_suggest_covers_the_items_records_support(cli, tmp_path):
    demo_db = tmp_path / "demo.db"
    ok(cli("--db", demo_db, "demo"))
    rows = json.loads(ok(cli("--db", demo_db, "score", "suggest", "--year", 2023,
                             "--format", "json")).stdout)
    assert {k for r in rows for k in r} == {"unit", "item", "suggested", "entered", "basis",
                                            "records"}
    backed = {r["item"] for r in rows if r["suggested"] is not None and r["records"]}
    assert {1, 2, 4, 5, 7, 8, 10, 11, 12, 13, 16} <= backed
    out = tmp_path / "年度.xlsx"
    ok(cli("--db", demo_db, "report", "annual", "--year", 2023, "--output", out))
    ws = openpyxl.load_workbook(out)["评价依据"]
    found = [r for r in ws.iter_rows(values_only=True) if r[0] == "通川区" and r[1] == 4]
    assert found and found[0][4] == 8 and "户籍人口统计数据" in found[0][6]


def test_facts_from_the_problems_already_read_are_the_facts_read_alone(cli, tmp_path):
    """The annual workbook hands gather_evidence the problems its problem list has read
    (`problems`), and score suggest and the workbook hand the evidence rules the
    resources of the problems gather_evidence has (gather_facts' `resources`): the same
    evidence and facts, in the same order, as each reading the problems itself."""
    from cdo.evaluation import evidence
    from cdo.evaluation.annual import problems_sheet
    from cdo.evaluation.points import gather_evidence

    demo_db = tmp_path / "demo.db"
    ok(cli("--db", demo_db, "demo"))
    db = open_db(demo_db)
    for as_of in (D(2023, 9, 1), D(2023, 10, 1), D(2023, 11, 10), D(2024, 1, 15)):
        ev = gather_evidence(db, 2023, as_of)
        listed: list = []
        problems_sheet(db, 2023, as_of, None, listed)
        assert gather_evidence(db, 2023, as_of, None, listed) == ev
        assert gather_evidence(db, 2023, as_of, [3, 1], listed) == {
            uid: ev[uid] for uid in (3, 1)}
        given = {uid: sorted([(pid, res) for pid, _, res in e.problems]) for uid, e in ev.items()}
        alone = evidence.gather_facts(db, 2023, as_of)
        assert evidence.gather_facts(db, 2023, as_of, None, given) == alone
        assert any(f.problem_resources for f in alone.values()) == (as_of > D(2023, 9, 27))


# ----------------------------------------------------------------------------- LibreOffice

def test_files_saved_by_libreoffice_import_the_same(cli, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    names = ["目录清单-通川区-第2版.xlsx", "信息系统清单-通川区.xlsx", "第三批数据共享责任清单.xlsx",
             "应用项目.xlsx", "抽查结果-2023-03.xlsx", "抽查结果-2023-09.xlsx", "第三方评估得分.xlsx"]
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out),
                    *(str(SAMPLES / n) for n in names)],
                   check=True, capture_output=True, timeout=180)

    def load(folder, db):
        conn = open_db(db)
        for name, cat in (("通川区", "region"), ("达川区", "region"), ("达州市公安局", "department"),
                          ("达州市民政局", "department"), ("达州市水务集团有限公司", "enterprise"),
                          ("万源市", "region"), ("宣汉县", "region"), ("达州市大数据中心", "department")):
            add_unit(conn, name, cat, "达州水务集团" if "水务" in name else None)
        conn.conn.close()
        ok(cli("--db", db, "evidence", "catalog", "import", folder / names[0], "-u", "通川区",
               "--received", "2023-10-15"))
        ok(cli("--db", db, "evidence", "systems", "import", folder / names[1], "-u", "通川区",
               "--received", "2023-05-10"))
        ok(cli("--db", db, "evidence", "tasks", "import", folder / names[2], "--list", "share"))
        ok(cli("--db", db, "evidence", "projects", "import", folder / names[3]))
        ok(cli("--db", db, "evidence", "quality", "import", folder / names[4], "--month", "2023-03"))
        ok(cli("--db", db, "evidence", "quality", "import", folder / names[5], "--month", "2023-09"))
        ok(cli("--db", db, "evidence", "third-party", folder / names[6], "--year", 2023))
        return json.loads(ok(cli("--db", db, "evidence", "show", "-u", "通川区", "--year", 2023,
                                 "--as-of", "2024-01-15", "-f", "json")).stdout)

    original = load(SAMPLES, tmp_path / "a.db")
    resaved = load(out, tmp_path / "b.db")
    assert resaved == original
    assert {r["item"] for r in original if r["suggested"] is not None} >= {4, 5, 7, 8, 10, 12, 13}
    assert next(r["entered"] for r in original if r["item"] == 17) == 8.5


def test_two_columns_fitting_one_field_are_named(cli, units, tmp_path):
    (tmp_path / "q.csv").write_text("责任单位,单位名称,抽查记录数,空值数,错值数\n通川区,通川区,10,1,1\n",
                                    encoding="utf-8")
    fail(cli("evidence", "quality", "import", tmp_path / "q.csv", "--month", "2023-09"),
         "A 列“责任单位”和 B 列“单位名称”都像“责任单位”列")


def test_a_name_only_row_is_a_record_and_a_note_under_the_table_is_not(cli, units, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("数据资源名称,共享属性\n注册登记信息,\n说明书数据,\n合计,\n注：本表由单位填报,\n",
                 encoding="utf-8")
    r = ok(cli("evidence", "catalog", "import", f, "-u", "通川区", "--received", "2023-05-01"))
    assert "2 条" in r.stdout
