"""Reading a monthly problem-data list (问题数据清单) and recording it as one spot-check.

The list is the spreadsheet the office already uses: a header row somewhere near the top
naming 责任单位, 数据资源名称, 问题类型 (or 质量维度/问题维度), 问题描述 and 问题数据量, with
序号 and any other columns optional. The whole list goes in, or — if any row is bad — none
of it does, and every bad row is named with its row number and reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdo.dates import timestamp
from cdo.errors import FileReadError, InvalidInputError
from cdo.problems.model import (
    DIMENSION_NAMES,
    DIMENSION_RULE_TEXT,
    NewProblem,
    description_error,
    dimension_rule,
    insert_problems,
    parse_dimension,
    parse_records,
)
from cdo.sheets.read import (
    AmbiguousHeaderError,
    clean_text,
    find_header,
    iter_records,
    normalize_label,
    sheet_place,
)
from cdo.sheets.rows import (
    HEADER_NOTE,
    At,
    Row,
    collect_rows,
    fill_merged,
    is_unfilled,
    try_reason,
)

if TYPE_CHECKING:
    from cdo.store.db import Database

FIELDS: dict[str, list[str]] = {
    "seq": ["序号", "编号", "No", "No."],
    "unit": ["责任单位", "责任单位名称", "数据提供单位", "数据提供方", "提供单位", "单位名称",
             "责任部门", "数据责任单位", "数源单位", "数源部门", "unit"],
    "resource": ["数据资源名称", "资源名称", "数据资源", "数据目录名称", "目录名称",
                 "信息资源名称", "资源目录名称", "数据资源目录名称", "resource"],
    "dimension": ["问题类型", "质量维度", "问题维度", "问题分类", "问题类别", "质量问题类型",
                  "dimension"],
    "description": ["问题描述", "问题说明", "问题详情", "具体问题", "问题内容", "存在问题",
                    "description"],
    "records": ["问题数据量", "问题数据条数", "问题数据数量", "问题条数", "数据量", "问题数量",
                "问题记录数", "问题数据记录数", "涉及数据量", "涉及条数", "records"],
}
REQUIRED = ("unit", "resource", "dimension", "description")
HEADERS_CN = {"unit": "责任单位", "resource": "数据资源名称", "dimension": "问题类型",
              "description": "问题描述", "records": "问题数据量"}
TEMPLATE_HEADERS = ["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量",
                    "备注"]

_FOOT_WORDS = ("合计", "总计", "小计", "共计")
_NOTE_STARTS = ("注", "说明", "填表", "备注", "附注", "审核", "制表", "联系人", "联系电话",
                "负责人", "签发", "签字", "盖章", "单位盖章", "日期")
MAX_LIST_ROWS = 100_000  # a month's problem list; more is refused before it is kept


@dataclass
class ParsedList:
    problems: list[NewProblem]
    sheets: list[str]
    mapped: dict[str, int] = field(default_factory=dict)  # 一致性 → rows recorded by rule
    hidden: list[str] = field(default_factory=list)  # hidden sheets passed over


def _is_footer(rec: dict[str, Any]) -> bool:
    """A totals row or a note under the table, not a problem."""
    texts = {k: clean_text(v) for k, v in rec.items()}
    filled = [k for k in ("unit", "resource", "dimension", "description") if texts.get(k)]
    first = texts.get("seq") or texts.get("unit") or ""
    norm = normalize_label(first)
    if any(norm.startswith(w) for w in _FOOT_WORDS) and len(filled) <= 1:
        return True
    return len(filled) <= 1 and norm.startswith(_NOTE_STARTS) and len(first) > 1 and not (
        texts.get("dimension") or texts.get("description"))


def _is_signature(rec: dict[str, Any]) -> bool:
    """A line under the table such as 填表人：… 审核人：… 联系电话：…: labels with a colon,
    and neither 责任单位 nor 数据资源名称."""
    if any(clean_text(rec.get(k)) for k in ("unit", "resource")):
        return False
    texts = [clean_text(v) for v in rec.values() if clean_text(v)]
    return bool(texts) and all(
        normalize_label(t).startswith(_NOTE_STARTS) or re.match(r"^[^:：]{1,8}[:：]", t)
        for t in texts)


def _header_rows(rows: list[list[Any]], scan: int = 30) -> list[list[Any]]:
    """The first rows as header candidates: bracketed notes and line breaks taken out of
    text cells, and each row combined with the one below it, for two-level headers
    (问题情况 over 问题类型 | 问题描述 | 问题数据量) whose upper cells are merged down."""
    def label(v: Any) -> Any:
        return HEADER_NOTE.sub("", v) if isinstance(v, str) else v

    return [[label(v) for v in row] for row in rows[:scan]]


def _find_list_header(sheet, where: str = "") -> Any:
    """Where the list's header is: one row naming every column, or two rows together."""
    head = _header_rows(sheet.rows)
    header = find_header(head, FIELDS, REQUIRED, where=where, shown=sheet.rows)
    if header is not None:
        return header

    def combine(upper: list[Any], lower: list[Any], width: int) -> list[Any]:
        return [(lower[c] if c < len(lower) and clean_text(lower[c]) else
                 upper[c] if c < len(upper) else None) for c in range(width)]

    for r in range(len(head) - 1):
        width = max(len(head[r]), len(head[r + 1]))
        combined = combine(head[r], head[r + 1], width)
        shown = combine(sheet.rows[r], sheet.rows[r + 1], width)
        try:
            found = find_header([combined], FIELDS, REQUIRED, where=where, shown=[shown])
        except AmbiguousHeaderError as e:  # name the two rows the header was read from
            raise AmbiguousHeaderError(str(e).replace(
                f"{where}第 1 行表头", f"{where}第 {r + 1}—{r + 2} 行表头", 1)) from None
        if found is not None:
            found.row = r + 1  # the data starts below the lower header row
            return found
    return None


