"""The annual evaluation in the database: points entered or imported, the ranking, the
evidence behind suggested points, and freezing a year (finalize / reopen).

The rules themselves (totals, ranks, suggestion formulas, fingerprint) are in
`cdo.scoring`; this module reads and writes the tables `scores` and `score_years`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdo import scoring
from cdo.dates import from_iso, timestamp
from cdo.errors import CdoError, InvalidInputError, NotFoundError, RowErrors, StateError
from cdo.roster.units import UnitIndex
from cdo.scoring import Table, UnitRef, fmt_points
from cdo.sheets.score_sheet import (
    FORMULA_HINT,
    GRID_UNIT_HEADERS,
    Cell,
    ReadResult,
    formula_cells,
    parse_item_label,
)
from cdo.store import audit

if TYPE_CHECKING:
    from cdo.store.db import Database

MIN_YEAR, MAX_YEAR = 2000, 2100
_INSERT_SCORE = ("INSERT INTO scores (year, unit_id, item, points, note, updated_at)"
                 " VALUES (?,?,?,?,?,?)")


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInputError(
            f"年度不对：{year}，年度应在 {MIN_YEAR}—{MAX_YEAR} 年之间，如 2023")
    return year





# ----------------------------------------------------------------------------- reading

def unit_refs(db: Database, category: str | None = None) -> list[UnitRef]:
    """Every unit (optionally of one category), in the order they were registered."""
    sql = "SELECT id, name, category FROM units"
    params: list[Any] = []
    if category:
        sql += " WHERE category = ?"
        params.append(category)
    return [UnitRef(*r) for r in db.conn.execute(sql + " ORDER BY id", params).fetchall()]


def year_points(db: Database, year: int) -> dict[int, dict[int, float]]:
    """points[unit_id][item] for the year."""
    out: dict[int, dict[int, float]] = {}
    for unit_id, item, points in db.conn.execute(
        "SELECT unit_id, item, points FROM scores WHERE year = ?", [year]
    ).fetchall():
        d = out.get(unit_id)
        if d is None:
            d = out[unit_id] = {}
        d[item] = points
    return out


def ranking_rows(db: Database, year: int, category: str | None = None) -> list[dict]:
    """The year's ranking (see scoring.ranking); with `category`, ranked within it.

    Row keys: rank (None when incomplete), unit, category, parts, total, complete, missing.
    """
    check_year(year)
    table = scoring.load_table()
    return scoring.ranking(table, unit_refs(db, category), year_points(db, year))


def year_state(db: Database, year: int) -> dict | None:
    """{'finalized_at', 'fingerprint'} when the year is finalized, else None."""
    row = db.execute(
        "SELECT finalized_at, fingerprint FROM score_years"
        " WHERE year = ? AND finalized_at IS NOT NULL",
        [year],
    ).fetchone()
    return {"finalized_at": row[0], "fingerprint": row[1]} if row else None


def compute_fingerprint(db: Database, year: int) -> str:
    """The fingerprint of the year's points as they stand now."""
    rows = db.execute(
        "SELECT u.name, s.item, s.points FROM scores s JOIN units u ON u.id = s.unit_id"
        " WHERE s.year = ?",
        [year],
    ).fetchall()
    return scoring.fingerprint(year, rows)


def unit_points(db: Database, year: int, unit_id: int) -> dict[int, tuple[float, str | None]]:
    """{item: (points, note)} for one unit and year."""
    return {
        item: (points, note)
        for item, points, note in db.execute(
            "SELECT item, points, note FROM scores WHERE year = ? AND unit_id = ?",
            [year, unit_id],
        )
    }


def refuse_if_final(db: Database, year: int) -> None:
    """Raise StateError if the year is finalized (frozen)."""
    state = year_state(db, year)
    if state:
        raise StateError(
            f"{year} 年度评分已于 {state['finalized_at'][:10]} 定稿"
            f"（指纹 {scoring.short_fingerprint(state['fingerprint'])}），不能再改；"
            f"确需修改请先 cdo score reopen --year {year} --reason 理由"
        )


# ----------------------------------------------------------------------------- writing

def _entity_id(year: int, unit_id: int, item: int) -> str:
    return f"{year}/{unit_id}/{item}"


