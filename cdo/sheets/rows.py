"""The row loop every list importer shares: headers found by name (notes in brackets
ignored), merged cells filled down, notes under the table passed over, each row's
reasons collected in one pass, and the list refused whole, every bad row named, when
any row is bad. An importer states only its fields, how it reads one row, and its write.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from cdo.errors import FileReadError, InvalidInputError, RowErrors
from cdo.sheets.text import _SPACES, clean_text

if TYPE_CHECKING:  # the readers (zip, csv: 2 ms) are imported when a file is read
    from cdo.sheets.read import Sheet

T = TypeVar("T")
K = TypeVar("K")

MAX_ERRORS_SHOWN = 200
# A header's unit or note in brackets is not part of its name: 问题数据量（条）, 责任单位(盖章).
HEADER_NOTE = re.compile(r"[(（【\[][^)）】\]]{0,12}[)）】\]]")
# 合计 …, 注：…, 填表人：… — but not a record named 注册登记信息 or 说明书数据 (matched with
# the spaces of any width taken out: 合　计, 总  计)
_FOOTER = re.compile(r"^\s*(?:(?:合计|总计|小计|共计)\b|(?:合计|总计|小计|共计)\s*[:：\d]|"
                     r"(?:注|说明|填表|审核|制表|联系|负责)[^:：]{0,6}[:：])")

# What a totals line holds beside its label: sums, a count with its word (2个单位, 15项),
# or a filler where no sum makes sense (—, /, 无).
_BESIDE_TOTAL = re.compile(r"[-+]?[\d,，]*\.?\d+\s*(?:%|[个项条家人次份]\w{0,3})?"
                           r"|[-—–－/／\\…·.。]+|无")
# A totals label (spaces taken out, NFKC): 合计, 总计：, and one with its count — 合计：6个单位,
# 合计(6个), 共6个单位 — which no record is named, whatever stands beside it (a category).
_BARE_TOTAL = re.compile(r"[合总小共]计:?")
_COUNT = r"\d[\d,]*(?:\.\d+)?(?:[个项条家份])?(?:单位|部门|项目|系统|资源|问题)?"
_COUNTED_TOTAL = re.compile(rf"(?:[合总小共]计:?共?|共){_COUNT}|[合总小共]计\({_COUNT}\)")
Row = tuple[str, int, dict[str, Any]]  # (where: the sheet, when several; row number; {field: raw})


class Found(list[T]):
    """Rows read, or the items made of them, and the hidden sheets passed over."""

    def __init__(self, items: Iterable[T] = (), hidden: Iterable[str] = ()) -> None:
        super().__init__(items)
        self.hidden = list(hidden)


class At(NamedTuple):
    """Where a record stands: its sheet (工作表“…”, when the file has several) and row."""

    where: str
    row: int


def fill_merged(sheet: Sheet) -> None:
    """Give every cell covered by a merge down a column (责任单位 spanning several rows)
    the value of its top cell. A merge across columns (a 合计 or 注 line spread over the
    table's width) is left alone: it is one value, not one per column."""
    for (r, c), (tr, tc) in sheet.merged.items():
        if (r, c) == (tr, tc) or r >= len(sheet.rows) or c != tc:
            continue
        top = sheet.rows[tr][tc] if tc < len(sheet.rows[tr]) else None
        row = sheet.rows[r]
        if c >= len(row):
            row.extend([None] * (c + 1 - len(row)))
        if row[c] is None or row[c] == "":
            row[c] = top


def read_rows(path: Path, fields: Mapping[str, Sequence[str]], required: Sequence[str],
              what: str) -> Found[Row]:
    """(where, row number, {field: raw}) for every data row of every visible sheet with the
    header; the hidden sheets passed over in `hidden`.

    Raises FileReadError when no sheet has a header naming every required field."""
    from cdo.sheets.read import find_header, iter_records, read_table, sheet_place

    path = Path(path)
    sheets = read_table(path, merged=path.suffix.lower() not in (".csv", ".txt"))
    found = []
    for sheet in sheets:
        head = [[HEADER_NOTE.sub("", v) if isinstance(v, str) else v for v in row]
                for row in sheet.rows[:30]]
        header = find_header(head, fields, required, where=sheet_place(path, sheet.name))
        if header is not None:
            fill_merged(sheet)
            found.append((sheet, header))
    if not found:
        names = "、".join(fields[k][0] for k in required)
        raise FileReadError(f"{path}：没有找到{what}的表头（须有 {names} 这几列）")
    out: Found[Row] = Found(hidden=sheets.hidden)
    many = len(found) > 1
    for sheet, header in found:
        where = f"工作表“{sheet.name}”" if many else ""
        # a cell's place names the sheet when the row's does not (a CSV has none to name)
        named = None if many or path.suffix.lower() in (".csv", ".txt") else sheet.name
        out += [(where, rownum, rec) for rownum, rec in iter_records(sheet.rows, header, named)
                if not _is_footer(rec)]
    return out


def _squeeze(text: str) -> str:
    """Text as a label is compared: NFKC (：→:, full-width digits), no spaces of any width."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def is_total_label(text: Any, counted: bool = False) -> bool:
    """True for 合计/总计/小计/共计 written with any spacing (合　计, 总  计), optionally
    followed by ：/: and a count (合计：6个单位, 共6个单位); only one with a count when
    `counted`. 合计核算中心 is no label."""
    t = _squeeze(clean_text(text))
    return bool(_COUNTED_TOTAL.fullmatch(t) or (not counted and _BARE_TOTAL.fullmatch(t)))


def _is_footer(rec: Mapping[str, Any], name: Any = None) -> bool:
    """A totals line or a note under the table, not a record: one text such as 合计 or
    注：…, alone or beside sums, counts and fillers only (合计 | — | 2个单位 | 1,100 | 15);
    a label with its count (合计：1个单位 | 市级部门) beside anything in the row's first text
    cell (after a 序号); `name`, the row's name cell where a record is never called 合计
    (a unit list's 单位名称), a label with or without a count."""
    columns = getattr(rec, "columns", None)
    keys = sorted(rec, key=lambda k: columns.get(k, 0)) if columns else list(rec)
    texts = [t for t in (clean_text(rec[k]) for k in keys) if t]
    first = next((t for t in texts if not t.isdigit()), "")
    if is_total_label(first, counted=True) or (name is not None and is_total_label(name)):
        return True
    texts = [t for t in texts if not _BESIDE_TOTAL.fullmatch(t.replace(" ", ""))]
    return len(texts) == 1 and bool(_FOOTER.match(_squeeze(texts[0])))


def is_unfilled(rec: Mapping[str, Any]) -> bool:
    """A row of a pre-numbered blank list: a 序号 and nothing else."""
    return all(clean_text(v) == "" for k, v in rec.items() if k != "seq")


def try_reason(reasons: list[str], fn: Callable[..., T], *args: Any) -> T | None:
    """fn(*args), or None with its InvalidInputError's message added to the row's reasons."""
    try:
        return fn(*args)
    except InvalidInputError as e:
        reasons.append(str(e))
        return None


def first_row(seen: dict[K, At], key: K, at: At) -> str | None:
    """Where `key` first stood (第 N 行, with its sheet when that is another), or None when
    it is new (it is then `at`'s)."""
    first = seen.get(key)
    if first is None:
        seen[key] = at
        return None
    return f"{first.where if first.where != at.where else ''}第 {first.row} 行"


def check_row(errors: list[str], where: str, rownum: int, reasons: list[str]) -> bool:
    """Whether the row is good; a bad one is added to `errors`, named with its reasons."""
    if reasons:
        errors.append(f"{where}第 {rownum} 行：" + "；".join(reasons))
    return not reasons


def raise_row_errors(path: Path, errors: list[str], what: str) -> None:
    """Refuse the whole `what` (清单, 目录清单 …) when any row is bad, naming the first 200."""
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(f"……另有 {len(errors) - MAX_ERRORS_SHOWN} 行有误，未一一列出")
        raise RowErrors(f"{path}：{len(errors)} 行有误，整份{what}均未导入，请改正后重新导入：",
                        shown)


def collect_rows(path: Path, rows: Sequence[Row],
                 read_row: Callable[[dict[str, Any], At, list[str]], T | None],
                 what: str, items: str) -> Found[T]:
    """What `read_row(record, At(sheet, row), reasons)` makes of each filled row, all or
    nothing (with the hidden sheets `rows` passed over, when it knows them).

    `read_row` adds what is wrong with the row to `reasons`; a row with none gives its
    item (None: nothing to keep). Raises RowErrors naming every bad row, and
    FileReadError when no row gives an item (“{what}中没有{items}”)."""
    out: Found[T] = Found(hidden=getattr(rows, "hidden", ()))
    errors: list[str] = []
    for where, rownum, rec in rows:
        if is_unfilled(rec):
            continue
        reasons: list[str] = []
        item = read_row(rec, At(where, rownum), reasons)
        if check_row(errors, where, rownum, reasons) and item is not None:
            out.append(item)
    raise_row_errors(path, errors, what)
    if not out:
        raise FileReadError(f"{path}：{what}中没有{items}（表头下面是空的）")
    return out
