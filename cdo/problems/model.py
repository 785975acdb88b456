"""Problems (问题数据) and their rectification: deadlines, states, overdue, reminders.

A problem belongs to the responsible unit (the data provider). Its deadline is counted
in working days from the date it was issued (the issue date itself never counts): 30 for
a problem found by the office's monthly spot-check, 15 for one a data-using unit reports.

States: open → rectified → closed. A failed verification sends a rectified problem back
to open with its deadline unchanged. An open problem the provider cannot fix soon is
negotiated: the two CDOs agree a date (协商), which becomes `due_on`; `original_due_on`
keeps the deadline the rule gave.

"Ever overdue" is the column `first_late_on`: the first day the problem was late, derived
from its events (problem_events, in the order they were recorded) and kept through
reopening and negotiation. A problem still open past its deadline is overdue whether or
not that column is set yet; `is_ever_overdue` combines the two.

Domain module: no typer, no rich. Every write is one transaction with its audit rows.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cdo.dates import from_iso, timestamp
from cdo.errors import InvalidInputError, RowErrors, StateError
from cdo.masking import sql_text
from cdo.sheets.text import clean_text, normalize_label
from cdo.store import audit

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cdo.calendar import WorkCalendar
    from cdo.roster.units import Unit
    from cdo.store.db import Database
    from cdo.store.pages import Page

SOURCES = ("spotcheck", "user")
DEADLINE_DAYS = {"spotcheck": 30, "user": 15}
SOURCE_NAMES = {"spotcheck": "月度抽查", "user": "使用单位反馈"}

DIMENSIONS = ("accuracy", "timeliness", "completeness", "normativity")
DIMENSION_NAMES = {
    "accuracy": "准确性",
    "timeliness": "时效性",
    "completeness": "完整性",
    "normativity": "规范性",
}
_DIMENSION_LOOKUP = {normalize_label(k): k for k in DIMENSIONS}
_DIMENSION_LOOKUP.update({normalize_label(v): k for k, v in DIMENSION_NAMES.items()})
# Spellings seen in lists: without 性, or as 数据X性问题.
_DIMENSION_LOOKUP.update({normalize_label(v[:-1]): k for k, v in DIMENSION_NAMES.items()})
_DIMENSION_LOOKUP.update(
    {normalize_label(f"数据{v}"): k for k, v in DIMENSION_NAMES.items()}
    | {normalize_label(f"{v}问题"): k for k, v in DIMENSION_NAMES.items()}
    | {normalize_label(f"数据{v}问题"): k for k, v in DIMENSION_NAMES.items()}
)
# The policy names four dimensions. Lists also say 一致性 (data that disagrees between
# systems or with its source): one side of it is wrong, so it is recorded as 准确性. The
# rule is stated in `spotcheck add --help` and `spotcheck new --help`, and the clerk is
# told each time it is applied (`dimension_rule`).
DIMENSION_RULES = {"一致性": "accuracy"}
DIMENSION_RULE_TEXT = "一致性（各系统间或与来源不一致）按准确性登记"
_RULE_SPELLINGS = {
    normalize_label(w): word
    for word in DIMENSION_RULES
    for w in (word, word[:-1], f"数据{word}", f"{word}问题", f"数据{word}问题", "consistency")
}
_DIMENSION_LOOKUP.update({w: DIMENSION_RULES[word] for w, word in _RULE_SPELLINGS.items()})
# How clerks describe the fault itself: 数据不准确, 更新不及时, 格式不规范, 信息不完整.
for _key, _words in {
    "accuracy": ("不准确", "数据不准确", "准确性差", "数据错误"),
    "timeliness": ("不及时", "更新不及时", "数据不及时", "未及时更新", "更新滞后", "滞后",
                   "时效性差"),
    "completeness": ("不完整", "数据不完整", "信息不完整", "缺失", "数据缺失", "完整性差"),
    "normativity": ("不规范", "数据不规范", "格式不规范", "规范性差", "标准性", "规范化"),
}.items():
    _DIMENSION_LOOKUP.update({normalize_label(w): _key for w in _words})

STATUSES = ("open", "rectified", "closed", "negotiated")
STATUS_NAMES = {
    "open": "待整改",
    "rectified": "已整改待核验",
    "closed": "已销号",
    "negotiated": "协商延期",
}
_STATUS_LOOKUP = {normalize_label(k): k for k in STATUSES} | {
    normalize_label(v): k for k, v in STATUS_NAMES.items()
} | {normalize_label(x): k for k, x in [("open", "未整改"), ("rectified", "已整改"),
                                        ("closed", "销号"), ("negotiated", "协商")]}

UNRECTIFIED = ("open", "negotiated")
ACTIONS = ("done", "verify", "reopen", "negotiate")
ACTION_NAMES = {"done": "整改完成", "verify": "核验销号", "reopen": "核验未通过退回",
                "negotiate": "协商延期"}

# The JSON keys of a problem (PRODUCT.md), in order.
PROBLEM_KEYS = [
    "id", "source", "unit", "reporter", "resource", "dimension", "description", "records",
    "issued_on", "due_on", "provisional", "status", "rectified_on", "closed_on",
    "overdue_days",
]
# Of PROBLEM_KEYS: a non-negative integer or NULL, or one of a few words (CHECK constraints)
PLAIN_KEYS = ("id", "overdue_days", "source", "dimension", "status")
TYPED_KEYS = ("records",)  # of PROBLEM_KEYS: not TEXT affinity, may hold any number
BOOLEAN_KEYS = ("provisional",)  # of PROBLEM_KEYS: 0 or 1 in SQL, false or true out

MAX_IDS_SHOWN = 20


# ----------------------------------------------------------------------------- parsing

def parse_dimension(text: Any) -> str:
    """The dimension key for 准确性/accuracy etc.; raises InvalidInputError."""
    key = _DIMENSION_LOOKUP.get(normalize_label(text))
    if key is None:
        raise InvalidInputError(
            f"问题类型不认识：{str(text).strip()!r}，应为 准确性、时效性、完整性 或 规范性"
            "（accuracy、timeliness、completeness、normativity）"
        )
    return key


def dimension_rule(text: Any) -> str | None:
    """'一致性' when `text` spells a dimension the policy does not name, which a stated
    rule (DIMENSION_RULES) records as one it does; else None."""
    return _RULE_SPELLINGS.get(normalize_label(text))


def parse_status(text: str) -> str:
    key = _STATUS_LOOKUP.get(normalize_label(text))
    if key is None:
        raise InvalidInputError(
            f"状态不认识：{text!r}，可用 open（待整改）、rectified（已整改待核验）、"
            "closed（已销号）、negotiated（协商延期）"
        )
    return key


def parse_source(text: str) -> str:
    t = normalize_label(text)
    for key, name in SOURCE_NAMES.items():
        if t in (key, normalize_label(name)) or (key == "spotcheck" and t in _SPOTCHECK_WORDS) or (
                key == "user" and t in _USER_WORDS):
            return key
    raise InvalidInputError(
        f"问题来源不认识：{text!r}，可用 spotcheck（月度抽查，也可写 抽查）或 user"
        "（使用单位反馈，也可写 用户、反馈）"
    )


_SPOTCHECK_WORDS = {normalize_label(w) for w in ("抽查", "月度抽查问题", "抽查发现")}
_USER_WORDS = {normalize_label(w) for w in ("反馈", "使用单位", "用户", "用户反馈", "使用单位反馈问题",
                                            "数据使用单位反馈")}


_NO_COUNT = {"/", "-", "--", "—", "——", "–", "\\", "无", "暂无", "不详", "未知", "待定", "待核实",
             "n/a", "N/A", "NA", "null", "none"}


MAX_RECORDS = 1_000_000_000  # no list names more problem records than this


def _too_many(value: Any) -> InvalidInputError:
    text = str(value).strip()
    if len(text) > 24:
        text = text[:20] + "……"
    return InvalidInputError(f"问题数据量过大：{text}（最多 {MAX_RECORDS:,} 条），请核对")


def parse_records(value: Any) -> int | None:
    """A count of problem records: blank → None; '1,234', '120条', 12.0 accepted; at most
    MAX_RECORDS."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInputError("问题数据量须为非负整数")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if value != value:  # NaN
            raise InvalidInputError("问题数据量须为数字（如 1234）；不清楚可留空")
        if value > MAX_RECORDS:
            raise _too_many(f"{value:g}")
        if value < 0:
            raise InvalidInputError(f"问题数据量不能为负数，收到 {value:g}")
        if not value.is_integer():
            raise InvalidInputError(f"问题数据量须为整数，收到 {value:g}")
        n = int(value)
    else:
        import unicodedata

        t = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
        t = t.replace("\u3000", "")
        if t == "" or t in _NO_COUNT:
            return None  # the placeholders clerks put in a cell they cannot fill
        if t.endswith(("条", "项", "个")):
            t = t[:-1]
        scale = 1
        if t.endswith("万"):  # 1.2万 = 12000
            t, scale = t[:-1], 10_000
        from decimal import Decimal, DecimalException, InvalidOperation, Overflow

        try:
            f = Decimal(t) * scale
            if not f.is_finite():
                raise InvalidOperation
            whole = f == f.to_integral_value()
        except Overflow:
            raise _too_many(value) from None
        except (DecimalException, ValueError):
            raise InvalidInputError(
                f"问题数据量须为数字（如 1234），收到 {str(value).strip()!r}；不清楚可留空") from None
        if f < 0:
            raise InvalidInputError(f"问题数据量不能为负数，收到 {str(value).strip()}")
        if f > MAX_RECORDS:
            raise _too_many(value)
        if not whole:
            raise InvalidInputError(f"问题数据量须为整数，收到 {str(value).strip()!r}")
        n = int(f)
    if n < 0:
        raise InvalidInputError(f"问题数据量不能为负数，收到 {n}")
    if n > MAX_RECORDS:
        raise _too_many(n)
    return n


