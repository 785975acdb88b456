"""cdo duty …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="日常履职记录：会议与培训出勤、年度工作计划与总结", no_args_is_help=True)
