"""Issue 13: score workbooks as the office types them — item columns headed by number,
name or both, a 考评对象 unit column, 合计/平均分/分值 rows, another year in the title or
file name — and withdrawing a mistaken score import before finalize.

Workbooks are built with openpyxl (merged title, stray spaces) and, where the office's
files pass through it, saved again by LibreOffice."""

import json
import re

import openpyxl
import pytest
from conftest import soffice_convert

from cdo import scoring
from cdo.roster.units import add_unit
from cdo.store.db import open_db

TABLE = scoring.load_table()
NUMBERS = TABLE.numbers
MAXES = {i.no: i.max for i in TABLE.items}
# What an office writes over each column: a few words of the item in 附件2.
NAMES = {1: "培训和会议", 2: "工作方案或计划", 4: "数据普查登记", 5: "城市公共信息服务",
         6: "节约集约建设", 7: "内外部数据需求", 8: "数据资源目录", 9: "相关机构和企业",
         10: "全生命周期", 11: "数据质量检查", 12: "安e达APP", 13: "典型应用示范",
         15: "数字特区", 16: "授权运营", 17: "第三方评估"}


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    for name, cat, short in [("达州市大数据中心", "department", "大数据中心"),
                             ("达州市通川区", "region", "通川区"),
                             ("达州市中心医院", "institution", None)]:
        add_unit(db, name, cat, short)
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


def totals(cli, year=2023):
    rows = json.loads(ok(cli("score", "--year", year, "-f", "json")).stdout)
    return {r["unit"]: r["total"] for r in rows}


