"""Rendering rows: a Rich table for the clerk, or plain JSON / CSV / .xlsx for programs.

Rows are dicts whose keys are the JSON keys PRODUCT.md names. A `Column` says how one key
shows in the table (Chinese header, optional display function).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cdo.masking import sql_text

if TYPE_CHECKING:
    from cdo.store.pages import Page


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    show: Callable[[Any, dict], str] | None = None  # table/xlsx display of (value, row)
    justify: Literal["default", "left", "center", "right", "full"] = "left"
    style: str | None = None
    overflow: Literal["fold", "crop", "ellipsis", "ignore"] = "fold"  # Rich overflow: long names wrap rather than lose their end
    terminal: bool = True  # False: only in the .xlsx, too wide for a terminal table
    clip: int | None = None  # terminal table only: cut longer text to this many chars + …
    no_wrap: bool | None = None  # None: dates, IDs, phones and numbers never wrap
    wide: bool = False  # terminal table: shown only from WIDE_TERMINAL columns up
    narrow: Callable[[Any, dict], str] | None = None  # shorter display below WIDE_TERMINAL


def plain(value: Any) -> Any:
    """A JSON-ready value: dates as YYYY-MM-DD, bytes as UTF-8 text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):  # a BLOB another program wrote (cdo.masking.sql_text)
        return sql_text(value)
    return value


_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, ESC[2J
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, OSC 52 clipboard writes
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS strings
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI as one 8-bit character
    r"|\x1b.?"  # any other escape
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other control characters (tab and newline stay)
)


def clean(text: Any) -> str:
    """`text` safe to show in a terminal: escape sequences and control characters removed
    (an imported cell must not clear the screen or write the clipboard)."""
    return _ESCAPES.sub("", str(text))


def _cell_text(col: Column, row: dict) -> str:
    return clean(_raw_text(col, row))


def _raw_text(col: Column, row: dict) -> str:
    value = row.get(col.key)
    if col.show is not None:
        return col.show(value, row)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    return str(plain(value))


WIDE_TERMINAL = 120  # from this many columns up, tables show their secondary columns


def plain_mode(stream=None) -> bool:
    """True when tables go out as tab-separated lines: stdout is not a terminal and
    COLUMNS does not say how wide to draw."""
    stream = stream or sys.stdout
    return not os.environ.get("COLUMNS") and not stream.isatty()


def console(stderr: bool = False):  # -> rich.console.Console | PlainConsole
    """A console for the clerk. Piped without COLUMNS, tables print as plain
    tab-separated lines (for head, grep, cut) instead of a drawing of a guessed width,
    and Rich (15 ms to import) is not used at all."""
    stream = sys.stderr if stderr else sys.stdout
    if plain_mode(stream):
        return PlainConsole(stderr=stderr)
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


class PlainConsole:
    """The console of plain_mode: a table (Rich's or PlainTable) as tab-separated lines,
    anything else as its text, escape sequences removed."""

    width = 10_000

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr

    @property
    def file(self):
        return sys.stderr if self.stderr else sys.stdout

    def print(self, *objects: Any, **kw: Any) -> None:
        for obj in objects:
            if hasattr(obj, "columns") and hasattr(obj, "add_row"):
                self.file.write(table_tsv(obj))
            else:
                self.file.write(clean(_plain_str(obj)) + "\n")


def table_kit(con) -> tuple[Any, Any]:
    """(Table, Text) to build what is printed on `con`: Rich's, or on a PlainConsole the
    stand-ins that keep only what it prints (Rich is then never imported)."""
    if isinstance(con, PlainConsole):
        return PlainTable, PlainText
    from rich.table import Table
    from rich.text import Text

    return Table, Text


# Control codes a Rich Text drops from its text (rich.control.strip_control_codes)
_TEXT_STRIPS = dict.fromkeys((7, 8, 11, 12, 13))


class PlainText:
    """What a Rich Text of `text` prints piped: its text (`plain`), less the control
    codes Rich drops; styles are not kept."""

    __slots__ = ("plain",)

    def __init__(self, text: str = "", *args: Any, **kw: Any) -> None:
        self.plain = text.translate(_TEXT_STRIPS)

    def append(self, text: Any, *args: Any, **kw: Any) -> PlainText:
        self.plain += _plain_str(text).translate(_TEXT_STRIPS)
        return self


class _PlainColumn:
    __slots__ = ("header", "footer", "_cells")

    def __init__(self, header: Any, footer: Any) -> None:
        self.header, self.footer = header, footer
        self._cells: list[Any] = []


