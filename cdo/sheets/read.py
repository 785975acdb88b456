"""Spreadsheet input and output. Rows are lists of cell values (str, number, date or
None); every reader answers an unreadable file with a FileReadError naming it."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdo.errors import FileReadError, os_reason
from cdo.sheets.text import CONTROLS as CONTROLS  # re-exported: read.py was their home
from cdo.sheets.text import DATE_SPELLINGS as DATE_SPELLINGS
from cdo.sheets.text import INVISIBLE as INVISIBLE
from cdo.sheets.text import cell_date as cell_date
from cdo.sheets.text import clean_text as clean_text
from cdo.sheets.text import has_controls as has_controls
from cdo.sheets.text import has_symbols as has_symbols
from cdo.sheets.text import normalize_label as normalize_label

MAX_CELL_CHARS = 32_767  # Excel's own limit
MAX_COLUMNS = 200        # no form or list we read is wider; wider rows are cut
# Bounds on any file imported, so that a hostile or broken one is refused within about a
# minute and 500 MB (see tests/test_bounds.py): the importers pass their own max_rows.
MAX_INPUT_BYTES = 30 * 2**20      # on disk
MAX_UNPACKED_BYTES = 120 * 2**20  # an .xlsx/.ods is a zip: all its parts once unpacked
MAX_PART_BYTES = {"xl/sharedStrings.xml": 50 * 2**20, "xl/styles.xml": 20 * 2**20}
MAX_RATIO = 200                   # unpacked / packed, for a part over 1 MB
MAX_ZIP_PARTS = 10_000
MAX_SHEETS = 200
MAX_ROWS = 100_000                # a sheet, unless the importer says otherwise
MAX_CELLS = 3_000_000             # non-blank-row cells in one file
MAX_XML_CELLS = 2_000_000         # <c> elements in all sheets of an .xlsx, blank ones too

@dataclass
class Sheet:
    """One sheet of cell values; `merged` maps each covered cell to its merge's top-left."""

    name: str
    rows: list[list[Any]]
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


class Sheets(list[Sheet]):
    """The sheets of a file that are read: the visible ones. `hidden` names the hidden and
    very hidden sheets passed over (an old list, a draft: never data to import)."""

    def __init__(self, sheets: Iterable[Sheet] = (), hidden: Iterable[str] = ()) -> None:
        super().__init__(sheets)
        self.hidden = list(hidden)


def hidden_said(hidden: Sequence[str]) -> str:
    """跳过隐藏的工作表“草稿”、“旧名单”, for an import's summary; '' when none."""
    return "跳过隐藏的工作表" + "、".join(f"“{n}”" for n in hidden) if hidden else ""


def _all_hidden(path: Path, hidden: list[str]) -> FileReadError:
    return FileReadError(f"{path}：所有工作表都是隐藏的（{'、'.join(hidden)}），没有可导入的内容；"
                         "请在 Excel/WPS 中取消隐藏要导入的工作表后另存再导入")


def _check_file(path: Path) -> bytes:
    """The first bytes of the regular file at `path`; FileReadError for anything else
    (missing, a folder, a FIFO or device, unreadable, empty, beyond MAX_INPUT_BYTES)."""
    try:
        # O_NONBLOCK: a FIFO must not block the import until someone writes to it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FileReadError(f"{path}：文件不存在") from None
    except IsADirectoryError:
        raise FileReadError(f"{path}：这是一个文件夹，不是文件") from None
    except OSError as e:
        raise unreadable(path, e) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileReadError(f"{path}：这是一个文件夹，不是文件")
        if not stat.S_ISREG(st.st_mode):
            raise FileReadError(f"{path}：不是普通文件（可能是管道或设备），只能导入表格文件")
        if st.st_size > MAX_INPUT_BYTES:
            raise FileReadError(
                f"{path}：文件有 {st.st_size / 2**20:.0f} MB，超过 cdo 导入文件的上限 "
                f"{MAX_INPUT_BYTES // 2**20} MB；请核对文件，必要时拆成几份分别导入")
        try:
            head = os.read(fd, 8)
        except OSError as e:
            raise FileReadError(f"{path}：无法读取这个文件（{os_reason(e)}）") from None
    finally:
        os.close(fd)
    if not head:
        raise FileReadError(f"{path}：文件是空的")
    return head


