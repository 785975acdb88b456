"""The calendar in the database: notices loaded by `cdo calendar load` and local
adjustments, merged over the bundled data into a WorkCalendar."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cdo.calendar import WorkCalendar, bundled_years, check_range, parse_year_doc, year_doc
from cdo.dates import timestamp
from cdo.errors import CdoError, InvalidInputError

if TYPE_CHECKING:
    from cdo.store.db import Database


def load_calendar(db: Database) -> WorkCalendar:
    """The calendar for this database: bundled years, loaded notices, local adjustments."""
    years = dict(bundled_years())
    for doc in loaded_docs(db).values():
        years[doc["year"]] = parse_year_doc(doc, "loaded")
    return WorkCalendar(years, local_adjustments(db))


def load_calendar_file(path: Path) -> WorkCalendar:
    """The calendar stored in the database file at `path`, read with the standard
    library only (read-only, no migration): for commands that need nothing else from
    the database. A file that does not exist, or holds no calendar yet, gives the
    bundled calendar."""
    import sqlite3

    if path.is_dir():
        raise CdoError(f"数据库路径是一个文件夹：{path}")
    if not path.exists():
        return WorkCalendar(dict(bundled_years()), {})
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise CdoError(f"无法打开数据库文件 {path}：{e}（请检查路径和读写权限）") from None
    try:
        return load_calendar(conn)  # type: ignore[arg-type]  # execute() is all it uses
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):  # a database no cdo command has written yet
            return WorkCalendar(dict(bundled_years()), {})
        raise CdoError(f"无法读取数据库文件 {path}：{e}（请检查路径和读写权限）") from None
    except sqlite3.DatabaseError as e:
        raise CdoError(f"不是有效的 cdo 数据库文件：{path}（{e}）") from None
    finally:
        conn.close()


# -- the database: loaded notices and local adjustments ----------------------------------


def loaded_docs(db: Database) -> dict[int, dict]:
    """Loaded years in the data-file shape {"year","source","days":[{date,name,off}]}."""
    docs: dict[int, dict] = {}
    for year, source in db.execute("SELECT year, source FROM calendar_years ORDER BY year"):
        docs[year] = {"year": year, "source": source, "days": []}
    for year, date, off, name in db.execute(
            "SELECT year, date, off, name FROM calendar_days ORDER BY year, date"):
        docs[year]["days"].append({"date": date, "name": name or "", "off": bool(off)})
    return docs


def local_adjustments(db: Database) -> dict[dt.date, tuple[bool, str]]:
    """Local adjustments: date -> (workday, reason)."""
    return {
        dt.date.fromisoformat(date): (kind == "work", reason)
        for date, kind, reason in db.execute(
            "SELECT date, kind, reason FROM calendar_local ORDER BY date")
    }


def _doc_lines(doc: dict | None) -> list[str] | None:
    """A year's days as short audit lines: '2027-02-06 班 春节'."""
    if doc is None:
        return None
    return [f"{d['date']} {'休' if d['off'] else '班'} {d['name']}".rstrip()
            for d in sorted(doc["days"], key=lambda d: d["date"])]


def store_year(db: Database, doc: dict, *, file: str | None = None) -> bool:
    """Save a notice's year (data-file shape) over any loaded one for that year; audited.

    Returns False, writing nothing, when the same notice is already loaded. Call it inside
    the command's transaction.
    """
    from cdo.store import audit
    from cdo.store.db import transaction

    year = int(doc["year"])
    new = {"year": year, "source": doc["source"],
           "days": sorted(({"date": d["date"], "name": d.get("name") or "", "off": bool(d["off"])}
                           for d in doc["days"]), key=lambda d: d["date"])}
    old = loaded_docs(db).get(year)
    if old is not None and old["source"] == new["source"] and old["days"] == new["days"]:
        return False
    with transaction(db):
        db.execute("DELETE FROM calendar_days WHERE year = ?", [year])
        db.execute("DELETE FROM calendar_years WHERE year = ?", [year])
        now = timestamp()
        db.execute("INSERT INTO calendar_years (year, source, loaded_at) VALUES (?,?,?)",
                   [year, new["source"], now])
        db.conn.executemany(
            "INSERT INTO calendar_days (year, date, off, name) VALUES (?,?,?,?)",
            [(year, d["date"], int(d["off"]), d["name"]) for d in new["days"]],
        )
        if old is not None:
            before = {"status": "loaded", "source": old["source"], "days": _doc_lines(old)}
        elif year in bundled_years():
            official = year_doc(bundled_years()[year])
            before = {"status": "official", "source": official["source"],
                      "days": _doc_lines(official)}
        else:
            before = None
        after = {"source": new["source"], "days": _doc_lines(new), "file": file}
        audit.record(db, "calendar_year", year, "load", before, after)
        rebuild_derived(db)
    return True