def read_problem_list(db: Database, path: Path, only: str | None = None) -> ParsedList:
    """Read and validate a problem list; raise RowErrors naming every bad row.

    Every sheet with the list's header is read, unless `only` names one."""
    from cdo.roster.units import RowUnits
    from cdo.sheets.read import Sheets, read_table

    path = Path(path)
    sheets = read_table(path, max_rows=MAX_LIST_ROWS)
    hidden = sheets.hidden
    if only is not None:
        wanted = [s for s in sheets if normalize_label(s.name) == normalize_label(only)]
        if not wanted and any(normalize_label(h) == normalize_label(only) for h in hidden):
            raise FileReadError(f"{path}：工作表“{only}”是隐藏的，隐藏的工作表不作为数据导入；"
                                "确要导入，请在 Excel/WPS 中取消隐藏后另存再导入")
        if not wanted:
            raise FileReadError(
                f"{path}：没有名为“{only}”的工作表（有：{'、'.join(s.name for s in sheets)}）")
        sheets = Sheets(wanted, hidden)
    found = []
    for sheet in sheets:
        header = _find_list_header(sheet, sheet_place(path, sheet.name))
        if header is not None:
            found.append((sheet, header))
    if not found:
        names = "、".join(HEADERS_CN[k] for k in REQUIRED)
        raise FileReadError(
            f"{path}：没有找到问题清单的表头（须有 {names} 这几列），"
            "可用 cdo spotcheck template 生成一份空白清单对照"
        )
    # Units often merge 责任单位 down a group of rows; re-read with merges only if needed.
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods", ".et") and any(
        any(clean_text(rec.get(k)) == "" for k in REQUIRED)
        for sheet, header in found for _, rec in iter_records(sheet.rows, header)
    ):
        merged = {s.name: s for s in read_table(path, merged=True, max_rows=MAX_LIST_ROWS)}
        found = [(merged[s.name], h) for s, h in found]
        for sheet, _ in found:
            fill_merged(sheet)

    units = RowUnits(db)
    mapped: dict[str, int] = {}

    def problem(rec: dict[str, Any], at: At, reasons: list[str]) -> NewProblem | None:
        unit = try_reason(reasons, units.resolve, clean_text(rec.get("unit")))
        resource = clean_text(rec.get("resource"))
        if not resource:
            reasons.append("数据资源名称为空")
        dim_text = clean_text(rec.get("dimension"))
        dim = None
        if not dim_text:
            reasons.append("问题类型为空（应为 准确性、时效性、完整性 或 规范性）")
        else:
            try:
                dim = parse_dimension(dim_text)
                if (rule := dimension_rule(dim_text)) is not None:
                    mapped[rule] = mapped.get(rule, 0) + 1
            except InvalidInputError:
                reasons.append(f"问题类型“{dim_text}”不认识"
                               "（应为 准确性、时效性、完整性 或 规范性）")
        description = clean_text(rec.get("description"))
        if not description:
            reasons.append("问题描述为空")
        elif (why := description_error(description)) is not None:
            reasons.append(why)
        count = try_reason(reasons, parse_records, rec.get("records"))
        if unit is None or dim is None:
            return None
        return NewProblem(unit, resource, dim, description, count, row=at.row)

    rows: list[Row] = []
    many = len(found) > 1
    for sheet, header in found:
        where = f"工作表“{sheet.name}”" if many else ""
        records = list(iter_records(sheet.rows, header))
        # Signature lines (填表人：… 审核人：…) at the foot of the table are not problems.
        while records and (_is_signature(records[-1][1]) or _is_footer(records[-1][1])
                           or is_unfilled(records[-1][1])):
            records.pop()
        rows += [(where, rownum, rec) for rownum, rec in records if not _is_footer(rec)]
    problems = collect_rows(path, rows, problem, "清单", "问题数据")
    return ParsedList(problems, [s.name for s, _ in found], mapped, hidden)


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_month(month: str, issued_on: dt.date) -> None:
    if issued_on.strftime("%Y-%m") < month:
        raise InvalidInputError(f"下发日期 {issued_on} 早于抽查月份 {month}")


