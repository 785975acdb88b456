"""Spreadsheet input and output. Rows are lists of cell values (str, number, date or
None); every reader answers an unreadable file with a FileReadError naming it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdo.errors import FileReadError

MAX_CELL_CHARS = 32_767  # Excel's own limit
MAX_COLUMNS = 200        # no form or list we read is wider; wider rows are cut

# Zero-width and direction marks: invisible, copied in from web pages and chat apps.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_LABEL_PUNCT = re.compile(r"[:：*＊()（）/／、·.．\-－_—]")


def normalize_label(text: Any) -> str:
    """A header or label as compared: no spaces of any width, no punctuation, NFKC."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACES.sub("", s)
    return _LABEL_PUNCT.sub("", s).lower()


def clean_text(value: Any) -> str:
    """Cell text with surrounding spaces (any width) trimmed; '' for empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return INVISIBLE.sub("", str(value)).strip(" \t\r\n\u3000\u00a0")


def has_symbols(text: str) -> bool:
    """True if `text` holds emoji or other pictographs (no part of a name).

    Private-use and not-yet-assigned characters are allowed: rare characters in names
    (生僻字) are often typed that way."""
    return any(unicodedata.category(ch) in ("So", "Cs") for ch in text)


@dataclass
class Sheet:
    """One sheet of cell values; `merged` maps each covered cell to its merge's top-left."""

    name: str
    rows: list[list[Any]]
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


def _check_file(path: Path) -> bytes:
    if not path.exists():
        raise FileReadError(f"{path}：文件不存在")
    if path.is_dir():
        raise FileReadError(f"{path}：这是一个文件夹，不是文件")
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise FileReadError(f"{path}：文件是空的")
    return head


def _is_ole(head: bytes) -> bool:
    return head.startswith(b"\xd0\xcf\x11\xe0")


def open_xlsx(path: Path, *, read_only: bool = False):
    """Open an .xlsx with openpyxl (values, not formulas); explain any failure in Chinese."""
    head = _check_file(path)
    if _is_ole(head):
        raise FileReadError(
            f"{path}：这是旧版 Excel（.xls）或 WPS 加密文件，请用 Excel 或 WPS 另存为 .xlsx 后再导入"
        )
    if not head.startswith(b"PK"):
        raise FileReadError(f"{path}：不是 Excel 文件（.xlsx），无法读取")
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, EOFError):
        raise FileReadError(f"{path}：文件已损坏或不完整（可能没有下载完），请让对方重新发送") from None
    except KeyError:
        raise FileReadError(f"{path}：不是 Excel 工作簿（缺少工作表内容），请另存为 .xlsx") from None
    except Exception as e:  # openpyxl raises many kinds on malformed XML
        raise FileReadError(f"{path}：无法读取这个 Excel 文件（{type(e).__name__}），请另存为 .xlsx 后再试") from None