def set_point(db: Database, year: int, unit_text: str, item_no: int, points: float | Decimal,
              note: str | None = None, reason: str | None = None) -> str:
    """Enter or change one point; returns a one-line Chinese summary.

    Raises InvalidInputError (outside 0…max), StateError (finalized year, or a change
    without a reason), NotFoundError (unknown unit).
    """
    from cdo.store.db import transaction

    check_year(year)
    table = scoring.load_table()
    item = table.item(item_no)
    pts = scoring.check_points(table, item_no, points)
    unit = UnitIndex.load(db).resolve(unit_text)
    note = (note or "").strip() or None
    reason = (reason or "").strip() or None
    with transaction(db):
        refuse_if_final(db, year)
        old = db.execute(
            "SELECT points, note FROM scores WHERE year = ? AND unit_id = ? AND item = ?",
            [year, unit.id, item.no],
        ).fetchone()
        before = {"points": old[0], "note": old[1]} if old else None
        if old is not None and round(old[0], 2) == pts:
            if note is None or note == old[1]:
                return f"{unit.name} {year} 年度第{item.no}项已是 {fmt_points(pts)} 分，没有变化"
            db.execute(
                "UPDATE scores SET note = ?, updated_at = ?"
                " WHERE year = ? AND unit_id = ? AND item = ?",
                [note, timestamp(), year, unit.id, item.no],
            )
            audit.record(db, "score", _entity_id(year, unit.id, item.no), "note", before,
                         {"points": pts, "note": note}, unit_id=unit.id, reason=reason)
            return (f"{unit.name} {year} 年度第{item.no}项：说明已更新"
                    f"（分数仍为 {fmt_points(pts)} 分）")
        if old is not None and not reason:
            raise StateError(
                f"{unit.name} {year} 年度第{item.no}项已有 {fmt_points(old[0])} 分，"
                f"改为 {fmt_points(pts)} 分须用 --reason 写明修改理由"
            )
        new_note = note if note is not None else (old[1] if old else None)
        db.execute(
            _INSERT_SCORE + " ON CONFLICT (year, unit_id, item) DO UPDATE SET"
            " points = excluded.points, note = excluded.note, updated_at = excluded.updated_at",
            [year, unit.id, item.no, pts, new_note, timestamp()],
        )
        audit.record(db, "score", _entity_id(year, unit.id, item.no),
                     "change" if old else "set", before, {"points": pts, "note": new_note},
                     unit_id=unit.id, reason=reason)
    if old:
        return (f"{unit.name} {year} 年度第{item.no}项：{fmt_points(old[0])} 分 → "
                f"{fmt_points(pts)} 分（满分 {fmt_points(item.max)} 分），理由已记入日志")
    return (f"{unit.name} {year} 年度第{item.no}项：{fmt_points(pts)} 分"
            f"（满分 {fmt_points(item.max)} 分）")


# ----------------------------------------------------------------------------- import

def read_points(path: Path, table: Table, index: UnitIndex, year: int) -> ReadResult:
    """The points in one path: a folder of filled 附件2 sheets, one filled 附件2 workbook,
    or a grid (.xlsx/.csv, one row per unit and one column per item number)."""
    if path.is_dir():
        from cdo.sheets.score_sheet import read_sheet_folder

        return read_sheet_folder(path, table, index, year)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from cdo.sheets.score_sheet import read_sheet

        result = ReadResult()
        if read_sheet(path, table, index, year, result):
            return result
    return read_points_grid(path, table, index)


def _check_named_years(result: ReadResult, year: int) -> list[str]:
    """Each place naming evaluation years — a file's name, a sheet's name, a title cell —
    none of them `year`, and each filled 附件2 whose 评价年度 is another year: one
    problem each, naming the place and the way past it (--force)."""
    force = f"请核对年度，确要把这份文件导入为 {year} 年度的评分，请加 --force"
    by_place: dict[tuple[Path, str], list[int]] = {}
    for path, where, y in result.years:
        by_place.setdefault((path, where), []).append(y)
    problems = [f"{where}写的是 {named[0]} 年度，不是 --year {year}；{force}"
                for (_, where), named in by_place.items() if year not in named]
    problems += [f"{what}，不是 {year} 年度（--year {year}）；{force}"
                 for what, y in result.stated if y != year]
    return problems