def record_spotcheck(
    db: Database,
    *,
    month: str,
    issued_on: dt.date,
    problems: list[NewProblem],
    source_file: str | None = None,
    digest: str | None = None,
    again: bool = False,
) -> dict:
    """Record one monthly check with its problems in one transaction.

    Refuses, unless `again`, a list already recorded: the same file, or the same
    problems for the same month (see `same_list`). Returns {spotcheck_id, month,
    issued_on, due_on, provisional, problems, units, ids}.
    """
    from cdo.problems.model import compute_deadline
    from cdo.store import audit, calendar_store
    from cdo.store.db import transaction

    _check_month(month, issued_on)
    cal = calendar_store.load_calendar(db)
    with transaction(db):
        if not again:
            refuse_same_list(db, month, problems, digest)
        now = timestamp()
        sid = db.execute(
            "INSERT INTO spotchecks (month, issued_on, source_file, file_hash, problems,"
            " created_at) VALUES (?,?,?,?,?,?)",
            [month, issued_on.isoformat(), source_file, digest, len(problems), now],
        ).lastrowid
        audit.record(db, "spotcheck", sid, "add", None,
                     {"month": month, "issued_on": issued_on.isoformat(),
                      "source_file": source_file, "problems": len(problems)})
        ids = insert_problems(db, problems, source="spotcheck", issued_on=issued_on,
                              month=month, spotcheck_id=sid, cal=cal)
    dl = compute_deadline(cal, issued_on, "spotcheck")
    return {"spotcheck_id": sid, "month": month, "issued_on": issued_on.isoformat(),
            "due_on": dl.due.isoformat(), "provisional": dl.provisional,
            "problems": len(ids), "units": len({p.unit.id for p in problems}),
            "ids": ids}


def import_spotcheck(db: Database, path: Path, *, month: str, issued_on: dt.date,
                     sheet: str | None = None, again: bool = False) -> dict:
    """`cdo spotcheck new`: read, validate and record a problem list (all or nothing).

    A list already imported is refused unless `again` (see `record_spotcheck`)."""
    path = Path(path)
    _check_month(month, issued_on)
    parsed = read_problem_list(db, path, sheet)
    digest = file_hash(path)
    if not again:  # before the automatic copy: a refused list takes no backup
        refuse_same_list(db, month, parsed.problems, digest)
    from cdo.store.backup import auto_backup

    auto_backup(db)
    result = record_spotcheck(db, month=month, issued_on=issued_on, problems=parsed.problems,
                              source_file=path.name, digest=digest, again=again)
    result["sheets"] = parsed.sheets
    result["mapped"] = parsed.mapped
    result["hidden_sheets"] = parsed.hidden
    return result


def _list_key(rows: Any) -> list[tuple[int, str, str, str]]:
    """What makes two lists the same list: their (unit, resource, dimension,
    description) rows, compared as the importer compares labels (no spaces, no
    punctuation, full and half width alike), in any order."""
    return sorted((unit_id, normalize_label(resource), dimension, normalize_label(text))
                  for unit_id, resource, dimension, text in rows)