MAX_ID = 2**63 - 1  # the largest id SQLite can store


def _one_id(text: str) -> int:
    """One problem id: a positive whole number SQLite can hold."""
    n = int(text)  # ValueError for anything but digits (and a sign)
    if n <= 0:
        raise InvalidInputError(f"问题编号须为正整数：{text.strip()}")
    if n > MAX_ID:
        shown = text.strip()
        if len(shown) > 40:
            shown = shown[:36] + "……"
        raise InvalidInputError(f"问题编号过大：{shown}（没有这么大的问题编号，请核对）")
    return n


def parse_ids(texts: Iterable[str]) -> list[int]:
    """Problem ids as typed: `12 13`, `12,13`, `12-15`; duplicates dropped, order kept.

    0, negative and huge ids are refused by name (问题编号须为正整数 / 问题编号过大)."""
    ids: list[int] = []
    for text in texts:
        for part in str(text).replace("，", ",").split(","):
            part = part.strip().lstrip("#")
            if not part:
                continue
            try:
                if "-" in part[1:]:
                    a, b = (_one_id(x) for x in part.split("-", 1))
                    if b < a or b - a > 100_000:
                        raise ValueError
                    ids.extend(range(a, b + 1))
                else:
                    ids.append(_one_id(part))
            except ValueError:
                raise InvalidInputError(
                    f"问题编号不对：{part!r}，应为数字，如 12 或 12-15"
                ) from None
    if not ids:
        raise InvalidInputError("请给出至少一个问题编号")
    return list(dict.fromkeys(ids))


MAX_DESCRIPTION = 2000  # characters: a problem description longer is a pasted document


def description_error(text: str) -> str | None:
    """Why a problem description cannot be recorded as is (too long), or None."""
    if len(text) > MAX_DESCRIPTION:
        return (f"问题描述过长（{len(text):,} 字，最多 {MAX_DESCRIPTION:,} 字），"
                "请精简后再登记，详细材料另行存档")
    return None


# ----------------------------------------------------------------------------- deadlines

def compute_deadline(cal: WorkCalendar, issued_on: dt.date, source: str):
    """The Deadline (due, provisional) for a problem of `source` issued on `issued_on`."""
    return cal.deadline(issued_on, DEADLINE_DAYS[source])




def first_late_from_events(original_due: dt.date, events: Sequence[tuple]) -> dt.date | None:
    """The first day a problem was late, from its events in recorded order.

    `events` are (action, on_date, until) with dates as date objects. A rectification
    after the deadline is late from the day after the deadline; a negotiation agreed
    after the deadline does not undo the lateness before it; a rectification rejected
    (reopened) after the deadline never counted, so the problem is late from the day
    after the deadline too.
    """
    due, rectified, first = original_due, False, None

    def mark(day: dt.date) -> None:
        nonlocal first
        if first is None or day < first:
            first = day

    for action, on, until in events:
        if action == "done":
            if not rectified and on > due:
                mark(due + dt.timedelta(days=1))
            rectified = True
        elif action == "reopen":
            # A rejected rectification never counted: reopened after the deadline,
            # the problem has been unfixed since the day after it.
            rectified = False
            if on > due:
                mark(due + dt.timedelta(days=1))
        elif action == "negotiate":
            if not rectified and on > due:
                mark(due + dt.timedelta(days=1))
            if until is not None:
                due = until
    return first


