"""Top-level commands: demo, log, backup, restore."""

from __future__ import annotations

import typer

from cdo.commands.common import db_path, echo


def mount(app: typer.Typer) -> None:
    """Register the top-level commands on the root app."""
    app.command("demo")(demo)


def demo(ctx: typer.Context) -> None:
    """用自带的示例数据建一个演示数据库（默认 ./cdo-demo.db），并显示建了什么。"""
    from cdo import demo as demo_mod
    from cdo.db import open_db

    path = demo_mod.demo_path(db_path(ctx))
    demo_mod.prepare(path)
    db = open_db(path)
    for line in demo_mod.build_demo(db):
        echo(line)
    echo(f"演示数据库：{path}。试试：cdo --db {path} units list")