def same_list(db: Database, month: str, problems: list[NewProblem]) -> tuple | None:
    """The earlier check of `month` (not withdrawn) whose problems are exactly these
    — whatever file they came in: (id, month, issued_on, source_file, created_at)."""
    key = _list_key((p.unit.id, p.resource, p.dimension, p.description) for p in problems)
    checks = db.conn.execute(
        "SELECT id, month, issued_on, source_file, created_at FROM spotchecks"
        " WHERE month = ? AND withdrawn_at IS NULL AND problems = ? ORDER BY id",
        [month, len(problems)],
    ).fetchall()
    for check in checks:
        rows = db.conn.execute(
            "SELECT unit_id, resource, dimension, description FROM problems"
            " WHERE spotcheck_id = ?", [check[0]]).fetchall()
        if _list_key(rows) == key:
            return tuple(check)
    return None


def refuse_same_list(db: Database, month: str, problems: list[NewProblem],
                     digest: str | None) -> None:
    """Raise InvalidInputError if this list (same file, or same problems for the same
    month) was imported before and not withdrawn, naming that import; or if some of its
    problems were (a corrected list repeating an earlier one), naming those rows."""
    again = "；如确是再次抽查发现了同样的问题，请加 --again 再导入"
    if digest:
        dup = db.conn.execute(
            "SELECT id, month, issued_on, source_file FROM spotchecks"
            " WHERE file_hash = ? AND withdrawn_at IS NULL", [digest]
        ).fetchone()
        if dup:
            raise InvalidInputError(
                f"这份清单已经导入过（抽查编号 {dup[0]}，{dup[1]}，{dup[2]} 下发，"
                f"文件 {dup[3]}），未重复导入{again}")
    dup = same_list(db, month, problems)
    if dup:
        raise InvalidInputError(
            f"这份清单已经导入过：与抽查编号 {dup[0]}（{dup[1]}，{dup[2]} 下发，文件 {dup[3]}，"
            f"{dup[4][:10]} 导入）的 {len(problems)} 个问题完全相同"
            f"（责任单位、数据资源名称、问题类型、问题描述逐行一致），未重复导入{again}")
    overlap = overlapping_rows(db, month, problems)
    if overlap:
        check, rows = overlap
        shown = "、".join(f"第{r}行" if isinstance(r, int) else r for r in rows[:MAX_ROWS_NAMED])
        more = f"等 {len(rows)} 行" if len(rows) > MAX_ROWS_NAMED else f"共 {len(rows)} 行"
        raise InvalidInputError(
            f"这份清单有 {len(rows)} 个问题已在抽查编号 {check[0]}（{check[1]}，{check[2]} 下发，"
            f"文件 {check[3]}，{check[4][:10]} 导入）中登记过：{shown}（{more}；责任单位、"
            "数据资源名称、问题类型、问题描述一致），整份清单未导入。若是更正后的清单，"
            f"请先撤回原来那次（cdo spotcheck withdraw {check[0]} --reason 理由）再导入，"
            "或只导入新增的问题" + again)


MAX_ROWS_NAMED = 10  # rows of a list named in a message; the rest are counted


def overlapping_rows(db: Database, month: str,
                     problems: list[NewProblem]) -> tuple[tuple, list[int | str]] | None:
    """The first earlier check of `month` (not withdrawn) sharing problems with this list
    (same unit, resource, dimension and description, compared as `same_list` compares),
    and the rows of this list it shares: ((id, month, issued_on, source_file,
    created_at), [row numbers, or 第N个 when a problem has no row]). None if none."""
    keys = [_list_key([(p.unit.id, p.resource, p.dimension, p.description)])[0]
            for p in problems]
    wanted = set(keys)
    for check in db.conn.execute(
        "SELECT id, month, issued_on, source_file, created_at FROM spotchecks"
        " WHERE month = ? AND withdrawn_at IS NULL ORDER BY id", [month]).fetchall():
        known = set(_list_key(db.conn.execute(
            "SELECT unit_id, resource, dimension, description FROM problems"
            " WHERE spotcheck_id = ?", [check[0]]).fetchall()))
        if not known & wanted:
            continue
        rows: list[int | str] = [p.row if p.row is not None else f"第{k + 1}个"
                                 for k, (p, key) in enumerate(zip(problems, keys, strict=True))
                                 if key in known]
        return tuple(check), rows
    return None


# What the audit log keeps of a withdrawn problem (its own state columns add nothing:
# only untouched, open problems are withdrawn).
_WITHDRAWN_KEYS = ("spotcheck_id", "month", "resource", "dimension", "description", "records",
                   "issued_on", "due_on", "status")


