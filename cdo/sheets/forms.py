"""The recommendation form (附件1 达州市首席数据官推荐表): writing a blank one, reading filled ones.

Forms come back from units written by Excel, WPS or LibreOffice, with rows moved, cells
merged differently and labels spelled a little differently. So fields are found by their
labels, never by cell address: a label is a cell whose normalized text is one of the
field's spellings; its value is the next non-empty cell to the right that is neither in
the label's own merged range nor another label, or, for the big text blocks, the cell
below when nothing is to the right.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdo.dates import EXCEL_EPOCH, from_excel_serial
from cdo.errors import CdoError, InvalidInputError, os_reason
from cdo.masking import mask_digits
from cdo.sheets.text import INVISIBLE, clean_text, has_symbols, normalize_label

if TYPE_CHECKING:  # the readers (zip, csv: 2 ms) are imported when a form is read
    from cdo.sheets.read import Sheet

TITLE = "达州市首席数据官推荐表"
WORK_PLAN_LIMIT = 500
WORK_PLAN_HINT = (
    "（不超过500字）条陈式描述工作计划，包含制度建设、重点事项、示范项目、队伍建设以及预期目标效果等内容。"
)
STAMP_TEXT = "推荐单位（盖章）："
DATE_PLACEHOLDER = "年    月    日"

# field key -> (printed label, other spellings units use)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("姓名", ("姓 名", "名字", "首席数据官姓名")),
    "gender": ("性别", ()),
    "ethnicity": ("民族", ()),
    "birth_month": ("出生年月", ("出生日期", "出生年月日", "出生时间", "出生年份")),
    "native_place": ("籍贯", ("籍 贯",)),
    "political_status": ("政治面貌", ("党派", "政治身份")),
    "education": ("学历学位", ("学历/学位", "学历", "学位", "文化程度", "学历（学位）")),
    "phone": ("联系方式", ("联系电话", "电话", "手机", "手机号码", "联系方式（手机）", "电话号码")),
    "position": (
        "工作单位及职务",
        ("工作单位及职务职级", "工作单位和职务", "单位及职务", "工作单位及职位", "现任职务",
         "工作单位职务", "现工作单位及职务"),
    ),
    "resume": ("个人简历", ("简历", "工作简历", "主要简历", "学习工作简历")),
    "skills": (
        "有何专业技术特长或资格技能证书",
        ("专业技术特长或资格技能证书", "有何专业技术特长", "专业技术特长", "资格技能证书",
         "有何专业技术特长或资格证书", "专业特长"),
    ),
    "work_plan": (
        "工作计划及目标成效",
        ("工作计划及目标", "工作计划", "工作计划和目标成效", "工作计划及预期成效"),
    ),
    "recommendation": (
        "所在地区或部门（单位）推荐意见",
        ("所在地区或部门推荐意见", "推荐意见", "所在单位推荐意见", "推荐单位意见",
         "所在地区或部门单位意见"),
    ),
    "photo": ("照片", ("相片", "近期免冠照片", "一寸照片", "二寸照片")),
}
BLOCK_FIELDS = ("resume", "skills", "work_plan", "recommendation")
FIELD_NAMES = {k: v[0] for k, v in FIELDS.items()}
# The person's fields in the order the form prints them (what the hash covers).
PERSON_FIELDS = (
    "name", "gender", "ethnicity", "birth_month", "native_place", "political_status",
    "education", "phone", "position", "resume", "skills", "work_plan", "recommendation",
)

# Longest plausible value of each field: longer means a pasted mistake, not a person.
FIELD_LIMITS = {
    "name": 30, "gender": 2, "ethnicity": 30, "birth_month": 7, "native_place": 60,
    "political_status": 60, "education": 100, "phone": 100, "position": 300,
    "resume": 5000, "skills": 2000, "recommendation": 2000,
}

_PAREN = re.compile(r"[（(][^（）()]*[)）]")


def _label_keys(text: str) -> set[str]:
    n = normalize_label(text)
    keys = {n}
    stripped = normalize_label(_PAREN.sub("", unicodedata.normalize("NFKC", text)))
    if stripped:
        keys.add(stripped)
    return keys


_LABELS: dict[str, str] = {}
for _key, (_printed, _others) in FIELDS.items():
    for _spelling in (_printed, *_others):
        for _k in _label_keys(_spelling):
            _LABELS.setdefault(_k, _key)


def label_of(value: Any) -> str | None:
    """The field key a cell labels, or None. Only short text cells can be labels."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 40:
        return None
    for k in _label_keys(text):
        if k in _LABELS:
            return _LABELS[k]
    return None


# ----------------------------------------------------------------------------- reading


