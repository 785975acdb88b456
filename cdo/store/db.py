"""Opening the database: create it owner-only, set pragmas, apply migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cdo.errors import CdoError

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 30_000
DEFAULT_DB = "cdo.db"


def resolve_path(path: str | None) -> Path:
    """The database path: --db, else $CDO_DB, else ./cdo.db."""
    return Path(path or os.environ.get("CDO_DB") or DEFAULT_DB)


def _create_owner_only(path: Path) -> None:
    if path.exists():
        return
    if not path.parent.exists():
        raise CdoError(f"数据库所在文件夹不存在：{path.parent}")
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    except OSError as e:
        raise CdoError(f"无法创建数据库文件 {path}：{e.strerror}") from None
    os.close(fd)


def open_db(path: str | Path | None = None, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    Pass ":memory:" for a throwaway database (tests).
    """
    from sqlite_utils import Database

    from cdo.store.schema import migrations

    if str(path) == ":memory:":
        db = Database(memory=True, execute_plugins=False)
    else:
        p = resolve_path(str(path) if path else None)
        if p.is_dir():
            raise CdoError(f"数据库路径是一个文件夹：{p}")
        _create_owner_only(p)
        old_umask = os.umask(0o077)  # -wal and -shm files owner-only too
        try:
            try:
                conn = sqlite3.connect(p, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
                # execute_plugins=False: cdo uses no sqlite-utils plugins, and finding them
                # scans every installed package (10-40 ms a command)
                db = Database(conn, execute_plugins=False)
                db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as e:
                raise CdoError(f"无法打开数据库文件 {p}：{e}（请检查路径和读写权限）") from None
            except sqlite3.DatabaseError as e:
                raise CdoError(f"不是有效的 cdo 数据库文件：{p}（{e}）") from None
        finally:
            os.umask(old_umask)
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    if migrate:
        with _retry_busy():
            migrations.apply(db)
    return db


@contextmanager
def _retry_busy(attempts: int = 5) -> Iterator[None]:
    # busy_timeout covers most waits; this covers the rare SQLITE_BUSY that
    # SQLite returns at once (a lock upgrade that would deadlock).
    for attempt in range(attempts):
        try:
            yield
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if attempt == attempts - 1:
                raise CdoError("数据库正被另一位同事的命令占用，请稍后再试") from None
            time.sleep(0.2 * (attempt + 1))


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE): all of it is saved, or none.

    Nested use joins the outer transaction through a savepoint.
    """
    from cdo import interrupts

    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    for attempt in range(8):
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or attempt == 7:
                raise CdoError("数据库正被另一位同事的命令占用，请稍后再试") from None
            time.sleep(0.1 * (attempt + 1))
    try:
        first = _last_audit_id(conn)
        yield db
        last = _last_audit_id(conn)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        # a Ctrl-C waits until the COMMIT is noted: what the clerk is told after an
        # interruption is then exactly what was saved
        with interrupts.shielded():
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            interrupts.note_commit(conn, first + 1, last)


def _last_audit_id(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT max(id) FROM audit_log").fetchone()[0] or 0
    except sqlite3.OperationalError:  # no audit log yet (before the first migration)
        return 0
