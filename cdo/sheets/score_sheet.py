"""The filled evaluation form (附件2) of one unit: written as the policy prints it, on one
A4 portrait page, and read back (a folder of such sheets is an import source).

Layout: 附件2 / title / 考评对象 + 评价年度 / 综合得分 / the table 序号·项目名称·工作内容·
评价分值·得分 with each part's name merged down its items / 合计 / the fingerprint line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from cdo import scoring
from cdo.errors import CdoError
from cdo.scoring import Table, fmt_points

HEADERS = ("序号", "项目名称", "工作内容", "评价分值", "得分")
# fitted to A4 portrait at >= 0.75 (12 pt prints >= 9 pt) even in LibreOffice, whose column
# unit is wider than Excel's (see cdo.sheets.write.CHAR_PX)
WIDTHS = (6, 12, 58, 9, 9)
FONT = "宋体"
TEXT_CHARS_PER_LINE = 27  # CJK characters that fit in the 工作内容 column
LINE_PT = 17
MAX_GRID_ROWS = 10_000  # a score sheet or grid: a row per unit at most, with room to spare


def _row_height(text: str, per_line: int = TEXT_CHARS_PER_LINE) -> float:
    from cdo.sheets.write import display_width

    lines = max(1, -(-display_width(text) // (per_line * 2)))
    return max(30.0, lines * LINE_PT + 8)


def write_sheet(path: Path, table: Table, *, unit: str, year: int,
                points: dict[int, float], state: dict | None = None) -> None:
    """Write `unit`'s filled 附件2 for `year` to `path` (.xlsx), ready for A4.

    `points` maps item numbers to entered points (missing items stay blank);
    `state` is the year's finalize state (fingerprint printed when given).
    """
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from cdo.sheets.write import POINTS_FORMAT, new_workbook, save_workbook, set_text, setup_a4

    wb = new_workbook()
    ws = wb.create_sheet(f"{year}年度评价表")
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=FONT, size=12)
    bold = Font(name=FONT, size=12, bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
    for c, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(c)].width = w

    def put(r: int, c: int, value: Any, font=body, align=left, border=None):
        cell = ws.cell(r, c)
        set_text(cell, value)
        cell.font = font
        cell.alignment = align
        if border is not None:
            cell.border = border
        return cell

    missing = scoring.missing_items(table, points)
    complete = not missing
    total = scoring.total(table, points)

    # no wrapping: column A is narrow and "附件2" must stay on one line
    put(1, 1, "附件2", Font(name="黑体", size=12), Alignment(horizontal="left", vertical="center"))
    ws.merge_cells("A2:E2")
    put(2, 1, table.title, Font(name="方正小标宋简体", size=18, bold=True), center)
    ws.row_dimensions[2].height = 40
    ws.merge_cells("A3:C3")
    put(3, 1, f"考评对象：{unit}", Font(name=FONT, size=12))
    ws.merge_cells("D3:E3")
    put(3, 4, f"评价年度：{year}年", Font(name=FONT, size=12), Alignment(horizontal="right",
                                                                       vertical="center"))
    ws.merge_cells("A4:E4")
    # as the 合计 cell below shows it (POINTS_FORMAT, 0.00): 综合得分：69.80 over 69.80
    score_text = f"{total + 0.0:.2f}" if complete else (
        f"（未评完，{scoring.missing_text(missing, table)}）" if points else "")
    put(4, 1, f"综合得分：{score_text}", Font(name=FONT, size=12))
    for r in (3, 4):
        ws.row_dimensions[r].height = 24

    head = 5
    for c, h in enumerate(HEADERS, 1):
        put(head, c, h, bold, center, box)
    ws.row_dimensions[head].height = 26

    r = head + 1
    for part in table.parts:
        first = r
        for item in part.items:
            put(r, 1, item.no, body, center, box)
            put(r, 2, f"{part.name}\n（{fmt_points(part.max)}分）" if r == first else None,
                bold, center, box)
            put(r, 3, item.text, body, left, box)
            put(r, 4, f"{fmt_points(item.max)}分", body, center, box)
            cell = put(r, 5, points.get(item.no), bold, center, box)
            cell.number_format = POINTS_FORMAT
            ws.row_dimensions[r].height = max(_row_height(item.text),
                                              44.0 if len(part.items) == 1 else 0.0)
            r += 1
        if r - 1 > first:
            ws.merge_cells(start_row=first, start_column=2, end_row=r - 1, end_column=2)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
    put(r, 1, "合计", bold, center, box)
    for c in (2, 3):
        ws.cell(r, c).border = box
    put(r, 4, f"{fmt_points(table.max_total)}分", bold, center, box)
    put(r, 5, total if complete else None, bold, center, box).number_format = POINTS_FORMAT
    ws.row_dimensions[r].height = 26

    r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
    if state:
        foot = (f"定稿指纹：{scoring.short_fingerprint(state['fingerprint'])}"
                f"（{year}年度评分于 {state['finalized_at'][:10]} 定稿；指纹用于核对本表与"
                "办公室数据库中的评分是否一致）")
    else:
        foot = f"草稿：{year}年度评分尚未定稿，分数可能变动。"
    # body size: the page is fitted to A4 (about 0.78), and printed type stays >= 9 pt
    put(r, 1, foot, Font(name=FONT, size=12, color="555555"), left)
    ws.row_dimensions[r].height = 34

    ws.print_area = f"A1:E{r}"
    setup_a4(ws, landscape=False, one_page=True, title_rows=f"{head}:{head}")
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.5  # one page at >= 0.75 (9 pt)
    ws.oddFooter.center.size = ws.oddFooter.right.size = 12  # scaled with the page, like the body
    save_workbook(wb, path)


# ----------------------------------------------------------------------------- reading

_YEAR = re.compile(r"(\d{4})")


def _after_label(row: list[Any], c: int, label: str) -> str:
    """The text after `label：` in cell c, else the next non-empty cell of the row."""
    from cdo.sheets.read import clean_text

    text = clean_text(row[c])
    rest = re.sub(r"^" + r"\s*".join(label) + r"\s*[:：]?\s*", "", text)
    rest = rest.strip("_＿ \u3000")
    if rest:
        return rest
    for v in row[c + 1:]:
        t = clean_text(v).strip("_＿ \u3000")
        if t:
            return t
    return ""


class UnitResolver(Protocol):
    """What the readers need of the unit register: a unit for a name as written."""

    def resolve(self, text: str) -> Any: ...


@dataclass
class Cell:
    """One point read from a file, with its place for messages."""

    unit: Any  # the unit the resolver returned
    item: int
    raw: Any
    place: str  # '文件 X，工作表 Y，D5' etc.



@dataclass
class ReadResult:
    cells: list[Cell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sources: int = 0  # files/sheets/rows read
    warnings: list[str] = field(default_factory=list)  # columns not read, each named
    # years a file names (its name, a sheet's name, its title): (path, where, year)
    years: list[tuple[Path, str, int]] = field(default_factory=list)
    # the year a filled 附件2 states in its 评价年度 cell: (what it is, year)
    stated: list[tuple[str, int]] = field(default_factory=list)



def formula_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """{sheet name: {(row, col) 0-based}} of cells holding a formula, for an .xlsx.

    Read with cached values, a formula saved by a program that does not compute (a
    script, some exporters) looks blank; this finds them so they are not taken for
    "not scored". Cheap when there are none: the sheet XML is scanned first.
    """
    import zipfile

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    try:
        with zipfile.ZipFile(path) as z:
            has_formula = any(_holds_formula(z, n) for n in z.namelist()
                              if n.startswith("xl/worksheets/sheet"))
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}
    if not has_formula:
        return {}
    import openpyxl

    from cdo.sheets.read import MAX_COLUMNS

    found: dict[str, set[tuple[int, int]]] = {}
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # the values were read already; this is only a hint
        return {}
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # bounded like read_table: never the declared size
            found[ws.title] = {
                (r, c)
                for r, row in enumerate(ws.iter_rows(max_row=MAX_GRID_ROWS, max_col=MAX_COLUMNS,
                                                     values_only=True))
                for c, v in enumerate(row)
                if isinstance(v, str) and v.startswith("=")
            }
    except Exception:
        return {}
    finally:
        wb.close()
    return found


def _holds_formula(z, name: str) -> bool:
    """Whether a sheet's XML has a <f> element, read in chunks (never whole)."""
    tail = b""
    with z.open(name) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            if b"<f>" in data or b"<f " in data:
                return True
            tail = data[-3:]
    return False


