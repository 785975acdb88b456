"""The CDO roster: recommendation forms in, the appointment lifecycle, data specialists,
and who is missing or late.

A row of `cdos` is one term of one person as a unit's Chief Data Officer. A unit's
current CDO is its row whose status is not 'ended' (at most one, enforced by an index).
Lifecycle: recommended → appointed (任命) → filed (备案, organisation department) → ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdo.dates import from_iso, timestamp
from cdo.errors import CdoError, InvalidInputError, NotFoundError, StateError
from cdo.roster.units import CITY_PREFIX, Unit, UnitIndex, strip_city
from cdo.sheets.forms import (
    PERSON_FIELDS,
    FormData,
    FormError,
    ReceiptList,
    date_in_name,
    file_key,
    form_files,
    read_forms,
    read_receipt_list,
    receipt_candidates,
)
from cdo.sheets.text import normalize_label
from cdo.store import audit

if TYPE_CHECKING:
    from cdo.store.db import Database

# 实施方案 五（一）: forms due by 30 May 2023; after a change, within one month.
FIRST_ROUND_DUE = dt.date(2023, 5, 30)

STATUSES = ("recommended", "appointed", "filed", "ended")
STATUS_NAMES = {
    "recommended": "已推荐",
    "appointed": "已任命",
    "filed": "已备案",
    "ended": "已离任",
}
REASON_NAMES = {
    "no_form": "未报送推荐表",
    "no_form_after_change": "变更后未重新报送推荐表",
    "late_form": "推荐表报送逾期",
    "no_specialist": "未选派数据专员",
}





def _name_key(name: str) -> str:
    return normalize_label(name)


# ----------------------------------------------------------------------------- units


def unit_candidates(index: UnitIndex, text: str) -> list[Unit]:
    """The registered units a text names (full name, without 达州市, or short name);
    when one matched name contains another's, the longer wins."""
    text = normalize_label(text)
    if not text:
        return []
    hits: list[tuple[str, Unit]] = []
    for u in index.units:
        names = {u.name, strip_city(u.name), *u.other_names}
        if not u.name.startswith(CITY_PREFIX):
            names.add(CITY_PREFIX + u.name)
        for n in names:
            k = normalize_label(n)
            if k and k in text:
                hits.append((k, u))
    # drop a hit whose text lies inside a longer hit's text of another unit
    kept = [
        (k, u) for k, u in hits
        if not any(k != k2 and k in k2 and u.id != u2.id for k2, u2 in hits)
    ]
    return list({u.id: u for _, u in kept}.values())


def match_unit(index: UnitIndex, position: str) -> Unit:
    """The registered unit that 工作单位及职务 names.

    A unit matches when its full name, its name without 达州市, or its short name occurs
    in the text; when one matched name contains another, the longer wins. Raises
    InvalidInputError when no unit or several units match, naming the candidates."""
    if not normalize_label(position):
        raise InvalidInputError(
            "没有填写工作单位及职务，无法判断是哪个单位的推荐表，请用 --unit 指定单位")
    units = unit_candidates(index, position)
    if len(units) == 1:
        return units[0]
    if not units:
        raise InvalidInputError(
            f"工作单位及职务“{position}”中找不到已登记的单位，请用 --unit 指定单位，"
            "或在文件名中写明单位名称（未登记的单位先用 cdo units add 登记）"
        )
    names = "、".join(u.name for u in units)
    raise InvalidInputError(
        f"工作单位及职务“{position}”可能是这些单位：{names}，请用 --unit 指定单位，"
        "或在文件名中写明单位名称"
    )


def form_unit(index: UnitIndex, form: FormData) -> tuple[Unit, str | None]:
    """The unit a form belongs to and, when it is not 工作单位及职务 that named it, where
    it came from (a 推荐单位 line on the form, the sheet's name or the file's name).

    工作单位及职务 is read first. Only when it names no unit, or several, is the next
    source tried; with several, that source must pick one of them. Raises the
    InvalidInputError of 工作单位及职务 when nothing settles it."""
    try:
        return match_unit(index, form.fields.get("position", "")), None
    except InvalidInputError as e:
        first = e
    among = {u.id for u in unit_candidates(index, form.fields.get("position", ""))}
    for where, text in form.unit_hints:
        units = unit_candidates(index, text)
        if len(units) == 1 and (not among or units[0].id in among):
            return units[0], where
    raise first