def office_grid(path, headers, rows, *, title="2023年度首席数据官工作评价得分汇总表",
                unit_label="考评对象", extra=(), foot=()):
    """序号 | 考评对象 | one column per item | extra columns; a merged title; foot rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "得分汇总"
    width = 2 + len(headers) + len(extra)
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for c, h in enumerate(["序号", f" {unit_label} ", *headers, *extra], 1):
        ws.cell(2, c, h)
    for r, (unit, values) in enumerate(rows, 3):
        ws.cell(r, 1, r - 2)
        ws.cell(r, 2, unit)
        for c, v in enumerate(values, 3):
            ws.cell(r, c, v)
    r = 3 + len(rows)
    for label, values in foot:
        ws.cell(r, 2, label)
        for c, v in enumerate(values, 3):
            ws.cell(r, c, v)
        r += 1
    wb.save(path)
    return path


def mixed_headers():
    """Every spelling at once: number+name, 第N项, name alone, plain number."""
    out = []
    for k, no in enumerate(NUMBERS):
        out.append([f"{no}.{NAMES[no]}", f"第{no}项", f"  {NAMES[no]} ", f"{no}",
                    f"{no}、{NAMES[no]}（{MAXES[no]:g}分）"][k % 5])
    return out


def full(value):
    return [min(value, MAXES[n]) for n in NUMBERS]


def test_item_columns_headed_by_number_name_or_both_are_all_read(cli, units, tmp_path):
    headers = mixed_headers()
    assert "4.数据普查登记" not in headers
    headers[NUMBERS.index(4)] = "4.数据普查登记"
    foot = [("合计", [sum(full(4)) + sum(full(5))] * len(NUMBERS)),
            ("平均分", [4.5] * len(NUMBERS)),
            ("分值", [MAXES[n] for n in NUMBERS])]
    src = office_grid(tmp_path / "评分汇总.xlsx", headers,
                      [("大数据中心", full(4)), ("通川区 ", full(5))],
                      extra=["合计", "备注"], foot=foot)
    (tmp_path / "lo").mkdir()
    resaved = soffice_convert(src, tmp_path / "lo", "xlsx")
    r = ok(cli("score", "import", resaved, "--year", 2023))
    assert "2 个单位" in r.stdout and "新增 30 项" in r.stdout, r.stdout
    assert r.stderr == ""  # nothing left unread, nothing to warn about
    assert totals(cli) == {"达州市大数据中心": sum(full(4)), "达州市通川区": sum(full(5)),
                           "达州市中心医院": 0}
    db = open_db(tmp_path / "cdo.db")
    assert db.execute("SELECT points FROM scores s JOIN units u ON u.id = s.unit_id"
                      " WHERE u.short = '通川区' AND item = 4").fetchone()[0] == 5


def test_the_same_grid_as_csv_reads_the_same(cli, units, tmp_path):
    src = office_grid(tmp_path / "评分.xlsx", mixed_headers(), [("中心医院", full(3))],
                      foot=[("平均", full(3))])
    (tmp_path / "lo").mkdir()
    as_csv = soffice_convert(src, tmp_path / "lo", "csv:Text - txt - csv (StarCalc):44,34,76")
    gbk = tmp_path / "评分-gbk.csv"
    gbk.write_bytes(as_csv.read_text(encoding="utf-8").encode("gbk"))
    r = ok(cli("score", "import", gbk, "--year", 2023))
    assert "新增 15 项" in r.stdout
    assert totals(cli)["达州市中心医院"] == sum(full(3))


def test_a_column_that_is_not_an_item_is_named_never_dropped_silently(cli, units, tmp_path):
    headers = [str(n) for n in NUMBERS]
    p = office_grid(tmp_path / "g.xlsx", headers, [("通川区", [*full(2), "好"])],
                    extra=["考核组意见"])
    r = ok(cli("score", "import", p, "--year", 2023))
    assert "新增 15 项" in r.stdout
    assert "注意：g.xlsx，工作表“得分汇总”，第2行 R2：表头“考核组意见”不是附件2的项目，" \
           "这一列没有读取" in r.stderr


@pytest.mark.parametrize("header, message", [
    ("7.数据普查登记", "表头“7.数据普查登记”：序号 7 与名称“数据普查登记”（附件2第4项）不一致"),
    ("3.数据普查登记", "附件2中没有第3项（名称像第4项）"),
    ("数据资源", "表头“数据资源”可能是第4、8、9、16项，请在表头写明项目序号"),
], ids=["number-and-name-disagree", "no-such-number", "name-fits-several"])
def test_a_header_that_cannot_be_mapped_refuses_the_import(cli, units, tmp_path, header,
                                                           message):
    headers = [str(n) for n in NUMBERS if n != 4] + [header]
    p = office_grid(tmp_path / "g.xlsx", headers, [("通川区", full(2))])
    fail(cli("score", "import", p, "--year", 2023), message, "没有导入任何分数")
    assert totals(cli)["达州市通川区"] == 0


@pytest.mark.parametrize("extra", [[], ["得分"]], ids=["plain", "total-headed-defen"])
def test_a_grid_with_a_unit_column_is_not_taken_for_a_form_and_every_error_shows(
        cli, units, tmp_path, extra):
    values = full(4)
    values[NUMBERS.index(12)] = 12   # 12 > 5
    values[NUMBERS.index(4)] = 12    # 12 > 10
    other = full(3)
    other[NUMBERS.index(17)] = -1
    # with 得分 over the total column, the header row has 序号 … 得分 like a form's
    p = office_grid(tmp_path / "草稿.xlsx", [str(n) for n in NUMBERS],
                    [("大数据中心", values), ("中心医院", other)], extra=extra)
    r = fail(cli("score", "import", p, "--year", 2023), "有 3 处错误，没有导入任何分数")
    assert "找不到" not in r.stderr and "附件2评价表" not in r.stderr
    assert "E3（达州市大数据中心，第4项，满分 10 分）：12 分超过满分 10 分" in r.stderr
    assert "（达州市大数据中心，第12项，满分 5 分）：12 分超过满分 5 分" in r.stderr
    assert "（达州市中心医院，第17项，满分 10 分）：-1 是负分" in r.stderr
    assert totals(cli)["达州市大数据中心"] == 0


def test_a_filled_form_is_still_read_as_a_form(cli, units, tmp_path):
    out = tmp_path / "form.xlsx"
    ok(cli("score", "sheet", "--year", 2023, "--unit", "通川区", out))
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    for r in range(6, 21):
        ws.cell(r, 5).value = MAXES[ws.cell(r, 1).value]
    wb.save(out)
    (tmp_path / "lo").mkdir()
    r = ok(cli("score", "import", soffice_convert(out, tmp_path / "lo", "xlsx"),
               "--year", 2023))
    assert "1 个单位" in r.stdout and "新增 15 项" in r.stdout
    assert totals(cli)["达州市通川区"] == 100


# -- another year named ------------------------------------------------------------------

def test_a_workbook_named_or_titled_for_another_year_needs_force(cli, units, tmp_path):
    headers = [str(n) for n in NUMBERS]
    named = office_grid(tmp_path / "2023年度评分.xlsx", headers, [("通川区", full(2))],
                        title="首席数据官工作评价得分汇总表")
    r = fail(cli("score", "import", named, "--year", 2024),
             "文件名“2023年度评分.xlsx”写的是 2023 年度，不是 --year 2024", "--force")
    titled = office_grid(tmp_path / "评分.xlsx", headers, [("通川区", full(2))])
    r = fail(cli("score", "import", titled, "--year", 2024),
             "评分.xlsx，工作表“得分汇总”，A1 标题“2023年度首席数据官工作评价得分汇总表”"
             "写的是 2023 年度")
    assert totals(cli, 2024)["达州市通川区"] == 0
    r = ok(cli("score", "import", titled, "--year", 2024, "--force"))
    assert totals(cli, 2024)["达州市通川区"] == sum(full(2))
    # a sending date is not the year scored; the year scored is fine
    sent = office_grid(tmp_path / "2024年1月报送.xlsx", headers, [("中心医院", full(2))])
    ok(cli("score", "import", sent, "--year", 2023))
    assert r.exit_code == 0


def test_a_filled_form_titled_for_another_year_needs_force(cli, units, tmp_path):
    """The office's copy of 附件2 with the year typed into the title, 评价年度 left blank."""
    out = tmp_path / "通川区评价表.xlsx"
    ok(cli("score", "sheet", "--year", 2024, "--unit", "通川区", out))
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    ws["A2"] = "达州市首席数据官2023年度工作评价表"
    ws["D3"] = "评价年度："
    for r in range(6, 21):
        ws.cell(r, 5).value = 1
    wb.save(out)
    fail(cli("score", "import", out, "--year", 2024),
         "A2 标题“达州市首席数据官2023年度工作评价表”写的是 2023 年度，不是 --year 2024")
    ok(cli("score", "import", out, "--year", 2024, "--force"))
    assert totals(cli, 2024)["达州市通川区"] == 15


