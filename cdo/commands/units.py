"""cdo units …"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cdo.commands.common import (
    ForceOpt,
    FormatOpt,
    OutputOpt,
    check_output,
    echo,
    echo_hidden,
    open_database,
)
from cdo.output import Column, Format, emit

app = typer.Typer(rich_markup_mode=None, help="参与单位：添加、导入、列表、别名", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="单位全称，如 达州市教育局")],
    category: Annotated[
        str,
        typer.Option(
            "--category",
            "-c",
            help="类别：县市区及园区（含高新区、经开区）/市级部门/国有企业/公共服务机构，"
            "或 region/department/enterprise/institution",
        ),
    ],
    short: Annotated[str | None, typer.Option("--short", "-s", help="简称，如 市教育局")] = None,
) -> None:
    """添加一个参与单位。"""
    from cdo.roster.units import CATEGORY_NAMES, add_unit

    unit = add_unit(open_database(ctx), name, category, short)
    echo(f"已添加单位：{unit.name}（{CATEGORY_NAMES[unit.category]}）")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="单位名单 .xlsx 或 .csv（列：单位名称、类别、简称）")
    ],
) -> None:
    """从 Excel 或 CSV 名单导入单位；重复导入不会重复添加。"""
    from cdo.roster.units import import_units

    r = import_units(open_database(ctx), file)
    echo(f"{file.name}：新增 {r.added} 个单位，更新 {r.updated} 个，未变 {r.unchanged} 个")
    echo_hidden(r.hidden)


@app.command("list")
def list_(
    ctx: typer.Context,
    category: Annotated[str | None, typer.Option("--category", "-c", help="只看某一类别")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出全部参与单位。"""
    from cdo.roster.units import CATEGORY_NAMES, list_units

    check_output(ctx, output, force)
    rows = list_units(open_database(ctx), category)
    columns = [
        Column("name", "单位名称"),
        Column("short", "简称"),
        Column("category", "类别", show=lambda v, r: CATEGORY_NAMES.get(v, v)),
    ]
    emit(
        rows,
        columns,
        fmt,
        keys=["name", "short", "category"],
        title=f"参与单位（{len(rows)} 个）",
        output=output,
        sheet_title="参与单位",
        empty="还没有单位。用 cdo units import 名单.xlsx 导入。",
    )


@app.command("alias")
def alias(
    ctx: typer.Context,
    unit: Annotated[str, typer.Argument(help="单位全称、简称或已有别名")],
    names: Annotated[list[str] | None, typer.Argument(
        help="要添加的别名（可多个），如 人社局", show_default=False)] = None,
    remove: Annotated[list[str] | None, typer.Option(
        "--remove", help="去掉这个别名（可多次给出）", show_default=False)] = None,
) -> None:
    """给单位添加或去掉别名（如 人社局、卫健委）；不给别名时列出该单位的别名。

    别名在所有按单位名称识别的地方都有效（命令参数、推荐表、问题清单、评分表、签到表）。
    已经指向另一个单位的名称不能作别名。"""
    from cdo.roster.units import add_alias, remove_alias, resolve_unit

    db = open_database(ctx)
    for name in remove or []:
        u = remove_alias(db, unit, name)
        echo(f"已去掉别名：{name.strip()}（{u.name}）")
    for name in names or []:
        u, added = add_alias(db, unit, name)
        echo(f"已添加别名：{name.strip()} → {u.name}" if added
             else f"“{name.strip()}”已是{u.name}的别名，没有变化")
    if not names and not remove:
        u = resolve_unit(db, unit)
        echo(f"{u.name}的别名：{'、'.join(u.aliases)}" if u.aliases
             else f"{u.name}还没有别名。添加：cdo units alias {unit} 别名")


@app.command("aliases")
def aliases(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Argument(help="只看这个单位")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出各单位的别名。"""
    from cdo.roster.units import list_aliases

    rows = list_aliases(open_database(ctx, create=False), unit)
    emit(rows, [Column("unit", "单位"), Column("short", "简称"), Column("alias", "别名")], fmt,
         keys=["unit", "short", "alias"], title=f"单位别名（{len(rows)} 个）",
         empty="还没有单位别名。添加：cdo units alias 单位 别名")
