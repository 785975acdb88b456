"""Duty records (日常履职): CDO meetings and trainings with each unit's attendance, and each
unit's yearly work plan and work summary with the date received.

These are the evidence for the evaluation's items 1 and 2; `attendance_for` and
`reports_for` are what the scoring code reads.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdo.dates import timestamp
from cdo.errors import CdoError, InvalidInputError, NotFoundError, RowErrors
from cdo.roster.units import UnitIndex
from cdo.sheets.text import clean_text, normalize_label
from cdo.store import audit

if TYPE_CHECKING:
    from cdo.store.db import Database

KINDS = {"meeting": "会议", "training": "培训"}
MAX_SIGNIN_ROWS = 10_000  # a sign-in sheet has a row per unit
STATUSES = ("present", "deputy", "excused", "absent")
STATUS_NAMES = {"present": "出席", "deputy": "派员代会", "excused": "请假", "absent": "缺席"}
REPORT_KINDS = {"plan": "工作计划", "summary": "工作总结"}

_KIND_ALIASES = {
    "meeting": "meeting", "会议": "meeting", "工作会议": "meeting", "会": "meeting",
    "training": "training", "培训": "training", "培训会": "training",
}



def parse_kind(text: str) -> str:
    """meeting | training from English or Chinese; raises InvalidInputError."""
    key = _KIND_ALIASES.get(normalize_label(text))
    if key is None:
        raise InvalidInputError(f"类型只能是 meeting（会议）或 training（培训），不是：{text!r}")
    return key


# ----------------------------------------------------------------------------- meetings


def add_meeting(db: Database, kind: str, held_on: dt.date, title: str,
                note: str | None = None) -> int:
    """Record a meeting or training session; returns its id. Same date and title twice is
    an InvalidInputError."""
    from cdo.store.db import transaction

    kind = parse_kind(kind)
    title = " ".join(title.split())
    if not title:
        raise InvalidInputError("会议名称（--title）不能为空")
    with transaction(db):
        dup = db.execute("SELECT id FROM meetings WHERE held_on = ? AND title = ?",
                         [held_on.isoformat(), title]).fetchone()
        if dup:
            raise InvalidInputError(f"{held_on} 的“{title}”已登记过（编号 {dup[0]}）")
        mid = db.execute(
            "INSERT INTO meetings (kind, held_on, title, note, created_at) VALUES (?,?,?,?,?)",
            [kind, held_on.isoformat(), title, note, timestamp()]).lastrowid
        audit.record(db, "meeting", mid, "add", None,
                     {"kind": kind, "held_on": held_on.isoformat(), "title": title, "note": note})
    return int(mid or 0)


def get_meeting(db: Database, meeting_id: int) -> dict:
    rows = list(db.query("SELECT * FROM meetings WHERE id = ?", [meeting_id]))
    if not rows:
        raise NotFoundError(
            f"没有编号为 {meeting_id} 的会议或培训（可用 cdo duty meeting list 查看）")
    return rows[0]


def list_meetings(db: Database, year: int | None = None) -> list[dict]:
    """Meetings and trainings with their attendance counts, oldest first."""
    where, args = "", []
    if year:
        where, args = "WHERE m.held_on LIKE ?", [f"{year}-%"]
    units = db.execute("SELECT count(*) FROM units").fetchone()[0]
    rows = list(db.query(f"""
        SELECT m.id, m.kind, m.held_on, m.title,
               sum(a.status = 'present') AS present, sum(a.status = 'deputy') AS deputy,
               sum(a.status = 'excused') AS excused, sum(a.status = 'absent') AS absent,
               count(a.unit_id) AS recorded
        FROM meetings m LEFT JOIN attendance a ON a.meeting_id = m.id
        {where} GROUP BY m.id ORDER BY m.held_on, m.id""", args))
    for r in rows:
        for s in STATUSES:
            r[s] = r[s] or 0
        r["unrecorded"] = max(units - r.pop("recorded"), 0)
    return rows


def meeting_attendance(db: Database, meeting_id: int) -> tuple[dict, list[dict]]:
    """One meeting and every unit's attendance at it (status None: not recorded)."""
    m = get_meeting(db, meeting_id)
    rows = list(db.query("""
        SELECT u.name AS unit, u.category, a.status, a.attendee
        FROM units u LEFT JOIN attendance a ON a.unit_id = u.id AND a.meeting_id = ?
        ORDER BY CASE a.status WHEN 'present' THEN 1 WHEN 'deputy' THEN 2
                 WHEN 'excused' THEN 3 WHEN 'absent' THEN 4 ELSE 5 END, u.id""", [meeting_id]))
    return m, rows