# -- withdrawing an import ---------------------------------------------------------------

def test_withdraw_a_score_import_before_finalize(cli, units, tmp_path):
    headers = [str(n) for n in NUMBERS]
    a = office_grid(tmp_path / "a.xlsx", headers, [("通川区", full(2)), ("中心医院", full(1))])
    b = office_grid(tmp_path / "b.xlsx", headers, [("通川区", full(3))])
    r = ok(cli("score", "import", a, "--year", 2023))
    assert "导入编号 1（导错了可撤回：cdo score withdraw --year 2023 --import 1" in r.stdout
    ok(cli("score", "set", "--year", 2023, "--unit", "中心医院", "--item", 4, "--points", 9,
           "--reason", "复核"))
    r = ok(cli("score", "import", b, "--year", 2023, "--reason", "第二稿"))
    assert "导入编号 2" in r.stdout
    r = ok(cli("score", "imports", "--year", 2023, "-f", "json"))
    assert [(x["id"], x["source"], x["cells"]) for x in json.loads(r.stdout)] == [
        (1, "a.xlsx", 30), (2, "b.xlsx", 15)]
    # the first import's points were changed since: name them, change nothing
    r = fail(cli("score", "withdraw", "--year", 2023, "--import", 1, "--reason", "导错"),
             "第 1 次评分导入不能撤回：16 个分数在导入后又改过",
             "达州市中心医院 第4项：导入为 1 分，现为 9 分",
             "达州市通川区 第1项：导入为 2 分，现为 3 分")
    fail(cli("score", "withdraw", "--year", 2024, "--import", 1, "--reason", "x"),
         "2024 年度没有第 1 次评分导入")
    fail(cli("score", "withdraw", "--year", 2023, "--import", 2, "--reason", " "), "--reason")
    r = ok(cli("score", "withdraw", "--year", 2023, "--import", 2, "--reason", "第二稿作废"))
    assert "删去 0 项，恢复原分数 15 项" in r.stdout
    assert totals(cli)["达州市通川区"] == sum(full(2))
    fail(cli("score", "withdraw", "--year", 2023, "--import", 2, "--reason", "again"),
         "已于")
    ok(cli("score", "set", "--year", 2023, "--unit", "中心医院", "--item", 4, "--points", 1,
           "--reason", "改回"))
    r = ok(cli("score", "withdraw", "--year", 2023, "--import", 1, "--reason", "文件错了"))
    assert "删去 30 项，恢复原分数 0 项" in r.stdout
    assert totals(cli) == {"达州市大数据中心": 0, "达州市通川区": 0, "达州市中心医院": 0}
    db = open_db(tmp_path / "cdo.db")
    rows = db.execute("SELECT entity, action, reason FROM audit_log WHERE entity ="
                      " 'score_import' AND action = 'withdraw' ORDER BY id").fetchall()
    assert rows == [("score_import", "withdraw", "第二稿作废"),
                    ("score_import", "withdraw", "文件错了")]
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE entity = 'score'"
                      " AND action = 'withdraw'").fetchone()[0] == 45
    r = ok(cli("score", "imports", "--year", 2023))
    assert "已于" in r.stdout and "文件错了" in r.stdout
    # the time as `cdo log` shows it: no ISO 'T', no offset
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r.stdout)
    assert not re.search(r"\d\dT\d\d:|\+08:00", r.stdout)


