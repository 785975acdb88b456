"""cdo report annual: one workbook with roster, problems, rectification and ranking."""

import openpyxl
import pytest

from cdo import scoring
from cdo.evaluation import points as evaluation
from cdo.roster.units import add_unit
from cdo.store.db import open_db, transaction


def _problem(db, unit_id, issued, due, status="open", rectified=None, late=None):
    db.execute(
        "INSERT INTO problems (source, month, unit_id, resource, dimension, description, issued_on,"
        " due_on, original_due_on, status, rectified_on, first_late_on, created_at)"
        " VALUES ('spotcheck', ?, ?, '=资源', 'accuracy', '描述', ?, ?, ?, ?, ?, ?, '2023-01-01')",
        [issued[:7], unit_id, issued, due, due, status, rectified, late],
    )


@pytest.fixture
def filled(db_path):
    db = open_db(db_path)
    a = add_unit(db, "达州市大数据中心", "department", "大数据中心")
    b = add_unit(db, "达州市通川区", "region", "通川区")
    add_unit(db, "达州市中心医院", "institution")
    with transaction(db):
        db.execute(
            "INSERT INTO cdos (unit_id, name, position, status, recommended_on, appointed_on,"
            " created_at, updated_at) VALUES (?, '张三', '副主任', 'appointed', '2023-05-20',"
            " '2023-06-01', '2023-05-20', '2023-06-01')", [a.id])
        db.execute(
            "INSERT INTO cdos (unit_id, name, status, recommended_on, ended_on, created_at,"
            " updated_at) VALUES (?, '李四', 'ended', '2023-05-25', '2023-08-01', '2023-05-25',"
            " '2023-08-01')", [b.id])
        db.execute(
            "INSERT INTO cdos (unit_id, name, status, recommended_on, created_at, updated_at)"
            " VALUES (?, '王五', 'filed', '2023-08-10', '2023-08-10', '2023-08-10')", [b.id])
        _problem(db, a.id, "2023-09-27", "2023-11-14", "closed", "2023-11-10")
        _problem(db, a.id, "2023-09-27", "2023-11-14", "rectified", "2023-11-20", "2023-11-15")
        _problem(db, b.id, "2023-09-27", "2023-11-14", "open", None, "2023-11-15")
        _problem(db, b.id, "2022-09-27", "2022-11-14", "open", None, "2022-11-15")  # 2022
    table = scoring.load_table()
    for unit, value in (("大数据中心", 4), ("通川区", 4), ("中心医院", 5)):
        for item in table.items:
            if unit == "中心医院" and item.no == 17:
                continue
            evaluation.set_point(db, 2023, unit, item.no, min(value, item.max))
    db.conn.close()


def _shift(ws) -> int:
    """1 when a line under the title names the columns paper leaves off (hidden)."""
    return 1 if str(ws.cell(2, 1).value or "").startswith("打印时略去") else 0


