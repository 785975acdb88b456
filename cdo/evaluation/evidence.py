"""The evidence behind 附件2 (评价依据): the data resource catalogue (一本账), information
systems, the office's task lists, application projects and quality measurements, read
from the spreadsheets units send; census gaps; and the facts the evidence rules
(`cdo.evaluation.evidence_rules`) turn into suggested points.

Every importer works as the problem-list importer does, through the shared row loop
(`cdo.sheets.rows`): headers found by name anywhere near the top (notes in brackets
ignored), merged cells filled down, units matched by name or 简称 (`RowUnits`), all or
nothing, every bad row named. Each states only its fields, its row and its write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdo.dates import from_iso, timestamp
from cdo.errors import InvalidInputError, NotFoundError
from cdo.evaluation import evidence_rules as rules
from cdo.roster.units import RowUnits as _Units
from cdo.roster.units import UnitIndex
from cdo.sheets.rows import At, Found, collect_rows, first_row, read_rows
from cdo.sheets.rows import check_row as _check  # noqa: F401 (evidence_view imports these)
from cdo.sheets.rows import raise_row_errors as _raise  # noqa: F401
from cdo.sheets.rows import try_reason as _try
from cdo.sheets.text import cell_date, clean_text, normalize_label
from cdo.store import audit

if TYPE_CHECKING:
    from cdo.store.db import Database


UNIT_HEADERS = ["责任单位", "责任单位名称", "单位", "单位名称", "责任部门", "数源单位", "数源部门",
                "数据提供单位", "被评估单位", "考评对象", "unit"]
RESOURCE_HEADERS = ["数据资源名称", "资源名称", "信息资源名称", "数据目录名称", "目录名称",
                    "资源目录名称", "数据资源目录名称", "数据资源", "resource"]


# ----------------------------------------------------------------------------- reading

def parse_count(raw: Any, label: str) -> int | None:
    """A non-negative whole number (1,234 / 1234条 / 1234.0); None when blank."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        value = raw
    else:
        text = clean_text(raw).replace(",", "").replace("，", "")
        text = re.sub(r"\s*(条|个|项|行|万条)$", "", text) if not text.endswith("万条") else text
        if not text:
            return None
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*万条?", text)
        if m:
            value = Decimal(m.group(1)) * 10000
        else:
            try:
                value = Decimal(text)
            except Exception:
                raise InvalidInputError(f"{label}“{clean_text(raw)}”不是整数") from None
    value = Decimal(str(value))
    if not value.is_finite() or value != value.to_integral_value():
        raise InvalidInputError(f"{label}“{clean_text(raw)}”不是整数")
    if value < 0:
        raise InvalidInputError(f"{label}“{clean_text(raw)}”是负数")
    if value > 10**15:
        raise InvalidInputError(f"{label}“{clean_text(raw)}”过大")
    return int(value)


def parse_cell_date(raw: Any, label: str, place: str = "") -> dt.date | None:
    """A date cell, date text (2023-09-27, 2023/9/27, 2023年9月27日) or Excel serial number
    (45839); None when blank. `place` (工作表“…” D 列) is named when it is not a date."""
    d = cell_date(raw, label, place)
    if d is not None and not 2000 <= d.year <= 2100:
        at = f"（{place}）" if place else ""
        raise InvalidInputError(f"{label}“{clean_text(raw)}”年份不对{at}")
    return d


def _place(rec: Mapping[str, Any], key: str) -> str:
    """Where a record's cell is (工作表“…” D 列), when read_rows knows it."""
    place = getattr(rec, "place", None)
    return place(key) if place else ""


def _choice(raw: Any, options: Mapping[str, str], label: str, expected: str) -> str | None:
    text = clean_text(raw)
    if not text:
        return None
    key = normalize_label(text)
    if key in options:
        return options[key]
    raise InvalidInputError(f"{label}“{text}”不认识（应为 {expected}）")


def _options(pairs: Mapping[str, Iterable[str]]) -> dict[str, str]:
    return {normalize_label(a): code for code, aliases in pairs.items() for a in aliases}


YES_NO = _options({"1": ["是", "有", "已接入", "接入", "√", "✓", "y", "yes", "true"],
                   "0": ["否", "无", "未接入", "没有", "×", "✗", "n", "no", "false"]})


def _yes_no(raw: Any, label: str, expected: str = "是 或 否") -> bool | None:
    code = _choice(raw, YES_NO, label, expected)
    return None if code is None else code == "1"


def _unique_name(rec: Mapping[str, Any], at: At, reasons: list[str],
                 seen: dict[str, At], label: str, what: str) -> tuple[str, str]:
    """The row's name and its key; a blank name or one an earlier row has is a reason."""
    name = clean_text(rec.get("name"))
    if not name:
        reasons.append(f"{label}为空")
    key = normalize_label(name)
    if key and (first := first_row(seen, key, at)) is not None:
        reasons.append(f"{what}“{name}”与{first}重复")
    return name, key


def _backup(db: Database) -> None:
    """An automatic copy before a bulk import writes (none inside the demo's transaction)."""
    from cdo.store.backup import auto_backup

    auto_backup(db)


def _day(value: dt.date | None, what: str) -> dt.date:
    from cdo.dates import today

    day = value or today()
    if not 2000 <= day.year <= 2100:
        raise InvalidInputError(f"{what}年份不对：{day}")
    if day > today():
        raise InvalidInputError(f"{what} {day} 晚于今天，不能记录尚未发生的事")
    return day


# ----------------------------------------------------------------------------- catalogue

CATALOG_FIELDS = {
    "seq": ["序号", "编号"],
    "name": RESOURCE_HEADERS,
    "system": ["所属信息系统", "所属系统", "来源系统", "信息系统", "信息系统名称", "来源信息系统"],
    "fields": ["数据项数", "字段数", "数据项数字段数", "数据项数量", "信息项数", "字段数量"],
    "volume": ["数据量", "数据总量", "数据条数", "记录数", "数据记录数"],
    "frequency": ["更新频率", "更新周期", "更新频次"],
    "share": ["共享属性", "共享类型", "共享方式"],
    "open": ["开放属性", "开放类型", "开放方式"],
    "dictionary": ["数据字典", "有无数据字典", "是否有数据字典", "数据字典有无"],
    "grade": ["分级", "数据分级", "数据级别", "安全级别", "分级分类", "数据安全级别"],
}
SHARE = _options({"unconditional": ["无条件共享", "无条件"], "conditional": ["有条件共享", "有条件"],
                  "none": ["不予共享", "不共享", "不予"]})