def unload_year(db: Database, year: int, reason: str | None = None) -> dict:
    """Remove a loaded year (back to the bundled data, or provisional); audited.

    Returns the removed year in the data-file shape. Call it inside the command's
    transaction; NotFoundError if the year was never loaded.
    """
    from cdo.errors import NotFoundError
    from cdo.store import audit
    from cdo.store.db import transaction

    old = loaded_docs(db).get(year)
    if old is None:
        raise NotFoundError(
            f"{year} 年没有载入过放假安排通知，无需撤销（用 cdo calendar years 查看各年依据）")
    with transaction(db):
        db.execute("DELETE FROM calendar_days WHERE year = ?", [year])
        db.execute("DELETE FROM calendar_years WHERE year = ?", [year])
        back = "official" if year in bundled_years() else "provisional"
        audit.record(db, "calendar_year", year, "unload",
                     {"status": "loaded", "source": old["source"], "days": _doc_lines(old)},
                     {"status": back}, reason=reason)
        rebuild_derived(db)
    return old


def set_local(db: Database, day: dt.date, kind: Literal["off", "work"], reason: str) -> bool:
    """Record a local adjustment (office closure, municipal notice); audited.

    Returns False, writing nothing, when the same adjustment is already recorded.
    """
    from cdo.store import audit
    from cdo.store.db import transaction

    if kind not in ("off", "work"):
        raise InvalidInputError(f"调整类型应为 off（休）或 work（班），收到 {kind!r}")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError("请用 --reason 写明调整原因（例如：市政府通知、办公楼停电）")
    check_range(day)
    key = day.isoformat()
    old = db.execute("SELECT kind, reason FROM calendar_local WHERE date = ?", [key]).fetchone()
    if old is not None and tuple(old) == (kind, reason):
        return False
    with transaction(db):
        db.execute(
            "INSERT INTO calendar_local (date, kind, reason, created_at) VALUES (?,?,?,?)"
            " ON CONFLICT(date) DO UPDATE SET kind=excluded.kind, reason=excluded.reason,"
            " created_at=excluded.created_at",
            [key, kind, reason, timestamp()],
        )
        before = None if old is None else {"kind": old[0], "reason": old[1]}
        audit.record(db, "calendar_local", key, "set", before,
                     {"kind": kind, "reason": reason}, reason=reason)
        rebuild_derived(db)
    return True


def unset_local(db: Database, day: dt.date, reason: str | None = None) -> dict:
    """Remove a local adjustment; audited. Returns what was removed ({kind, reason})."""
    from cdo.errors import NotFoundError
    from cdo.store import audit
    from cdo.store.db import transaction

    key = day.isoformat()
    old = db.execute("SELECT kind, reason FROM calendar_local WHERE date = ?", [key]).fetchone()
    if old is None:
        raise NotFoundError(f"{key} 没有本地调整，无需取消（用 cdo calendar years 查看已有调整）")
    with transaction(db):
        db.execute("DELETE FROM calendar_local WHERE date = ?", [key])
        removed = {"kind": old[0], "reason": old[1]}
        audit.record(db, "calendar_local", key, "remove", removed, None, reason=reason)
        rebuild_derived(db)
    return removed


def year_overview(db: Database) -> list[dict]:
    """One row per year from the first bundled year to the year after the last known one.

    Keys: year, status (official|loaded|provisional), source, holidays (days off named),
    workdays (adjusted working days named), local (list of {date, kind, reason}).
    """
    cal = load_calendar(db)
    local_by_year: dict[int, list[dict]] = {}
    for d, (work, reason) in sorted(cal.local.items()):
        local_by_year.setdefault(d.year, []).append(
            {"date": d.isoformat(), "kind": "work" if work else "off", "reason": reason})
    known = set(cal.years) | set(local_by_year)
    rows = []
    for year in range(min(known), max(known) + 2):
        data = cal.year_data(year)
        days = data.days.values()
        rows.append({
            "year": year,
            "status": data.status,
            "source": data.source,
            "holidays": sum(1 for off, _ in days if off),
            "workdays": sum(1 for off, _ in days if not off),
            "local": local_by_year.get(year, []),
        })
    return rows