def is_overdue(status: str, due_on: dt.date, rectified_on: dt.date | None,
               as_of: dt.date) -> bool:
    """Not rectified (as of `as_of`) and `as_of` is past the deadline."""
    unrectified = status in UNRECTIFIED or (rectified_on is not None and rectified_on > as_of)
    return unrectified and as_of > due_on


def is_ever_overdue(status: str, due_on: dt.date, rectified_on: dt.date | None,
                    first_late_on: dt.date | None, as_of: dt.date) -> bool:
    """Overdue now, or late at any time up to `as_of` (kept through reopening)."""
    if first_late_on is not None and first_late_on <= as_of:
        return True
    return is_overdue(status, due_on, rectified_on, as_of)


# ----------------------------------------------------------------------------- reading

_SELECT = """
SELECT p.id, p.source, u.name AS unit, COALESCE(ru.name, p.reporter) AS reporter,
       p.resource, p.dimension, p.description, p.records, p.issued_on, p.due_on,
       p.provisional, p.status, p.rectified_on, p.closed_on,
       p.original_due_on, p.negotiated_until, p.first_late_on, p.month, p.unit_id
FROM problems p
JOIN units u ON u.id = p.unit_id
LEFT JOIN units ru ON ru.id = p.reporter_id
"""
_COLS = ["id", "source", "unit", "reporter", "resource", "dimension", "description",
         "records", "issued_on", "due_on", "provisional", "status", "rectified_on",
         "closed_on", "original_due_on", "negotiated_until", "first_late_on", "month",
         "unit_id"]


def blobs_as_text(t: tuple) -> tuple:
    """A row read from problems with each BLOB (another program wrote bytes where cdo keeps
    a text or a number) as text, read as UTF-8 (cdo.masking.sql_text): the table, the
    .xlsx files and the notices show, mask and write it as the long listings do."""
    if bytes not in map(type, t):
        return t
    return tuple(sql_text(v) if isinstance(v, bytes) else v for v in t)


def _row(t: tuple, cal: WorkCalendar | None = None, as_of: dt.date | None = None) -> dict:
    r = dict(zip(_COLS, blobs_as_text(t), strict=True))
    r["provisional"] = bool(r["provisional"])
    r["overdue_days"] = None
    if cal is not None and as_of is not None:
        due = dt.date.fromisoformat(r["due_on"])
        rect = from_iso(r["rectified_on"])
        if is_overdue(r["status"], due, rect, as_of):
            r["overdue_days"] = cal.workdays_between(due, as_of)
    return r


def changed_after(db: Database, as_of: dt.date) -> dict[int, list[tuple]]:
    """Problems with an event dated after `as_of`, with all their events (recorded order).

    Every other problem stands today as it stood on `as_of`; these must be replayed
    (`state_as_of`) to show them as they were. Empty for today or a later date.
    """
    out: dict[int, list[tuple]] = {}
    for pid, action, on, until in db.conn.execute(
        "SELECT problem_id, action, on_date, until_on FROM problem_events WHERE problem_id IN"
        " (SELECT problem_id FROM problem_events WHERE on_date > ?) ORDER BY id",
        [as_of.isoformat()],
    ):
        out.setdefault(pid, []).append((action, from_iso(on), from_iso(until)))
    return out


def has_changes_after(db: Database, as_of: dt.date) -> bool:
    """True if any problem has an event dated after `as_of` (cheap; see changed_after)."""
    return db.conn.execute("SELECT 1 FROM problem_events WHERE on_date > ? LIMIT 1",
                           [as_of.isoformat()]).fetchone() is not None


def prepare_as_of(db: Database, as_of: dt.date, cal: WorkCalendar) -> bool:
    """Fill two temporary tables that let one SQL query show problems as of `as_of`:

    - temp.cdo_overdue_days(due, n): the working days overdue on `as_of` of every
      deadline before it (from the first issue date on); `overdue_days_sql` reads it;
    - temp.cdo_then(id, status, due_on, rectified_on, closed_on, negotiated_until): the
      problems with an event dated after `as_of`, replayed in SQL to how they stood that
      day (the same rules as `state_as_of`: per field, the last event recorded on or
      before `as_of` wins; a reopening clears the rectified and closed dates).

    Returns True if any problem was replayed. Nothing in the database file is written.
    """
    conn = db.conn
    was_in_transaction = conn.in_transaction
    # A database opened read-only (a newer cdo's) refuses every write, temporary tables'
    # too; these touch nothing in the file, so they may be written meanwhile.
    read_only = conn.execute("PRAGMA query_only").fetchone()[0]
    if read_only:
        conn.execute("PRAGMA query_only=OFF")
    if not was_in_transaction:  # the day table's rows in one transaction, not one each
        conn.execute("BEGIN")
    try:
        replayed = _fill_as_of_tables(conn, as_of, cal)
    except BaseException:
        if not was_in_transaction and conn.in_transaction:
            conn.rollback()
        raise
    finally:
        if read_only:
            conn.execute("PRAGMA query_only=ON")
    if not was_in_transaction and conn.in_transaction:
        conn.commit()  # only temporary tables were written; leave no transaction open

    def overdue_days(due: str) -> int:  # a deadline the table does not hold (bad data)
        return cal.workdays_between(dt.date.fromisoformat(due), as_of)

    conn.create_function("cdo_overdue_days", 1, overdue_days, deterministic=True)
    return replayed


