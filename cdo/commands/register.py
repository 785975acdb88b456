"""cdo register …: the CDO roster (recommendation forms, appointment, filing, specialists)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cdo.commands.common import (
    AsOfOpt,
    ForceOpt,
    FormatOpt,
    OutputOpt,
    ShowContactOpt,
    as_of,
    check_output,
    date_opt,
    echo,
    open_database,
    warn,
)
from cdo.errors import PartlySavedError
from cdo.output import Format

app = typer.Typer(rich_markup_mode=None, help="首席数据官名册：推荐表、任命、备案、数据专员",
                  no_args_is_help=True)
specialist_app = typer.Typer(rich_markup_mode=None, help="数据专员：添加、移除、列表",
                             no_args_is_help=True)
app.add_typer(specialist_app, name="specialist")

UnitArg = Annotated[str, typer.Argument(help="单位全称、去掉“达州市”的名称或简称")]
OnOpt = Annotated[str, typer.Option("--on", help="日期，如 2023-06-15")]


def _masked(rows: list[dict], show_contact: bool) -> list[dict]:
    if show_contact:
        return rows
    from cdo.masking import mask_phone

    return [{**r, "phone": mask_phone(r.get("phone")) or None} for r in rows]


@app.command("template")
def template(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="要写入的 .xlsx 文件")],
    force: ForceOpt = False,
) -> None:
    """写一份空白的首席数据官推荐表（附件1），可发给各单位填写。"""
    from cdo.sheets.forms import write_template

    check_output(ctx, out, force)
    write_template(out)
    echo(f"已写入空白推荐表：{out}")


_ACTION_NAMES = {"added": "新增", "replaced": "更换", "updated": "更新", "unchanged": "无变化"}


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="推荐表文件或文件夹（可多个）")],
    unit: Annotated[str | None, typer.Option("--unit", help="所有推荐表都属于这个单位"
                                             "（默认按“工作单位及职务”识别）")] = None,
    received: Annotated[str | None, typer.Option(
        "--received", help="收到推荐表的日期（收文登记表和文件名中都没有时使用，默认今天）")] = None,
) -> None:
    """导入填好的推荐表（.xlsx、.xls、.et 或 .ods，一个工作表一份），逐份保存，有问题的逐份列出。

    给文件夹时读取其中所有表格文件（.xlsx、.xls、.et、.ods）；.csv、Word 等文件列为未导入并说明原因，
    图片、PDF 等其他文件、隐藏文件和 Excel/WPS/LibreOffice 打开文件时留下的临时文件
    （~$…、.~lock…#）不读取；打不开的文件（没有权限或正被 Excel 打开）和名字像表格文件却读不了的
    （失效的快捷方式、没有推荐表的文件夹）逐个列出，其余照常导入。

    每份的收到日期依次取自：文件夹中的收文登记表（有“收到日期”列和“文件名”或“单位”列的
    .xlsx/.csv），文件名中的日期（如“2023-05-26 通川区.xlsx”、20230526、2023年5月26日），
    最后才是 --received（默认今天）。"""
    from cdo.dates import today
    from cdo.roster import cdos as roster
    from cdo.sheets.read import hidden_said

    received_on = date_opt(received, "--received 日期") or today()
    db = open_database(ctx)
    report = roster.import_forms(db, paths, unit=unit, received_on=received_on)
    for o in report.done:
        line = f"{_ACTION_NAMES[o.action]}  {o.unit}  {o.name}"
        if o.previous:
            line += f"（原首席数据官 {o.previous} 离任）"
        if o.unit_source:
            line += f"（工作单位及职务没写明单位，按{o.unit_source}认定）"
        if o.missing and o.action != "unchanged":
            line += f"（未填：{'、'.join(o.missing)}）"
        if o.received_from and o.action != "unchanged":
            line += f"（收到日期 {o.received_on}，取自{o.received_from}）"
        echo(f"{line}  ← {o.file}，工作表“{o.sheet}”")
        if o.stated:
            warn(f"注意：{o.file}，工作表“{o.sheet}”表上写的是“{o.stated}”，"
                 f"已按 --unit 记入 {o.unit}")
    for f in report.failed:
        warn(f"未导入  {f.place}：{f.reason}")
    for file, names in report.hidden.items():
        echo(f"{file}：{hidden_said(names)}（隐藏的工作表不作为推荐表导入）")
    echo(import_summary(report))
    if report.failed and not report.done:
        from cdo.errors import CdoError

        n = len(report.failed)
        raise CdoError(("推荐表未导入" if n == 1 else f"{n} 份推荐表都未导入")
                       + "，原因见上；没有保存任何内容")
    if report.failed:
        raise PartlySavedError(f"有 {len(report.failed)} 份推荐表未导入，原因见上；其余已保存")


def import_summary(report) -> str:
    """'共 8 份：新增 4 份，更新 1 份，无变化 2 份，失败 1 份。' (parts that are 0 left out)."""
    parts = [(name, report.count(a)) for a, name in _ACTION_NAMES.items()]
    parts.append(("失败", len(report.failed)))
    total = len(report.done) + len(report.failed)
    said = "，".join(f"{name} {n} 份" for name, n in parts if n)
    return f"共 {total} 份：{said}。" if said else "没有读到推荐表。"


def _advance(ctx: typer.Context, unit: str, step: str, on: str, reason: str | None) -> dict:
    from cdo.dates import parse_date
    from cdo.roster import cdos as roster

    db = open_database(ctx)
    return roster.advance(db, unit, step, parse_date(on, "--on 日期"), reason)


@app.command("appoint")
def appoint(ctx: typer.Context, unit: UnitArg, on: OnOpt) -> None:
    """记录单位现任首席数据官的任命日期（已推荐 → 已任命）。"""
    row = _advance(ctx, unit, "appoint", on, None)
    echo(f"已记录：{row['unit']}首席数据官{row['name']}于 {row['appointed_on']} 任命")


@app.command("file")
def file_(ctx: typer.Context, unit: UnitArg, on: OnOpt) -> None:
    """记录报市委组织部备案的日期（已任命 → 已备案）。"""
    row = _advance(ctx, unit, "file", on, None)
    echo(f"已记录：{row['unit']}首席数据官{row['name']}于 {row['filed_on']} 备案")


@app.command("end")
def end(
    ctx: typer.Context, unit: UnitArg, on: OnOpt,
    reason: Annotated[str | None, typer.Option("--reason", help="离任原因，如 工作调动")] = None,
) -> None:
    """记录现任首席数据官离任（任期结束）；该单位须在一个月内重新报送推荐表。"""
    from cdo.dates import parse_date
    from cdo.roster import cdos as roster
    from cdo.store import calendar_store

    db = open_database(ctx)
    row = roster.advance(db, unit, "end", parse_date(on, "--on 日期"), reason)
    due = calendar_store.load_calendar(db).add_month(parse_date(row["ended_on"]))
    echo(f"已记录：{row['unit']}首席数据官{row['name']}于 {row['ended_on']} 离任。"
         f"新的推荐表应在 {due} 前报送")


@app.command("list")
def list_(
    ctx: typer.Context,
    show_contact: ShowContactOpt = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """名册：每个单位一行，列出现任首席数据官（电话默认打码，--show-contact 显示完整）。"""
    from cdo.output import Column, emit, write_xlsx_rows
    from cdo.roster import cdos as roster
    from cdo.roster.units import CATEGORY_NAMES

    check_output(ctx, output, force)
    db = open_database(ctx)
    rows = _masked(roster.list_roster(db), show_contact)
    cat = Column("category", "类别", show=lambda v, r: CATEGORY_NAMES.get(v, v or ""))
    status = Column("status", "状态", show=lambda v, r: roster.STATUS_NAMES.get(v, "未报送"))
    table_cols = [
        Column("unit", "单位"), Column("name", "首席数据官"),
        Column("phone", "联系电话"), status,
        Column("recommended_on", "推荐日期"),
        Column("appointed_on", "任命日期"), Column("filed_on", "备案日期"),
        Column("specialists", "数据专员", justify="right"),
    ]
    if output is not None:
        full = [
            Column("unit", "单位"), cat, Column("name", "姓名"), Column("gender", "性别"),
            Column("ethnicity", "民族"), Column("birth_month", "出生年月"),
            Column("native_place", "籍贯"), Column("political_status", "政治面貌"),
            Column("education", "学历学位"), Column("phone", "联系方式"),
            Column("position", "工作单位及职务"), status,
            Column("recommended_on", "推荐日期"), Column("appointed_on", "任命日期"),
            Column("filed_on", "备案日期"), Column("specialists", "数据专员人数"),
        ]
        write_xlsx_rows(output, rows, full, "首席数据官名册", title="达州市首席数据官名册",
                        show_contact=show_contact)
    have = sum(1 for r in rows if r["name"])
    emit(rows, table_cols, fmt, keys=_LIST_KEYS, title="首席数据官名册", show_contact=show_contact,
         caption=f"共 {len(rows)} 个单位，{have} 个有现任首席数据官", empty="还没有登记任何单位。")
    if output is not None and fmt == "table":
        echo(f"已写入 {output}")


_LIST_KEYS = [
    "unit", "category", "name", "gender", "ethnicity", "birth_month", "native_place",
    "political_status", "education", "phone", "position", "status", "recommended_on",
    "appointed_on", "filed_on", "specialists",
]


@app.command("history")
def history(
    ctx: typer.Context, unit: UnitArg,
    show_contact: ShowContactOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """一个单位历任首席数据官及各环节日期。"""
    from cdo.output import Column, emit
    from cdo.roster import cdos as roster

    db = open_database(ctx)
    u, rows = roster.history(db, unit)
    rows = _masked(rows, show_contact)
    cols = [
        Column("name", "姓名"),
        Column("status", "状态", show=lambda v, r: roster.STATUS_NAMES.get(v, v)),
        Column("phone", "联系电话"),
        Column("recommended_on", "推荐日期"), Column("received_on", "收到日期"),
        Column("appointed_on", "任命日期"), Column("filed_on", "备案日期"),
        Column("ended_on", "离任日期"), Column("end_reason", "离任原因"),
    ]
    keys = ["unit", "name", "status", "phone", "position", "recommended_on", "received_on",
            "appointed_on", "filed_on", "ended_on", "end_reason"]
    emit(rows, cols, fmt, keys=keys, title=f"{u.name}历任首席数据官", show_contact=show_contact,
         empty=f"{u.name}还没有报送过推荐表。")


@app.command("show")
def show(
    ctx: typer.Context, unit: UnitArg,
    show_contact: ShowContactOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """单位现任首席数据官的完整推荐表：基本情况、个人简历、专业特长、工作计划、推荐意见，
    以及推荐、任命、备案日期和数据专员（电话默认打码，--show-contact 显示完整）。"""
    from cdo.masking import mask_phone
    from cdo.output import plain, print_csv, print_json
    from cdo.roster import cdos as roster
    from cdo.sheets.forms import FIELD_NAMES

    db = open_database(ctx, create=False)
    row = roster.show(db, unit)
    if not show_contact:
        row["phone"] = mask_phone(row["phone"]) or None
        row["specialists"] = [{**s, "phone": mask_phone(s["phone"]) or None}
                              for s in row["specialists"]]
    if fmt == Format.json:
        print_json({k: plain(row[k]) for k in roster.SHOW_KEYS}, show_contact=show_contact)
        return
    if fmt == Format.csv:
        flat = {**row, "specialists": "、".join(s["name"] for s in row["specialists"])}
        print_csv([flat], roster.SHOW_KEYS, show_contact=show_contact)
        return
    from cdo.output import console, table_kit

    con = console()
    Table, _ = table_kit(con)  # noqa: N806 - Rich's, or a stand-in when piped
    labels = {"unit": "单位", **FIELD_NAMES, "status": "状态", "recommended_on": "推荐日期",
              "received_on": "收到日期", "appointed_on": "任命日期", "filed_on": "备案日期",
              "source_file": "来源文件", "source_sheet": "工作表", "specialists": "数据专员"}
    values = {**row, "status": roster.STATUS_NAMES.get(row["status"], row["status"]),
              "specialists": "、".join(
                  s["name"] + (f"（{s['phone']}）" if s["phone"] else "")
                  for s in row["specialists"]) or "（无）"}
    table = Table(title=f"{row['unit']}首席数据官 {row['name']}", show_header=False,
                  title_style="bold", show_lines=True)
    table.add_column("栏目", style="bold", no_wrap=True)
    table.add_column("内容", overflow="fold")
    from cdo.output import FREE_TEXT_KEYS, mask_text

    for key in roster.SHOW_KEYS:
        text = "" if values[key] is None else str(values[key])
        if key in FREE_TEXT_KEYS and not show_contact:  # a phone typed into the résumé
            text = mask_text(text)
        table.add_row(labels[key], text)
    con.print(table)


@app.command("missing")
def missing(
    ctx: typer.Context,
    as_of_text: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """缺报与逾期：没有首席数据官、没有数据专员、推荐表报送逾期的单位。"""
    from cdo.output import Column, emit
    from cdo.roster import cdos as roster
    from cdo.roster.units import CATEGORY_NAMES

    day = as_of(as_of_text)
    check_output(ctx, output, force)
    db = open_database(ctx)
    rows = roster.missing(db, day)
    cols = [
        Column("unit", "单位"),
        Column("category", "类别", show=lambda v, r: CATEGORY_NAMES.get(v, v)),
        Column("reason", "问题", show=lambda v, r: roster.REASON_NAMES.get(v, v)),
        Column("due_on", "应报送日期"),
        Column("detail", "情况"),
    ]
    late = sum(1 for r in rows if r["late"])
    emit(rows, cols, fmt, keys=["unit", "category", "reason", "due_on"],
         title=f"缺报与逾期（截至 {day}）", caption=f"共 {len(rows)} 项，其中逾期 {late} 项",
         output=output, sheet_title="缺报与逾期", empty=f"截至 {day}，没有缺报或逾期的单位。")


@specialist_app.command("add")
def specialist_add(
    ctx: typer.Context, unit: UnitArg,
    name: Annotated[str, typer.Argument(help="数据专员姓名")],
    phone: Annotated[str | None, typer.Option("--phone", help="联系电话")] = None,
    on: Annotated[str | None, typer.Option("--on", help="起始日期（默认今天）")] = None,
) -> None:
    """给单位添加一名数据专员。"""
    from cdo.roster import cdos as roster

    db = open_database(ctx)
    u = roster.add_specialist(db, unit, name, phone, date_opt(on, "--on 日期"))
    echo(f"已添加：{u.name}数据专员 {''.join(name.split())}")


@specialist_app.command("remove")
def specialist_remove(
    ctx: typer.Context, unit: UnitArg,
    name: Annotated[str, typer.Argument(help="数据专员姓名")],
    on: Annotated[str | None, typer.Option("--on", help="不再担任的日期（默认今天）")] = None,
) -> None:
    """移除单位的一名数据专员（记录保留）。"""
    from cdo.roster import cdos as roster

    db = open_database(ctx)
    u = roster.remove_specialist(db, unit, name, date_opt(on, "--on 日期"))
    echo(f"已移除：{u.name}数据专员 {name.strip()}")


@specialist_app.command("list")
def specialist_list(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Argument(help="只看这个单位")] = None,
    show_contact: ShowContactOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出现任数据专员。"""
    from cdo.output import Column, emit
    from cdo.roster import cdos as roster

    db = open_database(ctx)
    rows = _masked(roster.list_specialists(db, unit), show_contact)
    emit(rows, [Column("unit", "单位"), Column("name", "姓名"), Column("phone", "联系电话"),
                Column("added_on", "起始日期")], fmt, keys=["unit", "name", "phone", "added_on"],
         title="数据专员", empty="还没有登记数据专员。")