@dataclass
class FormData:
    """What one filled form says, cleaned. `place` names file and sheet for messages."""

    file: str
    sheet: str
    fields: dict[str, str]
    form_date: dt.date | None = None
    missing: list[str] = field(default_factory=list)
    # (where, text) that may name the unit when 工作单位及职务 does not: a 推荐单位/填报单位
    # line on the form, the sheet's name, the file's name
    unit_hints: list[tuple[str, str]] = field(default_factory=list)

    @property
    def place(self) -> str:
        return f"{self.file}，工作表“{self.sheet}”"

    def hash(self, unit_id: int) -> str:
        """A fingerprint of what the form says (not of the file's bytes), for its unit."""
        payload: dict[str, str | int] = {k: self.fields.get(k, "") for k in PERSON_FIELDS}
        payload["unit_id"] = unit_id
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        import hashlib  # here: loading OpenSSL costs 2 ms of every command on the register

        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass
class FormError:
    """A form (or file) that cannot be imported, and why."""

    file: str
    sheet: str | None
    reason: str

    @property
    def place(self) -> str:
        return f"{self.file}，工作表“{self.sheet}”" if self.sheet else self.file


def _top(sheet: Sheet, r: int, c: int) -> tuple[int, int]:
    return sheet.merged.get((r, c), (r, c))


def _cell(sheet: Sheet, r: int, c: int) -> Any:
    if r < 0 or r >= len(sheet.rows) or c < 0:
        return None
    row = sheet.rows[r]
    return row[c] if c < len(row) else None


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) == "")


def _span(sheet: Sheet, r: int, c: int) -> tuple[int, int, int, int]:
    """The (min_row, min_col, max_row, max_col) of the merged range holding (r, c)."""
    top = _top(sheet, r, c)
    cells = [rc for rc, t in sheet.merged.items() if t == top] or [(r, c)]
    rows = [x[0] for x in cells]
    cols = [x[1] for x in cells]
    return min(rows), min(cols), max(rows), max(cols)


_INLINE = re.compile(r"^\s*([^:：]{1,20})\s*[:：]\s*(.+)$", re.S)


def find_labels(sheet: Sheet) -> dict[str, list[tuple[int, int]]]:
    """Every label cell of the sheet, by field key (a label may appear more than once)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            key = label_of(value)
            if key is not None:
                found.setdefault(key, []).append((r, c))
    return found


def _value_for(sheet: Sheet, key: str, r: int, c: int) -> Any:
    r0, c0, r1, c1 = _span(sheet, r, c)
    # to the right, on each row of the label's range; a text block spread over several
    # rows (opinion, then the stamp line) is joined
    found: list[Any] = []
    for rr in range(r0, r1 + 1):
        row = sheet.rows[rr] if rr < len(sheet.rows) else []
        for cc in range(c1 + 1, len(row)):
            top = _top(sheet, rr, cc)
            if top[0] != rr:
                # a merged block that started on an upper row (the photo box, or this
                # label's own value seen again): already read or not ours
                continue
            value = _cell(sheet, *top)
            if _is_empty(value):
                continue
            if label_of(value) is None:
                found.append(value)
            break
        if found and key not in BLOCK_FIELDS:
            break
    if len(found) == 1:
        return found[0]
    if found:
        return "\n".join(_text(x) for x in found)
    if key in BLOCK_FIELDS:
        # a layout with the label above its text block
        for rr in range(r1 + 1, min(r1 + 4, len(sheet.rows))):
            value = _cell(sheet, *_top(sheet, rr, c0))
            if _is_empty(value):
                continue
            if label_of(value) is not None:
                break
            return value
    return None


def extract_fields(sheet: Sheet) -> dict[str, Any]:
    """Raw values of every field found on the sheet, by field key (labels located first).

    Raises InvalidInputError when the sheet holds two forms (a label twice)."""
    labels = find_labels(sheet)
    if len(labels.get("name", [])) > 1:
        raise InvalidInputError(
            "这个工作表里有不止一份推荐表（“姓名”出现了多次），请每份推荐表单独放一个工作表")
    raw: dict[str, Any] = {}
    for key, places in labels.items():
        if key == "photo":
            continue
        if key == "education" and len(places) > 1:
            # 学历 and 学位 as two labels: keep both values
            parts = [_one_line(_value_for(sheet, key, *p)) for p in places]
            raw[key] = " ".join(dict.fromkeys(p for p in parts if p))
            continue
        raw[key] = _value_for(sheet, key, *places[0])
    # "姓名：张三" written in one cell (some WPS templates)
    for row in sheet.rows:
        for value in row:
            if not isinstance(value, str):
                continue
            m = _INLINE.match(value)
            if m:
                inline = label_of(m.group(1))
                if inline and inline != "photo" and _is_empty(raw.get(inline)):
                    raw[inline] = m.group(2)
    return raw


_UNIT_LINE_LABELS = {normalize_label(x) for x in (
    "推荐单位", "填报单位", "报送单位", "申报单位", "单位名称", "单位", "所在单位",
    "推荐单位（盖章）", "填报单位（盖章）", "单位（盖章）", "所在地区或部门（单位）")}
_UNIT_LINE = re.compile(r"^\s*([^:：\n]{1,16}?)\s*[:：]\s*(\S.*?)\s*$")


def unit_lines(sheet: Sheet) -> list[str]:
    """Texts the form gives as its unit apart from 工作单位及职务: '推荐单位：达州市统计局'
    (in one cell or a label cell and the cell after it), the stamp line
    '推荐单位（盖章）：…' written out."""
    found: list[str] = []
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            if normalize_label(value) in _UNIT_LINE_LABELS:
                nxt = _value_for(sheet, "unit", r, c)
                if not _is_empty(nxt) and isinstance(nxt, str):
                    found.append(_one_line(nxt))
                continue
            for line in value.splitlines():
                m = _UNIT_LINE.match(line)
                if m and normalize_label(m.group(1)) in _UNIT_LINE_LABELS:
                    found.append(m.group(2))
    return list(dict.fromkeys(found))


def looks_like_form(sheet: Sheet) -> bool:
    """True if the sheet has the form's labels (a blank Sheet2 or a note sheet has not)."""
    keys = set(find_labels(sheet))
    for row in sheet.rows:
        for value in row:
            if isinstance(value, str) and (m := _INLINE.match(value)):
                key = label_of(m.group(1))
                if key:
                    keys.add(key)
    return "name" in keys or len(keys - {"photo"}) >= 3


