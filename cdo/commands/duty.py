"""cdo duty …: meetings and trainings with attendance, yearly work plans and summaries."""

from __future__ import annotations

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
)
from cdo.errors import InvalidInputError
from cdo.output import Format

app = typer.Typer(rich_markup_mode=None, help="日常履职记录：会议与培训出勤、年度工作计划与总结",
                  no_args_is_help=True)
meeting_app = typer.Typer(rich_markup_mode=None, help="会议与培训：登记、列表、查看出勤",
                          no_args_is_help=True)
app.add_typer(meeting_app, name="meeting")

UnitArg = Annotated[str, typer.Argument(help="单位全称、去掉“达州市”的名称或简称")]
YearOpt = Annotated[int, typer.Option("--year", help="年度，如 2023")]
UnitsOpt = Annotated[str | None, typer.Option(help="单位名称，多个用逗号或顿号分开")]


def _category(v, r) -> str:
    from cdo.roster.units import CATEGORY_NAMES

    return CATEGORY_NAMES.get(v, v or "")


@meeting_app.command("add")
def meeting_add(
    ctx: typer.Context,
    on: Annotated[str, typer.Option("--on", help="举办日期")],
    title: Annotated[str, typer.Option("--title", help="名称，如 2023年上半年首席数据官工作会议")],
    kind: Annotated[str, typer.Option(
        "--kind", help="meeting（会议）或 training（培训）")] = "meeting",
    note: Annotated[str | None, typer.Option("--note", help="备注")] = None,
) -> None:
    """登记一次首席数据官工作会议或培训。"""
    from cdo.dates import parse_date
    from cdo.roster import duty

    db = open_database(ctx)
    held = parse_date(on, "--on 日期")
    mid = duty.add_meeting(db, kind, held, title, note)
    k = duty.KINDS[duty.parse_kind(kind)]
    echo(f"已登记{k}（编号 {mid}）：{held} {' '.join(title.split())}")
    echo(f"记录出勤：cdo duty attend {mid} --present 单位1,单位2 --absent … 或 --file 签到表.xlsx")