def import_points(db: Database, year: int, path: Path | Sequence[Path],
                  reason: str | None = None, *, force: bool = False) -> dict:
    """Import grids (.xlsx/.csv), filled 附件2 sheets or folders of them; all or nothing.

    Blank cells mean "not scored" and leave what is stored alone. A cell that would
    change a stored point needs `reason`. A file whose name or title names another year
    is refused unless `force`. Returns counts: added, changed, unchanged, units, and the
    import's number (import_id, None when nothing changed) and warnings (columns not read).
    Raises RowErrors naming every bad cell (unit, item, value, maximum).
    """
    from cdo.store.db import transaction

    check_year(year)
    table = scoring.load_table()
    index = UnitIndex.load(db)
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if not paths:
        raise InvalidInputError("没有给出要导入的文件")
    result = ReadResult()
    for p in paths:
        one = read_points(p, table, index, year)
        result.cells += one.cells
        result.problems += one.problems
        result.sources += one.sources
        result.warnings += one.warnings
        result.years += one.years
        result.stated += one.stated
    # messages name the file (or how many files) the points came from
    path = paths[0] if len(paths) == 1 else Path(f"{len(paths)} 个文件")

    problems = list(result.problems)
    if not force:
        problems += _check_named_years(result, year)
    if not problems and not any(scoring_has_value(c.raw) for c in result.cells):
        raise RowErrors(f"{path}：没有读到任何分数，没有导入。", [
            "请确认每行第一列是单位名称、表头是项目序号（1、2、4…17），分数填在对应格内；"
            "若分数或单位名称是公式，请在 Excel/WPS 中打开后保存，或“粘贴为数值”后再导入"])
    values: dict[tuple[int, int], tuple[float, Cell]] = {}
    for cell in result.cells:
        item = table.by_no[cell.item]
        where = f"{cell.place}（{cell.unit.name}，第{item.no}项，满分 {fmt_points(item.max)} 分）"
        try:
            exact = scoring.parse_points_exact(cell.raw)
        except InvalidInputError:
            problems.append(f"{where}：“{cell.raw}”不是分数")
            continue
        if exact is None:
            continue
        if exact < 0:
            problems.append(f"{where}：{exact} 是负分，不能低于 0")
            continue
        if not scoring.has_two_decimals_at_most(exact):
            problems.append(f"{where}：{cell.raw} 最多保留两位小数")
            continue
        pts = float(exact) + 0.0
        if pts > item.max:
            problems.append(f"{where}：{fmt_points(pts)} 分超过满分 {fmt_points(item.max)} 分")
            continue
        key = (cell.unit.id, item.no)
        if key in values and values[key][0] != pts:
            other = values[key][1]
            problems.append(
                f"{where}：{fmt_points(pts)} 分与 {other.place} 的"
                f" {fmt_points(values[key][0])} 分不一致"
            )
            continue
        values[key] = (pts, cell)
    if problems:
        raise RowErrors(f"{path}：有 {len(problems)} 处错误，没有导入任何分数：", problems)

    reason = (reason or "").strip() or None
    if values:
        # Everything that can refuse the import is checked BEFORE the automatic copy: a
        # refused file must not take a backup (and prune an older, real one).
        refuse_if_final(db, year)
        added, changed, unchanged, conflicts = _plan_import(db, year, values)
        _refuse_conflicts(path, conflicts, reason)
        if added or changed:
            from cdo.store.backup import auto_backup

            auto_backup(db)
    with transaction(db):
        refuse_if_final(db, year)
        # again inside the transaction: another clerk may have written meanwhile
        added, changed, unchanged, conflicts = _plan_import(db, year, values)
        _refuse_conflicts(path, conflicts, reason)
        now = timestamp()
        db.conn.executemany(
            _INSERT_SCORE, [(year, u, i, pts, note, now) for (u, i), pts, note in added],
        )
        db.conn.executemany(
            "UPDATE scores SET points = ?, updated_at = ?"
            " WHERE year = ? AND unit_id = ? AND item = ?",
            [(pts, now, year, u, i) for (u, i), pts, _ in changed],
        )
        import_id = None
        if added or changed:
            import_id = _record_import(db, year, paths, added, changed, now)
        audit.record_many(db, [
            {"entity": "score", "entity_id": _entity_id(year, u, i), "action": "import",
             "before": None, "after": {"points": pts, "note": note, "import_id": import_id},
             "unit_id": u}
            for (u, i), pts, note in added
        ] + [
            {"entity": "score", "entity_id": _entity_id(year, u, i), "action": "change",
             "before": {"points": old[0], "note": old[1]},
             "after": {"points": pts, "note": old[1], "import_id": import_id},
             "unit_id": u, "reason": reason}
            for (u, i), pts, old in changed
        ])
    units = {k[0] for k in values}
    return {"added": len(added), "changed": len(changed), "unchanged": unchanged,
            "units": len(units), "import_id": import_id, "warnings": result.warnings}


def _record_import(db: Database, year: int, paths: list[Path], added: list, changed: list,
                   now: str) -> int:
    """Keep what an import wrote and what each point was before (for `withdraw_import`)."""
    source = "、".join(p.name or str(p) for p in paths)
    iid: int = db.execute(
        "INSERT INTO score_imports (year, source, cells, created_at) VALUES (?,?,?,?)",
        [year, source, len(added) + len(changed), now]).lastrowid or 0
    db.conn.executemany(
        "INSERT INTO score_import_cells (import_id, unit_id, item, before_points, before_note,"
        " points) VALUES (?,?,?,?,?,?)",
        [(iid, u, i, None, None, pts) for (u, i), pts, _ in added]
        + [(iid, u, i, old[0], old[1], pts) for (u, i), pts, old in changed])
    audit.record(db, "score_import", iid, "import", None,
                 {"year": year, "source": source, "added": len(added),
                  "changed": len(changed)})
    return iid


def list_imports(db: Database, year: int) -> list[dict]:
    """The year's score imports, oldest first: id, created_at, source, cells, withdrawn_at,
    withdraw_reason."""
    check_year(year)
    cols = ["id", "created_at", "source", "cells", "withdrawn_at", "withdraw_reason"]
    return [dict(zip(cols, r, strict=True)) for r in db.execute(
        f"SELECT {', '.join(cols)} FROM score_imports WHERE year = ? ORDER BY id", [year])]


