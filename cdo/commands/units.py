"""cdo units …"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cdo.commands.common import ForceOpt, FormatOpt, OutputOpt, check_output, echo, open_database
from cdo.output import Column, Format, emit

app = typer.Typer(rich_markup_mode=None, help="参与单位：添加、导入、列表", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="单位全称，如 达州市教育局")],
    category: Annotated[
        str,
        typer.Option(
            "--category",
            "-c",
            help="类别：县市区/市级部门/国有企业/公共服务机构，"
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