# ----------------------------------------------------------------------------- attendance

_SPLIT = re.compile(r"[,，、;；\n]+")


def split_units(text: str | None) -> list[str]:
    """'U1,U2，U3、U4' -> names (half- or full-width separators)."""
    if not text:
        return []
    return [p.strip() for p in _SPLIT.split(text) if p.strip()]


def entries_from(by_status: dict[str, list[str]]) -> list[tuple[str, str, str | None, str]]:
    """(unit text, status, attendee, place) entries from {status: [unit text, …]}."""
    return [(name, status, None, f"“{name}”") for status, names in by_status.items()
            for name in names]


def record_attendance(db: Database, meeting_id: int,
                      entries: list[tuple[str, str, str | None, str]], *,
                      rest_absent: bool = False) -> dict:
    """Set units' attendance at a meeting. All or nothing.

    `entries` are (unit text, status, attendee or None, place for messages). Every unit
    name is resolved first; unknown, ambiguous or repeated units raise RowErrors listing
    each. With `rest_absent`, units with no record at this meeting become absent.
    Returns counts: added, changed, unchanged, rest (marked absent)."""
    meeting = get_meeting(db, meeting_id)
    index = UnitIndex.load(db)
    chosen, problems = _resolve(index, entries)
    if problems:
        raise RowErrors(f"出勤记录有 {len(problems)} 处问题，全部未保存：", problems)
    return _write_attendance(db, meeting, index, chosen, rest_absent)


_RANK = {"present": 0, "deputy": 1, "excused": 2, "absent": 3}


def _resolve(index: UnitIndex, entries: list[tuple[str, str, str | None, str]],
             merge: bool = False
             ) -> tuple[dict[int, tuple[str, str | None, str]], list[str]]:
    """Resolve unit names. A unit named twice is a problem, unless `merge` (a sign-in
    sheet, where a unit may send two people, one row each): then the unit's attendance
    is the best of its rows and the attendees are joined."""
    problems: list[str] = []
    chosen: dict[int, tuple[str, str | None, str]] = {}  # unit id -> (status, attendee, text)
    for name, status, attendee, place in entries:
        if status not in STATUSES:
            raise InvalidInputError(f"出勤状态不对：{status}")
        try:
            unit = index.resolve(name)
        except CdoError as e:
            problems.append(f"{place}：{e}")
            continue
        if unit.id in chosen and merge:
            prev_status, prev_who, prev_name = chosen[unit.id]
            best = min(prev_status, status, key=_RANK.__getitem__)
            who = "、".join(dict.fromkeys(x for x in (prev_who, attendee) if x)) or None
            chosen[unit.id] = (best, who, prev_name)
            continue
        if unit.id in chosen:
            prev_status, _, prev_name = chosen[unit.id]
            msg = f"{place}：{unit.name}重复出现（前面已有“{prev_name}”：{STATUS_NAMES[prev_status]}）"
            if status != prev_status:
                msg += f"，这里又记为{STATUS_NAMES[status]}；一个单位只能记一种出勤"
            if msg not in problems:  # each conflict once
                problems.append(msg)
            continue
        chosen[unit.id] = (status, attendee, name)
    return chosen, problems


def _write_attendance(db: Database, meeting: dict, index: UnitIndex,
                      chosen: dict[int, tuple[str, str | None, str]], rest_absent: bool) -> dict:
    from cdo.store.db import transaction

    meeting_id = meeting["id"]
    counts = {"added": 0, "changed": 0, "unchanged": 0, "rest": 0}
    with transaction(db):
        old = {r["unit_id"]: r for r in db.query(
            "SELECT unit_id, status, attendee FROM attendance WHERE meeting_id = ?", [meeting_id])}
        audit_rows: list[dict] = []
        for unit_id, (status, attendee, _) in chosen.items():
            before = old.get(unit_id)
            if before and before["status"] == status and attendee in (None, before["attendee"]):
                counts["unchanged"] += 1
                continue
            db.execute(
                "INSERT INTO attendance (meeting_id, unit_id, status, attendee) VALUES (?,?,?,?)"
                " ON CONFLICT (meeting_id, unit_id) DO UPDATE SET status = excluded.status,"
                " attendee = excluded.attendee", [meeting_id, unit_id, status, attendee])
            counts["changed" if before else "added"] += 1
            audit_rows.append({
                "entity": "attendance", "entity_id": f"{meeting_id}:{unit_id}",
                "action": "update" if before else "add", "unit_id": unit_id,
                "before": dict(before) if before else None,
                "after": {"meeting": meeting["title"], "status": status, "attendee": attendee},
            })
        if rest_absent:
            seen = set(old) | set(chosen)
            for u in index.units:
                if u.id not in seen:
                    db.execute(
                        "INSERT INTO attendance (meeting_id, unit_id, status) VALUES (?,?,?)",
                        [meeting_id, u.id, "absent"])
                    counts["rest"] += 1
                    audit_rows.append({
                        "entity": "attendance", "entity_id": f"{meeting_id}:{u.id}",
                        "action": "add", "unit_id": u.id, "before": None,
                        "after": {"meeting": meeting["title"], "status": "absent"},
                        "reason": "没有出勤记录，记为缺席",
                    })
        if audit_rows:
            audit.record_many(db, audit_rows)
    return counts