class PlainTable:
    """What a Rich Table prints piped (table_tsv): headers, cells, footers and the caption
    under them; titles, styles and widths are not kept."""

    def __init__(self, *headers: Any, show_footer: bool = False, caption: Any = None,
                 **kw: Any) -> None:
        self.columns: list[_PlainColumn] = []
        self.show_footer = show_footer
        self.caption = caption
        self.rows = 0
        for header in headers:
            self.add_column(header)

    def add_column(self, header: Any = "", footer: Any = "", **kw: Any) -> None:
        self.columns.append(_PlainColumn(header, footer))

    def add_row(self, *cells: Any, **kw: Any) -> None:  # as Rich's: short rows padded
        for i, cell in enumerate([*cells, *[None] * (len(self.columns) - len(cells))]):
            if i == len(self.columns):  # a longer row adds a column, empty above
                self.add_column()
                self.columns[i]._cells = [""] * self.rows
            self.columns[i]._cells.append("" if cell is None else cell)
        self.rows += 1

    def add_section(self) -> None:
        pass


def _plain_str(obj: Any) -> str:
    plain = getattr(obj, "plain", None)  # a Rich Text or a PlainText
    if isinstance(plain, str):
        return plain
    return str(obj)  # no markup is used: a string is shown as it is


def table_tsv(table) -> str:
    """A Rich table as tab-separated lines: the header, the rows, the footer if any; then
    its caption (what explains the numbers: a rate's formula, what is left out) as the
    plain lines the terminal shows under the table. The title is left out: the header
    stays the first line, for head, cut and sort."""
    def field(v: Any) -> str:
        return clean(_plain_str(v)).replace("\t", " ").replace("\n", " ")

    cols = table.columns
    lines = ["\t".join(field(c.header) for c in cols)]
    for cells in zip(*(c._cells for c in cols), strict=False):
        lines.append("\t".join(field(v) for v in cells))
    if table.show_footer and any(field(c.footer) for c in cols):
        lines.append("\t".join(field(c.footer) for c in cols))
    caption = clean(_plain_str(table.caption)) if table.caption is not None else ""
    lines += [line for line in caption.split("\n") if line.strip()]
    return "\n".join(lines) + "\n"


_C1 = re.compile(r"[\x7f-\x9f]")

# Free text a clerk or a unit wrote: a phone number typed into it is masked in every output
# (table, CSV, JSON, .xlsx) unless --show-contact. The keys stay as they are.
FREE_TEXT_KEYS = frozenset({"description", "note", "notes", "reason", "end_reason", "resume",
                            "skills", "work_plan", "recommendation", "content", "comment",
                            "remark", "detail", "details", "story", "title"})


@functools.lru_cache(maxsize=65536)
def mask_text(text: str) -> str:
    """Phone numbers in `text` masked (cdo.masking.mask_numbers), memoised per value."""
    from cdo.masking import mask_numbers

    return mask_numbers(text)


def mask_free_text(rows: Iterable[dict]) -> list[dict]:
    """`rows` with the phone numbers in their free-text fields masked."""
    out = []
    for r in rows:
        hit = [k for k in FREE_TEXT_KEYS.intersection(r) if isinstance(r[k], str | bytes)]
        out.append({**r, **{k: mask_text(plain(r[k])) for k in hit}} if hit else r)
    return out


def _mask_deep(data: Any) -> Any:
    if isinstance(data, list):
        return [_mask_deep(x) for x in data]
    if isinstance(data, dict):
        return {k: mask_text(plain(v)) if k in FREE_TEXT_KEYS and isinstance(v, str | bytes)
                else _mask_deep(v)
                for k, v in data.items()}
    return data


def json_safe(text: str) -> str:
    """JSON text with DEL and C1 characters escaped (json escapes C0 itself): an 8-bit CSI
    (\\x9b) in a value cannot drive the terminal. The data is unchanged."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(data: Any, *, show_contact: bool = False) -> None:
    """`data` as JSON; phone numbers in free-text fields masked unless `show_contact`."""
    if not show_contact:
        data = _mask_deep(data)
    text = json.dumps(data, ensure_ascii=False, indent=2, default=plain)
    sys.stdout.write(json_safe(text) + "\n")


def print_csv(rows: Iterable[dict], keys: Sequence[str], *, show_contact: bool = False) -> None:
    """`rows` as CSV; phone numbers in free-text fields masked unless `show_contact`."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(keys)
    masked = set() if show_contact else FREE_TEXT_KEYS.intersection(keys)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else
                         _csv_value(mask_text(plain(row[k]))
                                    if k in masked and isinstance(row[k], str | bytes)
                                    else row.get(k)) for k in keys])


# ----------------------------------------------------------------------------- long listings
# `report overdue` and `spotcheck list` as JSON or CSV: SQLite makes each row's finished text
# (the SQL below, handed to the query as `line`) and Python writes the bytes a batch at a
# time, so 200,000 rows cost little more than the sqlite3 shell printing them. Phones in
# free text are masked here: unless show_contact, each free-text field comes again after
# the text, in a column named by its key, and the rare row whose free text may hold a
# phone number (_may_hold_phone, a few scans of the whole batch) has it masked (mask_text).

