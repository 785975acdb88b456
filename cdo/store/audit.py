"""The audit log: every change records when, who, which command, before and after;
`cdo log` reads it back (filter, decode, compact diff)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cdo.dates import timestamp

if TYPE_CHECKING:
    from cdo.store.db import Database


def _os_user() -> str:
    import getpass  # here: it imports termios, and only writes need it

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
    import shlex

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
# The fields changes name, as the clerk reads them in `cdo log` (JSON keeps the keys).
FIELD_NAMES = {
    "added": "新增条数", "added_on": "添加日期", "alias": "别名", "appointed_on": "任命日期",
    "approved_on": "立项日期", "attendee": "出席人", "birth_month": "出生年月",
    "category": "类别", "changed": "修改条数", "closed_on": "销号日期", "content": "任务内容",
    "created_at": "导入时间", "days": "日期", "description": "问题描述", "dimension": "问题类型",
    "done_on": "完成日期", "due_on": "整改期限", "education": "学历学位", "end_reason": "离任原因",
    "ended_on": "离任日期", "entries": "目录条数", "ethnicity": "民族", "file": "文件",
    "filed_on": "备案日期", "finalized_at": "定稿时间", "fingerprint": "定稿校验码",
    "first_late_on": "首次逾期日", "gender": "性别", "held_on": "举行日期", "ids": "问题编号",
    "import_id": "导入编号", "incomplete": "未评满项数", "issued_on": "下发日期", "kind": "类型",
    "list": "清单", "meeting": "会议", "month": "月份", "name": "名称",
    "native_place": "籍贯", "negotiated_until": "协商期限", "note": "备注", "on": "日期",
    "online_on": "上线日期", "original_due_on": "原整改期限", "phone": "联系电话",
    "points": "得分", "political_status": "政治面貌", "position": "工作单位及职务",
    "problems": "问题数", "provisional": "期限暂定", "reason": "原因", "received_on": "收到日期",
    "recommendation": "推荐意见", "recommended_on": "推荐日期", "records": "数据量",
    "rectified_on": "整改日期", "reminder_id": "催办编号", "removed": "撤回条数",
    "removed_on": "移除日期", "reporter": "反馈人", "resource": "数据资源名称",
    "restored": "恢复条数", "resume": "简历", "row": "清单行号", "rows": "行数",
    "sent_on": "催办日期", "short": "简称", "skills": "专业特长", "source": "来源",
    "source_file": "来源文件", "spotcheck_id": "抽查编号", "stage": "阶段", "status": "状态",
    "systems": "系统数", "title": "名称", "typical": "典型应用示范", "unit": "单位",
    "version": "版本", "withdrawn_at": "撤回时间", "work_plan": "工作思路", "year": "年度",
}
# What `cdo restore` shows of a database (and logs of a restore), in this order.
DATABASE_COUNTS = {
    "units": "单位",
    "cdos": "首席数据官（含历任）",
    "specialists": "数据专员",
    "spotchecks": "月度抽查",
    "problems": "问题数据",
    "scores": "评分",
    "audit_log": "修改日志",
}
# Where a field means something else for one kind of record.
ENTITY_FIELD_NAMES = {
    **{("database", table): name for table, name in DATABASE_COUNTS.items()},
    ("cdo", "name"): "姓名", ("specialist", "name"): "姓名",
    ("reminder", "problems"): "问题编号", ("notice", "problems"): "问题编号",
    ("task", "due_on"): "完成时限",
}
YES_NO_FIELDS = ("provisional", "typical")  # stored as 0/1 or true/false

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
    "verify": "核验销号",
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


ValueNames = Mapping[tuple[str, str], Mapping[Any, str]]


def compact_diff(before: Any, after: Any, *, max_fields: int = 6, mask: bool = True,
                 entity: str | None = None, values: ValueNames | None = None) -> str:
    """A one-glance summary of a change: `字段: 旧 → 新` for what differs.

    A record added shows its fields, a record removed shows what it was. With `mask`,
    phone numbers are masked. Fields are named in Chinese (FIELD_NAMES); a coded value
    is shown by its name from `values` ({(entity, field): {code: name}}), true/false as
    是/否.
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
    names = values or {}

    def field(k: str) -> str:
        return ENTITY_FIELD_NAMES.get((entity or "", k)) or FIELD_NAMES.get(k, k)

    def shown(k: str, v: Any) -> str:
        if isinstance(v, bool) or (k in YES_NO_FIELDS and v in (0, 1)):
            return "是" if v else "否"
        if isinstance(v, list) and all(isinstance(x, int | str) for x in v):
            return _short("、".join(map(str, v))) if v else "空"
        coded = names.get((entity or "", k))
        if coded is not None and isinstance(v, str | int) and v in coded:
            return coded[v]
        return _short(v)

    parts: list[str] = []
    if before is None:
        parts = [f"{field(k)}={shown(k, am[k])}" for k, v in a.items() if v not in (None, "")]
    elif after is None:
        parts = [f"-{field(k)}={shown(k, bm[k])}" for k, v in b.items() if v not in (None, "")]
    else:
        for k in list(b) + [k for k in a if k not in b]:
            if b.get(k) != a.get(k):
                changed = f"{field(k)}: {shown(k, bm.get(k))} → {shown(k, am.get(k))}"
                if bm.get(k) == am.get(k):
                    changed = f"{field(k)}: 已修改（{shown(k, am.get(k))}）"
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
    score = re.fullmatch(r"(\d{4})/\d+/(\d+)", str(row.get("entity_id") or ""))
    if row["entity"] == "score" and score:  # year/unit id/item: the unit has its column
        return f"{name} {score[1]} 年第 {score[2]} 项"
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