def _fill_as_of_tables(conn, as_of: dt.date, cal: WorkCalendar) -> bool:
    day = as_of.isoformat()
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS cdo_overdue_days"
                 " (due TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS cdo_then (id INTEGER PRIMARY KEY,"
                 " status TEXT, due_on TEXT, rectified_on TEXT, closed_on TEXT,"
                 " negotiated_until TEXT)")
    conn.execute("DELETE FROM temp.cdo_overdue_days")
    conn.execute("DELETE FROM temp.cdo_then")
    first = conn.execute("SELECT MIN(issued_on) FROM problems").fetchone()[0]
    if first is not None and first < day:
        # every deadline of a problem issued by then lies between its issue date and
        # as_of: one row per calendar day, a few thousand at most
        start = dt.date.fromisoformat(first)
        ordinal = start.toordinal()
        conn.executemany("INSERT INTO temp.cdo_overdue_days VALUES (?, ?)",
                         ((dt.date.fromordinal(ordinal + i).isoformat(), n)
                          for i, n in enumerate(cal.workdays_to(start, as_of))))
    conn.execute(
        """
        INSERT INTO temp.cdo_then
        WITH last AS (
          SELECT problem_id AS pid,
            MAX(CASE WHEN on_date <= :day AND (action != 'negotiate' OR until_on IS NOT NULL)
                THEN id END) AS s,
            MAX(CASE WHEN on_date <= :day AND action IN ('done', 'reopen') THEN id END) AS r,
            MAX(CASE WHEN on_date <= :day AND action IN ('verify', 'reopen') THEN id END) AS c,
            MAX(CASE WHEN on_date <= :day AND action = 'negotiate' AND until_on IS NOT NULL
                THEN id END) AS n
          FROM problem_events
          WHERE problem_id IN (SELECT problem_id FROM problem_events WHERE on_date > :day)
          GROUP BY problem_id)
        SELECT l.pid,
          COALESCE((SELECT CASE action WHEN 'done' THEN 'rectified' WHEN 'verify' THEN 'closed'
                    WHEN 'reopen' THEN 'open' ELSE 'negotiated' END
                    FROM problem_events WHERE id = l.s), 'open'),
          COALESCE((SELECT until_on FROM problem_events WHERE id = l.n), p.original_due_on),
          (SELECT on_date FROM problem_events WHERE id = l.r AND action = 'done'),
          (SELECT on_date FROM problem_events WHERE id = l.c AND action = 'verify'),
          (SELECT until_on FROM problem_events WHERE id = l.n)
        FROM last l JOIN problems p ON p.id = l.pid
        """,
        {"day": day},
    )
    return conn.execute("SELECT 1 FROM temp.cdo_then LIMIT 1").fetchone() is not None


def overdue_days_sql(due: str) -> str:
    """SQL for the working days overdue of deadline `due` (an SQL expression before
    as_of), after `prepare_as_of`."""
    return (f"COALESCE((SELECT n FROM temp.cdo_overdue_days WHERE due = {due}),"
            f" cdo_overdue_days({due}))")


def as_of_columns(replayed: bool) -> dict[str, str]:
    """SQL for the columns that change with events (status, due_on, rectified_on,
    closed_on, negotiated_until) as they stood on the as-of date, over `problems p`
    LEFT JOIN temp.cdo_then t (`AS_OF_JOIN`), after `prepare_as_of`."""
    names = ("status", "due_on", "rectified_on", "closed_on", "negotiated_until")
    if not replayed:
        return {k: f"p.{k}" for k in names}
    return {k: f"CASE WHEN t.id IS NULL THEN p.{k} ELSE t.{k} END" for k in names}


AS_OF_JOIN = " LEFT JOIN temp.cdo_then t ON t.id = p.id"


def state_as_of(p: dict, events: Sequence[tuple], as_of: dt.date) -> dict:
    """Set a problem's status, rectified_on, closed_on, due_on and negotiated_until to
    what they were on `as_of`, replaying its events dated on or before it (as
    `transition` applied them). `p` needs original_due_on; returns `p`."""
    status, due, rect, closed, until_on = "open", p["original_due_on"], None, None, None
    for action, on, until in events:
        if on is None or on > as_of:
            continue
        day = on.isoformat()
        if action == "done":
            status, rect = "rectified", day
        elif action == "verify":
            status, closed = "closed", day
        elif action == "reopen":
            status, rect, closed = "open", None, None
        elif action == "negotiate" and until is not None:
            status, due, until_on = "negotiated", until.isoformat(), until.isoformat()
    p.update(status=status, due_on=due, rectified_on=rect, closed_on=closed,
             negotiated_until=until_on)
    return p


def get_problems(db: Database, ids: Sequence[int]) -> dict[int, dict]:
    """Problems by id (missing ids absent), one query per 500 ids."""
    found: dict[int, dict] = {}
    ids = list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for t in db.conn.execute(f"{_SELECT} WHERE p.id IN ({marks})", chunk):
            found[t[0]] = _row(t)
    return found


def list_problems(
    db: Database,
    *,
    as_of: dt.date,
    month: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    source: str | None = None,
    cal: WorkCalendar | None = None,
) -> list[dict]:
    """Problems filtered by check month, unit, status, source; overdue_days as of `as_of`."""
    from cdo.store import calendar_store

    cal = cal or calendar_store.load_calendar(db)
    # As of a past date, problems not issued yet did not exist.
    where: list[str] = ["p.issued_on <= ?"]
    params: list[str | int] = [as_of.isoformat()]
    if month:
        where.append("p.month = ?")
        params.append(month)
    if unit:
        from cdo.roster.units import resolve_unit

        where.append("p.unit_id = ?")
        params.append(resolve_unit(db, unit).id)
    later = changed_after(db, as_of)
    wanted = None
    if status:
        wanted = parse_status(status)
        if later:  # the status filter applies to the status as it stood on as_of
            where.append(f"(p.status = ? OR p.id IN ({','.join(map(str, later))}))")
        else:
            where.append("p.status = ?")
        params.append(wanted)
    if source:
        where.append("p.source = ?")
        params.append(parse_source(source))
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY p.id"
    if not later:
        return mark_ever_overdue([_row(t, cal, as_of) for t in db.conn.execute(sql, params)],
                                 as_of)
    rows = []
    for t in db.conn.execute(sql, params):
        if t[0] not in later:
            rows.append(_row(t, cal, as_of))
            continue
        r = state_as_of(_row(t), later[t[0]], as_of)
        if wanted is not None and r["status"] != wanted:
            continue
        due = dt.date.fromisoformat(r["due_on"])
        if is_overdue(r["status"], due, from_iso(r["rectified_on"]), as_of):
            r["overdue_days"] = cal.workdays_between(due, as_of)
        rows.append(r)
    return mark_ever_overdue(rows, as_of)