# --- value cleaning


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return clean_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).replace("\r\n", "\n").replace("\r", "\n")
    # clean_text: zero-width and direction marks removed, spaces of any width trimmed
    lines = [clean_text(ln) for ln in s.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _one_line(value: Any) -> str:
    return re.sub(r"[\s\u3000]+", " ", _text(value)).strip()


_BIRTH_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月.*|[-/.]\s*\d{1,2}\s*日?)?$", re.S),
    re.compile(r"^(\d{4})(\d{2})(?:\d{2})?$"),
]
# what may follow the month: 生, the age in brackets — '1978.10(45岁)', '1978.10生'
_BIRTH_TAIL = re.compile(r"(?:生|出生)?\s*(?:[(（]\s*\d{1,3}\s*岁\s*[)）])?\s*$")


# Excel serials of 1930-01-01 … 1990-01-01: never a 1975.03 or 197503 (a number the size of
# a year, or six digits), so read as the date they stand for.
_BIRTH_SERIALS = (dt.date(1930, 1, 1) - EXCEL_EPOCH).days


def parse_birth_month(value: Any) -> str:
    """'YYYY-MM' from 1975.03, 1975年3月, 1975-3, 197503, 1975/3/12 or a date cell.

    A number cell 1975.1 is read as 1975.10 (Excel drops the trailing zero).
    Raises InvalidInputError naming the value when it is not a month."""
    if value is None or value == "":
        return ""
    year = month = None
    if isinstance(value, int | float) and (day := from_excel_serial(value, _BIRTH_SERIALS)):
        value = day  # a birth date typed into a number cell: 27820 is 1976-03-01
    if isinstance(value, dt.datetime | dt.date):
        year, month = value.year, value.month
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 100000 <= value <= 999999:
            year, month = divmod(int(value), 100)
        elif 1000 < value < 10000:
            year = int(value)
            month = round((value - year) * 100)
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
        text = _BIRTH_TAIL.sub("", text) or text
        for pattern in _BIRTH_PATTERNS:
            m = pattern.match(text)
            if m:
                year, month = int(m.group(1)), int(m.group(2))
                break
    this_year = dt.date.today().year
    if year is None or month is None or not (1 <= month <= 12) or not (1900 <= year <= this_year):
        raise InvalidInputError(
            f"出生年月无法识别：{_text(value)!r}，请写成 1975.03、1975年3月 或 1975-03"
        )
    return f"{year:04d}-{month:02d}"


_PHONE_SPLIT = re.compile(r"[/,，;；、\n]|\s{2,}|或")
# what a unit writes before a number: 手机：, 办公电话:, 座机 …
_PHONE_LABEL = re.compile(
    r"^(?:手机号码|手机号|手机|移动电话|办公室电话|办公电话|办公室|办公|座机|固话|固定电话|"
    r"电话|联系电话|tel|mobile|phone)\s*[:：]?\s*", re.I)
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "‐": "-", "‑": "-", "―": "-"})


