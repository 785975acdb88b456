"""Every .xlsx the tool writes, from a populated (demo) database, is a document: typed
cells, no formulas, A4 print setup with repeated headers and page numbers, and printed
type never below 9 pt (computed here from the column widths and the fit-to-page scale)."""

import datetime as dt
import os
import re
import zipfile

import openpyxl
import pytest
from conftest import copy_db
from openpyxl.utils import get_column_letter, range_boundaries

from cdo.cli import app
from cdo.sheets.write import CHAR_PX, PARTIAL_POINTS_FORMAT, wrap_header

A4_MM = (210.0, 297.0)
# One unit of column width as printed: the digit width of the workbook's default font.
# Measured with soffice (a 10-column sheet converted to PDF): 7.8 px for Arial (Liberation
# Sans), 9.1 px for 宋体 or Calibri (DejaVu Sans fallback); Excel: 8 px for Arial.
LO_CHAR_PX = 8.2
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
NUMBER_TEXT = re.compile(r"^-?\d{1,9}(\.\d+)?%?$|^\(\d+(\.\d+)?\)$")  # phones are text
COMMAND_LINE = re.compile(r"\bcdo [a-z]")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("paper")
    db = folder / "demo.db"
    old = os.environ.get("CDO_DB")
    os.environ["CDO_DB"] = str(db)
    try:
        r = CliRunner().invoke(app, ["demo"])
        assert r.exit_code == 0, r.output
    finally:
        if old is None:
            os.environ.pop("CDO_DB", None)
        else:
            os.environ["CDO_DB"] = old
    return db


@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch):
    """A private copy of the demo database for one test."""
    db = tmp_path / "demo.db"
    copy_db(demo_db, db)
    monkeypatch.setenv("CDO_DB", str(db))
    return db


# Every command that writes a spreadsheet, with the file it writes (in the test folder).
WRITERS = [
    ("units.xlsx", ["units", "list", "-o"]),
    ("register.xlsx", ["register", "list", "--show-contact", "-o"]),
    ("missing.xlsx", ["register", "missing", "--as-of", "2023-12-31", "-o"]),
    ("duty.xlsx", ["duty", "list", "--year", "2023", "-o"]),
    ("problems.xlsx", ["spotcheck", "list", "-o"]),
    ("due.xlsx", ["rectify", "list", "--as-of", "2023-10-30", "-o"]),
    ("overdue.xlsx", ["report", "overdue", "--as-of", "2023-12-29", "-o"]),
    ("monthly.xlsx", ["report", "monthly", "--month", "2023-09", "--as-of", "2023-12-29",
                      "-o"]),
    ("annual.xlsx", ["report", "annual", "--year", "2023", "--as-of", "2023-12-31", "-o"]),
    ("ranking.xlsx", ["score", "--year", "2023", "-o"]),
    ("sheet.xlsx", ["score", "sheet", "--year", "2023", "--unit", "达川区"]),
    ("log.xlsx", ["log", "--limit", "0", "-o"]),
    ("form.xlsx", ["register", "template"]),
    ("list-template.xlsx", ["spotcheck", "template"]),
    ("remind.xlsx", ["rectify", "remind", "--unit", "公安局", "--on", "2023-12-29", "-o"]),
]


def _write_all(cli, tmp_path) -> list:
    paths = []
    for name, args in WRITERS:
        out = tmp_path / name
        r = cli(*args, out)
        assert r.exit_code == 0, (args, r.stderr)
        paths.append(out)
    notices = tmp_path / "notices"
    notices.mkdir()
    r = cli("spotcheck", "notify", "--month", "2023-09", "--outdir", notices, "--on",
            "2023-09-27")
    assert r.exit_code == 0, r.stderr
    made = sorted(notices.glob("*.xlsx"))
    assert len(made) >= 5
    return paths + made