FORMULA_HINT = "是公式但文件里没有计算结果，请在 Excel/WPS 中打开后保存，或“粘贴为数值”后再导入"


def parse_item_label(value: Any) -> int | None:
    """An item-number header: 1, 1.0, '1', '1.0', '第1项', '项目1', '序号1', '1项' → 1."""
    import re
    import unicodedata

    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    # an office often prints the maximum beside the number: '1(5分)', '第1项5分'
    text = re.sub(r"[(\[（【]?(?:满分)?\d+(?:\.\d+)?分[)\]）】]?$", "", text)
    m = re.fullmatch(r"(?:第|项目|序号|item)?(\d{1,3})(?:\.0+)?(?:项)?", text, re.IGNORECASE)
    return int(m.group(1)) if m else None



# ----------------------------------------------------------------------------- grid headers

# Columns of a score grid that are not items: read by nobody, mentioned to nobody.
NOT_ITEM_LABELS = ("序号", "编号", "合计", "总计", "总分", "得分", "综合得分", "得分合计", "小计",
                   "排名", "名次", "备注", "说明", "类别", "单位类别", "分类", "类型", "等次",
                   "等级", "评价等次", "考评等次", "联系人", "联系电话")
_MAX_MARK = re.compile(r"[(\[（【]?(?:满分)?\d+(?:\.\d+)?分[)\]）】]?$")
_NUMBER_LEAD = re.compile(r"^(?:第|项目|序号|item)?(\d{1,3})(?:\.0+(?!\d))?(?:项)?", re.IGNORECASE)
MIN_NAME_CHARS = 4  # a shorter name (数据, 共享) fits too many items to mean one