def parse_phone(value: Any) -> str:
    """Digits only; a landline keeps its area-code hyphen (0818-2123456).

    Several numbers are kept, joined by '、'. Raises InvalidInputError for anything
    that is not a phone number."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).translate(_DASHES).strip()
    if not text:
        return ""
    numbers = []
    for part in _PHONE_SPLIT.split(text.replace("\r", "\n")):
        part = _PHONE_LABEL.sub("", part.strip()).strip()
        if not part:
            continue
        try:
            numbers.append(_one_phone(part, text))
        except InvalidInputError:
            # two numbers parted by one space: '15282406279 0818-2123456'
            pieces = part.split()
            if len(pieces) < 2:
                raise
            numbers.extend(_one_phone(x, text) for x in pieces)
    return "、".join(numbers)


def _one_phone(part: str, whole: str) -> str:
    p = re.sub(r"^(?:\+?86|0086)[\s-]*(?=1\d{10}$|1[\d\s-]{10,})", "", part)
    p = p.replace("(", "").replace(")", "-")
    if re.search(r"[^\d\s\-]", p):
        raise InvalidInputError(f"联系方式无法识别：{mask_digits(whole)!r}（只能是电话号码）")
    digits = re.sub(r"\D", "", p)
    if re.fullmatch(r"1\d{10}", digits):
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        m = re.match(r"^\s*(0\d{2,3})\s*-", p)
        if m:
            area = m.group(1)
        else:
            area = digits[:3] if digits[1] in "12" else digits[:4]
        return f"{area}-{digits[len(area):]}"
    if 7 <= len(digits) <= 8 and not digits.startswith("0"):
        return digits  # a local number without area code
    raise InvalidInputError(
        f"联系方式无法识别：{mask_digits(whole)!r}（手机号应为 11 位，座机写成 0818-2123456）")


_GENDERS = {"男": "男", "男性": "男", "女": "女", "女性": "女", "m": "男", "f": "女"}


def parse_gender(value: Any) -> str:
    text = _one_line(value)
    if not text:
        return ""
    g = _GENDERS.get(text.lower())
    if g is None:
        raise InvalidInputError(f"性别应填“男”或“女”，表中是：{text!r}")
    return g


_DATE_IN_TEXT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(
    r"([〇○零ＯOo一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十廿卅]{1,4})\s*日")


def _cn_number(text: str) -> int:
    """一 … 三十一 (also 廿, 卅) as a number."""
    text = text.replace("廿", "二十").replace("卅", "三十")
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def _cn_date(text: str) -> tuple[int, int, int] | None:
    """A date in Chinese numerals as stamps carry it: 二〇二三年五月二十六日."""
    found = _CN_DATE.findall(text)
    if not found:
        return None
    y, m, d = found[-1]
    try:
        return (int("".join(str(_CN_DIGITS[ch]) for ch in y)), _cn_number(m), _cn_number(d))
    except KeyError:
        return None


def _form_date(text: str) -> dt.date | None:
    """The date written on the form's recommendation block (年 月 日), if filled in:
    2023年5月26日, 2023-05-26, or in Chinese numerals 二〇二三年五月二十六日."""
    cn = _cn_date(text)
    if cn is not None:
        y, m, d = cn
        try:
            return dt.date(y, m, d)
        except ValueError:
            raise InvalidInputError(f"推荐意见中的日期不存在：{y}年{m}月{d}日") from None
    for pattern in (_DATE_IN_TEXT, _DATE_ISO):
        found = pattern.findall(unicodedata.normalize("NFKC", text))
        if found:
            y, m, d = (int(x) for x in found[-1])
            try:
                return dt.date(y, m, d)
            except ValueError:
                raise InvalidInputError(f"推荐意见中的日期不存在：{y}年{m}月{d}日") from None
    return None


def _strip_hint(text: str) -> str:
    """Drop the printed hint (不超过500字…) if the unit wrote below it instead of over it."""
    hint = normalize_label(WORK_PLAN_HINT)
    if not text:
        return text
    if normalize_label(text) == hint:
        return ""
    # remove the hint when it is the start of the text, whatever the spacing
    norm_prefix = ""
    for i, ch in enumerate(text):
        norm_prefix += normalize_label(ch)
        if norm_prefix == hint:
            return text[i + 1:].strip()
        if not hint.startswith(norm_prefix):
            break
    return re.sub(r"^[（(]\s*不超过\s*500\s*字\s*[)）]", "", text).strip()


def _clean_recommendation(text: str) -> str:
    t = text.replace(STAMP_TEXT, "").replace("推荐单位(盖章):", "")
    t = re.sub(r"推荐单位\s*[（(]\s*盖章\s*[)）]\s*[:：]?", "", t)
    t = re.sub(r"^\s*年\s+月\s+日\s*$", "", t, flags=re.M)
    # the signing date on its own line is kept as the form's date, not as opinion text
    t = re.sub(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$", "", t, flags=re.M)
    t = re.sub(r"^\s*" + _CN_DATE.pattern + r"\s*$", "", t, flags=re.M)
    t = re.sub(r"\n\s*\n+", "\n", _text(t))
    return t


def clean_form(raw: dict[str, Any]) -> tuple[dict[str, str], dt.date | None]:
    """Cleaned field values and the form's own date; raises InvalidInputError on a bad one."""
    # zero-width and direction marks out of every field first (张\u200b三 is 张三)
    raw = {k: INVISIBLE.sub("", v) if isinstance(v, str) else v for k, v in raw.items()}
    f: dict[str, str] = {}
    f["name"] = re.sub(r"[\s\u3000]+", "", _one_line(raw.get("name")))
    check_person_name(f["name"])
    f["gender"] = parse_gender(raw.get("gender"))
    f["ethnicity"] = _one_line(raw.get("ethnicity"))
    f["birth_month"] = parse_birth_month(raw.get("birth_month"))
    f["native_place"] = _one_line(raw.get("native_place"))
    f["political_status"] = _one_line(raw.get("political_status"))
    f["education"] = _one_line(raw.get("education"))
    f["phone"] = parse_phone(raw.get("phone"))
    f["position"] = _one_line(raw.get("position"))
    f["resume"] = _text(raw.get("resume"))
    f["skills"] = _text(raw.get("skills"))
    f["work_plan"] = _strip_hint(_text(raw.get("work_plan")))
    rec = _text(raw.get("recommendation"))
    form_date = _form_date(rec) if rec else None
    f["recommendation"] = _clean_recommendation(rec)
    return f, form_date


