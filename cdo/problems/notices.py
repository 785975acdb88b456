"""Paper sent to units: the per-unit 数据质量问题整改通知单 of a month's problems, and the
催办单 listing a unit's still-open problems. Both go through the one workbook writer;
sending is recorded in the audit log (a notice per unit; a reminder as `rectify remind`
records it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cdo.errors import InvalidInputError, StateError
from cdo.problems.model import DEADLINE_DAYS, DIMENSION_NAMES, SOURCE_NAMES, STATUS_NAMES

if TYPE_CHECKING:
    from cdo.sheets.write import SheetSpec
    from cdo.store.db import Database

OFFICE = "达州市数字经济工作推进领导小组办公室（首席数据官办公室）"
REPLY = ("回复：整改完成后，请于整改期限前将整改情况（附整改前后数据或截图等佐证材料）报送"
         f"{OFFICE}；短期内无法整改的，请双方首席数据官协商提出新的期限，报办公室登记。")
PROVISIONAL_NOTE = ("期限说明为“暂定”的，期限所在年度国务院办公厅尚未公布节假日安排，"
                    "公布后以重新计算的期限为准。")


def _cn_date(d: dt.date | str) -> str:
    d = dt.date.fromisoformat(d) if isinstance(d, str) else d
    return f"{d.year}年{d.month}月{d.day}日"


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text).strip() or "单位"


def _cdo_line(db: Database, unit_id: int) -> str:
    from cdo.roster.cdos import current_cdo

    cdo = current_cdo(db, unit_id)
    if cdo is None:
        return "首席数据官：（未登记）"
    return f"首席数据官：{cdo['name']}" + (f"（{cdo['position']}）" if cdo.get("position") else "")


def _mark(p: dict) -> str:
    from cdo.problems.reports import due_mark

    return due_mark(p)


def _problem_cells(i: int, p: dict) -> list:
    """What both letters say first of a problem: 序号, 问题编号, 来源, 数据资源名称,
    问题类型, 问题描述."""
    return [i, p["id"], SOURCE_NAMES.get(p["source"], p["source"]), p["resource"],
            DIMENSION_NAMES.get(p["dimension"], p["dimension"]), p["description"]]


def _notes(problems: Sequence[dict], day: dt.date, *more: str) -> list[str]:
    """Under both letters: how to reply, what else applies, the office and the date."""
    notes = [REPLY, *more]
    if any(p.get("provisional") for p in problems):
        notes.append(PROVISIONAL_NOTE)
    return [*notes, f"{OFFICE}　　{_cn_date(day)}"]


def notice_sheet(db: Database, unit_id: int, unit: str, month: str, problems: Sequence[dict],
                 today: dt.date) -> SheetSpec:
    """One unit's 整改通知单 for the problems of `month`."""
    from cdo.sheets.write import SheetSpec

    y, m = month.split("-")
    issued = sorted({p["issued_on"] for p in problems})
    dues = sorted({(p["due_on"], _mark(p)) for p in problems})
    spot = all(p["source"] == "spotcheck" for p in problems)
    days = DEADLINE_DAYS["spotcheck" if spot else "user"]
    what = "数据抽查发现" if spot else "数据抽查和数据使用单位反馈"
    lines = [f"{unit}：",
             f"　　{y}年{int(m)}月{what}贵单位数据质量问题 {len(problems)} 个（清单附后）。"
             + (f"问题于 {_cn_date(issued[0])} 下发，" if len(issued) == 1 else "各问题下发日期见清单，")
             + (f"请自下发之日起 {days} 个工作日内（下发当日不计）完成整改，整改期限为 "
                f"{_cn_date(dues[0][0])}{'（' + dues[0][1] + '）' if dues[0][1] else ''}。"
                if len(dues) == 1 and spot else
                "月度抽查问题自下发之日起 30 个工作日、使用单位反馈问题 15 个工作日内完成整改"
                "（下发当日不计），各问题的整改期限见清单。"),
             f"　　请贵单位首席数据官督促落实。{_cdo_line(db, unit_id)}。"]
    rows = [[*_problem_cells(i, p), p["records"], p["issued_on"],
             DEADLINE_DAYS.get(p["source"]), p["due_on"], _mark(p)]
            for i, p in enumerate(problems, 1)]
    notes = _notes(problems, today)
    return SheetSpec(
        "整改通知单",
        ["序号", "问题编号", "来源", "数据资源名称", "问题类型", "问题描述", "问题数据量",
         "下发日期", "整改时限（工作日）", "整改期限", "期限说明"],
        rows,
        title="数据质量问题整改通知单",
        intro=lines,
        notes=notes,
        kinds={"下发日期": "date", "整改期限": "date", "问题数据量": "int"},
        drop_first=["来源", "问题数据量", "整改时限（工作日）", "问题类型", "下发日期"],
        landscape=False,  # a letter: portrait, fewer columns on paper if need be
        name_hidden=False,
    )