_SIGNIN_FIELDS = {
    "unit": ["单位", "单位名称", "参会单位", "部门", "部门单位", "所在单位", "单位全称", "unit"],
    "status": ["出勤", "出勤情况", "签到", "签到情况", "签到状态", "出席情况", "参会情况",
               "到会情况",
               "状态", "出勤状态", "是否参会", "是否出席", "status"],
    "attendee": ["参会人", "参会人员", "参会人姓名", "出席人", "出席人员", "姓名", "签名",
                 "参训人员",
                 "attendee"],
    "remark": ["备注", "说明", "情况说明", "备注说明", "remark", "note"],
}

_STATUS_EXACT = {
    **dict.fromkeys(["出席", "参会", "到会", "已到", "到", "已签到", "签到", "参加", "已参加", "是",
                     "√", "✓", "✔", "☑", "present", "本人", "本人参会", "本人出席", "已参会",
                     "出勤", "正常", "参训"], "present"),
    **dict.fromkeys(["缺席", "未到", "未参加", "未参会", "否", "×", "✗", "✘", "x", "无", "absent",
                     "未签到", "缺勤", "未出席"], "absent"),
    **dict.fromkeys(["请假", "已请假", "公假", "病假", "事假", "excused", "请假已批"], "excused"),
    **dict.fromkeys(["代", "代会", "代参", "代参会", "委托", "委托参会", "派员", "派员参会", "替会",
                     "代为参会", "deputy", "代签", "代出席"], "deputy"),
}
_STATUS_WORDS = [
    ("excused", ("请假", "病假", "事假", "公假")),
    ("deputy", ("代会", "代参", "代为", "代替", "代表", "委托", "派员", "替会", "代签", "代出席")),
    ("absent", ("缺席", "未到", "未参", "未签", "未出席", "缺勤")),
    ("present", ("出席", "参会", "到会", "签到", "参训", "已到")),
]
_NAME_LIKE = re.compile(r"^[\u4e00-\u9fff·]{2,5}(?:[（(](代|代会|代参)[)）])?$")


def parse_status(text: Any, signature_column: bool = False) -> tuple[str, str | None]:
    """(status, attendee or None) for a sign-in cell; an empty cell means absent.

    In a 签到/签名 column a bare name (a signature) means present, 'name（代）' deputy.
    Raises InvalidInputError for text it cannot read."""
    raw = clean_text(text)
    if not raw:
        return "absent", None
    key = normalize_label(raw)
    if key in _STATUS_EXACT:
        return _STATUS_EXACT[key], None
    if raw in _STATUS_EXACT:
        return _STATUS_EXACT[raw], None
    for status, words in _STATUS_WORDS:
        if any(w in raw for w in words):
            return status, None
    m = _NAME_LIKE.match(raw)
    if signature_column and m:
        name = re.sub(r"[（(].*$", "", raw)
        return ("deputy" if m.group(1) else "present"), name
    raise InvalidInputError(f"出勤情况看不懂：{raw!r}，请写 出席、缺席、请假 或 代会")


_DEPUTY_MARK = re.compile(r"[（(]\s*(?:代|代会|代参|代参会|代签|代出席)\s*[)）]")


def _remark_status(value: Any) -> str | None:
    """The attendance a free-text 备注 states (请假, 代会 …), or None if it states none."""
    if not clean_text(value):
        return None
    try:
        return parse_status(value)[0]
    except CdoError:
        return None