def withdraw_spotcheck(db: Database, spotcheck_id: int, reason: str) -> dict:
    """Withdraw a whole mistaken import: delete its problems, mark the check withdrawn,
    and record each problem and the check in the audit log with `reason`.

    Refused (StateError) once any of its problems has moved on from open: rectified,
    verified, reopened or negotiated. Reminders that covered them no longer name them.
    Returns {spotcheck_id, month, issued_on, source_file, problems, ids, reminders}.
    """
    from cdo.errors import NotFoundError, StateError
    from cdo.store import audit
    from cdo.store.db import transaction

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError("撤回整次抽查须用 --reason 写明理由")
    with transaction(db):
        check = db.conn.execute(
            "SELECT id, month, issued_on, source_file, problems, withdrawn_at, withdraw_reason,"
            " created_at FROM spotchecks WHERE id = ?", [spotcheck_id]).fetchone()
        if check is None:
            raise NotFoundError(f"没有抽查编号 {spotcheck_id}")
        sid, month, issued, source, n, withdrawn, why, created = check
        if withdrawn:
            raise StateError(f"抽查编号 {sid}（{month}）已于 {withdrawn[:10]} 撤回（{why}）")
        cols = [d[0] for d in db.conn.execute("SELECT * FROM problems LIMIT 0").description]
        rows = [dict(zip(cols, r, strict=True)) for r in db.conn.execute(
            "SELECT * FROM problems WHERE spotcheck_id = ? ORDER BY id", [sid])]
        ids = [r["id"] for r in rows]
        moved = {pid for (pid,) in db.conn.execute(
            "SELECT DISTINCT problem_id FROM problem_events WHERE problem_id IN"
            " (SELECT id FROM problems WHERE spotcheck_id = ?)", [sid])}
        moved |= {r["id"] for r in rows
                  if r["status"] != "open" or r["due_on"] != r["original_due_on"]}
        if moved:
            from cdo.problems.model import STATUS_NAMES

            shown = [f"#{r['id']}（{STATUS_NAMES.get(r['status'], r['status'])}）"
                     for r in rows if r["id"] in moved]
            more = f"等 {len(shown)} 个" if len(shown) > 10 else ""
            raise StateError(
                f"抽查编号 {sid}（{month}）不能撤回：问题 {'、'.join(shown[:10])}{more}"
                "已有整改、核验或协商记录；撤回只用于刚导入、尚未处理的清单")
        links = db.conn.execute(
            "SELECT reminder_id, problem_id FROM reminder_problems WHERE problem_id IN"
            " (SELECT id FROM problems WHERE spotcheck_id = ?)", [sid]).fetchall()
        reminded: dict[int, list[int]] = {}
        for rid, pid in links:
            reminded.setdefault(pid, []).append(rid)
        db.conn.execute("DELETE FROM reminder_problems WHERE problem_id IN"
                        " (SELECT id FROM problems WHERE spotcheck_id = ?)", [sid])
        db.conn.execute("DELETE FROM problems WHERE spotcheck_id = ?", [sid])
        now = timestamp()
        db.conn.execute(
            "UPDATE spotchecks SET withdrawn_at = ?, withdraw_reason = ? WHERE id = ?",
            [now, reason, sid])
        audit.record_many(db, [
            {"entity": "problem", "entity_id": r["id"], "action": "withdraw",
             "unit_id": r["unit_id"], "problem_id": r["id"],
             "before": {**{k: r[k] for k in _WITHDRAWN_KEYS},
                        "reminders": reminded.get(r["id"], [])}, "after": None,
             "reason": reason}
            for r in rows
        ])
        audit.record(db, "spotcheck", sid, "withdraw",
                     {"month": month, "issued_on": issued, "source_file": source,
                      "problems": n, "ids": ids, "created_at": created},
                     {"withdrawn_at": now}, reason=reason)
    return {"spotcheck_id": sid, "month": month, "issued_on": issued, "source_file": source,
            "problems": len(ids), "ids": ids, "reminders": len({r for r, _ in links})}