OPEN = _options({"unconditional": ["无条件开放", "无条件"], "conditional": ["有条件开放", "有条件"],
                 "none": ["不予开放", "不开放", "不予"]})
GRADE = _options({"general": ["一般", "一般数据", "一般级"], "important": ["重要", "重要数据", "重要级"],
                  "core": ["核心", "核心数据", "核心级"]})


def read_catalog(db: Database, path: Path) -> Found[dict]:
    """Validate a catalogue file; raise RowErrors naming every bad row."""
    path = Path(path)
    seen: dict[str, At] = {}  # a bad first row still makes a later one a repeat

    def entry(rec: dict, at: At, reasons: list[str]) -> dict:
        name, key = _unique_name(rec, at, reasons, seen, "数据资源名称", "数据资源")
        return {
            "name": name, "name_key": key, "system": clean_text(rec.get("system")) or None,
            "fields": _try(reasons, parse_count, rec.get("fields"), "数据项数"),
            "volume": _try(reasons, parse_count, rec.get("volume"), "数据量"),
            "frequency": clean_text(rec.get("frequency")) or None,
            "share": _try(reasons, _choice, rec.get("share"), SHARE, "共享属性",
                          "无条件共享、有条件共享 或 不予共享"),
            "open": _try(reasons, _choice, rec.get("open"), OPEN, "开放属性",
                         "无条件开放、有条件开放 或 不予开放"),
            "dictionary": _try(reasons, _yes_no, rec.get("dictionary"), "数据字典", "有 或 无"),
            "grade": _try(reasons, _choice, rec.get("grade"), GRADE, "分级",
                          "一般、重要 或 核心"),
            "row": at.row,
        }

    return collect_rows(path, read_rows(path, CATALOG_FIELDS, ["name"], "数据资源目录清单"),
                        entry, "目录清单", "数据资源")


def import_catalog(db: Database, path: Path, unit_text: str,
                   received: dt.date | None = None) -> dict:
    """A unit's catalogue as a new version (the latest received is current); all or nothing.

    Returns {unit, version, received_on, entries, previous}."""
    from cdo.store.db import transaction

    unit = UnitIndex.load(db).resolve(unit_text)
    day = _day(received, "收到日期")
    entries = read_catalog(db, path)
    rows = [(e["name"], e["system"], e["fields"], e["volume"], e["frequency"], e["share"],
             e["open"], None if e["dictionary"] is None else int(e["dictionary"]), e["grade"])
            for e in entries]

    def same() -> int | None:
        return _same_list(db, "catalog_versions", "catalog_entries", "version_id",
                          "name, system, fields, volume, frequency, share, open, dictionary,"
                          " grade", unit.id, day, rows)

    if not same():  # nothing to write: no backup either
        _backup(db)
    with transaction(db):  # asked again under the lock: a colleague may have just saved it
        previous = db.execute("SELECT COUNT(*) FROM catalog_versions WHERE unit_id = ?",
                              [unit.id]).fetchone()[0]
        if version := same():
            return {"unit": unit.name, "version": version, "received_on": day.isoformat(),
                    "entries": len(entries), "previous": previous, "unchanged": True,
                    "hidden_sheets": entries.hidden}
        vid = db.execute(
            "INSERT INTO catalog_versions (unit_id, received_on, source_file, entries, created_at)"
            " VALUES (?,?,?,?,?)",
            [unit.id, day.isoformat(), Path(path).name, len(entries), timestamp()]).lastrowid
        db.conn.executemany(
            "INSERT INTO catalog_entries (version_id, name, name_key, system, fields, volume,"
            " frequency, share, open, dictionary, grade, row) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(vid, e["name"], e["name_key"], e["system"], e["fields"], e["volume"],
              e["frequency"], e["share"], e["open"],
              None if e["dictionary"] is None else int(e["dictionary"]), e["grade"], e["row"])
             for e in entries])
        audit.record(db, "catalog", vid, "import", None,
                     {"received_on": day.isoformat(), "entries": len(entries),
                      "source_file": Path(path).name}, unit_id=unit.id)
    return {"unit": unit.name, "version": previous + 1, "received_on": day.isoformat(),
            "entries": len(entries), "previous": previous, "hidden_sheets": entries.hidden}


def _same_list(db: Database, lists: str, items: str, link: str, columns: str, unit_id: int,
               day: dt.date, rows: list[tuple]) -> int | None:
    """The number (in the unit's order of receipt) of a list of the unit received on `day`
    holding exactly `rows`: the same file imported again (by a colleague at the same time,
    or twice) is not a new version."""
    found = db.execute(f"SELECT id FROM {lists} WHERE unit_id = ? AND received_on = ?",
                       [unit_id, day.isoformat()]).fetchall()
    for (list_id,) in found:
        held = db.execute(f"SELECT {columns} FROM {items} WHERE {link} = ? ORDER BY id",
                          [list_id]).fetchall()
        if held == rows:
            return db.execute(
                f"SELECT COUNT(*) FROM {lists} WHERE unit_id = ? AND (received_on, id) <="
                f" (SELECT received_on, id FROM {lists} WHERE id = ?)", [unit_id, list_id]
            ).fetchone()[0]
    return None


def catalog_versions(db: Database, unit_text: str | None = None) -> list[dict]:
    """Every catalogue version, newest first per unit; keys unit, version, received_on,
    entries, current, source_file."""
    sql = ("SELECT v.id, u.name, v.unit_id, v.received_on, v.entries, v.source_file"
           " FROM catalog_versions v JOIN units u ON u.id = v.unit_id")
    params: list[Any] = []
    if unit_text:
        sql += " WHERE v.unit_id = ?"
        params.append(UnitIndex.load(db).resolve(unit_text).id)
    rows = db.execute(sql + " ORDER BY v.unit_id, v.received_on, v.id", params).fetchall()
    out: list[dict] = []
    n: dict[int, int] = {}
    for vid, name, uid, received, entries, src in rows:
        n[uid] = n.get(uid, 0) + 1
        out.append({"unit": name, "version": n[uid], "id": vid, "received_on": received,
                    "entries": entries, "source_file": src, "unit_id": uid})
    last = {r["unit_id"]: r["id"] for r in out}
    for r in out:
        r["current"] = last[r["unit_id"]] == r["id"]
    return out