def import_signin(db: Database, meeting_id: int, path: Path, *, rest_absent: bool = False) -> dict:
    """Attendance from a sign-in sheet (.xlsx/.csv with 单位 and 出勤/签到 columns).

    All or nothing: every bad row is named (file, sheet, row, column) in RowErrors."""
    from cdo.sheets.read import find_header, iter_records, read_table, sheet_place

    get_meeting(db, meeting_id)
    sheets = read_table(Path(path), max_rows=MAX_SIGNIN_ROWS)
    header = None
    for sheet in sheets:
        header = find_header(sheet.rows, _SIGNIN_FIELDS, ["unit"],
                             where=sheet_place(path, sheet.name))
        if header and ("status" in header.columns or "attendee" in header.columns):
            break
        header = None
    if header is None:
        raise InvalidInputError(
            f"{path}：找不到表头（需要“单位”列和“出勤情况”或“签到”列）")
    status_col = header.columns.get("status")
    header_cells = sheet.rows[header.row]
    signature = status_col is not None and normalize_label(header_cells[status_col]) in (
        "签到", "签名")
    entries: list[tuple[str, str, str | None, str]] = []
    problems: list[str] = []
    col_name = {k: clean_text(header_cells[c]) for k, c in header.columns.items()}
    for row_no, rec in iter_records(sheet.rows, header):
        unit = clean_text(rec.get("unit"))
        place = f"{path}，工作表“{sheet.name}”，第 {row_no} 行"
        if not unit:
            if clean_text(rec.get("status")) or clean_text(rec.get("attendee")):
                problems.append(f"{place}，“{col_name['unit']}”列：单位为空")
            continue
        remark = _remark_status(rec.get("remark"))
        if status_col is not None and not clean_text(rec.get("status")):
            signed = None
            status = remark or "absent"  # not signed in: the 备注 may say why (请假 …)
        elif status_col is not None:
            try:
                status, signed = parse_status(rec.get("status"), signature)
            except CdoError as e:
                problems.append(f"{place}，“{col_name['status']}”列：{e}")
                continue
        else:
            # no status column: a name means they came — '张三（代）' or a 备注 of
            # 代会/请假 beside a name means someone came in the CDO's place; with no name,
            # the 备注 (请假, 代会 …) says why, else absent
            signed = None
            person = clean_text(rec.get("attendee"))
            if person:
                deputy = bool(_DEPUTY_MARK.search(person)) or remark in ("deputy", "excused")
                status = "deputy" if deputy else "present"
                person = _DEPUTY_MARK.sub("", person).strip() or person
                rec["attendee"] = person
            else:
                status = remark or "absent"
        who = clean_text(rec.get("attendee")) or signed or None
        entries.append((unit, status, who, f"{place}，“{col_name['unit']}”列"))
    index = UnitIndex.load(db)
    chosen, unit_problems = _resolve(index, entries, merge=True)
    problems += unit_problems
    if problems:
        problems.sort(key=_row_number)
        raise RowErrors(f"{path}：签到表有 {len(problems)} 行有问题，全部未保存：", problems)
    if not entries:
        raise InvalidInputError(f"{path}：签到表里没有任何单位")
    from cdo.store.db import in_callers_transaction

    meeting = get_meeting(db, meeting_id)
    # An import takes a backup right before its first write: never for a refused sheet or
    # one that changes nothing, and not inside a caller's transaction (the demo).
    if not in_callers_transaction(db) and _would_write(db, meeting_id, index, chosen, rest_absent):
        from cdo.store.backup import auto_backup

        auto_backup(db)
    counts = _write_attendance(db, meeting, index, chosen, rest_absent)
    if sheets.hidden:  # passed over: said after the counts
        counts["hidden_sheets"] = sheets.hidden
    return counts


def _would_write(db: Database, meeting_id: int, index: UnitIndex,
                 chosen: dict[int, tuple[str, str | None, str]], rest_absent: bool) -> bool:
    """Whether `_write_attendance` with these arguments would change anything."""
    old = {r["unit_id"]: r for r in db.query(
        "SELECT unit_id, status, attendee FROM attendance WHERE meeting_id = ?", [meeting_id])}
    for unit_id, (status, attendee, _) in chosen.items():
        before = old.get(unit_id)
        if not (before and before["status"] == status and attendee in (None, before["attendee"])):
            return True
    return rest_absent and any(u.id not in old and u.id not in chosen for u in index.units)


def _row_number(problem: str) -> int:
    m = re.search(r"第 (\d+) 行", problem)
    return int(m.group(1)) if m else 0


# ----------------------------------------------------------------------------- reports


