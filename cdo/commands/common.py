"""What every command shares: the database from the global --db, the output options,
dates typed on the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cdo.dates import parse_date, today
from cdo.output import Format

if TYPE_CHECKING:
    from sqlite_utils import Database

FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="输出格式：table（表格，默认）、json 或 csv",
                 show_default=False),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="同时写入一个 .xlsx 文件", dir_okay=False)
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="以哪一天为准判断是否逾期（默认今天）")
]
ShowContactOpt = Annotated[
    bool, typer.Option("--show-contact", help="显示完整联系电话（默认打码）")
]


def db_path(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    return (root.obj or {}).get("db")


def open_database(ctx: typer.Context, *, create: bool = True) -> Database:
    """The database named by --db / $CDO_DB / ./cdo.db, created and migrated.

    With create=False (commands that only read), a database that does not exist yet is
    not created: an empty in-memory one stands in for it.
    """
    from cdo.store.calendar_store import refresh_derived
    from cdo.store.db import open_db, resolve_path

    path = resolve_path(db_path(ctx))
    if not create and not path.exists():
        return open_db(":memory:")
    db = open_db(path)
    refresh_derived(db, build=False)  # the web view's calendar table, if it has gone stale
    return db


def read_calendar(ctx: typer.Context):  # -> WorkCalendar
    """The working calendar of the database named by --db / $CDO_DB / ./cdo.db, read
    without the database layer (sqlite-utils, migrations): for commands that only
    compute with the calendar. No file: the bundled calendar."""
    from cdo.store import calendar_store
    from cdo.store.db import resolve_path  # the module alone imports only the stdlib

    return calendar_store.load_calendar_file(resolve_path(db_path(ctx)))


def as_of(text: str | None) -> dt.date:
    """The --as-of date, default today."""
    return parse_date(text, "--as-of 日期") if text else today()


def date_opt(text: str | None, what: str) -> dt.date | None:
    return parse_date(text, what) if text else None


def echo(message: str) -> None:
    """Print a line for the clerk (stdout)."""
    typer.echo(message)


def warn(message: str) -> None:
    typer.echo(message, err=True)