def json_object_sql(values: Sequence[tuple[str, str]], booleans: Sequence[str] = (), *,
                    show_contact: bool = False, checked: bool = True) -> str:
    """SQL for the compact JSON object (SQLite's json_object) of the (key, SQL) `values`,
    keys in `booleans` (0/1 in SQL) as true/false, and the free texts for write_json_lines
    to mask unless `show_contact`. Unless `checked` is False (the database has no
    odd_values), a BLOB is written as text (cdo_text: read as UTF-8): JSON holds none."""
    values = _blobs_as_text(values, booleans, checked)
    pairs = [f"'{k}', json(CASE WHEN {v} THEN 'true' ELSE 'false' END)" if k in booleans
             else f"'{k}', {v}" for k, v in values]
    return f"json_object({', '.join(pairs)})" + _free_sql(values, "json_quote({})", show_contact)


def json_element_sql(values: Sequence[tuple[str, str]], booleans: Sequence[str] = (), *,
                     show_contact: bool = False, checked: bool = True) -> str:
    """As json_object_sql, laid out as json.dumps(rows, indent=2) lays out each element."""
    values = _blobs_as_text(values, booleans, checked)
    lines = [f"'    \"{k}\": ' || " + (f"CASE WHEN {v} THEN 'true' ELSE 'false' END"
                                        if k in booleans else f"json_quote({v})")
             for k, v in values]
    return ("'  {' || char(10) || " + " || ',' || char(10) || ".join(lines)
            + " || char(10) || '  }'" + _free_sql(values, "json_quote({})", show_contact))


def _blobs_as_text(values: Sequence[tuple[str, str]], booleans: Sequence[str],
                   checked: bool) -> list[tuple[str, str]]:
    if not checked:
        return list(values)
    return [(k, v if k in booleans
             else f"CASE WHEN typeof({v}) = 'blob' THEN cdo_text({v}) ELSE {v} END")
            for k, v in values]


def _free_sql(values: Sequence[tuple[str, str]], form: str, show_contact: bool) -> str:
    """The free-text values again (as `form` writes them in the line), named by their keys."""
    if show_contact:
        return ""
    return "".join(f", {form.format(v)} AS \"{k}\"" for k, v in values if k in FREE_TEXT_KEYS)


def write_json_lines(pages: Iterable[Page]) -> None:
    """A JSON array of the object texts SQLite makes with json_object_sql or
    json_element_sql, one a line (`pages` of them joined by ",\n", cdo.store.pages),
    written a page at a time; phones in the free texts masked, DEL and C1 characters
    escaped as json_safe does."""
    write = _byte_writer()
    first = True
    for page in pages:
        if page.names and _may_hold_phone(*page.free):
            chunk = b",\n".join(_masked_json(row, page.names) for row in page.rows())
        else:
            chunk = page.text
        if (b"\x7f" in chunk or b"\xc2" in chunk) and _C1_BYTES.search(chunk):
            chunk = _C1_BYTES.sub(lambda m: b"\\u%04x" % ord(m.group().decode()), chunk)
        write((b"[\n" if first else b",\n") + chunk)
        first = False
    write(b"[]\n" if first else b"\n]\n")


def _masked_json(row: tuple, free: Sequence[str]) -> bytes:
    """The object text of `row` with the phones in its free-text values masked, the rest
    as SQLite wrote it. A key's text "key": is found only where the key is (inside a
    JSON string a quote is escaped)."""
    text = row[0]
    for key, quoted in zip(free, row[1:], strict=True):
        if not _may_hold_phone(quoted):
            continue
        value = json.loads(sql_text(quoted))  # another program's text may not be UTF-8
        if isinstance(value, str) and (masked := mask_text(value)) != value:
            at = text.index(b'"%s":' % key.encode()) + len(key) + 3
            at += text[at:at + 1] == b" "  # json.dumps' indent=2 layout
            if not text.startswith(quoted, at):
                raise ValueError(f"{key}: not where it should be in {text!r}")
            text = (text[:at] + json.dumps(masked, ensure_ascii=False).encode()
                    + text[at + len(quoted):])
    return text


# Bytes to delete to keep only the ASCII digits of texts joined by \xff; the lead bytes of
# UTF-8 characters from U+0640 to U+1FFF, from U+A000 to U+AFFF and beyond the BMP (every
# digit but the ASCII and full-width ones is among them); the full-width ＋ － ０–９.
_NOT_DIGITS = bytes(b for b in range(256) if b not in b"0123456789\xff")
_SEVEN_DIGITS = re.compile(rb"[0-9]{7}")
_OTHER_DIGIT_LEADS = bytes([*range(0xd9, 0xe2), 0xea, *range(0xf0, 0xf5)])
_FULL_WIDTH = re.compile(rb"\xef\xbc[\x8b\x8d\x90-\x99]")


