"""cdo calendar …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="工作日日历：期限计算、月历、节假日通知导入与本地调整", no_args_is_help=True)
