"""The official Chinese working-day calendar and deadline arithmetic.

A working day is a Monday-Friday that is not a day off, or an adjusted working day
(调休上班). Years come from the bundled State Council data (`data/holidays/`), from
notices loaded into the database, or — for a year with neither — a provisional rule
(weekends plus the fixed-date statutory days) that every answer marks as provisional.
Local adjustments (office closures, municipal notices) are merged on top.

A year's notice may name days of the year before (the 2023 notice gives 2022-12-31 off):
each year's data holds every day its notice names, and where two notices name the same
day the later notice wins. Because of that, the last days of December also depend on the
NEXT year's notice; a deadline that ends there while the next year is still provisional
is marked provisional too.

Deadlines never loop day by day: the calendar precomputes, for a span of years, the
sorted working days and a running count, so `add_workdays` and `workdays_between` are
a couple of list lookups.

Import as `from cdo import calendar as workcal` where the standard library's `calendar`
could be confused with it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, compress
from typing import Literal

from cdo.errors import InvalidInputError

YearStatus = Literal["official", "loaded", "provisional"]
DayKind = Literal["workday", "weekend", "holiday", "adjusted_workday"]

_MARGIN_YEARS = 3  # provisional years precomputed beyond the last known one
_TAIL = (12, 24)  # days after this (month, day) may be moved by next year's notice
MIN_YEAR, MAX_YEAR = 1900, 2200  # what the calendar answers for


@dataclass(frozen=True)
class YearData:
    """One year's named days: date -> (off, name). Days not named follow the weekday."""

    year: int
    status: YearStatus
    source: str
    days: dict[dt.date, tuple[bool, str]]


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    provisional: bool


@dataclass(frozen=True)
class Day:
    """What one date is, for explanations and the month grid."""

    date: dt.date
    workday: bool
    kind: DayKind
    name: str | None
    provisional: bool
    local_reason: str | None = None


def fixed_statutory_days(year: int) -> dict[dt.date, str]:
    """The statutory days off that fall on a fixed Gregorian date (provisional years).

    Lunar festivals (春节, 端午, 中秋) and 清明 move each year and are not included.
    """
    days = {dt.date(year, 1, 1): "元旦"}
    labour = 3 if year < 2008 else (2 if year >= 2025 else 1)
    for i in range(labour):
        days[dt.date(year, 5, 1 + i)] = "劳动节"
    for i in range(3):
        days[dt.date(year, 10, 1 + i)] = "国庆节"
    return days


def provisional_year(year: int) -> YearData:
    """A year without its notice: the fixed-date statutory days, each one that falls on a
    weekend made up on the next free weekday (《全国年节及纪念日放假办法》第六条)."""
    fixed = fixed_statutory_days(year)
    days = {d: (True, f"{name}（暂定）") for d, name in fixed.items()}
    for d, name in sorted(fixed.items()):
        if d.weekday() >= 5:
            sub = d + dt.timedelta(days=1)
            while sub.weekday() >= 5 or sub in days:
                sub += dt.timedelta(days=1)
            days[sub] = (True, f"{name}（暂定补假）")
    source = "暂定：周末与固定日期的法定节日（含补假）"
    return YearData(year, "provisional", source, dict(sorted(days.items())))


def parse_year_doc(doc: dict, status: YearStatus) -> YearData:
    """A year from its JSON shape: {"year", "source", "days": [{"date","name","off"}]}."""
    days = {
        dt.date.fromisoformat(d["date"]): (bool(d["off"]), d.get("name") or "")
        for d in doc["days"]
    }
    return YearData(int(doc["year"]), status, doc.get("source", ""), days)


@cache
def bundled_years() -> dict[int, YearData]:
    """The official years shipped in data/holidays/, keyed by year."""
    from cdo.paths import data_dir

    folder = data_dir() / "holidays"
    years = {}
    for name in sorted(os.listdir(folder)):  # 2004.json …: no glob (its pattern compiles)
        stem, ext = name[:4], name[4:]
        if ext == ".json" and stem.isascii() and stem.isdigit():
            y = parse_year_doc(json.loads((folder / name).read_text(encoding="utf-8")),
                               "official")
            years[y.year] = y
    return years


def first_official_year() -> int:
    """The first year with bundled official data (State Council notices from 2004): for
    earlier years the tool has no data and no notice to load is expected."""
    years = bundled_years()
    return min(years) if years else MAX_YEAR + 1


