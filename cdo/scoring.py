"""The evaluation table (附件2) and its rules, as plain functions with no I/O beyond
reading the bundled table: points, subtotals, totals, ranking, completeness, the
fingerprint of a year, and the points suggested from the records.

Points are numbers with at most two decimals (4, 4.5, 3.75); sums are rounded to two
decimals so that 0.1 + 0.2 never makes two equal totals differ.

Suggestion formulas (the office may enter other points; a suggestion never overwrites):

- Item 1 (meetings and training, 5 points): 5 × credit ÷ events, over every CDO meeting
  and training session held in the year. Credit per event: present 1, deputy (someone
  else attended for the CDO) 0.5, excused (leave asked beforehand) 0.25, absent or no
  attendance recorded 0. No event held that year: no suggestion.
- Item 2 (plan and summary, 5 points): 2.5 for the year's work plan received by the plan
  deadline, plus 2.5 for the work summary received by 31 December of the year (policy
  五（三）: 每年12月底前报送本年度工作总结). Received late: 1.25 each (LATE_REPORT_SHARE).
  Not received: 0. Only the date a plan or summary was received counts (cdo duty plan /
  cdo duty summary), not its content.
  Plan deadline (`plan_deadline`): FIRST_PLAN_DUE = 2023-05-30 for 2023 — the scheme's
  first-round deadline (五（一）: 具体工作方案 and the recommendation form, which carries
  the work plan, by 2023-05-30); PLAN_DUE_MONTH_DAY = 31 March of the year for 2024 and
  later. THE PLAN DEADLINE IS THIS TOOL'S ASSUMPTION, NOT THE POLICY'S: the scheme sets
  no yearly date for the work plan (评分表 item 2 only says 按时上报工作计划和总结). If
  the office fixes another date, change the two constants; existing points are not
  touched (suggestions never overwrite).
- Item 11 (quality checks and corrections, 5 points): 5 × on-time ÷ decided, over the
  unit's problems of the year (a problem's year is that of its `month` column: the check
  month of a spot-check problem, the recorded month of a user report — as in the monthly
  and annual reports), issued by the as-of date. On time: rectified on or before its
  deadline (the negotiated date where one was agreed) and never overdue. Decided: on time,
  rectified late, or unrectified past its deadline; unrectified problems still within
  their deadline are left out. No decided problem: full marks.

Suggestions are rounded half-up to one decimal. Items 4, 5, 7, 8, 10, 12, 13 and 16 are
suggested from the evidence (catalogue, systems, task lists, projects, quality
measurements) by `cdo.evaluation.evidence_rules`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

from cdo.errors import InvalidInputError

PART_KEYS = ("daily", "coordination", "sharing", "quality", "innovation", "third_party")
SUGGESTED_ITEMS = (1, 2, 11)

# Attendance credit per event, by attendance status (see module docstring).
ATTENDANCE_CREDIT = {"present": 1.0, "deputy": 0.5, "excused": 0.25, "absent": 0.0}
ATTENDANCE_NAMES = {"present": "出席", "deputy": "代参会", "excused": "请假", "absent": "缺席"}
LATE_REPORT_SHARE = 0.5  # a plan or summary received late earns half its 2.5 points


@dataclass(frozen=True)
class Item:
    no: int
    part: str
    text: str
    max: float


@dataclass(frozen=True)
class Part:
    key: str
    name: str
    max: float
    items: tuple[Item, ...]

    @property
    def label(self) -> str:
        """The part as printed in the 项目名称 column: 日常履职（10分）."""
        return f"{self.name}（{fmt_points(self.max)}分）"


@dataclass(frozen=True)
class Table:
    """The 附件2 evaluation table."""

    title: str
    source: str
    parts: tuple[Part, ...]
    items: tuple[Item, ...] = field(init=False)
    by_no: dict[int, Item] = field(init=False, hash=False, compare=False)
    part_by_key: dict[str, Part] = field(init=False, hash=False, compare=False)

    def __post_init__(self) -> None:
        items = tuple(i for p in self.parts for i in p.items)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "by_no", {i.no: i for i in items})
        object.__setattr__(self, "part_by_key", {p.key: p for p in self.parts})

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(i.no for i in self.items)

    @property
    def max_total(self) -> float:
        return sum(p.max for p in self.parts)

    def item(self, no: int) -> Item:
        """The item numbered `no` as printed; raises InvalidInputError for 3, 14 or 99."""
        try:
            return self.by_no[no]
        except KeyError:
            raise InvalidInputError(
                f"附件2评价表中没有第{no}项（表中序号为 {numbers_text(self.numbers)}）"
            ) from None


def numbers_text(numbers: Iterable[int]) -> str:
    return "、".join(str(n) for n in numbers)


def load_table(path: Path | None = None) -> Table:
    """The evaluation table from data/evaluation.json (or `path`), checked for sense."""
    if path is None:
        return _bundled_table()
    return _parse_table(json.loads(Path(path).read_text(encoding="utf-8")))


@cache
def _bundled_table() -> Table:
    from cdo.paths import data_dir

    return _parse_table(json.loads((data_dir() / "evaluation.json").read_text(encoding="utf-8")))


def _parse_table(raw: dict) -> Table:
    parts = []
    for p in raw["parts"]:
        items = tuple(Item(int(i["no"]), p["key"], i["text"], float(i["max"])) for i in p["items"])
        if abs(sum(i.max for i in items) - float(p["max"])) > 1e-9:
            raise ValueError(f"evaluation table: items of {p['key']} do not add up to {p['max']}")
        parts.append(Part(p["key"], p["name"], float(p["max"]), items))
    table = Table(raw["title"], raw.get("source", ""), tuple(parts))
    if len(table.by_no) != len(table.items):
        raise ValueError("evaluation table: duplicate item number")
    return table


# ----------------------------------------------------------------------------- points

def num(value: float | None) -> float | int | None:
    """A point value for JSON/CSV: 5.0 → 5, 4.5 → 4.5, rounded to two decimals."""
    if value is None:
        return None
    v = round(float(value), 2)
    return int(v) if v.is_integer() else v


def fmt_points(value: float | None) -> str:
    """4 → '4', 4.5 → '4.5', 3.75 → '3.75'; None → ''."""
    if value is None:
        return ""
    return f"{round(value, 2) + 0.0:g}"  # + 0.0: -0 shows as 0


_NUMBER = re.compile(r"^[+]?(\d+(?:\.\d*)?|\.\d+)$")


def parse_points_exact(value: Any) -> Decimal | None:
    """A cell or typed value as exact points: None for blank; 4, '4.5', '４.５分' accepted.

    Text is read digit for digit (never through a float), a number cell by its shortest
    decimal form (the 4.45 typed in Excel is 4.45), so '9.99999999' stays 9.99999999 and
    is refused by `check_points` instead of being rounded to 10. -0 is 0.

    Raises InvalidInputError (without a place; the caller names it) when it is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInputError(f"“{value}”不是分数")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInputError(f"“{value}”不是分数")
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidInputError(f"“{value}”不是分数")
        d = Decimal(repr(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"\s+", "", text)
        if not text:
            return None
        if text.endswith("分"):
            text = text[:-1]
        negative = text.startswith("-")
        if negative:
            text = text[1:]
        if not _NUMBER.match(text):
            raise InvalidInputError(f"“{value}”不是分数")
        d = Decimal(text.lstrip("+"))
        if negative:
            d = -d
    return Decimal(0) if d == 0 else d


def parse_points(value: Any) -> float | None:
    """`parse_points_exact` as a float (None for blank)."""
    d = parse_points_exact(value)
    return None if d is None else float(d)


def _exact(points: float | Decimal) -> Decimal:
    return points if isinstance(points, Decimal) else parse_points_exact(points) or Decimal(0)


def has_two_decimals_at_most(points: float | Decimal) -> bool:
    sign, digits, exponent = _exact(points).as_tuple()  # exact: no context rounding
    if not isinstance(exponent, int):
        return False
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return -exponent - zeros <= 2 or exponent >= 0


def check_points(table: Table, item_no: int, points: float | Decimal) -> float:
    """`points` for item `item_no` if within 0…max with at most two decimals (exactly:
    9.99999999 is refused, never rounded to 10); -0 is 0.

    Raises InvalidInputError naming the item and its maximum.
    """
    item = table.item(item_no)
    d = _exact(points)
    if d < 0:
        raise InvalidInputError(
            f"第{item.no}项不能为负分（{d}），该项满分 {fmt_points(item.max)} 分"
        )
    if not has_two_decimals_at_most(d):
        raise InvalidInputError(
            f"第{item.no}项的分数 {d} 最多保留两位小数（该项满分 {fmt_points(item.max)} 分）"
        )
    if d > Decimal(repr(float(item.max))):
        raise InvalidInputError(
            f"第{item.no}项最多 {fmt_points(item.max)} 分，{fmt_points(float(d))} 分超出了满分"
        )
    return float(d) + 0.0


# ----------------------------------------------------------------------------- totals

def part_subtotals(table: Table, points: Mapping[int, float]) -> dict[str, float | None]:
    """Each part's sum of the entered items; None for a part with nothing entered."""
    out: dict[str, float | None] = {}
    for part in table.parts:
        entered = [points[i.no] for i in part.items if i.no in points]
        out[part.key] = num(sum(entered)) if entered else None
    return out


def total(table: Table, points: Mapping[int, float]) -> float | int:
    """The sum of the entered items of the table (partial when some are missing)."""
    return num(sum(points[i.no] for i in table.items if i.no in points)) or 0  # type: ignore[return-value]


def missing_items(table: Table, points: Mapping[int, float]) -> list[int]:
    """Item numbers not yet scored, in table order."""
    return [i.no for i in table.items if i.no not in points]


def competition_ranks(totals: Sequence[float]) -> list[int]:
    """Standard competition ranks, highest first: [90, 95, 95, 80] → [3, 1, 1, 4]."""
    order = sorted(range(len(totals)), key=lambda i: -round(totals[i], 2))
    ranks = [0] * len(totals)
    prev: float | None = None
    rank = 0
    for pos, i in enumerate(order, 1):
        t = round(totals[i], 2)
        if t != prev:
            rank, prev = pos, t
        ranks[i] = rank
    return ranks


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    category: str


def ranking(table: Table, units: Sequence[UnitRef],
            points: Mapping[int, Mapping[int, float]]) -> list[dict]:
    """The ranking rows for `units` given `points[unit_id][item]`.

    Complete units are ranked by total (equal totals share a rank: 1, 1, 3) and come
    first, in rank order; incomplete units follow, unranked, with the items they miss.
    Within a rank, and among incomplete units, `units`' own order is kept.
    Row keys: rank, unit, category, parts, total, complete, missing.
    """
    # One pass per unit (2,000 units × 15 items must rank well under 0.1 s); the result
    # is what part_subtotals, total and missing_items give.
    keys = [p.key for p in table.parts]
    slot = {i.no: k for k, p in enumerate(table.parts) for i in p.items}
    numbers = table.numbers
    rows = []
    empty: dict[int, float] = {}
    for u in units:
        pts = points.get(u.id, empty)
        sums: list[float | None] = [None] * len(keys)
        for no, v in pts.items():
            k = slot.get(no)
            if k is not None:
                s = sums[k]
                sums[k] = v if s is None else s + v
        missing = [n for n in numbers if n not in pts]
        rows.append({
            "rank": None,
            "unit": u.name,
            "category": u.category,
            "parts": {k: num(s) for k, s in zip(keys, sums, strict=True)},
            "total": num(sum(s for s in sums if s is not None)) or 0,
            "complete": not missing,
            "missing": missing,
        })
    complete = [r for r in rows if r["complete"]]
    ranks = competition_ranks([cast(float, r["total"]) for r in complete])
    for row, rank in zip(complete, ranks, strict=True):
        row["rank"] = rank
    complete.sort(key=lambda r: cast(int, r["rank"]))  # stable: ties keep the units' order
    return complete + [r for r in rows if not r["complete"]]


def missing_text(missing: Sequence[int], table: Table | None = None) -> str:
    """'未评：第1、11项' or '未评：全部15项'."""
    if not missing:
        return ""
    if table is not None and len(missing) == len(table.items):
        return f"未评：全部{len(missing)}项"
    return f"未评：第{numbers_text(missing)}项"


# ----------------------------------------------------------------------------- fingerprint

def fingerprint(year: int, entries: Iterable[tuple[str, int, float]]) -> str:
    """SHA-256 (hex) of a year's points: one line `year<TAB>unit<TAB>item<TAB>points`
    per (unit name, item, points), sorted by unit name then item, points with two
    decimals. Notes and entry times do not count: only the points themselves.
    """
    import hashlib  # here: loading OpenSSL costs 2 ms of every command that reads points

    lines = sorted((unit, int(item), f"{round(pts, 2):.2f}") for unit, item, pts in entries)
    h = hashlib.sha256()
    for unit, item, pts in lines:
        h.update(f"{year}\t{unit}\t{item}\t{pts}\n".encode())
    return h.hexdigest()


def short_fingerprint(full: str) -> str:
    """The first 16 hex digits in groups of four, upper case: 3F2A-9C1B-77D0-0E41."""
    s = full[:16].upper()
    return "-".join(s[i:i + 4] for i in range(0, 16, 4))


# ----------------------------------------------------------------------------- suggestions

def round_suggestion(value: float) -> float:
    """Half-up to one decimal (4.375 → 4.4, 2.25 → 2.3)."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def suggest_attendance(statuses: Sequence[str | None], max_points: float = 5.0) -> float | None:
    """Item 1 from one status per event held that year (None = no attendance recorded).

    max × Σcredit ÷ events; None when no event was held.
    """
    if not statuses:
        return None
    credit = sum(ATTENDANCE_CREDIT.get(s or "absent", 0.0) for s in statuses)
    return round_suggestion(max_points * credit / len(statuses))


# Item 2's work-plan deadline — an ASSUMPTION of this tool, not set by the policy (see the
# module docstring): 2023 uses the scheme's first-round date, later years 31 March.
FIRST_PLAN_YEAR = 2023
FIRST_PLAN_DUE = dt.date(2023, 5, 30)  # 实施方案 五（一）
PLAN_DUE_MONTH_DAY = (3, 31)


def plan_deadline(year: int) -> dt.date:
    """When the year's work plan is due (an assumption; see module docstring)."""
    return FIRST_PLAN_DUE if year == FIRST_PLAN_YEAR else dt.date(year, *PLAN_DUE_MONTH_DAY)


def summary_deadline(year: int) -> dt.date:
    """The work summary is due by the end of December (policy 五（三）)."""
    return dt.date(year, 12, 31)


def report_points(received: dt.date | None, deadline: dt.date, full: float = 2.5) -> float:
    """Points for one plan or summary: full on time, half late, none if never received."""
    if received is None:
        return 0.0
    return full if received <= deadline else full * LATE_REPORT_SHARE


def suggest_reports(year: int, plan_received: dt.date | None,
                    summary_received: dt.date | None, max_points: float = 5.0) -> float:
    """Item 2: plan by plan_deadline(year) plus summary by 31 December."""
    half = max_points / 2
    return round_suggestion(
        report_points(plan_received, plan_deadline(year), half)
        + report_points(summary_received, summary_deadline(year), half)
    )


@dataclass(frozen=True)
class ProblemFacts:
    """What item 11 needs from one problem."""

    due_on: dt.date
    rectified_on: dt.date | None
    ever_late: bool = False  # found overdue at some point, even if later fixed


def problem_outcome(p: ProblemFacts, as_of: dt.date) -> str:
    """'on_time', 'late' (rectified after the deadline or ever overdue), 'overdue'
    (not rectified, past the deadline) or 'pending' (not rectified, still in time)."""
    if p.rectified_on is not None:
        if p.rectified_on <= p.due_on and not p.ever_late:
            return "on_time"
        return "late"
    return "overdue" if as_of > p.due_on else "pending"


def outcome_counts(problems: Iterable[ProblemFacts], as_of: dt.date) -> dict[str, int]:
    counts = {"found": 0, "on_time": 0, "late": 0, "overdue": 0, "pending": 0}
    for p in problems:
        counts["found"] += 1
        counts[problem_outcome(p, as_of)] += 1
    return counts


def on_time_rate(counts: Mapping[str, int]) -> float | None:
    """On-time share of the decided problems (on time + late + overdue); None if none."""
    decided = counts["on_time"] + counts["late"] + counts["overdue"]
    return counts["on_time"] / decided if decided else None


def suggest_rectification(counts: Mapping[str, int], max_points: float = 5.0) -> float:
    """Item 11: max × on-time share of the decided problems; none decided → full marks."""
    rate = on_time_rate(counts)
    return max_points if rate is None else round_suggestion(max_points * rate)
