"""cdo rectify …"""

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
    no_stray_options,
    open_database,
)
from cdo.dates import parse_date, today
from cdo.output import Format

app = typer.Typer(
    rich_markup_mode=None, help="问题整改：整改、销号、退回、协商、催办", no_args_is_help=True
)

IdsArg = Annotated[list[str], typer.Argument(help="问题编号，可写多个，如 12 13 或 12-15")]
OnOpt = Annotated[str | None, typer.Option("--on", help="发生日期（默认今天）")]
# `rectify done -1` reaches parse_ids (问题编号须为正整数) instead of "no such option".
_IDS_CTX = {"ignore_unknown_options": True}
NoteOpt = Annotated[str | None, typer.Option("--note", help="备注（如整改说明、核验意见）")]


def _run(ctx: typer.Context, ids: list[str], action: str, on: str | None, note: str | None,
         until: str | None = None) -> None:
    from cdo.errors import InvalidInputError
    from cdo.problems.model import ACTION_NAMES, STATUS_NAMES, parse_ids, transition

    no_stray_options(ctx, ids)
    pids = parse_ids(ids)
    day = parse_date(on, "--on 日期") if on else today()
    if day > today():  # a typo (2099, or next year for this year): nothing has happened then
        raise InvalidInputError(
            f"--on 日期 {day} 晚于今天（{today()}），不能登记尚未发生的{ACTION_NAMES[action]}；"
            "请核对年份")
    until_day = parse_date(until, "--until 商定期限") if until else None
    db = open_database(ctx)
    done = transition(db, pids, action, day, note=note, until=until_day)
    for p in done:
        extra = f"，整改期限改为 {p['due_on']}（原期限 {p['original_due_on']}）" \
            if action == "negotiate" else ""
        echo(f"问题 #{p['id']}（{p['unit']}）：{ACTION_NAMES[action]}，{day}，"
             f"现为“{STATUS_NAMES[p['status']]}”{extra}")
    if len(done) > 1:
        echo(f"共 {len(done)} 个问题已登记{ACTION_NAMES[action]}")


@app.command("done", context_settings=_IDS_CTX)
def done(ctx: typer.Context, ids: IdsArg, on: OnOpt = None, note: NoteOpt = None) -> None:
    """登记单位已整改完成（待核验）。"""
    _run(ctx, ids, "done", on, note)


@app.command("verify", context_settings=_IDS_CTX)
def verify(ctx: typer.Context, ids: IdsArg, on: OnOpt = None, note: NoteOpt = None) -> None:
    """核验通过，销号。"""
    _run(ctx, ids, "verify", on, note)


@app.command("reopen", context_settings=_IDS_CTX)
def reopen(ctx: typer.Context, ids: IdsArg, on: OnOpt = None, note: NoteOpt = None) -> None:
    """核验未通过，退回重新整改（整改期限不变）。"""
    _run(ctx, ids, "reopen", on, note)


@app.command("negotiate", context_settings=_IDS_CTX)
def negotiate(
    ctx: typer.Context,
    ids: IdsArg,
    until: Annotated[str, typer.Option("--until", help="双方首席数据官商定的整改期限")],
    on: OnOpt = None,
    note: NoteOpt = None,
) -> None:
    """短期无法整改：登记双方首席数据官协商的新期限（原期限保留）。"""
    _run(ctx, ids, "negotiate", on, note, until)


@app.command("list")
def list_(
    ctx: typer.Context,
    due_within: Annotated[
        int | None, typer.Option("--due-within", help="只看 N 个工作日内到期、尚未逾期的问题")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位")] = None,
    as_of_: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出待整改的问题，按单位、到期先后排列（用于提前催办）。"""
    from cdo.commands.spotcheck import problem_columns
    from cdo.output import Column, emit
    from cdo.problems.model import PROBLEM_KEYS, due_list

    day = as_of(as_of_)
    check_output(ctx, output, force)
    db = open_database(ctx)
    rows = due_list(db, as_of=day, due_within=due_within, unit=unit)
    cols = [c for c in problem_columns() if c.key not in ("rectified_on", "closed_on", "source")]
    cols += [Column("days_left", "剩余工作日", justify="right"), Column("reminded_on", "最近催办")]
    scope = f"{due_within} 个工作日内到期" if due_within is not None else "待整改"
    emit(rows, cols, fmt, keys=PROBLEM_KEYS, output=output,
         title=f"{scope}的问题（{len(rows)} 个，截至 {day}）", sheet_title="待整改问题",
         empty="没有符合条件的待整改问题。")


@app.command("remind", context_settings=_IDS_CTX)
def remind(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None, typer.Argument(help="只为这些问题登记催办（默认该单位全部待整改问题）")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="被催办的单位")] = None,
    on: OnOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="催办方式或内容，如 电话催办")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="同时写一份催办单 .xlsx（该单位全部待整改问题及逾期工作日；"
        "须与 --unit 同用）")] = None,
    force: ForceOpt = False,
) -> None:
    """登记向单位发出的催办（记到该单位的待整改问题上）；加 --output 同时写出催办单。"""
    from cdo.errors import InvalidInputError
    from cdo.problems.model import parse_ids
    from cdo.problems.model import remind as record_reminder

    no_stray_options(ctx, ids or [])
    pids = parse_ids(ids) if ids else None
    day = parse_date(on, "--on 日期") if on else today()
    if output is not None and not unit:
        raise InvalidInputError("写催办单（--output）时请用 --unit 指明单位")
    check_output(ctx, output, force)
    db = open_database(ctx)
    done = []  # announced only once thereminder sheet, if any, is written (a failure saves nothing)
    for r in record_reminder(db, on=day, unit=unit, ids=pids, note=note):
        shown = "、".join(f"#{i}" for i in r["problems"][:30])
        more = f" 等 {len(r['problems'])} 个" if len(r["problems"]) > 30 else ""
        done.append(f"已登记催办：{r['unit']}，{day}，问题 {shown}{more}")
    if output is not None:
        from cdo.problems.notices import write_reminder

        n = write_reminder(db, unit or "", output, day)
        done.append(f"已写入催办单 {output}：{n} 个待整改问题")
    for line in done:
        echo(line)