def catalog_entries(db: Database, unit_text: str, version: int | None = None) -> list[dict]:
    """The entries of a unit's current (or numbered) catalogue version."""
    versions = catalog_versions(db, unit_text)
    unit = UnitIndex.load(db).resolve(unit_text)
    if not versions:
        raise NotFoundError(f"{unit.name} 还没有导入数据资源目录清单"
                            "（cdo evidence catalog import 文件 --unit 单位）")
    if version is None:
        v = versions[-1]
    else:
        match = [r for r in versions if r["version"] == version]
        if not match:
            raise NotFoundError(f"{unit.name} 没有第 {version} 版目录清单（共 {len(versions)} 版）")
        v = match[0]
    return [
        {"version": v["version"], "name": n, "system": s, "fields": f, "volume": vol,
         "frequency": fr, "share": rules.SHARE_NAMES.get(sh), "open": rules.OPEN_NAMES.get(op),
         "dictionary": None if d is None else ("有" if d else "无"),
         "grade": rules.GRADE_NAMES.get(g)}
        for n, s, f, vol, fr, sh, op, d, g in db.execute(
            "SELECT name, system, fields, volume, frequency, share, open, dictionary, grade"
            " FROM catalog_entries WHERE version_id = ? ORDER BY id", [v["id"]])
    ]


# ----------------------------------------------------------------------------- systems

SYSTEM_FIELDS = {
    "seq": ["序号", "编号"],
    "name": ["系统名称", "信息系统名称", "业务系统名称", "信息系统", "系统"],
    "kind": ["建设类型", "系统类型", "类型", "建设方式", "自建条线"],
    "connected": ["是否接入", "是否已接入", "接入情况", "是否接入平台", "接入状态"],
    "connected_on": ["接入日期", "接入时间"],
}
KIND = _options({"self": ["自建", "本级自建", "部门自建", "自建系统"],
                 "line": ["条线", "上级条线", "条线系统", "垂直", "垂管", "国省条线", "省级条线"]})


def read_systems(db: Database, path: Path) -> Found[dict]:
    path = Path(path)
    seen: dict[str, At] = {}

    def system(rec: dict, at: At, reasons: list[str]) -> dict:
        name, _ = _unique_name(rec, at, reasons, seen, "系统名称", "系统")
        kind = _try(reasons, _choice, rec.get("kind"), KIND, "建设类型", "自建 或 条线")
        if kind is None and not clean_text(rec.get("kind")):
            reasons.append("建设类型为空（应为 自建 或 条线）")
        connected = _try(reasons, _yes_no, rec.get("connected"), "是否接入")
        on = _try(reasons, parse_cell_date, rec.get("connected_on"), "接入日期",
                  _place(rec, "connected_on"))
        if on is not None and connected is False:
            reasons.append("是否接入为“否”却填了接入日期")
        if on is not None and connected is None:
            connected = True
        return {"name": name, "kind": kind, "connected": bool(connected), "connected_on": on,
                "row": at.row}

    return collect_rows(path, read_rows(path, SYSTEM_FIELDS, ["name", "kind"], "信息系统清单"),
                        system, "系统清单", "信息系统")


def import_systems(db: Database, path: Path, unit_text: str,
                   received: dt.date | None = None) -> dict:
    """A unit's systems list as its new current list; all or nothing."""
    from cdo.store.db import transaction

    unit = UnitIndex.load(db).resolve(unit_text)
    day = _day(received, "收到日期")
    systems = read_systems(db, path)
    own = [s for s in systems if s["kind"] == "self"]
    result = {"unit": unit.name, "received_on": day.isoformat(), "systems": len(systems),
              "self": len(own), "connected": sum(1 for s in own if s["connected"]),
              "hidden_sheets": systems.hidden}
    rows = [(s["name"], s["kind"], int(s["connected"]),
             s["connected_on"].isoformat() if s["connected_on"] else None) for s in systems]

    def same() -> int | None:
        return _same_list(db, "system_lists", "systems", "list_id",
                          "name, kind, connected, connected_on", unit.id, day, rows)

    if not same():  # nothing to write: no backup either
        _backup(db)
    with transaction(db):  # asked again under the lock: a colleague may have just saved it
        if same():
            return {**result, "unchanged": True}
        lid = db.execute(
            "INSERT INTO system_lists (unit_id, received_on, source_file, created_at)"
            " VALUES (?,?,?,?)", [unit.id, day.isoformat(), Path(path).name, timestamp()]
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO systems (list_id, name, kind, connected, connected_on, row)"
            " VALUES (?,?,?,?,?,?)",
            [(lid, s["name"], s["kind"], int(s["connected"]),
              s["connected_on"].isoformat() if s["connected_on"] else None, s["row"])
             for s in systems])
        audit.record(db, "system_list", lid, "import", None,
                     {"received_on": day.isoformat(), "systems": len(systems),
                      "source_file": Path(path).name}, unit_id=unit.id)
    return result


def system_rows(db: Database, unit_text: str | None = None) -> list[dict]:
    """The systems on each unit's current list."""
    sql = ("SELECT u.name, l.received_on, s.name, s.kind, s.connected, s.connected_on"
           " FROM systems s JOIN system_lists l ON l.id = s.list_id JOIN units u ON u.id = l.unit_id"
           " WHERE l.id = (SELECT id FROM system_lists l2 WHERE l2.unit_id = l.unit_id"
           " ORDER BY received_on DESC, id DESC LIMIT 1)")
    params: list[Any] = []
    if unit_text:
        sql += " AND l.unit_id = ?"
        params.append(UnitIndex.load(db).resolve(unit_text).id)
    return [{"unit": u, "received_on": r, "system": n, "kind": rules.KIND_NAMES[k],
             "connected": bool(c), "connected_on": on}
            for u, r, n, k, c, on in db.execute(sql + " ORDER BY l.unit_id, s.id", params)]