def withdraw_import(db: Database, year: int, import_id: int, reason: str) -> dict:
    """Take back one score import before the year is finalized: each point it added is
    removed and each it changed gets its old value back; audited with `reason`.

    Refused (StateError) if the year is finalized, or if any of those points has been
    changed since (by `score set` or a later import: withdraw that first), naming them.
    Returns {import_id, source, removed, restored}.
    """
    from cdo.store.db import transaction

    check_year(year)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError("撤回评分导入须用 --reason 写明理由")
    with transaction(db):
        refuse_if_final(db, year)
        row = db.execute(
            "SELECT id, year, source, created_at, withdrawn_at, withdraw_reason"
            " FROM score_imports WHERE id = ?", [import_id]).fetchone()
        if row is None or row[1] != year:
            known = [str(r["id"]) for r in list_imports(db, year) if not r["withdrawn_at"]]
            raise NotFoundError(
                f"{year} 年度没有第 {import_id} 次评分导入"
                + (f"（可撤回的导入编号：{'、'.join(known)}，见 cdo score imports --year {year}）"
                   if known else f"（{year} 年度没有可撤回的评分导入）"))
        if row[4]:
            raise StateError(f"第 {import_id} 次评分导入已于 {row[4][:10]} 撤回（{row[5]}）")
        cells = db.execute(
            "SELECT c.unit_id, c.item, c.before_points, c.before_note, c.points, s.points,"
            " s.note, u.name FROM score_import_cells c JOIN units u ON u.id = c.unit_id"
            " LEFT JOIN scores s ON s.year = ? AND s.unit_id = c.unit_id AND s.item = c.item"
            " WHERE c.import_id = ? ORDER BY c.unit_id, c.item", [year, import_id]).fetchall()
        moved = [
            f"{name} 第{item}项：导入为 {fmt_points(pts)} 分，现为 "
            + ("空" if now is None else f"{fmt_points(now)} 分")
            for _, item, _, _, pts, now, _, name in cells
            if now is None or round(now, 2) != round(pts, 2)
        ]
        if moved:
            raise RowErrors(
                f"第 {import_id} 次评分导入不能撤回：{len(moved)} 个分数在导入后又改过"
                "（请先撤回或改回后来的修改）：", moved)
        removed = [(u, i) for u, i, before, *_ in cells if before is None]
        restored = [(before, note, u, i) for u, i, before, note, *_ in cells
                    if before is not None]
        db.conn.executemany("DELETE FROM scores WHERE year = ? AND unit_id = ? AND item = ?",
                            [(year, u, i) for u, i in removed])
        stamp = timestamp()
        db.conn.executemany(
            "UPDATE scores SET points = ?, note = ?, updated_at = ?"
            " WHERE year = ? AND unit_id = ? AND item = ?",
            [(before, note, stamp, year, u, i) for before, note, u, i in restored])
        db.execute("UPDATE score_imports SET withdrawn_at = ?, withdraw_reason = ? WHERE id = ?",
                   [stamp, reason, import_id])
        audit.record_many(db, [
            {"entity": "score", "entity_id": _entity_id(year, u, i), "action": "withdraw",
             "before": {"points": pts, "note": note},
             "after": None if before is None else {"points": before, "note": bnote},
             "unit_id": u, "reason": reason}
            for u, i, before, bnote, pts, _, note, _ in cells
        ])
        audit.record(db, "score_import", import_id, "withdraw",
                     {"year": year, "source": row[2], "created_at": row[3]},
                     {"removed": len(removed), "restored": len(restored)}, reason=reason)
    return {"import_id": import_id, "source": row[2], "removed": len(removed),
            "restored": len(restored)}


def _plan_import(db: Database, year: int, values: dict) -> tuple[list, list, int, list[str]]:
    """What importing `values` would do: (added, changed, unchanged count, conflicts)."""
    existing = {
        (u, i): (p, n)
        for u, i, p, n in db.execute(
            "SELECT unit_id, item, points, note FROM scores WHERE year = ?", [year]
        )
    }
    added, changed, unchanged, conflicts = [], [], 0, []
    for key, (pts, cell) in values.items():
        old = existing.get(key)
        if old is None:
            added.append((key, pts, f"导入自 {cell.place.split('，')[0]}"))
        elif round(old[0], 2) == pts:
            unchanged += 1
        else:
            changed.append((key, pts, old))
            conflicts.append(
                f"{cell.place}（{cell.unit.name}，第{key[1]}项）："
                f"已有 {fmt_points(old[0])} 分，"
                f"文件中为 {fmt_points(pts)} 分"
            )
    return added, changed, unchanged, conflicts


def _refuse_conflicts(path: Path, conflicts: list[str], reason: str | None) -> None:
    if conflicts and not reason:
        raise RowErrors(
            f"{path}：{len(conflicts)} 个分数与已录入的不同，"
            "修改已有分数须加 --reason 写明理由；没有导入任何分数：",
            conflicts,
        )


def scoring_has_value(raw: Any) -> bool:
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


MAX_GRID_ROWS = 10_000  # a grid has a row per unit; more is not a score file
# A row of a score grid that sums or explains the units above it, not a unit: skipped as
# the problem-list importer skips its 合计 rows.
SUMMARY_ROW_WORDS = ("合计", "总计", "小计", "共计", "平均", "分值", "满分", "标准分", "最高分",
                     "最低分")
_NOTE_ROW = re.compile(r"^(注|说明|备注|填表|制表|审核|联系人)\s*\d*\s*[:：、.]")


def is_summary_row(unit_text: str) -> bool:
    """True for a 合计/平均分/分值 row or a note line where a unit name would be."""
    from cdo.sheets.read import normalize_label

    label = normalize_label(unit_text)
    return any(label.startswith(w) for w in SUMMARY_ROW_WORDS) or bool(
        _NOTE_ROW.match(unit_text))


