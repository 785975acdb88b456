"""Report rows from the database: overdue problems, and rectification per unit.

The annual report (another module) can reuse `rectification_by_unit` over a year and
`overdue_rows`. Counts are always of distinct problems, never of status changes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdo.problems.model import (
    _COLS,
    AS_OF_JOIN,
    BOOLEAN_KEYS,
    DIMENSION_NAMES,
    PROBLEM_KEYS,
    as_of_columns,
    blobs_as_text,
    changed_after,
    has_changes_after,
    is_ever_overdue,
    overdue_days_sql,
    prepare_as_of,
    state_as_of,
)

if TYPE_CHECKING:
    from cdo.calendar import WorkCalendar
    from cdo.store.db import Database


def _cdo_join(as_of: dt.date) -> str:
    """Join `c.cdo_name`: the unit's CDO in office on `as_of` — the newest term that began
    (推荐日期) on or before that day and had not ended by it; none when there was no CDO
    that day (say the old one left and the new one was recommended only later)."""
    day = as_of.isoformat()  # a date's own ISO text: safe to write into the SQL
    return (
        " LEFT JOIN (SELECT unit_id, name AS cdo_name, MAX(id) FROM cdos"
        f" WHERE COALESCE(recommended_on, substr(created_at, 1, 10)) <= '{day}'"
        f" AND (ended_on IS NULL OR ended_on > '{day}') GROUP BY unit_id) c"
        " ON c.unit_id = p.unit_id"
    )


def _overdue_query(replayed: bool, columns: str, as_of: dt.date) -> str:
    """Problems overdue on :day in report order, after `prepare_as_of`: units with the
    longest overdue first (then more problems, then the name), within a unit the longest
    overdue first, then by id. `columns` may use p (problems), u (unit), ru (reporter
    unit), c.cdo_name, and w: the columns that change with events as they stood that day,
    plus w.overdue_days. SQLite sorts (window functions give each unit's worst case and
    count), so rows can be written as they are read."""
    st = as_of_columns(replayed)
    then = AS_OF_JOIN if replayed else ""
    skip = " AND t.id IS NULL" if replayed else ""
    cols = (f"p.id, p.unit_id, {st['status']} AS status, {st['due_on']} AS due_on,"
            f" {st['rectified_on']} AS rectified_on, {st['closed_on']} AS closed_on,"
            f" {st['negotiated_until']} AS negotiated_until")
    # Index searches: unrectified past the deadline; problems rectified only after the
    # date (an as-of date in the past); problems replayed to how they stood then.
    found = (
        f"SELECT {cols} FROM problems p{then} WHERE p.status IN ('open','negotiated')"
        f" AND p.due_on < :day AND p.issued_on <= :day{skip}"
        f" UNION ALL SELECT {cols} FROM problems p{then} WHERE p.rectified_on > :day"
        f" AND +p.status IN ('rectified','closed') AND +p.due_on < :day{skip}"
    )
    if replayed:
        found += (
            " UNION ALL SELECT t.id, p.unit_id, t.status, t.due_on, t.rectified_on,"
            " t.closed_on, t.negotiated_until FROM temp.cdo_then t JOIN problems p"
            " ON p.id = t.id WHERE t.status IN ('open','negotiated') AND t.due_on < :day"
            " AND p.issued_on <= :day"
        )
    return (
        f"WITH found AS ({found}),"
        f" days AS (SELECT f.*, {overdue_days_sql('f.due_on')} AS overdue_days FROM found f),"
        " w AS (SELECT d.*, MAX(d.overdue_days) OVER unit AS worst, COUNT(*) OVER unit AS many"
        " FROM days d WINDOW unit AS (PARTITION BY d.unit_id))"
        f" SELECT {columns} FROM w JOIN problems p ON p.id = w.id"
        " JOIN units u ON u.id = p.unit_id LEFT JOIN units ru ON ru.id = p.reporter_id"
        + _cdo_join(as_of) +
        " ORDER BY w.worst DESC, w.many DESC, u.name, w.overdue_days DESC, w.id"
    )


# The problem keys (PROBLEM_KEYS, in order) over the overdue query's tables.
_OVERDUE_VALUES = [
    ("id", "p.id"), ("source", "p.source"), ("unit", "u.name"),
    ("reporter", "COALESCE(ru.name, p.reporter)"), ("resource", "p.resource"),
    ("dimension", "p.dimension"), ("description", "p.description"), ("records", "p.records"),
    ("issued_on", "p.issued_on"), ("due_on", "w.due_on"), ("provisional", "p.provisional"),
    ("status", "w.status"), ("rectified_on", "w.rectified_on"), ("closed_on", "w.closed_on"),
    ("overdue_days", "w.overdue_days"),
]
assert [k for k, _ in _OVERDUE_VALUES] == PROBLEM_KEYS


def overdue_rows(db: Database, as_of: dt.date, cal: WorkCalendar | None = None) -> list[dict]:
    """Every problem overdue on `as_of`, grouped by unit (worst unit first), worst first.

    Each row has the problem keys with overdue_days filled, plus `cdo` (the unit's CDO)
    and `original_due_on`, `negotiated_until` for display. As of a past date, problems
    changed since are shown as they stood then.
    """
    from cdo.store import calendar_store

    replayed = prepare_as_of(db, as_of, cal or calendar_store.load_calendar(db))
    w = {"status", "due_on", "rectified_on", "closed_on", "negotiated_until"}
    select = {k: ("w." if k in w else "p.") + k for k in _COLS}
    select.update(unit="u.name", reporter="COALESCE(ru.name, p.reporter)")
    columns = ", ".join([*select.values(), "w.overdue_days", "c.cdo_name"])
    keys = [*_COLS, "overdue_days", "cdo"]
    rows = []
    sql = _overdue_query(replayed, columns, as_of)
    for t in db.conn.execute(sql, {"day": as_of.isoformat()}):
        r = dict(zip(keys, blobs_as_text(t), strict=True))
        r["provisional"] = bool(r["provisional"])
        rows.append(r)
    return rows


def overdue_json(db: Database, as_of: dt.date, cal: WorkCalendar | None = None) -> str:
    """The overdue problems as one JSON array, one compact object a line (exactly the
    problem keys, nothing masked), in report order."""
    def line(values: list[tuple[str, str]]) -> str:
        pairs = [f"'{k}', json(CASE WHEN {v} THEN 'true' ELSE 'false' END)"
                 if k in BOOLEAN_KEYS else f"'{k}', {v}" for k, v in values]
        return f"json_object({', '.join(pairs)})"

    texts = ",\n".join(text for (text,) in overdue_lines(db, as_of, line, cal))
    return f"[\n{texts}\n]" if texts else "[]"


def overdue_lines(db: Database, as_of: dt.date, line: Callable[[list], str],
                  cal: WorkCalendar | None = None) -> sqlite3.Cursor:
    """A cursor over the overdue problems in report order (`overdue_rows` order), each row
    the columns of SQL `line` makes of the (key, SQL) pairs of the problem keys (booleans,
    BOOLEAN_KEYS, as 0/1): SQLite makes each row's text (cdo.output.json_object_sql,
    csv_line_sql) as the rows are read."""
    from cdo.store import calendar_store

    replayed = prepare_as_of(db, as_of, cal or calendar_store.load_calendar(db))
    sql = _overdue_query(replayed, line(list(_OVERDUE_VALUES)), as_of)
    return db.conn.execute(sql, {"day": as_of.isoformat()})


def overdue_totals(rows: Sequence[dict]) -> dict:
    return {
        "units": len({r["unit_id"] for r in rows}),
        "problems": len(rows),
        "max_days": max((r["overdue_days"] for r in rows), default=0),
        "total_days": sum(r["overdue_days"] for r in rows),
    }


def rectification_by_unit(
    db: Database,
    *,
    as_of: dt.date,
    month: str | None = None,
    year: int | None = None,
    source: str | None = None,
) -> list[dict]:
    """Per unit: found, on_time, late, open, overdue, on_time_rate — distinct problems.

    Problems are those of the check `month` (YYYY-MM), or of `year`. A problem belongs to
    the month (and year) of its `month` column: the check month for spot-check problems,
    the month recorded for a user report (its issue month unless given) — the same rule
    as the monthly report, so a year's spot-check figures per unit are the sum of its
    twelve monthly reports. As of `as_of` (a problem changed after it is replayed to how
    it stood that day):
    - found: problems issued on or before as_of;
    - on_time / late: rectified by as_of, never overdue / ever overdue before that;
    - open: not rectified by as_of (open or negotiated);
    - overdue: ever overdue by as_of (late ones included, kept through reopening);
    - on_time_rate: on_time / (on_time + late + open problems ever overdue), None if 0.
    """
    return RectificationTally.read(db, as_of=as_of, month=month, year=year,
                                   source=source).by_unit()


# found, on_time, late, open, overdue, and the open problems ever overdue (for the rate)
_TALLY_KEYS = ("found", "on_time", "late", "open", "overdue")


class RectificationTally:
    """The counts of `rectification_by_unit` per check month, source and unit, read in
    one pass: `by_unit(month, source)` gives that function's rows for any month or
    source of what was read (the annual workbook's three blocks and its twelve months
    without reading the year's problems fifteen times)."""

    def __init__(self) -> None:
        self.units: dict[int, tuple[str, str, str | None]] = {}  # name, category, CDO
        # (month, source) -> unit id -> [found, on_time, late, open, overdue, open late]
        self.counts: dict[tuple[str, str], dict[int, list[int]]] = {}

    @classmethod
    def read(cls, db: Database, *, as_of: dt.date, month: str | None = None,
             year: int | None = None, source: str | None = None) -> RectificationTally:
        """The problems of `month` or `year` (and `source`) as of `as_of`; see
        `rectification_by_unit` for the rules."""
        where, params = ["p.issued_on <= ?"], [as_of.isoformat()]
        if month:
            where.append("p.month = ?")
            params.append(month)
        if year:
            where.append("p.month >= ? AND p.month <= ?")
            params += [f"{year:04d}-01", f"{year:04d}-12"]
        if source:
            where.append("p.source = ?")
            params.append(source)
        sql = (
            "SELECT p.unit_id, u.name, u.category, c.cdo_name, p.status, p.due_on,"
            " p.rectified_on, p.first_late_on, p.id, p.original_due_on, p.month, p.source"
            " FROM problems p JOIN units u ON u.id = p.unit_id" + _cdo_join(as_of)
            + " WHERE " + " AND ".join(where)
        )
        later = changed_after(db, as_of) if has_changes_after(db, as_of) else {}
        fromiso = dt.date.fromisoformat
        tally = cls()
        units, count = tally.units, tally.count
        for (uid, name, category, cdo, status, due, rect, late, pid, original, month_,
             source_) in db.conn.execute(sql, params):
            if pid in later:
                then = state_as_of({"original_due_on": original}, later[pid], as_of)
                status, due, rect = then["status"], then["due_on"], then["rectified_on"]
            if uid not in units:
                units[uid] = (name, category, cdo)
            count(uid, month_, source_, status, fromiso(due), fromiso(rect) if rect else None,
                  fromiso(late) if late else None, as_of)
        return tally

    @classmethod
    def for_units(cls, db: Database, as_of: dt.date) -> RectificationTally:
        """An empty tally knowing every unit (its name, category and CDO on `as_of`), for
        a reader that goes through the problems itself and `count`s each."""
        tally = cls()
        for uid, name, category, cdo in db.conn.execute(
                "SELECT p.unit_id, u.name, u.category, c.cdo_name"
                " FROM (SELECT id AS unit_id FROM units) p JOIN units u ON u.id = p.unit_id"
                + _cdo_join(as_of)):
            tally.units[uid] = (name, category, cdo)
        return tally

    def count(self, uid: int, month: str, source: str, status: str, due: dt.date,
              rectified: dt.date | None, first_late: dt.date | None, as_of: dt.date) -> None:
        """Count one problem of unit `uid` as it stood on `as_of` (status, deadline and
        rectification date replayed to that day)."""
        group = self.counts.get((month, source))
        if group is None:
            group = self.counts[(month, source)] = {}
        c = group.get(uid)
        if c is None:
            c = group[uid] = [0, 0, 0, 0, 0, 0]
        ever = is_ever_overdue(status, due, rectified, first_late, as_of)
        c[0] += 1
        if rectified is not None and rectified <= as_of and status in ("rectified", "closed"):
            c[2 if ever else 1] += 1
        else:
            c[3] += 1
            if ever:
                c[5] += 1
        if ever:
            c[4] += 1

    def by_unit(self, month: str | None = None, source: str | None = None) -> list[dict]:
        """`rectification_by_unit`'s rows for the problems read of `month` and `source`
        (each None: all of them)."""
        sums: dict[int, list[int]] = {}
        for (m, s), group in self.counts.items():
            if (month is not None and m != month) or (source is not None and s != source):
                continue
            for uid, c in group.items():
                t = sums.get(uid)
                if t is None:
                    sums[uid] = c.copy()
                else:
                    for i in range(6):
                        t[i] += c[i]
        rows: list[dict[str, Any]] = []
        for uid, t in sums.items():
            name, category, cdo = self.units[uid]
            rows.append({"unit": name, "category": category, "cdo": cdo,
                         **dict(zip(_TALLY_KEYS, t, strict=False)),
                         "on_time_rate": _rate(t[1], t[1] + t[2] + t[5])})
        rows.sort(key=lambda r: (-r["overdue"], -r["open"], r["unit"]))
        return rows


def user_reported_count(db: Database, *, as_of: dt.date, month: str) -> int:
    """Problems reported by data-using units filed under `month`, issued by `as_of`
    (the monthly report counts the month's spot-check only and names these apart)."""
    return db.conn.execute(
        "SELECT COUNT(*) FROM problems WHERE source = 'user' AND month = ? AND issued_on <= ?",
        [month, as_of.isoformat()]).fetchone()[0]


def monthly_user_note(count: int, month: str) -> str:
    if not count:
        return ""
    return (f"另有 {count} 个数据使用单位反馈的问题（{month}）未计入本表，"
            f"可用 cdo spotcheck list --month {month} --source user 查看。")


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def rectification_totals(rows: Sequence[dict]) -> dict:
    """The foot of a per-unit rectification table (sums; the rate recomputed)."""
    tot: dict[str, Any] = {"unit": f"合计（{len(rows)} 个单位）"}
    for k in ("found", "on_time", "late", "open", "overdue"):
        tot[k] = sum(r[k] for r in rows)
    open_late = sum(
        r["overdue"] - r["late"] for r in rows
    )  # ever-overdue problems not rectified
    tot["on_time_rate"] = _rate(tot["on_time"], tot["on_time"] + tot["late"] + open_late)
    return tot


def rate_text(value: Any, row: dict | None = None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# ----------------------------------------------------------------------------- xlsx

OVERDUE_HEADERS = ["序号", "责任单位", "首席数据官", "问题编号", "来源", "数据资源名称",
                   "问题类型", "问题描述", "下发日期", "整改期限", "期限说明", "逾期工作日"]
OVERDUE_NOTE = ("说明：整改期限自问题下发之日起计算（下发当日不计），月度抽查问题 30 个工作日、"
                "使用单位反馈问题 15 个工作日；工作日按国务院办公厅节假日安排（含调休上班日）计算。"
                "逾期工作日为整改期限次日起至统计日的工作日数。期限说明为“协商”的，是双方首席数据官"
                "商定的期限；为“暂定”的，期限所在年度尚未公布节假日安排。")


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def due_mark(row: dict) -> str:
    """What the deadline date alone does not say: 暂定, 协商 (and the rule's date)."""
    from cdo.problems.model import due_text

    value = row.get("due_on")
    if not value:
        return ""
    return due_text(value, row)[len(str(value)):].strip("（）")


def write_overdue_xlsx(path: Path, rows: Sequence[dict], as_of: dt.date) -> None:
    """The overdue table as a document a clerk prints and sends: title, as-of date, one
    row per problem (grouped by unit, worst first), per-unit subtotals and totals in the
    notes under the table, and the counting rule."""
    from cdo.problems.model import SOURCE_NAMES
    from cdo.sheets.write import SheetSpec, write_workbook

    tot = overdue_totals(rows)
    body = []
    units: dict[int, list] = {}
    for seq, p in enumerate(rows, 1):
        units.setdefault(p["unit_id"], []).append(p)
        body.append([seq, p["unit"], p.get("cdo") or "（未登记）", p["id"],
                     SOURCE_NAMES.get(p["source"], p["source"]), p["resource"],
                     DIMENSION_NAMES.get(p["dimension"], p["dimension"]), p["description"],
                     p["issued_on"], p["due_on"], due_mark(p), p["overdue_days"]])
    notes = []
    if rows:
        notes.append(f"合计：逾期单位 {tot['units']} 个，逾期问题 {tot['problems']} 个，"
                     f"最长逾期 {tot['max_days']} 个工作日。")
        several = [g for g in units.values() if len(g) > 1]
        if several:
            notes.append("单位小计（逾期问题 2 个以上）：" + "；".join(
                f"{g[0]['unit']} {len(g)} 个（最长 {max(p['overdue_days'] for p in g)} 个工作日）"
                for g in several))
    else:
        notes.append("截至统计日，没有逾期未整改的问题。")
    notes.append(OVERDUE_NOTE)
    write_workbook(path, [SheetSpec(
        "逾期未整改问题", OVERDUE_HEADERS, body,
        title="数据质量问题逾期未整改情况表",
        subtitle=f"统计截至：{_cn_date(as_of)}　　逾期单位 {tot['units']} 个，"
                 f"逾期问题 {tot['problems']} 个",
        kinds={"下发日期": "date", "整改期限": "date"},
        notes=notes,
        drop_first=["来源", "首席数据官", "问题类型", "下发日期", "数据资源名称"],
    )])


MONTHLY_HEADERS = ["序号", "责任单位", "发现问题", "按期整改", "逾期整改", "尚未整改", "逾期问题",
                   "按期整改率"]
MONTHLY_NOTE = ("说明：只计月度抽查发现的问题（30 个工作日内整改，下发当日不计）。按期整改率 = "
                "按期整改 ÷（按期整改 + 逾期整改 + 逾期未整改）；“逾期问题”含已逾期整改的问题，"
                "同一问题只计一次。")


def write_monthly_xlsx(path: Path, rows: Sequence[dict], month: str, as_of: dt.date,
                       *, user_reported: int = 0) -> None:
    """The month's rectification per unit (its spot-check problems) as a printable sheet:
    counts as numbers, the rate as a percentage cell, totals, the rule, how many
    user-reported problems are left out, and a chart of found vs rectified on time."""
    from cdo.sheets.write import ChartSpec, SheetSpec, write_workbook

    y, m = month.split("-")
    tot = rectification_totals(rows) if rows else None
    body = [[i, r["unit"], r["found"], r["on_time"], r["late"], r["open"], r["overdue"],
             r["on_time_rate"]] for i, r in enumerate(rows, 1)]
    footer = None
    if tot:
        footer = [None, tot["unit"], tot["found"], tot["on_time"], tot["late"], tot["open"],
                  tot["overdue"], tot["on_time_rate"]]
    notes = [] if rows else [f"{month} 没有登记月度抽查问题。"]
    note = MONTHLY_NOTE
    if user_reported:  # on paper: no command line, only what is left out
        note += f"另有 {user_reported} 个数据使用单位反馈的问题（{month}）未计入本表。"
    notes.append(note)
    write_workbook(path, [SheetSpec(
        f"{month} 整改情况", MONTHLY_HEADERS, body,
        title=f"{y}年{int(m)}月数据抽查问题整改情况表",
        subtitle=f"统计截至：{_cn_date(as_of)}　　涉及单位 {len(rows)} 个（只计月度抽查发现的问题）",
        footer=footer,
        kinds=dict.fromkeys(MONTHLY_HEADERS[2:7], "int") | {"按期整改率": "rate"},
        notes=notes,
        charts=[ChartSpec("各单位发现问题与按期整改", "责任单位", ["发现问题", "按期整改"],
                          kind="bar", rows=len(rows))] if rows else [],
    )])