# ----------------------------------------------------------------------------- tasks

TASK_FIELDS = {
    "seq": ["序号", "编号", "任务编号"],
    "unit": UNIT_HEADERS,
    "content": ["任务内容", "任务名称", "清单内容", "任务", "数据需求", "共享数据", "回流数据",
                "开放数据", "数据资源名称", "资源名称", "事项"],
    "due": ["完成时限", "完成期限", "截止日期", "截止时间", "时限要求", "计划完成时间", "计划完成日期"],
    "done": ["完成日期", "实际完成日期", "完成时间", "实际完成时间"],
}
LISTS = {"share": "share", "return": "return", "open-plan": "open-plan", "openplan": "open-plan",
         "共享": "share", "共享责任清单": "share", "回流": "return", "回流任务清单": "return",
         "开放计划": "open-plan", "年度数据开放计划": "open-plan"}


def parse_list(text: str) -> str:
    code = LISTS.get(text.strip().lower())
    if code is None:
        raise InvalidInputError(f"清单种类不对：{text!r}，应为 share（共享责任清单）、"
                                "return（回流任务清单）或 open-plan（年度数据开放计划）")
    return code


def import_tasks(db: Database, path: Path, list_kind: str) -> dict:
    """The office's master list of one kind: new tasks added, known ones (same unit and
    content) updated with their due date and 完成日期; all or nothing.

    Returns {list, added, updated, unchanged, done}."""
    from cdo.store.db import transaction

    kind = parse_list(list_kind)
    path = Path(path)
    units = _Units(db)
    seen: dict[tuple[int, str], At] = {}

    def task(rec: dict, at: At, reasons: list[str]) -> dict:
        unit = _try(reasons, units.resolve, clean_text(rec.get("unit")))
        content = clean_text(rec.get("content"))
        if not content:
            reasons.append("任务内容为空")
        due = _try(reasons, parse_cell_date, rec.get("due"), "完成时限",
                   _place(rec, "due"))
        if due is None and not clean_text(rec.get("due")) and not isinstance(
                rec.get("due"), dt.date):
            reasons.append("完成时限为空")
        done = _try(reasons, parse_cell_date, rec.get("done"), "完成日期",
                    _place(rec, "done"))
        key = (unit.id if unit else 0, normalize_label(content))
        if unit and content and (first := first_row(seen, key, at)) is not None:
            reasons.append(f"与{first}是同一任务")
        return {"key": key, "unit": unit, "content": content, "due": due, "done": done,
                "row": at.row}

    tasks = collect_rows(path, read_rows(path, TASK_FIELDS, ["unit", "content", "due"], "任务清单"),
                         task, "任务清单", "任务")
    added = updated = unchanged = 0
    _backup(db)
    with transaction(db):
        existing = {(u, k): (i, due, done) for i, u, k, due, done in db.execute(
            "SELECT id, unit_id, content_key, due_on, done_on FROM evidence_tasks WHERE list = ?",
            [kind])}
        now = timestamp()
        log = []
        for t in tasks:
            uid, ckey = t["key"]
            due, done = t["due"].isoformat(), t["done"].isoformat() if t["done"] else None
            old = existing.get((uid, ckey))
            if old is None:
                tid = db.execute(
                    "INSERT INTO evidence_tasks (list, unit_id, content, content_key, due_on,"
                    " done_on, source_file, created_at) VALUES (?,?,?,?,?,?,?,?)",
                    [kind, uid, t["content"], ckey, due, done, path.name, now]).lastrowid
                added += 1
                log.append({"entity": "task", "entity_id": tid, "action": "import",
                            "after": {"list": kind, "content": t["content"], "due_on": due,
                                      "done_on": done}, "unit_id": uid})
                continue
            tid, old_due, old_done = old
            new_done = done or old_done  # a blank 完成日期 does not undo a recorded one
            if (old_due, old_done) == (due, new_done):
                unchanged += 1
                continue
            db.execute("UPDATE evidence_tasks SET due_on = ?, done_on = ? WHERE id = ?",
                       [due, new_done, tid])
            updated += 1
            log.append({"entity": "task", "entity_id": tid, "action": "change",
                        "before": {"due_on": old_due, "done_on": old_done},
                        "after": {"due_on": due, "done_on": new_done}, "unit_id": uid})
        audit.record_many(db, log)
    done_n = sum(1 for t in tasks if t["done"])
    return {"list": kind, "added": added, "updated": updated, "unchanged": unchanged,
            "done": done_n, "hidden_sheets": tasks.hidden}


def complete_tasks(db: Database, ids: Sequence[int], on: dt.date) -> int:
    """Record tasks as done on `on`; refuses unknown ids and tasks done on another day."""
    from cdo.store.db import transaction

    if not ids:
        raise InvalidInputError("请给出任务编号（cdo evidence tasks list 查看）")
    on = _day(on, "完成日期")
    with transaction(db):
        rows = {i: (u, d) for i, u, d in db.execute(
            f"SELECT id, unit_id, done_on FROM evidence_tasks WHERE id IN "
            f"({','.join('?' * len(ids))})", list(ids))}
        missing = [str(i) for i in ids if i not in rows]
        if missing:
            raise NotFoundError(f"没有这些任务：#{'、#'.join(missing)}（cdo evidence tasks list 查看）")
        other = [f"#{i}（{rows[i][1]}）" for i in ids if rows[i][1] and rows[i][1] != on.isoformat()]
        if other:
            raise InvalidInputError(f"任务 {'、'.join(other)} 已记录为在另一天完成，未改动")
        todo = [i for i in dict.fromkeys(ids) if rows[i][1] is None]
        db.conn.executemany("UPDATE evidence_tasks SET done_on = ? WHERE id = ?",
                            [(on.isoformat(), i) for i in todo])
        audit.record_many(db, [{"entity": "task", "entity_id": i, "action": "complete",
                                "before": {"done_on": None}, "after": {"done_on": on.isoformat()},
                                "unit_id": rows[i][0]} for i in todo])
    return len(todo)