def _may_hold_phone(*texts: bytes) -> bool:
    """False if mask_text changes none of the texts in `texts` (UTF-8, each texts joined
    by \\xff): each has fewer than seven ASCII digits, and none another digit (re's \\d)
    or a full-width ＋ － ０–９. Every number mask_text masks has seven digits or more; it
    also turns those full-width characters into ASCII. tests/test_output_sql.py checks
    the digits."""
    return any(_SEVEN_DIGITS.search(t.translate(None, _NOT_DIGITS))
               or len(t.translate(None, _OTHER_DIGIT_LEADS)) != len(t)
               or _FULL_WIDTH.search(t) for t in texts)


_C1_BYTES = re.compile(rb"\x7f|\xc2[\x80-\x9f]")  # DEL and C1 characters in UTF-8
# Two bytes that never occur in UTF-8 text: between the fields SQLite joins, and before a
# line it did not join (csv_line_sql). No field needs checking for them.
_SEP, _MADE = b"\xfe", b"\xff"
# Bytes of a field to quote (a comma, a quote, a line break), to clean (a control
# character but tab, DEL; \xc2 starts a C1 one, among the Latin-1 letters), or of a made
# line: a page without them (but each line's newline), and without = + - @ or a tab at
# the start of a field, goes out as SQLite joined it.
_CSV_BYTES = bytes([*range(0x09), *range(0x0a, 0x20), *b',"\x7f\xc2\xff'])
_FORMULA = re.compile(rb"\xfe[-=+@\t]")


def csv_line_sql(values: Sequence[tuple[str, str]], plain: Sequence[str] = (),
                 typed: Sequence[str] = (), booleans: Sequence[str] = (), *,
                 show_contact: bool = False, checked: bool = True) -> str:
    """SQL for the line write_csv_lines turns into one CSV line of the (key, SQL) `values`:
    the texts of the fields joined by _SEP and ended by a newline, keys in `booleans` (0/1)
    as true/false — or, for a row SQLite cannot join faithfully, _MADE and the finished
    line; then the free texts for write_csv_lines to mask unless `show_contact`. Keys in
    `plain` are non-negative integers, NULL or one of a few words; keys in `typed` (columns
    without TEXT affinity) may hold other numbers. Unless `checked` is False (the database
    has no odd_values), a row with a negative, real or BLOB one there, a BLOB or a NUL
    inside a text (printf stops there) is finished by cdo_csv_row (register_listing) through
    the same conversion as print_csv."""
    values = [(k, f"CASE WHEN {v} THEN 'true' ELSE 'false' END" if k in booleans else v)
              for k, v in values]
    fmt = " || CAST(x'fe' AS TEXT) || ".join(["'%s'"] * len(values))
    line = f"printf({fmt} || char(10), {', '.join(v for _, v in values)})"
    odd = [f"typeof({v}) IN ('real', 'blob') OR {v} < 0 OR instr({v}, char(0))"
           for k, v in values if k in typed]
    odd += [f"typeof({v}) = 'blob' OR instr({v}, char(0))" for k, v in values
            if k not in plain and k not in booleans and k not in typed]
    if checked and odd:
        made = f"CAST(x'ff' AS TEXT) || cdo_csv_row({', '.join(v for _, v in values)})"
        line = f"CASE WHEN {' OR '.join(odd)} THEN {made} ELSE {line} END"
    return line + _free_sql(values, "COALESCE(CAST({} AS TEXT), '')", show_contact)


def write_csv_lines(keys: Sequence[str], pages: Iterable[Page]) -> None:
    """CSV under a header of `keys` of the lines SQLite made with `csv_line_sql` (`pages`
    of them joined, cdo.store.pages), written a page at a time, byte for byte as print_csv
    writes the same values: most pages need only their separators turned into commas; a
    line with a phone in free text, or a field to quote, neutralise or clean goes through
    the same conversion and csv writer as print_csv."""
    write = _byte_writer()
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(keys)
    write(buf.getvalue().encode())
    for page in pages:
        lines = None
        if page.names and _may_hold_phone(*page.free):
            free = [keys.index(name) for name in page.names]
            lines = [_masked_csv(row, free) for row in page.rows()]
        text = page.text if lines is None else b"".join(lines)
        if _plain_csv(text, page.length):
            write(text.replace(_SEP, b","))
        else:
            write(b"".join(map(_csv_line, lines or [row[0] for row in page.rows()])))