def _unit(db: Database, text: str) -> Unit:
    return UnitIndex.load(db).resolve(text)


# ----------------------------------------------------------------------------- import


@dataclass
class Outcome:
    """What one form did: added | updated | unchanged | replaced."""

    file: str
    sheet: str
    action: str
    unit: str
    name: str
    previous: str | None = None
    missing: list[str] = field(default_factory=list)
    unit_source: str | None = None  # where the unit was read when not 工作单位及职务
    # 工作单位及职务 when it names another registered unit than the --unit it was filed under
    stated: str | None = None
    received_on: dt.date | None = None
    received_from: str | None = None  # where the received date was read, when not --received


@dataclass
class ImportReport:
    done: list[Outcome] = field(default_factory=list)
    failed: list[FormError] = field(default_factory=list)
    hidden: dict[str, list[str]] = field(default_factory=dict)  # file → hidden sheets passed over

    def count(self, action: str) -> int:
        return sum(1 for o in self.done if o.action == action)


def current_cdo(db: Database, unit_id: int) -> dict | None:
    """The unit's current (not ended) CDO row, or None."""
    rows = list(db.query(
        "SELECT * FROM cdos WHERE unit_id = ? AND status <> 'ended'", [unit_id]))
    return rows[0] if rows else None


def import_forms(db: Database, paths: list[Path], *, unit: str | None = None,
                 received_on: dt.date) -> ImportReport:
    """Import every form in `paths` (files and folders). Each form is its own transaction:
    good forms are saved, bad ones are listed in the report with their reason.

    The date each form was received is, first, its row in an accompanying list (a
    spreadsheet or CSV in the folder with a 收到日期 column and a 文件名 or 单位 column),
    else a date in the form's file name (2023-05-26 通川区.xlsx, 20230526, 2023年5月26日),
    else `received_on` (--received, default today).

    One automatic backup is taken right before the first form that will actually be
    written — none when every form fails or nothing changes."""
    from cdo import interrupts
    from cdo.dates import today
    from cdo.store.db import in_callers_transaction, transaction

    report = ImportReport()
    index = UnitIndex.load(db)
    fixed = index.resolve(unit) if unit else None
    files, errors = form_files(paths)
    receipts: list[ReceiptList] = []
    for path in receipt_candidates(paths):
        if path.suffix.lower() == ".csv" and (found_list := read_receipt_list(path)):
            receipts.append(found_list)
    listed = {str(r.path) for r in receipts}
    report.failed.extend(e for e in errors if e.file not in listed)
    forms: list[FormData] = []
    candidates = set(receipt_candidates(paths))
    for path in files:
        found, errors = read_forms(path)
        interrupts.check()  # a Ctrl-C while reading is not the file's fault
        if not found and path in candidates and (found_list := read_receipt_list(path)):
            receipts.append(found_list)
            continue
        forms.extend(found)
        report.failed.extend(errors)
        if hidden := getattr(found, "hidden", None):
            report.hidden[str(path)] = hidden
    keys = {file_key(form.file) for form in forms}
    for r in receipts:  # a bad row naming a form fails that form, below
        report.failed.extend(FormError(str(r.path), None, e) for e in r.errors)
        report.failed.extend(FormError(str(r.path), None, e)
                             for k, e in r.bad_files.items() if k not in keys)
    backed_up = in_callers_transaction(db)  # inside a caller's transaction (the demo): no copy
    for form in forms:
        try:
            source = None
            stated: list[Unit] = []
            if fixed is not None:
                target = fixed
                stated = unit_candidates(index, form.fields.get("position", ""))
                if any(u.id == fixed.id for u in stated):
                    stated = []
            else:
                target, source = form_unit(index, form)
            got, got_from = _received(form, target, receipts, index, received_on)
            if got_from and got > today():
                raise InvalidInputError(f"{got_from}的收到日期 {got} 晚于今天，请核对")
            if not backed_up and _would_write(db, form, target, got):
                from cdo.store.backup import auto_backup

                auto_backup(db)
                backed_up = True
            with transaction(db, save_now=True):  # each form is saved on its own
                outcome = apply_form(db, form, target, got)
            outcome.unit_source = source
            outcome.received_on, outcome.received_from = got, got_from
            if stated:
                outcome.stated = form.fields.get("position", "")
            report.done.append(outcome)
        except CdoError as e:
            interrupts.check()
            report.failed.append(FormError(form.file, form.sheet, str(e)))
    return report