class WorkCalendar:
    """A working-day calendar over known years, local adjustments and provisional years."""

    def __init__(
        self,
        years: dict[int, YearData] | None = None,
        local: dict[dt.date, tuple[bool, str]] | None = None,
    ):
        self.years: dict[int, YearData] = dict(bundled_years() if years is None else years)
        # local: date -> (workday, reason)
        self.local: dict[dt.date, tuple[bool, str]] = dict(local or {})
        known = sorted(self.years) or [dt.date.today().year]
        last = max(known[-1], max((d.year for d in self.local), default=known[-1]))
        self._build(min(known[0], 2000), last + _MARGIN_YEARS)

    # -- precomputation -------------------------------------------------------------

    def _build(self, first_year: int, last_year: int) -> None:
        self.first_year, self.last_year = first_year, last_year
        base = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        # date -> (off, name, notice year); ascending years, so a later notice wins.
        named: dict[dt.date, tuple[bool, str, int]] = {}
        for y in range(first_year, last_year + 2):
            for d, (off, name) in self.year_data(y).days.items():
                named[d] = (off, name, y)
        self._named = named
        off_named: dict[int, bool] = {d.toordinal(): v[0] for d, v in named.items()}
        for d, (work, _reason) in self.local.items():
            off_named[d.toordinal()] = not work
        # One byte per day, 1 for a working day: the weekends cleared a weekday at a time,
        # then the named days; the running count and the working days' dates are then
        # made in C (itertools), not day by day in Python (11,000 days: 3 ms → 0.5 ms).
        size = end - base + 1
        working = bytearray(b"\x01") * size
        for weekday in (0, 6):  # toordinal: Sunday % 7 == 0, Saturday == 6
            first = (weekday - base) % 7
            working[first::7] = bytes(len(range(first, size, 7)))
        for o, off in off_named.items():
            if base <= o <= end:
                working[o - base] = 0 if off else 1
        self._base, self._end = base, end
        self._counts = list(accumulate(working))  # working days from base to each day
        self._workdays = list(compress(range(base, end + 1), working))  # their ordinals

    def _ensure(self, *days: dt.date) -> None:
        lo = min(d.year for d in days)
        hi = max(d.year for d in days)
        if lo < MIN_YEAR or hi > MAX_YEAR:
            raise InvalidInputError(f"日期超出工作日历支持的范围（{MIN_YEAR}—{MAX_YEAR} 年）")
        if lo < self.first_year or hi + 1 > self.last_year:
            self._build(min(lo, self.first_year), max(hi + _MARGIN_YEARS, self.last_year))

    # -- years ----------------------------------------------------------------------

    def year_data(self, year: int) -> YearData:
        found = self.years.get(year)
        return found if found is not None else provisional_year(year)

    def year_status(self, year: int) -> YearStatus:
        found = self.years.get(year)
        return found.status if found is not None else "provisional"

    def is_provisional_day(self, d: dt.date) -> bool:
        """True if `d` is answered without its notice: its year is provisional, or it lies
        in the last week of December and the next year (whose notice may move it) is."""
        if self.year_status(d.year) == "provisional":
            return True
        return (d.month, d.day) > _TAIL and self.year_status(d.year + 1) == "provisional"

    def is_provisional_span(self, start: dt.date, end: dt.date) -> bool:
        """True if any day in (start, end] is answered without its notice."""
        first = (start + dt.timedelta(days=1)).year
        if any(self.year_status(y) == "provisional" for y in range(first, end.year + 1)):
            return True
        return end > start and self.is_provisional_day(end)

    # -- the API ----------------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        """True if `day` is a working day."""
        o = day.toordinal()
        if not self._base <= o <= self._end:
            self._ensure(day)
        i = o - self._base
        return self._counts[i] != (self._counts[i - 1] if i else 0)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself never counts); n >= 1."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise InvalidInputError(f"工作日天数须为正整数，收到 {n}")
        try:
            i = start.toordinal() - self._base
            if i >= 0:
                return dt.date.fromordinal(self._workdays[self._counts[i] + n - 1])
        except IndexError:
            pass
        check_range(start)  # before the arithmetic: 9999-12-31 + n days would overflow
        try:
            end = start + dt.timedelta(days=n * 2 + 60)
        except OverflowError:
            end = dt.date.max
        self._ensure(start, end)
        return dt.date.fromordinal(
            self._workdays[self._counts[start.toordinal() - self._base] + n - 1])

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in the half-open interval (a, b]; negative if b < a."""
        if a > b:
            return -self.workdays_between(b, a)
        self._ensure(a, b)
        return self._counts[b.toordinal() - self._base] - self._counts[a.toordinal() - self._base]

    def workdays_to(self, first: dt.date, end: dt.date) -> list[int]:
        """workdays_between(d, end) for each day d from `first` up to, not including,
        `end` (first <= end): one slice of the running count, not a lookup per day."""
        self._ensure(first, end)
        counts, base = self._counts, self._base
        top = counts[end.toordinal() - base]
        return [top - n for n in counts[first.toordinal() - base:end.toordinal() - base]]

    def deadline(self, start: dt.date, n: int) -> Deadline:
        """The due date n working days after `start`, and whether it is provisional."""
        due = self.add_workdays(start, n)
        return Deadline(due, self.is_provisional_span(start, due))

    def add_month(self, start: dt.date) -> dt.date:
        """'Within one month' as the Civil Code counts it (arts. 201-203).

        Ends on the same date of the next month (or that month's last day); a last day
        that is a day off moves to the next working day.
        """
        from dateutil.relativedelta import relativedelta

        end = start + relativedelta(months=1)
        if not self.is_workday(end):
            end = self.add_workdays(end, 1)
        return end

    def day(self, d: dt.date) -> Day:
        """Describe one date: working day or not, why, and under which data.

        `name` is the national name of the day (holiday or adjusted working day) if any;
        `local_reason` the reason of a local adjustment, which decides the day.
        """
        workday = self.is_workday(d)
        local = self.local.get(d)
        named = self._named.get(d)
        weekend = d.weekday() >= 5
        kind: DayKind
        if workday:
            kind = "adjusted_workday" if weekend else "workday"
        elif weekend and local is None and (named is None or not named[0]):
            kind = "weekend"
        else:
            kind = "holiday"
        return Day(d, workday, kind, named[1] if named else None,
                   self.is_provisional_day(d), local[1] if local else None)

    def named_days(self, year: int) -> dict[dt.date, tuple[bool, str]]:
        """The days in calendar year `year` that some notice names (after merging)."""
        self._ensure(dt.date(year, 1, 1), dt.date(year, 12, 31))
        return {d: (v[0], v[1]) for d, v in sorted(self._named.items()) if d.year == year}

    def with_year(self, year: YearData) -> WorkCalendar:
        """A copy of this calendar with `year` replacing that year's data (dry runs)."""
        years = dict(self.years)
        years[year.year] = year
        return WorkCalendar(years, self.local)

    def explain(self, start: dt.date, n: int) -> list[Day]:
        """Every day in (start, add_workdays(start, n)], for `deadline --explain`."""
        due = self.add_workdays(start, n)
        days = []
        d = start + dt.timedelta(days=1)
        while d <= due:
            days.append(self.day(d))
            d += dt.timedelta(days=1)
        return days


@cache
def default() -> WorkCalendar:
    """The calendar of the bundled official data only (no database)."""
    return WorkCalendar()


def is_workday(day: dt.date) -> bool:
    """True if `day` is a working day on the bundled official calendar."""
    return default().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` on the bundled calendar; n < 1 is an error."""
    return default().add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days in (a, b] on the bundled calendar."""
    return default().workdays_between(a, b)


def year_doc(data: YearData) -> dict:
    """A year in the data-file shape {"year","source","days":[{date,name,off}]}."""
    return {"year": data.year, "source": data.source,
            "days": [{"date": d.isoformat(), "name": name, "off": off}
                     for d, (off, name) in sorted(data.days.items())]}


@dataclass(frozen=True)
class StatusChange:
    """A day whose being a working day differs between two versions of a year's data."""

    date: dt.date
    was_workday: bool
    name: str  # the day's name in whichever version names it


def status_changes(old: YearData, new: YearData) -> list[StatusChange]:
    """The days `new` would turn from working day to day off or back, compared with
    `old` (each version on its own: a day it does not name follows the weekday)."""
    changes = []
    for d in sorted(set(old.days) | set(new.days)):
        weekend = d.weekday() >= 5
        before = old.days.get(d)
        after = new.days.get(d)
        off_before = before[0] if before is not None else weekend
        off_after = after[0] if after is not None else weekend
        if off_before != off_after:
            name = (before[1] if before is not None else "") or (after[1] if after else "")
            changes.append(StatusChange(d, not off_before, name))
    return changes


def check_range(day: dt.date) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidInputError(f"日期超出工作日历支持的范围（{MIN_YEAR}—{MAX_YEAR} 年）：{day}")


