"""Cell text as cdo compares and keeps it: trimmed, without control characters or
escape sequences, labels normalised. Apart from read.py (which re-exports these), so
that the modules that only clean text do not import the readers (zip, csv, 2 ms)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

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