def task_rows(db: Database, list_kind: str | None = None, unit_text: str | None = None,
              year: int | None = None, as_of: dt.date | None = None) -> list[dict]:
    """Tasks with their state (按期完成 / 逾期完成 / 未完成 / 未到期) as of `as_of`."""
    from cdo.dates import today

    day = as_of or today()
    sql = ("SELECT t.id, t.list, u.name, t.content, t.due_on, t.done_on FROM evidence_tasks t"
           " JOIN units u ON u.id = t.unit_id WHERE 1")
    params: list[Any] = []
    if list_kind:
        sql += " AND t.list = ?"
        params.append(parse_list(list_kind))
    if unit_text:
        sql += " AND t.unit_id = ?"
        params.append(UnitIndex.load(db).resolve(unit_text).id)
    if year:
        sql += " AND t.due_on BETWEEN ? AND ?"
        params += [f"{year:04d}-01-01", f"{year:04d}-12-31"]
    out = []
    for tid, kind, unit, content, due, done in db.execute(sql + " ORDER BY t.due_on, t.id", params):
        d_due, d_done = dt.date.fromisoformat(due), from_iso(done)
        if d_done and d_done <= day:
            state = "按期完成" if d_done <= d_due else "逾期完成"
        else:
            state = "逾期未完成" if day > d_due else "未到期"
        out.append({"id": tid, "list": kind, "unit": unit, "content": content, "due_on": due,
                    "done_on": done, "state": state})
    return out


# ----------------------------------------------------------------------------- projects

PROJECT_FIELDS = {
    "seq": ["序号", "编号"],
    "unit": UNIT_HEADERS,
    "name": ["项目名称", "应用名称", "场景名称", "应用场景名称", "项目"],
    "kind": ["类型", "项目类型", "类别", "项目类别"],
    "stage": ["阶段", "项目阶段", "进展", "建设阶段", "当前阶段", "进展情况"],
    "approved_on": ["立项日期", "立项时间"],
    "online_on": ["上线日期", "上线时间", "上线运行日期"],
    "typical": ["典型应用示范", "是否典型应用示范", "典型示范", "是否典型"],
    "note": ["备注", "说明"],
}
PROJECT_KIND = _options({
    "application": ["应用示范", "应用示范项目", "应用场景", "示范项目", "应用"],
    "operation": ["授权运营", "公共数据授权运营", "数据授权运营"],
    "trading": ["数据交易", "交易"],
    "exploration": ["确权", "数据确权", "探索", "研究探索", "特色数据应用研究", "其他探索", "数据治理"],
})
STAGE = _options({"approved": ["立项", "已立项"],
                  "building": ["建设", "在建", "建设中", "开发中", "试运行"],
                  "running": ["上线运行", "上线", "运行", "已上线", "已上线运行", "建成运行"]})
_KIND_EXPECTED = "应用示范、授权运营、数据交易 或 确权等探索"
_STAGE_EXPECTED = "立项、建设 或 上线运行"


def _project(rec: Mapping[str, Any], reasons: list[str], units: _Units) -> dict | None:
    unit = _try(reasons, units.resolve, clean_text(rec.get("unit")), "单位")
    name = clean_text(rec.get("name"))
    if not name:
        reasons.append("项目名称为空")
    kind = _try(reasons, _choice, rec.get("kind"), PROJECT_KIND, "类型", _KIND_EXPECTED)
    if kind is None and not clean_text(rec.get("kind")):
        reasons.append(f"类型为空（应为 {_KIND_EXPECTED}）")
    stage = _try(reasons, _choice, rec.get("stage"), STAGE, "阶段", _STAGE_EXPECTED)
    approved = _try(reasons, parse_cell_date, rec.get("approved_on"), "立项日期",
                    _place(rec, "approved_on"))
    online = _try(reasons, parse_cell_date, rec.get("online_on"), "上线日期",
                  _place(rec, "online_on"))
    if stage is None and not clean_text(rec.get("stage")):
        if online is not None:
            stage = "running"
        else:
            reasons.append(f"阶段为空（应为 {_STAGE_EXPECTED}）")
    if online is not None and stage in ("approved", "building"):
        reasons.append(f"填了上线日期，阶段却是“{clean_text(rec.get('stage'))}”")
    if approved and online and online < approved:
        reasons.append("上线日期早于立项日期")
    typical = _try(reasons, _yes_no, rec.get("typical"), "典型应用示范")
    if reasons:
        return None
    return {"unit": unit, "name": name, "kind": kind, "stage": stage, "approved_on": approved,
            "online_on": online, "typical": None if typical is None else bool(typical),
            "note": clean_text(rec.get("note")) or None}


_KEPT_IF_BLANK = ("approved_on", "online_on", "typical", "note")


def _save_projects(db: Database, projects: Sequence[dict], source: str) -> tuple[int, int, int]:
    existing = {(u, k): (i, kd, s, a, o, t, n) for i, u, k, kd, s, a, o, t, n in db.execute(
        "SELECT id, unit_id, name_key, kind, stage, approved_on, online_on, typical, note"
        " FROM projects")}
    added = updated = unchanged = 0
    now = timestamp()
    log = []
    for p in projects:
        key = (p["unit"].id, normalize_label(p["name"]))
        vals = {"kind": p["kind"], "stage": p["stage"],
                "approved_on": p["approved_on"].isoformat() if p["approved_on"] else None,
                "online_on": p["online_on"].isoformat() if p["online_on"] else None,
                "typical": None if p["typical"] is None else int(p["typical"]),
                "note": p["note"]}
        old = existing.get(key)
        if old is not None:  # what is left blank keeps what was recorded …
            stored = dict(zip(vals, old[1:], strict=True))
            vals = {k: stored[k] if v is None and k in _KEPT_IF_BLANK else v
                    for k, v in vals.items()}
            if vals["stage"] != "running" and p["online_on"] is None:
                vals["online_on"] = None  # … but a project not running has no 上线日期
        vals["typical"] = vals["typical"] or 0
        if old is None:
            pid = db.execute(
                "INSERT INTO projects (unit_id, name, name_key, kind, stage, approved_on,"
                " online_on, typical, note, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [p["unit"].id, p["name"], key[1], *vals.values(), now, now],
            ).lastrowid
            existing[key] = (pid, *vals.values())
            added += 1
            log.append({"entity": "project", "entity_id": pid, "action": source,
                        "after": {"name": p["name"], **vals}, "unit_id": p["unit"].id})
            continue
        pid, *before = old
        if tuple(before) == tuple(vals.values()):
            unchanged += 1
            continue
        db.execute("UPDATE projects SET kind = ?, stage = ?, approved_on = ?, online_on = ?,"
                   " typical = ?, note = ?, updated_at = ? WHERE id = ?",
                   [*vals.values(), now, pid])
        existing[key] = (pid, *vals.values())
        updated += 1
        log.append({"entity": "project", "entity_id": pid, "action": "change",
                    "before": dict(zip(vals, before, strict=True)),
                    "after": vals, "unit_id": p["unit"].id})
    audit.record_many(db, log)
    return added, updated, unchanged


