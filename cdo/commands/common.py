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
    from collections.abc import Sequence

    from cdo.store.db import Database

FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="输出格式：table（表格，默认）、json 或 csv",
                 show_default=False),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="同时写入一个 .xlsx 文件")
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="输出文件已存在时覆盖它（默认不覆盖）")
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
    from cdo.store.db import open_db, open_for_command, remask, resolve_path

    path = resolve_path(db_path(ctx))
    if not create and not path.exists():
        return open_db(":memory:")
    db = open_for_command(path)
    if not getattr(db, "cdo_read_only", None):  # a newer cdo's database is not written
        refresh_derived(db, build=False)  # the web view's calendar table, if it has gone stale
        remask(db)  # descriptions another program wrote, for the web view
    return db


def protected_paths(ctx: typer.Context) -> list[Path]:
    """The database, its -wal/-shm/-journal files and its backups folder: no export may be
    written over them."""
    from cdo.store.backup import backup_dir
    from cdo.store.db import resolve_path

    db = resolve_path(db_path(ctx))
    return [db, *(Path(f"{db}{s}") for s in ("-wal", "-shm", "-journal")), backup_dir(db)]


def check_output(ctx: typer.Context, path: Path | str | None, force: bool) -> Path | None:
    """The one overwrite rule of every command that writes a file: an existing file is
    refused unless --force, and nothing is written over the database or its backups.
    Checked before any work is done."""
    if path is None:
        return None
    from cdo.sheets.write import check_target

    path = Path(path)
    check_target(path, force=force, protected=protected_paths(ctx))
    return path


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


def no_stray_options(ctx: typer.Context, values: list[str]) -> None:
    """A command that takes numbers as typed (-1 included) lets unknown options through as
    values: name a misspelt option as one (`--hlep`), not as a bad number."""
    import re

    from cdo.errors import InvalidInputError

    for value in values:
        if re.match(r"--?[A-Za-z]", value):
            raise InvalidInputError(f"没有这个选项：{value}（可用的选项见 {ctx.command_path} -h）")


def echo(message: str) -> None:
    """Print a line for the clerk (stdout); escape sequences from the data are removed."""
    from cdo.output import clean

    typer.echo(clean(message))


def echo_hidden(names: Sequence[str] | None) -> None:
    """After an import's summary, the hidden sheets it passed over (never data)."""
    if names:
        from cdo.sheets.read import hidden_said

        echo(f"{hidden_said(names)}（隐藏的工作表不作为数据导入）")


def warn(message: str) -> None:
    from cdo.output import clean

    typer.echo(clean(message), err=True)


def write_problem_lines(db: Database, fmt: Format, pages, *, compact: bool) -> None:
    """The problem keys as JSON (`compact`: an object a line) or CSV, a page at a time as
    SQLite makes each row's text: `pages(line, sep)` runs the listing's query
    (list_problems_pages, overdue_lines) with `line` making the text of the (key, SQL)
    values, `sep` between the lines of a page."""
    from cdo import output
    from cdo.problems.model import BOOLEAN_KEYS, PLAIN_KEYS, PROBLEM_KEYS, TYPED_KEYS

    checked = db.has_odd_values()
    output.register_listing(db.conn, PROBLEM_KEYS)
    if fmt is Format.json:
        sql = output.json_object_sql if compact else output.json_element_sql
        output.write_json_lines(pages(lambda values: sql(values, BOOLEAN_KEYS, checked=checked),
                                      b",\n"))
    else:
        output.write_csv_lines(PROBLEM_KEYS, pages(lambda values: output.csv_line_sql(
            values, PLAIN_KEYS, TYPED_KEYS, BOOLEAN_KEYS, checked=checked), b""))
