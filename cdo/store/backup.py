"""Backups: consistent copies of the database while it is in use, and putting one back.

For importers — call this once the input has been read and fully checked, right before
the first write (outside the import's transaction). Never for a refused input or one that
changes nothing: every copy taken prunes an older one, so a clerk retrying a bad file would
otherwise lose the real pre-change copies.

    from cdo.store.backup import auto_backup
    auto_backup(db_or_path, keep=5) -> Path | None

`db_or_path` is the live database (a sqlite_utils `Database`, or its file path). It copies
the database into `backups/` beside it as `<stem>-auto-YYYYMMDD-HHMMSS.db` (owner-only)
and prunes the older automatic copies by this rule:
- the newest `keep` (5) automatic copies are always kept;
- so is the first automatic copy of each day (the database as it stood before that day's
  first change) for AUTO_DAY_KEEP_DAYS (60) days: however many imports — or retries — a
  day brings, the state before each write day stays recoverable for two months;
- every other automatic copy is deleted.
Manual backups and the copies taken before a restore are never deleted. It returns None, doing nothing, for an
in-memory database or one in which nothing has been recorded yet (an empty audit log).
A failure to back up raises CdoError (so the import does not run without its safety net).

Copies use SQLite's online backup API from a separate connection: they hold the last
committed state, never half of a running transaction, and other clerks keep working.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from cdo.errors import CdoError, ExitCode, FileReadError, os_reason
from cdo.store.audit import DATABASE_COUNTS

if TYPE_CHECKING:
    from cdo.store.db import Database

BACKUP_DIR = "backups"
AUTO_KEEP = 5
AUTO_DAY_KEEP_DAYS = 60
REQUIRED_TABLES = ("units", "audit_log")


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).resolve().parent / BACKUP_DIR


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def _reserve(folder: Path, stem: str) -> Path:
    """Create `folder/stem.db` (or stem-2.db, …) empty and owner-only, atomically, so two
    processes backing up in the same second never pick the same file."""
    n = 1
    while True:
        path = folder / (f"{stem}.db" if n == 1 else f"{stem}-{n}.db")
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            n += 1
            continue
        except OSError as e:
            raise CdoError(f"无法创建备份文件 {path}：{os_reason(e)}") from None
        os.close(fd)
        return path


def new_backup_file(db_path: Path, kind: str = "backup", folder: Path | None = None) -> Path:
    """Create, empty, `<folder>/<stem>-<kind>-YYYYMMDD-HHMMSS.db` (folder: backups/ beside
    the database) and return it, for `copy_database(..., reserved=True)`."""
    db_path = Path(db_path)
    folder = backup_dir(db_path) if folder is None else Path(folder)
    _ensure_folder(folder)
    return _reserve(folder, f"{db_path.stem}-{kind}-{_stamp()}")


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise CdoError(f"无法创建备份文件夹 {folder}：{os_reason(e)}") from None


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        # A file with no -wal beside it has nothing more to read: opened immutable, SQLite
        # leaves no -wal/-shm files next to a backup it only checked
        extra = "" if Path(f"{path}-wal").exists() else "&immutable=1"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{extra}", uri=True, timeout=30)
    else:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def copy_database(src: Path, dest: Path, *, reserved: bool = False) -> int:
    """Copy the database `src` into the new file `dest` (owner-only); return dest's size.

    Uses the online backup API, so `src` may be in use by other processes. `reserved`:
    `dest` is the empty file `new_backup_file` made; otherwise it must not exist. The copy
    is written under a temporary hidden name and renamed when complete: stopped half-way
    (SIGTERM, Ctrl-C, a full disk), it leaves no partial file and no -journal.
    """
    src, dest = Path(src), Path(dest)
    if not src.is_file():
        if reserved:
            dest.unlink(missing_ok=True)
        raise CdoError(f"数据库不存在：{src}")
    if not reserved:
        if dest.exists():
            raise CdoError(f"{dest} 已存在，为免覆盖，请换一个文件名")
        if not dest.parent.is_dir():
            raise CdoError(f"{dest}：所在文件夹不存在")
    tmp = dest.parent / f".{dest.name}.{os.getpid()}.partial"
    done = False
    old_umask = os.umask(0o077)
    try:
        with _stopped_by_signals_cleanly():
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            _copy_into(src, tmp)
            _publish(tmp, dest, reserved)
            done = True
    except OSError as e:
        raise CdoError(f"无法写入备份文件 {dest}：{os_reason(e)}") from None
    except sqlite3.DatabaseError as e:
        if "full" in str(e) or "disk I/O" in str(e):
            raise CdoError(f"备份失败：{dest.parent} 所在磁盘空间已满，没有留下备份文件；"
                           "请腾出磁盘空间后重试") from None
        raise CdoError(f"备份失败：{src} 无法读取（{e}）") from None
    finally:
        os.umask(old_umask)
        tmp.unlink(missing_ok=True)
        if reserved and not done:
            dest.unlink(missing_ok=True)  # the name reserved for it, never filled
    return dest.stat().st_size


def _copy_into(src: Path, tmp: Path) -> None:
    s = _connect(src)
    try:
        d = sqlite3.connect(tmp)
        try:
            d.execute("PRAGMA journal_mode=OFF")  # a temporary file needs no -journal
            # in steps, so that a signal is acted on during a long copy
            s.backup(d, pages=1024, progress=lambda *_: None)
            # A backup is one self-contained file, not a WAL database with side files.
            d.execute("PRAGMA journal_mode=DELETE")
        finally:
            d.close()
    finally:
        s.close()


def _publish(tmp: Path, dest: Path, reserved: bool) -> None:
    """Give the finished copy its name, never replacing a file someone else put there."""
    if reserved:
        os.replace(tmp, dest)
        return
    try:
        os.link(tmp, dest)  # fails if dest appeared meanwhile
    except FileExistsError:
        raise CdoError(f"{dest} 已存在，为免覆盖，请换一个文件名") from None
    except OSError:  # no hard links (a FAT USB stick)
        if dest.exists():
            raise CdoError(f"{dest} 已存在，为免覆盖，请换一个文件名") from None
        os.rename(tmp, dest)


class Terminated(CdoError):
    """The process was asked to stop (SIGTERM, SIGHUP) while a copy was being written."""

    exit_code = ExitCode.TERMINATED


@contextmanager
def _stopped_by_signals_cleanly() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception while a copy is written, so that the
    temporary file is removed instead of left half-written."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated("备份被终止，没有留下备份文件")

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _file_of(db_or_path: Database | str | Path) -> Path | None:
    if isinstance(db_or_path, str | Path):
        return None if str(db_or_path) == ":memory:" else Path(db_or_path)
    for row in db_or_path.execute("PRAGMA database_list").fetchall():
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def _has_records(path: Path) -> bool:
    try:
        conn = _connect(path, readonly=True)
        try:
            return conn.execute("SELECT 1 FROM audit_log LIMIT 1").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True  # let the copy itself report a problem


def auto_backup(db_or_path: Database | str | Path, keep: int = AUTO_KEEP) -> Path | None:
    """Back up right before a bulk import writes; keep the newest `keep` automatic copies
    (by file age; see top)."""
    from cdo.store.db import in_callers_transaction

    if not isinstance(db_or_path, str | Path) and in_callers_transaction(db_or_path):
        return None  # inside a caller's transaction (the demo): the file shows nothing yet
    path = _file_of(db_or_path)
    if path is None or not path.is_file() or not _has_records(path):
        return None
    dest = new_backup_file(path, "auto")
    copy_database(path, dest, reserved=True)
    prune_auto(path, keep)
    return dest


def auto_backups(db_path: Path) -> list[Path]:
    """The automatic copies of this database, oldest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    aged = []
    prefix = f"{Path(db_path).stem}-auto-"
    for p in folder.iterdir():
        if not (p.name.startswith(prefix) and p.name.endswith(".db")):
            continue
        try:
            aged.append((p.stat().st_mtime_ns, p.name, p))
        except FileNotFoundError:  # pruned meanwhile by another clerk's import
            continue
    return [p for _, _, p in sorted(aged)]