def unreadable(path: Path, e: OSError) -> FileReadError:
    """Why a file could not be opened, as the clerk can act on it."""
    if isinstance(e, PermissionError):
        return FileReadError(f"{path}：无法打开：没有读取权限，或文件正被 Excel/WPS 打开。"
                             "请关闭该文件（或检查文件权限）后再导入")
    return FileReadError(f"{path}：无法打开这个文件（{os_reason(e)}）")


def _is_ole(head: bytes) -> bool:
    return head.startswith(b"\xd0\xcf\x11\xe0")


def _zip_kind(path: Path) -> str:
    """What a zip file holds ('xlsx', 'ods', 'docx', 'pptx' or '?'), after checking that
    unpacking it stays within bounds (a zip bomb is refused before anything is parsed)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            mimetype = z.read("mimetype")[:100] if "mimetype" in names else b""
    except PermissionError as e:
        raise unreadable(path, e) from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError):
        raise FileReadError(f"{path}：文件已损坏或不完整（可能没有下载完），请让对方重新发送") from None
    if len(infos) > MAX_ZIP_PARTS:
        raise FileReadError(f"{path}：文件内部有 {len(infos)} 个部件，不像是正常的表格文件，无法读取")
    total = 0
    for i in infos:
        total += i.file_size
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > MAX_PART_BYTES.get(i.filename, MAX_UNPACKED_BYTES) or (
                i.file_size > 2**20 and ratio > MAX_RATIO):
            raise FileReadError(
                f"{path}：文件内部的 {i.filename} 解压后有 {i.file_size / 2**20:.0f} MB"
                f"（压缩了 {ratio:.0f} 倍），超过 cdo 能安全读取的范围；"
                "请核对文件（可能是恶意构造的文件），必要时删去空白行列后另存再导入")
    if total > MAX_UNPACKED_BYTES:
        raise FileReadError(
            f"{path}：文件解压后共 {total / 2**20:.0f} MB，超过 cdo 能安全读取的 "
            f"{MAX_UNPACKED_BYTES // 2**20} MB；请核对文件，必要时拆成几份分别导入")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if "word/document.xml" in names or mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return "?"


_NOT_A_SHEET = {
    "docx": "这是 Word 文档，不是 Excel 表格（可能是改了扩展名），请让对方发来表格文件",
    "pptx": "这是 PowerPoint 演示文稿，不是 Excel 表格（可能是改了扩展名），请让对方发来表格文件",
    "?": "不是 Excel 表格文件（.xlsx），无法读取",
}


def open_xlsx(path: Path, *, read_only: bool = True):
    """Open an .xlsx with openpyxl (values, not formulas), read-only: cells are streamed,
    never built from the sheet's declared size. Explains any failure in Chinese."""
    head = _check_file(path)
    if _is_ole(head):
        raise FileReadError(
            f"{path}：这是旧版 Excel（.xls）或 WPS 加密文件，请用 Excel 或 WPS 另存为 .xlsx 后再导入"
        )
    if not head.startswith(b"PK"):
        raise FileReadError(f"{path}：不是 Excel 文件（.xlsx），无法读取")
    kind = _zip_kind(path)
    if kind != "xlsx":
        raise FileReadError(f"{path}：{_NOT_A_SHEET.get(kind, _NOT_A_SHEET['?'])}")
    return _load_xlsx(path, read_only=read_only)


def _load_xlsx(path: Path, *, read_only: bool = True):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, EOFError):
        raise FileReadError(f"{path}：文件已损坏或不完整（可能没有下载完），请让对方重新发送") from None
    except KeyError:
        raise FileReadError(f"{path}：不是 Excel 工作簿（缺少工作表内容），请另存为 .xlsx") from None
    except OSError as e:
        raise unreadable(path, e) from None
    except Exception as e:  # openpyxl raises many kinds on malformed XML
        raise _parse_error(path, None, e) from None


def _parse_error(path: Path, sheet: str | None, e: Exception) -> FileReadError:
    where = f"{path}，工作表“{sheet}”" if sheet else f"{path}"
    cause: BaseException | None = e
    while cause is not None and not type(cause).__module__.startswith("defusedxml"):
        cause = cause.__cause__ or cause.__context__  # openpyxl wraps it in a ValueError
    if cause is not None:
        # an XML entity or external reference: what Excel never writes, and what an
        # attack (XXE, billion laughs) needs
        return FileReadError(f"{where}：文件里有不安全的 XML 内容（实体声明或外部引用），"
                             "不是 Excel/WPS 保存的文件，已拒绝读取")
    return FileReadError(f"{where}：无法读取这个 Excel 文件（{type(e).__name__}），请另存为 .xlsx 后再试")