def write_notices(db: Database, month: str, outdir: Path, *, today: dt.date,
                  unit: str | None = None, force: bool = False,
                  protected: Sequence[Path] = ()) -> list[dict]:
    """Write one 整改通知单 per unit with problems filed under `month` (issued by
    `today`) into `outdir`, and record each notice in the audit log. Every file is
    checked before any is written. Returns [{unit, file, problems}]."""
    from cdo.problems.model import list_problems
    from cdo.sheets.write import check_target, write_workbook
    from cdo.store import audit
    from cdo.store.db import transaction

    outdir = Path(outdir)
    if not outdir.is_dir():
        raise InvalidInputError(f"{outdir}：文件夹不存在，请先建好文件夹")
    problems = list_problems(db, as_of=today, month=month, unit=unit)
    if not problems:
        who = f"{unit} " if unit else ""
        raise StateError(f"{month} 没有{who}的问题（截至 {today}），没有要下发的通知单")
    by_unit: dict[int, list[dict]] = {}
    for p in problems:
        by_unit.setdefault(p["unit_id"], []).append(p)
    plans = []
    for uid, probs in by_unit.items():
        name = probs[0]["unit"]
        path = outdir / f"{month} 数据质量问题整改通知单 {_safe_name(name)}.xlsx"
        check_target(path, force=force, protected=protected)
        plans.append((uid, name, probs, path))
    done = []
    with transaction(db):
        for uid, name, probs, path in plans:
            write_workbook(path, [notice_sheet(db, uid, name, month, probs, today)])
            ids = [p["id"] for p in probs]
            audit.record(db, "notice", f"{month}/{uid}", "notify", None,
                         {"month": month, "sent_on": today.isoformat(), "problems": ids,
                          "file": path.name}, unit_id=uid)
            done.append({"unit": name, "file": str(path), "problems": ids})
    return done


def reminder_sheet(db: Database, unit_id: int, unit: str, problems: Sequence[dict],
                   on: dt.date) -> SheetSpec:
    """A unit's 催办单: its still-open problems, deadlines and working days overdue."""
    from cdo.sheets.write import SheetSpec

    late = [p for p in problems if p.get("overdue_days")]
    lines = [f"{unit}：",
             f"　　截至 {_cn_date(on)}，贵单位尚有 {len(problems)} 个数据质量问题未完成整改"
             + (f"，其中 {len(late)} 个已超过整改期限（最长逾期 "
                f"{max(p['overdue_days'] for p in late)} 个工作日）" if late else "")
             + "，清单如下。请抓紧整改，并按期报送整改情况。",
             f"　　{_cdo_line(db, unit_id)}。"]
    rows = [[*_problem_cells(i, p), p["issued_on"], p["due_on"], _mark(p),
             STATUS_NAMES.get(p["status"], p["status"]), p.get("overdue_days")]
            for i, p in enumerate(problems, 1)]
    notes = _notes(problems, on,
                   "逾期工作日为整改期限次日起至催办日的工作日数（按国务院办公厅节假日安排计算）。")
    return SheetSpec(
        "整改催办单",
        ["序号", "问题编号", "来源", "数据资源名称", "问题类型", "问题描述", "下发日期",
         "整改期限", "期限说明", "状态", "逾期工作日"],
        rows,
        title="数据质量问题整改催办单",
        intro=lines,
        notes=notes,
        kinds={"下发日期": "date", "整改期限": "date", "逾期工作日": "int"},
        drop_first=["来源", "问题类型", "下发日期", "状态"],
        landscape=False,
        name_hidden=False,
    )


def open_problems(db: Database, unit: str, on: dt.date) -> tuple[int, str, list[dict]]:
    """The unit's problems not rectified on `on` (open or negotiated), most overdue first."""
    from cdo.problems.model import list_problems
    from cdo.roster.units import resolve_unit

    u = resolve_unit(db, unit)
    rows = [p for p in list_problems(db, as_of=on, unit=u.name)
            if p["status"] in ("open", "negotiated")]
    rows.sort(key=lambda p: (-(p.get("overdue_days") or 0), p["due_on"], p["id"]))
    return u.id, u.name, rows


def write_reminder(db: Database, unit: str, path: Path, on: dt.date) -> int:
    """Write the unit's 催办单 to `path`; returns how many problems it lists."""
    from cdo.sheets.write import write_workbook

    uid, name, rows = open_problems(db, unit, on)
    if not rows:
        raise StateError(f"{name} 没有待整改的问题，无需催办")
    write_workbook(path, [reminder_sheet(db, uid, name, rows, on)])
    return len(rows)
