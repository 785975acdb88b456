"""Cell text as cdo compares and keeps it: trimmed, without control characters or
escape sequences, labels normalised, dates read. Apart from read.py (which re-exports these), so
that the modules that only clean text do not import the readers (zip, csv, 2 ms)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from cdo.dates import from_excel_serial, try_parse_date
from cdo.errors import InvalidInputError

# Zero-width and direction marks: invisible, copied in from web pages and chat apps.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Terminal escape sequences and C0/C1 control characters (tab and newline stay): never part
# of a cell's text, and they could drive the clerk's terminal when shown.
CONTROLS = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x1b.?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_LABEL_PUNCT = re.compile(r"[:：*＊()（）/／、·.．\-－_—]")


def normalize_label(text: Any) -> str:
    """A header or label as compared: no spaces of any width, no punctuation, NFKC."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACES.sub("", s)
    return _LABEL_PUNCT.sub("", s).lower()


def has_controls(value: Any) -> bool:
    """True if cell text holds a control character or escape sequence (tab, newline and
    carriage return excepted)."""
    return value is not None and bool(CONTROLS.search(str(value).replace("\r", "")))


def clean_text(value: Any) -> str:
    """Cell text with surrounding spaces (any width) trimmed, control characters and
    escape sequences removed (tab and newline stay); '' for empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n")
    return CONTROLS.sub("", INVISIBLE.sub("", text)).strip(" \t\r\n\u3000\u00a0")


def has_symbols(text: str) -> bool:
    """True if `text` holds emoji or other pictographs (no part of a name).

    Private-use and not-yet-assigned characters are allowed: rare characters in names
    (生僻字) are often typed that way."""
    return any(unicodedata.category(ch) in ("So", "Cs") for ch in text)


DATE_SPELLINGS = "2023-09-27、2023/9/27 或 2023年9月27日"


def cell_date(value: Any, label: str = "日期", place: str = "") -> dt.date | None:
    """The date a cell holds: a date cell, date text (2023-09-27, 2023/9/27, 2023.9.27,
    2023年9月27日, 20230927) or an Excel serial number of 1990–2100 (45839 → 2025-07-01,
    as a number cell or as text after a CSV round trip); None when blank.

    Raises InvalidInputError naming `label`, the text and `place` (where the cell is:
    工作表“…” D 列) when the cell is not a date or the day cannot exist."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    day = from_excel_serial(value)
    if day is not None:
        return day
    text = clean_text(value)
    if not text:
        return None
    at = f"{place}；" if place else ""
    try:
        day = try_parse_date(text)
    except InvalidInputError:
        raise InvalidInputError(f"{label}“{text}”这一天不存在"
                                + (f"（{place}）" if place else "")) from None
    if day is None:
        raise InvalidInputError(f"{label}“{text}”不是日期（{at}应写成 {DATE_SPELLINGS}，"
                                "或用日期格式的单元格）")
    return day
