"""Parsing the date spellings a clerk types or a unit writes into a cell."""

import datetime as dt
import re

from cdo.errors import InvalidInputError

_FULL = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?\s*$"
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?\s*$")
_MONTH_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})\s*$")


def try_parse_date(text: str) -> dt.date | None:
    """Return the date written as 2023-09-27, 2023/9/27, 2023.9.27 or 2023年9月27日.

    Returns None when the text is not shaped like a date. Raises InvalidInputError
    when it is shaped like one but cannot exist (2023-02-30).
    """
    text = text.strip().replace("／", "/").replace("－", "-").replace("．", ".")
    m = _FULL.match(text) or _COMPACT.match(text)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidInputError(f"日期不存在：{text}") from None


# Excel counts days from 1899-12-30 (its 1900 leap-year slip included): a date typed into a
# cell formatted as a number, or a date cell after a CSV round trip, reads 45839 for
# 2025-07-01. Only serials of 1990–2100 are taken for dates; other numbers are not dates.
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_FIRST = (dt.date(1990, 1, 1) - EXCEL_EPOCH).days   # 32874
SERIAL_LAST = (dt.date(2100, 12, 31) - EXCEL_EPOCH).days  # 73415
_SERIAL_TEXT = re.compile(r"^\s*(\d{5})(?:\.0+)?\s*$")


def from_excel_serial(value: object, first: int = SERIAL_FIRST,
                      last: int = SERIAL_LAST) -> dt.date | None:
    """The date an Excel serial number stands for (45839 or "45839" → 2025-07-01), or None
    when `value` is not a number between the serials `first` and `last` (1990–2100 unless
    told; a fraction, the time of day, is dropped)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        m = _SERIAL_TEXT.match(value)
        if not m:
            return None
        value = int(m.group(1))
    if not isinstance(value, int | float) or value != value:  # NaN
        return None
    if not first <= value < last + 1:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


def parse_date(text: str, what: str = "日期") -> dt.date:
    """Parse a command-line date; raise InvalidInputError naming `what` if it is bad."""
    value = try_parse_date(text)
    if value is None:
        raise InvalidInputError(
            f"{what}格式不对：{text!r}，请写成 2023-09-27、2023/9/27、2023.9.27 或 2023年9月27日"
        )
    return value


def parse_month(text: str, what: str = "月份") -> str:
    """Parse a month as 2023-09, 2023/9, 2023.9, 2023年9月 or 202309; return 'YYYY-MM'."""
    t = text.strip()
    m = _MONTH.match(t) or _MONTH_COMPACT.match(t)
    if not m:
        raise InvalidInputError(f"{what}格式不对：{text!r}，请写成 2023-09 或 2023年9月")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise InvalidInputError(f"{what}不存在：{text}")
    return f"{year:04d}-{month:02d}"


def timestamp() -> str:
    """Now, to the second, with the local UTC offset: when a record was written."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def today() -> dt.date:
    """Today's date; the single place commands take 'now' from."""
    return dt.date.today()


def from_iso(text: str | None) -> dt.date | None:
    """A date stored as 'YYYY-MM-DD' (a longer timestamp is cut); None if empty or bad."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