def _header_row(ws) -> int | None:
    if not ws.print_title_rows:
        return None
    return int(re.search(r"\$?(\d+):", ws.print_title_rows).group(1))


def _data_rows(ws, header: int):
    """Rows of the table under the header: more than one filled cell (notes are one
    merged cell)."""
    for row in ws.iter_rows(min_row=header + 1):
        if sum(c.value not in (None, "") for c in row) > 1:
            yield row


def _visible_columns(ws) -> list[int]:
    last = ws.max_column
    if ws.print_area:
        area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
        _, _, last, _ = range_boundaries(area.split("!")[-1].replace("$", ""))
    return [c for c in range(1, last + 1)
            if not ws.column_dimensions[get_column_letter(c)].hidden]


def _col_width(ws, c: int) -> float:
    w = ws.column_dimensions[get_column_letter(c)].width
    return w if w else 8.43


def effective_pt(ws) -> float:
    """The smallest printed type size on the sheet: each cell's size times the scale
    that fits the visible columns to the A4 page width (and height for one-page
    sheets)."""
    landscape = ws.page_setup.orientation == "landscape"
    width_mm = (A4_MM[1] if landscape else A4_MM[0]) - \
        (ws.page_margins.left + ws.page_margins.right) * 25.4
    cols = _visible_columns(ws)
    total = sum((_col_width(ws, c) * _char_px(ws) + 5) * 25.4 / 96 for c in cols)
    scale = 1.0
    if ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage:
        if ws.page_setup.fitToWidth:
            scale = min(1.0, width_mm / total)
        if ws.page_setup.fitToHeight == 1:
            height_mm = (A4_MM[0] if landscape else A4_MM[1]) - \
                (ws.page_margins.top + ws.page_margins.bottom) * 25.4
            rows = range(1, ws.max_row + 1)
            high = sum((ws.row_dimensions[r].height or 15) for r in rows) * 25.4 / 72
            scale = min(scale, height_mm / high)
        if ws.page_setup.scale and not ws.sheet_properties.pageSetUpPr.fitToPage:
            scale = ws.page_setup.scale / 100
    sizes = [c.font.sz or 11 for row in ws.iter_rows() for c in row
             if c.value not in (None, "") and c.column in cols]
    # LibreOffice scales the footer with the page, whatever scaleWithDoc says
    sizes += [part.size or 11 for part in (ws.oddFooter.center, ws.oddFooter.right)
              if part.text]
    return min(sizes, default=11) * scale


def _char_px(ws) -> float:
    """The column-width unit for this workbook, as the wider of Excel and LibreOffice
    prints it (it scales with the default font's size)."""
    default = ws.parent._fonts[0]
    px = LO_CHAR_PX if default.name == "Arial" else 9.2
    return px * (default.sz or 11) / 11


def test_every_xlsx_is_typed_formula_free_and_printable(cli, demo, tmp_path):
    files = _write_all(cli, tmp_path)
    checked_tables = 0
    for path in files:
        assert os.stat(path).st_mode & 0o777 == 0o600, path  # personal data: owner only
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert "<f>" not in z.read(name).decode(), (path, name)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            where = f"{path.name}:{ws.title}"
            assert int(ws.page_setup.paperSize) == 9, where
            assert "&P" in (ws.oddFooter.center.text or ""), where
            assert "&N" in (ws.oddFooter.center.text or ""), where
            assert "制表日期" in (ws.oddFooter.right.text or ""), where
            record = {c.column for c in ws[_header_row(ws) or 1] if c.value == "命令"}
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (where, cell.coordinate)
                    # no command line on paper (the log's 命令 column is its record)
                    if isinstance(cell.value, str) and cell.column not in record:
                        assert not COMMAND_LINE.search(cell.value), (where, cell.value)
            if ws.title == "推荐表" or ws.title.endswith("评价表") or ws.title == "问题数据清单":
                continue  # forms laid out cell by cell: checked for size below
            if not ws._charts or ws.max_row > 3:
                assert ws.cell(1, 1).value, where  # a title
            header = _header_row(ws)
            if header is None:
                continue
            checked_tables += 1
            _check_columns(ws, header, where)
            _check_orientation(ws, where)