def _grid_unit_column(rows: list[list[Any]], header_row: int, unit_labels: set[str],
                      index: UnitIndex, table: Table) -> int:
    """The column holding unit names: the one headed 单位/单位名称 on the item-number row
    or on a row just above it (a two-row header: 序号 | 单位名称 | 日常履职 … over 1 | 2 …),
    else the column whose cells below the header name the most registered units, else
    the first column."""
    from cdo.sheets.read import clean_text, normalize_label

    for r in range(header_row, max(header_row - 3, -1), -1):
        for c, v in enumerate(rows[r]):
            if normalize_label(v) in unit_labels:
                return c
    from cdo.sheets.score_sheet import item_header

    first_item = next((c for c, v in enumerate(rows[header_row])
                       if item_header(v, table).no is not None), 0)
    best, best_hits = 0, 0
    for c in range(first_item):
        hits = 0
        for row in rows[header_row + 1:header_row + 201]:
            text = clean_text(row[c]) if c < len(row) else ""
            if not text or parse_item_label(text) is not None:
                continue
            try:
                index.resolve(text)
            except CdoError:
                continue
            hits += 1
        if hits > best_hits:
            best, best_hits = c, hits
    return best


def read_points_grid(path: Path, table: Table, index: UnitIndex) -> ReadResult:
    """Read a grid: a header row of items (numbers, 第N项, the item's wording, or a number
    and wording: 4.数据普查登记), one row per unit (unit in the first column, or under a
    单位/单位名称/考评对象 header). Every bad header or unit is a problem; a column that
    is not an item and not a known extra (合计, 备注 …) is named in a warning; 合计,
    平均分 and 分值 rows are skipped."""
    from openpyxl.utils import get_column_letter

    from cdo.sheets.read import clean_text, hidden_said, normalize_label, read_table
    from cdo.sheets.score_sheet import find_grid_header, item_header, note_years

    result = ReadResult()
    unit_labels = {normalize_label(h) for h in GRID_UNIT_HEADERS}
    found_any = False
    sheets = read_table(path, max_rows=MAX_GRID_ROWS)
    if sheets.hidden:
        result.warnings.append(f"{path.name}：{hidden_said(sheets.hidden)}（隐藏的工作表不作为数据导入）")
    formulas = formula_cells(path)
    for sheet in sheets:
        fcells = formulas.get(sheet.name, set())
        where_sheet = path.name
        if path.suffix.lower() != ".csv":
            where_sheet += f"，工作表“{sheet.name}”"
        header_row = find_grid_header(sheet.rows, table)
        if header_row is None:
            continue
        found_any = True
        note_years(result, path, None if path.suffix.lower() == ".csv" else sheet.name,
                   sheet.rows, header_row)
        header = sheet.rows[header_row]
        unit_col = _grid_unit_column(sheet.rows, header_row, unit_labels, index, table)
        item_cols: dict[int, int] = {}
        for c, v in enumerate(header):
            if c == unit_col or not clean_text(v):
                continue
            ref = f"{get_column_letter(c + 1)}{header_row + 1}"
            place = f"{where_sheet}，第{header_row + 1}行 {ref}"
            h = item_header(v, table)
            if h.problem is not None:
                result.problems.append(f"{place}：{h.problem}")
            elif h.no is None:
                if not h.other:
                    result.warnings.append(
                        f"{place}：表头“{clean_text(v)}”不是附件2的项目，这一列没有读取")
            elif h.no in item_cols.values():
                result.problems.append(f"{place}：第{h.no}项的列重复出现")
            else:
                item_cols[c] = h.no
        seen_units: dict[int, int] = {}
        for r in range(header_row + 1, len(sheet.rows)):
            row = sheet.rows[r]
            unit_text = clean_text(row[unit_col]) if unit_col < len(row) else ""
            cells = {c: (row[c] if c < len(row) else None) for c in item_cols}
            has_values = any(clean_text(v) for v in cells.values())
            if not unit_text and (r, unit_col) in fcells:
                ref = f"{get_column_letter(unit_col + 1)}{r + 1}"
                result.problems.append(f"{where_sheet}，{ref}：单位名称{FORMULA_HINT}")
                continue
            if not unit_text:
                labels = [clean_text(v) for c, v in enumerate(row)
                          if c != unit_col and c not in item_cols and isinstance(v, str)]
                if any(is_summary_row(t) for t in labels if t):
                    continue  # 合计/分值 written in 序号, 类别 or another column
                if has_values:
                    result.problems.append(f"{where_sheet}，第{r + 1}行：没有写单位名称")
                continue
            if is_summary_row(unit_text):
                continue
            try:
                unit = index.resolve(unit_text)
            except (NotFoundError, InvalidInputError) as e:
                ref = f"{get_column_letter(unit_col + 1)}{r + 1}"
                result.problems.append(f"{where_sheet}，第{r + 1}行 {ref}：{e}")
                continue
            if unit.id in seen_units:
                result.problems.append(
                    f"{where_sheet}，第{r + 1}行：{unit.name} 与第{seen_units[unit.id]}行重复"
                )
                continue
            seen_units[unit.id] = r + 1
            result.sources += 1
            for c, no in item_cols.items():
                raw = cells[c]
                if isinstance(raw, str) and not clean_text(raw):
                    raw = None
                ref = f"{get_column_letter(c + 1)}{r + 1}"
                if raw is None and (r, c) in fcells:
                    result.problems.append(
                        f"{where_sheet}，{ref}（{unit.name}，第{no}项）：{FORMULA_HINT}")
                    continue
                if raw is None:
                    continue
                result.cells.append(Cell(unit, no, raw, f"{where_sheet}，{ref}"))
    if not found_any:
        result.problems.append(
            f"{path.name}：找不到项目序号的表头行（第一行写 单位、1、2、4、5…17，每个单位一行）"
        )
    return result


