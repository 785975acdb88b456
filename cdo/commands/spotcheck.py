"""cdo spotcheck …"""

from pathlib import Path
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
    echo_hidden,
    open_database,
    write_problem_lines,
)
from cdo.dates import parse_date, parse_month
from cdo.output import Format

app = typer.Typer(
    rich_markup_mode=None, help="数据抽查：问题数据清单与单个问题登记", no_args_is_help=True
)

MonthOpt = Annotated[str, typer.Option("--month", help="抽查月份，如 2023-09")]
IssuedOpt = Annotated[str, typer.Option("--issued-on", help="问题下发给单位的日期，如 2023-09-27")]


def _issued_on(text: str):
    """The issue date: a real date, and not after today (a typo such as 2099, or next year
    for this year: nothing has been issued then)."""
    from cdo.dates import today
    from cdo.errors import InvalidInputError

    day = parse_date(text, "--issued-on 下发日期")
    if day > today():
        raise InvalidInputError(
            f"--issued-on 下发日期 {day} 晚于今天（{today()}），不能登记尚未下发的问题；请核对年份")
    return day


def _id_span(ids: list[int]) -> str:
    if not ids:
        return ""
    if len(ids) == 1:
        return f"编号 {ids[0]}"
    return f"编号 {ids[0]}–{ids[-1]}"


def problem_columns():
    """Columns of a problem (shared with rectify list); the terminal table shows the
    essentials, the .xlsx every column."""
    from cdo.output import Column
    from cdo.problems.model import (
        DIMENSION_NAMES,
        SOURCE_NAMES,
        STATUS_NAMES,
        TABLE_TEXT_LIMIT,
        due_short,
        due_text,
        ever_overdue_text,
    )
    from cdo.problems.reports import due_mark

    # Long text is cut (…) in the terminal table only; JSON/CSV/.xlsx keep it whole.
    return [
        Column("id", "编号", justify="right"),
        Column("unit", "责任单位"),
        Column("resource", "数据资源名称", clip=TABLE_TEXT_LIMIT, wide=True),
        Column("dimension", "问题类型", show=lambda v, r: DIMENSION_NAMES.get(v, v or ""),
               wide=True),
        Column("description", "问题描述", clip=TABLE_TEXT_LIMIT),
        Column("records", "数据量", justify="right", terminal=False),
        Column("source", "来源", show=lambda v, r: SOURCE_NAMES.get(v, v or "")
               + (f"（{r['reporter']}）" if r.get("reporter") else ""), terminal=False),
        Column("issued_on", "下发日期", terminal=False),
        Column("due_on", "整改期限", show=due_text,
               narrow=due_short),
        Column("due_mark", "期限说明", show=lambda v, r: due_mark(r), terminal=False),
        Column("original_due_on", "原整改期限", terminal=False),
        Column("status", "状态", show=lambda v, r: STATUS_NAMES.get(v, v or "")),
        Column("rectified_on", "整改日期", terminal=False),
        Column("closed_on", "销号日期", terminal=False),
        Column("overdue_days", "逾期工作日", justify="right"),
        Column("ever_overdue", "曾逾期", show=ever_overdue_text, justify="center", wide=True),
    ]