def _taken_at(path: Path) -> tuple[dt.datetime, int]:
    """When an automatic copy was taken, from its name (…-auto-YYYYMMDD-HHMMSS[-n].db; n
    orders copies of the same second), else from its file time."""
    import re

    m = re.search(r"-auto-(\d{8}-\d{6})(?:-(\d+))?\.db$", path.name)
    if m:
        try:
            return dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S"), int(m.group(2) or 1)
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime), 0


def prune_auto(db_path: Path, keep: int = AUTO_KEEP, *,
               now: dt.datetime | None = None) -> list[Path]:
    """Delete the automatic copies the rule at the top lets go; return what was deleted."""
    files = auto_backups(db_path)
    now = now or dt.datetime.now()
    kept = set(files[max(0, len(files) - keep):])
    first_of_day: dict[dt.date, tuple[tuple[dt.datetime, int], Path]] = {}
    for p in files:
        try:
            at = _taken_at(p)
        except FileNotFoundError:  # pruned meanwhile by another clerk's import
            continue
        day = at[0].date()
        if day not in first_of_day or at < first_of_day[day][0]:
            first_of_day[day] = (at, p)
    horizon = (now - dt.timedelta(days=AUTO_DAY_KEEP_DAYS)).date()
    kept |= {p for day, (_, p) in first_of_day.items() if day >= horizon}
    doomed = [p for p in files if p not in kept]
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