def _masked_csv(row: tuple, free: Sequence[int]) -> bytes:
    """The line of `row` with the phones in its free-text fields (at `free`) masked."""
    line, fields = row[0], None
    if line.startswith(_MADE):  # cdo_csv_row masked them
        return line
    for i, raw in zip(free, row[1:], strict=True):
        if _may_hold_phone(raw) and (masked := mask_text(sql_text(raw))) != sql_text(raw):
            fields = fields or line[:-1].split(_SEP)
            fields[i] = masked.encode()
    return _SEP.join(fields) + b"\n" if fields else line


def _plain_csv(lines: bytes, n: int) -> bool:
    """True if `lines` (n of them, each ending in a newline) can go out with commas for
    _SEP: each newline ends a line, and no field needs quoting, cleaning or neutralising."""
    return (len(lines) - len(lines.translate(None, _CSV_BYTES)) == n
            and not _FORMULA.search(_SEP + lines.replace(b"\n", _SEP)))


def _csv_line(line: bytes) -> bytes:
    """One line of write_csv_lines: made by cdo_csv_row, joined by SQLite, or converted
    as print_csv converts it."""
    if line.startswith(_MADE):
        return line[1:]
    if _plain_csv(line, 1):
        return line.replace(_SEP, b",")
    fields = line[:-1].split(_SEP)  # texts only (csv_line_sql): each field's text is its value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        [_csv_value(sql_text(v)) if v else "" for v in fields])
    return buf.getvalue().encode()


def register_listing(conn, keys: Sequence[str], *, show_contact: bool = False) -> None:
    """Give `conn` the SQL functions the long listings use: cdo_csv_row (csv_line_sql) for
    a row of `keys` values, phone numbers in free text masked unless `show_contact`, as
    print_csv does; cdo_text, a BLOB as text (json_object_sql). A BLOB is read as UTF-8,
    a byte that is not UTF-8 as U+FFFD (cdo.masking.sql_text), as everywhere in cdo."""
    masked = [not show_contact and k in FREE_TEXT_KEYS for k in keys]

    def row(*values: Any) -> str:  # by value, not remembered: 1 and 1.0 differ here
        values = tuple(sql_text(v) if isinstance(v, bytes) else v for v in values)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(
            ["" if v is None else _csv_value(mask_text(v) if m and isinstance(v, str) else v)
             for m, v in zip(masked, values, strict=True)])
        return buf.getvalue()

    conn.create_function("cdo_csv_row", len(keys), row, deterministic=True)
    conn.create_function("cdo_text", 1, sql_text, deterministic=True)



def _byte_writer() -> Callable[[bytes], Any]:
    """A write of UTF-8 bytes to stdout: straight to its buffer when stdout writes UTF-8
    and "\\n" as it is, else decoded and written as text (its encoding, its line ends).
    Bytes that are not UTF-8 (a text another program wrote in GBK, read as bytes by
    cdo.store.pages) go out as U+FFFD, as cdo reads them everywhere else: the output is
    always valid UTF-8."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if (buffer is not None and os.linesep == "\n"
            and codecs.lookup(getattr(out, "encoding", None) or "ascii").name == "utf-8"):
        out.flush()
        return lambda data: buffer.write(_valid_utf8(data))
    return lambda data: out.write(sql_text(data))


def _valid_utf8(data: bytes) -> bytes:
    """`data`, or when it is not all UTF-8, with U+FFFD for the bytes that are not: one
    decode a page (a few ms for 200,000 rows)."""
    try:
        data.decode()
    except UnicodeDecodeError:
        return sql_text(data).encode()
    return data


def tolerate_narrow_stdout() -> None:
    """On a stdout whose encoding cannot write every character (a GBK console, or
    PYTHONIOENCODING=gbk), a character it cannot write goes out as "?" instead of ending
    the command half written; the clerk is told once, on stderr, what to do. A lone
    surrogate (bytes on the command line that are not UTF-8) still fails, for the CLI to
    name the argument."""
    out = sys.stdout
    encoding = getattr(out, "encoding", None)
    if (not encoding or not hasattr(out, "reconfigure")
            or codecs.lookup(encoding).name == "utf-8"):
        return
    try:
        codecs.lookup_error(_NARROW)
    except LookupError:
        codecs.register_error(_NARROW, _unencodable)
    out.reconfigure(errors=_NARROW)


_NARROW = "cdo-narrow-stdout"
_told_narrow: list[str] = []  # the encoding once the clerk has been told


def unencodable_note(encoding: str, char: str) -> str:
    """What the clerk reads when the output's `encoding` cannot write `char` (the
    character named by its code: stderr may not be able to write it either)."""
    return (f"输出的编码 {encoding.upper()} 无法显示字符 U+{ord(char):04X}，"
            "请改用 UTF-8 编码的终端（或设置环境变量 PYTHONIOENCODING=utf-8），"
            "或用 -o 文件名.xlsx 导出")


def _unencodable(e: UnicodeError) -> tuple[str, int]:
    if not isinstance(e, UnicodeEncodeError):
        raise e
    bad = e.object[e.start:e.end]
    if any("\ud800" <= ch <= "\udfff" for ch in bad):
        raise e
    if not _told_narrow:
        _told_narrow.append(e.encoding)
        sys.stderr.write(f"cdo: 注意：{unencodable_note(e.encoding, bad[0])}；"
                         "无法显示的字符已用“?”代替\n")
        sys.stderr.flush()
    return "?" * len(bad), e.end


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> Any:
    """A CSV field. Text that a spreadsheet would run as a formula (starting with = + - @,
    tab or carriage return: the OWASP CSV-injection rule) gets a leading apostrophe, as
    the .xlsx files write such text as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=plain)
    value = plain(value)
    if isinstance(value, str):
        value = clean(value)  # no escape sequence reaches the terminal or the file
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value




