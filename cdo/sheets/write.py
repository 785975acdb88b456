"""The workbook writer: every sheet the tool writes goes through here (A4, typed cells,
text never a formula)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdo.errors import FileReadError


def display_width(text: Any) -> int:
    s = "" if text is None else str(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


@dataclass
class SheetSpec:
    name: str
    headers: list[str]
    rows: list[list[Any]]
    title: str | None = None
    footer: list[Any] | None = None
    landscape: bool = True


def set_text(cell, value: Any) -> None:
    """Put `value` in `cell`; strings always as text, so '=1+1' never runs."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value


def write_workbook(path: Path, sheets: Sequence[SheetSpec]) -> None:
    """Write sheets a clerk can filter and print: bold frozen header, filters, A4."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for spec in sheets:
        ws = wb.create_sheet(_sheet_name(spec.name))
        r0 = 1
        if spec.title:
            ws.cell(1, 1).value = spec.title
            ws.cell(1, 1).font = Font(bold=True, size=14)
            if len(spec.headers) > 1:
                ws.merge_cells(start_row=1, start_column=1, end_row=1,
                               end_column=len(spec.headers))
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
            r0 = 2
        for c, h in enumerate(spec.headers, 1):
            cell = ws.cell(r0, c)
            set_text(cell, h)
            cell.font = Font(bold=True)
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [display_width(h) for h in spec.headers]
        body = list(spec.rows) + ([spec.footer] if spec.footer is not None else [])
        for i, row in enumerate(body, r0 + 1):
            for c, v in enumerate(row, 1):
                cell = ws.cell(i, c)
                set_text(cell, v)
                cell.border = border
                if isinstance(v, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                if c <= len(widths):
                    widths[c - 1] = max(widths[c - 1], min(display_width(v), 60))
        if spec.footer is not None:
            for c in range(1, len(spec.headers) + 1):
                ws.cell(r0 + len(body), c).font = Font(bold=True)
        for c, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(c)].width = max(6, w + 2)
        ws.freeze_panes = ws.cell(r0 + 1, 1)
        if spec.rows and spec.headers:
            last = r0 + len(spec.rows)
            ws.auto_filter.ref = f"A{r0}:{get_column_letter(len(spec.headers))}{last}"
        setup_a4(ws, landscape=spec.landscape, title_rows=f"{r0}:{r0}")
    save_workbook(wb, path)


def setup_a4(ws, *, landscape: bool, one_page: bool = False,
             title_rows: str | None = None, page_numbers: bool = False) -> None:
    """Print on A4, fitted to the page width (and height with `one_page`), centred."""
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if page_numbers:
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet1"


def save_workbook(wb, path: Path) -> None:
    """Save, turning a missing folder or an open file into a clear message."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise FileReadError(f"{path}：输出文件须以 .xlsx 结尾")
    try:
        wb.save(path)
    except FileNotFoundError:
        raise FileReadError(f"{path}：所在文件夹不存在") from None
    except PermissionError:
        raise FileReadError(f"{path}：无法写入（文件可能正在 Excel 中打开，或没有权限）") from None
