"""Reading the State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

Two inputs are accepted:

* the notice as published, pasted into a text file. Each item ("二、春节：…") names its
  days off — a range ("2月10日至17日", "2007年12月30日—2008年1月1日", "1月28日（农历除夕、
  周二）至2月4日"), a single day ("6月10日放假") or a 补休 day ("6月22日（星期一）补休") —
  and its adjusted working days ("2月4日（星期日）、2月18日（星期日）上班"). Full- and
  half-width digits and punctuation, 星期/周 weekdays and lunar notes in brackets, and
  lines wrapped by a PDF are all fine. A weekday in brackets is checked against the date.
  Sentences that only encourage (鼓励…安排职工在除夕（2月9日）休息) give no day off;
  explanations (其中…为法定节假日, …公休日调至…, 照常公休) give nothing either.
* a simple list: one date and 休/班 (or off/work, 放假/上班) a line, an optional name
  after it; blank lines and # comments are ignored.

Domain module: plain values in, `ParsedNotice` out, `CdoError` on bad input.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cdo.dates import try_parse_date
from cdo.errors import CdoError, FileReadError, InvalidInputError, os_reason

MAX_BYTES = 1_000_000
MAX_SPAN_DAYS = 15  # the longest arrangement so far (2020, extended) ran 10 days
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class ParsedNotice:
    """One year's arrangement: days off, adjusted working days, and each day's name."""

    year: int
    holidays: list[dt.date]
    workdays: list[dt.date]
    names: dict[dt.date, str] = field(default_factory=dict)
    source: str = ""

    def as_json(self) -> dict:
        """{"year", "holidays", "workdays"} with sorted ISO dates (`load --format json`)."""
        return {
            "year": self.year,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }

    def doc(self) -> dict:
        """The year in the data-file shape {"year","source","days":[{date,name,off}]}."""
        days = [(d, True) for d in self.holidays] + [(d, False) for d in self.workdays]
        return {
            "year": self.year,
            "source": self.source,
            "days": [
                {"date": d.isoformat(), "name": self.names.get(d, ""), "off": off}
                for d, off in sorted(days)
            ],
        }


# -- files ---------------------------------------------------------------------------------


def read_notice(path: Path, year: int | None = None) -> ParsedNotice:
    """Read and parse a notice file; every problem is a CdoError naming the file."""
    text = read_text(path)
    try:
        return parse_notice(text, year)
    except CdoError as e:
        raise type(e)(f"{path}：{e}") from None


def read_text(path: Path) -> str:
    """The text of a notice file: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK."""
    if not path.exists():
        raise FileReadError(f"找不到文件：{path}")
    if path.is_dir():
        raise FileReadError(f"{path} 是一个文件夹，请给出通知的文本文件")
    if not path.is_file():  # a FIFO would block, /dev/zero never ends
        raise FileReadError(f"{path}：不是普通文件（可能是管道或设备），请给出通知的文本文件")
    size = path.stat().st_size
    if size == 0:
        raise FileReadError(f"{path}：文件是空的")
    if size > MAX_BYTES:
        raise FileReadError(f"{path}：文件太大（{size // 1024} KB），不像一份节假日安排通知")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FileReadError(f"{path}：无法读取（{os_reason(e)}）") from None
    return decode(data, path)


def decode(data: bytes, path: Path | str = "文件") -> str:
    """Decode a text file as a Chinese office PC saves it; a clear error for anything else."""
    if data.startswith(b"%PDF"):
        raise FileReadError(f"{path}：这是 PDF 文件。请把通知正文复制到一个 .txt 文本文件中再载入")
    if data.startswith(b"PK") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileReadError(
            f"{path}：这是 Word 或 Excel 文件。请把通知正文复制到一个 .txt 文本文件中再载入")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:4096]:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
    raise FileReadError(
        f"{path}：不是文本文件，或无法识别其编码（请另存为 UTF-8 或 GBK 编码的 .txt）")


# -- parsing -------------------------------------------------------------------------------


def parse_notice(text: str, year: int | None = None) -> ParsedNotice:
    """Parse a notice as published, or a simple "date 休/班" list (see the module doc).

    `year` is the notice's year when the text does not say it (only the items were
    copied); a title that names another year is an error.

    Raises FileReadError when the text names no day off (it is not a notice), and
    InvalidInputError for a date that cannot be right (impossible date, weekday in
    brackets that does not match, a day both off and worked).
    """
    text = text.replace("\ufeff", "").replace("\u200b", "")
    simple = _parse_simple(text)
    if simple is not None:
        return simple
    return _parse_published(text, year)


_KINDS = {"休": True, "休息": True, "放假": True, "假": True, "补休": True, "调休": True,
          "休息日": True, "节假日": True, "off": True, "holiday": True,
          "班": False, "上班": False, "补班": False, "调班": False, "调休上班": False,
          "工作日": False, "work": False, "workday": False}
_SIMPLE_LINE = re.compile(r"^(\S+)\s+(\S+)(?:\s+(.*))?$")
# "2027-02-05 至 2027-02-13 休 春节": a range of days in the simple list
# The first date holds no separator (a '-' only inside it), and no part gives back what it
# took (possessive): linear on any line, e.g. 2,000 dashes (was cubic).
_SIMPLE_RANGE = re.compile(
    r"^((?:[^\s至到~—–-]|-(?!-?\s))++)\s*+(?:至|到|~|—++|–|-{1,2}(?=\s))\s*+(\S++)\s++(\S++)"
    r"(?:\s+(.*))?$")


def _parse_simple(text: str) -> ParsedNotice | None:
    """The simple list, or None if the text is not one."""
    entries: list[tuple[int, dt.date, bool, str]] = []
    bad: list[tuple[int, str]] = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = unicodedata.normalize("NFKC", raw).split("#", 1)[0].strip()
        if not line:
            continue
        line = re.sub(r"[,\t;]+", " ", line).strip()
        found = _simple_entry(line, no)
        if found is None:
            bad.append((no, raw.strip()))
        else:
            first, last, off, name = found
            d = first
            while d <= last:
                entries.append((no, d, off, name))
                d += dt.timedelta(days=1)
    if not entries:
        return None
    if bad and bad[0] == min(bad) and not re.search(r"\d", bad[0][1]) and (
            not entries or bad[0][0] < entries[0][0]):
        bad = bad[1:]  # a header line above the list (日期,类型,名称), as a CSV has
    if bad:
        no, line = bad[0]
        raise InvalidInputError(
            f"第{no}行看不懂：“{line[:40]}”。简单清单每行写一个日期和“休”或“班”，"
            "例如“2027-02-06 休 春节”；# 开头的是注释")
    seen: dict[dt.date, tuple[int, bool]] = {}
    names: dict[dt.date, str] = {}
    for no, date, off, name in entries:
        if date in seen and seen[date][1] != off:
            raise InvalidInputError(
                f"第{no}行：{date} 在第{seen[date][0]}行已写为“{'休' if seen[date][1] else '班'}”，"
                "同一天不能既放假又上班")
        seen[date] = (no, off)
        names[date] = name or ("节假日" if off else "调休上班")
    year = max(Counter(d.year for d in seen).items(), key=lambda kv: (kv[1], kv[0]))[0]
    holidays = sorted(d for d, (_, off) in seen.items() if off)
    workdays = sorted(d for d, (_, off) in seen.items() if not off)
    if not holidays:
        raise FileReadError("清单里没有任何“休”的日期，不像一年的放假安排")
    return ParsedNotice(year, holidays, workdays, names, f"{year}年放假安排（简单清单）")


def _simple_entry(line: str, no: int) -> tuple[dt.date, dt.date, bool, str] | None:
    """(first, last, off, name) of one line of the simple list, or None if it is not one."""
    m = _SIMPLE_RANGE.match(line)
    if m and m.group(3).lower() in _KINDS:
        try:
            first, last = try_parse_date(m.group(1)), try_parse_date(m.group(2))
        except CdoError as e:
            raise InvalidInputError(f"第{no}行：{e}") from None
        if first is not None and last is not None:
            if not first <= last <= first + dt.timedelta(days=MAX_SPAN_DAYS):
                raise InvalidInputError(f"第{no}行：日期范围不对（{first} 至 {last}）")
            return first, last, _KINDS[m.group(3).lower()], (m.group(4) or "").strip()
    m = _SIMPLE_LINE.match(line)
    if m and m.group(2).lower() in _KINDS:
        try:
            date = try_parse_date(m.group(1))
        except CdoError as e:
            raise InvalidInputError(f"第{no}行：{e}") from None
        if date is not None:
            return date, date, _KINDS[m.group(2).lower()], (m.group(3) or "").strip()
    return None


# A numbered item ("一、", "1.", "（一）") and its heading up to the colon.
_ITEM = re.compile(
    r"^\s*(?:(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.]\s*|\(\s*[一二三四五六七八九十\d]+\s*\)\s*)"
    r"(?P<name>[^:,。;()\d]{1,20}?)\s*:(?P<body>.*)$"
)
# An unnumbered item that starts with a festival's name ("元旦：…").
_FESTIVAL_ITEM = re.compile(
    r"^\s*(?P<name>[“”\"'「」]*(?:元旦|春节|清明|劳动节|五一|端午|中秋|国庆|十一)[^:,。;()\d]{0,12}?)"
    r"\s*:(?P<body>.*)$"
)
_FESTIVALS = re.compile(r"元旦|春节|清明|劳动节|五一|端午|中秋|国庆|十一|纪念日")
_NAME_FIX = {"五一": "劳动节", "十一": "国庆节", "清明": "清明节", "端午": "端午节",
             "中秋": "中秋节", "国庆": "国庆节"}
_TOKEN = re.compile(
    r"(?P<br>\([^()]*\))"
    r"|(?P<date>(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日)"
    r"|(?P<sep>至|到|—+|–|―|-+|~|〜)"
    r"|(?P<kw>放假|补休|调休|上班)"
)
_DOC_NO = re.compile(r"\(?(国办发明?电|国发明?电)[〔(](\d{4})[〕)](\d+)号\)?")
_WEEKDAY = re.compile(r"(?:星期|周|礼拜)\s*([一二三四五六日天])")


_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0",
                                                                       "O": "0", "o": "0"}
_CN_YEAR = re.compile(r"([〇零○Oo一二三四五六七八九]{4})(\s*年)")


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    # 二〇二六年 / 二零二六年 as a year: the digits the rest of the reader understands
    text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(1)) + m.group(2), text)
    return text.translate(str.maketrans("【】[]", "()()"))


def _clean_name(name: str) -> str:
    name = re.sub(r"[“”\"'「」《》\s]", "", name)
    parts = [_NAME_FIX.get(p, p) for p in re.split(r"[、,和及与]", name) if p]
    return "、".join(parts) or "节假日"


def _notice_year(text: str) -> int | None:
    head = "".join(text.splitlines()[:8])
    patterns = (r"关于.{0,8}?(\d{4})\s*年", r"现将\s*(\d{4})\s*年", r"(\d{4})\s*年.{0,12}?放假")
    for pattern in patterns:
        m = re.search(pattern, head) or re.search(pattern, text)
        if m:
            return int(m.group(1))
    return None


def _notice_source(text: str, year: int) -> str:
    """The notice's title with its document number; several if amendments follow it."""
    flat = re.sub(r"\s+", "", text)
    titles = []
    for m in re.finditer(r"国务院(?:办公厅)?关于[^。,:;]{0,60}?通知", flat):
        title = m.group(0)
        doc = _DOC_NO.match(flat, m.end())
        if doc is None:
            doc = _DOC_NO.search(flat[m.end():m.end() + 40])
        if doc is not None:
            title += f"（{doc.group(1)}〔{doc.group(2)}〕{doc.group(3)}号）"
        if title not in titles:
            titles.append(title)
    return "；".join(titles) or f"国务院办公厅关于{year}年部分节假日安排的通知"


