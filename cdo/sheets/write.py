"""The workbook writer: every sheet the tool writes goes through here.

A sheet is a `SheetSpec` (name, headers, rows, title …); `write_workbook` lays it out as a
document the office can print and hand on:

- typed cells: numbers are number cells (right-aligned, one number format per column:
  integers, points to two decimals, rates as %), dates are date cells shown yyyy-mm-dd,
  text is text and never a formula;
- widths from the content with caps; long text wraps inside its capped column and the
  row gets the height its lines need; header text breaks between words, never inside one;
- title, print date, "第 N 页 共 M 页" footer, header row repeated on every page, A4,
  landscape when the columns need it, fitted to the page width only while the printed
  type stays at or above `MIN_PRINT_PT`; otherwise fewer columns go on paper (the columns
  left off are hidden, in place, with their data, and a line under the title names them);
  empty columns are hidden too, so they never print;
- charts are native Excel charts (`ChartSpec`), drawn from the sheet's own columns.

Adding a sheet to a workbook is `SheetSpec(name, headers, rows, title=…)`; say a column's
kind with `kinds={"header": "rate"}` when it cannot be told from the values.

Form-like sheets laid out cell by cell (附件1, 附件2) use `print_setup` and `save_workbook`
from here, so they share the footer, the page setup and the safe save.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any, Literal

from cdo.errors import FileReadError, os_reason
from cdo.masking import mask_numbers

# ----------------------------------------------------------------------------- measures

BODY_PT = 11.0  # type size of every table cell
# every cell names its font: 宋体 is on every Chinese Windows (Excel, WPS); a cell without a
# name prints in whatever the reading program picks (LibreOffice: a wide Latin serif)
FONT_NAME = "宋体"
MIN_PRINT_PT = 9.0  # printed type never smaller than this
LINE_PT = 15.0  # height of one line of 11 pt text (Chinese glyphs included)
# a line of a wrapped cell: Chinese fonts set their lines further apart (Noto Sans CJK,
# which LibreOffice uses, 1.45 em), and 15 pt a line cut the last of ten lines off
WRAPPED_LINE_PT = 16.0
MARGIN_IN = 0.5  # left and right page margins
A4_MM = (210.0, 297.0)
MIN_SCALE = MIN_PRINT_PT / BODY_PT

Kind = Literal["text", "wrap", "int", "points", "rate", "date", "datetime"]

# points are multiples of 0.25 (or of 0.01 at the finest): two decimals show each exactly
# (96.75, 7.25, 5.00) and keep a column's points aligned; "0.0" printed 96.75 as 96.8, and
# "0.##" prints 5 as "5." with a stray point
POINTS_FORMAT = "0.00"
PARTIAL_POINTS_FORMAT = '"("0.00")"'  # an incomplete total, in brackets: (70.00)

NUMBER_FORMATS = {"int": "0", "points": POINTS_FORMAT, "rate": "0.0%", "date": "yyyy-mm-dd",
                  "datetime": "yyyy-mm-dd hh:mm:ss"}
# long free text wraps at this width (characters of Latin width; a Chinese glyph is 2)
WRAP_CAP = 36
TEXT_CAP = 26
_LONG_TEXT = ("描述", "简历", "备注", "来源", "说明", "名称", "原因", "内容", "计划", "意见",
              "操作", "命令", "详情", "改动", "情况")
# Columns of free text a clerk or a unit wrote: phone numbers in them are masked
_FREE_TEXT = ("描述", "简历", "备注", "说明", "原因", "内容", "意见", "详情", "情况", "名称")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLACEHOLDERS = {"—", "-", ""}
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _is_free_text(header: str) -> bool:
    return any(k in header for k in _FREE_TEXT) and not header.endswith(("电话", "手机"))


class _Doubled(dict):
    """str.translate table: a wide (W/F) character becomes two, any other stays itself;
    filled as characters are first seen."""

    def __missing__(self, code: int) -> str | int:
        self[code] = "  " if unicodedata.east_asian_width(chr(code)) in "WF" else code
        return self[code]


_DOUBLED = _Doubled()


def display_width(text: Any) -> int:
    """Width of `text` in Latin characters: a Chinese (wide) glyph counts 2."""
    s = "" if text is None else str(text)
    return len(s) if s.isascii() else len(s.translate(_DOUBLED))


# The unit of column width is the digit width of the workbook's default font (the Normal
# style). That font is Arial, present in every office program, because LibreOffice has it
# too, metric for metric (Liberation Sans): Excel measures 8 px (96 dpi), LibreOffice 7.8 px.
# With 宋体 as the default LibreOffice would measure its fallback (DejaVu Sans), 9.1 px, and
# a page laid out for Excel would print at 7 pt. The cells themselves are all FONT_NAME.
UNIT_FONT = "Arial"
CHAR_PX = 8.2  # laid out for the wider, with headroom: type printed by either >= MIN_PRINT_PT


def column_mm(width: float) -> float:
    """Printed width of a column `width` characters wide (CHAR_PX a character plus 5 px
    padding at 96 dpi)."""
    return (width * CHAR_PX + 5) * 25.4 / 96


def printable_mm(landscape: bool) -> float:
    return (A4_MM[1] if landscape else A4_MM[0]) - 2 * MARGIN_IN * 25.4


def fit_scale(widths: Sequence[float], landscape: bool) -> float:
    """The scale fitting columns of these widths to the page width (at most 1)."""
    total = sum(column_mm(w) for w in widths)
    return min(1.0, printable_mm(landscape) / total) if total else 1.0


# ----------------------------------------------------------------------------- specs

@dataclass
class ChartSpec:
    """A native chart drawn from columns of its sheet.

    kind "bar" (horizontal bars), "column", "line", or "combo" (columns for `series`, a
    line on a second axis for `line_series`). `rows` limits the chart to the first N
    data rows (e.g. the complete units of a ranking)."""

    title: str
    categories: str
    series: list[str]
    kind: Literal["bar", "column", "line", "combo"] = "column"
    line_series: list[str] = field(default_factory=list)
    rows: int | None = None
    y_title: str | None = None
    y2_title: str | None = None
    sheet: str | None = None  # draw on a sheet of its own (portrait page) under this name
    value_max: float | None = None  # the value axis ends here (same scale on every page)


@dataclass
class SheetSpec:
    name: str
    headers: list[str]
    rows: list[list[Any]]
    title: str | None = None
    footer: list[Any] | None = None  # a totals row, bold, after the data
    landscape: bool | None = None  # None: landscape only when the columns need it
    kinds: dict[str, str] = field(default_factory=dict)  # header -> Kind, when not guessable
    subtitle: str | None = None  # a line under the title (e.g. 统计截至 …)
    intro: list[str] = field(default_factory=list)  # paragraphs between title and table
    notes: list[str] = field(default_factory=list)  # lines printed under the table
    drop_first: list[str] = field(default_factory=list)  # left off paper first when too wide
    charts: list[ChartSpec] = field(default_factory=list)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> format
    name_hidden: bool = True  # say under the title which columns paper leaves out
    show_contact: bool = False  # else phone numbers in free-text columns are masked


def set_text(cell, value: Any) -> None:
    """Put `value` in `cell`; strings always as text, so '=1+1' never runs."""
    if isinstance(value, str):
        cell.value = _ILLEGAL.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


# ----------------------------------------------------------------------------- layout

@dataclass
class _Col:
    index: int  # position in spec.headers
    header: str
    kind: str
    width: float = 0.0
    header_lines: list[str] = field(default_factory=list)
    empty: bool = False
    printed: bool = True


def column_kind(header: str, values: Sequence[Any], given: str | None = None) -> str:
    """What a column holds, from its values (a header ending in 率 holding numbers is a
    rate)."""
    if given:
        return given
    seen = [v for v in values if v is not None and not (isinstance(v, str) and v in _PLACEHOLDERS)]
    if not seen:
        return "wrap" if any(k in header for k in _LONG_TEXT) else "text"
    if all(isinstance(v, dt.datetime) for v in seen):
        return "datetime"
    if all(isinstance(v, dt.date) or (isinstance(v, str) and _ISO_DATE.match(v)) for v in seen):
        return "date"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in seen):
        if header.endswith("率"):
            return "rate"
        return "int" if all(isinstance(v, int) or float(v).is_integer() for v in seen) \
            and not any(isinstance(v, float) for v in seen) else "points"
    if any(k in header for k in _LONG_TEXT):
        return "wrap"
    return "text"


def _cell_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _shown(kind: str, value: Any) -> str:
    """The text a cell shows, for measuring."""
    if value is None:
        return ""
    if kind == "date" and isinstance(value, dt.date):
        return "0000-00-00"
    if kind == "datetime" and isinstance(value, dt.datetime):
        return "0000-00-00 00:00:00"
    if kind == "rate" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind == "points" and isinstance(value, int | float):
        return f"({value:.2f})"
    return str(value)


def _tokens(header: str) -> list[str]:
    """Header text cut where a line may break: after · ／ 、 and spaces, and before （.
    Words are never cut; a run longer than six Chinese characters may break in the
    middle, between two-character pairs."""
    parts = re.findall(r"（[^）]*）?|[^·／、（ ]+[·／、]?|[·／、]| ", header)
    out: list[str] = []
    for p in parts:
        if p.startswith("（") or display_width(p) <= 12 or not p.isalpha():
            out.append(p)
            continue
        half = (len(p) // 2 + 1) // 2 * 2
        out += [p[:half], p[half:]]
    return [t for t in out if t.strip()] or [header]


def wrap_header(header: str, width: float) -> list[str]:
    """Lines of `header` in a column `width` wide, broken between tokens only."""
    lines: list[str] = []
    line = ""
    for tok in _tokens(header):
        if line and display_width(line + tok) > width - 1:
            lines.append(line)
            line = tok
        else:
            line += tok
    if line:
        lines.append(line)
    return lines


# What a spreadsheet keeps on one line when it wraps text: a run of Latin letters, digits
# and the punctuation inside dates and IDs (2023-06-30, #12) moves to the next line whole.
_UNBROKEN = re.compile(r"[0-9A-Za-z#/_.:*+%@~()-]+|\s+|.")
_LATIN_RUN = re.compile(r"[0-9A-Za-z]{2}")


def _text_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a wrapping cell `width` wide."""
    usable = max(1.0, width - 1)
    text = str(text)
    if "\n" not in text and 2 * len(text) <= usable:  # fits even if every glyph is wide
        return 1
    return sum(_wrapped_lines(part, usable) for part in text.split("\n"))