def record_report(db: Database, unit_text: str, kind: str, year: int, received_on: dt.date,
                  note: str | None = None, *, today: dt.date | None = None) -> str:
    """Record the date a unit's work plan or summary for `year` was received.

    Returns 'added', 'changed' or 'unchanged'. Raises InvalidInputError for a date that
    cannot be right (a summary before its year began, a date in the future)."""
    from cdo.store.db import transaction

    if kind not in REPORT_KINDS:
        raise InvalidInputError(f"报告类型不对：{kind}")
    if not 2000 <= year <= 2100:
        raise InvalidInputError(f"年度不对：{year}")
    today = today or dt.date.today()
    if received_on > today:
        raise InvalidInputError(f"收到日期 {received_on} 在今天之后，请核对")
    earliest = report_window_start(kind, year)
    what = "工作总结" if kind == "summary" else "工作计划"
    if received_on < earliest:
        raise InvalidInputError(
            f"{year} 年度的{what}不会在 {received_on} 收到：最早 {earliest} 起才可能报送"
            f"（{'年度总结在当年下半年报送' if kind == 'summary' else '计划最早在上一年第四季度报送'}）。"
            f"是否年度写错了？请核对 --year 和 --on"
        )
    if kind == "plan" and received_on.year > year + 1:
        raise InvalidInputError(f"{year} 年的工作计划在 {received_on} 收到？请核对年度和日期")
    unit = UnitIndex.load(db).resolve(unit_text)
    with transaction(db):
        old = list(db.query(
            "SELECT * FROM duty_reports WHERE unit_id = ? AND year = ? AND kind = ?",
            [unit.id, year, kind]))
        day = received_on.isoformat()
        if old and old[0]["received_on"] == day and (note is None or old[0]["note"] == note):
            return "unchanged"
        if old:
            new_note = note if note is not None else old[0]["note"]
            db.execute("UPDATE duty_reports SET received_on = ?, note = ? WHERE id = ?",
                       [day, new_note, old[0]["id"]])
            audit.record(db, "duty_report", old[0]["id"], "update",
                         {"received_on": old[0]["received_on"], "note": old[0]["note"]},
                         {"received_on": day, "note": new_note}, unit_id=unit.id)
            return "changed"
        rid = db.execute(
            "INSERT INTO duty_reports (unit_id, year, kind, received_on, note, created_at)"
            " VALUES (?,?,?,?,?,?)", [unit.id, year, kind, day, note, timestamp()]).lastrowid
        audit.record(db, "duty_report", rid, "add", None,
                     {"kind": kind, "year": year, "received_on": day, "note": note},
                     unit_id=unit.id)
    return "added"


def report_window_start(kind: str, year: int) -> dt.date:
    """The earliest day a plan or summary for `year` can plausibly arrive: a summary from
    1 July of the year (a year-end summary is not written in the first half), a plan from
    1 October of the year before. Earlier dates are refused (most likely the wrong year)."""
    return dt.date(year, 7, 1) if kind == "summary" else dt.date(year - 1, 10, 1)


def summary_due(year: int) -> dt.date:
    """The work summary for `year` is due by 31 December of that year (实施方案 五（三）)."""
    return dt.date(year, 12, 31)


# ----------------------------------------------------------------------------- for scoring


def attendance_for(db: Database, year: int) -> dict[int, dict[str, int]]:
    """Every unit's attendance at the meetings and trainings held in `year`.

    Returns {unit_id: {"events": n, "meetings": n, "trainings": n, "present": n,
    "deputy": n, "excused": n, "absent": n, "unrecorded": n}} for every unit; `events` is
    the number of meetings plus trainings held that year, `unrecorded` the events with no
    record for the unit (events = present + deputy + excused + absent + unrecorded)."""
    like = f"{year:04d}-%"
    kinds = dict.fromkeys(KINDS, 0)
    for r in db.query("SELECT kind, count(*) AS n FROM meetings WHERE held_on LIKE ? GROUP BY kind",
                      [like]):
        kinds[r["kind"]] = r["n"]
    events = sum(kinds.values())
    out = {
        r["id"]: {"events": events, "meetings": kinds["meeting"], "trainings": kinds["training"],
                  **dict.fromkeys(STATUSES, 0), "unrecorded": events}
        for r in db.query("SELECT id FROM units")
    }
    for r in db.query(
        "SELECT a.unit_id, a.status, count(*) AS n FROM attendance a"
        " JOIN meetings m ON m.id = a.meeting_id WHERE m.held_on LIKE ?"
        " GROUP BY a.unit_id, a.status", [like]):
        d = out.get(r["unit_id"])
        if d is not None:
            d[r["status"]] = r["n"]
            d["unrecorded"] -= r["n"]
    return out