def _blocks(text: str) -> list[tuple[str, str]]:
    """(name, body) of each item ("二、春节：…") and each other paragraph (name "").

    A line right below an item or paragraph continues it (text wrapped by a PDF), so
    lines are joined without a separator; a blank line or a new item ends it.
    """
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            current = None
            continue
        m = _ITEM.match(line) or _FESTIVAL_ITEM.match(line)
        if m:
            current = [_clean_name(m.group("name")), m.group("body")]
            blocks.append(current)
        elif current is None:
            current = ["", line]
            blocks.append(current)
        else:
            current[1] += line
    return [(name, body) for name, body in blocks]


class _Reader:
    """Collects the days of one notice, item by item."""

    def __init__(self, year: int):
        self.year = year
        self.days: dict[dt.date, tuple[bool, str, int]] = {}  # date -> (off, name, item)

    def read_block(self, index: int, name: str, body: str) -> None:
        # Book titles (《全国年节及纪念日放假办法》) are not arrangements; commas inside
        # brackets ("（农历正月初九，星期日）") do not end a clause.
        body = re.sub(r"《[^》]*》", "", body)
        body = re.sub(r"\([^()]*\)", lambda m: re.sub(r"[,;。]", "、", m.group(0)), body)
        if not name:
            festival = _FESTIVALS.search(body)
            name = _clean_name(festival.group(0)) if festival else "节假日"
        context: dt.date | None = None  # the previous date, for "3日" and "至17日"
        for sentence in re.split(r"[。;]", body):
            if "鼓励" in sentence or "倡导" in sentence:
                continue  # encouraged, not ordered: no day off
            self._read_extension(sentence, name, index)
            waiting = ""  # dates alone before a comma: "2月14日(周六),2月28日(周六)上班"
            for clause in sentence.split(","):
                if _only_dates(clause):
                    waiting += clause + "、"
                    continue
                context = self._read_clause(waiting + clause, name, index, context)
                waiting = ""
            if waiting:
                context = self._read_clause(waiting, name, index, context)

    def _read_extension(self, sentence: str, name: str, index: int) -> None:
        """"延长2020年春节假期至2月2日": every day from the end of that festival's days
        off up to the date is off too (the 2020 notice extending the Spring Festival)."""
        m = _EXTEND.search(sentence)
        if m is None:
            return
        date = _TOKEN.match(sentence, m.end())
        if date is None or date.lastgroup != "date" or date.group("m") is None:
            return
        festival = _FESTIVALS.search(m.group("what") or "")
        name = _clean_name(festival.group(0)) if festival else name
        until = self._date(date, None, name)
        before = [d for d, (off, n, _) in self.days.items()
                  if off and n == name and d <= until and (until - d).days <= MAX_SPAN_DAYS]
        if not before:
            raise InvalidInputError(
                f"“{sentence[m.start():date.end()].strip()}”延长的是{name}假期，但没有找到原来的{name}放假安排。"
                f"请把这份通知贴在当年的节假日安排通知后面，放在同一个文件里一起载入")
        d = max(before) + dt.timedelta(days=1)
        while d <= until:
            self._add(d, True, name, index, sentence)
            d += dt.timedelta(days=1)

    def _read_clause(self, clause: str, name: str, index: int,
                     context: dt.date | None) -> dt.date | None:
        tokens = [(m.lastgroup, m) for m in _TOKEN.finditer(clause)]
        # spans: (first, last) date pairs in the order written; singles have first == last
        spans: list[tuple[dt.date, dt.date]] = []
        pending: list[int] = []  # indexes in spans waiting for their keyword
        keyword_for: dict[int, str] = {}
        last_kw: str | None = None
        i = 0
        while i < len(tokens):
            kind, m = tokens[i]
            if kind == "kw" and m.group(0) == "上班" and _RESUME.search(clause[:m.start()]):
                pass  # "2月3日起正常上班": work resumes as usual, not an adjusted working day
            elif kind == "kw":
                last_kw = m.group(0)
                for k in pending:
                    keyword_for[k] = last_kw
                pending = []
            elif kind == "date":
                if m.group("m") is None and context is None:
                    i += 1
                    continue  # "3日" with no month before it in the item: not a date here
                start = self._date(m, context, name)
                i = self._check_weekday(tokens, i, start, clause)
                end = start
                j = i + 1
                if (j + 1 < len(tokens) and tokens[j][0] == "sep" and tokens[j + 1][0] == "date"
                        and _adjacent(clause, tokens[i][1], tokens[j][1], tokens[j + 1][1])):
                    end = self._date(tokens[j + 1][1], start, name, range_end=True)
                    i = self._check_weekday(tokens, j + 1, end, clause)
                    if not start <= end <= start + dt.timedelta(days=MAX_SPAN_DAYS):
                        raise InvalidInputError(
                            f"日期范围不对：“{clause.strip()}”（{start} 至 {end}）")
                context = end
                spans.append((start, end))
                pending.append(len(spans) - 1)
            i += 1
        for k in pending:  # dates after the last keyword ("补休6月22日") take it
            if last_kw is not None:
                keyword_for[k] = last_kw
        for k, (start, end) in enumerate(spans):
            kw = keyword_for.get(k)
            if kw is None:
                continue  # an explanation (其中…为法定节假日, 公休日调至…): nothing to record
            off = kw != "上班"
            d = start
            while d <= end:
                self._add(d, off, name, index, clause)
                d += dt.timedelta(days=1)
        return context

    def _date(self, m: re.Match, context: dt.date | None, name: str,
              range_end: bool = False) -> dt.date:
        y, mo, d = m.group("y"), m.group("m"), m.group("d")
        text = m.group(0)
        if mo is None:  # "3日": the month (and year) of the date before it
            if context is None:
                raise InvalidInputError(f"“{text}”前面没有写月份，无法确定是哪一天")
            year, month = context.year, context.month
        else:
            month = int(mo)
            if y is not None:
                year = int(y)
            elif month == 12 and "元旦" in name:
                year = self.year - 1  # the 元旦 arrangement reaching back into December
            else:
                year = self.year
        try:
            value = dt.date(year, month, int(d))
        except ValueError:
            raise InvalidInputError(f"日期不存在：“{text}”（{year}年{month}月{d}日）") from None
        if range_end and context is not None and value < context:
            if mo is None:  # "30日至2日": into the next month
                nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
                value = _replace_day(nxt, int(d), text)
            elif y is None:  # "12月31日至1月2日": into the next year
                value = _replace_day(dt.date(year + 1, month, 1), int(d), text)
        return value

    @staticmethod
    def _check_weekday(tokens: list, i: int, date: dt.date, clause: str) -> int:
        """Check a "（星期日）"/"（农历除夕、周二）" right after the date; return the index of
        the last token consumed."""
        if i + 1 < len(tokens) and tokens[i + 1][0] == "br":
            note = tokens[i + 1][1].group(0)
            w = _WEEKDAY.search(note)
            if w:
                said = "日" if w.group(1) == "天" else w.group(1)
                actual = WEEKDAYS[date.weekday()]
                if said != actual:
                    raise InvalidInputError(
                        f"“{clause.strip()}”中 {date.month}月{date.day}日 标注为星期{said}，"
                        f"但 {date.isoformat()} 是星期{actual}；请核对通知的年份和日期")
            return i + 1
        return i

    def _add(self, d: dt.date, off: bool, name: str, index: int, clause: str) -> None:
        if not dt.date(self.year - 1, 12, 1) <= d <= dt.date(self.year, 12, 31):
            raise InvalidInputError(
                f"“{clause.strip()}”中的 {d.isoformat()} 不在 {self.year} 年的放假安排范围内；"
                "请核对通知的年份")
        old = self.days.get(d)
        if old is not None and old[0] != off and old[2] == index:
            raise InvalidInputError(
                f"{d.isoformat()} 在同一项里既是放假日又是上班日：“{clause.strip()}”")
        # across items the later mention wins: an amendment pasted below its notice
        self.days[d] = (off, old[1] if old is not None and old[0] == off else name, index)


