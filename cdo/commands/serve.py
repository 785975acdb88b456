"""cdo serve: the read-only web view (Datasette, from the `web` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cdo.commands.common import db_path, echo, warn

LOOPBACK = ("127.0.0.1", "localhost", "::1")
INSTALL_HINT = ("网页查看需要安装 web 扩展：pip install 'cdo[web]'"
                "（在 cdo 源码目录下：pip install '.[web]'）")


def serve(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="要一并发布的数据库文件（默认：--db 指定的数据库）；"
                            "多个文件时可跨库查询", show_default=False, metavar="数据库文件"),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="端口")] = 8001,
    host: Annotated[
        str, typer.Option("--host", help="监听地址（默认只有本机能打开；0.0.0.0 则同一网络都能打开）")
    ] = "127.0.0.1",
) -> None:
    """用浏览器只读查看：逾期问题、整改情况、评价排名、名册（不含个人信息），按 Ctrl+C 停止。"""
    import importlib

    from cdo.errors import CdoError

    try:  # datasette comes with the web extra
        web = importlib.import_module("cdo.web")
    except ImportError:
        raise CdoError(INSTALL_HINT) from None
    from cdo.store import calendar_store
    from cdo.store.db import open_db, remask, resolve_path

    paths = list(files or [resolve_path(db_path(ctx))])
    for p in paths:
        if not p.is_file():
            raise CdoError(f"数据库不存在：{p}（可用 --db 或环境变量 CDO_DB 指定）")
        db = open_db(p)  # migrated, and the calendar table brought up to date
        calendar_store.refresh_derived(db)
        remask(db)  # descriptions another program wrote, masked exactly
        db.close()
    if host not in LOOPBACK:
        warn(f"注意：监听 {host}，同一网络上的其他电脑也能打开这个页面（只读，不含个人信息）；"
             "只在本机查看请去掉 --host")
    shown = f"[{host}]" if ":" in host else host
    echo(f"网页地址：http://{shown}:{port}/（按 Ctrl+C 停止）")
    web.serve(paths, host, port)