def add_project(db: Database, *, unit: str, name: str, kind: str, stage: str | None,
                approved_on: str | None = None, online_on: str | None = None,
                typical: bool | None = None, note: str | None = None) -> dict:
    """Add one project (or update the unit's project of that name: what is not given
    keeps what was recorded)."""
    from cdo.store.db import transaction

    reasons: list[str] = []
    p = _project({"unit": unit, "name": name, "kind": kind, "stage": stage,
                  "approved_on": approved_on, "online_on": online_on,
                  "typical": None if typical is None else "是" if typical else "否",
                  "note": note}, reasons, _Units(db))
    if p is None:
        raise InvalidInputError("；".join(reasons))
    with transaction(db):
        added, updated, _ = _save_projects(db, [p], "add")
    return {"unit": p["unit"].name, "name": p["name"], "added": added, "updated": updated}


def import_projects(db: Database, path: Path) -> dict:
    """Projects from a sheet (单位, 项目名称, 类型, 阶段, 立项日期, 上线日期, 典型应用示范)."""
    from cdo.store.db import transaction

    path = Path(path)
    units = _Units(db)
    seen: dict[tuple[int, str], At] = {}  # good rows only: a bad one is not the project

    def project(rec: dict, at: At, reasons: list[str]) -> dict | None:
        p = _project(rec, reasons, units)
        if p is not None:
            first = first_row(seen, (p["unit"].id, normalize_label(p["name"])), at)
            if first is not None:
                reasons.append(f"与{first}是同一项目")
            p["row"] = at.row
        return p

    projects = collect_rows(
        path, read_rows(path, PROJECT_FIELDS, ["unit", "name", "kind"], "应用项目清单"),
        project, "项目清单", "项目")
    _backup(db)
    with transaction(db):
        added, updated, unchanged = _save_projects(db, projects, "import")
    return {"added": added, "updated": updated, "unchanged": unchanged,
            "hidden_sheets": projects.hidden}


def project_rows(db: Database, unit_text: str | None = None) -> list[dict]:
    sql = ("SELECT p.id, u.name, p.name, p.kind, p.stage, p.approved_on, p.online_on, p.typical"
           " FROM projects p JOIN units u ON u.id = p.unit_id")
    params: list[Any] = []
    if unit_text:
        sql += " WHERE p.unit_id = ?"
        params.append(UnitIndex.load(db).resolve(unit_text).id)
    return [{"id": i, "unit": u, "name": n, "kind": rules.PROJECT_KIND_NAMES[k],
             "stage": rules.STAGE_NAMES[s], "approved_on": a, "online_on": o, "typical": bool(t)}
            for i, u, n, k, s, a, o, t in db.execute(sql + " ORDER BY p.unit_id, p.id", params)]


# ----------------------------------------------------------------------------- quality

QUALITY_FIELDS = {
    "seq": ["序号", "编号"],
    "unit": UNIT_HEADERS,
    "resource": RESOURCE_HEADERS,
    "checked": ["抽查记录数", "抽查数据量", "抽查条数", "检查记录数", "抽查单元格数", "检查数据量",
                "抽查数", "抽查记录"],
    "nulls": ["空值数", "空值条数", "空值数量", "空值记录数", "空值"],
    "wrong": ["错值数", "错值条数", "错值数量", "错误值数", "错误数", "错值"],
}


def import_quality(db: Database, path: Path, month: str, replace: bool = False) -> dict:
    """One spot-check's measurements per unit (and resource); all or nothing. A month
    already imported is refused unless `replace`."""
    from cdo.dates import parse_month
    from cdo.store.db import transaction

    month = parse_month(month, "--month 月份")
    path = Path(path)
    units = _Units(db)
    seen: dict[tuple[int, str], At] = {}

    def check(rec: dict, at: At, reasons: list[str]) -> dict:
        unit = _try(reasons, units.resolve, clean_text(rec.get("unit")))
        resource = clean_text(rec.get("resource")) or None
        nums: dict[str, Any] = {}
        for k, label in (("checked", "抽查记录数"), ("nulls", "空值数"), ("wrong", "错值数")):
            nums[k] = _try(reasons, parse_count, rec.get(k), label)
            if nums[k] is None and not any(label in r for r in reasons):
                reasons.append(f"{label}为空")
        if nums["checked"] == 0:
            reasons.append("抽查记录数为 0")
        for k, label in (("nulls", "空值数"), ("wrong", "错值数")):
            if nums["checked"] and nums[k] is not None and nums[k] > nums["checked"]:
                reasons.append(f"{label} {nums[k]} 大于抽查记录数 {nums['checked']}")
        key = (unit.id if unit else 0, normalize_label(resource))
        if unit and (first := first_row(seen, key, at)) is not None:
            reasons.append(f"与{first}重复（同一单位、同一数据资源）")
        return {"unit": unit, "resource": resource, **nums, "row": at.row}

    found = collect_rows(
        path, read_rows(path, QUALITY_FIELDS, ["unit", "checked", "nulls", "wrong"], "抽查结果"),
        check, "抽查结果", "数据")
    _refuse_month(db, month, replace)
    _backup(db)
    with transaction(db):
        old = _refuse_month(db, month, replace)  # again: another clerk may have imported it
        if old:
            db.execute("DELETE FROM quality_checks WHERE month = ?", [month])
        now = timestamp()
        db.conn.executemany(
            "INSERT INTO quality_checks (month, unit_id, resource, checked, nulls, wrong,"
            " source_file, created_at) VALUES (?,?,?,?,?,?,?,?)",
            [(month, r["unit"].id, r["resource"], r["checked"], r["nulls"], r["wrong"],
              path.name, now) for r in found])
        audit.record(db, "quality", month, "change" if old else "import",
                     {"rows": old} if old else None,
                     {"rows": len(found), "source_file": path.name})
    return {"month": month, "rows": len(found),
            "units": len({r["unit"].id for r in found}), "replaced": old,
            "hidden_sheets": found.hidden}