def write_template(path: Path) -> None:
    """A blank problem list with the columns the importer reads, and a 问题类型 drop-down."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    from cdo.sheets.write import (
        CHAR_PX,
        FONT_NAME,
        LINE_PT,
        new_workbook,
        printable_mm,
        save_workbook,
        set_text,
        setup_a4,
    )
    from cdo.sheets.write import _text_lines as text_lines

    wb = new_workbook()
    ws = wb.create_sheet("问题数据清单")
    ws.cell(1, 1).value = "达州市首席数据官制度  月度数据抽查问题数据清单（____年__月）"
    ws.cell(1, 1).font = Font(name=FONT_NAME, bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_HEADERS))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    widths = [6, 24, 24, 10, 40, 12, 14]  # A4 landscape at >= 9 pt, in Excel and LibreOffice
    for c, (h, w) in enumerate(zip(TEMPLATE_HEADERS, widths, strict=True), 1):
        cell = ws.cell(2, c)
        set_text(cell, h)
        cell.font = Font(name=FONT_NAME, bold=True)
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = w
    for r in range(3, 23):
        for c in range(1, len(TEMPLATE_HEADERS) + 1):
            ws.cell(r, c).border = border
            ws.cell(r, c).number_format = "@"
            if c == 5:
                ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
    dv = DataValidation(type="list", formula1='"' + ",".join(DIMENSION_NAMES.values()) + '"',
                        allow_blank=True, showErrorMessage=True,
                        errorTitle="问题类型", error="请选择：准确性、时效性、完整性、规范性")
    ws.add_data_validation(dv)
    dv.add("D3:D2000")
    ws.freeze_panes = "A3"
    setup_a4(ws, landscape=True, title_rows="2:2")

    notes = wb.create_sheet("填写说明")
    lines = [
        "填写说明",
        "1. 每行一个问题；责任单位写单位全称或简称（与单位名单一致）。",
        "2. 问题类型填 准确性、时效性、完整性、规范性 之一（可下拉选择）；"
        f"{DIMENSION_RULE_TEXT}。",
        "3. 问题数据量填问题数据的条数（整数），不清楚可留空。",
        "4. 序号、备注可不填；可增加其他列，导入时不读取。",
        "5. 填好后请将本清单交回首席数据官办公室，由办公室统一登记。",
        "6. 整改期限：抽查发现的问题自下发之日起 30 个工作日内整改（下发当日不计）。",
    ]
    # one column as wide as a portrait page at full size, the lines wrapped inside it
    width = int((printable_mm(False) * 96 / 25.4 - 5) / CHAR_PX) - 2
    notes.column_dimensions["A"].width = width
    for i, text in enumerate(lines, 1):
        cell = notes.cell(i, 1)
        set_text(cell, text)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        notes.row_dimensions[i].height = text_lines(text, width) * LINE_PT + 4
    notes.cell(1, 1).font = Font(name=FONT_NAME, bold=True, size=13)
    notes.row_dimensions[1].height = LINE_PT * 13 / 11 + 6
    setup_a4(notes, landscape=False)
    notes.print_options.horizontalCentered = False
    save_workbook(wb, path)


# ----------------------------------------------------------------------------- demo

_DEMO_UNITS = ["通川区", "达川区", "宣汉县", "大竹县", "市公安局", "市民政局",
               "市人力资源社会保障局", "市市场监管局", "市卫生健康委", "市不动产登记中心",
               "达州水务集团", "市中心医院"]
_DEMO_ROWS = [
    # (unit, resource, dimension, description, records, story)
    (0, "城乡低保对象信息", "完整性", "部分记录缺少家庭住址和联系电话字段", 126, "closed"),
    (0, "户籍人口统计数据", "时效性", "数据更新停留在2023年6月，未按月更新", None, "late_closed"),
    (1, "企业登记基本信息", "准确性", "统一社会信用代码与登记机关不一致", 37, "closed"),
    (1, "农村土地承包经营权信息", "规范性",
     "日期字段格式不统一（2023.9.1 与 2023-09-01 混用）", 412, "reopened"),
    (2, "林权登记信息", "完整性", "权利人身份证号缺失", 58, "open"),
    (2, "学校基本信息", "准确性", "学校地址与地理坐标不符", 12, "rectified"),
    (3, "医疗机构执业信息", "时效性", "注销机构未及时更新状态", 9, "negotiated"),
    (3, "养老机构名录", "规范性", "机构名称含多余空格和全角符号", 23, "late_rectified"),
    (4, "机动车登记信息", "准确性", "车辆所有人名称与身份证号不对应", 215, "closed"),
    (4, "居民身份证办理信息", "时效性", "办证进度数据延迟超过7天", None, "open"),
    (5, "社会组织登记信息", "完整性", "法定代表人字段为空", 17, "closed"),
    (5, "婚姻登记信息", "规范性", "性别字段使用“男/女/1/2”多种编码", 340, "open"),
    (6, "社会保险参保信息", "准确性", "参保状态与缴费记录矛盾", 88, "late_closed"),
    (6, "就业创业补贴发放信息", "完整性", "缺少发放日期", 41, "rectified"),
    (7, "市场主体年报信息", "时效性", "年报数据未同步至共享平台", None, "negotiated"),
    (7, "食品经营许可信息", "准确性", "许可证有效期早于发证日期", 6, "closed"),
    (8, "出生医学证明信息", "完整性", "母亲身份证号缺失", 73, "reopened"),
    (9, "不动产权属登记信息", "规范性", "坐落地址未按标准地址规范填写", 1520, "open"),
    (10, "用水户信息", "准确性", "户号重复", 14, "closed"),
    (11, "门诊就诊记录", "时效性", "数据按季度而非按日汇聚", None, "open"),
]


def load_demo(db: Database) -> str:
    """Demo step: the September 2023 check (issued 2023-09-27) with problems followed
    through every state, plus two problems reported by data-using units."""
    from cdo.problems import model as problems
    from cdo.roster.units import UnitIndex

    index = UnitIndex.load(db)
    units = []
    for name in _DEMO_UNITS:
        cands = index.candidates(name)
        if len(cands) == 1:
            units.append(cands[0])
    if len(units) < 3:  # the bundled sample changed: take whatever units there are
        units = index.units[:12]
    if not units:
        return "问题整改：没有单位，未生成示例问题"
    rows = [
        (NewProblem(units[i % len(units)], res, parse_dimension(dim), desc, n, row=k + 3), story)
        for k, (i, res, dim, desc, n, story) in enumerate(_DEMO_ROWS)
    ]
    issued = dt.date(2023, 9, 27)  # due 2023-11-14 (30 working days over National Day)
    result = record_spotcheck(db, month="2023-09", issued_on=issued,
                              problems=[p for p, _ in rows], source_file="示例：2023年9月抽查")
    by_story: dict[str, list[int]] = {}
    for pid, (_, story) in zip(result["ids"], rows, strict=True):
        by_story.setdefault(story, []).append(pid)

    def go(story, action, day, **kw):
        if by_story.get(story):
            problems.transition(db, by_story[story], action, dt.date.fromisoformat(day), **kw)

    go("closed", "done", "2023-10-20", note="单位报送整改情况")
    go("closed", "verify", "2023-10-27", note="复核通过")
    go("late_closed", "done", "2023-11-20", note="逾期后完成整改")
    go("late_closed", "verify", "2023-11-24")
    go("late_rectified", "done", "2023-11-22")
    go("rectified", "done", "2023-11-10")
    go("reopened", "done", "2023-11-06")
    go("reopened", "reopen", "2023-11-16", note="复核发现仍有问题数据，退回重新整改")
    go("negotiated", "negotiate", "2023-11-01", until=dt.date(2023, 12, 29),
       note="涉及系统改造，双方首席数据官协商延期")
    problems.remind(db, on=dt.date(2023, 11, 8), ids=by_story.get("open", []),
                  note="电话催办，提醒 11 月 14 日到期")
    # Two problems reported by data-using units (15 working days).
    users = []
    if len(units) >= 6:
        users.append(problems.add_problem(
            db, unit=units[9 % len(units)].name, resource="不动产抵押登记信息",
            dimension="accuracy", description="抵押权人名称与金融机构登记名称不一致",
            records=31, issued_on=dt.date(2023, 9, 27), source="user",
            reporter=units[5].name))
        users.append(problems.add_problem(
            db, unit=units[4].name, resource="户籍迁移信息", dimension="timeliness",
            description="迁出人员在共享库中仍显示为本地户籍", records=64,
            issued_on=dt.date(2023, 10, 9), source="user", reporter=units[6].name))
        problems.transition(db, [users[0]["id"]], "done", dt.date(2023, 10, 18))
    n = result["problems"] + len(users)
    return (f"问题整改：2023年9月抽查 {result['problems']} 个问题（{result['units']} 个单位，"
            f"2023-09-27 下发，{result['due_on']} 到期）及 {len(users)} 个使用单位反馈问题，"
            f"共 {n} 个，含已销号、逾期整改、退回、协商延期、逾期未整改")