_EXTEND = re.compile(r"延长(?P<what>[^,。;至]{0,16}?)假期\s*至\s*")
_RESUME = re.compile(r"(?:起|开始|恢复)\s*(?:正常)?\s*$|正常\s*$")


def _only_dates(clause: str) -> bool:
    """A clause that is nothing but dates (with their brackets): it waits for the keyword
    of the clause after it."""
    rest = clause
    has_date = False
    for m in reversed(list(_TOKEN.finditer(clause))):
        if m.lastgroup == "kw":
            return False
        has_date |= m.lastgroup == "date"
        rest = rest[:m.start()] + rest[m.end():]
    return has_date and not re.sub(r"[\s、和及]", "", rest)


def _adjacent(clause: str, before: re.Match, sep: re.Match, after: re.Match) -> bool:
    """A range only when the separator stands right between two dates ("10日至17日"),
    not in "公休日调至2月22日"."""
    gap_before = clause[before.end():sep.start()].strip()
    gap_after = clause[sep.end():after.start()].strip()
    return not gap_before and not gap_after


def _replace_day(first: dt.date, day: int, text: str) -> dt.date:
    try:
        return first.replace(day=day)
    except ValueError:
        raise InvalidInputError(f"日期不存在：“{text}”") from None


def _parse_published(original: str, given: int | None = None) -> ParsedNotice:
    text = _normalize(original)
    year = _notice_year(text)
    if given is not None:
        if year is not None and year != given:
            raise InvalidInputError(f"通知写的是 {year} 年，与 --year {given} 不符")
        year = given
    if year is None:
        raise FileReadError(
            "不是节假日安排通知：没有找到年份（应有“国务院办公厅关于2027年部分节假日安排的通知”"
            "这样的标题），也不是“日期 休/班”的简单清单；只复制了各项安排的，请用 --year 2027 "
            "写明年份")
    reader = _Reader(year)
    for index, (name, body) in enumerate(_blocks(text)):
        reader.read_block(index, name, body)
    holidays = sorted(d for d, (off, _, _) in reader.days.items() if off)
    if not holidays:
        raise FileReadError(
            "不是节假日安排通知：没有找到任何放假日期（如“二、春节：2月10日至17日放假调休”），"
            "也不是“日期 休/班”的简单清单")
    workdays = sorted(d for d, (off, _, _) in reader.days.items() if not off)
    names = {d: name for d, (_, name, _) in reader.days.items()}
    return ParsedNotice(year, holidays, workdays, names, _notice_source(text, year))