def check_person_name(name: str, what: str = "姓名") -> str:
    """`name` if it may be a person's name; raises InvalidInputError for one holding emoji
    or other symbols (张三😀 is not a different person from 张三, nor a name at all).
    Zero-width characters are removed before this (clean_text)."""
    if has_symbols(name):
        bad = "".join(dict.fromkeys(ch for ch in name if has_symbols(ch)))
        raise InvalidInputError(
            f"{what}“{name}”含有表情或符号（{bad}），不是人名，请删去后重新报送或导入")
    return name


def plan_length(text: str) -> int:
    """Characters of the work plan as the 500-字 limit counts them (spaces and line breaks
    are not counted)."""
    return len(re.sub(r"[\s\u3000]", "", text))


def read_forms(path: Path) -> tuple[list[FormData], list[FormError]]:
    """Every form in the workbook at `path` (one a visible sheet; the hidden sheets passed
    over in the list's `hidden`) and every sheet that failed.

    An unreadable file gives one FormError for the whole file."""
    from cdo.sheets.read import read_table
    from cdo.sheets.rows import Found

    name = str(path)
    try:
        sheets = read_table(path, merged=True, max_rows=MAX_FORM_ROWS)
    except CdoError as e:
        return [], [FormError(name, None, _without_path(str(e), name))]
    except OSError as e:
        return [], [FormError(name, None, unreadable(e))]
    forms: Found[FormData] = Found(hidden=sheets.hidden)  # a hidden sheet is no form
    errors: list[FormError] = []
    for sheet in sheets:
        if not looks_like_form(sheet):
            continue
        try:
            raw = extract_fields(sheet)
            fields, form_date = clean_form(raw)
        except CdoError as e:
            errors.append(FormError(name, sheet.name, str(e)))
            continue
        if not fields["name"]:
            errors.append(FormError(name, sheet.name, "没有填写姓名"))
            continue
        too_long = [(k, len(fields[k])) for k, limit in FIELD_LIMITS.items()
                    if len(fields[k]) > limit]
        if too_long:
            errors.append(FormError(name, sheet.name, "；".join(
                f"{FIELD_NAMES[k]}太长（{n} 字，最多 {FIELD_LIMITS[k]} 字），请核对"
                for k, n in too_long)))
            continue
        length = plan_length(fields["work_plan"])
        if length > WORK_PLAN_LIMIT:
            errors.append(FormError(
                name, sheet.name,
                f"工作计划及目标成效共 {length} 字，超过了 {WORK_PLAN_LIMIT} 字的限制，"
                "请对方精简后重新报送",
            ))
            continue
        missing = [FIELD_NAMES[k] for k in PERSON_FIELDS
                   if k not in ("name", "recommendation") and not fields[k]]
        hints = [("表上的单位栏", t) for t in unit_lines(sheet)]
        hints.append((f"工作表名“{sheet.name}”", sheet.name))
        hints.append((f"文件名“{path.name}”", path.stem))
        forms.append(FormData(name, sheet.name, fields, form_date, missing, hints))
    if not forms and not errors:
        errors.append(FormError(
            name, None, "没有找到推荐表（没有“姓名”“性别”等栏目），请确认发来的是附件1推荐表"))
    return forms, errors


def _without_path(message: str, path: str) -> str:
    prefix = f"{path}："
    return message[len(prefix):] if message.startswith(prefix) else message


# What a folder may hold besides .xlsx forms. Spreadsheet-like files (and Word files: a
# unit may have typed the form into Word) are listed as refused, with what to do; anything
# else (scans, PDFs, pictures, archives, notes) and hidden or lock files is passed over.
FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods")
MAX_FORM_ROWS = 1_000  # a form is about 12 rows; a sheet far longer is not a form
_SAVE_AS = "请用 WPS/Excel/LibreOffice 打开后另存为 .xlsx 再导入"
_REFUSED_SUFFIXES = {
    ".ett": f"这是 WPS 表格模板（.ett）文件，{_SAVE_AS}",
    ".numbers": f"这是苹果 Numbers（.numbers）文件，{_SAVE_AS}",
    ".xlsb": f"这是 Excel 二进制（.xlsb）文件，{_SAVE_AS}",
    ".xltx": f"这是 Excel 模板（.xltx）文件，{_SAVE_AS}",
    ".xltm": f"这是 Excel 模板（.xltm）文件，{_SAVE_AS}",
    ".csv": "这是 .csv 文件，推荐表须是附件1格式的 .xlsx 文件，请让对方按模板填写后发来",
    ".doc": "这是 Word 文件，推荐表须是附件1格式的 .xlsx 文件，请让对方按模板（cdo register"
            " template）填写后发来",
    ".docx": "这是 Word 文件，推荐表须是附件1格式的 .xlsx 文件，请让对方按模板（cdo register"
             " template）填写后发来",
    ".wps": "这是 WPS 文字文件，推荐表须是附件1格式的 .xlsx 文件，请让对方按模板（cdo register"
            " template）填写后发来",
}


