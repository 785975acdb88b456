"""Deadline arithmetic near the limit: 30 working days from every start date
2023-01-01…2026-09-30, in one process.

Times, per call:
  * cdo's WorkCalendar.add_workdays (and the module-level workcal.add_workdays);
  * a bare bisect over a sorted list of working days — the floor for any lookup;
  * chinese_calendar.find_workday(30, date), which walks day by day.

Goal (issue 2): add_workdays within 4x of the bare bisect.
Run: python bench/bench_calendar.py
"""

from __future__ import annotations

import bisect
import datetime as dt
import time

from cdo import calendar as workcal

N = 30
FIRST, LAST = dt.date(2023, 1, 1), dt.date(2026, 9, 30)


def best_us_per_call(fn, starts, repeat: int) -> float:
    """Best of `repeat` passes over every start, in µs per call."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(starts)
        best = min(best, time.perf_counter() - t0)
    return best / len(starts) * 1e6


def main() -> None:
    starts = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]

    t0 = time.perf_counter()
    cal = workcal.WorkCalendar()
    build_ms = (time.perf_counter() - t0) * 1e3

    # the bare bisect: a sorted list of working days, built with our calendar's answers
    working = [d for d in (dt.date(2022, 12, 1) + dt.timedelta(days=i) for i in range(2000))
               if cal.is_workday(d)]

    def ours(ss):
        add = cal.add_workdays
        for d in ss:
            add(d, N)

    def module_level(ss):
        add = workcal.add_workdays
        for d in ss:
            add(d, N)

    def bare(ss):
        br, wd = bisect.bisect_right, working
        for d in ss:
            wd[br(wd, d) + N - 1]

    import chinese_calendar

    def cc(ss):
        fw = chinese_calendar.find_workday
        for d in ss:
            fw(N, d)

    # same answers (find_workday counts a non-working start as its day 0, so compare on
    # working-day starts only)
    for d in starts:
        assert cal.add_workdays(d, N) == working[bisect.bisect_right(working, d) + N - 1]
        if cal.is_workday(d):
            assert cal.add_workdays(d, N) == chinese_calendar.find_workday(N, d), d

    results = {
        "cdo WorkCalendar.add_workdays": best_us_per_call(ours, starts, 200),
        "cdo workcal.add_workdays (module)": best_us_per_call(module_level, starts, 200),
        "bare bisect over sorted list": best_us_per_call(bare, starts, 200),
        "chinese_calendar.find_workday": best_us_per_call(cc, starts, 3),
    }
    floor = results["bare bisect over sorted list"]
    print(f"{len(starts)} start dates {FIRST}…{LAST}, N = {N} working days")
    print(f"calendar build (bundled years + margin): {build_ms:.1f} ms, once per process")
    width = max(map(len, results))
    for name, us in results.items():
        print(f"  {name:<{width}}  {us:10.3f} µs/call   {us / floor:8.2f}× bare bisect")
    ratio = results["cdo WorkCalendar.add_workdays"] / floor
    print(f"goal: within 4× of bare bisect — {'met' if ratio <= 4 else 'NOT met'} ({ratio:.2f}×)")


if __name__ == "__main__":
    main()