@dataclass
class ItemHeader:
    """What a grid column's header says: an item (`no`), an error (`problem`: a number
    not in 附件2, a number and a name that disagree, a name fitting several items), a
    column known not to be an item (`other`), or nothing recognisable (all empty)."""

    no: int | None = None
    problem: str | None = None
    other: bool = False


@cache
def _item_texts(table: Table) -> tuple[tuple[int, str], ...]:
    from cdo.sheets.read import normalize_label

    return tuple((i.no, normalize_label(i.text)) for i in table.items)


def _item_names(table: Table, name: str) -> list[int]:
    """Items whose wording in 附件2 contains `name` (compared without spaces or marks)."""
    from cdo.sheets.read import normalize_label

    key = normalize_label(name)
    if len(key) < MIN_NAME_CHARS:
        return []
    return [no for no, text in _item_texts(table) if key in text]


def _part_items(table: Table, name: str) -> list[int] | None:
    from cdo.sheets.read import normalize_label

    key = normalize_label(name)
    for part in table.parts:
        if key and key in (normalize_label(part.name), normalize_label(part.name) + "小计",
                           normalize_label(part.name) + "得分"):
            return [i.no for i in part.items]
    return None


def item_header(value: Any, table: Table) -> ItemHeader:
    """Read a grid column header as an item of 附件2: a number (4, '4', '第4项', '4(10分)'),
    the item's wording or a part of it ('数据普查登记'), or both ('4.数据普查登记'). A
    number decides; a name beside it must not point at another item."""
    import unicodedata

    from cdo.sheets.read import clean_text, normalize_label

    no = parse_item_label(value)
    if no is not None:
        return ItemHeader(no) if no in table.by_no else ItemHeader(problem=(
            f"表头“{clean_text(value)}”不是附件2中的项目（项目序号为 "
            f"{scoring.numbers_text(table.numbers)}）"))
    if value is None or isinstance(value, int | float):
        return ItemHeader()
    shown = clean_text(value)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", shown))
    text = _MAX_MARK.sub("", text).lstrip("(（【[")
    m = _NUMBER_LEAD.match(text)
    number = int(m.group(1)) if m else None
    name = (text[m.end():] if m else text).strip(".、:：-_)）]】 ")
    if number is not None and not normalize_label(name):  # '4.', '4、', '(4)'
        return ItemHeader(number) if number in table.by_no else ItemHeader(problem=(
            f"表头“{shown}”不是附件2中的项目（项目序号为 {scoring.numbers_text(table.numbers)}）"))
    if name.isdigit() or not normalize_label(name):
        return ItemHeader()  # 1.5, 2023 …: not a header we know
    by_name = _item_names(table, name)
    part = _part_items(table, name)
    if number is not None:
        if number not in table.by_no:
            hint = f"（名称像第{by_name[0]}项）" if len(by_name) == 1 else ""
            return ItemHeader(problem=f"表头“{shown}”：附件2中没有第{number}项{hint}")
        if by_name and number not in by_name or part is not None and number not in part:
            other = by_name or part or []
            return ItemHeader(problem=(
                f"表头“{shown}”：序号 {number} 与名称“{name}”"
                f"（附件2第{'、'.join(map(str, other))}项）不一致，请核对"))
        return ItemHeader(number)
    if part is not None:  # a part's column is its subtotal, unless the part is one item
        return ItemHeader(part[0]) if len(part) == 1 else ItemHeader(other=True)
    if len(by_name) == 1:
        return ItemHeader(by_name[0])
    if len(by_name) > 1:
        return ItemHeader(problem=(
            f"表头“{shown}”可能是第{'、'.join(map(str, by_name))}项，请在表头写明项目序号"
            "（如“4.数据普查登记”）"))
    label = normalize_label(_MAX_MARK.sub("", shown))
    if any(label.startswith(normalize_label(w)) for w in NOT_ITEM_LABELS):
        return ItemHeader(other=True)
    return ItemHeader()