def refusal(path: Path) -> str | None:
    """Why the file at `path` cannot be read as a form, from its extension alone; None
    for a spreadsheet cdo reads (.xlsx, .xlsm, .xls, .et, .ods)."""
    suffix = path.suffix.lower()
    if suffix in FORM_SUFFIXES:
        return None
    if suffix in _REFUSED_SUFFIXES:
        return _REFUSED_SUFFIXES[suffix]
    return f"只能导入 .xlsx、.xls、.et 或 .ods 表格文件（这是 {suffix or '没有扩展名的'} 文件）"


def unreadable(e: OSError) -> str:
    """Why a file could not be opened, as the clerk can act on it."""
    if isinstance(e, PermissionError):
        return ("无法打开：没有读取权限，或文件正被 Excel/WPS 打开。"
                "请关闭该文件（或检查文件权限）后再导入这一份")
    return f"无法打开这个文件（{os_reason(e)}），请检查后再导入这一份"


def lock_file(path: Path) -> bool:
    """Excel/WPS's `~$name.xlsx` and LibreOffice's `.~lock.name.xlsx#`: left beside a file
    while it is open, never a form."""
    return path.name.startswith(("~$", ".~lock.")) or (
        path.name.startswith(".~") and path.name.endswith("#"))


def _hidden(path: Path, top: Path) -> bool:
    """Hidden files and folders (.x), Office/WPS lock files (~$x, .~x)."""
    return any(part.startswith((".", "~$")) for part in path.relative_to(top).parts)


def _not_a_file(entry: Path, files: list[Path]) -> str | None:
    """Why an entry of a folder named like a form (x.xlsx, x.ods …) is not one to read:
    a link to a file that is gone, a folder with no spreadsheet in it, something that is
    not a file at all. None for a file, and for anything not named like a form."""
    if entry.suffix.lower() not in FORM_SUFFIXES and entry.suffix.lower() not in _REFUSED_SUFFIXES:
        return None
    if entry.is_symlink() and not entry.exists():
        return "这是一个快捷方式（链接），它指向的文件已不存在，请把推荐表文件本身放进文件夹再导入"
    if entry.is_dir():
        if any(entry in f.parents for f in files if f.suffix.lower() in FORM_SUFFIXES):
            return None  # the forms inside it are read, each on its own
        return "这是一个文件夹（名字像表格文件），里面没有推荐表；请放入推荐表文件本身再导入"
    if not entry.is_file():
        return "这不是普通文件（无法作为表格读取），请放入推荐表文件本身再导入"
    return None


def form_files(paths: list[Path]) -> tuple[list[Path], list[FormError]]:
    """The files to read: each file given, and the .xlsx files inside each folder given.

    A file given by name that is not .xlsx is refused with the reason. In a folder, the
    spreadsheet-like and Word files that are not .xlsx are refused too (so none is
    skipped unseen), and so is an entry named like a form that is no file to read (a
    link to a file that is gone, a folder with no form in it); other files, hidden files
    and lock files are passed over."""
    files: list[Path] = []
    errors: list[FormError] = []
    for p in paths:
        if lock_file(p):  # named on the command line by a wildcard (*.xlsx)
            continue
        if p.is_dir():
            try:
                entries = sorted(f for f in p.rglob("*") if not _hidden(f, p))
                inside = [f for f in entries if f.is_file()]
                odd = [(f, why) for f in entries
                       if (why := _not_a_file(f, inside)) is not None]
            except OSError as e:
                errors.append(FormError(
                    str(p), None, f"无法读取这个文件夹（{os_reason(e)}），"
                                  "请检查文件夹权限"))
                continue
            found = [f for f in inside if f.suffix.lower() in FORM_SUFFIXES]
            refused = [f for f in inside if f.suffix.lower() in _REFUSED_SUFFIXES]
            errors.extend(FormError(str(f), None, refusal(f) or "") for f in refused)
            errors.extend(FormError(str(f), None, why) for f, why in odd)
            if not found and not refused and not odd:
                errors.append(FormError(str(p), None, "文件夹里没有表格文件（.xlsx、.xls、.et、.ods）"))
            files.extend(found)
        elif not p.exists():
            errors.append(FormError(str(p), None, "文件不存在"))
        elif (why := refusal(p)) is not None:
            errors.append(FormError(str(p), None, why))
        else:
            files.append(p)
    return files, errors


# ----------------------------------------------------------------------------- writing