def _refuse_month(db: Database, month: str, replace: bool) -> int:
    old = db.execute("SELECT COUNT(*) FROM quality_checks WHERE month = ?", [month]).fetchone()[0]
    if old and not replace:
        raise InvalidInputError(f"{month} 的抽查结果已导入（{old} 行），如需替换请加 --replace")
    return old


def _checks_by_unit(db: Database, year: int, as_of: dt.date,
                    unit_ids: Iterable[int] | None = None) -> dict[int, list[rules.Check]]:
    last = min(f"{year:04d}-12", as_of.strftime("%Y-%m"))
    out: dict[int, list[rules.Check]] = {}
    wanted = set(unit_ids) if unit_ids is not None else None
    for uid, month, checked, nulls, wrong in db.execute(
        "SELECT unit_id, month, SUM(checked), SUM(nulls), SUM(wrong) FROM quality_checks"
        " WHERE month BETWEEN ? AND ? GROUP BY unit_id, month ORDER BY unit_id, month",
        [f"{year:04d}-01", last],
    ):
        if wanted is None or uid in wanted:
            out.setdefault(uid, []).append(rules.Check(month, checked, nulls, wrong))
    return out


def quality_rows(db: Database, year: int, unit_text: str | None = None) -> list[dict]:
    """Null and error rate per unit per check month of the year, with the change since the
    unit's previous check (trend)."""
    check_year(year)
    index = UnitIndex.load(db)
    ids = [index.resolve(unit_text).id] if unit_text else None
    out = []
    for uid, checks in _checks_by_unit(db, year, dt.date(year, 12, 31), ids).items():
        prev = None
        for c in checks:
            trend = ""
            if prev is not None:
                trend = "、".join(
                    f"{what}{'下降' if now < then else '上升' if now > then else '持平'}"
                    for what, now, then in (("空值率", c.null_rate, prev.null_rate),
                                            ("错值率", c.error_rate, prev.error_rate)))
            out.append({"unit": index.by_id[uid].name, "month": c.month, "checked": c.checked,
                        "nulls": c.nulls, "wrong": c.wrong,
                        "null_rate": round(c.null_rate, 4), "error_rate": round(c.error_rate, 4),
                        "trend": trend})
            prev = c
    return out


# ----------------------------------------------------------------------------- facts

def check_year(year: int) -> int:
    """The year as `score` checks it (2000—2100)."""
    if not 2000 <= year <= 2100:
        raise InvalidInputError(f"年度不对：{year}，年度应在 2000—2100 年之间，如 2023")
    return year


def _current_catalogs(db: Database, as_of: dt.date) -> dict[int, rules.Catalog]:
    day = as_of.isoformat()
    out: dict[int, rules.Catalog] = {}
    counts: dict[int, int] = {}
    for vid, uid, received in db.execute(
        "SELECT id, unit_id, received_on FROM catalog_versions WHERE received_on <= ?"
        " ORDER BY unit_id, received_on, id", [day]):
        counts[uid] = counts.get(uid, 0) + 1
        out[uid] = rules.Catalog(vid, from_iso(received), [], counts[uid])  # type: ignore[arg-type]
    by_version = {c.version: c for c in out.values()}
    if by_version:
        for vid, name, key, share, open_, dic, grade, freq in db.execute(
            "SELECT version_id, name, name_key, share, open, dictionary, grade, frequency"
            " FROM catalog_entries WHERE version_id IN (SELECT value FROM json_each(?))",
            [_json_ids(by_version)]):
            by_version[vid].entries.append(rules.Entry(
                name, key, share, open_, None if dic is None else bool(dic), grade, freq))
    return out


def _json_ids(ids: Iterable[int]) -> str:
    import json

    return json.dumps(list(ids))


