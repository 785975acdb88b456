"""cdo report …"""

from typing import Annotated

import typer

from cdo.commands.common import (
    AsOfOpt,
    ForceOpt,
    FormatOpt,
    OutputOpt,
    as_of,
    check_output,
    echo,
    open_database,
    warn,
    write_problem_lines,
)
from cdo.dates import parse_month
from cdo.output import Format

app = typer.Typer(rich_markup_mode=None, help="报表：逾期、月度、年度", no_args_is_help=True)

TABLE_DETAIL_LIMIT = 1000  # more overdue problems than this: the screen shows a summary


@app.command("overdue")
def overdue(
    ctx: typer.Context,
    as_of_: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """逾期未整改问题：按单位分组（附首席数据官），逾期最久的在前，末尾合计。"""
    from cdo.problems.reports import overdue_lines, overdue_rows

    day = as_of(as_of_)
    check_output(ctx, output, force)
    db = open_database(ctx)
    with db.snapshot():  # every part as of one moment
        if output is not None:
            from cdo.problems.reports import write_overdue_xlsx

            rows = overdue_rows(db, day)
            write_overdue_xlsx(output, rows, day)
        # JSON and CSV carry exactly the problem keys (the CDO is in the table and .xlsx),
        # written a batch at a time as SQLite makes them in report order.
        if fmt is not Format.table:
            from cdo.store.pages import cursor_pages

            write_problem_lines(db, fmt, lambda line, sep: cursor_pages(
                overdue_lines(db, day, line), sep), compact=True)
        else:
            _overdue_table(rows if output is not None else overdue_rows(db, day), day)
            if output is not None:
                echo(f"已写入 {output}")


def _overdue_table(rows: list[dict], day) -> None:
    from cdo.output import WIDE_TERMINAL, clean, console, mask_text, table_kit
    from cdo.problems.model import DIMENSION_NAMES, clip_text, due_short, due_text
    from cdo.problems.reports import overdue_totals

    con = console()
    if not rows:
        con.print(f"截至 {day}，没有逾期未整改的问题。")
        return
    Table, Text = table_kit(con)  # noqa: N806 - Rich's, or stand-ins when piped
    tot = overdue_totals(rows)
    if len(rows) > TABLE_DETAIL_LIMIT:
        _overdue_summary(rows, day, tot)
        return
    table = Table(title=f"逾期未整改问题（截至 {day}）", header_style="bold", title_style="bold",
                  show_footer=True)
    # Long text wraps (fold); a very long description or resource name is cut at
    # TABLE_TEXT_LIMIT characters (…) — JSON/CSV/.xlsx keep it whole.
    wide = con.width >= WIDE_TERMINAL  # the resource and its type from 120 columns up
    # Below WIDE_TERMINAL the CDO goes under the unit's name and a negotiated deadline
    # loses the one it replaced: the description keeps room to be read.
    total = f"合计 {tot['units']} 个单位"
    if wide:
        table.add_column("责任单位", footer=total, overflow="fold")
        table.add_column("首席数据官", overflow="fold")
    else:
        table.add_column("责任单位\n首席数据官", footer=f"{total}\n{tot['problems']} 个问题",
                         overflow="fold")
    table.add_column("编号", justify="right", footer=f"{tot['problems']} 个问题" if wide else "",
                     no_wrap=True)
    if wide:
        table.add_column("数据资源名称", overflow="fold")
        table.add_column("问题类型", overflow="fold")
    table.add_column("问题描述", overflow="fold", min_width=8)
    table.add_column("整改期限", no_wrap=True)
    table.add_column("逾期工作日", justify="right", footer=f"最长 {tot['max_days']}",
                     no_wrap=True)
    last = None
    for r in rows:
        first = r["unit_id"] != last
        if first and last is not None:
            table.add_section()
        last = r["unit_id"]
        who = [clean(r["unit"]), clean(r["cdo"] or "（未登记）")]
        table.add_row(*((Text(t) if first else "") for t in (who if wide else ["\n".join(who)])),
                      str(r["id"]),
                      *((Text(clean(clip_text(r["resource"]))),
                         DIMENSION_NAMES.get(r["dimension"], "")) if wide else ()),
                      Text(clean(clip_text(mask_text(r["description"])))),
                      (due_text if wide else due_short)(r["due_on"], r),
                      str(r["overdue_days"]))
    con.print(table)
    con.print("逾期工作日：整改期限次日起至统计日的工作日数（按国务院节假日安排）。")


def _overdue_summary(rows: list[dict], day, tot: dict) -> None:
    """Too many rows to read on screen: one line per unit, and where the detail is."""
    from cdo.output import console, table_kit

    con = console()
    Table, _ = table_kit(con)  # noqa: N806 - Rich's, or a stand-in when piped
    units: dict[int, dict] = {}
    for r in rows:
        u = units.setdefault(r["unit_id"], {"unit": r["unit"], "cdo": r["cdo"], "n": 0,
                                            "max": 0})
        u["n"] += 1
        u["max"] = max(u["max"], r["overdue_days"])
    table = Table(title=f"逾期未整改问题：按单位汇总（截至 {day}）", header_style="bold",
                  title_style="bold", show_footer=True)
    table.add_column("责任单位", footer=f"合计 {tot['units']} 个单位")
    table.add_column("首席数据官")
    table.add_column("逾期问题", justify="right", footer=str(tot["problems"]))
    table.add_column("最长逾期工作日", justify="right", footer=str(tot["max_days"]))
    for u in units.values():
        table.add_row(u["unit"], u["cdo"] or "（未登记）", str(u["n"]), str(u["max"]))
    con.print(table)
    con.print(f"逾期问题共 {tot['problems']} 个，超过 {TABLE_DETAIL_LIMIT} 个，屏幕上只列汇总；"
              "明细请用 --output 逾期.xlsx 导出，或 --format csv。")


@app.command("monthly")
def monthly(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="抽查月份，如 2023-09")],
    as_of_: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """某月抽查问题的整改情况：按单位统计发现、按期整改、逾期整改、未整改、逾期、按期整改率。

    只计该月月度抽查发现的问题；数据使用单位反馈的问题不计入，另行注明个数。"""
    from cdo.output import Column, emit
    from cdo.problems.reports import (
        monthly_user_note,
        rate_text,
        rectification_by_unit,
        rectification_totals,
        user_reported_count,
    )

    m = parse_month(month, "--month 抽查月份")
    day = as_of(as_of_)
    check_output(ctx, output, force)
    db = open_database(ctx)
    rows = rectification_by_unit(db, as_of=day, month=m, source="spotcheck")
    users = user_reported_count(db, as_of=day, month=m)
    note = monthly_user_note(users, m)
    cols = [
        Column("unit", "责任单位"),
        Column("found", "发现问题", justify="right"),
        Column("on_time", "按期整改", justify="right"),
        Column("late", "逾期整改", justify="right"),
        Column("open", "尚未整改", justify="right"),
        Column("overdue", "逾期问题", justify="right"),
        Column("on_time_rate", "按期整改率", show=rate_text, justify="right"),
    ]
    y, mo = m.split("-")
    caption = ("只计月度抽查发现的问题。按期整改率 = 按期整改 ÷（按期整改 + 逾期整改 + 逾期未整改）；"
               "逾期含已逾期整改的问题")
    emit(rows, cols, fmt, keys=["unit", "found", "on_time", "late", "open", "overdue",
                                "on_time_rate"],
         title=f"{y}年{int(mo)}月数据抽查问题整改情况（截至 {day}）",
         caption=caption + (f"\n{note}" if note else ""),
         footer=rectification_totals(rows) if rows else None, output=None,
         empty=f"{m} 没有登记月度抽查问题。" + (f"\n{note}" if note else ""))
    if note and fmt is not Format.table:
        warn(note)  # stdout carries the JSON/CSV rows
    if output is not None:
        from cdo.problems.reports import write_monthly_xlsx

        write_monthly_xlsx(output, rows, m, day, user_reported=users)
        if fmt is Format.table:
            echo(f"已写入 {output}")