def _check_columns(ws, header: int, where: str) -> None:
    rows = list(_data_rows(ws, header))
    for c in range(1, ws.max_column + 1):
        name = str(ws.cell(header, c).value or "").replace("\n", "")
        cells = [r[c - 1] for r in rows if r[c - 1].value not in (None, "", "—")]
        if not cells:
            continue
        values = [x.value for x in cells]
        if any(isinstance(v, dt.date) or (isinstance(v, str) and ISO_DAY.match(v))
               for v in values):
            # a date column: every date is a date cell shown yyyy-mm-dd
            assert all(isinstance(v, dt.date) for v in values), (where, name, values[:5])
            assert {x.number_format for x in cells} in (
                {"yyyy-mm-dd"}, {"yyyy-mm-dd hh:mm:ss"}), (where, name)
            continue
        numbers = [x for x in cells if isinstance(x.value, int | float)
                   and not isinstance(x.value, bool)]
        texts_like_numbers = [x.value for x in cells
                              if isinstance(x.value, str) and NUMBER_TEXT.match(x.value)]
        assert not texts_like_numbers, (where, name, texts_like_numbers[:5])
        if numbers:
            body = [x for x in numbers if not x.font.b]  # the totals row is bold
            formats = {x.number_format for x in body} - {PARTIAL_POINTS_FORMAT}
            assert len(formats) <= 1, (where, name, formats)
            assert all(x.alignment.horizontal == "right" for x in numbers), (where, name)


def _check_orientation(ws, where: str) -> None:
    cols = _visible_columns(ws)
    # the writer's own measure (a little wider than LibreOffice's, for headroom)
    total = sum((_col_width(ws, c) * CHAR_PX + 5) * 25.4 / 96 for c in cols)
    portrait = A4_MM[0] - (ws.page_margins.left + ws.page_margins.right) * 25.4
    if ws.page_setup.orientation == "landscape":
        assert total > portrait, (where, "landscape without need", total)


def test_printed_type_is_never_below_9_pt(cli, demo, tmp_path):
    for path in _write_all(cli, tmp_path):
        for ws in openpyxl.load_workbook(path).worksheets:
            if ws._charts and ws.max_row <= 3:
                continue
            assert effective_pt(ws) >= 9, (path.name, ws.title, round(effective_pt(ws), 2))


def test_too_wide_sheets_print_fewer_columns_and_keep_all_data(cli, demo, tmp_path):
    out = tmp_path / "a.xlsx"
    assert cli("report", "annual", "--year", 2023, "-o", out).exit_code == 0
    ws = openpyxl.load_workbook(out)["问题清单"]
    header = _header_row(ws)
    names = [str(ws.cell(header, c).value).replace("\n", "") for c in range(1, ws.max_column + 1)]
    hidden = [n for c, n in enumerate(names, 1)
              if ws.column_dimensions[get_column_letter(c)].hidden]
    assert "原整改期限" in hidden and "问题描述" not in hidden and "整改期限" not in hidden
    col = names.index("原整改期限") + 1
    assert isinstance(ws.cell(header + 1, col).value, dt.datetime)  # its data is there
    assert "打印时略去" in ws.cell(2, 1).value and "原整改期限" in ws.cell(2, 1).value
    assert effective_pt(ws) >= 9