class _Budget:
    """Rows, sheets and cells read so far from one file, against the limits."""

    def __init__(self, path: Path, max_rows: int):
        self.path, self.max_rows, self.cells, self.sheets = path, max_rows, 0, 0

    def sheet(self) -> None:
        self.sheets += 1
        if self.sheets > MAX_SHEETS:
            raise FileReadError(f"{self.path}：工作表超过 {MAX_SHEETS} 个，不像是要导入的文件，请核对")

    def rows(self, rows: Iterator[Sequence[Any]], sheet: str | None) -> list[list[Any]]:
        """The rows (trimmed), at most max_rows; refuses a sheet with a non-blank row
        beyond that or too many cells in all. Blank rows beyond it are passed over."""
        out: list[list[Any]] = []
        blank: Any = None
        for n, raw in enumerate(rows, 1):
            if raw is blank:  # openpyxl yields one shared tuple for every missing row
                if n <= self.max_rows:
                    out.append([])
                continue
            row = _trim_row(list(raw[:MAX_COLUMNS]))
            if not row and isinstance(raw, tuple):
                blank = raw
            if n > self.max_rows:
                if not row:
                    continue  # a stray format far down the sheet: harmless
                where = f"{self.path}，工作表“{sheet}”" if sheet else f"{self.path}"
                raise FileReadError(
                    f"{where}：第 {n} 行还有内容，超过这类文件最多 "
                    f"{self.max_rows} 行的上限；请核对文件（删去多余的行），必要时拆成几份分别导入")
            out.append(row)
            self.cells += len(row)
            if self.cells > MAX_CELLS:
                raise FileReadError(
                    f"{self.path}：单元格超过 {MAX_CELLS} 个，超过 cdo 一次能导入的上限；"
                    "请拆成几份分别导入")
        return out


def _count_xml_cells(path: Path) -> None:
    """Refuse an .xlsx whose sheets hold more than MAX_XML_CELLS cell elements, blank ones
    included (parsing costs a few microseconds each: millions of `<c/>` take minutes).
    Counted on the raw bytes, streamed, before anything is parsed."""
    cell = re.compile(rb"<c[ />]")
    total = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            tail = b""
            with z.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    data = tail + chunk  # a match across the boundary is counted once
                    total += len(cell.findall(data))
                    tail = data[-2:]
                    if total > MAX_XML_CELLS:
                        raise FileReadError(
                            f"{path}：表格里有超过 {MAX_XML_CELLS} 个单元格（含空白格式），"
                            "超过 cdo 一次能读取的上限；请删去多余的空白行列后另存，"
                            "必要时拆成几份分别导入")


def read_xlsx(path: Path, *, merged: bool = False, max_rows: int = MAX_ROWS) -> Sheets:
    """Every visible sheet's cell values (hidden ones are named in `hidden`). With `merged`,
    also the merged ranges."""
    wb = open_xlsx(path)
    try:
        _count_xml_cells(path)
    except (zipfile.BadZipFile, OSError, KeyError):
        wb.close()
        raise FileReadError(f"{path}：文件已损坏或不完整（可能没有下载完），请让对方重新发送") from None
    except FileReadError:
        wb.close()
        raise
    budget = _Budget(path, max_rows)
    sheets = Sheets()
    try:
        for ws in wb.worksheets:
            budget.sheet()
            if not hasattr(ws, "reset_dimensions"):  # a chartsheet: no cells
                continue
            if ws.sheet_state in ("hidden", "veryHidden"):
                sheets.hidden.append(ws.title)
                continue
            ws.reset_dimensions()  # the declared size may lie (A1:XFD1048576)
            try:
                rows = budget.rows(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), ws.title)
            except FileReadError:
                raise
            except Exception as e:
                raise _parse_error(path, ws.title, e) from None
            _check_cells(rows, path, ws.title)
            cover = _xlsx_merges(path, ws, rows) if merged else {}
            sheets.append(Sheet(ws.title, rows, cover))
    finally:
        wb.close()
    if sheets.hidden and not sheets:
        raise _all_hidden(path, sheets.hidden)
    return sheets