def _received(form: FormData, unit: Unit, receipts: list[ReceiptList], index: UnitIndex,
              default: dt.date) -> tuple[dt.date, str | None]:
    """When the form came in, and where that was read (None: the --received date)."""
    key = file_key(form.file)
    for r in receipts:
        if key in r.bad_files:  # never today's date in place of the one written wrong
            raise InvalidInputError(r.bad_files[key])
        if key in r.by_file:
            day, place = r.by_file[key]
            return day, f"收文登记表 {place}"
    bad = [msg for r in receipts for text, msg in r.bad_units
           if any(u.id == unit.id for u in index.candidates(text))]
    if bad:
        raise InvalidInputError(bad[0])
    rows = [(day, place) for r in receipts for text, day, place in r.by_unit
            if any(u.id == unit.id for u in index.candidates(text))]
    if len({day for day, _ in rows}) > 1:
        raise InvalidInputError(
            f"收文登记表中{unit.name}有几个不同的收到日期（"
            + "、".join(f"{place}：{day}" for day, place in rows)
            + "），请在表中加一列“文件名”写明各是哪份")
    if rows:
        return rows[0][0], f"收文登记表 {rows[0][1]}"
    named = date_in_name(Path(form.file).name)
    if named is not None:
        return named, f"文件名“{Path(form.file).name}”"
    return default, None


