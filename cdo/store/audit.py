"""The audit log: every change records when, who, which command, before and after;
`cdo log` reads it back (filter, decode, compact diff)."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shlex
import sys
from typing import TYPE_CHECKING, Any

from cdo.dates import timestamp

if TYPE_CHECKING:
    from cdo.store.db import Database


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return str(os.getuid())


# The arguments of the command being run, set by the CLI (also under CliRunner, where
# sys.argv is the test runner's).
current_args: list[str] | None = None


def command_line() -> str:
    """The command as the clerk typed it, program name shortened to `cdo`."""
    args = ["cdo", *(sys.argv[1:] if current_args is None else current_args)]
    # bytes that are not UTF-8 (surrogate-escaped by Python) are shown as �
    return " ".join(_quote(str(a).encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
                    for a in args)


def _quote(arg: str) -> str:
    # shlex.quote would quote every Chinese word; quote only what a shell would split.
    if arg and not any(ch.isspace() or ch in "'\"\\$`;&|<>()*?[]{}!#~" for ch in arg):
        return arg
    return shlex.quote(arg)


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    db: Database,
    entity: str,
    entity_id: Any,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    *,
    unit_id: int | None = None,
    problem_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Append one change to the audit log (call inside the change's transaction)."""
    db.execute(
        "INSERT INTO audit_log (at, os_user, command, entity, entity_id, action, unit_id,"
        " problem_id, before, after, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            timestamp(),
            _os_user(),
            command_line(),
            entity,
            None if entity_id is None else str(entity_id),
            action,
            unit_id,
            problem_id,
            _dump(before),
            _dump(after),
            reason,
        ],
    )


def record_many(db: Database, rows: list[dict]) -> None:
    """Append many changes at once (bulk imports); each dict has record()'s arguments."""
    at = timestamp()
    user, cmd = _os_user(), command_line()
    db.conn.executemany(
        "INSERT INTO audit_log (at, os_user, command, entity, entity_id, action, unit_id,"
        " problem_id, before, after, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                at,
                user,
                cmd,
                r["entity"],
                None if r.get("entity_id") is None else str(r["entity_id"]),
                r["action"],
                r.get("unit_id"),
                r.get("problem_id"),
                _dump(r.get("before")),
                _dump(r.get("after")),
                r.get("reason"),
            )
            for r in rows
        ],
    )


# ----------------------------------------------------------------------------- reading (cdo log)

DEFAULT_LIMIT = 100

# Chinese names for the entities and actions the capabilities record; unknown ones show as is.
ENTITY_NAMES = {
    "unit": "单位",
    "unit_alias": "单位别名",
    "cdo": "首席数据官",
    "specialist": "数据专员",
    "meeting": "会议培训",
    "attendance": "出席",
    "duty_report": "计划总结",
    "spotcheck": "月度抽查",
    "problem": "问题",
    "reminder": "催办",
    "notice": "整改通知单",
    "score": "评分",
    "score_year": "评价年度",
    "catalog": "数据资源目录",
    "system_list": "信息系统清单",
    "task": "清单任务",
    "project": "应用项目",
    "quality": "抽查质量结果",
    "score_import": "评分导入",
    "calendar": "日历",
    "calendar_year": "日历年度",
    "calendar_local": "本地调整",
    "database": "数据库",
}
ACTION_NAMES = {
    "add": "新增",
    "create": "新增",
    "insert": "新增",
    "import": "导入",
    "complete": "完成",
    "update": "修改",
    "change": "修改",
    "delete": "删除",
    "remove": "删除",
    "end": "结束",
    "appoint": "任命",
    "file": "备案",
    "done": "整改完成",
    "rectify": "整改完成",
    "verify": "核查销号",
    "close": "销号",
    "reopen": "退回",
    "negotiate": "协商",
    "remind": "催办",
    "notify": "下发通知",
    "finalize": "定稿",
    "load": "载入",
    "set": "设置",
    "recompute": "重算",
    "restore": "恢复",
    "recommend": "推荐",
    "recompute_deadline": "重算期限",
    "unload": "撤销载入",
    "attend": "出勤",
    "withdraw": "撤回",
}