def _cover(ranges: Iterator[tuple[int, int, int, int]], rows: list[list[Any]], path: Path,
           sheet: str) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell covered by a merge (0-based min_row, min_col, max_row, max_col), mapped to
    the merge's top-left; clipped to the rows read and MAX_COLUMNS."""
    cover: dict[tuple[int, int], tuple[int, int]] = {}
    last_row = len(rows) - 1
    for r0, c0, r1, c1 in ranges:
        if r0 > last_row or c0 >= MAX_COLUMNS or r0 < 0 or c0 < 0:
            continue
        for r in range(r0, min(r1, last_row) + 1):
            for c in range(c0, min(c1, MAX_COLUMNS - 1) + 1):
                cover[(r, c)] = (r0, c0)
        if len(cover) > MAX_CELLS:
            raise FileReadError(f"{path}，工作表“{sheet}”：合并单元格过多，超过 cdo 能读取的上限")
    return cover


def _xlsx_merges(path: Path, ws: Any, rows: list[list[Any]]) -> dict:
    """The merged ranges of a read-only worksheet, read from its XML (openpyxl's read-only
    mode does not keep them), streamed with defusedxml."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    member = getattr(ws, "_worksheet_path", None)
    if not member:
        return {}

    def ranges() -> Iterator[tuple[int, int, int, int]]:
        with zipfile.ZipFile(path) as z, z.open(member.lstrip("/")) as fh:
            for _event, el in iterparse(fh):
                if el.tag.endswith("}mergeCell"):
                    ref = el.get("ref") or ""
                    try:
                        c0, r0, c1, r1 = range_boundaries(ref)
                    except (ValueError, TypeError):
                        continue
                    if None not in (c0, r0, c1, r1):
                        yield r0 - 1, c0 - 1, r1 - 1, c1 - 1
                el.clear()

    try:
        return _cover(ranges(), rows, path, ws.title)
    except FileReadError:
        raise
    except Exception as e:
        raise _parse_error(path, ws.title, e) from None


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


def read_csv(path: Path, *, max_rows: int = MAX_ROWS) -> Sheets:
    head = _check_file(path)
    if head.startswith(b"PK") or _is_ole(head):
        raise FileReadError(f"{path}：这是 Excel 文件，不是 CSV，请把扩展名改为 .xlsx")
    try:
        with path.open("rb") as fh:  # a regular file no bigger than MAX_INPUT_BYTES
            data = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as e:
        raise unreadable(path, e) from None
    text = decode_text(data, path)
    del data
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        csv.field_size_limit(MAX_CELL_CHARS * 4)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = _Budget(path, max_rows).rows(reader, None)
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise FileReadError(
                f"{path}：有单元格超过 Excel 单元格上限 {MAX_CELL_CHARS} 个字符，请核对文件"
            ) from None
        raise FileReadError(f"{path}：CSV 格式有误（{e}）") from None
    _check_cells(rows, path, None)
    return Sheets([Sheet(path.stem, rows)])


def read_table(path: Path, *, merged: bool = False, max_rows: int = MAX_ROWS) -> Sheets:
    """Read an .xlsx, .xls, .ods or .et (every visible sheet: a hidden one is never data,
    and is named in the result's `hidden`) or a .csv (one sheet).

    At most `max_rows` rows a sheet (the importer's own bound), MAX_COLUMNS columns,
    MAX_CELLS cells and MAX_INPUT_BYTES on disk; anything beyond is refused with a
    FileReadError naming the file, never read into memory."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return read_csv(path, max_rows=max_rows)
    if suffix in (".xlsx", ".xlsm", *OTHER_SHEET_SUFFIXES):
        head = _check_file(path)
        if head.startswith(b"PK"):
            kind = _zip_kind(path)
            if kind == "xlsx":
                return read_xlsx(path, merged=merged, max_rows=max_rows)
            if kind == "ods":
                return read_with_calamine(path, max_rows=max_rows, merged=merged)
            raise FileReadError(f"{path}：{_NOT_A_SHEET.get(kind, _NOT_A_SHEET['?'])}")
        if _is_ole(head):
            return read_with_calamine(path, max_rows=max_rows, merged=merged)
        raise FileReadError(f"{path}：不是 Excel 文件（{suffix}），无法读取")
    raise FileReadError(f"{path}：只能读取 .xlsx、.xls、.ods、.et 或 .csv 文件")


# ----------------------------------------------------------------------------- .xls, .ods

OTHER_SHEET_SUFFIXES = (".xls", ".ods", ".et")
CALAMINE_MEMORY = 512 * 2**20  # address space of the reading process
CALAMINE_SECONDS = 60


def read_with_calamine(path: Path, *, max_rows: int = MAX_ROWS,
                       merged: bool = False) -> Sheets:
    """Read an .xls, .et or .ods with python-calamine, in a child process under a memory
    and time limit: calamine lays out a sheet's whole declared area in memory, which a
    crafted file can make enormous, and the child dies instead of this process."""
    import pickle
    import subprocess
    import sys

    code = "import sys; from cdo.sheets.read import _calamine_main; _calamine_main()"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(path), str(max_rows), "1" if merged else "0"],
            capture_output=True, timeout=CALAMINE_SECONDS, preexec_fn=_limit_child)
    except subprocess.TimeoutExpired:
        raise FileReadError(f"{path}：{CALAMINE_SECONDS} 秒内没有读完，文件过大或内容异常，"
                            "请另存为 .xlsx 后再试") from None
    if proc.returncode != 0 or not proc.stdout:
        raise FileReadError(f"{path}：{_kind_said(path)}，但无法读取（文件已损坏、加密或过大），"
                            "请用 Excel/WPS 打开后另存为 .xlsx 再导入")
    kind, payload = pickle.loads(proc.stdout)  # our own child's output
    if kind == "error":
        raise FileReadError(payload)
    read, hidden = payload
    sheets = Sheets((Sheet(name, rows, cover) for name, rows, cover in read), hidden)
    if hidden and not sheets:
        raise _all_hidden(path, hidden)
    return sheets