def _problem_values(st: dict[str, str]) -> list[tuple[str, str]]:
    """(key, SQL) of the PROBLEM_KEYS over problems p, units u and ru, with `st` the
    columns as they stood (as_of_columns) and overdue_days as of :day."""
    overdue = (f"CASE WHEN ({st['status']} IN ('open','negotiated')"
               f" OR {st['rectified_on']} > :day) AND {st['due_on']} < :day"
               f" THEN {overdue_days_sql(st['due_on'])} END")
    values = [("id", "p.id"), ("source", "p.source"), ("unit", "u.name"),
              ("reporter", "COALESCE(ru.name, p.reporter)"), ("resource", "p.resource"),
              ("dimension", "p.dimension"), ("description", "p.description"),
              ("records", "p.records"), ("issued_on", "p.issued_on"),
              ("due_on", st["due_on"]), ("provisional", "p.provisional"),
              ("status", st["status"]), ("rectified_on", st["rectified_on"]),
              ("closed_on", st["closed_on"]), ("overdue_days", overdue)]
    assert [k for k, _ in values] == PROBLEM_KEYS
    return values


def _problem_list_query(db: Database, as_of: dt.date, cal: WorkCalendar | None, columns,
                        filters: dict[str, str | None], *, paged: bool = False
                        ) -> tuple[str, dict]:
    """The `list_problems` query (same filters, same order) for `columns(values)`, where
    values are the (key, SQL) pairs of `_problem_values`; filters: month, unit, status,
    source as `list_problems` takes them. `paged`: the rows after id :after, at most
    :size, the id last (cdo.store.pages.keyset_pages)."""
    from cdo.store import calendar_store

    replayed = prepare_as_of(db, as_of, cal or calendar_store.load_calendar(db))
    st = as_of_columns(replayed)
    where = ["p.issued_on <= :day"]
    month, unit, status, source = (filters.get(k) for k in ("month", "unit", "status", "source"))
    params: dict[str, Any] = {"day": as_of.isoformat()}
    if month:
        where.append("p.month = :month")
        params["month"] = month
    if unit:
        from cdo.roster.units import resolve_unit

        where.append("p.unit_id = :unit")
        params["unit"] = resolve_unit(db, unit).id
    if status:
        where.append(f"{st['status']} = :status")  # as it stood on as_of
        params["status"] = parse_status(status)
    if source:
        where.append("p.source = :source")
        params["source"] = parse_source(source)
    if paged:
        where.append("p.id > :after")
    sql = (f"SELECT {columns(_problem_values(st))}{', p.id' if paged else ''} FROM problems p"
           " JOIN units u ON u.id = p.unit_id LEFT JOIN units ru ON ru.id = p.reporter_id"
           + (AS_OF_JOIN if replayed else "") + " WHERE " + " AND ".join(where)
           + " ORDER BY p.id" + (" LIMIT :size" if paged else ""))
    return sql, params


def list_problems_lines(db: Database, *, as_of: dt.date, filters: dict[str, str | None],
                        line: Callable[[list], str], cal: WorkCalendar | None = None
                        ) -> sqlite3.Cursor:
    """A cursor over `list_problems` (same filters and order), each row the columns of SQL
    `line` makes of the (key, SQL) pairs of the problem keys (booleans, BOOLEAN_KEYS, as
    0/1): SQLite makes each row's text (cdo.output.json_element_sql, csv_line_sql) as the
    rows are read."""
    sql, params = _problem_list_query(db, as_of, cal, line, filters)
    return db.conn.execute(sql, params)


def list_problems_pages(db: Database, *, as_of: dt.date, filters: dict[str, str | None],
                        line: Callable[[list], str], sep: bytes,
                        cal: WorkCalendar | None = None) -> Iterator[Page]:
    """`list_problems_lines` a page at a time (cdo.store.pages), each page's texts joined by SQLite
    (`sep` between the lines). The rows come in id order from the table or the month's
    index; a unit's index keeps them by status, so a unit's rows are read one by one."""
    from cdo.store.pages import cursor_pages, keyset_pages

    if filters.get("unit"):
        return cursor_pages(list_problems_lines(db, as_of=as_of, filters=filters, line=line,
                                                cal=cal), sep)
    sql, params = _problem_list_query(db, as_of, cal, line, filters, paged=True)
    return keyset_pages(db.conn, sql, params, sep)


def mark_ever_overdue(rows: list[dict], as_of: dt.date) -> list[dict]:
    """Set `ever_overdue` (for tables and .xlsx, not JSON) on rows whose overdue_days is
    already worked out as of `as_of`: overdue now, or late on a day up to `as_of`."""
    day = as_of.isoformat()
    for r in rows:
        late = r.get("first_late_on")
        r["ever_overdue"] = r.get("overdue_days") is not None or (late is not None
                                                                   and late <= day)
    return rows


def due_list(db: Database, *, as_of: dt.date, due_within: int | None = None,
             unit: str | None = None, cal: WorkCalendar | None = None) -> list[dict]:
    """Unrectified problems per unit, soonest deadline first, with working days left.

    With `due_within` N: only those not yet overdue whose deadline is within N working
    days of `as_of` (before the breach, for reminders).
    """
    from cdo.store import calendar_store

    cal = cal or calendar_store.load_calendar(db)
    # As of a past date, problems with events after it are replayed to how they stood.
    later = changed_after(db, as_of)
    marks = ",".join(map(str, later))
    state = ["p.status IN ('open','negotiated')"] + ([f"p.id NOT IN ({marks})"] if later else [])
    where = ["p.issued_on <= ?"]
    params: list[Any] = [as_of.isoformat()]
    due_where, due_params = [], []
    limit = None
    if due_within is not None:
        if due_within < 0:
            raise InvalidInputError("--due-within 须为非负整数（工作日）")
        limit = cal.add_workdays(as_of, due_within) if due_within else as_of
        due_where.append("p.due_on >= ? AND p.due_on <= ?")
        due_params += [as_of.isoformat(), limit.isoformat()]
    if unit:
        from cdo.roster.units import resolve_unit

        where.append("p.unit_id = ?")
        params.append(resolve_unit(db, unit).id)

    def query(conditions: list[str], values: list[Any]):
        sql = (
            "SELECT q.*, (SELECT MAX(r.sent_on) FROM reminder_problems rp"
            " JOIN reminders r ON r.id = rp.reminder_id WHERE rp.problem_id = q.id"
            " AND r.sent_on <= ?)"
            f" FROM ({_SELECT} WHERE {' AND '.join(conditions)}) q"
            " ORDER BY q.unit_id, q.due_on, q.id"
        )
        return db.conn.execute(sql, [as_of.isoformat(), *values])

    found = [(_row(t[:-1]), t[-1]) for t in
             query([*state, *where, *due_where], [*params, *due_params])]
    if later:
        for t in query([f"p.id IN ({marks})", *where], params):
            r = state_as_of(_row(t[:-1]), later[t[0]], as_of)
            if r["status"] not in UNRECTIFIED:
                continue
            if limit is not None and not as_of.isoformat() <= r["due_on"] <= limit.isoformat():
                continue
            found.append((r, t[-1]))
        found.sort(key=lambda x: (x[0]["unit_id"], x[0]["due_on"], x[0]["id"]))
    rows = []
    for r, reminded in found:
        due = dt.date.fromisoformat(r["due_on"])
        if is_overdue(r["status"], due, from_iso(r["rectified_on"]), as_of):
            r["overdue_days"] = cal.workdays_between(due, as_of)
        r["days_left"] = cal.workdays_between(as_of, due) if due >= as_of else None
        r["reminded_on"] = reminded
        rows.append(r)
    return mark_ever_overdue(rows, as_of)