@app.command("new")
def new(
    ctx: typer.Context,
    month: MonthOpt,
    issued_on: IssuedOpt,
    file: Annotated[Path, typer.Option("--file", help="问题数据清单（.xlsx 或 .csv）")],
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="只读这个工作表（默认读取每个带清单表头的工作表）"),
    ] = None,
    again: Annotated[bool, typer.Option(
        "--again", help="同一月份已导入过相同的问题时仍然导入（确是再次抽查发现了同样的问题）")
    ] = False,
) -> None:
    """登记一次月度抽查及其问题数据清单（整份清单全部导入，或有错时一条也不导入）。

    同一月份、问题逐行相同（责任单位、数据资源名称、问题类型、问题描述）的清单视为同一份，不论另存为 .xlsx 还是 .csv，都不会重复导入，除非加 --again。清单中有问题与同月已导入的问题相同（如更正后重发的清单）也不导入，并列出这些行，除非加 --again。

    问题类型写“一致性”的，按准确性登记（政策只列准确性、时效性、完整性、规范性四类）。
    """
    from cdo.problems.importer import import_spotcheck

    m = parse_month(month, "--month 抽查月份")
    day = _issued_on(issued_on)
    db = open_database(ctx)
    res = import_spotcheck(db, file, month=m, issued_on=day, sheet=sheet, again=again)
    mark = "（暂定：所跨年度尚无官方节假日安排）" if res["provisional"] else ""
    echo(f"已登记 {m} 月度抽查（抽查编号 {res['spotcheck_id']}）：{res['problems']} 个问题，"
         f"涉及 {res['units']} 个单位，{_id_span(res['ids'])}；"
         f"{res['issued_on']} 下发，整改期限 {res['due_on']}（30 个工作日）{mark}")
    for word, n in res.get("mapped", {}).items():
        echo(f"注意：{n} 个问题的问题类型写作“{word}”，按规定记为准确性（{word}不是单独的问题类型）")
    if len(res.get("sheets", [])) > 1:
        echo(f"读取了 {len(res['sheets'])} 个工作表：{'、'.join(res['sheets'])}"
             "（只要其中一个，请用 --sheet 指定）")
    echo_hidden(res.get("hidden_sheets"))


@app.command("template")
def template(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="要写入的空白清单 .xlsx")],
    force: ForceOpt = False,
) -> None:
    """生成一份空白的问题数据清单（.xlsx），列与导入时读取的一致。"""
    from cdo.problems.importer import write_template

    check_output(ctx, out, force)
    write_template(out)
    echo(f"已写入空白问题数据清单：{out}")


@app.command("add")
def add(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="责任单位（数据提供单位），全称或简称")],
    resource: Annotated[str, typer.Option("--resource", help="数据资源名称")],
    dimension: Annotated[
        str, typer.Option("--dimension", help="问题类型：准确性/时效性/完整性/规范性（或英文）；"
                          "一致性（各系统间或与来源不一致）按准确性登记")
    ],
    description: Annotated[str, typer.Option("--description", help="问题描述")],
    issued_on: IssuedOpt,
    records: Annotated[str | None, typer.Option("--records", help="问题数据量（条）")] = None,
    source: Annotated[
        str, typer.Option("--source", help="来源：spotcheck（月度抽查，30个工作日）或 user"
                          "（使用单位反馈，15个工作日）；也可写 抽查、用户")
    ] = "spotcheck",
    reporter: Annotated[
        str | None,
        typer.Option("--reporter", help="反馈问题的数据使用单位（--source user 时必填）"),
    ] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="归入哪个月的抽查（默认下发月份）")
    ] = None,
) -> None:
    """登记一个问题（月度抽查发现，或数据使用单位反馈）。"""
    from cdo.problems.model import DEADLINE_DAYS, SOURCE_NAMES, add_problem, dimension_rule

    day = _issued_on(issued_on)
    m = parse_month(month, "--month 抽查月份") if month else None
    db = open_database(ctx)
    p = add_problem(db, unit=unit, resource=resource, dimension=dimension,
                    description=description, records=records, issued_on=day, source=source,
                    reporter=reporter, month=m)
    mark = "（暂定）" if p["provisional"] else ""
    echo(f"已登记问题 #{p['id']}：{p['unit']}，{p['resource']}（{SOURCE_NAMES[p['source']]}）；"
         f"{p['issued_on']} 下发，整改期限 {p['due_on']}{mark}"
         f"（{DEADLINE_DAYS[p['source']]} 个工作日）")
    if (word := dimension_rule(dimension)) is not None:
        echo(f"注意：问题类型“{dimension}”按规定记为准确性（{word}不是单独的问题类型）")


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    spotcheck: Annotated[int, typer.Argument(help="抽查编号（导入时显示的“抽查编号 N”）")],
    reason: Annotated[str, typer.Option("--reason", help="撤回的理由（必填，记入日志）")],
) -> None:
    """撤回整次导入错了的抽查（如重复导入）：删除它的全部问题，理由记入日志。

    只要其中有一个问题已整改、核验、退回或协商延期，就不能撤回。
    """
    from cdo.problems.importer import withdraw_spotcheck

    r = withdraw_spotcheck(open_database(ctx), spotcheck, reason)
    echo(f"已撤回抽查编号 {r['spotcheck_id']}（{r['month']}，{r['issued_on']} 下发，"
         f"文件 {r['source_file']}）：删除 {r['problems']} 个问题（{_id_span(r['ids'])}），"
         "理由已记入日志" + (f"；{r['reminders']} 次催办记录不再列出这些问题"
                             if r["reminders"] else ""))


