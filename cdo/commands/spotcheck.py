"""cdo spotcheck …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="数据抽查：问题数据清单与单个问题登记", no_args_is_help=True)