# Column widths (characters) of the printed form: label, value, value, label, value,
# value, photo. About 82 characters: fits A4 portrait with ordinary margins.
_WIDTHS = (15, 9, 9, 12, 9, 9, 16)


def build_form(values: dict[str, Any] | None = None):
    """A workbook holding one recommendation form laid out as 附件1, filled with `values`
    (field key -> cell value) if given; returns the openpyxl Workbook."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "推荐表"
    fill_form_sheet(ws, values or {})
    return wb


def fill_form_sheet(ws, values: dict[str, Any]) -> None:
    """Lay out (and optionally fill) the form on worksheet `ws`."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from cdo.sheets.write import set_text, setup_a4

    body_font = Font(name="宋体", size=12)
    label_font = Font(name="宋体", size=12, bold=True)
    side = Side(style="thin", color="000000")
    border = Border(left=side, right=side, top=side, bottom=side)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left_top = Alignment(horizontal="left", vertical="top", wrap_text=True)

    for i, w in enumerate(_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w

    def box(r0: int, c0: int, r1: int, c1: int, value: Any = None, *, label: bool = False,
            align: Alignment = center, font: Font | None = None) -> None:
        if (r0, c0) != (r1, c1):
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                ws.cell(r, c).border = border
        cell = ws.cell(r0, c0)
        if value is not None and value != "":
            set_text(cell, value) if isinstance(value, str) else setattr(cell, "value", value)
        cell.font = font or (label_font if label else body_font)
        cell.alignment = align

    v = values.get
    ws.cell(1, 1).value = "附件1"
    ws.cell(1, 1).font = Font(name="黑体", size=14)
    ws.merge_cells("A2:G2")
    ws.cell(2, 1).value = TITLE
    ws.cell(2, 1).font = Font(name="宋体", size=20, bold=True)
    ws.cell(2, 1).alignment = center
    ws.row_dimensions[1].height = 22
    ws.row_dimensions[2].height = 44

    pairs = [
        ("name", "gender"), ("ethnicity", "birth_month"),
        ("native_place", "political_status"), ("education", "phone"),
    ]
    r = 3
    for left, right in pairs:
        box(r, 1, r, 1, FIELD_NAMES[left], label=True)
        box(r, 2, r, 3, v(left))
        box(r, 4, r, 4, FIELD_NAMES[right], label=True)
        box(r, 5, r, 6, v(right))
        ws.row_dimensions[r].height = 36
        r += 1
    box(3, 7, 6, 7, "照片", font=Font(name="宋体", size=12, color="808080"))
    if isinstance(v("birth_month"), dt.date):
        ws.cell(4, 5).number_format = "yyyy.mm"

    box(r, 1, r, 1, FIELD_NAMES["position"], label=True)
    box(r, 2, r, 7, v("position"), align=Alignment(horizontal="left", vertical="center",
                                                   wrap_text=True))
    ws.row_dimensions[r].height = 40
    r += 1
    blocks = [
        ("resume", 180, v("resume")),
        ("skills", 50, v("skills")),
        ("work_plan", 200, v("work_plan")),
    ]
    for key, height, value in blocks:
        label = "有何专业技术特长\n或资格技能证书" if key == "skills" else FIELD_NAMES[key]
        if key == "work_plan":
            label = "工作计划及\n目标成效"
        box(r, 1, r, 1, label, label=True)
        if key == "work_plan" and not value:
            box(r, 2, r, 7, WORK_PLAN_HINT, align=left_top,
                font=Font(name="宋体", size=11, color="808080"))
        else:
            box(r, 2, r, 7, value, align=left_top)
        ws.row_dimensions[r].height = height
        r += 1
    rec = v("recommendation")
    rec_date = v("form_date")
    date_text = (f"{rec_date.year}年{rec_date.month}月{rec_date.day}日"
                 if isinstance(rec_date, dt.date) else DATE_PLACEHOLDER)
    box(r, 1, r + 1, 1, "所在地区或部门\n（单位）推荐意见", label=True)
    box(r, 2, r, 7, rec, align=left_top)
    box(r + 1, 2, r + 1, 7, f"{STAMP_TEXT}{' ' * 16}\n\n{date_text}{' ' * 6}",
        align=Alignment(horizontal="right", vertical="center", wrap_text=True))
    # the opinion and the stamp line read as one box, as on the printed form
    for c in range(2, 8):
        ws.cell(r, c).border = Border(left=side if c == 2 else None,
                                      right=side if c == 7 else None, top=side)
        ws.cell(r + 1, c).border = Border(left=side if c == 2 else None,
                                          right=side if c == 7 else None, bottom=side)
    ws.row_dimensions[r].height = 70
    ws.row_dimensions[r + 1].height = 60
    r += 1

    dv = DataValidation(type="list", formula1='"男,女"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("E3")

    ws.print_area = f"A1:G{r}"
    setup_a4(ws, landscape=False, one_page=True)
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.sheet_view.showGridLines = False


def write_template(path: Path) -> None:
    """Write a blank recommendation form (附件1) to `path` (.xlsx)."""
    from cdo.sheets.write import save_workbook

    save_workbook(build_form(), Path(path))


# ----------------------------------------------------------------------------- received dates

# A date in a file's name: 2023-05-26, 2023.5.26, 2023_05_26, 2023年5月26日, 20230526.
_NAME_DATES = (
    re.compile(r"(?<!\d)(\d{4})\s*[-._/年]\s*(\d{1,2})\s*[-._/月]\s*(\d{1,2})\s*日?(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),
)


def date_in_name(name: str) -> dt.date | None:
    """The one date a file name carries (`2023-05-26 通川区.xlsx`), or None when it has
    none, or several that differ."""
    text = unicodedata.normalize("NFKC", name)
    found: set[dt.date] = set()
    for pattern in _NAME_DATES:
        for y, m, d in pattern.findall(text):
            try:
                found.add(dt.date(int(y), int(m), int(d)))
            except ValueError:
                continue
    return found.pop() if len(found) == 1 else None


RECEIPT_FIELDS = {
    "received": ["收到日期", "收文日期", "接收日期", "收件日期", "收表日期", "报送日期", "送达日期",
                 "received", "received_on"],
    "file": ["文件名", "文件名称", "文件", "附件", "附件名", "附件名称", "file"],
    "unit": ["单位", "单位名称", "报送单位", "推荐单位", "来文单位", "unit"],
}


@dataclass
class ReceiptList:
    """An accompanying list of when each form came in (收文登记): by file name or by unit."""

    path: Path
    by_file: dict[str, tuple[dt.date, str]] = field(default_factory=dict)  # stem key → (date, place)
    by_unit: list[tuple[str, dt.date, str]] = field(default_factory=list)  # (unit text, date, place)
    # rows whose 收到日期 is not a date: the form they name fails with the message
    bad_files: dict[str, str] = field(default_factory=dict)  # stem key → message
    bad_units: list[tuple[str, str]] = field(default_factory=list)  # (unit text, message)
    errors: list[str] = field(default_factory=list)  # bad rows naming no file or unit


def file_key(name: str) -> str:
    """A file name as a list row and the file are matched: no folder, no extension."""
    stem = Path(name.replace("\\", "/")).name
    for suffix in (*FORM_SUFFIXES, *_REFUSED_SUFFIXES):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return normalize_label(stem)


def _date_cell(value: Any) -> dt.date | None:
    """A received date: a date cell, an Excel serial number (45839), date text, or a date
    within text (2025-07-01 上午); None when the cell holds no date."""
    from cdo.sheets.read import cell_date

    try:
        return cell_date(value)
    except InvalidInputError:
        text = _text(value)
        return date_in_name(text) if text else None


def read_receipt_list(path: Path) -> ReceiptList | None:
    """The list of received dates in the spreadsheet or CSV at `path`, or None when it is
    not one (no 收到日期 column beside a 文件名 or 单位 column)."""
    from cdo.sheets.read import DATE_SPELLINGS, column_letter, find_header, iter_records, read_table

    try:
        sheets = read_table(path)
    except (CdoError, OSError):
        return None
    for sheet in sheets:
        header = None
        for key in ("file", "unit"):
            header = find_header(sheet.rows, RECEIPT_FIELDS, ["received", key])
            if header is not None:
                break
        if header is None:
            continue
        found = ReceiptList(path)
        in_sheet = "" if path.suffix.lower() in (".csv", ".txt") else f"工作表“{sheet.name}”，"
        for rownum, rec in iter_records(sheet.rows, header):
            place = f"{path.name}，第 {rownum} 行"
            raw = rec.get("received")
            day = _date_cell(raw)
            if day is None:
                if _text(raw):
                    col = column_letter(header.columns["received"])
                    bad = (f"收文登记表 {path.name}，{in_sheet}第 {rownum} 行 {col} 列：收到日期"
                           f"“{_text(raw)}”不是日期（应写成 {DATE_SPELLINGS}），请改正后重新导入")
                    if _text(rec.get("file")):
                        found.bad_files[file_key(_text(rec["file"]))] = bad
                    elif _text(rec.get("unit")):
                        found.bad_units.append((_text(rec["unit"]), bad))
                    else:
                        found.errors.append(bad)
                continue
            if _text(rec.get("file")):
                found.by_file[file_key(_text(rec["file"]))] = (day, place)
            elif _text(rec.get("unit")):
                found.by_unit.append((_text(rec["unit"]), day, place))
        return found
    return None


def receipt_candidates(paths: list[Path]) -> list[Path]:
    """Files that may be a list of received dates: .csv and .xlsx files directly inside each
    folder given, and .csv files given by name."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            try:
                found += sorted(f for f in p.iterdir() if f.is_file() and not lock_file(f)
                                and not f.name.startswith(".")
                                and f.suffix.lower() in (".csv", *FORM_SUFFIXES))
            except OSError:
                continue
        elif p.suffix.lower() == ".csv" and p.is_file():
            found.append(p)
    return found