def _limit_child() -> None:
    import resource

    for kind, limit in ((resource.RLIMIT_AS, CALAMINE_MEMORY),
                        (resource.RLIMIT_CPU, CALAMINE_SECONDS)):
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:  # never above a limit this process runs under
            limit = min(limit, hard)
        resource.setrlimit(kind, (limit, limit))


def _calamine_main() -> None:
    """The child process of read_with_calamine: argv path, max_rows, merged; a pickle of
    ('ok', ([(name, rows, cover)], [hidden name])) or ('error', message) on stdout."""
    import pickle
    import sys

    path, max_rows, merged = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    try:
        result: tuple[str, Any] = ("ok", _calamine_sheets(path, max_rows, merged))
    except FileReadError as e:
        result = ("error", str(e))
    sys.stdout.buffer.write(pickle.dumps(result))


def _calamine_sheets(path: Path, max_rows: int, merged: bool) -> tuple[list[tuple], list[str]]:
    import python_calamine as pc

    try:
        with path.open("rb") as fh:  # by content, whatever the extension says
            wb = pc.CalamineWorkbook.from_filelike(fh)
    except pc.PasswordError:
        raise FileReadError(f"{path}：文件设置了密码，请取消密码后另存再导入") from None
    except Exception:
        raise FileReadError(f"{path}：{_kind_said(path)}，但无法读取（可能已损坏或设置了密码），"
                            "请用 Excel/WPS 打开后另存为 .xlsx 再导入") from None
    budget = _Budget(path, max_rows)
    out = []
    hidden = []
    for meta in wb.sheets_metadata:
        name = meta.name
        budget.sheet()
        if meta.visible != pc.SheetVisibleEnum.Visible:  # hidden or very hidden
            hidden.append(name)
            continue
        try:
            ws = wb.get_sheet_by_name(name)
            rows = budget.rows(_calamine_rows(ws), name)
        except FileReadError:
            raise
        except Exception as e:
            raise FileReadError(f"{path}，工作表“{name}”：内容无法读取（{type(e).__name__}）") from None
        _check_cells(rows, path, name)
        cover: dict = {}
        if merged:
            ranges = ws.merged_cell_ranges
            if ranges is None and _zip_head(path):  # an .ods
                ranges = list(_ods_merges(path, name))
            cover = _cover(((r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges or []),
                           rows, path, name)
        out.append((name, rows, cover))
    return out, hidden


def _kind_said(path: Path) -> str:
    return "这是 .ods 表格文件" if _zip_head(path) else "这是旧版 Excel（.xls）或 WPS 表格文件"


def _zip_head(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"PK"


def _calamine_rows(ws: Any) -> Iterator[list[Any]]:
    """Rows as openpyxl gives them: None for an empty cell, from row 1 and column A."""
    top, left = ws.start or (0, 0)
    for _ in range(top):
        yield []
    for row in ws.iter_rows():
        yield [None] * left + [None if v == "" else v for v in row[: MAX_COLUMNS - left]]


_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(path: Path, sheet: str) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges of one sheet of an .ods (calamine does not give them), from
    content.xml streamed with defusedxml."""
    from defusedxml.ElementTree import iterparse

    with zipfile.ZipFile(path) as z, z.open("content.xml") as fh:
        inside = False
        row = -1
        col = 0
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag
            if tag == f"{_ODS}table":
                inside = event == "start" and el.get(f"{_ODS}name") == sheet
                row = -1
                if event == "end":
                    el.clear()
                continue
            if not inside:
                continue
            if tag == f"{_ODS}table-row":
                if event == "start":
                    row += 1
                    col = 0
                else:
                    row += int(el.get(f"{_ODS}number-rows-repeated") or 1) - 1
                    el.clear()
            elif tag in (f"{_ODS}table-cell", f"{_ODS}covered-table-cell") and event == "end":
                across = int(el.get(f"{_ODS}number-columns-spanned") or 1)
                down = int(el.get(f"{_ODS}number-rows-spanned") or 1)
                if tag == f"{_ODS}table-cell" and (across > 1 or down > 1):
                    yield (row, col), (row + down - 1, col + across - 1)
                col += int(el.get(f"{_ODS}number-columns-repeated") or 1)
                el.clear()


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
                required: Sequence[str], *, scan: int = 30, where: str = "",
                shown: Sequence[Sequence[Any]] | None = None) -> Header | None:
    """Find the first row (within `scan`) naming every required field.

    `fields` maps a field key to its accepted header spellings (compared normalized;
    the first spelling names the field in messages). When several columns of the row
    fit one field, the longest (most specific) label wins: 问题数据量 over 数据量, wherever
    they stand. `shown` are the rows as written when `rows` were cleaned for matching
    (a bracketed note taken out: 问题数据量（条）): of two columns fitting equally well,
    the one written exactly as the label wins over one that merely contains it, and
    messages quote the headers as written. Two columns fitting equally well otherwise
    raise AmbiguousHeaderError naming both (`where` — file and sheet — starts its
    message). Returns None if no row fits.
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
        written = list(row)
        if shown is not None and r < len(shown):
            written[:len(shown[r])] = shown[r][:len(row)]

        def as_written(c: int, written: Sequence[Any] = written) -> Any:
            return written[c]

        columns: dict[str, int] = {}
        for key, cands in found.items():
            best = max(len(label) for _, label in cands)
            top = [c for c, label in cands if len(label) == best]
            if len(top) > 1:
                exact = [c for c in top if normalize_label(as_written(c)) == normalize_label(row[c])]
                if len(exact) == 1:
                    top = exact
            if len(top) > 1:
                a, b = top[:2]
                raise AmbiguousHeaderError(
                    f"{where}第 {r + 1} 行表头：{column_letter(a)} 列“{clean_text(as_written(a))}”和 "
                    f"{column_letter(b)} 列“{clean_text(as_written(b))}”都像“{fields[key][0]}”列，"
                    "无法确定读哪一列；请删去或改名其中一列后再导入")
            columns[key] = top[0]
        return Header(r, columns)
    return None


class Record(dict):
    """A data row's {field: raw value}, knowing each field's column and, when a message
    should name it, the sheet."""

    def __init__(self, values: Mapping[str, Any], columns: Mapping[str, int],
                 sheet: str | None = None) -> None:
        super().__init__(values)
        self.columns = columns
        self.sheet = sheet

    def place(self, key: str) -> str:
        """Where a field's cell is, for a message: 工作表“名单” D 列 (or just D 列)."""
        c = self.columns.get(key)
        col = f"{column_letter(c)} 列" if c is not None else ""
        return f"工作表“{self.sheet}”{col}" if self.sheet else col


def iter_records(rows: Sequence[Sequence[Any]], header: Header,
                 sheet: str | None = None) -> Iterator[tuple[int, Record]]:
    """(1-based spreadsheet row number, {field: raw value}) for each non-blank row below;
    `sheet`, when given, is named by the record's place()."""
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        rec = Record({k: (row[c] if c < len(row) else None) for k, c in header.columns.items()},
                     header.columns, sheet)
        if all(clean_text(v) == "" for v in rec.values()):
            continue
        yield r + 1, rec
