"""cdo register …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="首席数据官名册：推荐表、任命、备案、数据专员", no_args_is_help=True)
