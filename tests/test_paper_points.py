"""Points on paper show exactly what the terminal and JSON say (96.75, never 96.8), and the
note naming the columns a narrow terminal leaves out wraps at the table's full width."""

import json
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest

from cdo import scoring
from cdo.roster.units import add_unit
from cdo.sheets.write import display_width
from cdo.store.db import open_db

TABLE = scoring.load_table()
# 中心医院: item 1 4.5 and item 17 7.25 → 96.75; 通川区: item 17 7.5 → 97.5
POINTS = {"中心医院": {1: 4.5, 17: 7.25}, "通川区": {17: 7.5}}
_PLAIN = re.compile(r'((?:"[^"]*")*)0(?:\.([0#]+))?((?:"[^"]*")*)')


@pytest.fixture
def scored(db_path):
    from cdo.evaluation import points as evaluation

    db = open_db(db_path)
    add_unit(db, "达州市中心医院", "institution", "中心医院")
    add_unit(db, "达州市通川区", "region", "通川区")
    add_unit(db, "达州市大数据中心", "department", "大数据中心")  # not scored: a partial total
    for unit, special in POINTS.items():
        for item in TABLE.items:
            evaluation.set_point(db, 2023, unit, item.no, special.get(item.no, item.max))
    db.conn.close()


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def shown(value: float, number_format: str) -> str:
    """The text Excel and LibreOffice show for a number under a plain number format:
    quoted text kept, each 0 a digit always shown, each # a digit shown unless a
    trailing zero (the point stays even when no digit follows it)."""
    if number_format == "General":  # as many digits as the value has (ten at most)
        return f"{value:.10g}"
    m = _PLAIN.fullmatch(number_format)
    assert m, f"a number format this test does not know: {number_format}"
    before, decimals, after = m.group(1), m.group(2) or "", m.group(3)
    text = str(Decimal(str(value)).quantize(Decimal(1).scaleb(-len(decimals)),
                                            rounding=ROUND_HALF_UP))
    for _ in range(decimals.count("#")):
        if text.endswith("0") and "." in text:
            text = text[:-1]
    return before.replace('"', "") + text + after.replace('"', "")


def test_shown_reads_formats_as_a_spreadsheet_does():
    assert shown(96.75, "0.0") == "96.8" and shown(7.25, "0.0") == "7.3"
    assert shown(5, "0.##") == "5." and shown(4.5, "0.##") == "4.5"
    assert shown(70, '"("0.0")"') == "(70.0)" and shown(3, "0") == "3"
    assert shown(3, "General") == "3" and shown(96.75, "General") == "96.75"


def _check_exact(path, sheets):
    """Every number cell of `sheets` shows its exact value, with no stray point."""
    wb = openpyxl.load_workbook(path)
    seen = set()
    for name in sheets:
        for row in wb[name].iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, int | float) or isinstance(value, bool) \
                        or "%" in cell.number_format:  # rates: one decimal, as the terminal
                    continue
                text = shown(value, cell.number_format)
                where = (name, cell.coordinate, value, cell.number_format, text)
                assert Decimal(text.strip("()")) == Decimal(str(value)), where
                assert not text.rstrip(")").endswith("."), where
                seen.add(value)
    return seen


def test_annual_workbook_prints_points_exactly(cli, scored, tmp_path):
    out = tmp_path / "annual.xlsx"
    ok(cli("report", "annual", "--year", 2023, "--output", out))
    seen = _check_exact(out, ["评价排名", "评价依据"])
    assert {96.75, 97.5, 7.25, 4.5} <= seen
    ranking = {r[1]: r for r in openpyxl.load_workbook(out)["评价排名"].iter_rows(values_only=True)}
    assert ranking["达州市中心医院"][0] == 2 and ranking["达州市中心医院"][9] == 96.75
    with zipfile.ZipFile(out) as z:  # the chart's axis: 0, 10 … not the cells' 0.00, 10.00
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    bars = [c for c in charts if "'评价排名'!" in c]
    assert bars and all('numFmt formatCode="General" sourceLinked="0"' in c for c in bars)


def test_score_output_prints_points_exactly(cli, scored, tmp_path):
    out = tmp_path / "score.xlsx"
    r = ok(cli("score", "--year", 2023, "--output", out, "--format", "json"))
    totals = {row["unit"]: row["total"] for row in json.loads(r.stdout)}
    assert totals["达州市中心医院"] == 96.75
    seen = _check_exact(out, ["评价排名"])
    assert {96.75, 97.5, 7.25} <= seen


def test_score_sheet_prints_points_exactly_without_a_stray_point(cli, scored, tmp_path):
    out = tmp_path / "附件2.xlsx"
    ok(cli("score", "sheet", "--year", 2023, "--unit", "中心医院", out))
    wb = openpyxl.load_workbook(out)
    seen = _check_exact(out, wb.sheetnames)
    assert {96.75, 7.25, 4.5, 5, 10} <= seen  # whole points too: "5.00", never "5."


def test_left_out_columns_note_wraps_at_full_width(cli, scored, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = ok(cli("score", "--year", 2023)).stdout.splitlines()
    assert all(display_width(ln) <= 80 for ln in out)
    start = next(i for i, ln in enumerate(out) if "窗口较窄" in ln)
    end = next(i for i, ln in enumerate(out) if "--format csv 查看）" in ln)
    note = "".join(ln.strip() for ln in out[start:end + 1])
    assert note.startswith("（窗口较窄，未显示：日常履职、数据统筹、共享开放、质量管理、创新应用、"
                           "第三方评估；"), note
    assert end - start <= 1, out[start:end + 1]  # two lines at most, not a narrow column
    table = max(display_width(ln) for ln in out if ln.startswith("└"))
    assert display_width(out[start].strip()) >= table - 3  # the table's full width