def _decode(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def query_log(
    db: Database,
    *,
    unit_id: int | None = None,
    problem_id: int | None = None,
    since: dt.date | None = None,
    entity: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> tuple[list[dict], int]:
    """The newest audit entries matching every filter, and how many match in all.

    `limit` None or 0 means all. Each row has the JSON keys of `cdo log --format json`,
    with `before` and `after` decoded from JSON.
    """
    where: list[str] = []
    params: list[Any] = []
    if unit_id is not None:
        where.append("a.unit_id = ?")
        params.append(unit_id)
    if problem_id is not None:
        where.append("(a.problem_id = ? OR (a.entity = 'problem' AND a.entity_id = ?))")
        params += [problem_id, str(problem_id)]
    if since is not None:
        where.append("a.at >= ?")
        params.append(since.isoformat())
    if entity:
        where.append("a.entity = ?")
        params.append(entity_key(entity))
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    total = db.execute(f"SELECT count(*) FROM audit_log a{clause}", params).fetchone()[0]
    sql = (
        "SELECT a.id, a.at, a.os_user, a.command, a.entity, a.entity_id, a.action,"
        " u.name AS unit, a.unit_id, a.problem_id, a.before, a.after, a.reason"
        f" FROM audit_log a LEFT JOIN units u ON u.id = a.unit_id{clause}"
        " ORDER BY a.id DESC"
    )
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    rows = []
    for r in db.query(sql, params):
        r = dict(r)
        r["before"] = _decode(r["before"])
        r["after"] = _decode(r["after"])
        rows.append(r)
    return rows, total


def _short(value: Any, width: int = 24) -> str:
    if value is None:
        return "空"
    if isinstance(value, str):
        s = value
    else:
        s = json.dumps(value, ensure_ascii=False, default=str)
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


PRIVATE_TEXT = ("resume",)  # personal text shown only with --show-contact


def masked(record: Any) -> Any:
    """The record with phone numbers masked (152****6279) and résumés hidden; a phone
    number inside any other text (a note, a reason) is masked too."""
    from cdo.masking import mask_numbers, mask_phone

    if isinstance(record, str):
        return mask_numbers(record)
    if not isinstance(record, dict):
        return record
    out = {}
    for k, v in record.items():
        if "phone" in k and v:
            v = mask_phone(str(v))
        elif k in PRIVATE_TEXT and v:
            v = "（已隐藏）"
        elif isinstance(v, str):
            v = mask_numbers(v)
        out[k] = v
    return out


def compact_diff(before: Any, after: Any, *, max_fields: int = 6, mask: bool = True) -> str:
    """A one-glance summary of a change: `字段: 旧 → 新` for what differs.

    A record added shows its fields, a record removed shows what it was. With `mask`,
    phone numbers are masked.
    """
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before == after:
            return ""
        if mask:
            before, after = masked(before), masked(after)
        return f"{_short(before)} → {_short(after)}"
    b = before if isinstance(before, dict) else {}
    a = after if isinstance(after, dict) else {}
    # compare the real values, show the masked ones
    bm, am = (masked(b), masked(a)) if mask else (b, a)
    parts: list[str] = []
    if before is None:
        parts = [f"{k}={_short(am[k])}" for k, v in a.items() if v not in (None, "")]
    elif after is None:
        parts = [f"-{k}={_short(bm[k])}" for k, v in b.items() if v not in (None, "")]
    else:
        for k in list(b) + [k for k in a if k not in b]:
            if b.get(k) != a.get(k):
                changed = f"{k}: {_short(bm.get(k))} → {_short(am.get(k))}"
                if bm.get(k) == am.get(k):
                    changed = f"{k}: 已修改（{_short(am.get(k))}）"
                parts.append(changed)
    more = len(parts) - max_fields
    text = "；".join(parts[:max_fields])
    if more > 0:
        text += f"；另 {more} 项"
    return text


def entity_key(text: str) -> str:
    """The entity key for `--entity`: English (unit) or its Chinese name (单位)."""
    t = text.strip()
    for key, name in ENTITY_NAMES.items():
        if t == name:
            return key
    return t


def entity_label(row: dict) -> str:
    name = ENTITY_NAMES.get(row["entity"], row["entity"])
    return f"{name} #{row['entity_id']}" if row.get("entity_id") not in (None, "") else name


def action_label(action: str) -> str:
    return ACTION_NAMES.get(action, action)


def when_label(at: str) -> str:
    """'2023-09-27T10:15:02+08:00' → '2023-09-27 10:15:02'."""
    return at[:19].replace("T", " ")


# ----------------------------------------------------------------------------- after Ctrl-C


def saved_summary(commits: list) -> list[str]:
    """What the committed transactions `commits` (interrupts.Commit) saved, in Chinese:
    one line of counts by kind, then every recommendation form saved (by file and sheet:
    the clerk must know exactly which ones to leave out of the next try)."""
    counts: dict[tuple[str, str], int] = {}
    forms: list[str] = []
    unlogged = 0
    for c in commits:
        if c.last_id < c.first_id:
            unlogged += 1
            continue
        for entity, action, reason in c.conn.execute(
            "SELECT entity, action, reason FROM audit_log WHERE id BETWEEN ? AND ? ORDER BY id",
            [c.first_id, c.last_id],
        ):
            key = (ENTITY_NAMES.get(entity, entity), ACTION_NAMES.get(action, action))
            counts[key] = counts.get(key, 0) + 1
            if entity == "cdo" and reason and "推荐表：" in reason:
                forms.append(reason.split("推荐表：", 1)[1])
    parts = [f"{what}{verb} {n} 项" for (what, verb), n in counts.items()]
    if unlogged:
        parts.append(f"其他修改 {unlogged} 次")
    lines = ["，".join(parts)] if parts else []
    lines += [f"已保存的推荐表：{f}" for f in dict.fromkeys(forms)]
    return lines