def reports_for(db: Database, year: int, as_of: dt.date | None = None) -> dict[int, dict]:
    """Every unit's work plan and work summary for `year`.

    Returns {unit_id: {"plan_on": date|None, "summary_on": date|None,
    "summary_on_time": bool|None}} for every unit. `summary_on_time` is True when the
    summary was received by 31 December of `year`, False when received later, or when
    none was received and `as_of` (default today) is past 31 December; None while a
    missing summary is not yet due."""
    as_of = as_of or dt.date.today()
    due = summary_due(year)
    out: dict[int, dict] = {
        r["id"]: {"plan_on": None, "summary_on": None, "summary_on_time": None}
        for r in db.query("SELECT id FROM units")
    }
    for r in db.query("SELECT unit_id, kind, received_on FROM duty_reports WHERE year = ?", [year]):
        d = out.get(r["unit_id"])
        if d is not None:
            d[f"{r['kind']}_on"] = dt.date.fromisoformat(r["received_on"])
    for d in out.values():
        if d["summary_on"] is not None:
            d["summary_on_time"] = d["summary_on"] <= due
        elif as_of > due:
            d["summary_on_time"] = False
    return out


def duty_rows(db: Database, year: int, as_of: dt.date | None = None) -> list[dict]:
    """One row per unit for `cdo duty list`: attendance counts, plan and summary dates."""
    att = attendance_for(db, year)
    rep = reports_for(db, year, as_of)
    rows = []
    for u in db.query("SELECT id, name, category FROM units ORDER BY CASE category"
                      " WHEN 'region' THEN 1 WHEN 'department' THEN 2 WHEN 'enterprise' THEN 3"
                      " ELSE 4 END, id"):
        a, r = att[u["id"]], rep[u["id"]]
        rows.append({"unit": u["name"], "category": u["category"], "year": year,
                     "events": a["events"], "present": a["present"], "deputy": a["deputy"],
                     "excused": a["excused"], "absent": a["absent"],
                     "unrecorded": a["unrecorded"], **r})
    return rows


# ----------------------------------------------------------------------------- demo


def load_demo(db: Database) -> str:
    """Demo step: 2023 meetings and trainings with attendance, plans and summaries."""
    from cdo.paths import data_dir

    d = dt.date.fromisoformat
    m1 = add_meeting(db, "meeting", d("2023-07-14"), "2023年上半年首席数据官工作会议")
    import_signin(db, m1, data_dir() / "samples" / "duty" / "2023-07-14-工作会议签到表.xlsx",
                  rest_absent=True)
    m2 = add_meeting(db, "training", d("2023-09-20"), "数据安全与数据质量专题培训")
    record_attendance(db, m2, entries_from({
        "present": ["市大数据中心", "通川区", "市公安局", "市教育局", "达州发展集团", "市中心医院"],
        "excused": ["市卫生健康委"],
        "deputy": ["宣汉县"],
    }), rest_absent=True)
    m3 = add_meeting(db, "meeting", d("2023-12-22"), "2023年下半年首席数据官工作会议")
    record_attendance(db, m3, entries_from({
        "present": ["市大数据中心", "通川区", "市公安局", "市教育局", "市卫生健康委"],
        "deputy": ["达州发展集团"],
        "absent": ["市中心医院"],
    }), rest_absent=True)
    reports = [
        ("达州市大数据中心", "plan", "2023-06-30"), ("达州市大数据中心", "summary", "2023-12-20"),
        ("通川区", "plan", "2023-07-10"), ("通川区", "summary", "2023-12-28"),
        ("达州市公安局", "plan", "2023-06-28"), ("达州市公安局", "summary", "2024-01-08"),
        ("达州市教育局", "plan", "2023-07-03"), ("达州市教育局", "summary", "2023-12-29"),
        ("达州市卫生健康委员会", "plan", "2023-07-20"),
        ("达州发展集团", "plan", "2023-06-25"), ("达州发展集团", "summary", "2023-12-15"),
    ]
    for unit, kind, day in reports:
        record_report(db, unit, kind, 2023, d(day))
    return ("履职：2023 年会议 2 次、培训 1 次及各单位出勤（含签到表导入），"
            f"工作计划和总结 {len(reports)} 份（1 份总结逾期）")