def test_headers_break_between_words_and_rows_have_their_height(cli, demo, tmp_path):
    out = tmp_path / "a.xlsx"
    assert cli("report", "annual", "--year", 2023, "-o", out).exit_code == 0
    ws = openpyxl.load_workbook(out)["整改情况"]
    row = _header_row(ws)
    heads = [ws.cell(row, c).value for c in range(1, ws.max_column + 1)]
    assert "抽查·\n发现问题" in heads and "合计·\n按期整改率" in heads
    # the figures stay on paper; the category is what goes when the page is too narrow
    printed = [heads[c - 1] for c in _visible_columns(ws)]
    assert "合计·\n按期整改率" in printed and "合计·\n发现问题" in printed
    assert ws.row_dimensions[row].height >= 2 * 15
    assert wrap_header("第三方评估（10分）", 12) == ["第三方评估", "（10分）"]
    ranking = openpyxl.load_workbook(out)["评价排名"]
    assert ranking.cell(_header_row(ranking), 9).value == "第三方评估\n（10分）"


def test_annual_charts_are_native(cli, demo, tmp_path):
    out = tmp_path / "a.xlsx"
    assert cli("report", "annual", "--year", 2023, "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) >= 3  # ranking (two pages of bars) and the monthly trend
    assert re.search(r"<(c:)?barChart>", xml) and re.search(r"<(c:)?lineChart>", xml)
    assert "'评价排名'!$J$3" in xml  # the bars are the ranking's totals
    assert "'月度趋势'" in xml
    trend = wb["月度趋势"]
    assert [trend.cell(3 + i, 1).value for i in range(12)] == [
        f"2023-{m:02d}" for m in range(1, 13)]
    monthly = tmp_path / "m.xlsx"
    assert cli("report", "monthly", "--month", "2023-09", "-o", monthly).exit_code == 0
    with zipfile.ZipFile(monthly) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_notices_and_reminders_are_recorded(cli, demo, tmp_path):
    import json

    folder = tmp_path / "通知"
    folder.mkdir()
    r = cli("spotcheck", "notify", "--month", "2023-09", "--outdir", folder, "--unit", "通川区",
            "--on", "2023-09-27")
    assert r.exit_code == 0, r.stderr
    (made,) = folder.glob("*.xlsx")
    ws = openpyxl.load_workbook(made).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert ws.cell(1, 1).value == "数据质量问题整改通知单"
    assert any(t.startswith("通川区") for t in texts)
    assert any("30 个工作日" in t and "2023年11月14日" in t for t in texts)
    assert any("首席数据官：" in t for t in texts)
    assert any(t.startswith("回复：") for t in texts)
    log = json.loads(cli("log", "--entity", "notice", "-f", "json").stdout)
    assert len(log) == 1 and log[0]["action"] == "notify"
    # the one overwrite rule: nothing written, nothing recorded
    r = cli("spotcheck", "notify", "--month", "2023-09", "--outdir", folder, "--unit", "通川区")
    assert r.exit_code == 1 and "--force" in r.stderr
    assert len(json.loads(cli("log", "--entity", "notice", "-f", "json").stdout)) == 1

    out = tmp_path / "催办.xlsx"
    r = cli("rectify", "remind", "--unit", "公安局", "--on", "2023-12-29", "-o", out)
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out).active
    header = _header_row(ws)
    names = [str(ws.cell(header, c).value).replace("\n", "") for c in range(1, ws.max_column + 1)]
    days = [ws.cell(r_, names.index("逾期工作日") + 1).value for r_ in range(header + 1, header + 3)]
    assert days == [44, 33]  # working days overdue, as numbers, worst first
    assert json.loads(cli("log", "--entity", "reminder", "-f", "json").stdout)
    r = cli("rectify", "remind", "-o", tmp_path / "x.xlsx")
    assert r.exit_code == 1 and "--unit" in r.stderr