@meeting_app.command("list")
def meeting_list(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="只看这一年")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出会议与培训及出勤人数。"""
    from cdo.output import Column, emit
    from cdo.roster import duty

    db = open_database(ctx)
    rows = duty.list_meetings(db, year)
    cols = [
        Column("id", "编号", justify="right"), Column("held_on", "日期"),
        Column("kind", "类型", show=lambda v, r: duty.KINDS.get(v, v)), Column("title", "名称"),
        Column("present", "出席", justify="right"), Column("deputy", "代会", justify="right"),
        Column("excused", "请假", justify="right"), Column("absent", "缺席", justify="right"),
        Column("unrecorded", "未记录", justify="right"),
    ]
    emit(rows, cols, fmt, keys=["id", "kind", "held_on", "title", "present", "deputy", "excused",
                                "absent", "unrecorded"],
         title="会议与培训", empty="还没有登记会议或培训。")


@meeting_app.command("show")
def meeting_show(
    ctx: typer.Context,
    meeting_id: Annotated[int, typer.Argument(help="会议编号")],
    fmt: FormatOpt = Format.table,
) -> None:
    """查看一次会议或培训各单位的出勤。"""
    from cdo.output import Column, emit
    from cdo.roster import duty

    db = open_database(ctx)
    m, rows = duty.meeting_attendance(db, meeting_id)
    cols = [
        Column("unit", "单位"), Column("category", "类别", show=_category),
        Column("status", "出勤", show=lambda v, r: duty.STATUS_NAMES.get(v, "未记录")),
        Column("attendee", "参会人"),
    ]
    emit(rows, cols, fmt, keys=["unit", "category", "status", "attendee"],
         title=f"{m['held_on']} {m['title']}（{duty.KINDS[m['kind']]}）出勤",
         empty="还没有登记任何单位。")


@app.command("attend")
def attend(
    ctx: typer.Context,
    meeting_id: Annotated[int, typer.Argument(help="会议编号（cdo duty meeting list 可查）")],
    present: UnitsOpt = None,
    absent: UnitsOpt = None,
    excused: UnitsOpt = None,
    deputy: UnitsOpt = None,
    file: Annotated[Path | None, typer.Option("--file", help="签到表 .xlsx 或 .csv"
                                              "（“单位”列和“出勤情况”或“签到”列）")] = None,
    rest_absent: Annotated[bool, typer.Option(
        "--rest-absent", help="其余没有出勤记录的单位一律记为缺席")] = False,
) -> None:
    """记录会议或培训的出勤：按单位名称（出席、缺席、请假、代会），或导入签到表。"""
    from cdo.roster import duty

    by_status = {"present": present, "absent": absent, "excused": excused, "deputy": deputy}
    named = {s: duty.split_units(v) for s, v in by_status.items()}
    if file is None and not any(named.values()) and not rest_absent:
        raise InvalidInputError(
            "请用 --present/--absent/--excused/--deputy 写单位名称，或用 --file 导入签到表")
    if file is not None and any(named.values()):
        raise InvalidInputError("--file 与按单位名称记录不能同时使用，请分两次执行")
    db = open_database(ctx)
    if file is not None:
        counts = duty.import_signin(db, meeting_id, file, rest_absent=rest_absent)
    else:
        counts = duty.record_attendance(db, meeting_id, duty.entries_from(named),
                                        rest_absent=rest_absent)
    parts = [f"新记录 {counts['added']}", f"修改 {counts['changed']}",
             f"无变化 {counts['unchanged']}"]
    if rest_absent:
        parts.append(f"其余 {counts['rest']} 个单位记为缺席")
    echo(f"会议 {meeting_id} 出勤已保存：{'，'.join(parts)}。")
    echo_hidden(counts.get("hidden_sheets"))


def _report(ctx: typer.Context, kind: str, unit: str, year: int, received: str,
            note: str | None) -> None:
    from cdo.dates import parse_date
    from cdo.roster import duty
    from cdo.roster.units import resolve_unit

    db = open_database(ctx)
    day = parse_date(received, "--received 日期")
    action = duty.record_report(db, unit, kind, year, day, note)
    name = resolve_unit(db, unit).name
    what = duty.REPORT_KINDS[kind]
    verb = {"added": "已记录", "changed": "已修改", "unchanged": "无变化"}[action]
    tail = ""
    if kind == "summary":
        due = duty.summary_due(year)
        tail = "（按时）" if day <= due else f"（逾期：应在 {due} 前报送）"
    echo(f"{verb}：{name} {year} 年{what}于 {day} 收到{tail}")


NoteOpt = Annotated[str | None, typer.Option("--note", help="备注")]
ReceivedOpt = Annotated[str, typer.Option("--received", "--on", help="收到日期（--on 同义）")]


@app.command("plan")
def plan(ctx: typer.Context, unit: UnitArg, year: YearOpt, received: ReceivedOpt,
         note: NoteOpt = None) -> None:
    """记录单位报送年度工作计划的日期。"""
    _report(ctx, "plan", unit, year, received, note)


@app.command("summary")
def summary(ctx: typer.Context, unit: UnitArg, year: YearOpt, received: ReceivedOpt,
            note: NoteOpt = None) -> None:
    """记录单位报送年度工作总结的日期（应在当年 12 月 31 日前报送）。"""
    _report(ctx, "summary", unit, year, received, note)


@app.command("list")
def list_(
    ctx: typer.Context,
    year: YearOpt,
    as_of_text: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """各单位一年的履职记录：会议培训出勤次数、工作计划与总结收到日期。"""
    from cdo.output import Column, emit
    from cdo.roster import duty

    check_output(ctx, output, force)
    db = open_database(ctx)
    rows = duty.duty_rows(db, year, as_of(as_of_text))

    def on_time(v, r) -> str:
        return {True: "按时", False: "逾期" if r["summary_on"] else "未报送（逾期）",
                None: ""}[v]

    cols = [
        Column("unit", "单位"), Column("category", "类别", show=_category),
        Column("events", "会议培训", justify="right"), Column("present", "出席", justify="right"),
        Column("deputy", "代会", justify="right"), Column("excused", "请假", justify="right"),
        Column("absent", "缺席", justify="right"), Column("unrecorded", "未记录", justify="right"),
        Column("plan_on", "工作计划"), Column("summary_on", "工作总结"),
        Column("summary_on_time", "总结按时", show=on_time),
    ]
    emit(rows, cols, fmt, keys=["unit", "category", "year", "events", "present", "deputy",
                                "excused", "absent", "unrecorded", "plan_on", "summary_on",
                                "summary_on_time"],
         title=f"{year} 年日常履职记录", output=output, sheet_title=f"{year}年日常履职",
         empty="还没有登记任何单位。")
