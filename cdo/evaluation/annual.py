"""The annual workbook (cdo report annual): roster, the year's problems, rectification
per unit, the evaluation ranking and the evidence behind each item — five sheets a clerk
can filter and print."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cdo import scoring
from cdo.dates import IsoDates, from_iso

if TYPE_CHECKING:
    from cdo.evaluation.points import ProblemRow
    from cdo.problems.reports import RectificationTally
    from cdo.sheets.write import SheetSpec
    from cdo.store.db import Database

SHEETS = ("名册", "问题清单", "整改情况", "评价排名", "月度趋势", "评价依据")


_STEPS = (("recommended", "recommended_on"), ("appointed", "appointed_on"),
          ("filed", "filed_on"), ("ended", "ended_on"))


def _as_of_year_end(status: str, dates: dict[str, str | None], last: str) -> tuple[str, dict]:
    """A term's status and dates as they stood on `last` (31 December): dates after that
    day are blanked, and the status steps back past every step taken after it."""
    kept = {k: (v if v and v <= last else None) for k, v in dates.items()}
    idx = next((i for i, (s, _) in enumerate(_STEPS) if s == status), 0)
    while idx > 0 and dates[_STEPS[idx][1]] and kept[_STEPS[idx][1]] is None:
        idx -= 1
    return _STEPS[idx][0], kept


def roster_sheet(db: Database, year: int, as_of: dt.date | None = None) -> SheetSpec:
    """Every unit with each CDO whose term touched the year (or a blank for none), as the
    roster stood on 31 December of the year, or on `as_of` if that is earlier: a term that
    began after that day is left out; appointment, filing or leaving after it is not shown
    (the status is the one on that day); the data specialists counted are those serving
    on that day."""
    from cdo.roster.cdos import STATUS_NAMES
    from cdo.roster.units import CATEGORY_NAMES
    from cdo.sheets.write import SheetSpec

    first, last = f"{year}-01-01", f"{year}-12-31"
    if as_of is not None and as_of.isoformat() < last:
        last = as_of.isoformat()
    specialists = dict(db.execute(
        "SELECT unit_id, COUNT(*) FROM specialists WHERE added_on <= ?"
        " AND (removed_on IS NULL OR removed_on > ?) GROUP BY unit_id", [last, last]))
    terms: dict[int, list[tuple]] = {}
    for row in db.execute(
        "SELECT unit_id, name, position, status, recommended_on, appointed_on, filed_on,"
        " ended_on FROM cdos WHERE (ended_on IS NULL OR ended_on >= ?)"
        " AND (COALESCE(recommended_on, appointed_on, filed_on, substr(created_at, 1, 10)) <= ?)"
        " ORDER BY unit_id, id",
        [first, last],
    ):
        terms.setdefault(row[0], []).append(row[1:])
    rows = []
    for uid, name, category in db.execute("SELECT id, name, category FROM units ORDER BY id"):
        cat = CATEGORY_NAMES.get(category, category)
        spec = specialists.get(uid, 0)
        for cdo, position, status, rec, app, filed, ended in terms.get(uid, []):
            status, d = _as_of_year_end(status, {"recommended_on": rec, "appointed_on": app,
                                                 "filed_on": filed, "ended_on": ended}, last)
            rows.append([name, cat, cdo, position or "", STATUS_NAMES.get(status, status),
                         from_iso(d["recommended_on"]), from_iso(d["appointed_on"]),
                         from_iso(d["filed_on"]), from_iso(d["ended_on"]), spec])
        if uid not in terms:
            rows.append([name, cat, "", "", "无首席数据官", None, None, None, None, spec])
    return SheetSpec(
        "名册",
        ["单位", "类别", "首席数据官", "职务", "状态", "推荐日期", "任命日期", "备案日期",
         "离任日期", "数据专员人数"],
        rows,
        title=f"{year}年度首席数据官名册（截至 {_cn_date(last)}）",
    )


def _cn_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year} 年 {d.month} 月 {d.day} 日"


OUTCOME_NAMES = {"on_time": "按期整改", "late": "逾期整改", "overdue": "逾期未整改",
                 "pending": "整改期内"}


def _year_months(year: int) -> list[str]:
    return [f"{year:04d}-01", f"{year:04d}-12"]


def problems_sheet(db: Database, year: int, as_of: dt.date,
                   tally: RectificationTally | None = None,
                   problems: list[ProblemRow] | None = None) -> SheetSpec:
    """The year's problems issued by `as_of`, with deadline and outcome as of `as_of`.

    A problem belongs to the year of its `month` column (the check month of a spot-check
    problem, the recorded month of a user report), as in the monthly reports; one changed
    after `as_of` is shown as it stood that day. `tally` (`RectificationTally.for_units`),
    when given, counts each problem too, as `rectification_by_unit` over the year does:
    整改情况 and 月度趋势 without reading the problems again; `problems`, when given,
    gets each problem as item 11 sees it (points.problem_row), for 评价依据."""
    from cdo.evaluation.points import problem_row
    from cdo.problems.model import (
        DIMENSION_NAMES,
        SOURCE_NAMES,
        STATUS_NAMES,
        changed_after,
        state_as_of,
    )
    from cdo.sheets.write import SheetSpec

    later = changed_after(db, as_of)
    dates = IsoDates()
    outcome_of = scoring.problem_outcome
    source_name, dim_name, status_name = SOURCE_NAMES.get, DIMENSION_NAMES.get, STATUS_NAMES.get
    count = tally.count if tally is not None else None
    texts: dict[str, str] = {}
    rows = []
    for (pid, source, month, unit, reporter, resource, dim, desc, records, issued, due, prov,
         status, rect, closed, late, original, uid) in db.execute(
        "SELECT p.id, p.source, p.month, u.name, COALESCE(ru.name, p.reporter), p.resource,"
        " p.dimension, p.description, p.records, p.issued_on, p.due_on, p.provisional,"
        " p.status, p.rectified_on, p.closed_on, p.first_late_on, p.original_due_on, p.unit_id"
        " FROM problems p JOIN units u ON u.id = p.unit_id"
        " LEFT JOIN units ru ON ru.id = p.reporter_id"
        " WHERE p.month BETWEEN ? AND ? AND p.issued_on <= ? ORDER BY p.month, p.issued_on, p.id",
        [*_year_months(year), as_of.isoformat()],
    ):
        if pid in later:
            then = state_as_of({"original_due_on": original}, later[pid], as_of)
            status, due, rect, closed = (then["status"], then["due_on"], then["rectified_on"],
                                         then["closed_on"])
        row = problem_row(pid, uid, issued, status, due, rect, closed, late, original, resource,
                          as_of, dates)
        facts, late_on = row[3], row[6]
        due_d, ever_late = facts.due_on, facts.ever_late
        outcome = outcome_of(facts, as_of)
        rect_d, closed_d = dates[rect], dates[closed]
        if count is not None:
            count(uid, month, source, status, due_d, rect_d, late_on, as_of)
        if problems is not None:  # (the issue date's text kept once, not once a problem)
            problems.append((texts.setdefault(issued, issued), *row[1:]))
        rows.append([
            pid, source_name(source, source), month, unit, reporter or "", resource,
            dim_name(dim, dim), desc, records, dates[issued], dates[original],
            due_d, "是" if prov else "", status_name(status, status),
            rect_d, closed_d,
            "是" if ever_late or outcome in ("late", "overdue") else "",
            OUTCOME_NAMES[outcome],
        ])
    return SheetSpec(
        "问题清单",
        ["编号", "来源", "所属月份", "责任单位", "反映单位", "数据资源名称", "问题类型",
         "问题描述", "问题数据量", "下发日期", "原整改期限", "整改期限", "期限暂定", "状态",
         "整改日期", "销号日期", "曾逾期", "整改结果"],
        rows,
        title=f"{year}年度问题数据清单（按所属月份计年度；截至 {as_of}）",
        drop_first=["原整改期限", "反映单位", "所属月份", "销号日期", "问题数据量", "期限暂定",
                    "来源", "整改日期", "曾逾期", "问题类型"],
    )


_COUNTS = ("found", "on_time", "late", "open", "overdue")


def rectification_sheet(db: Database, year: int, as_of: dt.date,
                        tally: RectificationTally | None = None) -> SheetSpec:
    """Per unit, two blocks: the spot-check problems (found, on time, late, open,
    overdue, on-time rate — cdo.reports' rules, so each unit's figures are the sum of its
    monthly reports for the year at the same as-of date), then the problems reported by
    data-using units, then the on-time rate over both. Units without problems that year
    follow with zeros. `tally`: the year's problems as of `as_of` already read
    (`RectificationTally.read`)."""
    from cdo.problems.reports import RectificationTally, rectification_totals
    from cdo.roster.units import CATEGORY_NAMES
    from cdo.sheets.write import SheetSpec

    if tally is None:
        tally = RectificationTally.read(db, as_of=as_of, year=year)
    spot = {r["unit"]: r for r in tally.by_unit(source="spotcheck")}
    user = {r["unit"]: r for r in tally.by_unit(source="user")}
    both = tally.by_unit()
    order = [r["unit"] for r in both]
    seen = set(order)
    category: dict[str, str] = {}
    for name, cat in db.execute("SELECT name, category FROM units ORDER BY id"):
        category[name] = cat
        if name not in seen:
            order.append(name)
    all_rows = {r["unit"]: r for r in both}
    zero = dict.fromkeys(_COUNTS, 0) | {"on_time_rate": None}

    def rate(v):
        return "—" if v is None else v

    def line(name: str, s: dict, u: dict, a: dict, cat: str) -> list:
        return [name, cat, *(s[k] for k in _COUNTS), rate(s["on_time_rate"]),
                *(u[k] for k in _COUNTS), a["found"], rate(a["on_time_rate"])]

    rows = [line(name, spot.get(name, zero), user.get(name, zero), all_rows.get(name, zero),
                 CATEGORY_NAMES.get(category.get(name) or "", category.get(name) or ""))
            for name in order]
    footer = None
    if both:
        footer = line(f"合计（{len(both)} 个单位有问题）",
                      rectification_totals(list(spot.values())) if spot else zero,
                      rectification_totals(list(user.values())) if user else zero,
                      rectification_totals(both), "")
    block = ["发现问题", "按期整改", "逾期整改", "尚未整改", "逾期（曾逾期）"]
    return SheetSpec(
        "整改情况",
        ["责任单位", "类别", *(f"抽查·{h}" for h in block), "抽查·按期整改率",
         *(f"反馈·{h}" for h in block), "合计·发现问题", "合计·按期整改率"],
        rows,
        title=f"{year}年度问题整改情况（截至 {as_of}；抽查＝月度抽查问题，与各月月报之和一致；"
              "反馈＝使用单位反馈问题；按所属月份计年度）",
        footer=footer,
        drop_first=["类别"],  # the figures stay on paper before the category does
    )


def ranking_sheet(db: Database, year: int, category: str | None = None) -> SheetSpec:
    """The ranking as printed: rank, unit, category, part subtotals, total (an incomplete
    unit's partial total in brackets, not ranked), status; a bar chart of the complete
    units' totals on a sheet of its own."""
    from cdo.evaluation import points as evaluation
    from cdo.roster.units import CATEGORY_NAMES
    from cdo.sheets.write import PARTIAL_POINTS_FORMAT, ChartSpec, SheetSpec

    table = scoring.load_table()
    state = evaluation.year_state(db, year)
    rows = []
    formats = {}
    ranked = evaluation.ranking_rows(db, year, category)
    ranked = [r for r in ranked if r["complete"]] + [r for r in ranked if not r["complete"]]
    total_col = 3 + len(table.parts)
    for i, r in enumerate(ranked):
        rows.append([
            r["rank"], r["unit"],
            CATEGORY_NAMES.get(r["category"], r["category"]),
            *(r["parts"][p.key] for p in table.parts),
            r["total"],
            "已评完" if r["complete"] else
            f"未评完（{scoring.missing_text(r['missing'], table)}），括号内为已评部分",
        ])
        if not r["complete"]:
            formats[(i, total_col)] = PARTIAL_POINTS_FORMAT
    complete = sum(1 for r in ranked if r["complete"])
    title = f"{year}年度首席数据官工作评价排名"
    if state:
        title += (f"（已于 {state['finalized_at'][:10]} 定稿；定稿指纹 "
                  f"{scoring.short_fingerprint(state['fingerprint'])}，"
                  "用于核对打印件与数据库中的评分是否一致）")
    else:
        title += "（未定稿，分数可能变动）"
    total_header = "总分（满分100）"
    return SheetSpec(
        "评价排名",
        ["排名", "单位", "类别", *(p.label for p in table.parts), total_header, "状态"],
        rows,
        title=title,
        kinds={total_header: "points", **{p.label: "points" for p in table.parts}},
        formats=formats,
        charts=[ChartSpec(f"{year}年度总分（已评完的 {complete} 个单位）", "单位",
                          [total_header], kind="bar", rows=complete, sheet="排名图",
                          value_max=table.max_total)]
        if complete else [],
    )


def evidence_sheet(db: Database, year: int, as_of: dt.date,
                   problems: list[ProblemRow] | None = None) -> SheetSpec:
    """Every unit's 附件2 items: maximum, entered, suggested, basis and records
    (`problems`: the year's problems as problems_sheet read them)."""
    from cdo.evaluation.evidence_view import evidence_sheet as sheet

    return sheet(db, year, as_of, problems)


def write_annual(db: Database, year: int, path: Path, as_of: dt.date) -> dict:
    """Write the annual workbook; returns the row count of each sheet."""
    from cdo.evaluation.points import check_year
    from cdo.sheets.write import write_workbook

    check_year(year)
    from cdo.problems.reports import RectificationTally
    from cdo.problems.trend import trend_sheet

    with _no_cycle_collection():
        # the year's problems are read once: counted and kept for item 11 as they are listed
        tally = RectificationTally.for_units(db, as_of)
        problems: list[ProblemRow] = []
        sheets = [roster_sheet(db, year, as_of), problems_sheet(db, year, as_of, tally, problems),
                  rectification_sheet(db, year, as_of, tally), ranking_sheet(db, year),
                  trend_sheet(db, year, as_of, tally)]
        sheets.append(evidence_sheet(db, year, as_of, problems))
        del problems, tally  # not kept while the workbook is written
        write_workbook(path, sheets)
        counts = {s.name: len(s.rows) for s in sheets}
        del sheets  # freed before the collector is back (it would walk every row once more)
    return counts


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the workbook is built: its rows are a few
    million lists and tuples that all stay alive until it is written, and each full
    collection walked every one of them again (0.4 s of CPU at 200,000 problems). They
    are dropped before it is back. Reference counting frees everything meanwhile; the
    few cycles wait till the end."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