# ----------------------------------------------------------------------------- writing

@dataclass
class NewProblem:
    """One problem to record (already resolved and validated)."""

    unit: Unit
    resource: str
    dimension: str
    description: str
    records: int | None = None
    reporter_id: int | None = None
    reporter: str | None = None
    row: int | None = None  # spreadsheet row, for the audit log



def insert_problems(
    db: Database,
    problems: Sequence[NewProblem],
    *,
    source: str,
    issued_on: dt.date,
    month: str | None = None,
    spotcheck_id: int | None = None,
    cal: WorkCalendar | None = None,
) -> list[int]:
    """Insert validated problems (all issued the same day) with one audit row each.

    Call inside a transaction. Returns the new ids in order.
    """
    from cdo.store import calendar_store

    if source not in SOURCES:
        raise InvalidInputError(f"问题来源不认识：{source}")
    cal = cal or calendar_store.load_calendar(db)
    dl = compute_deadline(cal, issued_on, source)
    month = month or issued_on.strftime("%Y-%m")
    now = timestamp()
    # Past the withdrawn ones too (cdo spotcheck withdraw): a number in the audit log
    # never comes back as another problem.
    start = db.conn.execute(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM problems), 0),"
        " COALESCE((SELECT MAX(problem_id) FROM audit_log), 0))").fetchone()[0] + 1
    ids = list(range(start, start + len(problems)))
    issued, due = issued_on.isoformat(), dl.due.isoformat()
    db.conn.executemany(
        "INSERT INTO problems (id, spotcheck_id, month, source, unit_id, reporter_id, reporter,"
        " resource, dimension, description, records, issued_on, due_on, original_due_on,"
        " provisional, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'open',?)",
        [
            (pid, spotcheck_id, month, source, p.unit.id, p.reporter_id, p.reporter, p.resource,
             p.dimension, p.description, p.records, issued, due, due, int(dl.provisional), now)
            for pid, p in zip(ids, problems, strict=True)
        ],
    )
    audit.record_many(db, [
        {
            "entity": "problem", "entity_id": pid, "action": "add", "unit_id": p.unit.id,
            "problem_id": pid,
            "after": {"source": source, "unit": p.unit.name, "reporter": p.reporter,
                      "resource": p.resource, "dimension": p.dimension,
                      "description": p.description, "records": p.records,
                      "issued_on": issued, "due_on": due, "provisional": dl.provisional,
                      "spotcheck_id": spotcheck_id, "row": p.row},
        }
        for pid, p in zip(ids, problems, strict=True)
    ])
    return ids


def add_problem(
    db: Database,
    *,
    unit: str,
    resource: str,
    dimension: str,
    description: str,
    issued_on: dt.date,
    records: Any = None,
    source: str = "spotcheck",
    reporter: str | None = None,
    month: str | None = None,
) -> dict:
    """Record one problem (either source); returns it as a problem dict."""
    from cdo.roster.units import UnitIndex
    from cdo.store import calendar_store
    from cdo.store.db import transaction

    source = parse_source(source)
    index = UnitIndex.load(db)
    u = index.resolve(unit)
    resource, description = clean_text(resource), clean_text(description)  # no escapes
    if not resource:
        raise InvalidInputError("数据资源名称不能为空")
    if not description:
        raise InvalidInputError("问题描述不能为空")
    if (why := description_error(description)) is not None:
        raise InvalidInputError(f"--description {why}")
    dim = parse_dimension(dimension)
    count = parse_records(records)
    reporter_id, reporter_text = None, None
    if source == "user":
        if not reporter or not reporter.strip():
            raise InvalidInputError("使用单位反馈的问题须用 --reporter 写明反馈问题的数据使用单位")
        found = index.candidates(reporter)
        if len(found) > 1:
            index.resolve(reporter)  # raises the ambiguity message
        if found:
            if found[0].id == u.id:
                raise InvalidInputError("反馈单位与责任单位不能是同一个单位")
            reporter_id = found[0].id
        else:
            reporter_text = reporter.strip()
    elif reporter:
        raise InvalidInputError("--reporter 只用于使用单位反馈的问题（--source user）")
    cal = calendar_store.load_calendar(db)
    with transaction(db):
        pid = insert_problems(
            db,
            [NewProblem(u, resource, dim, description, count, reporter_id, reporter_text)],
            source=source, issued_on=issued_on, month=month, cal=cal,
        )[0]
    return get_problems(db, [pid])[pid]