def _wrapped_lines(line: str, usable: float) -> int:
    if display_width(line) <= usable:
        return 1
    if not line.isascii() and not _LATIN_RUN.search(line):
        return math.ceil(display_width(line) / usable)  # Chinese only: breaks anywhere
    lines, used = 1, 0.0
    for piece in _UNBROKEN.findall(line):
        w = display_width(piece)
        if used + w <= usable or used == 0 and w <= usable:
            used += w
        elif piece.isspace():
            used = usable  # a space at the end of a line ends it
        else:
            lines += 1 + int(max(0.0, w - 1) // usable)
            used = w % usable if w > usable else w
    return lines


def _capped_width(line: str) -> int:
    """display_width(line), or WRAP_CAP + 1 when it is surely wider than any cap (a line
    is at least as wide as it is long): a column's width never needs more."""
    return WRAP_CAP + 1 if len(line) > WRAP_CAP else display_width(line)


def _columns(spec: SheetSpec) -> list[tuple]:
    """The data rows' values a column at a time (a short row's missing values None)."""
    n = len(spec.headers)
    rows = spec.rows
    if rows and min(map(len, rows)) < n:
        rows = [list(r) + [None] * (n - len(r)) for r in rows]
    return [tuple(map(itemgetter(i), rows)) for i in range(n)]


def _layout(spec: SheetSpec, columns: list[tuple]) -> list[_Col]:
    cols = []
    for i, h in enumerate(spec.headers):
        values = columns[i]
        # each distinct value once (with its type: 1, 1.0 and True are equal, not alike)
        distinct = [v for _, v in set(zip(map(type, values), values, strict=True))]
        kind = column_kind(h, distinct, spec.kinds.get(h))
        foot = spec.footer[i] if spec.footer is not None and i < len(spec.footer) else None
        shown = {_shown(kind, _cell_value(kind, v))
                 for v in distinct + ([foot] if spec.footer is not None else [])}
        measure = _capped_width if kind in ("text", "wrap") else display_width
        content = max((measure(s) for v in shown for s in v.split("\n")), default=0)
        # numbers and dates never wrap: their column fits the longest (yyyy-mm-dd hh:mm:ss)
        cap = WRAP_CAP if kind == "wrap" else (TEXT_CAP if kind == "text" else max(content, 4))
        if kind == "text" and content > TEXT_CAP:
            kind = "wrap"
            cap = WRAP_CAP if any(k in h for k in _LONG_TEXT) else TEXT_CAP
        width = max(min(content, cap), 4) + 2
        longest = max(display_width(t) for t in _tokens(h)) + 1
        width = max(width, longest, 6)
        lines = wrap_header(h, width)
        while len(lines) > 3:
            width += 2
            lines = wrap_header(h, width)
        empty = bool(spec.rows) and all(v in (None, "") for v in distinct) and foot in (None, "")
        cols.append(_Col(i, h, kind, float(width), lines, empty))
    return cols


def _choose_paper(spec: SheetSpec, cols: list[_Col]) -> tuple[bool, list[_Col]]:
    """Orientation and the columns that go on paper (type never below MIN_PRINT_PT)."""
    printed = [c for c in cols if not c.empty] or cols[:1]
    widths = [c.width for c in printed]
    if spec.landscape is False:
        orders = [False]
    elif spec.landscape is True:
        orders = [True]
    else:
        orders = [False, True]
    for landscape in orders:  # prefer portrait when it prints at full size
        if fit_scale(widths, landscape) >= 1.0:
            return landscape, printed
    landscape = orders[-1]
    # text wraps in narrower columns before any column leaves the paper
    full = {id(c): c.width for c in printed}
    while fit_scale([c.width for c in printed], landscape) < MIN_SCALE:
        text = [c for c in printed if c.kind in ("text", "wrap") and c.width > _floor(c)]
        if not text:
            break
        widest = max(text, key=lambda c: c.width)
        widest.width -= 1
        widest.kind = "wrap"
        widest.header_lines = wrap_header(widest.header, widest.width)
    drop = list(spec.drop_first)
    while fit_scale([c.width for c in printed], landscape) < MIN_SCALE and len(printed) > 1:
        victim = next((c for h in drop for c in printed if c.header == h), None)
        if victim is None:
            victim = printed[-1]
        printed.remove(victim)
    # columns left off give the narrowed text back what room there is
    while True:
        narrowed = [c for c in printed if c.width < full.get(id(c), c.width)]
        if not narrowed:
            break
        c = min(narrowed, key=lambda c: c.width)
        c.width += 1
        if fit_scale([x.width for x in printed], landscape) < MIN_SCALE:
            c.width -= 1
            break
        c.header_lines = wrap_header(c.header, c.width)
    for c in cols:
        if c not in printed and c.width < full.get(id(c), c.width):  # hidden: as it was
            c.width = full[id(c)]
            c.header_lines = wrap_header(c.header, c.width)
    return landscape, printed


WRAP_FLOOR = 12  # a text column is never narrowed below this (5 Chinese characters a line)


def _floor(c: _Col) -> float:
    return max(WRAP_FLOOR, max(display_width(t) for t in _tokens(c.header)) + 1)


def write_workbook(path: Path, sheets: Sequence[SheetSpec]) -> None:
    """Write `sheets` to `path` (.xlsx) as printable documents."""
    wb = build_workbook(sheets)
    try:
        save_workbook(wb, path)
    finally:  # a sheet and its rows' cells refer to each other: freed now, not at the
        for ws in wb.worksheets:  # cycle collector's next full pass (0.4 s for 130,000 rows)
            ws.__dict__.pop("_cdo_body", None)


def build_workbook(sheets: Sequence[SheetSpec]):
    wb = new_workbook()
    for spec in sheets:
        add_sheet(wb, spec)
    return wb


def new_workbook():
    """An empty workbook whose default font (the unit of column width) is UNIT_FONT at
    BODY_PT; every cell the writer fills names FONT_NAME."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb._fonts = IndexedList([Font(name=UNIT_FONT, size=BODY_PT)])  # font 0: the Normal style
    return wb


def add_sheet(wb, spec: SheetSpec):
    """Lay out `spec` as a new worksheet of `wb`; returns the worksheet."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_name(spec.name))
    columns = _columns(spec)
    cols = _layout(spec, columns)
    landscape, printed = _choose_paper(spec, cols)
    for c in cols:
        c.printed = c in printed
    order = cols  # the columns keep their order; those not printed are hidden
    n_all = len(order)
    last_col = get_column_letter(max(1, n_all))
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    body_font = Font(name=FONT_NAME, size=BODY_PT)

    def banner(r: int, text: str, *, size: float = BODY_PT, bold: bool = False,
               align: str = "left") -> None:
        cell = ws.cell(r, 1)
        set_text(cell, text)
        cell.font = Font(name=FONT_NAME, size=size, bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if n_all > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n_all)
        width = sum(c.width for c in printed) * BODY_PT / size
        ws.row_dimensions[r].height = _text_lines(text, width) * LINE_PT * size / BODY_PT + 6

    r = 1
    if spec.title:
        banner(r, spec.title, size=14, bold=True, align="center")
        r += 1
    # the print date is in every page's footer; a second line only when there is more to say
    sub = [spec.subtitle] if spec.subtitle else []
    off = [c.header for c in cols if not c.printed and not c.empty]
    if off and spec.name_hidden:
        sub.append(f"打印时略去：{'、'.join(off)}（这些列已隐藏，取消隐藏即可查看）")
    if sub:
        banner(r, "　　".join(sub), align="center")
        r += 1
    for para in spec.intro:
        banner(r, para)
        r += 1
    header_row = r
    for j, c in enumerate(order, 1):
        cell = ws.cell(header_row, j)
        set_text(cell, "\n".join(c.header_lines))
        cell.font = Font(name=FONT_NAME, size=BODY_PT, bold=True)
        cell.border = border
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = c.width
        if not c.printed:  # an empty column, or one too many for legible type on paper
            ws.column_dimensions[get_column_letter(j)].hidden = True
    ws.row_dimensions[header_row].height = max(len(c.header_lines) for c in printed) * LINE_PT + 6

    body = list(spec.rows) + ([spec.footer] if spec.footer is not None else [])
    ws._cdo_body = _Body(ws, header_row + 1, body, columns, order, spec, body_font, border)
    ws._cdo_body.prepare()  # now: fonts, alignments … numbered in the order of the cells
    r += len(body)
    last_data = r
    for note in spec.notes:  # body size: fitted to the page it stays at or above 9 pt
        r += 1
        banner(r, note)
    # (a sheet without rows keeps the empty cell naming the pane made, as it always had)
    ws.freeze_panes = f"A{header_row + 1}" if body else ws.cell(header_row + 1, 1)
    if spec.rows:
        ws.auto_filter.ref = (f"A{header_row}:{get_column_letter(len(order))}"
                              f"{header_row + len(spec.rows)}")
    for chart in spec.charts:
        if chart.sheet:
            _chart_sheet(wb, ws, chart, order, header_row, len(spec.rows))
        else:
            r = _add_chart(ws, ws, chart, order, header_row, len(spec.rows), r + 2,
                           sum(column_mm(c.width) for c in printed))
    ws.print_area = f"A1:{last_col}{max(r, last_data)}"
    print_setup(ws, landscape=landscape, title_rows=f"{header_row}:{header_row}")
    return ws


class _Body:
    """The data rows of a sheet (and its totals row), put straight into the sheet's XML as
    the workbook is saved (`_save`) instead of as one openpyxl cell object each — at
    100,000 problems × 18 columns those took over two minutes. The cells are the ones the
    writer always made, byte for byte: typed as openpyxl types them, bordered, aligned,
    number-formatted by column kind, free text masked, a wrapped row as tall as its lines."""

    def __init__(self, ws, first: int, rows: list, columns: list[tuple], cols: list[_Col],
                 spec: SheetSpec, font, border):
        self.ws, self.first, self.rows, self.cols, self.spec = ws, first, rows, cols, spec
        self.columns = columns  # the data rows' values, a column at a time
        from openpyxl.compat import safe_string
        from openpyxl.utils.datetime import to_excel

        self.safe_string, self.to_excel = safe_string, to_excel
        self.font, self.border = font, border
        self.types: dict[type, tuple[str, str]] = {}

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    def styled(self, key: _Style):
        """A cell styled as body cells with this key: its font, alignment … are
        registered in the workbook now; its style id (xf) when it is asked for, as
        openpyxl does for a cell it writes."""
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Font

        first, number_format, align, bold = key
        cell = Cell(self.ws)
        if first:  # the format putting a date in a cell gives it, before the column's
            cell.number_format = first
        cell.font = Font(name=FONT_NAME, size=BODY_PT, bold=True) if bold else self.font
        cell.border = self.border
        cell.alignment = {"right": Alignment(horizontal="right", vertical="center"),
                          "wrap": Alignment(vertical="center", wrap_text=True),
                          "plain": Alignment(vertical="center")}[align]
        cell.number_format = number_format
        return cell

    def typed(self, value: Any) -> tuple[str, str]:
        """openpyxl's data type of a value that is not text, and the number format it
        gives a cell on its own (a date's)."""
        got = self.types.get(type(value))
        if got is None:
            from openpyxl import Workbook
            from openpyxl.cell.cell import Cell

            cell = Cell(Workbook().active)  # (not this workbook: nothing registered in it)
            cell.value = value
            got = self.types[type(value)] = (cell.data_type, cell.number_format)
        return got

    def cell(self, c: _Col, k: int, raw: Any, masked: bool, bold: bool) -> _Part:
        """Row k's cell of column c: its style, its XML after the style id, the lines it
        needs (wrapped text)."""
        safe_string, to_excel = self.safe_string, self.to_excel
        value = _cell_value(c.kind, raw)
        numeric = c.kind in NUMBER_FORMATS
        if numeric and isinstance(value, int | float | dt.date) and not isinstance(value, bool):
            style = ("", self.spec.formats.get((k, c.index), NUMBER_FORMATS[c.kind]), "right",
                     bold)
            if isinstance(value, dt.date):
                style = (self.typed(value)[1], *style[1:])
                value = to_excel(value, self.ws.parent.epoch)
            return style, f't="n"><v>{safe_string(value)}</v></c>', 1
        if isinstance(value, str) and masked:
            value = mask_numbers(value)
        lines = 1
        if c.kind == "wrap":
            align = "wrap"
            lines = _text_lines(value or "", c.width)
        else:
            align = "right" if numeric else "plain"
        if isinstance(value, str):
            text = _ILLEGAL.sub("", value)[:32767]
            if not text:
                return ("", "General", align, bold), 't="inlineStr" />', lines
            space = ' xml:space="preserve"' if text != text.strip() != "" else ""
            return (("", "General", align, bold),
                    f't="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>', lines)
        if value is None:
            return ("", "General", align, bold), 't="n" />', lines
        kind, number_format = self.typed(value)
        if kind == "d":
            kind, value = "n", to_excel(value, self.ws.parent.epoch)
        return ("", number_format, align, bold), f't="{kind}"><v>{safe_string(value)}</v></c>', lines

    def column(self, c: _Col, values: Sequence, masked: bool) -> list[_Part]:
        """The cells of one column's data rows, each made once per distinct value (unit
        names, dates and statuses repeat): equal values share one `_Part`."""
        if any(i == c.index for _, i in self.spec.formats):  # a cell formatted apart
            return [self.cell(c, k, v, masked, False) for k, v in enumerate(values)]
        types = set(map(type, values))
        if types == {int} and c.kind in NUMBER_FORMATS:  # e.g. 编号: all distinct
            return list(zip(repeat(("", NUMBER_FORMATS[c.kind], "right", False)),
                            map('t="n"><v>%.16g</v></c>'.__mod__, values), repeat(1)))
        if types <= {str, type(None)}:
            made = _Made(lambda v: self.cell(c, 0, v, masked, False))
            return list(map(made.__getitem__, values))
        # 1, 1.0 and True are equal keys, but not the same cell
        made = _Made(lambda key: self.cell(c, 0, key[1], masked, False))
        return list(map(made.__getitem__, zip(map(type, values), values, strict=True)))

    def prepare(self) -> None:
        """Make every cell, then register their styles in the order of the cells (row
        by row, left to right), as openpyxl does for cells styled one by one: the file
        is the same."""
        spec = self.spec
        free = set() if spec.show_contact else {c.index for c in self.cols
                                                if _is_free_text(c.header)}
        data = self.rows[:-1] if spec.footer is not None else self.rows
        first: dict[tuple, tuple[int, int]] = {}  # style -> (row, column) first using it
        self.parts = []
        for j, c in enumerate(self.cols):
            parts = self.column(c, self.columns[c.index], c.index in free)
            if spec.footer is not None:
                foot = spec.footer[c.index] if c.index < len(spec.footer) else None
                parts.append(self.cell(c, len(data), foot, c.index in free, True))
            ids = list(map(id, parts))
            distinct = dict(zip(ids, parts, strict=True))
            styles = set(map(itemgetter(0), distinct.values()))
            if len(styles) == 1:  # the usual: one style the whole column (row 0 has it)
                at = {ids[0]: 0} if ids else {}
            else:
                at = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
            for i, k in at.items():  # the first row of each cell
                style = distinct[i][0]
                if (k, j) < first.get(style, (len(ids), j)):
                    first[style] = (k, j)
            self.parts.append(parts)
        self.styles = {key: self.styled(key) for key in sorted(first, key=first.__getitem__)}

    def number_styles(self) -> None:
        """Style ids for the body's cells, in the order openpyxl numbers them: when the
        sheet's rows are written, after the header's, before the notes'."""
        self.sids = {key: cell.style_id for key, cell in self.styles.items()}

    def xml(self) -> Iterator[str]:
        """The <row> elements, a few hundred rows a piece (after `prepare`)."""
        from openpyxl.compat import safe_string
        from openpyxl.utils import get_column_letter

        cells, lines = [], []
        for c, parts in zip(self.cols, self.parts, strict=True):
            made = {i: f' s="{self.sids[p[0]]}" {p[1]}'
                    for i, p in dict(zip(map(id, parts), parts, strict=True)).items()}
            cells.append(list(map(made.__getitem__, map(id, parts))))
            if c.kind == "wrap":
                lines.append([p[2] for p in parts])
        tall = list(map(max, zip(*lines, strict=True))) if lines else [1] * len(self.rows)
        letters = [f'<c r="{get_column_letter(j)}' for j in range(1, len(self.cols) + 1)]
        for start in range(0, len(self.rows), 500):
            stop = min(start + 500, len(self.rows))
            refs = [f'{r}"' for r in range(self.first + start, self.first + stop)]
            rows = [f'<row r="{r}"'
                    # LibreOffice does not grow a wrapped row by itself
                    + (f' ht="{safe_string(n * WRAPPED_LINE_PT + 3)}" customHeight="1">'
                       if n > 1
                       else ">")
                    for r, n in zip(range(self.first + start, self.first + stop),
                                    tall[start:stop], strict=True)]
            # <c r="A + 5" + the cell, a column at a time
            columns = [map(add, map(add, repeat(letter, stop - start), refs), column[start:stop])
                       for letter, column in zip(letters, cells, strict=True)]
            yield "".join(map("".join, zip(rows, *columns, repeat("</row>"))))


# a body cell's style: the number format a date value gives it first (or ""), its number
# format, alignment (right, wrap, plain), bold
_Style = tuple[str, str, str, bool]
_Part = tuple[_Style, str, int]  # a body cell: style, XML after it, lines


class _Made(dict):
    """A cache that makes what it lacks."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        got = self[key] = self.make(key)
        return got


def _escape(text: str) -> str:
    """Text as XML character data (as ElementTree writes it)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


CHART_BARS_PER_PAGE = 36  # unit names at 9 pt, every one shown, on a portrait page


def _chart_sheet(wb, data_ws, chart: ChartSpec, order: list[_Col], header_row: int,
                 nrows: int) -> None:
    """A sheet holding only `chart` (drawn from `data_ws`), on portrait pages: a long
    bar chart is cut into pages of CHART_BARS_PER_PAGE bars so every label prints at 9 pt."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    ws = wb.create_sheet(_sheet_name(chart.sheet or "图"))
    set_text(ws.cell(1, 1), chart.title)
    ws.cell(1, 1).font = Font(name=FONT_NAME, size=14, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ncols = 11  # columns across a portrait page, their width set (LibreOffice's default is wider)
    each = (printable_mm(False) / ncols / (25.4 / 96) - 5) / CHAR_PX - 0.05
    for c in range(1, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = round(each, 2)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 28
    n = min(nrows, chart.rows) if chart.rows is not None else nrows
    size = CHART_BARS_PER_PAGE if chart.kind == "bar" else max(n, 1)
    pages = max(1, math.ceil(n / size))
    size = math.ceil(n / pages) if n else size  # even pages
    r = 3
    for k in range(pages):
        count = min(size, n - k * size)
        r = _add_chart(ws, data_ws, chart, order, header_row, nrows, r,
                       printable_mm(False) - 4, page_rows=max(16, count + 8), titled=False,
                       start=k * size, count=count)
        if k < pages - 1:  # the next part starts a new page, under a line saying so
            ws.row_breaks.append(Break(id=r + 1))
            r += 2
            set_text(ws.cell(r, 1), f"{chart.title}（续）")
            ws.cell(r, 1).font = Font(name=FONT_NAME, size=12, bold=True)
            r += 1
    for row in range(2, r + 1):  # the rows the charts measure themselves in
        ws.row_dimensions[row].height = LINE_PT
    ws.print_area = f"A1:K{r}"
    print_setup(ws, landscape=False)


def _add_chart(ws, data_ws, chart: ChartSpec, order: list[_Col], header_row: int, nrows: int,
               at_row: int, page_mm: float, page_rows: int | None = None,
               titled: bool = True, start: int = 0, count: int | None = None) -> int:
    """Draw `chart` (data rows start … start+count of `data_ws`) on `ws` at `at_row`;
    returns the row after it."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.series import SeriesLabel

    pos = {c.header: j for j, c in enumerate(order, 1)}
    n = min(nrows, chart.rows) if chart.rows is not None else nrows
    if count is not None:
        n = count
    if n <= 0:
        return at_row
    first, last = header_row + 1 + start, header_row + start + n
    cats = Reference(data_ws, min_col=pos[chart.categories], min_row=first, max_row=last)
    main = LineChart() if chart.kind == "line" else BarChart()
    if chart.kind == "bar":
        main.type = "bar"
    elif chart.kind in ("column", "combo"):
        main.type = "col"
    if chart.kind == "bar":
        main.y_axis.scaling.orientation = "minMax"
        main.x_axis.scaling.orientation = "maxMin"  # the first row at the top

    def add(target, headers):
        for h in headers:
            target.add_data(Reference(data_ws, min_col=pos[h], min_row=first, max_row=last))
            target.series[-1].tx = SeriesLabel(v=h)

    add(main, chart.series)
    main.set_categories(cats)
    if titled:
        main.title = chart.title
    if chart.y_title:
        main.y_axis.title = chart.y_title
    main.x_axis.delete = False
    main.y_axis.delete = False
    main.legend.position = "b"
    main.visible_cells_only = False  # a hidden (not printed) column still feeds the chart
    if chart.kind == "bar":
        main.legend = None if len(chart.series) == 1 else main.legend
        main.x_axis.tickLblSkip = 1  # every unit named
        main.x_axis.txPr = _small_text(900)
        main.y_axis.scaling.min = 0
        main.y_axis.number_format = "General"  # ticks 0, 10 … 100, not the cells' 0.00
        if chart.value_max is not None:
            main.y_axis.scaling.max = chart.value_max
        main.gapWidth = 40
    if chart.line_series:
        line = LineChart()
        add(line, chart.line_series)
        line.y_axis.axId = 200
        line.y_axis.crosses = "max"
        line.y_axis.number_format = "0%"
        line.y_axis.delete = False
        if chart.y2_title:
            line.y_axis.title = chart.y2_title
        main += line
    width_cm = min(page_mm / 10, 26.0)
    if page_rows is not None:
        rows_tall = page_rows
    else:
        rows_tall = max(12, min(40, n + 6)) if chart.kind == "bar" else 16
    main.width = width_cm
    main.height = rows_tall * LINE_PT * 0.0353
    ws.add_chart(main, f"A{at_row}")
    return at_row + rows_tall


def _small_text(size: int):
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    props = CharacterProperties(sz=size)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def print_setup(ws, *, landscape: bool, one_page: bool = False,
                title_rows: str | None = None) -> None:
    """A4, centred, header rows repeated, fitted to the page width, and the footer every
    printed page carries: print date and 第 N 页 共 M 页."""
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_IN
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    # LibreOffice scales the footer with the page all the same: body size keeps it >= 9 pt
    ws.oddFooter.center.size = BODY_PT
    ws.oddFooter.right.text = f"制表日期 {dt.date.today().isoformat()}"
    ws.oddFooter.right.size = BODY_PT
    ws.HeaderFooter.scaleWithDoc = False  # the footer keeps its size on a fitted page


def setup_a4(ws, *, landscape: bool, one_page: bool = False,
             title_rows: str | None = None, page_numbers: bool = True) -> None:
    """Kept for callers laying out forms by hand: same as `print_setup`."""
    print_setup(ws, landscape=landscape, one_page=one_page, title_rows=title_rows)


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet1"


# ----------------------------------------------------------------------------- saving

_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_target(path: Path, *, force: bool = False, protected: Sequence[Path] = ()) -> None:
    """Refuse to write `path` when it is (or leads to) the database, its -wal/-shm/-journal
    file or its backups folder, or when it exists and `force` is not given."""
    path = Path(path)
    _refuse_odd_target(path)
    if path.suffix.lower() != ".xlsx":
        raise FileReadError(f"{path}：输出文件须以 .xlsx 结尾")
    real = Path(os.path.realpath(path))
    for p in protected:
        p = Path(os.path.realpath(p))
        if real == p or p in real.parents:
            raise FileReadError(f"{path}：这是数据库文件或其备份所在位置，不能写入导出文件，"
                                "请换一个文件名")
    if _is_database(real):
        raise FileReadError(f"{path}：这是一个数据库文件，不能用导出文件覆盖它，请换一个文件名")
    if path.is_symlink() or path.exists():
        if not force:
            raise FileReadError(f"{path}：文件已存在；如要覆盖，请加 --force")
    _check_folder(path)


def _refuse_odd_target(path: Path) -> None:
    """A folder, pipe, device or socket at `path` is never overwritten (opening a pipe
    would also block forever)."""
    if path.is_dir():
        raise FileReadError(f"{path}：这是一个文件夹，请给出文件名")
    if path.exists() and not path.is_file():
        raise FileReadError(f"{path}：已存在且不是普通文件（可能是管道或设备），不能写入；请换一个文件名")


def _check_folder(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise FileReadError(f"{path}：所在文件夹不存在")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileReadError(f"{path}：无法写入所在文件夹（没有权限）")


def _is_database(path: Path) -> bool:
    if not path.is_file():  # never open a pipe or device to look
        return False
    try:
        with open(path, "rb") as f:
            return f.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def save_workbook(wb, path: Path) -> None:
    """Save owner-only (0600: exports hold personal data) by writing a temporary file
    beside `path` and renaming it over: a symlink at `path` is replaced, never followed,
    and an interrupted save leaves no half file."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise FileReadError(f"{path}：输出文件须以 .xlsx 结尾")
    _refuse_odd_target(path)
    if _is_database(Path(os.path.realpath(path))):
        raise FileReadError(f"{path}：这是一个数据库文件，不能用导出文件覆盖它，请换一个文件名")
    _check_folder(path)
    folder = path.parent
    tmp = folder / f".{path.name}.{os.getpid()}.part"
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        tmp.unlink()
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as e:  # no permission, a read-only stick, a folder like /proc
        raise FileReadError(f"{path}：无法在这个文件夹写入文件（{os_reason(e)}）") from None
    try:
        with os.fdopen(fd, "wb") as f:
            _save(wb, f)
        os.replace(tmp, path)
    except PermissionError:
        raise FileReadError(f"{path}：无法写入（文件可能正在 Excel 中打开，或没有权限）") from None
    except OSError as e:
        raise FileReadError(f"{path}：无法写入（{os_reason(e)}）") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _save(wb, f) -> None:
    """openpyxl's save, with each sheet's data rows (`_Body`) streamed into its XML."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter
    from openpyxl.xml.functions import Element

    class SheetWriter(WorksheetWriter):
        """Writes a mark where the data rows go (after the header row, before the notes)
        and counts them in the sheet's dimension."""

        def write_dimensions(self):
            body = getattr(self.ws, "_cdo_body", None)
            if body is None or not body.rows:
                return super().write_dimensions()
            from openpyxl.utils import get_column_letter
            from openpyxl.worksheet.dimensions import SheetDimension

            rows = [r for r, _ in self.ws._cells] + [body.first, body.last]
            cols = [c for _, c in self.ws._cells] + [1, len(body.cols)]
            ref = (f"{get_column_letter(min(cols))}{min(rows)}:"
                   f"{get_column_letter(max(cols))}{max(rows)}")
            self.xf.send(SheetDimension(ref).to_tree())

        def write_row(self, xf, row, row_idx):
            body = getattr(self.ws, "_cdo_body", None)
            if body is not None and body.rows and not self.marked and row_idx > body.last:
                self.mark(xf, body)
            super().write_row(xf, row, row_idx)

        def mark(self, xf, body: _Body) -> None:
            body.number_styles()
            xf.write(Element(_MARK))
            self.marked = True

        def write_rows(self):
            self.marked = False
            xf = self.xf.send(True)
            with xf.element("sheetData"):
                for row_idx, row in self.rows():
                    self.write_row(xf, row, row_idx)
                body = getattr(self.ws, "_cdo_body", None)
                if body is not None and body.rows and not self.marked:
                    self.mark(xf, body)
            self.xf.send(None)

    class Writer(ExcelWriter):
        def write_worksheet(self, ws):
            body = getattr(ws, "_cdo_body", None)
            if body is None or not body.rows:
                return super().write_worksheet(ws)
            from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = SheetWriter(ws)
            writer.write()
            ws._rels = writer._rels
            with open(writer.out, encoding="utf-8") as src:
                head, tail = re.split(f"<{_MARK}[^>]*/>", src.read(), maxsplit=1)
            # a big sheet packed a little less tightly: a third of the time, a fifth larger
            self._archive.compresslevel = BODY_ZIP_LEVEL
            with self._archive.open(ws.path[1:], "w") as dest:
                dest.write(head.encode())
                for chunk in body.xml():
                    dest.write(chunk.encode("utf-8", "xmlcharrefreplace"))  # as openpyxl
                dest.write(tail.encode())
            self._archive.compresslevel = None
            self.manifest.append(ws)
            writer.cleanup()

    archive = ZipFile(f, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    Writer(wb, archive).save()


_MARK = "cdoDataRows"  # where `_save` puts a sheet's data rows
BODY_ZIP_LEVEL = 3  # zlib level of a sheet with data rows (openpyxl's default is 6)