GRID_UNIT_HEADERS = ("单位", "单位名称", "考评对象", "被考评单位", "unit", "name")

# "2023年度", "2023 年" — but not "2024年1月" (a date the file was sent, not the year it
# scores) and not a bare number.
_NAMED_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")


def named_years(text: str) -> set[int]:
    """The evaluation years a file name or a title names: 2023年度, 2023年."""
    return {int(y) for y in _NAMED_YEAR.findall(text or "")}


def note_years(result: ReadResult, path: Path, sheet: str | None,
               rows: list[list[Any]], above: int) -> None:
    """Add the years named by the file's name, the sheet's name (2023年度, 2023年度评价表)
    and the title cells above row `above` (at most the first five rows) to
    `result.years`."""
    from cdo.sheets.read import clean_text, column_letter

    for y in named_years(path.stem):
        result.years.append((path, f"文件名“{path.name}”", y))
    for y in named_years(sheet or ""):
        result.years.append((path, f"{path.name}，工作表名“{sheet}”", y))
    where = f"{path.name}，工作表“{sheet}”" if sheet else path.name
    for r, row in enumerate(rows[:min(above, 5)]):
        for c, v in enumerate(row):
            if isinstance(v, str):
                for y in named_years(v):
                    result.years.append(
                        (path, f"{where}，{column_letter(c)}{r + 1} 标题“{clean_text(v)}”", y))


def find_grid_header(rows: list[list[Any]], table: Table, scan: int = 30) -> int | None:
    """The row of a grid's item headers: the first (within `scan`) naming two items, or
    one item and a unit column; None if none does, or if a form's 序号 … 得分 header
    comes first (a filled 附件2 lists items down its rows, one per row)."""
    from cdo.sheets.read import normalize_label

    unit_labels = {normalize_label(h) for h in GRID_UNIT_HEADERS}
    for r, row in enumerate(rows[:scan]):
        labels = [normalize_label(v) for v in row]
        items = sum(1 for v in row if item_header(v, table).no is not None)
        if items >= 2 or (items and any(x in unit_labels for x in labels)):
            return r
        if "序号" in labels and "得分" in labels:
            return None
    return None


