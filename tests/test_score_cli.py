
"""cdo score … through the CLI: ranking, set, import, sheet, finalize/reopen."""

import csv
import json
import os

import openpyxl
import pytest

from cdo import scoring
from cdo.roster.units import add_unit
from cdo.store.db import open_db

NUMBERS = scoring.load_table().numbers
MAXES = {i.no: i.max for i in scoring.load_table().items}


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    for name, cat, short in [("达州市大数据中心", "department", "大数据中心"),
                             ("达州市通川区", "region", "通川区"),
                             ("达州市中心医院", "institution", None),
                             ("达州市交通投资建设集团有限责任公司", "enterprise", "交投集团")]:
        add_unit(db, name, cat, short)
    db.conn.close()


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def fail(r, pattern):
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert pattern in r.stderr, r.stderr
    return r


def enter_all(cli, unit, value=None, skip=()):
    """Enter a unit's points (through the domain: quicker than 15 CLI runs)."""
    from cdo.evaluation import points as evaluation

    db = open_db(os.environ["CDO_DB"])
    for no in NUMBERS:
        if no in skip:
            continue
        v = MAXES[no] if value is None else min(value, MAXES[no])
        evaluation.set_point(db, 2023, unit, no, v)
    db.conn.close()


def missing_items(unit_name):
    """What the ranking says is unscored for a unit (the table shows it; JSON keeps to
    the keys PRODUCT.md lists)."""
    from cdo.evaluation import points as evaluation

    db = open_db(os.environ["CDO_DB"])
    try:
        return next(r["missing"] for r in evaluation.ranking_rows(db, 2023)
                    if r["unit"] == unit_name)
    finally:
        db.conn.close()


def ranking(cli, *extra):
    return json.loads(ok(cli("score", "--year", 2023, "--format", "json", *extra)).stdout)


def test_ranking_json_ties_incomplete_and_category(cli, units):
    enter_all(cli, "大数据中心", 4)
    enter_all(cli, "通川区", 4)
    enter_all(cli, "中心医院")
    enter_all(cli, "交投集团", skip=(11, 17))
    rows = ranking(cli)
    assert [(r["rank"], r["unit"], r["total"], r["complete"]) for r in rows] == [
        (1, "达州市中心医院", 100, True), (2, "达州市大数据中心", 60, True),
        (2, "达州市通川区", 60, True), (None, "达州市交通投资建设集团有限责任公司", 85, False)]
    assert set(rows[0]) >= {"rank", "unit", "category", "parts", "total", "complete"}
    assert rows[0]["category"] == "institution"
    assert rows[1]["parts"] == {"daily": 8, "coordination": 12, "sharing": 12, "quality": 12,
                                "innovation": 12, "third_party": 4}
    assert rows[3]["parts"]["third_party"] is None
    assert missing_items(rows[3]["unit"]) == [11, 17] and "missing" not in rows[3]
    # --category ranks within the category, Chinese name accepted
    assert [(r["rank"], r["unit"]) for r in ranking(cli, "--category", "市级部门")] == [
        (1, "达州市大数据中心")]
    table = ok(cli("score", "--year", 2023)).stdout
    assert "2023 年度首席数据官工作评价排名" in table
    assert "未评：第11, 17项" in table
    assert "共 4 个单位，已评完 3 个" in table
    csv_out = ok(cli("score", "--year", 2023, "--format", "csv")).stdout.splitlines()
    # the same keys as JSON (PRODUCT.md); the parts object as JSON text in its cell
    assert csv_out[0] == "rank,unit,category,parts,total,complete"
    row = next(csv.reader([csv_out[2]]))
    assert row[:3] == ["2", "达州市大数据中心", "department"] and row[4:] == ["60", "true"]
    assert json.loads(row[3]) == {"daily": 8, "coordination": 12, "sharing": 12,
                                  "quality": 12, "innovation": 12, "third_party": 4}
    assert csv_out[4].endswith(",85,false")


def test_score_without_year_is_a_usage_error(cli, units):
    r = cli("score", "--format", "json")
    assert r.exit_code == 2
    assert "--year" in r.stderr


