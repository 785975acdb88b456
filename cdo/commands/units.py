"""cdo units …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="参与单位：添加、导入、列表", no_args_is_help=True)