def read_sheet(path: Path, table: Table, index: UnitResolver, year: int, result: ReadResult) -> int:
    """Add the points of every filled 附件2 in the workbook `path` to `result`.

    Returns how many forms were found. Problems (no unit, another year, unknown item
    number) are added to `result.problems`, each naming the file, sheet and cell.
    """
    from openpyxl.utils import get_column_letter

    from cdo.errors import InvalidInputError, NotFoundError
    from cdo.sheets.read import clean_text, hidden_said, normalize_label, read_table

    forms = 0
    sheets = read_table(path, merged=True, max_rows=MAX_GRID_ROWS)
    if sheets.hidden:
        result.warnings.append(f"{path.name}：{hidden_said(sheets.hidden)}（隐藏的工作表不作为数据导入）")
    formulas = formula_cells(path)
    for sheet in sheets:
        if find_grid_header(sheet.rows, table) is not None:
            continue  # a grid (one row per unit), even with a 考评对象 column: not a form
        fcells = formulas.get(sheet.name, set())
        where = f"{path.name}，工作表“{sheet.name}”"
        unit_text = year_text = None
        unit_place = ""
        head = None
        cols: dict[str, int] = {}
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                label = normalize_label(v)
                if label.startswith("考评对象") and unit_text is None:
                    unit_text = _after_label(row, c, "考评对象")
                    unit_place = f"{get_column_letter(c + 1)}{r + 1}"
                elif label.startswith("评价年度") and year_text is None:
                    year_text = _after_label(row, c, "评价年度")
            labels = [normalize_label(v) for v in row]
            if head is None and "序号" in labels and "得分" in labels:
                head = r
                cols = {"no": labels.index("序号"), "score": labels.index("得分")}
        if head is None and unit_text is None:
            continue  # not a 附件2 sheet
        forms += 1
        if head is None:
            result.problems.append(f"{where}：找不到“序号……得分”表头行，不像附件2评价表")
            continue
        if not unit_text:
            result.problems.append(f"{where}：没有填写考评对象（单位名称）")
            continue
        try:
            unit = index.resolve(unit_text)
        except (NotFoundError, InvalidInputError) as e:
            result.problems.append(f"{where}，{unit_place}：{e}")
            continue
        if year_text:
            m = _YEAR.search(year_text)
            if m:  # checked with the years the names and title name (--force overrides)
                result.stated.append(
                    (f"{where}：这是 {m.group(1)} 年度的评价表（{unit.name}）", int(m.group(1))))
        result.sources += 1
        note_years(result, path, sheet.name, sheet.rows, head)
        seen: set[int] = set()
        for r in range(head + 1, len(sheet.rows)):
            row = sheet.rows[r]
            no_raw = row[cols["no"]] if cols["no"] < len(row) else None
            if (r, cols["no"]) in sheet.merged and sheet.merged[(r, cols["no"])] != (r, cols["no"]):
                continue
            no = parse_item_label(no_raw)
            if no is None:
                continue  # 合计 row, a footnote, a repeated header …
            place = f"{where}，{get_column_letter(cols['score'] + 1)}{r + 1}"
            if no not in table.by_no:
                result.problems.append(
                    f"{where}，{get_column_letter(cols['no'] + 1)}{r + 1}："
                    f"序号 {clean_text(no_raw)} 不是附件2中的项目（{unit.name}）"
                )
                continue
            if no in seen:
                result.problems.append(f"{where}，{get_column_letter(cols['no'] + 1)}{r + 1}："
                                       f"第{no}项出现了两次（{unit.name}）")
                continue
            seen.add(no)
            raw = row[cols["score"]] if cols["score"] < len(row) else None
            if isinstance(raw, str) and not clean_text(raw):
                raw = None
            if raw is None and (r, cols["score"]) in fcells:
                result.problems.append(f"{place}（{unit.name}，第{no}项）：{FORMULA_HINT}")
            elif raw is not None:
                result.cells.append(Cell(unit, no, raw, place))
    return forms


def read_sheet_folder(folder: Path, table: Table, index: UnitResolver, year: int) -> ReadResult:
    """Every filled 附件2 in the .xlsx files of `folder` (and its subfolders)."""
    result = ReadResult()
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")
                   and not p.name.startswith(("~$", ".~")))
    if not files:
        raise CdoError(f"{folder}：文件夹里没有 .xlsx 评价表")
    for f in files:
        try:
            found = read_sheet(f, table, index, year, result)
        except CdoError as e:
            result.problems.append(str(e))
            continue
        if not found:
            result.problems.append(f"{f.name}：没有找到附件2评价表（缺少“考评对象”和“序号……得分”）")
    # one unit in two files is fine only if they agree; import_points checks values
    return result