def read_xlsx(path: Path, *, merged: bool = False) -> list[Sheet]:
    """Every sheet's cell values. With `merged`, also the merged ranges (slower)."""
    wb = open_xlsx(path, read_only=not merged)
    sheets = []
    try:
        for ws in wb.worksheets:
            try:
                rows = [_trim_row(list(r)) for r in ws.iter_rows(values_only=True)]
            except Exception as e:
                raise FileReadError(f"{path}，工作表“{ws.title}”：内容无法读取（{type(e).__name__}）") from None
            _check_cells(rows, path, ws.title)
            cover: dict[tuple[int, int], tuple[int, int]] = {}
            if merged:
                for rng in ws.merged_cells.ranges:
                    top = (rng.min_row - 1, rng.min_col - 1)
                    for r in range(rng.min_row, rng.max_row + 1):
                        for c in range(rng.min_col, rng.max_col + 1):
                            cover[(r - 1, c - 1)] = top
            sheets.append(Sheet(ws.title, rows, cover))
    finally:
        if not merged:
            wb.close()
    return sheets


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based column index: 0 → A, 27 → AB."""
    name = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _check_cells(rows: list[list[Any]], path: Path, sheet: str | None) -> None:
    # Excel and WPS cannot hold more than 32,767 characters in a cell: a longer one means
    # the file was not made by them, and no field we read is anywhere near that long.
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if type(v) is str and len(v) > MAX_CELL_CHARS:
                where = f"{path}，工作表“{sheet}”" if sheet else f"{path}"
                raise FileReadError(
                    f"{where}，第 {r + 1} 行 {column_letter(c)} 列：单元格有 {len(v)} 个字符，"
                    f"超过 Excel 单元格上限 {MAX_CELL_CHARS}，请核对文件"
                )


def _trim_row(row: list[Any]) -> list[Any]:
    if len(row) > MAX_COLUMNS:
        row = row[:MAX_COLUMNS]
    while row and (row[-1] is None or row[-1] == ""):
        row.pop()
    return row


def decode_text(data: bytes, path: Path) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), GBK/GB18030 as Excel saves CSV, or
    UTF-16 with a BOM as Excel saves "Unicode 文本"."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileReadError(f"{path}：UTF-16 文本已损坏，无法读取") from None
    if b"\x00" in data[:4096]:
        raise FileReadError(f"{path}：不是文本 CSV 文件（可能是改了扩展名的其他文件）")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FileReadError(f"{path}：无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV")


def read_csv(path: Path) -> list[Sheet]:
    head = _check_file(path)
    if head.startswith(b"PK") or _is_ole(head):
        raise FileReadError(f"{path}：这是 Excel 文件，不是 CSV，请把扩展名改为 .xlsx")
    text = decode_text(path.read_bytes(), path)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        csv.field_size_limit(MAX_CELL_CHARS * 4)
        rows = [_trim_row(list(r)) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise FileReadError(
                f"{path}：有单元格超过 Excel 单元格上限 {MAX_CELL_CHARS} 个字符，请核对文件"
            ) from None
        raise FileReadError(f"{path}：CSV 格式有误（{e}）") from None
    _check_cells(rows, path, None)
    return [Sheet(path.stem, rows)]


def read_table(path: Path, *, merged: bool = False) -> list[Sheet]:
    """Read an .xlsx (every sheet) or a .csv (one sheet), by extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, merged=merged)
    if suffix in (".xls", ".et"):
        raise FileReadError(f"{path}：这是旧版 Excel（{suffix}）文件，请用 Excel 或 WPS 另存为 .xlsx 后再导入")
    raise FileReadError(f"{path}：只能读取 .xlsx 或 .csv 文件")


@dataclass
class Header:
    """Where a header row is and which column holds each wanted field."""

    row: int
    columns: dict[str, int]


def sheet_place(path: Path, sheet: str) -> str:
    """How a message starts for a sheet of `path`: the file, and the sheet unless the
    file is a CSV (whose one sheet is named after the file)."""
    if Path(path).suffix.lower() in (".csv", ".txt"):
        return f"{path}，"
    return f"{path}，工作表“{sheet}”，"


class AmbiguousHeaderError(FileReadError):
    """Two columns of a header row could both be the same field."""


def find_header(rows: Sequence[Sequence[Any]], fields: Mapping[str, Sequence[str]],
                required: Sequence[str], *, scan: int = 30, where: str = "") -> Header | None:
    """Find the first row (within `scan`) naming every required field.

    `fields` maps a field key to its accepted header spellings (compared normalized;
    the first spelling names the field in messages). When several columns of the row
    fit one field, the longest (most specific) label wins: 问题数据量 over 数据量, wherever
    they stand. Two columns fitting equally well raise AmbiguousHeaderError naming both
    (`where` — file and sheet — starts its message). Returns None if no row fits.
    """
    wanted = {key: {normalize_label(a) for a in aliases} for key, aliases in fields.items()}
    for r, row in enumerate(rows[:scan]):
        found: dict[str, list[tuple[int, str]]] = {}
        for c, cell in enumerate(row):
            label = normalize_label(cell)
            if not label:
                continue
            for key, aliases in wanted.items():
                if label in aliases:
                    found.setdefault(key, []).append((c, label))
                    break
        if not all(k in found for k in required):
            continue
        columns: dict[str, int] = {}
        for key, cands in found.items():
            best = max(len(label) for _, label in cands)
            top = [c for c, label in cands if len(label) == best]
            if len(top) > 1:
                a, b = top[:2]
                raise AmbiguousHeaderError(
                    f"{where}第 {r + 1} 行表头：{column_letter(a)} 列“{clean_text(row[a])}”和 "
                    f"{column_letter(b)} 列“{clean_text(row[b])}”都像“{fields[key][0]}”列，"
                    "无法确定读哪一列；请删去或改名其中一列后再导入")
            columns[key] = top[0]
        return Header(r, columns)
    return None


def iter_records(rows: Sequence[Sequence[Any]], header: Header) -> Iterator[tuple[int, dict]]:
    """(1-based spreadsheet row number, {field: raw value}) for each non-blank row below."""
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        rec = {k: (row[c] if c < len(row) else None) for k, c in header.columns.items()}
        if all(clean_text(v) == "" for v in rec.values()):
            continue
        yield r + 1, rec
