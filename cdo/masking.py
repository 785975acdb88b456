"""Masking personal data for display: phone numbers kept to their first three and last
four digits. Pure; used by the terminal output, the audit log reader and the exports."""

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


_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")


def mask_numbers(text: str) -> str:
    """Phone numbers inside free text (a command line) masked like mask_phone does."""
    text = _MOBILE.sub(r"\1****\2", text)
    return _LANDLINE.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - len(m.group(1)) - 4)
                         + m.group(2), text)
