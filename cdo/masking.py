"""Masking personal data for display: phone numbers kept to their first three and last
four digits. Pure; used by the terminal output, the audit log reader, the exports and the
error messages that quote what a clerk typed or a unit wrote."""

from __future__ import annotations

import re


def mask_phone(value: str | None, row: dict | None = None) -> str:
    """152****6279: keep the first three and last four digits; a landline keeps its area
    code (0818-***3456). Several numbers (stored joined by 、) are masked one by one."""
    if not value:
        return ""
    if "、" in str(value):
        return "、".join(mask_phone(part) for part in str(value).split("、"))
    digits = str(value)
    area, dash, local = digits.partition("-")
    if dash and len(local) > 4:
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 1)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# One separator a person may put between digits: space, hyphen or dash, dot (any width).
_SEP = r"[ \u3000\-\u2010-\u2015\uff0d.\u00a0]"
# A mobile in any spelling: 13975312468, 139 7531 2468, 139-7531-2468, +86 139…, 86139…,
# 0086-139…; the country code is kept as written.
_MOBILE = re.compile(
    rf"(?<![\d*])((?:(?:\+|00)\s?)?86{_SEP}?)?(1{_SEP}?[3-9](?:{_SEP}?\d){{9}})(?!{_SEP}?[\d*])")
# A landline with its area code: 0818-2123456, 0818 212 3456, (0818)2123456, 028-8765 4321.
_LANDLINE = re.compile(
    rf"(?<![\d*])([(（]?0\d{{2,3}}[)）]?{_SEP}?)((?:\d{_SEP}?){{6,7}}\d)(?!{_SEP}?[\d*])")
# Any run of seven or more digits, separators allowed (for text that failed to parse).
_DIGIT_RUN = re.compile(rf"(?<![\d*])\+?\d(?:{_SEP}?\d){{6,}}(?!{_SEP}?[\d*])")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")
# The value after --phone on a recorded command line, quoted or not.
_PHONE_OPTION = re.compile(r"(--phone(?:=|\s+))('[^']*'|\"[^\"]*\"|\S+)")


def _star_middle(text: str, keep_head: int = 3, keep_tail: int = 4) -> str:
    """Replace the digits of `text` by *, except the first `keep_head` and the last
    `keep_tail`; separators stay where they are."""
    n = sum(ch.isdigit() for ch in text)
    if n <= keep_tail:
        return text
    head = min(keep_head, max(0, n - keep_tail - 1))
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            if head < seen <= n - keep_tail:
                ch = "*"
        out.append(ch)
    return "".join(out)


def mask_numbers(text: str) -> str:
    """Phone numbers inside free text (a command line, a message) masked like mask_phone
    does, in whatever spelling they were typed; dates and counts are left alone."""
    if not text:
        return text
    text = text.translate(_FULLWIDTH)
    text = _PHONE_OPTION.sub(lambda m: m.group(1) + mask_digits(m.group(2)), text)
    text = _MOBILE.sub(lambda m: (m.group(1) or "") + _star_middle(m.group(2)), text)
    return _LANDLINE.sub(lambda m: m.group(1) + _star_middle(m.group(2), 0), text)


def mask_digits(text: str) -> str:
    """Every run of seven or more digits masked (first three and last four kept): for a
    value that should have been a phone number but could not be read as one."""
    if not text:
        return text
    return _DIGIT_RUN.sub(lambda m: _star_middle(m.group(0)), mask_numbers(text))


def sql_text(raw: bytes) -> str:
    """Bytes read from SQLite where text belongs, as text: UTF-8, a byte that is not UTF-8
    (another program's GBK text, a BLOB) shown as U+FFFD. cdo's one rule for such values:
    the connection's text_factory (cdo.store.db), the BLOBs in listings (cdo.output's
    cdo_text, cdo.problems.model) and the exact mask of a description."""
    return raw.decode("utf-8", "replace")


_ANY_DIGIT = re.compile(r"\d")


def mask_sql_value(value: object) -> str | None:
    """mask_numbers on a value read from SQLite (cdo_mask_text, the exact mask of a
    problem's description): bytes (a BLOB another program wrote, or a text cdo hands over
    as a BLOB because it may not be UTF-8) read as sql_text. Never raises (it runs inside
    SQLite): a value it cannot mask is masked as the file's rough mask does, every digit
    starred."""
    if value is None:
        return None
    text = sql_text(value) if isinstance(value, bytes) else str(value)
    try:
        return mask_numbers(text)
    except Exception:  # noqa: BLE001 - no failure may reach SQLite: the digits go, whatever else happens
        return _ANY_DIGIT.sub("*", text)