# ----------------------------------------------------------------------------- evidence

@dataclass
class Evidence:
    """What the records say about one unit in one year."""

    events: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    # (held_on, kind, title, attendance status or None)
    plan_on: dt.date | None = None
    summary_on: dt.date | None = None
    problems: list[tuple[int, scoring.ProblemFacts, str]] = field(default_factory=list)
    # (problem id, facts, resource)
    missed: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    # problem id -> (the rule's deadline, first day late) for a problem that was overdue
    # and then got a later, negotiated deadline


def gather_evidence(db: Database, year: int, as_of: dt.date,
                    unit_ids: Iterable[int] | None = None) -> dict[int, Evidence]:
    """The records behind items 1, 2 and 11, for each unit (all units if none given),
    as they stood on `as_of`: only meetings and trainings held, plans and summaries
    received, and problems issued on or before it count, and a rectification or
    lateness after it does not count yet (a problem changed after it is replayed).

    The year's problems are those whose `month` falls in the year (the check month of a
    spot-check problem, the recorded month of a user report) — the rule of the monthly
    and annual reports.

    Reads the tables meetings/attendance, duty_reports and problems directly.
    """
    from cdo.problems.model import changed_after, state_as_of

    first, last = f"{year}-01-01", f"{year}-12-31"
    day = as_of.isoformat()
    last = min(last, day)
    ids = list(unit_ids) if unit_ids is not None else [
        r[0] for r in db.execute("SELECT id FROM units ORDER BY id")
    ]
    ev = {uid: Evidence() for uid in ids}
    meetings = db.execute(
        "SELECT id, held_on, kind, title FROM meetings WHERE held_on BETWEEN ? AND ?"
        " ORDER BY held_on, id",
        [first, last],
    ).fetchall()
    status: dict[tuple[int, int], str] = {
        (m, u): s
        for m, u, s in db.execute(
            "SELECT a.meeting_id, a.unit_id, a.status FROM attendance a"
            " JOIN meetings m ON m.id = a.meeting_id WHERE m.held_on BETWEEN ? AND ?",
            [first, last],
        )
    }
    for uid, e in ev.items():
        e.events = [(held, kind, title, status.get((mid, uid)))
                    for mid, held, kind, title in meetings]
    for uid, kind, received in db.execute(
        "SELECT unit_id, kind, received_on FROM duty_reports WHERE year = ? AND received_on <= ?",
        [year, day],
    ):
        if uid in ev:
            if kind == "plan":
                ev[uid].plan_on = from_iso(received)
            else:
                ev[uid].summary_on = from_iso(received)
    later = changed_after(db, as_of)
    for pid, uid, due, status_, rect, closed, late, resource, original in db.execute(
        "SELECT id, unit_id, due_on, status, rectified_on, closed_on, first_late_on, resource,"
        " original_due_on FROM problems WHERE month BETWEEN ? AND ? AND issued_on <= ?"
        " ORDER BY issued_on, id",
        [f"{year:04d}-01", f"{year:04d}-12", day],
    ):
        if uid not in ev:
            continue
        if pid in later:
            then = state_as_of({"original_due_on": original}, later[pid], as_of)
            status_, due, rect, closed = (then["status"], then["due_on"], then["rectified_on"],
                                          then["closed_on"])
        fixed = (from_iso(rect) or from_iso(closed)) if status_ in ("rectified", "closed") else None
        if fixed is not None and fixed > as_of:
            fixed = None
        late_on = from_iso(late)
        ever_late = late_on is not None and late_on <= as_of
        facts = scoring.ProblemFacts(dt.date.fromisoformat(due[:10]), fixed, ever_late)
        ev[uid].problems.append((pid, facts, resource))
        first_due, now_due = from_iso(original), from_iso(due)
        # late before the negotiated date was even due: it was the rule's deadline missed
        if ever_late and late_on and first_due and now_due and first_due < now_due \
                and late_on <= now_due:
            ev[uid].missed[pid] = (first_due, late_on)
    return ev


_KIND = {"meeting": "会议", "training": "培训"}