def _event_rows(db: Database, ids: Sequence[int]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {i: [] for i in ids}
    ids = list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for pid, action, on, until in db.conn.execute(
            f"SELECT problem_id, action, on_date, until_on FROM problem_events"
            f" WHERE problem_id IN ({marks}) ORDER BY id", chunk
        ):
            out[pid].append((action, from_iso(on), from_iso(until)))
    return out


def _check_transition(p: dict, action: str, on: dt.date, until: dt.date | None) -> str | None:
    """Why `action` on `on` is refused for problem `p`, or None if it is allowed."""
    status = p["status"]
    sname = STATUS_NAMES[status]
    issued = dt.date.fromisoformat(p["issued_on"])
    if on < issued:
        return f"日期 {on} 早于问题下发日期 {issued}"
    if action == "done":
        if status not in UNRECTIFIED:
            return f"当前状态为“{sname}”，不能再登记整改完成"
    elif action in ("verify", "reopen"):
        if status != "rectified":
            what = "核验销号" if action == "verify" else "退回重新整改"
            hint = "，须先登记整改完成（cdo rectify done）" if status in UNRECTIFIED else ""
            return f"当前状态为“{sname}”，不能{what}{hint}"
        rect = dt.date.fromisoformat(p["rectified_on"])
        if on < rect:
            return f"日期 {on} 早于整改完成日期 {rect}"
    elif action == "negotiate":
        if status not in UNRECTIFIED:
            return f"当前状态为“{sname}”，不能协商延期"
        if until is None:
            return "协商延期须用 --until 写明双方商定的整改期限"
        if until < on:
            return f"商定期限 {until} 早于协商日期 {on}"
        if until <= dt.date.fromisoformat(p["due_on"]):
            return (f"协商期限应晚于现在的整改期限 {p['due_on']}（收到 --until {until}）；"
                    "期限未到、无需延期的，不必登记协商")
    return None


def _latest_event(events: Sequence[tuple]) -> tuple[str, dt.date] | None:
    """The (action, date) of a problem's latest event: the latest date, and of events on
    that date the one recorded last."""
    latest = None
    for action, on, _until in events:
        if on is not None and (latest is None or on >= latest[1]):
            latest = (action, on)
    return latest


def _check_history(action: str, on: dt.date, events: Sequence[tuple]) -> str | None:
    """Why an event dated `on` cannot follow the recorded ones: history is told in order,
    so nothing is dated before the problem's latest recorded event."""
    latest = _latest_event(events)
    if latest is not None and on < latest[1]:
        name = ACTION_NAMES.get(latest[0], latest[0])
        return (f"日期 {on} 早于该问题最近一次登记的“{name}”（{latest[1]}），"
                f"不能把{ACTION_NAMES[action]}登记在它之前；请核对日期")
    return None


def transition(
    db: Database,
    ids: Sequence[int],
    action: str,
    on: dt.date,
    *,
    note: str | None = None,
    until: dt.date | None = None,
) -> list[dict]:
    """Apply `action` (done/verify/reopen/negotiate) to every id, or to none of them.

    Unknown ids, impossible transitions and dates before the issue date raise RowErrors
    naming each refused id; nothing is changed then. Returns the updated problems.
    """
    from cdo.store.db import transaction

    if action not in ACTIONS:
        raise InvalidInputError(f"未知操作：{action}")
    if action != "negotiate" and until is not None:
        raise InvalidInputError("--until 只用于协商延期（negotiate）")
    ids = list(dict.fromkeys(ids))
    note = (note or "").strip() or None
    with transaction(db):
        current = get_problems(db, ids)
        history = _event_rows(db, [pid for pid in ids if pid in current])
        errors = []
        for pid in ids:
            p = current.get(pid)
            if p is None:
                errors.append(f"问题 #{pid}：没有这个问题编号")
                continue
            why = _check_transition(p, action, on, until) or _check_history(
                action, on, history[pid])
            if why:
                errors.append(f"问题 #{pid}：{why}")
        if errors:
            shown = errors[:MAX_IDS_SHOWN]
            if len(errors) > MAX_IDS_SHOWN:
                shown.append(f"……另有 {len(errors) - MAX_IDS_SHOWN} 个问题编号有误")
            raise RowErrors(f"{ACTION_NAMES[action]}未登记，{len(errors)} 个问题编号有误，"
                            "全部问题均未改动：", shown)
        now = timestamp()
        day = on.isoformat()
        db.conn.executemany(
            "INSERT INTO problem_events (problem_id, action, on_date, until_on, note, created_at)"
            " VALUES (?,?,?,?,?,?)",
            [(pid, action, day, until.isoformat() if until else None, note, now) for pid in ids],
        )
        events = _event_rows(db, ids)
        updates, audits = [], []
        for pid in ids:
            before = current[pid]
            after = dict(before)
            if action == "done":
                after.update(status="rectified", rectified_on=day)
            elif action == "verify":
                after.update(status="closed", closed_on=day)
            elif action == "reopen":
                after.update(status="open", rectified_on=None, closed_on=None)
            else:
                assert until is not None  # checked by _check_transition
                after.update(status="negotiated", due_on=until.isoformat(),
                             negotiated_until=until.isoformat())
            late = first_late_from_events(dt.date.fromisoformat(before["original_due_on"]),
                                          events[pid])
            after["first_late_on"] = late.isoformat() if late else None
            updates.append((after["status"], after["rectified_on"], after["closed_on"],
                            after["due_on"], after["negotiated_until"], after["first_late_on"],
                            pid))
            keys = ("status", "rectified_on", "closed_on", "due_on", "first_late_on")
            audits.append({
                "entity": "problem", "entity_id": pid, "action": action,
                "unit_id": before["unit_id"], "problem_id": pid, "reason": note,
                "before": {k: before[k] for k in keys},
                "after": {k: after[k] for k in keys} | {"on": day},
            })
        db.conn.executemany(
            "UPDATE problems SET status=?, rectified_on=?, closed_on=?, due_on=?,"
            " negotiated_until=?, first_late_on=? WHERE id=?",
            updates,
        )
        audit.record_many(db, audits)
    return list(get_problems(db, ids).values())


def remind(
    db: Database,
    *,
    on: dt.date,
    unit: str | None = None,
    ids: Sequence[int] | None = None,
    note: str | None = None,
) -> list[dict]:
    """Record a reminder (催办) sent to a unit for its unrectified problems (or `ids`).

    With ids, one reminder per unit they belong to; with `unit` too, every id must be
    that unit's. Returns [{unit, reminder_id, problems}] per reminder recorded.
    """
    from cdo.roster.units import resolve_unit
    from cdo.store.db import transaction

    if not unit and not ids:
        raise InvalidInputError("请用 --unit 指明催办的单位，或给出问题编号")
    u = resolve_unit(db, unit) if unit else None
    note = (note or "").strip() or None
    with transaction(db):
        if ids:
            current = get_problems(db, ids)
            errors = []
            for pid in ids:
                p = current.get(pid)
                if p is None:
                    errors.append(f"问题 #{pid}：没有这个问题编号")
                elif u is not None and p["unit_id"] != u.id:
                    errors.append(f"问题 #{pid}：属于 {p['unit']}，不是 {u.name}")
                elif p["status"] not in UNRECTIFIED:
                    errors.append(f"问题 #{pid}：当前状态为“{STATUS_NAMES[p['status']]}”，无需催办")
                elif dt.date.fromisoformat(p["issued_on"]) > on:
                    errors.append(f"问题 #{pid}：催办日期 {on} 早于问题下发日期 {p['issued_on']}")
            if errors:
                raise RowErrors(f"催办未登记，{len(errors)} 个问题编号有误：",
                                errors[:MAX_IDS_SHOWN])
            chosen = [current[pid] for pid in ids]
        else:
            assert u is not None
            chosen = [
                _row(t) for t in db.conn.execute(
                    _SELECT + " WHERE p.unit_id = ? AND p.status IN ('open','negotiated')"
                    " AND p.issued_on <= ? ORDER BY p.id", [u.id, on.isoformat()])
            ]
            if not chosen:
                raise StateError(f"{u.name} 没有待整改的问题，无需催办")
        by_unit: dict[int, list[dict]] = {}
        for p in chosen:
            by_unit.setdefault(p["unit_id"], []).append(p)
        out, now = [], timestamp()
        for uid, probs in by_unit.items():
            rid = db.execute(
                "INSERT INTO reminders (unit_id, sent_on, note, created_at) VALUES (?,?,?,?)",
                [uid, on.isoformat(), note, now],
            ).lastrowid
            db.conn.executemany(
                "INSERT INTO reminder_problems (reminder_id, problem_id) VALUES (?,?)",
                [(rid, p["id"]) for p in probs],
            )
            audit.record(db, "reminder", rid, "remind", None,
                         {"sent_on": on.isoformat(), "problems": [p["id"] for p in probs]},
                         unit_id=uid, reason=note)
            out.append({"unit": probs[0]["unit"], "reminder_id": rid,
                        "problems": [p["id"] for p in probs]})
    return out


# ----------------------------------------------------------------------------- calendar

def deadline_changes(db: Database, new_cal: WorkCalendar) -> list[dict]:
    """Stored deadlines that `new_cal` would change, for the clerk to see before saving.

    Considers every stored deadline, closed problems' too: one problem list never holds
    deadlines counted on two calendars. A negotiated date is never recomputed; only the
    original deadline beside it is. Each change: id, unit, issued_on, old_due, new_due (the
    original deadlines, 'YYYY-MM-DD'), moved (working days on the new calendar, + later),
    old_provisional, provisional, negotiated (bool), status, due_on (the deadline in force
    after).
    """
    changes = []
    cache: dict[tuple[str, str], Any] = {}
    sql = (
        "SELECT p.id, u.name, p.issued_on, p.source, p.original_due_on, p.provisional,"
        " p.negotiated_until, p.due_on, p.status FROM problems p"
        " JOIN units u ON u.id = p.unit_id ORDER BY p.id"
    )
    for pid, unit, issued, source, old, prov, negotiated, due, status in db.conn.execute(sql):
        key = (issued, source)
        dl = cache.get(key)
        if dl is None:
            dl = cache[key] = compute_deadline(new_cal, dt.date.fromisoformat(issued), source)
        new = dl.due.isoformat()
        if new == old and bool(prov) == dl.provisional:
            continue
        changes.append({
            "id": pid, "unit": unit, "issued_on": issued, "old_due": old, "new_due": new,
            "moved": new_cal.workdays_between(dt.date.fromisoformat(old), dl.due),
            "old_provisional": bool(prov), "provisional": dl.provisional,
            "negotiated": negotiated is not None, "status": status,
            "due_on": due if negotiated is not None else new,
        })
    return changes


def apply_deadline_changes(db: Database, changes: Sequence[dict]) -> int:
    """Save changes from `deadline_changes` (one transaction, audited); returns how many.

    Sets original_due_on and provisional; due_on too unless the date was negotiated;
    recomputes the ever-overdue mark against the new deadline.
    """
    from cdo.store.db import transaction

    if not changes:
        return 0
    with transaction(db):
        ids = [c["id"] for c in changes]
        current = get_problems(db, ids)
        events = _event_rows(db, ids)
        updates, audits = [], []
        for c in changes:
            p = current.get(c["id"])
            if p is None:
                continue
            new_orig = c["new_due"]
            new_due = p["due_on"] if p["negotiated_until"] else new_orig
            late = first_late_from_events(dt.date.fromisoformat(new_orig), events[c["id"]])
            late_s = late.isoformat() if late else None
            updates.append((new_due, new_orig, int(c["provisional"]), late_s, c["id"]))
            audits.append({
                "entity": "problem", "entity_id": c["id"], "action": "recompute_deadline",
                "unit_id": p["unit_id"], "problem_id": c["id"],
                "reason": "工作日历变更，重新计算整改期限",
                "before": {"due_on": p["due_on"], "original_due_on": p["original_due_on"],
                           "provisional": p["provisional"], "first_late_on": p["first_late_on"]},
                "after": {"due_on": new_due, "original_due_on": new_orig,
                          "provisional": bool(c["provisional"]), "first_late_on": late_s},
            })
        db.conn.executemany(
            "UPDATE problems SET due_on=?, original_due_on=?, provisional=?, first_late_on=?"
            " WHERE id=?", updates)
        audit.record_many(db, audits)
    return len(updates)


# ----------------------------------------------------------------------------- display

def due_text(value: Any, row: dict) -> str:
    """A deadline for the clerk: the date, marked 暂定 if provisional; a negotiated one
    says so and names the deadline the rule gave: 2023-12-29（协商；原 2023-11-14）."""
    if not value:
        return ""
    s = str(value)
    original = row.get("original_due_on")
    if row.get("negotiated_until") and row.get("negotiated_until") == value:
        if original and original != s:
            mark = "，暂定" if row.get("provisional") else ""
            return f"{s}（协商；原 {original}{mark}）"
        return s + "（协商）"
    if row.get("provisional") and s == (original or s):
        s += "（暂定）"
    return s


def due_short(value: Any, row: dict) -> str:
    """due_text for a narrow terminal: 2023-12-29（协商） without the deadline it replaced."""
    text = due_text(value, row)
    return text.split("；")[0].rstrip("）") + ("）" if "（" in text else "")


def ever_overdue_text(value: Any, row: dict | None = None) -> str:
    """The 曾逾期 cell: 是 for a problem late at any time up to the as-of date."""
    return "是" if value else ""


TABLE_TEXT_LIMIT = 120  # characters of a description or resource shown in a terminal table


def clip_text(value: Any, limit: int = TABLE_TEXT_LIMIT) -> str:
    """Long text cut for a terminal table, ending in …; JSON/CSV/.xlsx keep it whole."""
    s = "" if value is None else str(value)
    return s if len(s) <= limit else s[:limit - 1] + "…"