class _DryRun(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def _would_write(db: Database, form: FormData, unit: Unit, received_on: dt.date) -> bool:
    """Whether saving this form would change the database: apply it and roll back.
    A form that would be refused raises its CdoError here, before any copy is taken."""
    from cdo.store.db import transaction

    try:
        with transaction(db):
            raise _DryRun(apply_form(db, form, unit, received_on))
    except _DryRun as done:
        return done.outcome.action != "unchanged"


def _person(fields: dict[str, str]) -> dict[str, Any]:
    return {k: (fields.get(k) or None) for k in PERSON_FIELDS}


def apply_form(db: Database, form: FormData, unit: Unit, received_on: dt.date) -> Outcome:
    """Save one form for `unit` (call inside a transaction).

    Same form again: nothing. Same person as the current CDO: their details are updated.
    Another person while the unit has a CDO: the old term ends on the new form's date."""
    digest = form.hash(unit.id)
    name = form.fields["name"]
    out = Outcome(form.file, form.sheet, "unchanged", unit.name, name, missing=form.missing)
    if db.execute("SELECT 1 FROM roster_forms WHERE hash = ?", [digest]).fetchone():
        return out
    form_date = form.form_date or received_on
    if form_date > received_on:
        raise InvalidInputError(
            f"推荐表上的日期 {form_date} 晚于收到日期 {received_on}，"
            "请核对表上日期或用 --received 指定收到日期"
        )
    now = timestamp()
    person = _person(form.fields)
    cur = current_cdo(db, unit.id)
    if cur is not None and _name_key(cur["name"]) == _name_key(name):
        newest = db.execute("SELECT max(form_date) FROM roster_forms WHERE cdo_id = ?",
                            [cur["id"]]).fetchone()[0]
        if newest and form_date.isoformat() < newest:
            raise InvalidInputError(
                f"{unit.name}已导入 {name} {newest} 的推荐表，"
                f"本表日期 {form_date} 更早，是旧表，未导入")
        before = {k: cur[k] for k in PERSON_FIELDS}
        db.execute(
            "UPDATE cdos SET " + ", ".join(f"{k} = ?" for k in PERSON_FIELDS)
            + ", form_hash = ?, source_file = ?, source_sheet = ?, updated_at = ? WHERE id = ?",
            [*person.values(), digest, _file_name(form), form.sheet, now, cur["id"]],
        )
        changed = {k: v for k, v in person.items() if before[k] != v}
        audit.record(db, "cdo", cur["id"], "update", {k: before[k] for k in changed}, changed,
                     unit_id=unit.id, reason=f"新推荐表：{form.place}")
        _remember(db, digest, cur["id"], unit.id, form, form_date, now)
        out.action = "updated"
        return out
    if cur is not None:
        cur_date = from_iso(cur["recommended_on"])
        if cur_date and form_date < cur_date:
            raise InvalidInputError(
                f"{unit.name}现任首席数据官{cur['name']}的推荐表日期为 {cur_date}，"
                f"本表（{name}）日期 {form_date} 更早，是旧表，未导入"
            )
        reason = f"更换首席数据官：新推荐 {name}"
        db.execute(
            "UPDATE cdos SET status = 'ended', ended_on = ?, end_reason = ?, updated_at = ?"
            " WHERE id = ?", [form_date.isoformat(), reason, now, cur["id"]])
        audit.record(db, "cdo", cur["id"], "end", {"status": cur["status"], "ended_on": None},
                     {"status": "ended", "ended_on": form_date.isoformat()},
                     unit_id=unit.id, reason=reason)
        out.previous = cur["name"]
    cols = [*PERSON_FIELDS, "unit_id", "status", "recommended_on", "received_on", "source_file",
            "source_sheet", "form_hash", "created_at", "updated_at"]
    values = [*person.values(), unit.id, "recommended", form_date.isoformat(),
              received_on.isoformat(), _file_name(form), form.sheet, digest, now, now]
    cid = int(db.execute(
        f"INSERT INTO cdos ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values
    ).lastrowid or 0)
    audit.record(db, "cdo", cid, "recommend", None,
                 {**person, "unit": unit.name, "recommended_on": form_date.isoformat(),
                  "received_on": received_on.isoformat()},
                 unit_id=unit.id, reason=f"推荐表：{form.place}")
    _remember(db, digest, cid, unit.id, form, form_date, now)
    out.action = "replaced" if cur is not None else "added"
    return out


def _file_name(form: FormData) -> str:
    """The form's file name only: a local path means nothing on another computer (and is
    not for the web view)."""
    return Path(form.file).name


def _remember(db: Database, digest: str, cdo_id: int, unit_id: int, form: FormData,
              form_date: dt.date, now: str) -> None:
    db.execute(
        "INSERT INTO roster_forms (hash, cdo_id, unit_id, source_file, source_sheet, form_date,"
        " imported_at) VALUES (?,?,?,?,?,?,?)",
        [digest, cdo_id, unit_id, _file_name(form), form.sheet, form_date.isoformat(), now])


# ----------------------------------------------------------------------------- lifecycle

_STEP = {
    "appoint": ("appointed", ("recommended",), "appointed_on", "任命"),
    "file": ("filed", ("appointed",), "filed_on", "备案"),
    "end": ("ended", ("recommended", "appointed", "filed"), "ended_on", "离任"),
}


def advance(db: Database, unit_text: str, step: str, on: dt.date,
            reason: str | None = None) -> dict:
    """Move the unit's current CDO one step: appoint, file or end; returns the new row.

    Raises NotFoundError (no current CDO) or StateError (wrong order, date before the
    previous step)."""
    from cdo.store.db import transaction

    new_status, allowed, date_col, verb = _STEP[step]
    unit = _unit(db, unit_text)
    with transaction(db):
        cur = current_cdo(db, unit.id)
        if cur is None:
            last = list(db.query(
                "SELECT name, ended_on FROM cdos WHERE unit_id = ? ORDER BY id DESC LIMIT 1",
                [unit.id]))
            extra = f"（上一任 {last[0]['name']} 已于 {last[0]['ended_on']} 离任）" if last else ""
            raise NotFoundError(f"{unit.name}没有现任首席数据官{extra}，请先导入推荐表")
        if cur["status"] not in allowed:
            hint = {
                "appoint": "已经任命过了",
                "file": "还没有任命，请先 cdo register appoint" if cur["status"] == "recommended"
                else "已经备案过了",
            }.get(step, "")
            raise StateError(
                f"{unit.name}首席数据官{cur['name']}当前状态为“{STATUS_NAMES[cur['status']]}”，"
                f"不能{verb}：{hint}".rstrip("：")
            )
        earlier = [(c, cur[c]) for c in ("recommended_on", "appointed_on", "filed_on") if cur[c]]
        for col, value in earlier:
            if on < dt.date.fromisoformat(value):
                what = {"recommended_on": "推荐", "appointed_on": "任命", "filed_on": "备案"}[col]
                raise StateError(f"{verb}日期 {on} 早于{what}日期 {value}，请核对")
        sets: dict[str, str | None] = {"status": new_status, date_col: on.isoformat(),
                                       "updated_at": timestamp()}
        if step == "end":
            sets["end_reason"] = reason
        db.execute(
            "UPDATE cdos SET " + ", ".join(f"{k} = ?" for k in sets) + " WHERE id = ?",
            [*sets.values(), cur["id"]])
        audit.record(db, "cdo", cur["id"], step,
                     {"status": cur["status"], date_col: cur[date_col]},
                     {"status": new_status, date_col: on.isoformat()},
                     unit_id=unit.id, reason=reason)
        row = next(db.query("SELECT * FROM cdos WHERE id = ?", [cur["id"]]))
    return {**row, "unit": unit.name}


# ----------------------------------------------------------------------------- specialists


def add_specialist(db: Database, unit_text: str, name: str, phone: str | None = None,
                   on: dt.date | None = None) -> Unit:
    """Register a data specialist (数据专员) for a unit; raises InvalidInputError if the
    unit already has a specialist of that name."""
    from cdo.sheets.forms import check_person_name, parse_phone
    from cdo.sheets.read import clean_text
    from cdo.store.db import transaction

    unit = _unit(db, unit_text)
    name = "".join(clean_text(name).split())
    if not name:
        raise InvalidInputError("数据专员姓名不能为空")
    check_person_name(name, "数据专员姓名")
    phone_clean = parse_phone(phone) or None if phone else None
    on = on or dt.date.today()
    with transaction(db):
        for r in db.query("SELECT name FROM specialists WHERE unit_id = ? AND removed_on IS NULL",
                          [unit.id]):
            if _name_key(r["name"]) == _name_key(name):
                raise InvalidInputError(f"{name} 已是{unit.name}的数据专员")
        sid = db.execute(
            "INSERT INTO specialists (unit_id, name, phone, added_on) VALUES (?,?,?,?)",
            [unit.id, name, phone_clean, on.isoformat()]).lastrowid
        audit.record(db, "specialist", sid, "add", None,
                     {"name": name, "phone": phone_clean, "added_on": on.isoformat()},
                     unit_id=unit.id)
    return unit


def remove_specialist(db: Database, unit_text: str, name: str,
                      on: dt.date | None = None) -> Unit:
    """End a data specialist's role (the record is kept); raises NotFoundError."""
    from cdo.store.db import transaction

    unit = _unit(db, unit_text)
    on = on or dt.date.today()
    with transaction(db):
        rows = [r for r in db.query(
            "SELECT * FROM specialists WHERE unit_id = ? AND removed_on IS NULL", [unit.id])
            if _name_key(r["name"]) == _name_key(name)]
        if not rows:
            raise NotFoundError(f"{unit.name}没有名为 {name.strip()} 的数据专员")
        r = rows[0]
        if on < dt.date.fromisoformat(r["added_on"]):
            raise InvalidInputError(f"移除日期 {on} 早于添加日期 {r['added_on']}")
        db.execute("UPDATE specialists SET removed_on = ? WHERE id = ?", [on.isoformat(), r["id"]])
        audit.record(db, "specialist", r["id"], "remove", {"removed_on": None},
                     {"removed_on": on.isoformat()}, unit_id=unit.id)
    return unit


def list_specialists(db: Database, unit_text: str | None = None) -> list[dict]:
    """Current data specialists (all units, or one)."""
    sql = ("SELECT u.name AS unit, s.name, s.phone, s.added_on FROM specialists s"
           " JOIN units u ON u.id = s.unit_id WHERE s.removed_on IS NULL")
    args: list[Any] = []
    if unit_text:
        sql += " AND s.unit_id = ?"
        args.append(_unit(db, unit_text).id)
    return list(db.query(sql + " ORDER BY u.name, s.id", args))


# ----------------------------------------------------------------------------- views

_CATEGORY_ORDER = "CASE u.category WHEN 'region' THEN 1 WHEN 'department' THEN 2 " \
                  "WHEN 'enterprise' THEN 3 ELSE 4 END"


def list_roster(db: Database) -> list[dict]:
    """One row per unit with its current CDO (PRODUCT.md keys); phone unmasked."""
    sql = f"""
        SELECT u.name AS unit, u.category, c.name, c.gender, c.ethnicity, c.birth_month,
               c.native_place, c.political_status, c.education, c.phone, c.position,
               c.status, c.recommended_on, c.appointed_on, c.filed_on,
               (SELECT count(*) FROM specialists s
                 WHERE s.unit_id = u.id AND s.removed_on IS NULL) AS specialists
        FROM units u
        LEFT JOIN cdos c ON c.unit_id = u.id AND c.status <> 'ended'
        ORDER BY {_CATEGORY_ORDER}, u.id
    """
    return list(db.query(sql))


def history(db: Database, unit_text: str) -> tuple[Unit, list[dict]]:
    """Every CDO term the unit has had, oldest first."""
    unit = _unit(db, unit_text)
    rows = list(db.query(
        "SELECT name, status, phone, position, recommended_on, received_on, appointed_on,"
        " filed_on, ended_on, end_reason, source_file, source_sheet FROM cdos"
        " WHERE unit_id = ? ORDER BY recommended_on, id", [unit.id]))
    for r in rows:
        r["unit"] = unit.name
    return unit, rows


SHOW_KEYS = (
    "unit", *PERSON_FIELDS, "status", "recommended_on", "received_on", "appointed_on",
    "filed_on", "source_file", "source_sheet", "specialists",
)


def show(db: Database, unit_text: str) -> dict:
    """The unit's current CDO as their form gave them (every field), with the lifecycle
    dates, the file it came from and the unit's current data specialists (SHOW_KEYS).
    Raises NotFoundError when the unit has no current CDO. Phones unmasked."""
    unit = _unit(db, unit_text)
    cur = current_cdo(db, unit.id)
    if cur is None:
        last = list(db.query(
            "SELECT name, ended_on FROM cdos WHERE unit_id = ? ORDER BY id DESC LIMIT 1",
            [unit.id]))
        extra = (f"（上一任 {last[0]['name']} 已于 {last[0]['ended_on']} 离任，"
                 f"可用 cdo register history {unit_text} 查看历任）") if last else ""
        raise NotFoundError(f"{unit.name}没有现任首席数据官{extra}")
    specialists = list(db.query(
        "SELECT name, phone, added_on FROM specialists WHERE unit_id = ? AND removed_on IS NULL"
        " ORDER BY id", [unit.id]))
    row = {k: cur.get(k) for k in SHOW_KEYS}
    row.update(unit=unit.name, specialists=specialists)
    return row


def missing(db: Database, as_of: dt.date, calendar=None) -> list[dict]:
    """Units with no CDO, no data specialist, or a late form, as known on `as_of`.

    Rows: unit, category, reason (no_form | no_form_after_change | late_form |
    no_specialist), due_on (date or None), late (bool), detail (Chinese)."""
    from cdo.store import calendar_store

    cal = calendar or calendar_store.load_calendar(db)
    day = as_of.isoformat()
    terms: dict[int, list[dict]] = {}
    for r in db.query(
        "SELECT unit_id, name, recommended_on, COALESCE(received_on, recommended_on) AS got,"
        " ended_on FROM cdos ORDER BY got, id"
    ):
        if r["got"] and r["got"] <= day:
            terms.setdefault(r["unit_id"], []).append(r)
    with_specialist = {r["unit_id"] for r in db.query(
        "SELECT DISTINCT unit_id FROM specialists WHERE added_on <= ?"
        " AND (removed_on IS NULL OR removed_on > ?)", [day, day])}
    rows: list[dict] = []
    units = db.query(
        f"SELECT u.id, u.name, u.category FROM units u ORDER BY {_CATEGORY_ORDER}, u.id")
    for u in units:
        ts = terms.get(u["id"], [])
        current = [t for t in ts if not t["ended_on"] or t["ended_on"] > day]
        base = {"unit": u["name"], "category": u["category"]}
        if not current:
            ended = [t for t in ts if t["ended_on"]]
            if ended:
                last = max(ended, key=lambda t: t["ended_on"])
                due = cal.add_month(dt.date.fromisoformat(last["ended_on"]))
                reason = "no_form_after_change"
                detail = f"{last['name']} 于 {last['ended_on']} 离任"
            else:
                due, reason, detail = FIRST_ROUND_DUE, "no_form", ""
            late = as_of > due
            state = f"已逾期 {(as_of - due).days} 天" if late else "未到期"
            rows.append({**base, "reason": reason, "due_on": due, "late": late,
                         "detail": "，".join(x for x in (detail, state) if x)})
        else:
            cur = current[-1]
            got = dt.date.fromisoformat(cur["got"])
            before = [t for t in ts
                      if t is not cur and t["ended_on"] and t["ended_on"] <= cur["got"]]
            if before:
                last = max(before, key=lambda t: t["ended_on"])
                due = cal.add_month(dt.date.fromisoformat(last["ended_on"]))
            else:
                due = FIRST_ROUND_DUE
            if got > due:
                rows.append({**base, "reason": "late_form", "due_on": due, "late": True,
                             "detail": f"{cur['name']} 的推荐表 {got} 收到，"
                                       f"晚了 {(got - due).days} 天"})
        if u["id"] not in with_specialist:
            rows.append({**base, "reason": "no_specialist", "due_on": None, "late": False,
                         "detail": "至少应有 1 名数据专员"})
    return rows


# ----------------------------------------------------------------------------- demo

# sample form -> the date the office received it (06 came late; 07 is a change in 2024)
_DEMO_RECEIVED = {
    "01-市大数据中心.xlsx": "2023-05-23",
    "02-通川区.xlsx": "2023-05-29",
    "03-市公安局.xlsx": "2023-05-26",
    "04-市教育局和市卫生健康委.xlsx": "2023-05-30",
    "05-达州发展集团.xlsx": "2023-05-19",
    "06-市中心医院.xlsx": "2023-06-14",
    "07-通川区-2024年变更.xlsx": "2024-03-06",
}


def load_demo(db: Database) -> str:
    """Demo step: the sample recommendation forms, appointments, filings, specialists."""
    from cdo.paths import data_dir

    folder = data_dir() / "samples" / "forms"
    done: list[Outcome] = []

    def load(name: str) -> None:
        rep = import_forms(db, [folder / name],
                           received_on=dt.date.fromisoformat(_DEMO_RECEIVED[name]))
        if rep.failed:
            raise CdoError("演示推荐表导入失败："
                           + "；".join(f"{f.place}：{f.reason}" for f in rep.failed))
        done.extend(rep.done)

    def steps(*items: tuple[str, str, str]) -> None:
        for unit, step, day in items:
            advance(db, unit, step, dt.date.fromisoformat(day))

    for name in list(_DEMO_RECEIVED)[:-1]:
        load(name)
    steps(
        ("达州市大数据中心", "appoint", "2023-06-20"), ("达州市大数据中心", "file", "2023-07-05"),
        ("通川区", "appoint", "2023-06-20"), ("通川区", "file", "2023-07-05"),
        ("达州市公安局", "appoint", "2023-06-20"), ("达州市公安局", "file", "2023-07-05"),
        ("达州市教育局", "appoint", "2023-06-20"), ("达州市教育局", "file", "2023-07-05"),
        ("达州市卫生健康委员会", "appoint", "2023-06-20"),
        ("达州发展集团", "appoint", "2023-06-20"), ("达州发展集团", "file", "2023-07-05"),
        ("达州市中心医院", "appoint", "2023-07-10"),
    )
    load("07-通川区-2024年变更.xlsx")  # a change of CDO: 李梅's term ends
    steps(("通川区", "appoint", "2024-03-20"))
    specialists = [
        ("达州市大数据中心", "钱文", "13908181001"), ("通川区", "周敏", "13908181002"),
        ("达州市公安局", "吴昊", "0818-2123457"), ("达州市教育局", "郑洁", "13908181004"),
        ("达州发展集团", "冯磊", "13908181006"),
    ]
    for unit, person, phone in specialists:
        add_specialist(db, unit, person, phone, dt.date(2023, 6, 1))
    changed = sum(1 for o in done if o.action == "replaced")
    return (f"名册：导入示例推荐表 {len(done)} 份（含 1 份逾期、{changed} 次更换首席数据官），"
            f"登记任命、备案和数据专员 {len(specialists)} 名")