def suggest_for(table: Table, year: int, e: Evidence, as_of: dt.date) -> list[dict]:
    """Suggested points for items 1, 2 and 11 with their basis and records."""
    out = []
    # item 1
    item = table.by_no[1]
    statuses = [s for *_, s in e.events]
    s1 = scoring.suggest_attendance(statuses, item.max)
    if e.events:
        tally = dict.fromkeys(("present", "deputy", "excused", "absent"), 0)
        for s in statuses:
            tally[s or "absent"] = tally.get(s or "absent", 0) + 1
        meetings = sum(1 for ev_ in e.events if ev_[1] == "meeting")
        basis = (f"会议{meetings}次、培训{len(e.events) - meetings}次：" +
                 "、".join(f"{scoring.ATTENDANCE_NAMES[k]}{v}" for k, v in tally.items() if v))
        records = [f"{held} {_KIND.get(kind, kind)}《{title}》："
                   f"{scoring.ATTENDANCE_NAMES.get(s, s) if s else '无出勤记录（按缺席计）'}"
                   for held, kind, title, s in e.events]
    else:
        basis, records = f"{year} 年没有会议或培训记录，无建议", []
    out.append({"item": 1, "suggested": s1, "basis": basis, "records": records})
    # item 2
    item = table.by_no[2]
    s2 = scoring.suggest_reports(year, e.plan_on, e.summary_on, item.max)
    parts, records = [], []
    for what, got, due, note in (
        ("工作计划", e.plan_on, scoring.plan_deadline(year), "，期限为本工具假定"),
        ("工作总结", e.summary_on, scoring.summary_deadline(year), ""),
    ):
        if got is None:
            parts.append(f"{what}未收到")
            records.append(f"{what}：未收到（期限 {due}{note}）")
        else:
            verdict = "按时" if got <= due else "逾期"
            parts.append(f"{what}{verdict}")
            records.append(f"{what}：{got} 收到（期限 {due}，{verdict}{note}）")
    out.append({"item": 2, "suggested": s2, "basis": "，".join(parts), "records": records})
    # item 11
    item = table.by_no[11]
    counts = scoring.outcome_counts((p for _, p, _ in e.problems), as_of)
    s11 = scoring.suggest_rectification(counts, item.max)
    if counts["found"]:
        basis = (f"问题{counts['found']}个：按期整改{counts['on_time']}、逾期整改{counts['late']}、"
                 f"逾期未改{counts['overdue']}、未到期{counts['pending']}")
        if e.missed:
            basis += f"（其中{len(e.missed)}个原期限已逾期后才协商延期，按逾期计）"
    else:
        basis = f"{year} 年没有下发给该单位的问题，按满分"
    names = {"on_time": "按期整改", "late": "逾期整改", "overdue": "逾期未整改",
             "pending": "未到期"}
    def deadline(pid: int, p: scoring.ProblemFacts) -> str:
        if pid in e.missed:
            first, late = e.missed[pid]
            return (f"原期限 {first} 未按期整改（{late} 起逾期），"
                    f"逾期后协商延期至 {p.due_on}，")
        return f"期限 {p.due_on}，"

    records = [
        f"问题 #{pid}《{res}》：" + deadline(pid, p)
        + (f"{p.rectified_on} 整改，" if p.rectified_on else "")
        + names[scoring.problem_outcome(p, as_of)]
        for pid, p, res in e.problems
    ]
    out.append({"item": 11, "suggested": s11, "basis": basis, "records": records})
    return out


def suggestion_rows(db: Database, year: int, as_of: dt.date,
                    unit_text: str | None = None) -> list[dict]:
    """Suggested vs entered points, one row per unit and item (1, 2, 11, and the items
    the evidence supports: 4, 5, 7, 8, 10, 12, 13, 16).

    Keys: unit, item, suggested, entered, basis, records.
    """
    check_year(year)
    table = scoring.load_table()
    index = UnitIndex.load(db)
    units = [index.resolve(unit_text)] if unit_text else index.units
    evidence = gather_evidence(db, year, as_of, [u.id for u in units])
    from cdo.evaluation.evidence import suggestions as evidence_suggestions

    more = evidence_suggestions(db, year, as_of, [u.id for u in units])  # items 4, 5, 7 …
    points = year_points(db, year)
    rows = []
    for u in units:
        found = suggest_for(table, year, evidence[u.id], as_of) + more[u.id]
        for s in sorted(found, key=lambda s: s["item"]):
            rows.append({
                "unit": u.name,
                "unit_id": u.id,
                "item": s["item"],
                "suggested": s["suggested"],
                "entered": points.get(u.id, {}).get(s["item"]),
                "basis": s["basis"],
                "records": s["records"],
            })
    return rows


def apply_suggestions(db: Database, year: int, rows: Sequence[dict]) -> int:
    """Write the suggestions where nothing is entered yet; returns how many were written."""
    from cdo.store.db import transaction

    with transaction(db):
        refuse_if_final(db, year)
        existing = {(u, i) for u, i in db.execute(
            "SELECT unit_id, item FROM scores WHERE year = ?", [year])}
        todo = [r for r in rows if r["suggested"] is not None
                and (r["unit_id"], r["item"]) not in existing]
        now = timestamp()
        db.conn.executemany(
            _INSERT_SCORE,
            [(year, r["unit_id"], r["item"], r["suggested"], f"按记录建议：{r['basis']}", now)
             for r in todo],
        )
        audit.record_many(db, [
            {"entity": "score", "entity_id": _entity_id(year, r["unit_id"], r["item"]),
             "action": "apply-suggestion", "before": None,
             "after": {"points": r["suggested"], "note": f"按记录建议：{r['basis']}"},
             "unit_id": r["unit_id"]}
            for r in todo
        ])
    return len(todo)