@app.command("list")
def list_(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help="抽查月份，如 2023-09")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="状态：待整改、已整改、已销号、协商延期"
                                 "（或 open/rectified/closed/negotiated）")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="来源：抽查 或 用户（使用单位反馈）；"
                                 "也可写 spotcheck、user")
    ] = None,
    as_of_: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出问题（可按月份、单位、状态、来源筛选）。"""
    from cdo.output import emit
    from cdo.problems.model import PROBLEM_KEYS, list_problems

    m = parse_month(month, "--month 抽查月份") if month else None
    day = as_of(as_of_)
    check_output(ctx, output, force)
    db = open_database(ctx)
    with db.snapshot():  # every part as of one moment
        if fmt is not Format.table and output is None:  # written row by row as SQLite reads
            from cdo.problems.model import list_problems_pages

            filters = {"month": m, "unit": unit, "status": status, "source": source}
            write_problem_lines(db, fmt, lambda line, sep: list_problems_pages(
                db, as_of=day, filters=filters, line=line, sep=sep), compact=False)
            return
        rows = list_problems(db, as_of=day, month=m, unit=unit, status=status, source=source)
        emit(rows, problem_columns(), fmt, keys=PROBLEM_KEYS, output=output,
             title=f"问题清单（{len(rows)} 个，逾期按 {day} 计）", sheet_title="问题清单",
             caption="曾逾期：截至该日曾经逾期（含逾期后才整改、退回或协商延期的问题）"
             if any(r["ever_overdue"] for r in rows) else None,
             empty="没有符合条件的问题。" if as_of_ is None
             else f"没有符合条件的问题（{day} 及以前下发的）。")


@app.command("notify")
def notify(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="问题所属月份，如 2023-10")],
    outdir: Annotated[Path, typer.Option("--outdir", help="通知单写入哪个文件夹（须已存在）",
                                         file_okay=False)],
    unit: Annotated[str | None, typer.Option("--unit", help="只给这个单位写通知单")] = None,
    on: Annotated[str | None, typer.Option("--on", help="通知单落款日期（默认今天）")] = None,
    force: ForceOpt = False,
) -> None:
    """给该月有问题的每个单位写一份《数据质量问题整改通知单》（.xlsx），并记入修改日志。"""
    from cdo.commands.common import protected_paths
    from cdo.dates import parse_date, parse_month, today
    from cdo.problems.notices import write_notices

    m = parse_month(month, "--month 月份")
    day = parse_date(on, "--on 日期") if on else today()
    db = open_database(ctx)
    done = write_notices(db, m, outdir, today=day, unit=unit, force=force,
                         protected=protected_paths(ctx))
    for n in done:
        echo(f"已写入 {n['file']}：{n['unit']}，问题 {len(n['problems'])} 个")
    echo(f"共 {len(done)} 份整改通知单，已记入修改日志（cdo log --entity notice 查看）")
