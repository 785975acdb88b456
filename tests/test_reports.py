"""cdo report overdue / monthly: grouping, working-day counts, distinct problems, exports."""

import datetime as dt
import json
import zipfile

import openpyxl
import pytest

from cdo.problems import model as problems
from cdo.problems import reports
from cdo.problems.model import PROBLEM_KEYS
from cdo.roster.units import add_unit
from cdo.store.db import open_db

D = dt.date.fromisoformat


def _cdo(db, unit_id, name, status="appointed"):
    now = "2023-06-01T00:00:00"
    db.execute("INSERT INTO cdos (unit_id, name, status, created_at, updated_at)"
               " VALUES (?,?,?,?,?)", [unit_id, name, status, now, now])


@pytest.fixture
def world(db_path):
    """Three units, a September check, problems in every state."""
    db = open_db(db_path)
    a = add_unit(db, "达州市公安局", "department", "市公安局")
    b = add_unit(db, "达州市民政局", "department", "市民政局")
    add_unit(db, "通川区", "region")
    _cdo(db, a.id, "张三", "ended")
    _cdo(db, a.id, "李四")
    _cdo(db, b.id, "王五", "filed")

    def add(unit, desc="问题", issued="2023-09-27", source="spotcheck", **kw):
        return problems.add_problem(db, unit=unit, resource="资源", dimension="准确性",
                                  description=desc, issued_on=D(issued), source=source,
                                  reporter="通川区" if source == "user" else None,
                                  month="2023-09", **kw)["id"]

    t = problems.transition
    ids = {}
    ids["a_open"] = add("市公安局", "=HYPERLINK(\"http://x\")")          # overdue
    ids["a_closed"] = add("市公安局")
    t(db, [ids["a_closed"]], "done", D("2023-10-20"))
    t(db, [ids["a_closed"]], "verify", D("2023-10-23"))
    ids["a_late"] = add("市公安局")
    t(db, [ids["a_late"]], "done", D("2023-11-20"))                      # late, rectified
    ids["b_reopen"] = add("市民政局")
    t(db, [ids["b_reopen"]], "done", D("2023-11-01"))
    t(db, [ids["b_reopen"]], "reopen", D("2023-11-17"))                  # overdue again
    ids["b_negotiated"] = add("市民政局")
    t(db, [ids["b_negotiated"]], "negotiate", D("2023-11-01"), until=D("2023-12-29"))
    ids["b_user"] = add("市民政局", source="user")                       # due 10-24, overdue
    ids["c_ontime"] = add("通川区")
    t(db, [ids["c_ontime"]], "done", D("2023-11-14"))
    ids["c_other_month"] = problems.add_problem(
        db, unit="通川区", resource="r", dimension="accuracy", description="d",
        issued_on=D("2023-10-09"))["id"]
    return db, ids


def test_overdue_rows_grouped_worst_first(world):
    db, ids = world
    rows = reports.overdue_rows(db, D("2023-11-20"))
    assert [r["id"] for r in rows] == [ids["b_user"], ids["b_reopen"], ids["a_open"]]
    assert [r["overdue_days"] for r in rows] == [19, 4, 4]
    assert [r["cdo"] for r in rows] == ["王五", "王五", "李四"]
    tot = reports.overdue_totals(rows)
    assert (tot["units"], tot["problems"], tot["max_days"]) == (2, 3, 19)


def test_as_of_before_a_late_rectification_counts_it_overdue(world):
    db, ids = world
    rows = reports.overdue_rows(db, D("2023-11-17"))
    assert ids["a_late"] in [r["id"] for r in rows]
    assert reports.overdue_rows(db, D("2023-10-24")) == []