@app.command("annual")
def annual(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", "-y", help="年度，如 2023")],
    output: Annotated[str, typer.Option("--output", "-o", help="输出的 .xlsx 文件")],
    as_of_: AsOfOpt = None,
    force: ForceOpt = False,
) -> None:
    """年度工作簿：名册、问题清单、整改情况、评价排名、评价依据，五张表可筛选、可打印。

    问题按所属月份计年度（抽查问题为抽查月份，与月度报表一致）；整改情况分列月度抽查与
    使用单位反馈，抽查部分等于当年各月月度报表之和。--as-of 之后下发的问题不列入，
    名册截至 12 月 31 日或 --as-of（取较早者）。评价依据列出每个单位附件2每一项的满分、
    已录入分、建议分及其依据（同 cdo evidence show）。"""
    from pathlib import Path

    from cdo.evaluation.annual import write_annual

    day = as_of(as_of_)
    check_output(ctx, output, force)
    counts = write_annual(open_database(ctx), year, Path(output), day)
    echo(f"已写入 {output}：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))


@app.command("trend")
def trend(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", "-y", help="年度，如 2023")],
    as_of_: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """逐月趋势：各抽查月份发现、按期整改、逾期的问题数和按期整改率（与各月月报一致）。"""
    from cdo.evaluation.points import check_year
    from cdo.problems.trend import TREND_KEYS, monthly_trend

    check_year(year)
    day = as_of(as_of_)
    rows = monthly_trend(open_database(ctx, create=False), year, day)
    if fmt is Format.table:
        _trend_view(rows, year, day)
        return
    from cdo.output import emit

    emit(rows, [], fmt, keys=TREND_KEYS)


def _trend_view(rows: list[dict], year: int, day) -> None:
    """Month by month as bars: █ rectified on time, ▒ overdue (late or still open past
    the deadline), ░ the rest (within the deadline)."""
    from cdo.output import PlainConsole, console, table_kit
    from cdo.problems.reports import rate_text

    con = console()
    Table, _ = table_kit(con)  # noqa: N806 - Rich's, or a stand-in when piped
    if not rows:
        con.print(f"{year} 年截至 {day} 还没有抽查月份。")
        return
    table = Table(title=f"{year} 年各月抽查问题整改趋势（截至 {day}）", header_style="bold",
                  title_style="bold",
                  caption="█ 按期整改　▒ 逾期（含逾期整改）　░ 其余（整改期内或尚未到期）")
    table.add_column("月份", no_wrap=True)
    table.add_column("发现", justify="right", no_wrap=True)
    table.add_column("按期整改", justify="right", no_wrap=True)
    table.add_column("逾期", justify="right", no_wrap=True)
    table.add_column("按期整改率", justify="right", no_wrap=True)
    bar_room = 0 if isinstance(con, PlainConsole) else max(0, min(40, con.width - 52))
    most = max(r["found"] for r in rows) or 1
    if bar_room:
        table.add_column("", no_wrap=True, overflow="crop")
    for r in rows:
        cells = [r["month"], str(r["found"]), str(r["on_time"]), str(r["overdue"]),
                 rate_text(r["on_time_rate"])]
        if bar_room:
            scale = bar_room / most
            ok = round(r["on_time"] * scale)
            bad = round(r["overdue"] * scale)
            rest = max(0, round(r["found"] * scale) - ok - bad)
            cells.append("█" * ok + "▒" * bad + "░" * rest)
        table.add_row(*cells)
    con.print(table)