_NO_WRAP_KEYS = ("id", "month", "year", "phone", "rank", "total", "at")
_NO_WRAP_SUFFIXES = ("_id", "_on", "_at", "_date", "phone", "_days", "_count", "_rate")


def keeps_whole(col: Column) -> bool:
    """Dates, IDs, phones and numbers never wrap in a terminal table."""
    if col.no_wrap is not None:
        return col.no_wrap
    return (col.justify == "right" or col.key in _NO_WRAP_KEYS
            or col.key.endswith(_NO_WRAP_SUFFIXES))


def make_table(rows: Iterable[dict], columns: Sequence[Column], title: str | None = None,
               caption: str | None = None, footer: dict | None = None,
               width: int | None = None, *, plain: bool = False):
    """A Rich table of `rows` that fits `width` columns (None: no limit); with `plain`, the
    PlainTable of it (for a PlainConsole).

    Dates, IDs, phones and numbers never wrap; text wraps. Below WIDE_TERMINAL columns
    the secondary columns (wide=True) are left out, and if the rest still cannot fit
    without splitting a date or a number, columns are left out from the right and the
    caption names them."""
    Table: Any  # noqa: N806
    Text: Any  # noqa: N806
    wrapping: Any
    if plain:
        Table, Text, wrapping = PlainTable, PlainText, PlainText
    else:
        from rich.table import Table
        from rich.text import Text
        wrapping = _WrappingText

    rows = list(rows)
    is_narrow = width is not None and width < WIDE_TERMINAL
    shown_first = [c for c in columns if c.terminal]
    left_out = [c.header for c in shown_first if c.wide and is_narrow]
    widths: dict[str, int] = {}
    columns = [(replace(c, show=c.narrow) if is_narrow and c.narrow else c) for c in columns
               if c.terminal and (not c.wide or not is_narrow)]
    texts = {c.key + c.header: [_clipped(c, _cell_text(c, r)) for r in rows] for c in columns}
    feet = {c.key + c.header: (_cell_text(c, footer) if footer is not None else "")
            for c in columns}
    if is_narrow and rows:  # a column with nothing in it only takes room from the text
        columns = [c for c in columns if feet[c.key + c.header].strip()
                   or any(t.strip() for t in texts[c.key + c.header])] or columns
    heads = {c.key + c.header: c.header for c in columns}  # as shown: maybe on two lines
    if width is not None:
        def need(c: Column) -> int:
            cells = [*texts[c.key + c.header], feet[c.key + c.header]]
            longest = max((cell_width(line) for t in cells for line in t.split("\n")), default=0)
            if keeps_whole(c):
                head = max(map(cell_width, heads[c.key + c.header].split("\n")))
                return max(longest, head if len(c.header) <= 5 else 4)
            token = max((cell_width(t) for t in cells for t in _WHOLE_TOKEN.findall(t)), default=0)
            return min(longest, max(8, min(cell_width(c.header), 10), min(token, 11)))

        room, _, tops = _text_room(columns, need, texts, feet, heads, width)
        if sum(tops.values()) > room:
            # the text would wrap: numbers' headers wider than their numbers on two lines
            for c in columns:
                k = c.key + c.header
                if keeps_whole(c) and 4 <= len(c.header) <= 5 and " " not in c.header and all(
                        cell_width(t) < cell_width(c.header) for t in [*texts[k], feet[k]]):
                    heads[k] = c.header[:len(c.header) // 2] + "\n" + c.header[len(c.header) // 2:]
        while len(columns) > 1 and sum(need(c) + 3 for c in columns) + 1 > width:
            left_out.append(columns.pop().header)
        widths = _text_widths(columns, need, texts, feet, heads, width)
    if left_out:  # every column left out, in the table's order
        # a header drawn over two lines ("日常\n履职") is one name in the note
        left_out = [c.header.replace("\n", "") for c in shown_first if c.header in left_out]
        note = f"（窗口较窄，未显示：{'、'.join(left_out)}；加宽窗口或用 --format csv 查看）"
        caption = f"{caption}\n{note}" if caption else note
    # title and caption wrap as the cells do (between words and Chinese characters, at the
    # table's full width): Rich's own wrap folded a long Chinese note into a narrow column
    table = Table(title=_WrappingText(clean(title), "bold") if title else None,
                  caption=_WrappingText(clean(caption), "table.caption") if caption else None,
                  show_footer=footer is not None, header_style="bold", title_style="bold")
    for col in columns:
        whole = keeps_whole(col)
        table.add_column(heads[col.key + col.header], justify=col.justify, style=col.style,
                         footer=feet[col.key + col.header],
                         overflow="fold" if not whole else "ellipsis", no_wrap=whole,
                         width=widths.get(col.key + col.header))
    for i in range(len(rows)):  # Text: "[…]" in the data is text, never Rich markup
        table.add_row(*(Text(texts[c.key + c.header][i]) if keeps_whole(c)
                        else wrapping(texts[c.key + c.header][i]) for c in columns))
    return table


# a date, ID, number, time or masked phone inside text, with the punctuation that follows it
_WHOLE_TOKEN = re.compile(r"[#0-9A-Za-z][0-9A-Za-z#/_.:*+%@~-]*")
_OPENING = "（(「《“‘[【〔"
_CLOSING = "，。；：、）)」》！？”’】〕,;:=]"
# a file name (Chinese or not) up to its extension, as one piece
_FILE_NAME = (rf"[^\s{re.escape(_OPENING + _CLOSING)}]{{1,40}}"
              r"\.(?:xlsx|xlsm|xls|ods|csv|txt|pdf|docx?|db)(?![0-9A-Za-z])")
_ATOM = re.compile(rf"\s+|[{re.escape(_OPENING)}]*(?:{_FILE_NAME}|[0-9A-Za-z#/_.:*+%@~-]+|\S)"
                   rf"[{re.escape(_CLOSING)}]*")


def wrap_offsets(text: str, width: int) -> list[int]:
    """Where to break one line of `text` so that each piece fits `width` cells: between
    words and Chinese characters, never inside a date, ID, number or file name (unless it
    alone is wider than `width`), never before closing punctuation nor after opening
    punctuation."""
    offsets: list[int] = []
    used = 0  # cells on the current line
    filled = False  # the current line has more than spaces
    for m in _ATOM.finditer(text):
        start, atom = m.start(), m.group()
        cells = cell_width(atom)
        if atom.isspace():
            used += cells
            continue
        if used + cells <= width:
            used, filled = used + cells, True
            continue
        if filled:
            offsets.append(start)
        elif start:  # a line of only spaces: drop it into this one
            offsets.append(start)
        used, filled = cells, True
        if cells > width:  # wider than the column: fold it
            from rich.cells import chop_cells

            pieces = chop_cells(atom, width)
            for piece in pieces[:-1]:
                start += len(piece)
                offsets.append(start)
            used = cell_width(pieces[-1])
    return offsets


def _wrapping_text_class():
    from rich.containers import Lines
    from rich.text import Text

    class WrappingText(Text):
        """Text that wraps by `wrap_offsets` instead of Rich's fold at any cell."""

        def wrap(self, console, width, *, justify=None, overflow=None, tab_size=8,
                 no_wrap=None):  # type: ignore[override]
            justify = justify or self.justify or "default"
            overflow = overflow or self.overflow or "fold"
            lines = Lines()
            for line in self.split(allow_blank=True):
                if "\t" in line:
                    line.expand_tabs(tab_size)
                pieces = line.divide(wrap_offsets(line.plain, width))
                for piece in pieces:
                    piece.rstrip()
                pieces.justify(console, width, justify=justify, overflow=overflow)
                for piece in pieces:
                    piece.truncate(width, overflow=overflow)
                lines.extend(pieces)
            return lines

    return WrappingText


def _WrappingText(text: str, style: str = ""):  # noqa: N802 - a class made on first use (rich imported lazily)
    global _WRAPPING
    if _WRAPPING is None:
        _WRAPPING = _wrapping_text_class()
    return _WRAPPING(text, style=style)


_WRAPPING = None


def _text_room(columns: Sequence[Column], need: Callable[[Column], int],
               texts: dict[str, list[str]], feet: dict[str, str], heads: dict[str, str],
               width: int) -> tuple[int, dict[str, int], dict[str, int]]:
    """The room the text columns have in `width`, what each needs at least (floors) and
    its longest line (tops), by column key."""
    def longest(c: Column) -> int:
        cells = [*texts[c.key + c.header], feet[c.key + c.header], heads[c.key + c.header]]
        return max(cell_width(line) for t in cells for line in t.split("\n"))

    text = [c for c in columns if not keeps_whole(c)]
    room = width - 1 - 3 * len(columns) - sum(longest(c) for c in columns if keeps_whole(c))
    return (room, {c.key + c.header: need(c) for c in text},
            {c.key + c.header: max(longest(c), need(c)) for c in text})


def _text_widths(columns: Sequence[Column], need: Callable[[Column], int],
                 texts: dict[str, list[str]], feet: dict[str, str], heads: dict[str, str],
                 width: int) -> dict[str, int]:
    """Widths for the text columns so the table fits `width`: each at least what it needs
    (its longest date or ID stays on one line), the rest of the room shared out evenly up
    to each column's longest line. Empty when everything fits or the floors cannot."""
    room, floors, tops = _text_room(columns, need, texts, feet, heads, width)
    if sum(tops.values()) <= room or sum(floors.values()) > room:
        return {}
    level = 0
    while sum(max(floors[k], min(tops[k], level + 1)) for k in floors) <= room:
        level += 1
    return {k: max(floors[k], min(tops[k], level)) for k in floors}


def cell_width(text: str) -> int:
    """How many terminal cells `text` takes (a Chinese character two)."""
    from rich.cells import cell_len

    return cell_len(text)



def _clipped(col: Column, text: str) -> str:
    if col.clip is None or len(text) <= col.clip:
        return text
    return text[:col.clip - 1] + "…"


def emit(
    rows: Sequence[dict],
    columns: Sequence[Column],
    fmt: Format | str = Format.table,
    *,
    keys: Sequence[str] | None = None,
    title: str | None = None,
    caption: str | None = None,
    footer: dict | None = None,
    output: Path | None = None,
    sheet_title: str | None = None,
    empty: str = "没有记录。",
    show_contact: bool = False,
) -> None:
    """Print `rows` in the chosen format; with `output`, also write an .xlsx sheet.
    Phone numbers in free text (FREE_TEXT_KEYS) are masked unless `show_contact`."""
    fmt = Format(fmt)
    keys = list(keys) if keys is not None else (list(rows[0]) if rows else [c.key for c in columns])
    if not show_contact:
        rows = mask_free_text(rows)
    if output is not None:
        write_xlsx_rows(output, rows, columns, sheet_title or title or "Sheet1", title=title,
                        footer=footer, show_contact=show_contact)
    if fmt is Format.json:
        print_json([{k: plain(r.get(k)) for k in keys} for r in rows], show_contact=True)
    elif fmt is Format.csv:
        print_csv(rows, keys, show_contact=True)
    else:
        con = console()
        if not rows:
            con.print(empty)
        else:
            piped = isinstance(con, PlainConsole)
            con.print(make_table(rows, columns, title=title, caption=caption, footer=footer,
                                 width=None if piped else con.width, plain=piped))
        if output is not None:
            con.print(f"已写入 {output}")


def write_xlsx_rows(path: Path, rows: Sequence[dict], columns: Sequence[Column], sheet: str,
                    *, title: str | None = None, footer: dict | None = None,
                    kinds: dict[str, str] | None = None,
                    drop_first: Sequence[str] = (), show_contact: bool = False) -> None:
    """Write one sheet of `rows` under Chinese headers through the one workbook writer:
    numbers and dates as typed cells, text as text (never a formula)."""
    from cdo.sheets.write import SheetSpec, write_workbook

    body = [[_xlsx_value(c, r) for c in columns] for r in rows]
    foot = [_xlsx_value(c, footer) for c in columns] if footer is not None else None
    # off paper first when too wide: the file-only columns, then the terminal's secondary ones
    secondary = ([c.header for c in columns if not c.terminal]
                 + [c.header for c in columns if c.wide and c.terminal])
    write_workbook(path, [SheetSpec(sheet, [c.header for c in columns], body, title=title,
                                    footer=foot, kinds=dict(kinds or {}),
                                    drop_first=[*drop_first, *secondary],
                                    show_contact=show_contact)])


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _xlsx_value(col: Column, row: dict) -> Any:
    """A cell value: a number stays a number and a date a date (the display function
    is for text: names, masks, marks), everything else as the table shows it."""
    value = row.get(col.key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, bytes):  # a BLOB another program wrote: as text, as everywhere
        value = sql_text(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value):
        return dt.date.fromisoformat(value)  # marks such as 暂定 go in their own column
    if isinstance(value, str) and _ISO_TIME.match(value):  # a timestamp: local time as shown
        try:
            return dt.datetime.fromisoformat(value).replace(tzinfo=None, microsecond=0)
        except ValueError:
            pass
    if col.show is not None:
        return col.show(value, row)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
