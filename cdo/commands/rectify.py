"""cdo rectify …"""

import typer

app = typer.Typer(rich_markup_mode=None, help="问题整改：整改、销号、退回、协商、催办", no_args_is_help=True)
