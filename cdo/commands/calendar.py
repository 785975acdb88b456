"""cdo calendar …: deadlines, the month grid, the years, loading a notice, local adjustments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from cdo.commands.common import (
    FormatOpt,
    no_stray_options,
    open_database,
    read_calendar,
    warn,
)
from cdo.dates import parse_date, parse_month
from cdo.errors import InvalidInputError, StateError
from cdo.output import Column, Format, emit, print_json

if TYPE_CHECKING:
    from cdo.calendar import Day, WorkCalendar
    from cdo.store.db import Database

app = typer.Typer(
    rich_markup_mode=None,
    help="工作日日历：期限计算、月历、节假日通知导入与本地调整",
    no_args_is_help=True,
)

WEEKDAY_NAMES = "一二三四五六日"
STATUS_NAMES = {"official": "官方（内置）", "loaded": "已载入", "provisional": "暂定"}
KIND_NAMES = {"off": "休", "work": "班"}
LOCAL_KIND_NAMES = {"off": "休息日", "work": "工作日"}  # what a local change made the day
# Colours of the month grid and the explanation; each kind also has a symbol.
STYLES = {"workday": "", "weekend": "dim", "holiday": "bold red", "adjusted_workday": "bold blue"}
SYMBOLS = {"workday": "", "weekend": "", "holiday": "休", "adjusted_workday": "班"}


def _weekday(d: dt.date) -> str:
    return f"星期{WEEKDAY_NAMES[d.weekday()]}"


def _date_arg(text: str, what: str) -> dt.date:
    return parse_date(text, what)


def _positive_int(text: str) -> int:
    import unicodedata

    t = unicodedata.normalize("NFKC", text).strip()
    if not t.isdigit() or int(t) < 1:
        raise InvalidInputError(f"工作日天数应为正整数（如 30），收到：{text!r}")
    if int(t) > 2000:
        raise InvalidInputError(f"工作日天数太大：{text}（最多 2000 个工作日）")
    return int(t)


def _kind_arg(text: str) -> Literal["off", "work"]:
    kinds: dict[str, Literal["off", "work"]] = {"off": "off", "休": "off", "休息": "off", "放假": "off",
             "work": "work", "班": "work", "上班": "work"}
    kind = kinds.get(text.strip().lower())
    if kind is None:
        raise InvalidInputError(f"调整类型应为 off（休）或 work（班），收到：{text!r}")
    return kind


def shown(reason: str) -> str:
    """A local day's reason as every calendar output shows it: phone numbers masked, as in
    every other free text (the calendar commands have no --show-contact)."""
    from cdo.output import mask_text

    return mask_text(reason)


def day_note(day: Day) -> str:
    """What a day is, in a few words, for --explain and the month list."""
    name = f"：{day.name}" if day.name else ""
    if day.local_reason is not None:
        text = ("本地调整上班" if day.workday else "本地调整休息") + f"：{shown(day.local_reason)}"
    elif day.kind == "holiday":
        text = f"放假{name}"
    elif day.kind == "adjusted_workday":
        text = f"调休上班{name}"
    elif day.kind == "weekend":
        text = "周末"
    else:
        text = ""
    return text  # a provisional day's name says so: 国庆节（暂定）


def _no_data_text(years: list[int]) -> str:
    """Years before the first bundled notice: the tool has no data, none will come."""
    from cdo import calendar as workcal

    first = workcal.first_official_year()
    listed = _years_text(years)
    return f"本工具没有 {first} 年以前的节假日数据（{listed} 年）"


def _years_text(years: list[int]) -> str:
    if len(years) > 4 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}—{years[-1]}"
    return "、".join(str(y) for y in years)


def _provisional_warning(cal: WorkCalendar, start: dt.date, end: dt.date) -> str:
    years = [y for y in range(start.year, end.year + 1) if cal.year_status(y) == "provisional"]
    if not years and cal.is_provisional_day(end):
        years = [end.year + 1]  # the next year's notice may still move the last days of December
    from cdo import calendar as workcal

    first = workcal.first_official_year()
    old = [y for y in years if y < first]
    later = [y for y in years if y >= first]
    parts = []
    if old:
        parts.append(f"注意：{_no_data_text(old)}，此期限只按周末和固定日期的法定节日暂定。")
    if later:
        parts.append(f"注意：{_years_text(later)} 年的放假安排通知尚未载入，此期限按周末和固定日期的"
                     "法定节日暂定；通知发布后请用 cdo calendar load 通知.txt 载入，已存的期限会随之重算。")
    return "\n".join(parts)


# -- deadline ------------------------------------------------------------------------------


@app.command("deadline", context_settings={"ignore_unknown_options": True})
def deadline(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(help="起算日期（当日不计入），如 2023-09-27")],
    n: Annotated[str, typer.Argument(help="工作日天数，如 30")],
    explain: Annotated[
        bool, typer.Option("--explain", help="逐日列出：每个工作日编号，写明放假和调休上班")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """计算“N 个工作日内”的截止日期（起算当日不计入）。"""
    no_stray_options(ctx, [start, n])
    day0 = _date_arg(start, "起算日期")
    count = _positive_int(n)
    cal = read_calendar(ctx)
    dl = cal.deadline(day0, count)
    result = {"start": day0.isoformat(), "n": count, "due_on": dl.due.isoformat(),
              "provisional": dl.provisional}
    days = cal.explain(day0, count) if explain else []
    rows = _explain_rows(days)
    if fmt is Format.json:
        if explain:
            result["days"] = [{k: r[k] for k in ("date", "number", "workday", "kind", "name",
                                                  "note")} for r in rows]
        print_json(result)
    elif fmt is Format.csv:
        if explain:
            emit(rows, [], fmt, keys=["date", "number", "workday", "kind", "name", "note"])
        else:
            emit([result], [], fmt, keys=["start", "n", "due_on", "provisional"])
    else:
        _print_deadline(day0, count, dl, rows, explain)
    if dl.provisional:
        typer.echo(_provisional_warning(cal, day0, dl.due), err=True)


def _explain_rows(days: list[Day]) -> list[dict]:
    rows, number = [], 0
    for d in days:
        if d.workday:
            number += 1
        rows.append({
            "date": d.date.isoformat(), "weekday": _weekday(d.date),
            "number": number if d.workday else None, "workday": d.workday,
            "kind": d.kind,
            "name": shown(d.local_reason) if d.local_reason is not None else d.name, "note": day_note(d),
            "provisional": d.provisional,
        })
    return rows


def _print_deadline(start: dt.date, n: int, dl, rows: list[dict], explain: bool) -> None:
    from cdo.output import console, table_kit

    con = console()
    Table, _ = table_kit(con)  # noqa: N806 - Rich's, or a stand-in when piped
    mark = "（暂定）" if dl.provisional else ""
    line = (f"自 {start.isoformat()}（{_weekday(start)}）起第 {n} 个工作日："
            f"{dl.due.isoformat()}（{_weekday(dl.due)}）{mark}")
    if explain:
        table = Table(title=f"{start.isoformat()} 起 {n} 个工作日（起算当日不计入）",
                      header_style="bold", title_style="bold")
        table.add_column("工作日", justify="right")
        table.add_column("日期")
        table.add_column("星期")
        table.add_column("说明")
        for r in rows:
            style = STYLES[r["kind"]] if r["name"] or r["kind"] != "weekend" else STYLES["weekend"]
            table.add_row("" if r["number"] is None else f"第{r['number']}天", r["date"],
                          r["weekday"], r["note"], style=style or None)
        con.print(table)
    con.print(line)


# -- show ----------------------------------------------------------------------------------


@app.command("show")
def show(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(help="月份，如 2023-10 或 2023年10月")],
    fmt: FormatOpt = Format.table,
) -> None:
    """显示一个月的月历：工作日、放假、调休上班。"""
    import calendar as stdcal

    from cdo import calendar as workcal

    ym = parse_month(month)
    year, mon = int(ym[:4]), int(ym[5:])
    if not workcal.MIN_YEAR <= year <= workcal.MAX_YEAR:
        raise InvalidInputError(
            f"月份超出工作日历支持的范围（{workcal.MIN_YEAR}—{workcal.MAX_YEAR} 年）：{month}")
    cal = read_calendar(ctx)
    last = stdcal.monthrange(year, mon)[1]
    days = [cal.day(dt.date(year, mon, i)) for i in range(1, last + 1)]
    if fmt is not Format.table:
        rows = [{"date": d.date.isoformat(), "weekday": d.date.isoweekday(),
                 "workday": d.workday, "kind": d.kind, "name": d.name,
                 "local_reason": None if d.local_reason is None else shown(d.local_reason),
                 "provisional": d.provisional} for d in days]
        emit(rows, [], fmt, keys=["date", "weekday", "workday", "kind", "name",
                                  "local_reason", "provisional"])
        return
    _print_month(cal, year, mon, days)


def _print_month(cal: WorkCalendar, year: int, mon: int, days: list[Day]) -> None:
    from cdo import calendar as workcal
    from cdo.output import console, table_kit

    con = console()
    Table, Text = table_kit(con)  # noqa: N806 - Rich's, or stand-ins when piped
    data = cal.year_data(year)
    status = STATUS_NAMES[data.status]
    old_year = data.status == "provisional" and year < workcal.first_official_year()
    source = (data.source if data.status != "provisional"
              else _no_data_text([year]) if old_year else f"{year} 年的放假安排通知尚未载入")
    table = Table(title=f"{year}年{mon}月", caption=f"{status}：{source}", header_style="bold",
                  title_style="bold", caption_justify="left")
    for w in WEEKDAY_NAMES:
        table.add_column(w, justify="center", min_width=5)
    cells: list = [Text("")] * days[0].date.weekday()
    marked = False  # a day shown with ?: the legend says what it means
    for d in days:
        symbol = SYMBOLS[d.kind] + ("*" if d.local_reason is not None else "")
        if d.provisional and d.kind == "holiday":
            symbol += "?"
            marked = True
        cells.append(Text(f"{d.date.day:>2}{symbol}", style=STYLES[d.kind] or ""))
    cells += [Text("")] * (-len(cells) % 7)
    for i in range(0, len(cells), 7):
        table.add_row(*cells[i:i + 7])
    con.print(table)
    legend = Text("图例：")
    legend.append("数字", style="")
    legend.append(" 工作日　")
    legend.append("休", style=STYLES["holiday"])
    legend.append(" 放假　")
    legend.append("班", style=STYLES["adjusted_workday"])
    legend.append(" 调休上班　")
    legend.append("灰色", style=STYLES["weekend"])
    legend.append(" 周末　* 本地调整")
    if marked:
        legend.append("　? 暂定")
    con.print(legend)
    work = sum(1 for d in days if d.workday)
    con.print(f"本月工作日 {work} 天，休息日 {len(days) - work} 天。")
    for line in _named_runs(days):
        con.print(line)
    if cal.year_status(year) == "provisional":
        if old_year:
            con.print(f"注意：{_no_data_text([year])}，本月只按周末和固定日期的法定节日暂定。")
        else:
            con.print(f"注意：{year} 年的放假安排通知尚未载入，本月只按周末和固定日期的法定节日暂定。")
    elif tail := [d for d in days if d.provisional]:
        # the last days of December of a known year wait on the next year's notice
        a, b = tail[0].date, tail[-1].date
        span = f"{a.month}月{a.day}日" + (f"—{b.day}日" if b != a else "")
        con.print(f"注意：{year + 1} 年的放假安排通知尚未载入，{span}可能随该通知调整"
                  "（如安排放假或调休上班），暂按已知安排显示。")


def _named_runs(days: list[Day]) -> list[str]:
    """'10月1日—7日　休　国庆节、中秋节': consecutive named days of the same kind."""
    runs: list[list] = []
    for d in days:
        if d.kind not in ("holiday", "adjusted_workday") and d.local_reason is None:
            continue
        label = (("班" if d.workday else "休"),
                 f"本地调整：{shown(d.local_reason)}" if d.local_reason is not None else (d.name or ""))
        if runs and runs[-1][1] == label and runs[-1][0][-1].date + dt.timedelta(days=1) == d.date:
            runs[-1][0].append(d)
        else:
            runs.append([[d], label])
    lines = []
    for group, (mark, name) in runs:
        a, b = group[0].date, group[-1].date
        span = f"{a.month}月{a.day}日" + (f"—{b.day}日" if b != a else "")
        lines.append(f"{span}　{mark}　{name}".rstrip())
    return lines


# -- years ---------------------------------------------------------------------------------


@app.command("years")
def years(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """列出每一年的日历依据：官方内置、已载入或暂定，以及本地调整。"""
    from cdo.store import calendar_store

    rows = [{**r, "local": [{**x, "reason": shown(x["reason"])} for x in r["local"]]}
            for r in calendar_store.year_overview(open_database(ctx, create=False))]

    def local_text(value, row) -> str:
        return "；".join(f"{x['date'][5:]} {KIND_NAMES[x['kind']]}：{x['reason']}" for x in value)

    columns = [
        Column("year", "年份"),
        Column("status", "状态", show=lambda v, r: STATUS_NAMES[v]),
        Column("source", "依据"),
        Column("holidays", "放假天数", justify="right"),
        Column("workdays", "调休上班", justify="right"),
        Column("local", "本地调整", show=local_text),
    ]
    emit(rows, columns, fmt, keys=["year", "status", "source", "holidays", "workdays", "local"],
         title="工作日历年度")


# -- load ----------------------------------------------------------------------------------


@app.command("load")
def load(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="国务院办公厅节假日安排通知的文本（.txt），或“日期 休/班”清单")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示解析结果和受影响的期限，不保存")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="该年已有数据（内置或已载入）且与这份文件不同时，确认替换"),
    ] = False,
    year: Annotated[
        str | None,
        typer.Option("--year", help="通知的年份（只复制了各项安排、没有标题时用），如 2027"),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """载入一年的节假日安排通知，并重算受影响的整改期限。

    该年已有数据（官方内置或此前载入）而这份文件会改变某些日子是否上班时，须加 --replace
    才替换（替换前自动备份，可用 cdo calendar unload 年份 撤销）。"""
    from cdo import calendar as workcal
    from cdo.notice import read_notice
    from cdo.store import calendar_store
    from cdo.store.db import transaction

    given = None
    if year is not None:
        import unicodedata

        y = unicodedata.normalize("NFKC", year).strip().removesuffix("年")
        if not (y.isdigit() and 2000 <= int(y) <= 2100):
            raise InvalidInputError(f"--year 应为四位年份，如 2027，收到：{year!r}")
        given = int(y)
    parsed = read_notice(file, given)
    doc = parsed.doc()
    say = _sayer(fmt)
    db = open_database(ctx)
    old = calendar_store.load_calendar(db)
    existing = old.years.get(parsed.year)  # bundled official or loaded earlier
    new_data = workcal.parse_year_doc(doc, "loaded")
    changes = workcal.status_changes(existing, new_data) if existing is not None else []
    if changes and not replace and not dry_run:
        raise StateError(_refusal(existing, changes, file))
    if fmt is Format.json:
        print_json(parsed.as_json())
    elif fmt is Format.csv:
        emit([{"date": d["date"], "off": d["off"], "name": d["name"]} for d in doc["days"]], [],
             fmt, keys=["date", "off", "name"])
    else:
        _print_parsed(parsed)
    if existing is not None and not changes and not replace:
        say(f"{parsed.year} 年：与已有数据一致（{_year_label(existing)}），"
            "每一天是否上班都相同，未作改动。")
        if dry_run:
            say("（试运行，没有保存）")
        return
    if dry_run:
        new = old.with_year(new_data)
        say(_difference(old, new, parsed.year))
        if (lost := _provisional_lost(old, new, parsed.year, file, parsed, saved=False)):
            warn(lost)
        if changes:
            hint = ("去掉 --dry-run 即以这份文件替换" if replace
                    else "实际载入须加 --replace，确认以这份文件替换")
            say(_change_list(existing, changes) + f"\n{hint} {parsed.year} 年的已有数据。")
        _deadline_moves(db, new, fmt, apply=False)
        say("（试运行，没有保存）")
        return
    loaded = calendar_store.loaded_docs(db).get(parsed.year)
    if loaded is not None and _same_doc(loaded, doc):
        say(f"{parsed.year} 年：与已有数据一致（{_year_label(existing)}），未作改动。")
        return
    _backup(db)
    with transaction(db):
        old = calendar_store.load_calendar(db)
        if not calendar_store.store_year(db, doc, file=str(file)):
            say(f"{parsed.year} 年：与已有数据一致，未作改动。")
            return
        new = calendar_store.load_calendar(db)
        verb = "已替换" if existing is not None else "已载入"
        say(f"{verb} {parsed.year} 年：{parsed.source}。{_difference(old, new, parsed.year)}")
        if (lost := _provisional_lost(old, new, parsed.year, file, parsed, saved=True)):
            warn(lost)
        if existing is not None:
            say(f"如需恢复原来的数据：cdo calendar unload {parsed.year}")
        _deadline_moves(db, new, fmt, apply=True)


def _same_doc(stored: dict, doc: dict) -> bool:
    def key(d: dict) -> list:
        return sorted((x["date"], bool(x["off"]), x.get("name") or "") for x in d["days"])

    return stored["source"] == doc["source"] and key(stored) == key(doc)


def _backup(db: Database) -> None:
    """The automatic copy taken before the calendar actually changes."""
    from cdo.store.backup import auto_backup

    auto_backup(db)


def _year_label(data) -> str:
    status = STATUS_NAMES[data.status]
    return f"{status}：{data.source}" if data.source else status


MAX_CHANGES_SHOWN = 10


def _change_list(existing, changes) -> str:
    lines = [f"与已有数据（{_year_label(existing)}）相比，{len(changes)} 天将改变是否上班："]
    for c in changes[:MAX_CHANGES_SHOWN]:
        was, now = ("上班", "休息") if c.was_workday else ("休息", "上班")
        name = f"（{c.name}）" if c.name else ""
        lines.append(f"  {c.date.isoformat()}（{_weekday(c.date)}）{was} → {now}{name}")
    if len(changes) > MAX_CHANGES_SHOWN:
        lines.append(f"  ……另有 {len(changes) - MAX_CHANGES_SHOWN} 天，未一一列出")
    return "\n".join(lines)


def _refusal(existing, changes, file: Path) -> str:
    year = existing.year
    return (f"{year} 年已有放假安排数据，{file} 与之不同，未载入。\n"
            + _change_list(existing, changes)
            + f"\n如确要以这份文件替换 {year} 年的全部安排，请加 --replace 重新执行"
            f"（替换前自动备份数据库，之后可用 cdo calendar unload {year} 恢复）；"
            "先看受影响的期限可加 --dry-run。")


@app.command("unload")
def unload(
    ctx: typer.Context,
    year: Annotated[str, typer.Argument(help="要撤销载入的年份，如 2024")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示恢复后受影响的期限，不保存")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="撤销的原因")] = None,
) -> None:
    """撤销某年载入的通知：恢复内置的官方数据（没有则按暂定规则），并重算受影响的整改期限。"""
    import unicodedata

    from cdo import calendar as workcal
    from cdo.errors import NotFoundError
    from cdo.store import calendar_store
    from cdo.store.db import transaction

    y = unicodedata.normalize("NFKC", year).strip().removesuffix("年")
    if not (y.isdigit() and len(y) == 4):
        raise InvalidInputError(f"年份应为四位数字，如 2024，收到：{year!r}")
    num = int(y)
    db = open_database(ctx)
    loaded = calendar_store.loaded_docs(db).get(num)
    if loaded is None:
        raise NotFoundError(
            f"{num} 年没有载入过放假安排通知，无需撤销（用 cdo calendar years 查看各年依据）")
    old = calendar_store.load_calendar(db)
    bundled = workcal.bundled_years().get(num)
    years = dict(old.years)
    if bundled is not None:
        years[num] = bundled
    else:
        years.pop(num, None)
    new = workcal.WorkCalendar(years, old.local)
    back = (f"内置官方数据（{bundled.source}）" if bundled is not None
            else "暂定规则（周末与固定日期的法定节日）")
    if dry_run:
        typer.echo(f"撤销 {num} 年载入的通知（{loaded['source']}）后将恢复为{back}。"
                   + _difference(old, new, num))
        _deadline_moves(db, new, Format.table, apply=False)
        typer.echo("（试运行，没有保存）")
        return
    _backup(db)
    with transaction(db):
        old = calendar_store.load_calendar(db)
        calendar_store.unload_year(db, num, reason)
        new = calendar_store.load_calendar(db)
        typer.echo(f"已撤销 {num} 年载入的通知（{loaded['source']}），恢复为{back}。"
                   + _difference(old, new, num))
        _deadline_moves(db, new, Format.table, apply=True)


def _sayer(fmt: Format):
    """Messages go to stdout for a table, to stderr when stdout carries JSON or CSV."""
    return (lambda m: typer.echo(m)) if fmt is Format.table else (lambda m: typer.echo(m, err=True))


def _print_parsed(parsed) -> None:
    from cdo.output import console, table_kit

    con = console()
    Table, _ = table_kit(con)  # noqa: N806 - Rich's, or a stand-in when piped
    table = Table(title=f"{parsed.year} 年放假安排　{parsed.source}", header_style="bold",
                  title_style="bold")
    for h in ("日期", "天数", "安排", "名称"):
        table.add_column(h)
    for first, last, off, name in _runs(parsed):
        if last == first:
            span = f"{first.isoformat()}（{_weekday(first)[2:]}）"
        else:
            span = (f"{first.isoformat()} 至 {last.isoformat()}"
                    f"（{_weekday(first)[2:]}—{_weekday(last)[2:]}）")
        table.add_row(span,
                      str((last - first).days + 1), "放假" if off else "上班", name,
                      style=STYLES["holiday" if off else "adjusted_workday"])
    con.print(table)
    con.print(f"放假 {len(parsed.holidays)} 天（含其中的周末），"
              f"调休上班 {len(parsed.workdays)} 天。")


def _runs(parsed) -> list[tuple[dt.date, dt.date, bool, str]]:
    days = sorted([(d, True) for d in parsed.holidays] + [(d, False) for d in parsed.workdays])
    runs: list[list] = []
    for d, off in days:
        name = parsed.names.get(d, "")
        if runs and runs[-1][2] == off and runs[-1][3] == name and \
                runs[-1][1] + dt.timedelta(days=1) == d:
            runs[-1][1] = d
        else:
            runs.append([d, d, off, name])
    return [tuple(r) for r in runs]


def _difference(old: WorkCalendar, new: WorkCalendar, year: int) -> str:
    """How many days change between working and not, and which (dates and names)."""
    to_work, to_off = _changed_days(old, new, year)
    if not to_off and not to_work:
        return "与此前的日历相比，没有哪一天改变是否上班。"
    lines = [f"与此前的日历相比：{len(to_off)} 天由工作日改为休息日，"
             f"{len(to_work)} 天由休息日改为工作日。"]
    if to_off:
        lines.append(f"  改为休息日：{_days_text(to_off, (new, old), year)}")
    if to_work:
        lines.append(f"  改为工作日：{_days_text(to_work, (old, new), year)}")
    return "\n".join(lines)


def _changed_days(old: WorkCalendar, new: WorkCalendar,
                  year: int) -> tuple[list[dt.date], list[dt.date]]:
    """The days of `year` (and the December before it) the new calendar makes working
    days, and those it makes days off."""
    to_work: list[dt.date] = []
    to_off: list[dt.date] = []
    d, end = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    while d <= end:
        a, b = old.is_workday(d), new.is_workday(d)
        if a != b:
            (to_work if b else to_off).append(d)
        d += dt.timedelta(days=1)
    return to_work, to_off


MAX_RUNS_SHOWN = 12


def _days_text(days: list[dt.date], named_by: tuple[WorkCalendar, ...], year: int) -> str:
    """'1月8日（星期六）调休上班；5月1日—2日 劳动节（暂定）': consecutive days of the same
    name in one run, each named by the first of `named_by` that names it (the calendar
    in which the day is off first: a holiday keeps its name)."""
    runs: list[list] = []
    for d in days:
        name = next((n for cal in named_by if (n := cal.day(d).name)), "")
        if runs and runs[-1][2] == name and runs[-1][1] + dt.timedelta(days=1) == d:
            runs[-1][1] = d
        else:
            runs.append([d, d, name])
    parts = []
    for a, b, name in runs[:MAX_RUNS_SHOWN]:
        span = f"{a.month}月{a.day}日" if a.year == year else f"{a.year}年{a.month}月{a.day}日"
        if b != a:
            span += f"—{b.day}日" if (b.year, b.month) == (a.year, a.month) \
                else f"—{b.month}月{b.day}日"
            parts.append(f"{span} {name}".rstrip())
        else:
            parts.append(f"{span}（{_weekday(a)}）{name}")
    if len(runs) > MAX_RUNS_SHOWN:
        rest = sum((b - a).days + 1 for a, b, _ in runs[MAX_RUNS_SHOWN:])
        parts.append(f"……另有 {rest} 天")
    return "；".join(parts)


def _provisional_lost(old: WorkCalendar, new: WorkCalendar, year: int, file: Path,
                      parsed, *, saved: bool) -> str | None:
    """The warning when the file makes days the provisional calendar had off (劳动节,
    国庆节 of a year whose notice is not out) working days: a partial list would otherwise
    quietly put the clerk to work on May Day."""
    to_work, _ = _changed_days(old, new, year)
    lost = [d for d in to_work if old.day(d).provisional and old.day(d).kind == "holiday"]
    if not lost:
        return None
    verb = "已改为" if saved else "将改为"
    text = (f"注意：{file} 没有把 {year} 年暂定放假的 {len(lost)} 天列为休息日，这些日子{verb}"
            f"工作日（按上班计算期限）：{_days_text(lost, (old,), year)}。")
    simple = parsed.source.endswith("（简单清单）")
    if simple:
        text += "这份清单若只列了部分安排，请把全年的节假日都写进清单（或载入国务院通知全文）"
        text += (f"后加 --replace 重新载入，或用 cdo calendar unload {year} 撤销。" if saved
                 else "再载入。")
    return text


def _deadline_moves(db: Database, new_cal: WorkCalendar, fmt: Format, *, apply: bool) -> None:
    """Show the stored deadlines the new calendar moves, then (unless a dry run) move them."""
    from cdo.problems import model as problems

    changes = problems.deadline_changes(db, new_cal)
    say = _sayer(fmt)
    if not changes:
        say("没有期限受影响。")
        return
    from cdo.output import Column, PlainConsole, console, make_table

    verb = "已移动" if apply else "将移动"
    columns = [  # through make_table: dates whole, the unit and the change wrap at 80 columns
        Column("id", "编号", justify="right"),
        Column("unit", "单位"),
        Column("issued_on", "下发日期"),
        Column("old_due", "原期限", no_wrap=True),
        Column("new_due", "新期限", no_wrap=True,
               show=lambda v, r: v + ("（暂定）" if r.get("provisional") else "")),
        Column("moved", "变化", show=lambda v, r: _moved_text(r)),
    ]
    to_stderr = fmt is not Format.table
    con = console(stderr=to_stderr)
    piped = isinstance(con, PlainConsole)
    con.print(make_table(changes, columns, title=f"{verb}的整改期限（{len(changes)} 个问题）",
                         width=None if piped else con.width, plain=piped))
    if apply:
        problems.apply_deadline_changes(db, changes)


def _moved_text(c: dict) -> str:
    moved = c.get("moved")
    if moved is None:
        moved = (dt.date.fromisoformat(c["new_due"]) - dt.date.fromisoformat(c["old_due"])).days
        unit = "天"
    else:
        unit = "个工作日"
    if moved == 0:
        text = "不变，转正式" if c.get("old_provisional") and not c.get("provisional") else "不变"
    else:
        text = f"推后 {moved} {unit}" if moved > 0 else f"提前 {-moved} {unit}"
    if c.get("negotiated"):
        text += "（已协商的日期不变）"
    if c.get("status") == "closed":
        text += "（已销号，按新期限重新判断是否曾逾期）"
    return text


# -- local adjustments ---------------------------------------------------------------------


@app.command("set")
def set_(
    ctx: typer.Context,
    date: Annotated[str, typer.Argument(help="日期，如 2024-03-08")],
    kind: Annotated[str, typer.Argument(help="off（休）或 work（班）")],
    reason: Annotated[
        str | None, typer.Option("--reason", "-r", help="原因（必填），如 市政府通知、办公楼停电")
    ] = None,
) -> None:
    """本地调整某一天为休息日或工作日（如办公楼停电、市政府通知），与国家安排合并。"""
    from cdo.store import calendar_store
    from cdo.store.db import transaction

    day = _date_arg(date, "日期")
    kind = _kind_arg(kind)
    if not reason or not reason.strip():
        raise InvalidInputError("请用 --reason 写明调整原因，例如 --reason 市政府通知")
    db = open_database(ctx)
    current = calendar_store.local_adjustments(db).get(day)
    if current != (kind == "work", reason.strip()):
        _backup(db)  # only when something will change
    with transaction(db):
        before = calendar_store.load_calendar(db)
        if not calendar_store.set_local(db, day, kind, reason.strip()):
            typer.echo(f"{day.isoformat()} 已是这样设置的，没有变化。")
            return
        new = calendar_store.load_calendar(db)
        what = "休息日" if kind == "off" else "工作日"
        typer.echo(f"已设置：{day.isoformat()}（{_weekday(day)}）本地调整为{what}，原因：{shown(reason.strip())}")
        if before.is_workday(day) == new.is_workday(day):
            typer.echo(f"提示：这一天本来就是{what}，是否上班没有改变。")
        _deadline_moves(db, new, Format.table, apply=True)


@app.command("unset")
def unset(
    ctx: typer.Context,
    date: Annotated[str, typer.Argument(help="日期，如 2024-03-08")],
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="取消的原因")] = None,
) -> None:
    """取消某一天的本地调整，恢复国家安排。"""
    from cdo.store import calendar_store
    from cdo.store.db import transaction

    day = _date_arg(date, "日期")
    db = open_database(ctx)
    if day in calendar_store.local_adjustments(db):
        _backup(db)  # a missing adjustment is refused below, with no copy taken
    with transaction(db):
        removed = calendar_store.unset_local(db, day, reason)
        typer.echo(f"已取消 {day.isoformat()} 的本地调整（原为{KIND_NAMES[removed['kind']]}："
                   f"{shown(removed['reason'])}），恢复国家安排。")
        _deadline_moves(db, calendar_store.load_calendar(db), Format.table, apply=True)
