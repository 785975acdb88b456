"""Top-level commands: demo, log, backup, restore."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from cdo.commands.common import (
    ForceOpt,
    FormatOpt,
    OutputOpt,
    ShowContactOpt,
    check_output,
    date_opt,
    db_path,
    echo,
)
from cdo.output import Format


def demo(ctx: typer.Context) -> None:
    """用自带的示例数据建一个演示数据库（默认 ./cdo-demo.db），并显示建了什么。"""
    from cdo import demo as demo_mod
    from cdo.store.db import open_db

    path = demo_mod.demo_path(db_path(ctx))
    demo_mod.prepare(path)
    db = open_db(path)
    for line in demo_mod.build_demo(db):
        echo(line)
    echo("")
    from cdo.commands.score import show_ranking

    show_ranking(db, demo_mod.DEMO_YEAR)
    echo(f"演示数据库：{path}。接着试试：")
    for example in demo_mod.NEXT_COMMANDS:
        echo(f"  cdo --db {path} {example}")


# ----------------------------------------------------------------------------- log


class _ValueNames(Mapping):
    """{(entity, field): {code: name}}: the coded values a change shows by name. Each
    module is imported only when a change of its kind is shown (up to 13 ms each)."""

    WHERE = {
        ("problem", "status"): ("cdo.problems.model", "STATUS_NAMES"),
        ("problem", "source"): ("cdo.problems.model", "SOURCE_NAMES"),
        ("problem", "dimension"): ("cdo.problems.model", "DIMENSION_NAMES"),
        ("cdo", "status"): ("cdo.roster.cdos", "STATUS_NAMES"),
        ("attendance", "status"): ("cdo.roster.duty", "STATUS_NAMES"),
        ("meeting", "kind"): ("cdo.roster.duty", "KINDS"),
        ("duty_report", "kind"): ("cdo.roster.duty", "REPORT_KINDS"),
        ("unit", "category"): ("cdo.roster.units", "CATEGORY_NAMES"),
        ("project", "kind"): ("cdo.evaluation.evidence_rules", "PROJECT_KIND_NAMES"),
        ("project", "stage"): ("cdo.evaluation.evidence_rules", "STAGE_NAMES"),
        ("task", "list"): ("cdo.evaluation.evidence_rules", "LIST_NAMES"),
        ("system_list", "kind"): ("cdo.evaluation.evidence_rules", "KIND_NAMES"),
        ("calendar_year", "status"): ("cdo.commands.calendar", "STATUS_NAMES"),
        ("calendar_local", "kind"): ("cdo.commands.calendar", "LOCAL_KIND_NAMES"),
    }

    def __getitem__(self, key: tuple[str, str]) -> Mapping[Any, str]:
        from importlib import import_module

        module, name = self.WHERE[key]
        return getattr(import_module(module), name)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.WHERE)

    def __len__(self) -> int:
        return len(self.WHERE)


def log(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", help="只看这个单位的修改")] = None,
    problem: Annotated[int | None, typer.Option("--problem", help="只看这个问题编号的修改")] = None,
    since: Annotated[str | None, typer.Option("--since", help="只看这一天及以后的修改")] = None,
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="只看这类对象，如 unit（单位）、problem（问题）、score"),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="最多显示多少条（最新的在前；0 表示全部）")
    ] = 100,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    show_contact: ShowContactOpt = False,
) -> None:
    """修改日志：每一次改动的时间、系统用户、命令、对象、改动前后。"""
    from cdo import masking
    from cdo.commands.common import open_database
    from cdo.errors import InvalidInputError
    from cdo.output import Column, emit
    from cdo.store import audit

    if limit < 0:
        raise InvalidInputError(f"--limit 不能是负数：{limit}")
    limit = min(limit, 2**62)  # beyond any log, and within SQLite's integers
    if problem is not None and not 1 <= problem < 2**62:
        raise InvalidInputError(f"问题编号须为正整数：{problem}")
    since_day = date_opt(since, "--since 日期")
    check_output(ctx, output, force)
    db = open_database(ctx)
    unit_id = None
    if unit is not None:
        from cdo.roster.units import resolve_unit

        unit_id = resolve_unit(db, unit).id
    if entity is not None and audit.entity_key(entity) not in audit.ENTITY_NAMES:
        raise InvalidInputError(f"没有这类对象：{entity}（可用：{'、'.join(audit.ENTITY_NAMES.values())}）")
    rows, total = audit.query_log(db, unit_id=unit_id, problem_id=problem, since=since_day,
                                     entity=entity, limit=limit or None)
    names = _ValueNames()
    for r in rows:
        r["changes"] = audit.compact_diff(r["before"], r["after"], mask=not show_contact,
                                          entity=r["entity"], values=names)
        if not show_contact:  # nothing personal leaves unmasked by default, JSON included
            r["before"], r["after"] = audit.masked(r["before"]), audit.masked(r["after"])
            r["command"] = masking.mask_numbers(r["command"])
            r["reason"] = masking.mask_numbers(r["reason"])
    columns = [
        Column("id", "序号", justify="right"),
        Column("at", "时间", show=lambda v, r: audit.when_label(v)),
        Column("os_user", "系统用户", wide=True),
        Column("command", "命令", wide=True),
        Column("entity", "对象", show=lambda v, r: audit.entity_label(r)),
        Column("unit", "单位"),
        Column("action", "动作", show=lambda v, r: audit.action_label(v)),
        Column("changes", "改动"),
        Column("reason", "原因"),
    ]
    keys = ["id", "at", "os_user", "command", "entity", "entity_id", "action", "unit",
            "unit_id", "problem_id", "before", "after", "changes", "reason"]
    caption = None
    if len(rows) < total:
        caption = f"共 {total} 条，只显示最新的 {len(rows)} 条（用 --limit 0 显示全部）"
    emit(rows, columns, fmt, keys=keys, title="修改日志", caption=caption, output=output,
         show_contact=show_contact,
         empty="没有符合条件的修改记录。")


# ----------------------------------------------------------------------------- backup


def _human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def backup(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="备份到哪个文件（默认：数据库旁 backups/ 文件夹，按时间命名）",
                       show_default=False),
    ] = None,
) -> None:
    """备份数据库（使用中也能安全备份），显示备份文件位置和大小。"""
    from cdo.errors import CdoError
    from cdo.store import backup as backup_mod
    from cdo.store.db import resolve_path

    src = resolve_path(db_path(ctx))
    if not src.is_file():
        raise CdoError(f"数据库不存在：{src}（可用 --db 或环境变量 CDO_DB 指定）")
    if file is None or file.is_dir():
        dest = backup_mod.new_backup_file(src, folder=file)
        size = backup_mod.copy_database(src, dest, reserved=True)
    else:
        dest = file
        size = backup_mod.copy_database(src, dest)
    echo(f"已备份到 {dest}（{_human_size(size)}）")


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="要恢复的备份文件", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问，直接恢复")] = False,
) -> None:
    """用备份文件替换当前数据库（先检查备份、显示内容并确认；当前数据库会先另存一份）。"""
    import click

    from cdo.errors import CdoError
    from cdo.output import Column, emit
    from cdo.store import backup as backup_mod
    from cdo.store.db import resolve_path

    live = resolve_path(db_path(ctx))
    info = backup_mod.inspect_database(file)
    if live.exists() and file.resolve() == live.resolve():
        raise CdoError(f"{file} 就是当前数据库本身，不能用它恢复自己")
    now = backup_mod.current_info(live)
    rows = [
        {"table": label, "backup": info.counts.get(t, 0),
         "current": (now.counts.get(t, 0) if now else None)}
        for t, label in backup_mod.DATABASE_COUNTS.items()
    ]
    emit(rows, [Column("table", "内容"), Column("backup", "备份文件", justify="right"),
                Column("current", "当前数据库", justify="right")],
         title=f"备份文件 {file}")
    if live.exists() and now is None:
        echo(f"当前数据库 {live} 无法读取（可能已损坏），恢复前会把它原样另存一份。")
    if info.newest_change:
        c = info.newest_change
        when = c["at"][:19].replace("T", " ")
        echo(f"备份中最新的一次修改：{when}，{c['os_user']}，{c['command']}")
    else:
        echo("备份中没有修改记录。")
    if not yes:
        try:
            ok = typer.confirm(f"用这个备份替换当前数据库 {live} 吗？", default=False)
        except (click.exceptions.Abort, typer.Abort):  # no answer (stdin closed)
            ok = False
        if not ok:
            raise CdoError("已取消，当前数据库没有改动")
    saved, changed = backup_mod.restore_database(file, live, shown=now)
    if changed:
        echo(f"注意：确认之后当前数据库又有改动（{'，'.join(changed)}），这些改动在下面的另存文件中")
    if saved:
        echo(f"恢复前的数据库已另存为 {saved}")
    echo(f"已从 {file} 恢复数据库 {live}")


def _commands() -> dict:
    """The top-level commands as typer's app.command(name) registers them on the root
    (cli.CdoGroup builds each when it is named)."""
    from cdo.commands.serve import serve

    registry = typer.Typer()
    for name, callback in (("demo", demo), ("log", log), ("backup", backup),
                           ("restore", restore), ("serve", serve)):
        registry.command(name)(callback)
    return {info.name: info for info in registry.registered_commands}


COMMANDS = _commands()