def test_set_refusals(cli, units, db_path):
    fail(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 4, "--points", 12),
         "第4项最多 10 分，12 分超出了满分")
    fail(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 1, "--points", -1),
         "第1项不能为负分（-1），该项满分 5 分")
    fail(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 3, "--points", 1),
         "附件2评价表中没有第3项")
    fail(cli("score", "set", "--year", 2023, "--unit", "没有的单位", "--item", 1, "--points", 1),
         "没有这个单位")
    fail(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 1, "--points", "优"),
         "--points 不是分数")
    ok(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 1, "--points", 4))
    fail(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 1, "--points", 5),
         "已有 4 分，改为 5 分须用 --reason")
    r = ok(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 1, "--points", 5,
               "--reason", "补交签到表"))
    assert "4 分 → 5 分" in r.stdout
    db = open_db(db_path)
    assert db.execute("SELECT action, reason FROM audit_log WHERE entity = 'score'"
                      " ORDER BY id").fetchall() == [("set", None), ("change", "补交签到表")]


# ----------------------------------------------------------------------------- import

def grid_workbook(path, header, rows, title=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评分"
    if title:
        ws.append(["2023年度首席数据官评价得分汇总"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def full_row(unit, value=None):
    return [unit, *((MAXES[n] if value is None else min(value, MAXES[n])) for n in NUMBERS)]


def test_import_grid_with_header_spellings_and_names(cli, units, tmp_path):
    spellings = ["1", "2.0", "第4项", "项目5", 6, 7.0, " 8 ", "第 9 项", "10", "11", "12", "13",
                 "15", "16", "17"]
    header = ["单位名称", *spellings, "合计"]
    rows = [
        [" 达州市大数据中心　", *full_row("", 4)[1:], 60],
        ["通川区", *full_row("")[1:], 100],
        ["中心医院", 5, "4.5", None, "", "　", *[3] * 10],  # blanks: not scored yet
    ]
    path = grid_workbook(tmp_path / "评分.xlsx", header, rows)
    r = ok(cli("score", "import", path, "--year", 2023))
    assert "3 个单位" in r.stdout and "新增 42 项" in r.stdout
    assert list((tmp_path / "backups").glob("cdo-auto-*.db"))  # a bulk import backs up first
    data = {x["unit"]: x for x in ranking(cli)}
    assert data["达州市大数据中心"]["total"] == 60
    assert data["达州市通川区"]["total"] == 100
    hosp = data["达州市中心医院"]
    assert missing_items(hosp["unit"]) == [4, 5, 6] and hosp["parts"]["daily"] == 9.5
    # the same file again changes nothing
    r = ok(cli("score", "import", path, "--year", 2023))
    assert "新增 0 项，修改 0 项，未变 42 项" in r.stdout


def test_import_csv_gbk(cli, units, tmp_path):
    path = tmp_path / "评分.csv"
    lines = ["单位," + ",".join(str(n) for n in NUMBERS),
             ",".join(str(x) for x in full_row("大数据中心", 3))]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    ok(cli("score", "import", path, "--year", 2023))
    assert ranking(cli)[0]["total"] == 45


def test_import_is_all_or_nothing_and_names_every_bad_cell(cli, units, tmp_path):
    header = ["单位", *[str(n) for n in NUMBERS]]
    bad1 = full_row("大数据中心", 4)
    bad1[1] = 6          # item 1, max 5        -> B3
    bad1[3] = "优秀"      # item 4, not a number -> D3
    bad2 = full_row("通川区", 4)
    bad2[-1] = -2        # item 17 negative     -> P4
    rows = [bad1, bad2, full_row("中心医院"), full_row("不存在的局")]
    path = grid_workbook(tmp_path / "bad.xlsx", header, rows)
    r = fail(cli("score", "import", path, "--year", 2023), "有 4 处错误，没有导入任何分数")
    err = r.stderr
    assert ("bad.xlsx，工作表“评分”，B3（达州市大数据中心，第1项，满分 5 分）："
            "6 分超过满分 5 分") in err
    assert "D3（达州市大数据中心，第4项，满分 10 分）：“优秀”不是分数" in err
    assert "P4（达州市通川区，第17项，满分 10 分）：-2 是负分" in err
    assert "第6行 A6：没有这个单位：'不存在的局'" in err
    assert all(not x["parts"]["daily"] for x in ranking(cli))  # nothing written


def test_import_header_problems(cli, units, tmp_path):
    path = grid_workbook(tmp_path / "h.xlsx", ["单位", "1", "3", "2", "2"],
                         [["通川区", 1, 1, 1, 1]])
    r = fail(cli("score", "import", path, "--year", 2023), "没有导入任何分数")
    assert "C2：表头“3”不是附件2中的项目" in r.stderr
    assert "E2：第2项的列重复出现" in r.stderr
    nohead = grid_workbook(tmp_path / "n.xlsx", ["单位", "得分"], [["通川区", 1]], title=False)
    fail(cli("score", "import", nohead, "--year", 2023), "找不到项目序号的表头行")
    fail(cli("score", "import", tmp_path / "missing.xlsx", "--year", 2023), "不存在")
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    fail(cli("score", "import", tmp_path / "x.xls", "--year", 2023), "旧版 Excel")


def test_import_changing_points_needs_a_reason(cli, units, tmp_path):
    header = ["单位", *[str(n) for n in NUMBERS]]
    ok(cli("score", "import", grid_workbook(tmp_path / "a.xlsx", header, [full_row("通川区", 4)]),
           "--year", 2023))
    changed = grid_workbook(tmp_path / "b.xlsx", header, [full_row("通川区", 5)])
    r = fail(cli("score", "import", changed, "--year", 2023), "修改已有分数须加 --reason")
    assert "15 个分数与已录入的不同" in r.stderr
    assert "D3（达州市通川区，第4项）：已有 4 分，文件中为 5 分" in r.stderr
    assert ranking(cli)[0]["total"] == 60
    r = ok(cli("score", "import", changed, "--year", 2023, "--reason", "复核更正"))
    assert "修改 15 项" in r.stdout
    assert ranking(cli)[0]["total"] == 75


# ----------------------------------------------------------------------------- sheets

def read_sheet_numbers(path):
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    items = {r[0]: r[4] for r in rows[head + 1:] if isinstance(r[0], int)}
    total_row = next(r for r in rows if r[0] == "合计")
    texts = [str(c) for r in rows for c in r if c is not None]
    return ws, items, total_row[4], texts


def test_sheet_round_trip_and_fingerprint(cli, units, tmp_path):
    enter_all(cli, "交投集团", 4)
    ok(cli("score", "set", "--year", 2023, "--unit", "交投集团", "--item", 4, "--points", 9.5,
           "--reason", "复核"))
    out = tmp_path / "交投.xlsx"
    r = ok(cli("score", "sheet", "--year", 2023, "--unit", "交投集团", out))
    assert "综合得分 65.5" in r.stdout and "尚未定稿" in r.stderr
    ws, items, total, texts = read_sheet_numbers(out)
    assert items == {n: (9.5 if n == 4 else min(4, MAXES[n])) for n in NUMBERS}
    assert total == 65.5
    assert ws["A2"].value == "达州市首席数据官工作评价表"
    assert "考评对象：达州市交通投资建设集团有限责任公司" in texts
    assert "综合得分：65.50" in texts  # as the 合计 cell shows 65.5: 0.00
    total_cell = next(c for row in ws.iter_rows() for c in row if c.value == 65.5)
    assert total_cell.number_format == "0.00"
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9
    assert "日常履职\n（10分）" in texts
    assert any(t.startswith("草稿") for t in texts)
    assert "B6:B7" in {str(m) for m in ws.merged_cells.ranges}  # 日常履职 spans items 1, 2

    fin = ok(cli("score", "finalize", "--year", 2023, "--allow-incomplete"))
    short = fin.stdout.split("指纹：")[1].split()[0]
    ok(cli("score", "sheet", "--year", 2023, "--unit", "交投集团", out, "--force"))
    _, _, _, texts = read_sheet_numbers(out)
    assert any(t.startswith(f"定稿指纹：{short}") for t in texts)
    assert short in ok(cli("score", "--year", 2023)).stdout
    again = ok(cli("score", "finalize", "--year", 2023))
    assert short in again.stdout and "与当前分数一致" in again.stdout


def test_import_a_folder_of_filled_sheets(cli, units, tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    for unit in ("大数据中心", "通川区"):
        ok(cli("score", "sheet", "--year", 2023, "--unit", unit, folder / f"{unit}.xlsx"))
    # the evaluators fill them in by hand
    for name, value in (("大数据中心", 4), ("通川区", 3)):
        wb = openpyxl.load_workbook(folder / f"{name}.xlsx")
        ws = wb.active
        for r in range(6, 21):
            no = ws.cell(r, 1).value
            blank = no == 17 and name == "通川区"
            ws.cell(r, 5).value = None if blank else min(value, MAXES[no])
        wb.save(folder / f"{name}.xlsx")
    (folder / "~$大数据中心.xlsx").write_bytes(b"lock file")
    r = ok(cli("score", "import", folder, "--year", 2023))
    assert "2 个单位" in r.stdout and "新增 29 项" in r.stdout
    data = {x["unit"]: x for x in ranking(cli)}
    assert data["达州市大数据中心"]["total"] == 60 and data["达州市大数据中心"]["complete"]
    assert missing_items("达州市通川区") == [17]
    # exported again, the sheet shows the same numbers
    out = tmp_path / "again.xlsx"
    ok(cli("score", "sheet", "--year", 2023, "--unit", "大数据中心", out))
    _, items, total, _ = read_sheet_numbers(out)
    assert total == 60 and items[4] == 4 and items[1] == 4


def test_folder_import_refuses_other_year_and_bad_cells(cli, units, tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    ok(cli("score", "sheet", "--year", 2022, "--unit", "通川区", folder / "old.xlsx"))
    ok(cli("score", "sheet", "--year", 2023, "--unit", "中心医院", folder / "h.xlsx"))
    wb = openpyxl.load_workbook(folder / "h.xlsx")
    wb.active["E6"] = 7  # item 1, max 5
    wb.save(folder / "h.xlsx")
    r = fail(cli("score", "import", folder, "--year", 2023), "没有导入任何分数")
    assert "这是 2022 年度的评价表（达州市通川区），不是 2023 年度" in r.stderr
    assert ("h.xlsx，工作表“2023年度评价表”，E6（达州市中心医院，第1项，满分 5 分）："
            "7 分超过满分 5 分") in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    fail(cli("score", "import", empty, "--year", 2023), "没有 .xlsx 评价表")


def test_finalized_year_refuses_changes_until_reopened(cli, units, tmp_path):
    for u in ("大数据中心", "通川区", "中心医院", "交投集团"):
        enter_all(cli, u, 3)
    r = ok(cli("score", "finalize", "--year", 2023))
    assert "已定稿" in r.stdout and "完整 SHA-256" in r.stdout
    fail(cli("score", "set", "--year", 2023, "--unit", "通川区", "--item", 1, "--points", 2,
             "--reason", "x"), "已于")
    header = ["单位", *[str(n) for n in NUMBERS]]
    path = grid_workbook(tmp_path / "a.xlsx", header, [full_row("通川区", 4)])
    fail(cli("score", "import", path, "--year", 2023, "--reason", "x"), "定稿")
    fail(cli("score", "suggest", "--year", 2023, "--apply"), "定稿")
    r = cli("score", "reopen", "--year", 2023)
    assert r.exit_code == 2  # --reason is required
    ok(cli("score", "reopen", "--year", 2023, "--reason", "第三方评估更正"))
    ok(cli("score", "set", "--year", 2023, "--unit", "通川区", "--item", 1, "--points", 2,
           "--reason", "更正"))
    fail(cli("score", "reopen", "--year", 2023, "--reason", "再开"), "没有定稿")


def test_suggest_cli(cli, units, db_path):
    db = open_db(db_path)
    db.execute("INSERT INTO meetings (kind, held_on, title, created_at) VALUES"
               " ('meeting', '2023-06-15', '工作会议', '2023-06-15')")
    db.execute("INSERT INTO attendance (meeting_id, unit_id, status) VALUES (1, 1, 'present')")
    db.conn.close()
    ok(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 1, "--points", 4))
    rows = json.loads(ok(cli("score", "suggest", "--year", 2023, "--unit", "大数据中心",
                             "--as-of", "2024-01-15", "--format", "json")).stdout)
    assert [(r["item"], r["suggested"], r["entered"]) for r in rows] == [
        (1, 5, 4), (2, 0, None), (4, None, None), (5, None, None), (7, None, None),
        (8, None, None), (10, None, None), (11, 5, None), (12, None, None), (13, None, None),
        (16, None, None)]  # no evidence recorded: no suggestion for 4 … 16
    assert rows[0]["records"] == ["2023-06-15 会议《工作会议》：出席"]
    table = ok(cli("score", "suggest", "--year", 2023, "--unit", "大数据中心")).stdout
    assert "建议分" in table and "工作计划未收到" in table
    r = ok(cli("score", "suggest", "--year", 2023, "--apply", "--as-of", "2024-01-15"))
    assert "已把 11 个建议分写入尚未评分的项目" in r.stdout  # 4 units × 3 − 1 entered
    data = {x["unit"]: x for x in ranking(cli)}
    assert data["达州市大数据中心"]["parts"]["daily"] == 4  # item 1 kept, item 2 = 0
    fail(cli("score", "suggest", "--year", 2023, "--as-of", "2024-02-30"), "日期不存在")


def test_long_ranking_is_drawn_without_rich(cli, units, monkeypatch):
    from cdo.commands import score as score_cmd

    enter_all(cli, "大数据中心", 4)
    enter_all(cli, "通川区", skip=(17,))
    monkeypatch.setattr(score_cmd, "PLAIN_TABLE_ROWS", 1)
    out = ok(cli("score", "--year", 2023)).stdout.splitlines()
    assert out[0].strip() == "2023 年度首席数据官工作评价排名"
    assert out[1].startswith("┏━") and out[4].startswith("┡━")
    heads = [h.strip() for h in out[3].split("┃")[1:-1]]
    assert heads == ["排名", "单位", "类别", "履职", "统筹", "开放", "管理", "应用", "评估", "总分",
                     "状态"]
    # every line is as wide as the box (CJK characters count two columns), measured here
    # independently of the code's own width function
    import unicodedata

    def columns(text):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = {columns(x) for x in out[1:10]}
    assert len(widths) == 1 and widths.pop() == columns(out[1]) > 40, out[1:10]
    assert "│    1 │ 达州市大数据中心" in out[5]
    assert "│    — │ 达州市通川区" in out[6] and "(90)" in out[6] and "未评：第17项" in out[6]
    assert out[9].startswith("└─")
    assert "共 4 个单位，已评完 1 个" in out[10]


def test_formulas_without_values_are_named_not_taken_for_blank(cli, units, tmp_path):
    header = ["单位", *[str(n) for n in NUMBERS]]
    row = full_row("通川区", 4)
    row[2] = "=2+2"  # item 2, saved by a script: no computed value in the file
    path = grid_workbook(tmp_path / "f.xlsx", header, [row])
    r = fail(cli("score", "import", path, "--year", 2023), "没有导入任何分数")
    assert "C3（达州市通川区，第2项）：是公式但文件里没有计算结果" in r.stderr
    only = grid_workbook(tmp_path / "g.xlsx", header, [["=A1", *["=1+1"] * 15]])
    r = fail(cli("score", "import", only, "--year", 2023), "A3：单位名称是公式")
    empty = grid_workbook(tmp_path / "e.xlsx", header, [["通川区"]])
    fail(cli("score", "import", empty, "--year", 2023), "没有读到任何分数")
    # in a filled 附件2 too
    folder = tmp_path / "sheets"
    folder.mkdir()
    ok(cli("score", "sheet", "--year", 2023, "--unit", "通川区", folder / "t.xlsx"))
    wb = openpyxl.load_workbook(folder / "t.xlsx")
    wb.active["E6"] = "=5"
    wb.active["E7"] = 4
    wb.save(folder / "t.xlsx")
    r = fail(cli("score", "import", folder, "--year", 2023), "没有导入任何分数")
    assert "E6（达州市通川区，第1项）：是公式" in r.stderr


# --- sheets as an office makes them


def office_grid(path, *, two_rows, header=str, unit_label="单位名称"):
    """A summary sheet typed by the office: a merged title, 序号 first, and either one
    header row or a two-row header (parts over item numbers, 单位名称 merged down)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3 + len(NUMBERS))
    ws["A1"] = "2023年度首席数据官工作评价得分汇总表"
    ws["A2"], ws["B2"] = "序号", unit_label
    row = 2
    if two_rows:
        ws.merge_cells("A2:A3")
        ws.merge_cells("B2:B3")
        ws["C2"] = "日常履职(10分)"
        ws.merge_cells("C2:D2")
        ws["E2"] = "数据统筹(20分)"
        row = 3
    for k, no in enumerate(NUMBERS):
        ws.cell(row, 3 + k, header(no))
    ws.cell(row, 3 + len(NUMBERS), "合计")
    for n, unit in enumerate(["大数据中心", "通川区"], 1):
        ws.cell(row + n, 1, n)
        ws.cell(row + n, 2, unit)
        for k, no in enumerate(NUMBERS):
            if not (unit == "通川区" and no == 17):
                ws.cell(row + n, 3 + k, MAXES[no] - 1)
    wb.save(path)
    return path


@pytest.mark.parametrize("two_rows, header, unit_label", [
    (True, int, "单位名称"),            # 单位名称 on the row above the item numbers
    (True, lambda n: f"第{n}项", None),  # no unit heading at all: found by its names
    (False, lambda n: f"{n}\n({MAXES[n]:g}分)", "单位"),  # numbers printed with the maximum
    (False, lambda n: f"第{n}项（{MAXES[n]:g}分）", "单位"),
])
def test_import_office_grids_with_title_serial_column_and_two_row_header(
        cli, units, tmp_path, two_rows, header, unit_label):
    p = office_grid(tmp_path / "g.xlsx", two_rows=two_rows, header=header,
                    unit_label=unit_label)
    r = ok(cli("score", "import", p, "--year", 2023))
    assert "2 个单位" in r.stdout and "新增 29 项" in r.stdout
    data = {x["unit"]: x for x in ranking(cli)}
    assert data["达州市大数据中心"]["total"] == 100 - len(NUMBERS)
    assert missing_items("达州市通川区") == [17]


def test_import_one_filled_sheet_and_several_files_at_once(cli, units, tmp_path):
    files = []
    for name, value in (("大数据中心", 4), ("通川区", 3)):
        p = tmp_path / f"{name}.xlsx"
        ok(cli("score", "sheet", "--year", 2023, "--unit", name, p))
        wb = openpyxl.load_workbook(p)
        ws = wb.active
        for r in range(6, 21):
            ws.cell(r, 5).value = min(value, MAXES[ws.cell(r, 1).value])
        wb.save(p)
        files.append(p)
    r = ok(cli("score", "import", files[0], "--year", 2023))  # one 附件2, not a grid
    assert "1 个单位" in r.stdout and "新增 15 项" in r.stdout
    r = ok(cli("score", "import", *files, "--year", 2023))   # what a shell glob gives
    assert "2 个单位" in r.stdout and "新增 15 项" in r.stdout and "未变 15 项" in r.stdout
    fail(cli("score", "import", files[0], tmp_path / "none.xlsx", "--year", 2023),
         "none.xlsx：文件或文件夹不存在")


def test_import_an_evaluation_form_typed_by_the_office(cli, units, tmp_path):
    """附件2 typed from the policy: 考评对象 in its own cell, the header repeated where the
    printed table turns the page, 项目名称 merged down."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = "附件 2", "达州市首席数据官工作评价表"
    ws["A3"], ws["B3"], ws["A4"] = "考评对象:", "中心医院", "综合得分:"
    head = ["序号", "项目名称", "工作内容", "评价分值", "得分"]
    ws.append(head)
    for no in NUMBERS:
        if no == 10:
            ws.append(head)
        ws.append([no, None, "……", f"{MAXES[no]:g}分", MAXES[no]])
    p = tmp_path / "typed.xlsx"
    wb.save(p)
    ok(cli("score", "import", p, "--year", 2023))
    data = {x["unit"]: x for x in ranking(cli)}
    assert data["达州市中心医院"]["total"] == 100 and data["达州市中心医院"]["complete"]


def test_sheet_keeps_the_attachment_mark_on_one_line(cli, units, tmp_path):
    out = tmp_path / "s.xlsx"
    ok(cli("score", "sheet", "--year", 2023, "--unit", "通川区", out))
    a1 = openpyxl.load_workbook(out).active["A1"]
    assert a1.value == "附件2" and not a1.alignment.wrap_text


@pytest.mark.parametrize("year", ["1999", "20233", "2101", "0"])
def test_year_out_of_range_names_the_range(cli, units, year):
    for args in (["score", "--year", year], ["score", "suggest", "--year", year]):
        r = fail(cli(*args), "2000—2100")
        assert "四位" not in r.stderr


def test_suggest_help_explains_the_formulas(cli):
    out = ok(cli("score", "suggest", "--help")).stdout
    assert "第1项" in out and "第2项" in out and "第11项" in out
    assert "2023-05-30" in out and "3 月 31 日" in out and "假定" in out


@pytest.mark.parametrize("raw", ["9.99999999", "4.999999999", "4.449", "4.4500000000000000001"])
def test_set_parses_points_exactly_and_never_rounds(cli, units, raw):
    r = fail(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 4,
                 "--points", raw), "最多保留两位小数")
    assert raw in r.stderr
    db = open_db(os.environ["CDO_DB"])
    assert db.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 0


def test_set_minus_zero_is_stored_and_shown_as_zero(cli, units):
    r = ok(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 1,
               "--points", "-0"))
    assert "第1项：0 分" in r.stdout and "-0" not in r.stdout
    db = open_db(os.environ["CDO_DB"])
    (pts,) = db.execute("SELECT points FROM scores").fetchone()
    assert pts == 0 and str(pts) == "0.0"  # not -0.0
    ok(cli("score", "set", "--year", 2023, "--unit", "大数据中心", "--item", 2,
           "--points", "4.500"))  # trailing zeros are still two decimals at most


def test_import_refuses_more_than_two_decimals_exactly(cli, units, tmp_path):
    header = ["单位", *[str(n) for n in NUMBERS]]
    row = full_row("大数据中心", 4)
    row[NUMBERS.index(4) + 1] = 9.99999999       # a number cell
    row[NUMBERS.index(5) + 1] = "4.999999999"   # text
    row[NUMBERS.index(1) + 1] = "-0"
    path = grid_workbook(tmp_path / "g.xlsx", header, [row])
    r = fail(cli("score", "import", path, "--year", 2023), "有 2 处错误")
    assert "第4项，满分 10 分）：9.99999999 最多保留两位小数" in r.stderr
    assert "第5项，满分 5 分）：4.999999999 最多保留两位小数" in r.stderr
    row[NUMBERS.index(4) + 1] = 9.5
    row[NUMBERS.index(5) + 1] = "4.5"
    path = grid_workbook(tmp_path / "g2.xlsx", header, [row])
    ok(cli("score", "import", path, "--year", 2023))
    db = open_db(os.environ["CDO_DB"])
    pts = dict(db.execute("SELECT item, points FROM scores"))
    assert pts[4] == 9.5 and pts[5] == 4.5 and str(pts[1]) == "0.0"


def test_long_ranking_fits_a_narrow_terminal(cli, units, monkeypatch):
    from cdo.commands import score as score_cmd
    from cdo.sheets.write import display_width

    enter_all(cli, "大数据中心", 4)
    monkeypatch.setattr(score_cmd, "PLAIN_TABLE_ROWS", 1)
    monkeypatch.setenv("COLUMNS", "60")
    out = ok(cli("score", "--year", 2023)).stdout.splitlines()
    box = [ln for ln in out if ln[:1] in "┏┃┡│└"]
    assert box and all(display_width(ln) <= 60 for ln in box)
    assert any("…" in ln for ln in box)  # a long unit name cut, the numbers whole
    assert any("│   60 │" in ln for ln in box)
