"""cdo score …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="年度评价：附件2评分、排名、建议分、评价表", no_args_is_help=True)