# ----------------------------------------------------------------------------- restore


@dataclass
class DatabaseInfo:
    """What a cdo database holds, as shown before a restore."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    newest_change: dict | None = None  # {"at", "os_user", "command"}
    migrations: list[str] = field(default_factory=list)


def _summarize(conn: sqlite3.Connection, path: Path) -> DatabaseInfo:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    info = DatabaseInfo(path)
    for t in DATABASE_COUNTS:
        if t in tables:
            info.counts[t] = conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
    row = conn.execute(
        "SELECT at, os_user, command FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row:
        info.newest_change = {"at": row[0], "os_user": row[1], "command": row[2]}
    if "_sqlite_migrations" in tables:
        sql = "SELECT name FROM _sqlite_migrations WHERE migration_set = 'cdo'"
        info.migrations = [r[0] for r in conn.execute(sql)]
    return info


def _refuse_foreign_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Only a schema this cdo's own migrations create is restored: a file carrying its own
    triggers, views or altered tables (or none of cdo's tables) is refused."""
    from cdo.store.schema_check import (
        DamagedSchemaError,
        UnknownMigrationError,
        describe,
        schema_differences,
    )

    try:
        diffs = schema_differences(conn)
    except DamagedSchemaError as e:
        raise FileReadError(f"{path}：数据库文件已损坏（{e}），不能用来恢复") from None
    except UnknownMigrationError as e:
        raise FileReadError(
            f"{path}：这个备份来自更新版本的 cdo（含 {'、'.join(e.names)}），请先升级 cdo 再恢复"
        ) from None
    if not diffs:
        return
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise FileReadError(f"{path}：不是 cdo 数据库（缺少数据表 {'、'.join(missing)}）")
    raise FileReadError(f"{path}：数据库结构不是本版本 cdo 建立的（{describe(diffs)}），"
                        "可能被其他程序改过，不能用来恢复")


def inspect_database(path: Path) -> DatabaseInfo:
    """Check that `path` is a sound cdo database and summarize it; FileReadError if not."""
    path = Path(path)
    if not path.exists():
        raise FileReadError(f"{path}：文件不存在")
    if path.is_dir():
        raise FileReadError(f"{path}：这是一个文件夹，不是备份文件")
    if not path.is_file():  # a FIFO would block the read below forever
        raise FileReadError(f"{path}：不是普通文件（可能是管道或设备），不是备份文件")
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != b"SQLite format 3\x00":
        raise FileReadError(f"{path}：不是 cdo 数据库备份（不是 SQLite 数据库文件）")
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.Error as e:
        raise FileReadError(f"{path}：无法打开这个数据库文件（{e}）") from None
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in result] != ["ok"]:
            raise FileReadError(f"{path}：数据库文件已损坏（完整性检查未通过：{result[0][0]}）")
        _refuse_foreign_schema(conn, path)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise FileReadError(f"{path}：不是 cdo 数据库（缺少数据表 {'、'.join(missing)}）")
        info = _summarize(conn, path)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
        # a scribbled-over schema can make SQLite's own message undecodable
        detail = e if isinstance(e, sqlite3.Error) else "内部结构已损坏"
        raise FileReadError(f"{path}：数据库文件已损坏或不是 cdo 数据库（{detail}）") from None
    finally:
        conn.close()
    return info


def current_info(db_path: Path) -> DatabaseInfo | None:
    """A summary of the live database, or None if it does not exist or cannot be read."""
    if not Path(db_path).is_file():
        return None
    try:
        conn = _connect(Path(db_path), readonly=True)
        try:
            return _summarize(conn, Path(db_path))
        finally:
            conn.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return None