# ----------------------------------------------------------------------------- freezing

def finalize(db: Database, year: int, allow_incomplete: bool = False) -> dict:
    """Freeze the year; returns {'fingerprint', 'finalized_at', 'incomplete'}.

    Refuses a year with no points, and one with incomplete units unless allowed.
    """
    from cdo.store.db import transaction

    check_year(year)
    with transaction(db):
        state = year_state(db, year)
        if state:
            raise StateError(
                f"{year} 年度评分已于 {state['finalized_at'][:10]} 定稿，指纹 "
                f"{scoring.short_fingerprint(state['fingerprint'])}"
            )
        rows = ranking_rows(db, year)
        if not db.execute("SELECT 1 FROM scores WHERE year = ? LIMIT 1", [year]).fetchone():
            raise StateError(f"{year} 年度还没有录入任何评分，无法定稿")
        incomplete = [r for r in rows if not r["complete"]]
        if incomplete and not allow_incomplete:
            names = "、".join(r["unit"] for r in incomplete[:10])
            more = f"等 {len(incomplete)} 个单位" if len(incomplete) > 10 else ""
            raise StateError(
                f"{year} 年度还有单位未评完：{names}{more}。"
                "请先补齐，或确认后加 --allow-incomplete 定稿"
            )
        fp = compute_fingerprint(db, year)
        at = timestamp()
        db.execute(
            "INSERT INTO score_years (year, finalized_at, fingerprint) VALUES (?,?,?)"
            " ON CONFLICT (year) DO UPDATE SET finalized_at = excluded.finalized_at,"
            " fingerprint = excluded.fingerprint",
            [year, at, fp],
        )
        audit.record(db, "score_year", year, "finalize", None,
                     {"fingerprint": fp, "incomplete": len(incomplete)})
    return {"fingerprint": fp, "finalized_at": at, "incomplete": len(incomplete)}


def reopen(db: Database, year: int, reason: str) -> dict:
    """Unfreeze a finalized year, recording the reason; returns the old state."""
    from cdo.store.db import transaction

    check_year(year)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError("重新打开已定稿的年度须用 --reason 写明理由")
    with transaction(db):
        state = year_state(db, year)
        if not state:
            raise StateError(f"{year} 年度评分没有定稿，无须重新打开")
        db.execute("UPDATE score_years SET finalized_at = NULL, fingerprint = NULL WHERE year = ?",
                   [year])
        audit.record(db, "score_year", year, "reopen", state, None, reason=reason)
    return state


# ----------------------------------------------------------------------------- demo

DEMO_YEAR = 2023


def load_demo(db: Database) -> str:
    """Demo step: the 2023 points of every demo unit. Items 1, 2 and 11 come from the
    unit's records where it has any (as `score suggest` computes them); two units tie;
    three are left incomplete (no third-party score yet, or items 11 and 12 not entered)."""
    import hashlib

    year = DEMO_YEAR
    table = scoring.load_table()
    units = UnitIndex.load(db).units
    if not units:
        return "评价：没有单位，未录入评分"
    as_of = dt.date(2024, 1, 15)
    evidence = gather_evidence(db, year, as_of, [u.id for u in units])

    def jitter(*key: object) -> float:
        digest = hashlib.sha256("/".join(map(str, key)).encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32

    points: dict[int, dict[int, float]] = {}
    for u in units:
        level = 0.62 + 0.33 * jitter(u.name)
        pts = {}
        for item in table.items:
            share = min(1.0, max(0.3, level + 0.2 * (jitter(u.name, item.no) - 0.5)))
            pts[item.no] = round(item.max * share * 2) / 2  # whole or half points
        # the demo's duty records cover a few units only: the others keep made-up points
        e = evidence[u.id]
        recorded = {1: any(s for *_, s in e.events), 2: bool(e.plan_on or e.summary_on),
                    11: True}
        for s in suggest_for(table, year, e, as_of):
            if s["suggested"] is not None and recorded[s["item"]]:
                pts[s["item"]] = s["suggested"]
        points[u.id] = pts
    ties = 0
    if len(units) >= 6:  # the 2nd and 5th units tie
        points[units[4].id] = dict(points[units[1].id])
        ties = 1
    incomplete = units[-3:] if len(units) >= 8 else []
    for k, u in enumerate(incomplete):
        for no in ((17,), (17,), (11, 12))[k]:
            points[u.id].pop(no, None)
    now = timestamp()
    rows = [(year, uid, no, p, "演示数据", now) for uid, pts in points.items()
            for no, p in pts.items()]
    db.conn.executemany(_INSERT_SCORE, rows)
    audit.record_many(db, [
        {"entity": "score", "entity_id": _entity_id(year, uid, no), "action": "import",
         "after": {"points": p, "note": "演示数据"}, "unit_id": uid}
        for _, uid, no, p, _, _ in rows
    ])
    return (f"评价：{year} 年度 {len(units)} 个单位录入评分 {len(rows)} 项"
            f"（第1、2、11项按记录计算），{len(incomplete)} 个单位未评完，{ties} 组并列；"
            f"排名见 cdo score --year {year}")