def test_report_overdue_json_csv_table(cli, world):
    db, ids = world
    r = cli("report", "overdue", "--as-of", "2023-11-20", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [list(x) for x in rows] == [PROBLEM_KEYS] * 3
    assert rows[0]["overdue_days"] == 19 and rows[0]["reporter"] == "通川区"
    assert rows[0]["source"] == "user" and rows[0]["provisional"] is False
    r = cli("report", "overdue", "--as-of", "2023-11-20", "--format", "csv")
    assert r.stdout.splitlines()[0] == ",".join(PROBLEM_KEYS)
    assert len(r.stdout.splitlines()) == 4
    r = cli("report", "overdue", "--as-of", "2023-11-20")
    assert "达州市民政局" in r.stdout and "王五" in r.stdout and "合计 2 个单位" in r.stdout
    assert r.stdout.count("达州市民政局") == 1  # unit shown once per group
    r = cli("report", "overdue", "--as-of", "2023-10-01")
    assert r.exit_code == 0 and "没有逾期未整改的问题" in r.stdout
    r = cli("report", "overdue", "--as-of", "昨天")
    assert r.exit_code == 1 and "--as-of" in r.stderr


def test_overdue_xlsx_is_printable_and_never_a_formula(cli, world, tmp_path):
    db, ids = world
    out = tmp_path / "逾期.xlsx"
    r = cli("report", "overdue", "--as-of", "2023-11-20", "--output", out)
    assert r.exit_code == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws.cell(1, 1).value == "数据质量问题逾期未整改情况表"  # user reports too
    assert "2023年11月20日" in ws.cell(2, 1).value
    assert [c.value.replace("\n", "") for c in ws[3]] == reports.OVERDUE_HEADERS
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    formula_cell = [row for row in values if row[3] == ids["a_open"]][0]
    assert formula_cell[7] == '=HYPERLINK("http://x")'
    assert any(v and str(v).startswith("合计：逾期单位 2 个，逾期问题 3 个") for row in values
               for v in row)
    assert any(v and "小计" in str(v) for row in values for v in row)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert ws.page_setup.orientation == "landscape"
    r = cli("report", "overdue", "--output", tmp_path / "x.txt")
    assert r.exit_code == 1 and ".xlsx" in r.stderr


def test_monthly_counts_distinct_problems(world):
    db, ids = world
    rows = {r["unit"]: r for r in
            reports.rectification_by_unit(db, as_of=D("2023-11-20"), month="2023-09")}
    a, b, c = rows["达州市公安局"], rows["达州市民政局"], rows["通川区"]
    assert (a["found"], a["on_time"], a["late"], a["open"], a["overdue"]) == (3, 1, 1, 1, 2)
    assert a["on_time_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert (b["found"], b["on_time"], b["late"], b["open"], b["overdue"]) == (3, 0, 0, 3, 2)
    assert b["on_time_rate"] == 0
    assert (c["found"], c["on_time"], c["late"], c["open"], c["overdue"]) == (1, 1, 0, 0, 0)
    assert c["on_time_rate"] == 1
    tot = reports.rectification_totals(list(rows.values()))
    assert (tot["found"], tot["on_time"], tot["late"], tot["open"], tot["overdue"]) == (
        7, 2, 1, 4, 4)
    assert tot["on_time_rate"] == pytest.approx(2 / 6, abs=1e-4)
    # Rectify the reopened one late: still one distinct overdue problem, now late.
    problems.transition(db, [ids["b_reopen"]], "done", D("2023-11-21"))
    problems.transition(db, [ids["b_reopen"]], "verify", D("2023-11-22"))
    b = {r["unit"]: r for r in reports.rectification_by_unit(
        db, as_of=D("2023-11-30"), month="2023-09")}["达州市民政局"]
    assert (b["late"], b["open"], b["overdue"]) == (1, 2, 2)


def test_monthly_as_of_earlier_and_before_anything_is_due(world):
    db, ids = world
    rows = reports.rectification_by_unit(db, as_of=D("2023-10-10"), month="2023-09")
    assert sum(r["overdue"] for r in rows) == 0
    assert {r["unit"]: r["on_time_rate"] for r in rows}["通川区"] is None


@pytest.mark.parametrize("as_of", ["2023-10-10", "2023-11-17", "2023-11-20", "2024-06-30"])
def test_one_reading_of_the_year_gives_every_month_and_source(world, as_of):
    """The annual workbook reads the year's problems once (RectificationTally) and takes
    each month's and each source's rows from it: the same rows, in the same order, as
    rectification_by_unit reading that month or source alone (past dates replayed)."""
    db, _ = world
    day = D(as_of)
    tally = reports.RectificationTally.read(db, as_of=day, year=2023)
    for month in (None, "2023-09", "2023-10", "2023-11"):
        for source in (None, "spotcheck", "user"):
            alone = (reports.rectification_by_unit(db, as_of=day, month=month, source=source)
                     if month else
                     reports.rectification_by_unit(db, as_of=day, year=2023, source=source))
            assert tally.by_unit(month=month, source=source) == alone, (month, source)
    assert [r["unit"] for r in tally.by_unit()] and all(
        list(r) == ["unit", "category", "cdo", "found", "on_time", "late", "open", "overdue",
                    "on_time_rate"] for r in tally.by_unit())


@pytest.mark.parametrize("as_of", ["2023-10-10", "2023-11-17", "2023-11-20", "2024-06-30"])
def test_the_annual_problem_list_counts_as_rectification_by_unit(world, as_of):
    """The annual workbook counts its 整改情况 and 月度趋势 while listing the year's
    problems (problems_sheet with a tally): the same rows as rectification_by_unit reading
    the year, or a month, or a source, alone — past dates replayed, reopened, negotiated
    and user-reported problems included."""
    from cdo.evaluation.annual import problems_sheet

    db, _ = world
    day = D(as_of)
    tally = reports.RectificationTally.for_units(db, day)
    listed = problems_sheet(db, 2023, day, tally).rows
    assert sum(r["found"] for r in tally.by_unit()) == len(listed)
    for month in (None, "2023-09", "2023-10"):
        for source in (None, "spotcheck", "user"):
            alone = (reports.rectification_by_unit(db, as_of=day, month=month, source=source)
                     if month else
                     reports.rectification_by_unit(db, as_of=day, year=2023, source=source))
            assert tally.by_unit(month=month, source=source) == alone, (month, source)


def test_report_monthly_cli(cli, world, tmp_path):
    r = cli("report", "monthly", "--month", "2023-09", "--as-of", "2023-11-20", "-f", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert list(rows[0]) == ["unit", "found", "on_time", "late", "open", "overdue",
                             "on_time_rate"]
    # The month's spot-check only: the user-reported problem is named apart, not counted.
    assert sum(x["found"] for x in rows) == 6
    assert "另有 1 个数据使用单位反馈的问题" in r.stderr
    r = cli("report", "monthly", "--month", "2023-09", "--as-of", "2023-11-20",
            "-o", tmp_path / "m.xlsx")
    assert r.exit_code == 0
    assert "合计（3 个单位）" in r.stdout and "40.0%" in r.stdout
    assert "只计月度抽查发现的问题" in r.stdout
    assert "另有 1 个数据使用单位反馈的问题" in r.stdout
    ws = openpyxl.load_workbook(tmp_path / "m.xlsx").active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "合计（3 个单位）" in cells
    assert any("另有 1 个数据使用单位反馈的问题" in c for c in cells)
    r = cli("report", "monthly", "--month", "2022-01")
    assert r.exit_code == 0 and "没有登记月度抽查问题" in r.stdout
    r = cli("report", "monthly", "--month", "2023-99")
    assert r.exit_code == 1 and "月份不存在" in r.stderr


def test_rectify_cli_round_trip(cli, world):
    db, ids = world
    a = ids["a_open"]
    r = cli("rectify", "verify", str(a), "--on", "2023-11-01")
    assert r.exit_code == 1 and "须先登记整改完成" in r.stderr and "全部问题均未改动" in r.stderr
    r = cli("rectify", "done", str(a), str(ids["a_closed"]), "--on", "2023-11-21")
    assert r.exit_code == 1 and f"问题 #{ids['a_closed']}" in r.stderr
    assert "已销号" in r.stderr
    r = cli("rectify", "done", str(a), "--on", "2023-11-21", "--note", "已修正")
    assert r.exit_code == 0 and "已整改待核验" in r.stdout
    r = cli("rectify", "reopen", str(a), "--on", "2023-11-22")
    assert r.exit_code == 0 and "待整改" in r.stdout
    r = cli("rectify", "negotiate", str(a), "--on", "2023-11-23", "--until", "2024-01-31")
    assert r.exit_code == 0 and "2024-01-31" in r.stdout and "原期限 2023-11-14" in r.stdout
    r = cli("rectify", "negotiate", str(a), "--on", "2023-11-23")
    assert r.exit_code == 2  # --until is required: a usage error
    r = cli("rectify", "done", "99999")
    assert r.exit_code == 1 and "没有这个问题编号" in r.stderr
    r = cli("rectify", "done", "x1")
    assert r.exit_code == 1 and "问题编号不对" in r.stderr
    r = cli("rectify", "list", "--as-of", "2023-11-24", "-f", "json")
    rows = json.loads(r.stdout)
    assert a in [x["id"] for x in rows]
    assert list(rows[0]) == PROBLEM_KEYS
    r = cli("rectify", "remind", "--unit", "市民政局", "--on", "2023-11-24", "--note", "发函")
    assert r.exit_code == 0 and "已登记催办：达州市民政局" in r.stdout
    r = cli("rectify", "list", "--unit", "市民政局", "--as-of", "2023-11-24")
    assert "最近催办" in r.stdout and "2023-11-24" in r.stdout
    r = cli("rectify", "list", "--due-within", "30", "--as-of", "2023-11-24")
    assert r.exit_code == 0 and "30 个工作日内到期" in r.stdout
    r = cli("rectify", "remind")
    assert r.exit_code == 1 and "--unit" in r.stderr


def test_deadline_is_shown_as_provisional_and_negotiated():
    assert problems.due_text("2027-01-13", {"provisional": True, "original_due_on": "2027-01-13"}
                           ) == "2027-01-13（暂定）"
    assert problems.due_text("2023-12-29", {"negotiated_until": "2023-12-29",
                                          "original_due_on": "2023-11-14"}
                           ) == "2023-12-29（协商；原 2023-11-14）"
    assert problems.due_text("2027-03-01", {"negotiated_until": "2027-03-01", "provisional": True,
                                          "original_due_on": "2027-01-13"}
                           ) == "2027-03-01（协商；原 2027-01-13，暂定）"


def test_demo_step_builds_every_state(db):
    from cdo.problems.importer import load_demo
    from cdo.roster.units import load_demo as load_units

    load_units(db)
    line = load_demo(db)
    assert "2023年9月抽查" in line
    states = {r[0] for r in db.execute("SELECT DISTINCT status FROM problems").fetchall()}
    assert states == {"open", "rectified", "closed", "negotiated"}
    late = db.execute("SELECT COUNT(*) FROM problems WHERE first_late_on IS NOT NULL").fetchone()
    assert late[0] >= 3
    assert reports.overdue_rows(db, D("2023-12-01"))


def test_overdue_table_summarises_when_too_long(cli, world, monkeypatch):
    from cdo.commands import report

    monkeypatch.setattr(report, "TABLE_DETAIL_LIMIT", 2)
    r = cli("report", "overdue", "--as-of", "2023-11-20")
    assert r.exit_code == 0
    assert "按单位汇总" in r.stdout and "--output" in r.stdout
    assert "达州市民政局" in r.stdout and "王五" in r.stdout


@pytest.mark.parametrize("as_of", ["2023-11-17", "2023-11-20", "2024-06-30", "2023-10-01"])
def test_fast_json_matches_the_rows(world, as_of):
    db, _ = world
    day = D(as_of)
    keys = PROBLEM_KEYS
    expected = [{k: r[k] for k in keys} for r in reports.overdue_rows(db, day)]
    assert json.loads(reports.overdue_json(db, day)) == expected


def test_monthly_xlsx_rate_is_a_percentage_cell(cli, world, tmp_path):
    r = cli("report", "monthly", "--month", "2023-09", "--as-of", "2023-11-20",
            "-o", tmp_path / "m.xlsx")
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(tmp_path / "m.xlsx").active
    header = next(row for row in ws.iter_rows(values_only=True) if "按期整改率" in row)
    col = header.index("按期整改率") + 1
    rates = [ws.cell(r, col) for r in range(1, ws.max_row + 1)
             if isinstance(ws.cell(r, col).value, float)]
    assert rates and all(c.number_format == "0.0%" for c in rates)
    assert any("按期整改率 =" in str(c.value) for row in ws.iter_rows() for c in row)
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.print_title_rows


def test_overdue_as_of_a_past_date_shows_problems_as_they_stood(cli, world, tmp_path):
    db, ids = world
    # Negotiated only after its deadline: on 2023-11-17 it was simply open and overdue.
    late_deal = problems.add_problem(db, unit="市公安局", resource="资源", dimension="准确性",
                                   description="协商前已逾期", issued_on=D("2023-09-27"),
                                   month="2023-09")["id"]
    problems.transition(db, [late_deal], "negotiate", D("2023-11-20"), until=D("2023-12-29"))
    r = cli("report", "overdue", "--as-of", "2023-11-17", "-f", "json")
    assert r.exit_code == 0, r.stderr
    rows = {x["id"]: x for x in json.loads(r.stdout)}
    a_late = rows[ids["a_late"]]  # rectified 2023-11-20, after the as-of date
    assert (a_late["status"], a_late["rectified_on"], a_late["closed_on"]) == ("open", None, None)
    deal = rows[late_deal]
    assert (deal["status"], deal["due_on"]) == ("open", "2023-11-14")
    assert deal["overdue_days"] == 3
    # The reopened one stood rectified (pending verification) on 2023-11-16.
    r = cli("report", "overdue", "--as-of", "2023-11-16", "-f", "json")
    assert ids["b_reopen"] not in [x["id"] for x in json.loads(r.stdout)]
    # Table and xlsx carry the same rows.
    r = cli("report", "overdue", "--as-of", "2023-11-17", "-o", tmp_path / "o.xlsx")
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert str(ids["a_late"]) in map(str, cells) and str(late_deal) in map(str, cells)
    # Negotiated before the as-of date: shown as negotiated.
    problems.transition(db, [late_deal], "done", D("2024-01-05"))
    rows = {x["id"]: x for x in json.loads(reports.overdue_json(db, D("2024-01-03")))}
    assert (rows[late_deal]["status"], rows[late_deal]["due_on"]) == ("negotiated", "2023-12-29")
    assert rows[late_deal]["rectified_on"] is None


def test_spotcheck_list_as_of_a_past_date(cli, world):
    db, ids = world
    r = cli("spotcheck", "list", "--as-of", "2023-10-21", "-f", "json")
    assert r.exit_code == 0, r.stderr
    rows = {x["id"]: x for x in json.loads(r.stdout)}
    closed = rows[ids["a_closed"]]  # done 10-20, verified 10-23
    assert (closed["status"], closed["rectified_on"], closed["closed_on"]) == (
        "rectified", "2023-10-20", None)
    late = rows[ids["a_late"]]
    assert (late["status"], late["rectified_on"]) == ("open", None)
    r = cli("spotcheck", "list", "--as-of", "2023-11-17", "--status", "open", "-f", "json")
    open_ids = {x["id"] for x in json.loads(r.stdout)}
    assert ids["a_late"] in open_ids and ids["a_closed"] not in open_ids
    assert rows[ids["b_negotiated"]]["status"] == "open"  # negotiated only on 11-01
    late = {x["id"]: x for x in json.loads(cli("spotcheck", "list", "--as-of", "2023-11-17",
                                               "-f", "json").stdout)}[ids["a_late"]]
    assert late["overdue_days"] == 3


def test_rectify_list_as_of_a_past_date(cli, world):
    db, ids = world
    rows = {x["id"]: x for x in problems.due_list(db, as_of=D("2023-11-17"))}
    assert ids["a_late"] in rows and rows[ids["a_late"]]["status"] == "open"  # done 11-20
    assert rows[ids["a_late"]]["overdue_days"] == 3
    assert ids["b_reopen"] in rows  # reopened on 11-17 itself
    rows = {x["id"]: x for x in problems.due_list(db, as_of=D("2023-11-16"))}
    assert ids["b_reopen"] not in rows and ids["a_closed"] not in rows
    r = cli("rectify", "list", "--as-of", "2023-11-17", "-f", "json")
    assert ids["a_late"] in [x["id"] for x in json.loads(r.stdout)]
    soon = problems.due_list(db, as_of=D("2023-11-01"), due_within=10)
    assert ids["a_late"] in [x["id"] for x in soon]
    assert ids["b_negotiated"] not in [x["id"] for x in soon]  # negotiated on 11-01 to 12-29


def test_reports_as_of_a_past_date_leave_out_later_problems(cli, world):
    db, ids = world
    later = problems.add_problem(db, unit="市公安局", resource="r", dimension="准确性",
                               description="d", issued_on=D("2023-12-20"),
                               month="2023-09")["id"]
    for day in ("2023-11-17", "2020-01-01"):
        assert later not in [r["id"] for r in reports.overdue_rows(db, D(day))]
        rows = json.loads(cli("report", "overdue", "--as-of", day, "-f", "json").stdout)
        assert later not in [r["id"] for r in rows]
    monthly = {r["unit"]: r for r in reports.rectification_by_unit(
        db, as_of=D("2023-11-17"), month="2023-09", source="spotcheck")}
    assert monthly["达州市公安局"]["found"] == 3  # a_open, a_closed, a_late; not the later one
    r = cli("report", "monthly", "--month", "2023-09", "--as-of", "2020-01-01", "-f", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []


def test_overdue_table_cuts_long_text(cli, world):
    db, ids = world
    long = "描述" * 1000
    db.execute("UPDATE problems SET description = ? WHERE id = ?", [long, ids["a_open"]])
    r = cli("report", "overdue", "--as-of", "2023-11-20")
    assert r.exit_code == 0 and "…" in r.stdout and len(r.stdout.splitlines()) < 40
    rows = json.loads(cli("report", "overdue", "--as-of", "2023-11-20", "-f", "json").stdout)
    assert long in [x["description"] for x in rows]