# -- the calendar as a table (for SQL: the web view's overdue days) -----------------------

FIRST_MATERIALISED = 2000  # the calendar table starts here (as WorkCalendar does)
_ONE_DAY = dt.timedelta(days=1)
_AHEAD = 3  # years after the last known one (or this year) the table covers


@cache
def _bundled_stamp() -> str:
    """A hash of the bundled holiday files and 附件2: a new release may change them."""
    import hashlib

    from cdo.paths import data_dir

    h = hashlib.sha256()
    files = sorted((data_dir() / "holidays").glob("[0-9][0-9][0-9][0-9].json"))
    for path in [*files, data_dir() / "evaluation.json"]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _fingerprint(db: Database) -> str:
    # Loaded notices and local days by count and newest change: load|unload|set|unset
    # rebuild the table themselves; this catches a database changed by an older cdo.
    loaded = db.execute(
        "SELECT (SELECT count(*) || '/' || COALESCE(max(loaded_at), '') FROM calendar_years),"
        " (SELECT count(*) FROM calendar_days),"
        " (SELECT count(*) || '/' || COALESCE(max(created_at), '') FROM calendar_local)"
    ).fetchone()
    year = dt.date.today().year
    return f"{_bundled_stamp()}|{year}|{'|'.join(map(str, loaded))}"


def refresh_derived(db: Database, *, build: bool = True) -> bool:
    """Rebuild the workdays and eval_items tables if stale (or missing, with `build`);
    True if rebuilt.

    Every open calls it with build=False: one small query when nothing changed, and a
    database that was never served or given a calendar change is not filled (70 ms of
    writes no command of the CLI needs); `cdo serve` builds it.
    """
    row = db.execute("SELECT fingerprint FROM workdays_built WHERE id = 1").fetchone()
    if row is None and not build:
        return False
    fp = _fingerprint(db)
    if row is not None and row[0] == fp:
        return False
    rebuild_derived(db, fp)
    return True


def rebuild_derived(db: Database, fingerprint: str | None = None) -> None:
    """Write the calendar (one row per day) and the 附件2 items into their tables."""
    from cdo import scoring
    from cdo.store.db import transaction

    cal = load_calendar(db)
    known = [*cal.years, *(d.year for d in cal.local), dt.date.today().year]
    first = dt.date(min(FIRST_MATERIALISED, cal.first_year), 1, 1)
    last = dt.date(max(known) + _AHEAD, 12, 31)
    cal.is_workday(last)  # make the precomputed span cover the table
    rows = []
    seq = 0
    for year in range(first.year, last.year + 1):
        status = cal.year_status(year)
        named = cal.named_days(year)
        d = dt.date(year, 1, 1)
        for _ in range(366 if d.replace(month=12, day=31).timetuple().tm_yday == 366 else 365):
            # as WorkCalendar.day(), without building a Day for each of 11,000 dates
            work = cal.is_workday(d)
            weekend = d.weekday() >= 5
            local = cal.local.get(d)
            name = named.get(d)
            if work:
                kind = "adjusted_workday" if weekend else "workday"
            elif weekend and local is None and (name is None or not name[0]):
                kind = "weekend"
            else:
                kind = "holiday"
            seq += work
            rows.append((d.isoformat(), int(work), seq, kind, name[1] if name else None,
                         status, int(cal.is_provisional_day(d)), int(local is not None),
                         local[1] if local else None))
            d += _ONE_DAY
    table = scoring.load_table()
    items = [(i.no, i.max, i.text, p.key, p.name, p.max, n)
             for n, p in enumerate(table.parts, 1) for i in p.items]
    with transaction(db):
        db.execute("DELETE FROM workdays")
        db.conn.executemany("INSERT INTO workdays VALUES (?,?,?,?,?,?,?,?,?)", rows)
        db.execute("DELETE FROM eval_items")
        db.conn.executemany("INSERT INTO eval_items VALUES (?,?,?,?,?,?,?)", items)
        db.execute("DELETE FROM workdays_built")
        db.execute("INSERT INTO workdays_built (id, fingerprint, built_at) VALUES (1, ?, ?)",
                   [fingerprint or _fingerprint(db), timestamp()])