def _set_aside_damaged(db_path: Path, saved: Path) -> None:
    """Copy an unreadable database (and its WAL) byte for byte to `saved`, then remove it
    from the live path."""
    import shutil

    shutil.copyfile(db_path, saved)
    wal = Path(f"{db_path}-wal")
    if wal.is_file():
        shutil.copyfile(wal, Path(f"{saved}-wal"))
        os.chmod(Path(f"{saved}-wal"), 0o600)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


class Restored(NamedTuple):
    saved: Path | None  # the live database as it was, kept aside (None: there was none)
    changed: list[str]  # what changed in it between `shown` and the restore: 单位 58 → 59


def restore_database(src: Path, db_path: Path, *,
                     shown: DatabaseInfo | None = None) -> Restored:
    """Replace the live database at `db_path` with the backup `src`.

    Under the database's write lock — taken first, waiting for a colleague's write as any
    command does — it copies the live database to `backups/<stem>-before-restore-….db`
    (None if there was no live database) and puts the backup's content in, so
    that no commit can land between the two and be lost. Then it brings the schema up to
    date and records the restore in the audit log.

    The content goes in through SQLite's backup API into a connection to the live file,
    as one write transaction, not by replacing the file: other commands keep the file
    open, and their connections see the restored data afterwards (not stale pages). The
    API takes the write lock itself (the destination must not be in a transaction), so
    the safety copy is made from its progress callback once the lock is held.
    """
    from contextlib import ExitStack

    from cdo import interrupts
    from cdo.store import audit
    from cdo.store.db import open_db, transaction

    src, db_path = Path(src), Path(db_path)
    inspect_database(src)
    if db_path.exists() and src.resolve() == db_path.resolve():
        raise CdoError(f"{src} 就是当前数据库本身，不能用它恢复自己")
    saved: Path | None = None
    if db_path.is_file() and current_info(db_path) is None:
        # The live file cannot be read (the usual reason to restore): keep its bytes
        # as they are, then start the live path afresh.
        saved = new_backup_file(db_path, "before-restore")
        _set_aside_damaged(db_path, saved)
    before: DatabaseInfo | None = None

    changed: list[str] = []

    def keep_a_copy() -> None:  # the write lock is held, nothing replaced yet
        nonlocal before, saved
        before = current_info(db_path)
        if before is not None and shown is not None:  # a colleague wrote since it was shown
            changed.extend(f"{DATABASE_COUNTS[t]} {shown.counts.get(t, 0)} → {n}"
                           for t, n in before.counts.items() if n != shown.counts.get(t, 0))
        if saved is None and before is not None:
            saved = new_backup_file(db_path, "before-restore")
            copy_database(db_path, saved, reserved=True)
        # From here on a Ctrl-C waits until the restore is done and recorded: the clerk
        # is then told it happened (see interrupts)
        replacing.enter_context(interrupts.shielded())

    with ExitStack() as replacing:
        live = open_db(db_path, migrate=False)  # creates it owner-only in WAL mode if missing
        try:
            _put_backup_into(src, live.conn, keep_a_copy)
        except sqlite3.DatabaseError as e:
            raise CdoError(f"恢复失败，当前数据库没有改动：{e}") from None
        finally:
            live.conn.close()
        db = open_db(db_path)  # WAL again, and migrations if the backup is older
        after = current_info(db_path)
        reason = f"从备份 {src.resolve()} 恢复"
        if saved:
            reason += f"；恢复前的数据库另存为 {saved}"
        with transaction(db):
            audit.record(db, "database", None, "restore", before.counts if before else None,
                         after.counts if after else None, reason=reason)
    db.conn.close()  # not reached after a Ctrl-C: what was saved is read back through it
    return Restored(saved, changed)


def _put_backup_into(src: Path, live: sqlite3.Connection, under_lock: Callable[[], None]) -> None:
    """Copy the backup file `src` into the live database through its connection `live`,
    with SQLite's backup API: one write transaction. The API takes the write lock itself
    on its first step (waiting for a colleague's write like every command: LockWait) and
    keeps it to the end; `under_lock()` runs once it holds it, before anything is
    committed."""
    from cdo.store.db import LockWait

    holding = False

    def step(status: int, remaining: int, total: int) -> None:
        nonlocal holding
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            wait.still_busy()
        elif not holding:  # a cdo database has many pages: the first step is not the last
            holding = True
            under_lock()

    s = _connect(src, readonly=True)
    try:
        with LockWait(live) as wait:
            # a page a step: the first takes the lock, the others follow `under_lock`
            s.backup(live, pages=1, progress=step, sleep=0.01)
    finally:
        s.close()