def _current_systems(db: Database, as_of: dt.date) -> dict[int, rules.SystemList]:
    out: dict[int, rules.SystemList] = {}
    ids: dict[int, int] = {}
    for lid, uid, received in db.execute(
        "SELECT id, unit_id, received_on FROM system_lists WHERE received_on <= ?"
        " ORDER BY unit_id, received_on, id", [as_of.isoformat()]):
        out[uid] = rules.SystemList(from_iso(received))  # type: ignore[arg-type]
        ids[uid] = lid
    by_list = {lid: out[uid] for uid, lid in ids.items()}
    if by_list:
        for lid, name, kind, connected, on in db.execute(
            "SELECT list_id, name, kind, connected, connected_on FROM systems"
            " WHERE list_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [_json_ids(by_list)]):
            by_list[lid].systems.append(rules.System(name, kind, bool(connected), from_iso(on)))
    return out


def gather_facts(db: Database, year: int, as_of: dt.date,
                 unit_ids: Iterable[int] | None = None,
                 resources: Mapping[int, Sequence[tuple[int, str]]] | None = None
                 ) -> dict[int, rules.Facts]:
    """The evidence of every unit (or the given ones) for the year, as it stood on `as_of`:
    catalogue and systems list received by then, tasks, projects, the year's checks and
    the resources named in the unit's problems of the year issued by then — or, when the
    caller has read those problems already, `resources`: {unit id: (problem id, resource)
    of each, by id}."""
    ids = list(unit_ids) if unit_ids is not None else [
        r[0] for r in db.execute("SELECT id FROM units ORDER BY id")]
    facts = {uid: rules.Facts() for uid in ids}
    for uid, cat in _current_catalogs(db, as_of).items():
        if uid in facts:
            facts[uid].catalog = cat
    for uid, sl in _current_systems(db, as_of).items():
        if uid in facts:
            facts[uid].systems = sl
    for tid, kind, uid, content, due, done in db.execute(
        "SELECT id, list, unit_id, content, due_on, done_on FROM evidence_tasks"
        " WHERE due_on BETWEEN ? AND ? ORDER BY due_on, id",
        [f"{year:04d}-01-01", f"{year:04d}-12-31"]):
        if uid in facts:
            facts[uid].tasks.append(rules.Task(tid, kind, content, from_iso(due),  # type: ignore[arg-type]
                                               from_iso(done)))
    for pid, uid, name, kind, stage, approved, online, typical in db.execute(
        "SELECT id, unit_id, name, kind, stage, approved_on, online_on, typical FROM projects"
        " ORDER BY id"):
        if uid in facts:
            facts[uid].projects.append(rules.Project(pid, name, kind, stage, from_iso(approved),
                                                     from_iso(online), bool(typical)))
    for uid, checks in _checks_by_unit(db, year, as_of, ids).items():
        facts[uid].checks = checks
    keys: dict[str, str] = {}  # resource name -> normalized (many problems share a name)
    if resources is not None:
        named: Iterable[tuple[int, int, str]] = (
            (pid, uid, resource) for uid in facts for pid, resource in resources.get(uid, ()))
    else:
        named = db.execute(
            "SELECT id, unit_id, resource FROM problems WHERE month BETWEEN ? AND ?"
            " AND issued_on <= ? ORDER BY id",
            [f"{year:04d}-01", f"{year:04d}-12", as_of.isoformat()])
    for pid, uid, resource in named:
        f = facts.get(uid)
        if f is not None:
            key = keys.get(resource)
            if key is None:
                key = keys[resource] = normalize_label(resource)
            f.problem_resources.append((pid, resource, key))
    return facts


def suggestions(db: Database, year: int, as_of: dt.date, unit_ids: Iterable[int],
                resources: Mapping[int, Sequence[tuple[int, str]]] | None = None
                ) -> dict[int, list[dict]]:
    """{unit id: suggestions for items 4, 5, 7, 8, 10, 12, 13, 16} (the hook `score
    suggest` calls; `resources` as `gather_facts` takes them)."""
    return {uid: rules.suggest_all(year, as_of, f)
            for uid, f in gather_facts(db, year, as_of, unit_ids, resources).items()}


# ----------------------------------------------------------------------------- gaps

def census_gaps(db: Database, year: int, as_of: dt.date, unit_text: str | None = None,
                linked: bool = False) -> list[dict]:
    """The unit's problems of the year whose 数据资源名称 is not in its current catalogue
    (census gaps); with `linked`, every problem with the catalogue entry it is linked to."""
    check_year(year)
    index = UnitIndex.load(db)
    ids = [index.resolve(unit_text).id] if unit_text else None
    facts = gather_facts(db, year, as_of, ids)
    out = []
    for uid, f in facts.items():
        names = {e.key: e.name for e in f.catalog.entries} if f.catalog else {}
        for pid, resource, key in f.problem_resources:
            hit = names.get(key)
            if hit is not None and not linked:
                continue
            out.append({"unit": index.by_id[uid].name, "problem": pid, "resource": resource,
                        "catalog_entry": hit,
                        "catalog_version": f.catalog.versions if f.catalog else None,
                        "linked": hit is not None})
    return out


# ----------------------------------------------------------------------------- rules

def rule_rows() -> list[dict]:
    """Each item's suggestion rule as stated in data/evaluation.json."""
    import json

    from cdo.paths import data_dir

    raw = json.loads((data_dir() / "evaluation.json").read_text(encoding="utf-8"))
    return [{"item": i["no"], "part": p["name"], "max": i["max"],
             "rule": i.get("suggestion", "")} for p in raw["parts"] for i in p["items"]]


# ----------------------------------------------------------------------------- demo

# (file in data/samples/evidence, unit, received on)
DEMO_CATALOGS = [("目录清单-通川区-第1版.xlsx", "通川区", "2023-04-20"),
                 ("目录清单-通川区-第2版.xlsx", "通川区", "2023-10-15"),
                 ("目录清单-达川区.xlsx", "达川区", "2023-05-08"),
                 ("目录清单-市公安局.csv", "市公安局", "2024-01-08")]
DEMO_SYSTEMS = [("信息系统清单-通川区.xlsx", "通川区", "2023-05-10"),
                ("信息系统清单-达川区.xlsx", "达川区", "2023-05-08"),
                ("信息系统清单-市公安局.xlsx", "市公安局", "2023-06-02")]
DEMO_TASKS = [("第三批数据共享责任清单.xlsx", "share"), ("数据回流任务清单.xlsx", "return"),
              ("年度数据开放计划.xlsx", "open-plan")]
DEMO_QUALITY = [("抽查结果-2023-03.xlsx", "2023-03"), ("抽查结果-2023-09.xlsx", "2023-09"),
                ("抽查结果-2023-12.csv", "2023-12")]


def demo_dir() -> Path:
    from cdo.paths import data_dir

    return data_dir() / "samples" / "evidence"


def load_demo(db: Database) -> str:
    """Demo step: catalogues (one unit in two versions, one sent late), systems lists,
    the three task lists, projects and three checks' quality results."""
    folder = demo_dir()
    index = UnitIndex.load(db)
    wanted = {u for _, u, _ in DEMO_CATALOGS + DEMO_SYSTEMS}
    if any(not index.candidates(u) for u in wanted):
        return "评价依据：示例单位不在单位名单中，未导入"
    for name, unit, day in DEMO_CATALOGS:
        import_catalog(db, folder / name, unit, dt.date.fromisoformat(day))
    for name, unit, day in DEMO_SYSTEMS:
        import_systems(db, folder / name, unit, dt.date.fromisoformat(day))
    tasks = sum(import_tasks(db, folder / name, kind)["added"] for name, kind in DEMO_TASKS)
    projects = import_projects(db, folder / "应用项目.xlsx")["added"]
    for name, month in DEMO_QUALITY:
        import_quality(db, folder / name, month)
    return (f"评价依据：{len(DEMO_CATALOGS)} 份数据资源目录（通川区两版）、"
            f"{len(DEMO_SYSTEMS)} 份信息系统清单、{tasks} 项清单任务、{projects} 个应用项目、"
            f"{len(DEMO_QUALITY)} 次抽查质量结果；依据见 cdo evidence show --unit 通川区 --year 2023")