def test_a_finalized_year_refuses_withdrawal(cli, units, tmp_path):
    p = office_grid(tmp_path / "a.xlsx", [str(n) for n in NUMBERS],
                    [("通川区", full(2)), ("中心医院", full(2)), ("大数据中心", full(2))])
    ok(cli("score", "import", p, "--year", 2023))
    ok(cli("score", "finalize", "--year", 2023))
    fail(cli("score", "withdraw", "--year", 2023, "--import", 1, "--reason", "x"), "定稿")
    assert totals(cli)["达州市通川区"] == sum(full(2))


# -- the suggestion basis of a problem overdue, then negotiated ------------------------

def test_suggestion_records_say_the_original_deadline_was_missed(cli, units, tmp_path):
    ok(cli("spotcheck", "add", "--unit", "通川区", "--resource", "低保信息", "--dimension",
           "准确性", "--description", "错", "--issued-on", "2023-09-27"))   # due 2023-11-14
    ok(cli("spotcheck", "add", "--unit", "通川区", "--resource", "户籍信息", "--dimension",
           "准确性", "--description", "错", "--issued-on", "2023-09-27"))
    ok(cli("rectify", "negotiate", "1", "--until", "2023-12-29", "--on", "2023-11-20"))
    ok(cli("rectify", "done", "1", "--on", "2023-12-20"))
    ok(cli("rectify", "negotiate", "2", "--until", "2023-12-29", "--on", "2023-11-01"))
    ok(cli("rectify", "done", "2", "--on", "2023-12-20"))
    rows = json.loads(ok(cli("score", "suggest", "--year", 2023, "--unit", "通川区",
                             "--as-of", "2024-01-15", "-f", "json")).stdout)
    (item11,) = [r for r in rows if r["item"] == 11]
    late, in_time = item11["records"]
    assert late.startswith("问题 #1《低保信息》：原期限 2023-11-14 未按期整改（2023-11-15 起逾期），"
                           "逾期后协商延期至 2023-12-29，2023-12-20 整改，逾期整改"), late
    assert in_time == "问题 #2《户籍信息》：期限 2023-12-29，2023-12-20 整改，按期整改"
    assert "其中1个原期限已逾期后才协商延期" in item11["basis"]
    # the annual workbook (which hands the evidence the problems it has listed) says the
    # same, today and as of a day before the rectifications (replayed)
    for as_of in ("2024-01-15", "2023-12-01"):
        rows = json.loads(ok(cli("score", "suggest", "--year", 2023, "--unit", "通川区",
                                 "--as-of", as_of, "-f", "json")).stdout)
        (item11,) = [r for r in rows if r["item"] == 11]
        out = tmp_path / f"{as_of}.xlsx"
        ok(cli("report", "annual", "--year", 2023, "--as-of", as_of, "--output", out))
        ws = openpyxl.load_workbook(out)["评价依据"]
        (row,) = [r for r in ws.iter_rows(values_only=True)
                  if r[0] == "达州市通川区" and r[1] == 11]
        assert (row[4], row[5], row[6]) == (item11["suggested"], item11["basis"],
                                            "；".join(item11["records"]))


@pytest.mark.parametrize("label, no", [
    ("4.数据普查登记", 4), ("4、数据普查登记", 4), ("第4项 数据普查登记", 4), ("4\n数据普查登记", 4),
    ("（4）数据普查登记", 4), ("4.数据普查登记（10分）", 4), ("数据普查登记", 4), (" 4. ", 4),
    ("第三方评估", 17), ("17.第三方评估", 17), ("4.数据统筹", 4), ("安e达APP", 12),
    ("合计", None), ("日常履职(10分)", None), ("备注", None), ("2023", None), ("1.5", None),
])
def test_item_header_spellings(label, no):
    from cdo.sheets.score_sheet import item_header

    h = item_header(label, TABLE)
    assert (h.no, h.problem) == (no, None)