def test_writer_hides_columns_rather_than_shrink_type(tmp_path):
    """A synthetic sheet far too wide for A4: fitted, its type would be ~3 pt."""
    from cdo.sheets.write import SheetSpec, write_workbook

    headers = [f"第{i}列说明文字" for i in range(1, 25)] + ["空列"]
    rows = [[f"单元格内容{r}-{c}" * 2 for c in range(24)] + [None] for r in range(40)]
    out = tmp_path / "wide.xlsx"
    write_workbook(out, [SheetSpec("宽表", headers, rows, title="很宽的表",
                                   drop_first=["第2列说明文字"])])
    ws = openpyxl.load_workbook(out).active
    assert effective_pt(ws) >= 9
    hidden = [c for c in range(1, 26) if ws.column_dimensions[get_column_letter(c)].hidden]
    assert 2 in hidden and 25 in hidden and 1 not in hidden  # drop_first first; empty too
    assert ws.cell(4, 24).value == "单元格内容0-23" * 2  # the data is all there
    assert ws.page_setup.orientation == "landscape"
    narrow = tmp_path / "narrow.xlsx"
    write_workbook(narrow, [SheetSpec("窄表", ["编号", "日期", "比率"],
                                      [[1, dt.date(2023, 9, 27), 0.5], [2, "2023-10-09", None]],
                                      title="窄表")])
    ws = openpyxl.load_workbook(narrow).active
    assert ws.page_setup.orientation == "portrait"
    assert ws.cell(3, 1).number_format == "0" and ws.cell(3, 3).number_format == "0.0%"
    assert ws.cell(4, 2).value == dt.datetime(2023, 10, 9)  # ISO text becomes a date cell
    assert ws.cell(4, 2).number_format == "yyyy-mm-dd"


_CJK_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                       r"([\u4e00-\u9fff]{2,})</word>")


def _printed_sizes(pdf) -> list[float]:
    """The type size of every run of Chinese characters in `pdf` (a CJK glyph is one em
    wide, so width / characters is the size in points); rotated axis titles left out."""
    import subprocess

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    sizes = []
    for m in _CJK_WORD.finditer(out):
        x0, y0, x1, y1 = map(float, m.groups()[:4])
        if y1 - y0 > x1 - x0:  # set vertically
            continue
        sizes.append((x1 - x0) / len(m.group(5)))
    return sizes


def test_libreoffice_prints_at_least_9_pt(cli, demo, tmp_path):
    """The real rendering: LibreOffice (which has no 宋体 and substitutes its fonts) turns
    the sheets into PDF; every Chinese word on the pages is at least 9 pt. A sheet at
    full size is measured too, so the measure itself is checked (11 pt)."""
    import shutil
    import subprocess

    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and pdftotext are needed to print")
    from cdo.sheets.write import SheetSpec, write_workbook

    write_workbook(tmp_path / "ref.xlsx", [SheetSpec("参考", ["名称", "数"],
                                                     [["达州市公安局", 1]] * 3)])
    files = {"ref": [], "overdue": ["report", "overdue", "--as-of", "2023-12-29", "-o"],
             "remind": ["rectify", "remind", "--unit", "公安局", "--on", "2023-12-29", "-o"],
             "register": ["register", "list", "--show-contact", "-o"],
             "problems": ["spotcheck", "list", "-o"],
             "annual": ["report", "annual", "--year", "2023", "--as-of", "2023-12-31", "-o"],
             "ranking": ["score", "--year", "2023", "-o"],
             "sheet": ["score", "sheet", "--year", "2023", "--unit", "达川区"]}
    for name, args in files.items():
        if args:
            r = cli(*args, tmp_path / f"{name}.xlsx")
            assert r.exit_code == 0, (args, r.stderr)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *(str(tmp_path / f"{n}.xlsx") for n in files)],
                   check=True, capture_output=True, timeout=300)
    ref = _printed_sizes(tmp_path / "ref.pdf")
    assert ref and min(ref) == pytest.approx(11, abs=0.05)
    for name in files:
        sizes = _printed_sizes(tmp_path / f"{name}.pdf")
        assert sizes, name
        # 0.05 pt: the PDF's rounding of glyph positions (chart labels are set at 9 pt)
        assert min(sizes) >= 9 - 0.05, (name, round(min(sizes), 2))
