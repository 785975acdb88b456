"""What the evidence means for points: item 17 imported from the third party's sheet,
the per-unit view of every 附件2 item (entered, suggested, evidence) and the annual
workbook's 评价依据 sheet. Kept apart from `evidence` so that `points` (which asks
`evidence` for suggestions) and this module (which asks `points`) form no circle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from cdo import scoring
from cdo.dates import timestamp
from cdo.errors import FileReadError, InvalidInputError, RowErrors
from cdo.evaluation.evidence import UNIT_HEADERS, _check, _raise, _try, _Units, read_rows
from cdo.roster.units import Unit, UnitIndex
from cdo.sheets.rows import Found
from cdo.sheets.text import clean_text
from cdo.store import audit

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cdo.evaluation.points import ProblemRow
    from cdo.sheets.write import SheetSpec
    from cdo.store.db import Database


# ----------------------------------------------------------------------------- item 17

THIRD_PARTY_FIELDS = {
    "unit": UNIT_HEADERS,
    "points": ["得分", "评估得分", "分数", "第三方评估得分", "评分", "第三方评估"],
}


def import_third_party(db: Database, path: Path, year: int, reason: str | None = None) -> dict:
    """Item 17 from the third-party institution's two-column sheet (unit, score); all or
    nothing. A score that changes an entered one needs `reason`."""
    from cdo.evaluation.points import check_year, refuse_if_final
    from cdo.sheets.read import read_table
    from cdo.store.db import transaction

    check_year(year)
    path = Path(path)
    item = scoring.load_table().item(17)
    try:
        rows = read_rows(path, THIRD_PARTY_FIELDS, ["unit", "points"], "第三方评估得分")
    except FileReadError:
        # no header: the two columns themselves, unit then score
        sheets = read_table(path)
        rows = Found([("", r + 1, {"unit": row[0] if row else None,
                                   "points": row[1] if len(row) > 1 else None})
                      for r, row in enumerate(sheets[0].rows) if any(clean_text(v) for v in row)],
                     sheets.hidden)
    units = _Units(db)
    errors: list[str] = []
    values: dict[int, tuple[float, int, Unit]] = {}
    for where, rownum, rec in rows:
        reasons: list[str] = []
        unit = _try(reasons, units.resolve, clean_text(rec.get("unit")), "单位")
        pts = None
        raw = rec.get("points")
        try:
            exact = scoring.parse_points_exact(raw)
            if exact is None:
                reasons.append("得分为空")
            else:
                pts = scoring.check_points(scoring.load_table(), 17, exact)
        except InvalidInputError as e:
            reasons.append(f"得分“{clean_text(raw)}”：{e}")
        if unit and unit.id in values:
            reasons.append(f"{unit.name} 与第 {values[unit.id][1]} 行重复")
        if _check(errors, where, rownum, reasons) and unit and pts is not None:
            values[unit.id] = (pts, rownum, unit)
    _raise(path, errors, "评估得分表")
    if not values:
        raise FileReadError(f"{path}：没有读到任何第三方评估得分")
    reason = (reason or "").strip() or None
    from cdo.evaluation.evidence import _backup

    def plan() -> tuple[dict, list]:
        refuse_if_final(db, year)
        existing = dict(db.execute(
            "SELECT unit_id, points FROM scores WHERE year = ? AND item = 17", [year]))
        changed = [(uid, v) for uid, v in values.items()
                   if uid in existing and round(existing[uid], 2) != v[0]]
        if changed and not reason:
            raise RowErrors(
                f"{path}：{len(changed)} 个分数与已录入的不同，修改已有分数须加 --reason 写明理由；"
                "没有导入任何分数：",
                [f"第 {v[1]} 行（{v[2].name}，第17项）：已有 {scoring.fmt_points(existing[uid])} 分，"
                 f"文件中为 {scoring.fmt_points(v[0])} 分" for uid, v in changed])
        return existing, changed

    existing, changed = plan()  # everything that can refuse, before the automatic copy
    if changed or len(existing.keys() & values.keys()) < len(values):
        _backup(db)
    with transaction(db):
        existing, changed = plan()  # again: another clerk may have written meanwhile
        now = timestamp()
        note = f"第三方评估，导入自 {path.name}"
        added = [(uid, v) for uid, v in values.items() if uid not in existing]
        db.conn.executemany(
            "INSERT INTO scores (year, unit_id, item, points, note, updated_at) VALUES (?,?,?,?,?,?)",
            [(year, uid, item.no, v[0], note, now) for uid, v in added])
        db.conn.executemany(
            "UPDATE scores SET points = ?, note = ?, updated_at = ?"
            " WHERE year = ? AND unit_id = ? AND item = 17",
            [(v[0], note, now, year, uid) for uid, v in changed])
        audit.record_many(db, [
            {"entity": "score", "entity_id": f"{year}/{uid}/17", "action": "import",
             "after": {"points": v[0], "note": note}, "unit_id": uid} for uid, v in added
        ] + [
            {"entity": "score", "entity_id": f"{year}/{uid}/17", "action": "change",
             "before": {"points": existing[uid]}, "after": {"points": v[0], "note": note},
             "unit_id": uid, "reason": reason} for uid, v in changed
        ])
    return {"added": len(added), "changed": len(changed),
            "unchanged": len(values) - len(added) - len(changed),
            "hidden_sheets": getattr(rows, "hidden", [])}


# ----------------------------------------------------------------------------- the view

HAND_BASIS = {
    6: "由评价组按信息化项目节约集约建设情况评分，本工具不建议",
    9: "由评价组按行业、领域数据归集共享开放协调情况评分，本工具不建议",
    15: "由评价组按数据服务事项经“数字特区”统一输出情况评分，本工具不建议",
    17: "第三方数据服务机构评估得分（由第三方评分表导入），本工具不建议",
}


def unit_view(db: Database, year: int, as_of: dt.date, unit_text: str) -> list[dict]:
    """Every item of 附件2 for one unit: maximum, entered points, suggestion, evidence.

    Keys: item, part, max, entered, suggested, basis, records."""
    from cdo.evaluation.points import suggestion_rows, unit_points

    table = scoring.load_table()
    unit = UnitIndex.load(db).resolve(unit_text)
    sugg = {r["item"]: r for r in suggestion_rows(db, year, as_of, unit.name)}
    entered = unit_points(db, year, unit.id)
    out = []
    for part in table.parts:
        for item in part.items:
            s = sugg.get(item.no)
            pts, note = entered.get(item.no, (None, None))
            basis = s["basis"] if s else HAND_BASIS.get(item.no, "本项由评价组评分")
            records = list(s["records"]) if s else []
            if note and not s:
                records.append(f"录入说明：{note}")
            out.append({"item": item.no, "part": part.name, "max": item.max, "entered": pts,
                        "suggested": s["suggested"] if s else None, "basis": basis,
                        "records": records})
    return out


def evidence_sheet(db: Database, year: int, as_of: dt.date,
                   problems: Iterable[ProblemRow] | None = None) -> SheetSpec:
    """The annual workbook's 评价依据 sheet: one row per unit and item (records on one
    line, joined by ；, so that 2,000 units need no row heights). `problems`: the year's
    problems already read (see points.gather_evidence)."""
    from cdo.evaluation.points import suggestion_rows, year_points
    from cdo.sheets.write import SheetSpec

    table = scoring.load_table()
    shown = 30  # records a row
    sugg = {(r["unit_id"], r["item"]): r
            for r in suggestion_rows(db, year, as_of, records_shown=shown, problems=problems)}
    points = year_points(db, year)
    rows = []
    for uid, name in db.execute("SELECT id, name FROM units ORDER BY id"):
        for item in table.items:
            s = sugg.get((uid, item.no))
            rows.append([name, item.no, item.max, points.get(uid, {}).get(item.no),
                         s["suggested"] if s else None,
                         s["basis"] if s else HAND_BASIS.get(item.no, "由评价组评分"),
                         "；".join(s["records"][:shown]) if s else ""])
    return SheetSpec("评价依据", ["单位", "项目", "满分", "已录入", "建议分", "依据", "记录"], rows,
                     title=f"{year}年度评价依据（建议分按记录计算，截至 {as_of}，仅供参考）")


def load_demo(db: Database) -> str:
    """Demo step (after the points): item 17 from the third party's sample sheet."""
    from cdo.evaluation.evidence import demo_dir

    index = UnitIndex.load(db)
    if not index.candidates("市大数据中心"):
        return "第三方评估：示例单位不在单位名单中，未导入"
    r = import_third_party(db, demo_dir() / "第三方评估得分.xlsx", 2023,
                           reason="演示：第三方评估机构评分")
    return f"第三方评估：导入 {r['added'] + r['changed'] + r['unchanged']} 个单位的第17项得分"


def unit_name(db: Database, unit_text: str) -> str:
    return UnitIndex.load(db).resolve(unit_text).name