def sheet_rows(ws):
    """The sheet's rows: title, header, data … (the hidden-columns line left out)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[:1] + rows[2:] if _shift(ws) else rows


def test_annual_workbook(cli, filled, tmp_path):
    out = tmp_path / "年度.xlsx"
    r = cli("report", "annual", "--year", 2023, "--output", out, "--as-of", "2024-01-15", "--force")
    assert r.exit_code == 0, r.stderr
    assert "名册 4 行，问题清单 3 行，整改情况 3 行，评价排名 3 行" in r.stdout
    assert r.stdout.rstrip().endswith("评价依据 45 行")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["名册", "问题清单", "整改情况", "评价排名", "排名图", "月度趋势",
                             "评价依据"]
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9
        if ws.title == "排名图":
            assert len(ws._charts) == 1
            continue
        assert ws.auto_filter.ref, ws.title          # the clerk can filter
        # frozen under the header (row 2, or 3 when a line names the columns paper leaves off)
        header = int(ws.print_title_rows.split(":")[0].strip("$"))
        assert header in (2, 3) and ws.freeze_panes == f"A{header + 1}", ws.title

    roster = sheet_rows(wb["名册"])
    assert roster[0][0] == "2023年度首席数据官名册（截至 2023 年 12 月 31 日）"
    assert roster[1][:5] == ["单位", "类别", "首席数据官", "职务", "状态"]
    assert [r[:5] for r in roster[2:]] == [
        ["达州市大数据中心", "市级部门", "张三", "副主任", "已任命"],
        ["达州市通川区", "县市区及园区", "李四", None, "已离任"],
        ["达州市通川区", "县市区及园区", "王五", None, "已备案"],
        ["达州市中心医院", "公共服务机构", None, None, "无首席数据官"],
    ]

    problems = sheet_rows(wb["问题清单"])
    head = problems[1]
    assert head[:4] == ["编号", "来源", "所属月份", "责任单位"]
    assert "原整改期限" in head and "曾逾期" in head
    assert [r[3] for r in problems[2:]] == ["达州市大数据中心", "达州市大数据中心", "达州市通川区"]
    assert [r[-1] for r in problems[2:]] == ["按期整改", "逾期整改", "逾期未整改"]
    assert [r[head.index("曾逾期")] for r in problems[2:]] == [None, "是", "是"]
    assert problems[2][5] == "=资源"                  # text, never a formula
    assert wb["问题清单"].cell(3 + _shift(wb["问题清单"]), 6).data_type == "s"

    rect = sheet_rows(wb["整改情况"])
    block = ["发现问题", "按期整改", "逾期整改", "尚未整改", "逾期（曾逾期）"]
    assert [h.replace("\n", "") for h in rect[1]] == ["责任单位", "类别", *(f"抽查·{h}" for h in block), "抽查·按期整改率",
                       *(f"反馈·{h}" for h in block), "合计·发现问题", "合计·按期整改率"]
    body = {r[0]: r[2:] for r in rect[2:-1]}
    assert body["达州市大数据中心"] == [2, 1, 1, 0, 1, 0.5, 0, 0, 0, 0, 0, 2, 0.5]
    assert body["达州市通川区"] == [1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    assert body["达州市中心医院"] == [0, 0, 0, 0, 0, "—", 0, 0, 0, 0, 0, 0, "—"]
    assert rect[-1][0].startswith("合计") and rect[-1][2] == 3 and rect[-1][13] == 3
    shift = _shift(wb["整改情况"])
    assert wb["整改情况"].cell(3 + shift, 8).number_format == "0.0%"
    assert wb["整改情况"].cell(3 + shift, 15).number_format == "0.0%"

    ranking = sheet_rows(wb["评价排名"])
    assert "未定稿" in ranking[0][0]
    assert ranking[1][:3] == ["排名", "单位", "类别"] and ranking[1][3] == "日常履职\n（10分）"
    assert [(r[0], r[1], r[9], r[10]) for r in ranking[2:]] == [
        (1, "达州市大数据中心", 60, "已评完"), (1, "达州市通川区", 60, "已评完"),
        (None, "达州市中心医院", 70, "未评完（未评：第17项），括号内为已评部分")]
    ws = wb["评价排名"]
    assert ws.cell(3 + _shift(ws), 10).number_format == "0.00"  # 96.75, never 96.8
    assert ws.cell(5, 10).number_format == '"("0.00")"'  # a partial total, shown (70.00)


def test_annual_reads_the_years_problems_once(filled, db_path, tmp_path):
    """The workbook reads the year's problems once, for the problem list, which also
    counts 整改情况 and 月度趋势 and hands the evidence of 评价依据 its problems — not
    once per sheet, month and source (there were eighteen readings)."""
    import datetime as dt
    import re

    from cdo.evaluation.annual import write_annual

    db = open_db(db_path)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    counts = write_annual(db, 2023, tmp_path / "年度.xlsx", dt.date(2024, 1, 15))
    db.conn.set_trace_callback(None)
    assert counts["问题清单"] == 3 and counts["月度趋势"] == 12
    reads = [s for s in statements if re.search(r"\bFROM problems\b", s)]
    assert len(reads) == 1, reads


def test_annual_shows_fingerprint_when_final(cli, filled, tmp_path):
    assert cli("score", "finalize", "--year", 2023, "--allow-incomplete").exit_code == 0
    out = tmp_path / "a.xlsx"
    assert cli("report", "annual", "--year", 2023, "--output", out).exit_code == 0
    title = openpyxl.load_workbook(out)["评价排名"]["A1"].value
    db = open_db(tmp_path / "cdo.db")
    fp = scoring.short_fingerprint(evaluation.year_state(db, 2023)["fingerprint"])
    assert fp in title and "定稿" in title


def test_annual_errors(cli, filled, tmp_path):
    r = cli("report", "annual", "--year", 2023, "--output", tmp_path / "a.csv")
    assert r.exit_code == 1 and "须以 .xlsx 结尾" in r.stderr
    r = cli("report", "annual", "--year", 2023, "--output", tmp_path / "nope" / "a.xlsx")
    assert r.exit_code == 1 and "所在文件夹不存在" in r.stderr
    r = cli("report", "annual", "--year", 99, "--output", tmp_path / "a.xlsx")
    assert r.exit_code == 1 and "年度不对" in r.stderr


def test_roster_sheet_shows_the_roster_as_it_stood_at_the_end_of_the_year(cli, db_path,
                                                                           tmp_path):
    db = open_db(db_path)
    a = add_unit(db, "达州市水务局", "department", "市水务局")
    b = add_unit(db, "达州市民政局", "department", "市民政局")
    c = add_unit(db, "渠县", "region", "渠县")
    sql = ("INSERT INTO cdos (unit_id, name, status, recommended_on, appointed_on, filed_on,"
           " ended_on, created_at, updated_at) VALUES (?,?,?,?,?,?,?,'2023-01-01','2023-01-01')")
    with transaction(db):
        # left in 2024: still in office (filed) at the end of 2023
        db.execute(sql, [a.id, "甲", "ended", "2023-05-20", "2023-06-01", "2023-07-01",
                         "2024-03-04"])
        # her successor, recommended in 2024: not on the 2023 roster
        db.execute(sql, [a.id, "乙", "recommended", "2024-03-04", None, None, None])
        # recommended in 2023, appointed and filed in 2024: recommended at the end of 2023
        db.execute(sql, [b.id, "丙", "filed", "2023-11-20", "2024-01-10", "2024-02-01", None])
        # left within 2023: shown as left, with the date
        db.execute(sql, [c.id, "丁", "ended", "2023-05-01", "2023-05-10", None, "2023-09-01"])
        db.execute(
            "INSERT INTO specialists (unit_id, name, added_on, removed_on)"
            " VALUES (?, '专员', '2023-06-01', '2024-02-01')", [a.id])
    db.conn.close()
    out = tmp_path / "2023.xlsx"
    r = cli("report", "annual", "--year", 2023, "--output", out)
    assert r.exit_code == 0, r.stderr
    rows = sheet_rows(openpyxl.load_workbook(out)["名册"])
    got = {r[2]: (r[4], *[str(d)[:10] if d else None for d in r[5:9]], r[9]) for r in rows[2:]}
    assert got == {
        "甲": ("已备案", "2023-05-20", "2023-06-01", "2023-07-01", None, 1),
        "丙": ("已推荐", "2023-11-20", None, None, None, 0),
        "丁": ("已离任", "2023-05-01", "2023-05-10", None, "2023-09-01", 0),
    }
    r = cli("report", "annual", "--year", 2024, "--output", tmp_path / "2024.xlsx")
    rows = sheet_rows(openpyxl.load_workbook(tmp_path / "2024.xlsx")["名册"])
    got = {r[2]: r[4] for r in rows[2:] if r[2]}
    assert got == {"甲": "已离任", "乙": "已推荐", "丙": "已备案"}


def test_annual_as_of_before_the_year_shows_nothing_issued_after_it(cli, filled, tmp_path):
    out = tmp_path / "old.xlsx"
    r = cli("report", "annual", "--year", 2023, "--output", out, "--as-of", "2020-01-01", "--force")
    assert r.exit_code == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    assert sheet_rows(wb["问题清单"])[2:] == []
    rect = sheet_rows(wb["整改情况"])
    assert all(r[2] == 0 and r[8] == 0 for r in rect[2:])  # nothing found yet
    roster = sheet_rows(wb["名册"])
    assert roster[0][0] == "2023年度首席数据官名册（截至 2020 年 1 月 1 日）"
    assert [r[2] for r in roster[2:]] == [None, None, None]  # no CDO recommended yet
    # mid-year: the problems of September are not issued yet on 1 September
    r = cli("report", "annual", "--year", 2023, "--output", out, "--as-of", "2023-09-01", "--force")
    wb = openpyxl.load_workbook(out)
    assert sheet_rows(wb["问题清单"])[2:] == []
    got = {r[2]: r[4] for r in sheet_rows(wb["名册"])[2:] if r[2]}
    assert got == {"张三": "已任命", "李四": "已离任", "王五": "已备案"}  # no dates to step back


def _add_problem(db, unit_id, month, issued, due, source="spotcheck", status="open",
                 rectified=None, late=None):
    db.execute(
        "INSERT INTO problems (source, month, unit_id, resource, dimension, description,"
        " issued_on, due_on, original_due_on, status, rectified_on, first_late_on, created_at)"
        " VALUES (?, ?, ?, '资源', 'accuracy', '描述', ?, ?, ?, ?, ?, ?, '2024-01-01')",
        [source, month, unit_id, issued, due, due, status, rectified, late],
    )


@pytest.fixture
def across_new_year(db_path):
    db = open_db(db_path)
    a = add_unit(db, "达州市大数据中心", "department", "大数据中心")
    b = add_unit(db, "达州市通川区", "region", "通川区")
    with transaction(db):
        _add_problem(db, a.id, "2024-11", "2024-11-25", "2025-01-08", status="rectified",
                     rectified="2024-12-20")
        _add_problem(db, a.id, "2024-11", "2024-11-25", "2025-01-08", status="rectified",
                     rectified="2025-01-20", late="2025-01-09")
        # the December check, issued on 6 January: a 2024 problem
        _add_problem(db, a.id, "2024-12", "2025-01-06", "2025-02-21")
        _add_problem(db, b.id, "2024-12", "2025-01-06", "2025-02-21", late="2025-02-22")
        # user reports: counted apart, never in the spot-check figures
        _add_problem(db, b.id, "2024-12", "2024-12-10", "2024-12-31", "user")
        _add_problem(db, a.id, "2025-01", "2025-01-08", "2025-01-23", "user")
        # a 2025 spot-check problem
        _add_problem(db, b.id, "2025-02", "2025-02-26", "2025-04-10")
    db.conn.close()


def test_annual_spotcheck_figures_are_the_sum_of_the_monthly_reports(cli, across_new_year,
                                                                     tmp_path):
    import json

    as_of = "2025-03-31"
    monthly: dict[str, list[int]] = {}
    keys = ("found", "on_time", "late", "open", "overdue")
    for m in range(1, 13):
        r = cli("report", "monthly", "--month", f"2024-{m:02d}", "--as-of", as_of,
                "--format", "json")
        assert r.exit_code == 0, r.stderr
        for row in json.loads(r.stdout):
            tot = monthly.setdefault(row["unit"], [0] * 5)
            for i, k in enumerate(keys):
                tot[i] += row[k]
    assert monthly == {"达州市大数据中心": [3, 1, 1, 1, 2], "达州市通川区": [1, 0, 0, 1, 1]}

    out = tmp_path / "2024.xlsx"
    r = cli("report", "annual", "--year", 2024, "--output", out, "--as-of", as_of, "--force")
    assert r.exit_code == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    rect = {r[0]: r for r in sheet_rows(wb["整改情况"])[2:-1]}
    assert {u: list(r[2:7]) for u, r in rect.items()} == monthly
    assert [rect["达州市通川区"][i] for i in (8, 13)] == [1, 2]  # 1 user report; 2 in all
    assert rect["达州市大数据中心"][8] == 0  # its user report is of 2025
    problems = sheet_rows(wb["问题清单"])
    head = problems[1]
    months = sorted({r[head.index("所属月份")] for r in problems[2:]})
    assert months == ["2024-11", "2024-12"] and len(problems) - 2 == 5
    late = {r[0]: r[head.index("曾逾期")] for r in problems[2:]}
    assert late == {1: None, 2: "是", 3: "是", 4: "是", 5: "是"}
    assert problems[2][head.index("原整改期限")] is not None

    r = cli("report", "annual", "--year", 2025, "--output", out, "--as-of", as_of, "--force")
    wb = openpyxl.load_workbook(out)
    assert [r[0] for r in sheet_rows(wb["问题清单"])[2:]] == [6, 7]
    rect = {r[0]: r for r in sheet_rows(wb["整改情况"])[2:-1]}
    assert rect["达州市大数据中心"][2] == 0 and rect["达州市大数据中心"][8] == 1
    assert rect["达州市通川区"][2] == 1
