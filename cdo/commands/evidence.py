"""cdo evidence …: the evidence behind 附件2 (评价依据)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cdo.commands.common import (
    AsOfOpt,
    FormatOpt,
    OutputOpt,
    as_of,
    date_opt,
    echo,
    echo_hidden,
    open_database,
)
from cdo.output import Format

app = typer.Typer(rich_markup_mode=None, no_args_is_help=True,
                  help="评价依据：数据资源目录（一本账）、信息系统清单、任务清单、应用项目、"
                       "数据质量，以及据此计算的建议分")
catalog_app = typer.Typer(rich_markup_mode=None, no_args_is_help=True,
                          help="数据资源目录清单（一本账）：导入、版本、条目")
systems_app = typer.Typer(rich_markup_mode=None, no_args_is_help=True,
                          help="自建信息系统和条线信息系统清单：导入、列表")
tasks_app = typer.Typer(rich_markup_mode=None, no_args_is_help=True,
                        help="办公室下达的任务清单（共享责任、数据回流、年度开放计划）")
projects_app = typer.Typer(rich_markup_mode=None, no_args_is_help=True,
                           help="应用示范项目和授权运营、数据交易等探索")
quality_app = typer.Typer(rich_markup_mode=None, no_args_is_help=True,
                          help="每次抽查的空值数、错值数：导入、空值率错值率及趋势")
app.add_typer(catalog_app, name="catalog")
app.add_typer(systems_app, name="systems")
app.add_typer(tasks_app, name="tasks")
app.add_typer(projects_app, name="projects")
app.add_typer(quality_app, name="quality")

FileArg = Annotated[Path, typer.Argument(help="文件（.xlsx 或 .csv）", dir_okay=False)]
UnitOpt = Annotated[str, typer.Option("--unit", "-u", help="单位全称、去掉“达州市”的名称或简称")]
UnitFilter = Annotated[str | None, typer.Option("--unit", "-u", help="只看一个单位")]
YearOpt = Annotated[int, typer.Option("--year", "-y", help="评价年度，如 2023")]
ReceivedOpt = Annotated[str | None, typer.Option("--received", help="收到日期（默认今天）")]
ListOpt = Annotated[str, typer.Option(
    "--list", "-l", help="清单：share（第三批数据共享责任清单）、return（数据回流任务清单）、"
                         "open-plan（县市区年度数据开放计划）")]


_SHORT_LISTS = {"share": "共享", "return": "回流", "open-plan": "开放计划"}  # 80 columns


def _yes(v, r) -> str:
    return "是" if v else "否"


# ----------------------------------------------------------------------------- catalogue

@catalog_app.command("import")
def catalog_import(ctx: typer.Context, file: FileArg, unit: UnitOpt,
                   received: ReceivedOpt = None) -> None:
    """导入一个单位报送的数据资源目录清单；后收到的一版成为现行版本，旧版仍可查询。

    表头按名称识别：数据资源名称（必填）、所属信息系统、数据项数/字段数、数据量、更新频率、
    共享属性（无条件共享/有条件共享/不予共享）、开放属性（无条件开放/有条件开放/不予开放）、
    数据字典（有/无）、分级（一般/重要/核心）。全部无误才导入，错误逐行列出。"""
    from cdo.evaluation import evidence

    r = evidence.import_catalog(open_database(ctx), file, unit,
                                date_opt(received, "--received 日期"))
    if r.get("unchanged"):
        echo(f"{r['unit']} 数据资源目录与已导入的第 {r['version']} 版（{r['received_on']} 收到）"
             f"完全相同，没有重复导入")
        echo_hidden(r.get("hidden_sheets"))
        return
    echo(f"已导入 {r['unit']} 数据资源目录第 {r['version']} 版（{r['received_on']} 收到），"
         f"{r['entries']} 条" + ("；现为现行版本" if r["previous"] else ""))
    echo_hidden(r.get("hidden_sheets"))


@catalog_app.command("versions")
def catalog_versions(ctx: typer.Context, unit: UnitFilter = None,
                     fmt: FormatOpt = Format.table) -> None:
    """各单位报送的目录清单版本（最后收到的为现行版本）。"""
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    rows = evidence.catalog_versions(open_database(ctx, create=False), unit)
    emit(rows, [Column("unit", "单位"), Column("version", "版本", justify="right"),
                Column("received_on", "收到日期", no_wrap=True), Column("entries", "条目数", justify="right"),
                Column("current", "现行", show=_yes), Column("source_file", "文件")],
         fmt, keys=["unit", "version", "received_on", "entries", "current", "source_file"],
         title="数据资源目录清单版本", empty="还没有导入任何目录清单。")


@catalog_app.command("list")
def catalog_list(ctx: typer.Context, unit: UnitOpt,
                 version: Annotated[int | None, typer.Option(
                     "--version", help="第几版（默认现行版本）")] = None,
                 fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """一个单位目录清单的条目（默认现行版本）。"""
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    rows = evidence.catalog_entries(open_database(ctx, create=False), unit, version)
    cols = [Column("name", "数据资源名称"), Column("system", "所属信息系统"),
            Column("fields", "数据项数", justify="right"), Column("volume", "数据量", justify="right"),
            Column("frequency", "更新频率"), Column("share", "共享属性"), Column("open", "开放属性"),
            Column("dictionary", "数据字典"), Column("grade", "分级")]
    emit(rows, cols, fmt, keys=["version", *(c.key for c in cols)], output=output,
         title=f"数据资源目录清单（第 {rows[0]['version']} 版）" if rows else None)


# ----------------------------------------------------------------------------- systems

@systems_app.command("import")
def systems_import(ctx: typer.Context, file: FileArg, unit: UnitOpt,
                   received: ReceivedOpt = None) -> None:
    """导入一个单位的信息系统清单（成为现行清单）。

    表头：系统名称、建设类型（自建/条线）、是否接入（是/否）、接入日期（可空）。
    “是否接入”指接入城市公共信息服务平台（城市大脑数字底座）。"""
    from cdo.evaluation import evidence

    r = evidence.import_systems(open_database(ctx), file, unit,
                                date_opt(received, "--received 日期"))
    if r.get("unchanged"):
        echo(f"{r['unit']} 信息系统清单与已导入的（{r['received_on']} 收到）完全相同，没有重复导入")
        echo_hidden(r.get("hidden_sheets"))
        return
    echo(f"已导入 {r['unit']} 信息系统清单（{r['received_on']} 收到）：{r['systems']} 个系统，"
         f"自建 {r['self']} 个，其中已接入 {r['connected']} 个")
    echo_hidden(r.get("hidden_sheets"))


@systems_app.command("list")
def systems_list(ctx: typer.Context, unit: UnitFilter = None,
                 fmt: FormatOpt = Format.table) -> None:
    """各单位现行信息系统清单上的系统。"""
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    rows = evidence.system_rows(open_database(ctx, create=False), unit)
    emit(rows, [Column("unit", "单位"), Column("system", "系统名称"), Column("kind", "建设类型"),
                Column("connected", "已接入", show=_yes), Column("connected_on", "接入日期", no_wrap=True),
                Column("received_on", "清单收到日期", no_wrap=True)],
         fmt, keys=["unit", "system", "kind", "connected", "connected_on", "received_on"],
         title="信息系统清单", empty="还没有导入任何信息系统清单。")


# ----------------------------------------------------------------------------- tasks

@tasks_app.command("import")
def tasks_import(ctx: typer.Context, file: FileArg, list_: ListOpt) -> None:
    """导入一种任务清单（责任单位、任务内容、完成时限，可有完成日期）；
    再次导入更新后的清单时，按单位和任务内容对应，更新时限和完成日期（空白不会抹掉已记录的完成）。"""
    from cdo.evaluation import evidence

    r = evidence.import_tasks(open_database(ctx), file, list_)
    from cdo.evaluation.evidence_rules import LIST_NAMES

    echo(f"已导入{LIST_NAMES[r['list']]}：新增 {r['added']} 项，更新 {r['updated']} 项，"
         f"未变 {r['unchanged']} 项（文件中已完成 {r['done']} 项）")
    echo_hidden(r.get("hidden_sheets"))


@tasks_app.command("done")
def tasks_done(ctx: typer.Context,
               ids: Annotated[list[int], typer.Argument(help="任务编号（cdo evidence tasks list 查看）")],
               on: Annotated[str, typer.Option("--on", help="完成日期，如 2023-10-18")]) -> None:
    """记录任务已于某日完成。"""
    from cdo.dates import parse_date
    from cdo.evaluation import evidence

    n = evidence.complete_tasks(open_database(ctx), ids, parse_date(on, "--on 日期"))
    echo(f"已记录 {n} 项任务完成（{on}）" if n else "这些任务已记录为同日完成，没有变化")


@tasks_app.command("list")
def tasks_list(ctx: typer.Context,
               list_: Annotated[str | None, typer.Option("--list", "-l", help="只看一种清单")] = None,
               unit: UnitFilter = None,
               year: Annotated[int | None, typer.Option("--year", "-y", help="只看该年到期的")] = None,
               as_of_: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """任务清单及完成情况（按期完成、逾期完成、逾期未完成、未到期）。"""
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    rows = evidence.task_rows(open_database(ctx, create=False), list_, unit, year, as_of(as_of_))
    emit(rows, [Column("id", "编号", justify="right"),
                Column("list", "清单", show=lambda v, r: _SHORT_LISTS[v]), Column("unit", "责任单位"),
                Column("content", "任务内容"), Column("due_on", "完成时限", no_wrap=True),
                Column("done_on", "完成日期", no_wrap=True), Column("state", "完成情况")],
         fmt, keys=["id", "list", "unit", "content", "due_on", "done_on", "state"],
         title="任务清单", empty="没有任务。")


# ----------------------------------------------------------------------------- projects

@projects_app.command("add")
def projects_add(
    ctx: typer.Context, unit: UnitOpt,
    name: Annotated[str, typer.Option("--name", help="项目名称")],
    kind: Annotated[str, typer.Option("--kind", help="类型：应用示范、授权运营、数据交易、确权等探索")],
    stage: Annotated[str | None, typer.Option("--stage", help="阶段：立项、建设、上线运行")] = None,
    approved_on: Annotated[str | None, typer.Option("--approved-on", help="立项日期")] = None,
    online_on: Annotated[str | None, typer.Option("--online-on", help="上线日期")] = None,
    typical: Annotated[bool | None, typer.Option(
        "--typical/--not-typical", help="办公室认定的典型应用示范（或取消认定）；不写则不变")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注")] = None,
) -> None:
    """登记一个项目（同一单位同名项目则更新其阶段和日期；没有写的日期和认定保持不变）。"""
    from cdo.evaluation import evidence

    r = evidence.add_project(open_database(ctx), unit=unit, name=name, kind=kind, stage=stage,
                             approved_on=approved_on, online_on=online_on, typical=typical,
                             note=note)
    echo(f"已{'登记' if r['added'] else '更新' if r['updated'] else '核对（没有变化）'}"
         f"：{r['unit']}《{r['name']}》")


@projects_app.command("import")
def projects_import(ctx: typer.Context, file: FileArg) -> None:
    """导入项目清单（单位、项目名称、类型、阶段、立项日期、上线日期、典型应用示范）。"""
    from cdo.evaluation import evidence

    r = evidence.import_projects(open_database(ctx), file)
    echo(f"已导入项目：新增 {r['added']} 个，更新 {r['updated']} 个，未变 {r['unchanged']} 个")
    echo_hidden(r.get("hidden_sheets"))


@projects_app.command("list")
def projects_list(ctx: typer.Context, unit: UnitFilter = None,
                  fmt: FormatOpt = Format.table) -> None:
    """已登记的项目。"""
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    rows = evidence.project_rows(open_database(ctx, create=False), unit)
    emit(rows, [Column("id", "编号", justify="right"), Column("unit", "单位"),
                Column("name", "项目名称"), Column("kind", "类型"), Column("stage", "阶段"),
                Column("approved_on", "立项日期", no_wrap=True), Column("online_on", "上线日期", no_wrap=True),
                Column("typical", "典型", show=_yes)],
         fmt, keys=["id", "unit", "name", "kind", "stage", "approved_on", "online_on", "typical"],
         title="应用示范项目和数据应用探索", empty="还没有登记任何项目。")


# ----------------------------------------------------------------------------- quality

@quality_app.command("import")
def quality_import(
    ctx: typer.Context, file: FileArg,
    month: Annotated[str, typer.Option("--month", "-m", help="抽查月份，如 2023-09")],
    replace: Annotated[bool, typer.Option("--replace", help="替换该月已导入的结果")] = False,
) -> None:
    """导入一次抽查的质量结果（责任单位、数据资源名称、抽查记录数、空值数、错值数）；
    可以是单独的结果表，也可以是当月问题清单工作簿中带这些列的工作表。"""
    from cdo.evaluation import evidence

    r = evidence.import_quality(open_database(ctx), file, month, replace)
    echo(f"已导入 {r['month']} 抽查质量结果：{r['rows']} 行，{r['units']} 个单位"
         + (f"（替换原有 {r['replaced']} 行）" if r["replaced"] else ""))
    echo_hidden(r.get("hidden_sheets"))


@quality_app.command("list")
def quality_list(ctx: typer.Context, year: YearOpt, unit: UnitFilter = None,
                 fmt: FormatOpt = Format.table) -> None:
    """每个单位每次抽查的空值率、错值率，以及与上一次相比的趋势。"""
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    def pct(v, r) -> str:
        return f"{v * 100:.2f}%"

    rows = evidence.quality_rows(open_database(ctx, create=False), year, unit)
    emit(rows, [Column("unit", "单位"), Column("month", "抽查月份", no_wrap=True),
                Column("checked", "抽查记录数", justify="right"),
                Column("nulls", "空值数", justify="right"), Column("wrong", "错值数", justify="right"),
                Column("null_rate", "空值率", show=pct, justify="right"),
                Column("error_rate", "错值率", show=pct, justify="right"),
                Column("trend", "较上次")],
         fmt, keys=["unit", "month", "checked", "nulls", "wrong", "null_rate", "error_rate",
                    "trend"],
         title=f"{year} 年度抽查空值率、错值率", empty=f"{year} 年没有抽查质量结果。")


# ----------------------------------------------------------------------------- the rest

@app.command("gaps")
def gaps(ctx: typer.Context, year: YearOpt, unit: UnitFilter = None,
         all_: Annotated[bool, typer.Option("--all", help="也列出已关联到目录条目的问题")] = False,
         as_of_: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """普查缺口：当年问题涉及、却不在该单位现行目录清单中的数据资源（--all 同时列出已关联的）。"""
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    rows = evidence.census_gaps(open_database(ctx, create=False), year, as_of(as_of_), unit, all_)
    emit(rows, [Column("unit", "单位"), Column("problem", "问题编号", justify="right"),
                Column("resource", "数据资源名称"),
                Column("catalog_entry", "目录条目", show=lambda v, r: v or "（不在目录中）"),
                Column("catalog_version", "目录版本",
                       show=lambda v, r: "未报送目录" if v is None else f"第{v}版")],
         fmt, keys=["unit", "problem", "resource", "linked", "catalog_entry", "catalog_version"],
         title=f"{year} 年度问题与数据资源目录的关联" if all_ else f"{year} 年度普查缺口",
         empty="没有普查缺口：问题涉及的数据资源都在目录中。")


@app.command("third-party")
def third_party(ctx: typer.Context, file: FileArg, year: YearOpt,
                reason: Annotated[str | None, typer.Option(
                    "--reason", help="文件改动了已录入的第17项分数时，写明理由")] = None) -> None:
    """导入第三方评估机构的评分表（两列：单位、得分）作为第17项得分。"""
    from cdo.evaluation import evidence_view

    r = evidence_view.import_third_party(open_database(ctx), file, year, reason)
    echo(f"已导入 {year} 年度第17项（第三方评估）：新增 {r['added']} 个，修改 {r['changed']} 个，"
         f"未变 {r['unchanged']} 个")
    echo_hidden(r.get("hidden_sheets"))


@app.command("show")
def show(ctx: typer.Context, unit: UnitOpt, year: YearOpt, as_of_: AsOfOpt = None,
         fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """一个单位一年的评价依据：附件2每一项的满分、已录入分、建议分及其依据的记录。"""
    from cdo import scoring
    from cdo.evaluation import evidence_view
    from cdo.output import Column, emit

    db = open_database(ctx, create=False)
    rows = evidence_view.unit_view(db, year, as_of(as_of_), unit)
    name = evidence_view.unit_name(db, unit)
    cols = [Column("item", "项目", show=lambda v, r: f"第{v}项", justify="right"),
            Column("part", "类别", terminal=False),  # in the .xlsx; the terminal needs room
            Column("max", "满分", show=lambda v, r: scoring.fmt_points(v), justify="right"),
            Column("entered", "已录入", justify="right",
                   show=lambda v, r: "未评" if v is None else scoring.fmt_points(v)),
            Column("suggested", "建议分", justify="right", style="bold",
                   show=lambda v, r: "—" if v is None else scoring.fmt_points(v)),
            Column("basis", "依据"),
            Column("records", "记录", show=lambda v, r: "\n".join(v))]
    emit(rows, cols, fmt, keys=["item", "part", "max", "entered", "suggested", "basis", "records"],
         title=f"{name} {year} 年度评价依据（建议分仅供参考，不会覆盖已录入的分数）",
         output=output, sheet_title="评价依据")


@app.command("rules")
def rules_(fmt: FormatOpt = Format.table) -> None:
    """各项建议分的计算规则（与 data/evaluation.json 中的 suggestion 一致）。"""
    from cdo import scoring
    from cdo.evaluation import evidence
    from cdo.output import Column, emit

    emit(evidence.rule_rows(),
         [Column("item", "项目", show=lambda v, r: f"第{v}项", justify="right"),
          Column("part", "类别"),
          Column("max", "满分", show=lambda v, r: scoring.fmt_points(v), justify="right"),
          Column("rule", "建议分规则")],
         fmt, keys=["item", "part", "max", "rule"], title="附件2各项建议分规则")
