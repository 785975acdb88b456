"""Month by month over a year: spot-check problems found, rectified on time, overdue, and
the on-time rate — the figures of the twelve monthly reports side by side."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdo.problems.reports import RectificationTally
    from cdo.store.db import Database

TREND_KEYS = ["month", "found", "on_time", "late", "open", "overdue", "on_time_rate"]


def monthly_trend(db: Database, year: int, as_of: dt.date,
                  tally: RectificationTally | None = None) -> list[dict]:
    """One row per check month of `year` up to `as_of`: the totals of that month's
    monthly report (spot-check problems only, as `cdo report monthly`). `tally`: the
    year's problems as of `as_of` already read (`RectificationTally.read`)."""
    from cdo.problems.reports import RectificationTally, rectification_totals

    if tally is None:
        tally = RectificationTally.read(db, as_of=as_of, year=year, source="spotcheck")
    rows = []
    for m in range(1, 13):
        month = f"{year:04d}-{m:02d}"
        if month > as_of.isoformat()[:7]:
            break
        units = tally.by_unit(month=month, source="spotcheck")
        tot = rectification_totals(units) if units else {
            "found": 0, "on_time": 0, "late": 0, "open": 0, "overdue": 0, "on_time_rate": None}
        rows.append({"month": month, **{k: tot[k] for k in TREND_KEYS[1:]}})
    return rows


def trend_sheet(db: Database, year: int, as_of: dt.date,
                tally: RectificationTally | None = None):
    """The annual workbook's 月度趋势 sheet with its chart."""
    from cdo.sheets.write import ChartSpec, SheetSpec

    rows = monthly_trend(db, year, as_of, tally)
    headers = ["抽查月份", "发现问题", "按期整改", "逾期整改", "尚未整改", "逾期问题", "按期整改率"]
    return SheetSpec(
        "月度趋势",
        headers,
        [[r[k] for k in TREND_KEYS] for r in rows],
        title=f"{year}年度各月抽查问题整改趋势（截至 {as_of}）",
        notes=["只计月度抽查发现的问题，按抽查月份归月；各月数字与当月月度报表一致。"
               "逾期问题含已逾期整改的问题。"],
        charts=[ChartSpec("各月问题数与按期整改率", "抽查月份",
                          ["发现问题", "逾期问题"], kind="combo",
                          line_series=["按期整改率"], y_title="问题数",
                          y2_title="按期整改率")] if rows else [],
    )
