"""cdo report …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="报表：逾期、月度、年度", no_args_is_help=True)
