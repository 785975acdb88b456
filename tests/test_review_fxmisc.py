"""Fresh-clone review, assorted: totals lines of any spacing or with a category beside them
under a list; the calendar's note on a year not yet loaded; points on paper written as
their cells are; piped tables keep the caption that explains their numbers."""

import openpyxl
import pytest

from cdo.roster.units import add_unit
from cdo.sheets.rows import is_total_label
from cdo.store.db import open_db


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def book(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def _unit_names(db_path):
    db = open_db(db_path)
    names = [r[0] for r in db.execute("SELECT name FROM units ORDER BY id")]
    db.conn.close()
    return names


UNIT_HEAD = ["序号", "单位名称", "类别", "简称"]
UNITS = [[1, "达州市通川区", "县市区", "通川区"], [2, "达州市教育局", "市级部门", "市教育局"]]


# ----------------------------------------------------------------------------- 1. totals lines

@pytest.mark.parametrize("label", ["合计", "合　计", "合  计", "合 计", "总  计", "小\u00a0计",
                                   "合计：", "合计:2个单位", "合计：2个", "合 计 ： 2 个单位",
                                   "共2个单位", "合计（2个单位）", "总计２个"])
def test_a_total_of_any_spacing_is_a_label(label):
    assert is_total_label(label)


@pytest.mark.parametrize("name", ["合计核算中心", "达州市合计中心", "共青团达州市委", "总计划处",
                                  "合计收入数据", "共享交换平台", "小计量站"])
def test_a_name_holding_a_total_word_is_no_label(name):
    assert not is_total_label(name)


@pytest.mark.parametrize("total", [
    [None, "合计：2个单位", "市级部门", None],  # a category left filled on the totals line
    [None, "合　计", None, None], [None, "合  计", None, None], [None, "合 计", None, None],
    [None, "总  计", None, None],  # spaces of any width in the name column
    ["合 计", "2个", None, None],  # the label in 序号, the count under 单位名称
    [None, "合 计", "市级部门", None],  # no unit is called 合计, whatever its category
    [None, "共2个单位", None, None],
])
def test_a_totals_line_under_the_unit_list_is_skipped(cli, db_path, tmp_path, total):
    f = book(tmp_path / "名单.xlsx", [UNIT_HEAD, *UNITS, total])
    r = ok(cli("units", "import", f))
    assert r.stdout == "名单.xlsx：新增 2 个单位，更新 0 个，未变 0 个\n"
    assert _unit_names(db_path) == ["达州市通川区", "达州市教育局"]


def test_a_csv_totals_line_with_its_category_is_no_unit(cli, db_path, tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("序号,单位名称,类别,简称\n1,达州市测试局,市级部门,测试局\n,合计：1个单位,市级部门,\n"
                 ",合\u3000计,,\n", encoding="utf-8")
    ok(cli("units", "import", f))
    assert _unit_names(db_path) == ["达州市测试局"]


def test_a_unit_merely_holding_a_total_word_stays_a_unit(cli, db_path, tmp_path):
    f = book(tmp_path / "名单.xlsx", [UNIT_HEAD, [1, "达州市合计核算中心", "公共服务机构", None],
                                     [2, "合计核算中心", "公共服务机构", None]])
    ok(cli("units", "import", f))
    assert _unit_names(db_path) == ["达州市合计核算中心", "合计核算中心"]


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市通川区", "region", "通川区")
    db.conn.close()


@pytest.mark.parametrize("label", ["合　计", "总  计", "合计：2项", "合 计"])
def test_the_shared_list_rule_takes_spaced_totals_too(cli, units, tmp_path, label):
    """The catalogue (and every list read by sheets.rows) passes over the same lines."""
    c = tmp_path / "c.csv"
    c.write_text(f"序号,数据资源名称,数据项数\n1,低保信息,12\n2,补贴信息,8\n,{label},20\n",
                 encoding="utf-8")
    r = ok(cli("evidence", "catalog", "import", c, "-u", "通川区", "--received", "2023-05-01"))
    assert "2 条" in r.stdout


# ----------------------------------------------------------------------------- 2. calendar note

def _last_bundled_year():
    from cdo import calendar as workcal

    return max(workcal.bundled_years())


def test_december_of_a_known_year_names_the_next_years_notice(cli):
    """December's last days wait on the next year's notice: the note names that year and
    those days, never the month's own (bundled) year; no ? is shown, so no ? in the legend."""
    year = _last_bundled_year()
    out = ok(cli("calendar", "show", f"{year}-12")).stdout
    assert f"{year} 年的放假安排通知尚未载入" not in out
    assert (f"注意：{year + 1} 年的放假安排通知尚未载入，12月25日—31日可能随该通知调整"
            "（如安排放假或调休上班），暂按已知安排显示。") in out
    assert "? 暂定" not in out and "?" not in out
    november = ok(cli("calendar", "show", f"{year}-11")).stdout
    assert "注意" not in november and "暂定" not in november


def test_a_provisional_year_still_says_so_with_its_marks(cli):
    year = _last_bundled_year() + 1
    out = ok(cli("calendar", "show", f"{year}-10")).stdout
    assert "? 暂定" in out and " 1休?" in out
    assert f"注意：{year} 年的放假安排通知尚未载入，本月只按周末和固定日期的法定节日暂定。" in out


# ----------------------------------------------------------------------------- 4. piped captions

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    import os
    import subprocess
    import sys

    db = tmp_path_factory.mktemp("fxmisc") / "demo.db"
    subprocess.run([sys.executable, "-m", "cdo", "demo"], env=dict(os.environ, CDO_DB=str(db)),
                   check=True, capture_output=True)
    return db


@pytest.fixture
def piped(demo_db, tmp_path, monkeypatch, cli):
    """`cdo …` with its output piped (not a terminal, no COLUMNS): tab-separated tables."""
    from tests.conftest import copy_db

    db = tmp_path / "demo.db"
    copy_db(demo_db, db)
    monkeypatch.setenv("CDO_DB", str(db))
    monkeypatch.delenv("COLUMNS")
    return lambda *args: ok(cli(*args)).stdout.splitlines()


def test_piped_monthly_report_keeps_the_rate_formula_and_the_user_reported_note(piped):
    lines = piped("report", "monthly", "--month", "2023-09", "--as-of", "2023-12-29")
    assert lines[0].split("\t")[0] == "责任单位"
    assert lines[-3].startswith("合计（12 个单位）\t")  # the rows, then the totals row as before
    assert lines[-2].startswith("只计月度抽查发现的问题。按期整改率 = 按期整改 ÷（按期整改 + 逾期整改")
    assert lines[-1].startswith("另有 1 个数据使用单位反馈的问题（2023-09）未计入本表")
    assert all("\t" in ln for ln in lines[:-2])


def test_piped_ranking_and_month_keep_their_notes(piped):
    lines = piped("score", "--year", 2023)
    assert lines[0].startswith("排名\t单位\t")
    assert lines[-1].startswith("共 57 个单位，已评完 54 个") and "括号内为已评项目的小计" in lines[-1]
    month = piped("calendar", "show", "2023-10")
    assert month[0] == "一\t二\t三\t四\t五\t六\t日" and month[6] == "30\t31\t\t\t\t\t"
    assert month[7] == "官方（内置）：国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号）"
    assert month[8].startswith("图例：")


def test_a_piped_caption_prints_as_a_rich_tables_would():
    """PlainTable (piped, without Rich) and Rich's Table print the same lines piped."""
    import io
    import sys

    from cdo.output import Column, PlainConsole, make_table

    rows = [{"a": "通川区", "b": 3}]
    printed = []
    for plain in (False, True):
        out, sys_stdout = io.StringIO(), sys.stdout
        sys.stdout = out
        try:
            PlainConsole().print(make_table(rows, [Column("a", "单位"), Column("b", "数")],
                                            title="标题", caption="说明一\n\x1b[2J说明二",
                                            plain=plain))
        finally:
            sys.stdout = sys_stdout
        printed.append(out.getvalue())
    assert printed[0] == printed[1] == "单位\t数\n通川区\t3\n说明一\n说明二\n"
