"""The official Chinese working-day calendar and deadline arithmetic.

A working day is a Monday-Friday that is not a day off, or an adjusted working day
(调休上班). Years come from the bundled State Council data (`data/holidays/`), from
notices loaded into the database, or — for a year with neither — a provisional rule
(weekends plus the fixed-date statutory days) that every answer marks as provisional.
Local adjustments (office closures, municipal notices) are merged on top.

Deadlines never loop day by day: the calendar precomputes, for a span of years, the
sorted working days and a running count, so `add_workdays` and `workdays_between` are
a couple of list lookups.

Import as `from cdo import calendar as workcal` where the standard library's `calendar`
could be confused with it.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from cdo.errors import InvalidInputError

if TYPE_CHECKING:
    from sqlite_utils import Database

YearStatus = Literal["official", "loaded", "provisional"]
DayKind = Literal["workday", "weekend", "holiday", "adjusted_workday"]

_MARGIN_YEARS = 3  # provisional years precomputed beyond the last known one


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
    days = {d: (True, f"{name}（暂定）") for d, name in fixed_statutory_days(year).items()}
    return YearData(year, "provisional", "暂定：仅周末与固定日期法定节日", days)


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

    years = {}
    for path in sorted((data_dir() / "holidays").glob("[0-9][0-9][0-9][0-9].json")):
        y = parse_year_doc(json.loads(path.read_text(encoding="utf-8")), "official")
        years[y.year] = y
    return years


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
        off_named: dict[int, bool] = {}
        for y in range(first_year, last_year + 1):
            for d, (off, _name) in self.year_data(y).days.items():
                off_named[d.toordinal()] = off
        for d, (work, _reason) in self.local.items():
            off_named[d.toordinal()] = not work
        dates: list[dt.date] = []
        counts = array("i", bytes(4 * (end - base + 1)))
        n = 0
        for o in range(base, end + 1):
            off = off_named.get(o)
            if off is None:
                off = (o % 7) in (0, 6)  # toordinal: Sunday % 7 == 0, Saturday == 6
            if not off:
                dates.append(dt.date.fromordinal(o))
                n += 1
            counts[o - base] = n
        self._base, self._end = base, end
        self._dates, self._counts = dates, counts

    def _ensure(self, *days: dt.date) -> None:
        lo = min(d.year for d in days)
        hi = max(d.year for d in days)
        if lo < self.first_year or hi + 1 > self.last_year:
            self._build(min(lo, self.first_year), max(hi + _MARGIN_YEARS, self.last_year))

    # -- years ----------------------------------------------------------------------

    def year_data(self, year: int) -> YearData:
        found = self.years.get(year)
        return found if found is not None else provisional_year(year)

    def year_status(self, year: int) -> YearStatus:
        found = self.years.get(year)
        return found.status if found is not None else "provisional"

    def is_provisional_span(self, start: dt.date, end: dt.date) -> bool:
        """True if any day in (start, end] lies in a year without official data."""
        first = (start + dt.timedelta(days=1)).year
        return any(self.year_status(y) == "provisional" for y in range(first, end.year + 1))

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
        if n < 1:
            raise InvalidInputError(f"工作日天数须为正整数，收到 {n}")
        try:
            i = start.toordinal() - self._base
            if i >= 0:
                return self._dates[self._counts[i] + n - 1]
        except IndexError:
            pass
        self._ensure(start, start + dt.timedelta(days=n * 2 + 60))
        return self._dates[self._counts[start.toordinal() - self._base] + n - 1]

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in the half-open interval (a, b]; negative if b < a."""
        if a > b:
            return -self.workdays_between(b, a)
        self._ensure(a, b)
        return self._counts[b.toordinal() - self._base] - self._counts[a.toordinal() - self._base]

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
        """Describe one date: working day or not, why, and under which data."""
        workday = self.is_workday(d)
        local = self.local.get(d)
        named = self.year_data(d.year).days.get(d)
        weekend = d.weekday() >= 5
        if local is not None:
            kind: DayKind = ("adjusted_workday" if weekend else "workday") if local[0] else (
                "weekend" if weekend else "holiday")
            name = local[1]
        elif named is not None:
            kind = "holiday" if named[0] else "adjusted_workday"
            name = named[1]
        else:
            kind = "weekend" if weekend else "workday"
            name = None
        return Day(d, workday, kind, name, self.year_status(d.year) == "provisional",
                   local[1] if local else None)

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


def load_calendar(db: Database) -> WorkCalendar:
    """The calendar for this database: bundled years, loaded notices, local adjustments."""
    years = dict(bundled_years())
    loaded: dict[int, dict] = {}
    for row in db.query("SELECT year, source FROM calendar_years"):
        loaded[row["year"]] = {"year": row["year"], "source": row["source"], "days": []}
    for row in db.query("SELECT date, year, off, name FROM calendar_days"):
        loaded[row["year"]]["days"].append(row)
    for year, doc in loaded.items():
        years[year] = parse_year_doc(doc, "loaded")
    local = {
        dt.date.fromisoformat(r["date"]): (r["kind"] == "work", r["reason"])
        for r in db.query("SELECT date, kind, reason FROM calendar_local")
    }
    return WorkCalendar(years, local)
