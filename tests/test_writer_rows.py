"""The workbook writer puts data rows straight into the sheet's XML (no openpyxl cell per
value): what a reader sees must be what openpyxl makes of the same values cell by cell —
types, number formats, fonts, alignment, borders, row heights, the notes after the rows."""

import datetime as dt
import decimal

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

from cdo.masking import mask_numbers
from cdo.sheets import write
from cdo.sheets.write import NUMBER_FORMATS, SheetSpec, write_workbook

HEADERS = ["编号", "单位", "混合", "日期", "备注", "整改率", "分数", "问题描述"]
ODD = [" padded ", "=1+1", "a\x01b&<>", "电话 13812345678 联系", "", None, 7, False,
       "多行\n文本" * 3, decimal.Decimal("1.5"), dt.time(3, 4), "\r回车\r", "x" * 40_000]


def _rows():
    rows = []
    for i in range(120):
        rows.append([i, f"单位{i % 7}", [1, 1.0, True, None, "—", 2.5][i % 6],
                     [dt.date(2024, 1, i % 28 + 1), "2024-02-03", None,
                      dt.datetime(2024, 3, 4, 5, 6, 7)][i % 4],
                     ODD[i % len(ODD)], [0.25, 0.5, None][i % 3], [3, 4, 5][i % 3],
                     "问题描述" * (i % 30 + 1)])
    rows.append([999, "短行"])  # a short row: the rest empty
    return rows


def _spec():
    return SheetSpec("表", HEADERS, _rows(), title="标题", notes=["注一", "注二"],
                     footer=["合计", "", None, None, "x", 0.5, 12, ""],
                     formats={(3, 6): '"("0.0")"', (4, 6): "0.00"})


def _by_openpyxl(spec, path):
    """The same sheet with its data cells made one by one by openpyxl (how the writer
    made them before writing rows itself)."""
    wb = write.build_workbook([spec])
    ws = wb.worksheets[0]
    body = ws._cdo_body
    del ws._cdo_body
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    free = {c.index for c in body.cols if write._is_free_text(c.header)}
    for k, row in enumerate(body.rows):
        r = body.first + k
        foot = k == len(body.rows) - 1
        lines = 1
        for j, c in enumerate(body.cols, 1):
            value = write._cell_value(c.kind, row[c.index] if c.index < len(row) else None)
            cell = ws.cell(r, j)
            if c.kind in NUMBER_FORMATS and isinstance(value, int | float | dt.date) \
                    and not isinstance(value, bool):
                cell.value = value
                cell.number_format = spec.formats.get((k, c.index), NUMBER_FORMATS[c.kind])
                cell.alignment = Alignment(horizontal="right", vertical="center")
            else:
                if isinstance(value, str) and c.index in free:
                    value = mask_numbers(value)
                write.set_text(cell, value)
                if c.kind == "wrap":
                    cell.alignment = Alignment(vertical="center", wrap_text=True)
                    lines = max(lines, write._text_lines(value or "", c.width))
                elif c.kind in NUMBER_FORMATS:
                    cell.alignment = Alignment(horizontal="right", vertical="center")
                else:
                    cell.alignment = Alignment(vertical="center")
            cell.border = border
            cell.font = Font(name=write.FONT_NAME, size=write.BODY_PT, bold=foot)
        if lines > 1:
            ws.row_dimensions[r].height = lines * write.WRAPPED_LINE_PT + 3
    wb.save(path)


def _seen(path):
    ws = openpyxl.load_workbook(path).worksheets[0]
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            f, a, b = c.font, c.alignment, c.border
            value = c.value
            if isinstance(value, str):  # openpyxl keeps a CR with lxml installed, not without
                value = value.replace("\r", "\n")
            cells[c.coordinate] = (value, c.data_type, c.number_format, f.name, f.sz, f.b,
                                   a.horizontal, a.vertical, a.wrap_text, b.left.style)
    heights = {k: d.height for k, d in ws.row_dimensions.items() if d.height}
    return ws.dimensions, cells, heights, sorted(map(str, ws.merged_cells.ranges))


def test_data_rows_read_back_as_openpyxl_cells(tmp_path):
    write_workbook(tmp_path / "fast.xlsx", [_spec()])
    _by_openpyxl(_spec(), tmp_path / "cells.xlsx")
    fast, cells = _seen(tmp_path / "fast.xlsx"), _seen(tmp_path / "cells.xlsx")
    assert fast[0] == cells[0]  # the sheet's dimension counts the data rows
    assert fast[1] == cells[1]
    assert fast[2] == cells[2]  # wrapped rows as tall as their lines
    assert fast[3] == cells[3]  # the notes, merged, after the rows
    got = fast[1]
    assert got["A3"][0] == 0 and got["A3"][1] == "n"  # numbers stay numbers
    assert got["E4"][:2] == ("=1+1", "s")  # text never a formula
    assert "13812345678" not in str(got.values())  # phones in free text masked


def test_equal_values_of_different_types_are_different_cells(tmp_path):
    spec = SheetSpec("表", ["值"], [[1], [1.0], [True], [1]], kinds={"值": "text"})
    write_workbook(tmp_path / "a.xlsx", [spec])
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[0]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == [1, 1, "是", 1]
    assert [ws.cell(r, 1).data_type for r in range(2, 6)] == ["n", "n", "s", "n"]


def test_written_rows_are_freed_without_the_cycle_collector(tmp_path):
    """A sheet and its data rows' cells refer to each other; write_workbook lets go of
    them once saved, so they are freed at once, not at the collector's next full pass
    (the annual workbook pauses the collector while it writes 130,000 rows)."""
    import gc

    gc.collect()
    gc.disable()
    try:
        write_workbook(tmp_path / "a.xlsx", [SheetSpec("表", HEADERS, _rows(), title="标题")])
        assert not [o for o in gc.get_objects() if isinstance(o, write._Body)]
    finally:
        gc.enable()


def test_wrapped_lines_counted_as_a_spreadsheet_breaks_them():
    """Dates and IDs move to the next line whole, so a cell of them takes more lines than
    its width alone says; each line 16 pt (Chinese fonts' line pitch): the 评价依据 record
    of three tasks printed its first and last line cut off at 11 lines of 15 pt."""
    text = ("任务 #1〔数据共享责任清单〕城乡低保对象信息共享至城市大脑：时限 2023-06-30，"
            "2023-06-20 完成，按期完成（1）；任务 #2〔数据共享责任清单〕残疾人补贴发放信息共享："
            "时限 2023-09-30，2023-10-18 完成，逾期完成（年内）（0.5）；任务 #6〔数据回流任务清单〕"
            "省级社会保障卡数据回流：时限 2023-10-31，未完成（0）")
    assert write._text_lines(text, 28) >= 12
    assert write._text_lines("2023-06-30 " * 4, 12) == 4  # one date a line
    assert write._text_lines("数据" * 20, 21) == 4  # Chinese alone breaks anywhere
    assert write.WRAPPED_LINE_PT >= 16
