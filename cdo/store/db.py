"""Opening the database: create it owner-only, set pragmas, apply migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from cdo.errors import CdoError, os_reason
from cdo.masking import sql_text

BUSY_TIMEOUT_MS = 30_000
BUSY = "数据库正被另一位同事的命令占用，请稍后再试"
DEFAULT_DB = "cdo.db"
Params = Sequence[Any] | dict[str, Any] | None
T = TypeVar("T")


class Database:
    """The open database every use case takes: the sqlite3 connection (autocommit; a
    transaction is begun explicitly, see transaction()) and the two calls cdo makes on it.

    Not sqlite-utils' Database: importing sqlite-utils also imports click, dateutil and
    pluggy (about 50 ms, a third of a command); it is imported only to apply migrations.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.cdo_read_only: str | None = None  # why not, for a newer cdo's file (open_db)
        # a text another program wrote in another encoding (GBK) is read with U+FFFD for
        # the bytes that are not UTF-8, not a failure of the whole command (the long
        # listings read bytes, cdo.store.pages, and check them as they write)
        conn.text_factory = sql_text
        conn.execute("PRAGMA recursive_triggers=ON")

    def execute(self, sql: str, params: Params = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, () if params is None else params)

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        """Run `sql` now; its rows as dicts, read as iterated."""
        cursor = self.execute(sql, params)
        keys = [d[0] for d in cursor.description or ()]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def table_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    @contextmanager
    def snapshot(self) -> Iterator[Database]:
        """Reads inside see the database as of one moment (read_transaction)."""
        with read_transaction(self.conn):
            yield self

    def has_odd_values(self) -> bool:
        """True if a text the long listings show may hold a value only another program
        writes (a NUL, a BLOB; schema m013's odd_values), or the file cannot tell."""
        try:
            return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM odd_values)")
                        .fetchone()[0])
        except sqlite3.OperationalError:  # a newer cdo's file may keep it elsewhere
            return True

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A savepoint inside the open transaction, or a transaction of its own."""
        self.conn.execute("SAVEPOINT cdo_atomic")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:  # a RAISE(ROLLBACK) may have ended it already
                self.conn.execute("ROLLBACK TO cdo_atomic")
                self.conn.execute("RELEASE cdo_atomic")
            raise
        self.conn.execute("RELEASE cdo_atomic")

    def close(self) -> None:
        self.conn.close()


def resolve_path(path: str | None) -> Path:
    """The database path: --db, else $CDO_DB, else ./cdo.db. It must name a file (an
    in-memory database would silently keep nothing)."""
    if path is not None and not path.strip():
        raise CdoError("数据库路径是空的；请用 --db 指定一个 .db 文件（不指定则用当前文件夹的 cdo.db）")
    text = path or os.environ.get("CDO_DB") or DEFAULT_DB
    if text.strip() == ":memory:":
        raise CdoError("数据库路径“:memory:”不是文件，写入的内容不会保存；请用 --db 指定一个 .db 文件")
    if text.lower().startswith("file:"):
        raise CdoError(f"数据库路径“{text}”像是 SQLite 的 URI 写法，cdo 不支持；请直接写文件路径，如 cdo.db")
    if text.endswith(("/", os.sep)):
        raise CdoError(f"数据库路径 {text} 以“/”结尾，是文件夹的写法；请写数据库文件名，"
                       f"如 {text.rstrip('/' + os.sep) or '.'}/cdo.db")
    if text.lower().endswith(("-wal", "-shm", "-journal")):
        raise CdoError(f"数据库路径 {text} 是 SQLite 的日志文件（-wal/-shm/-journal），不是数据库本身；"
                       "请用 --db 指定 .db 文件")
    return Path(text)


_SQLITE_WORDS = {
    "file is not a database": "不是 SQLite 数据库文件",
    "database disk image is malformed": "文件内容已损坏",
}


def _create_owner_only(path: Path) -> None:
    if path.exists():
        return
    if not path.parent.exists():
        raise CdoError(f"数据库所在文件夹不存在：{path.parent}")
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    except OSError as e:
        raise CdoError(f"无法创建数据库文件 {path}：{os_reason(e)}") from None
    os.close(fd)


def open_db(path: str | Path | None = None, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    Pass ":memory:" for a throwaway database (tests).
    """
    if str(path) == ":memory:":
        db = Database(sqlite3.connect(":memory:", isolation_level=None))
    else:
        p = resolve_path(None if path is None else str(path))
        if p.is_dir():
            raise CdoError(f"数据库路径是一个文件夹：{p}；请用 --db 指定一个 .db 文件")
        if p.exists() and not p.is_file():  # /dev/null, a FIFO, a device
            raise CdoError(f"数据库路径 {p} 不是普通文件；请用 --db 指定一个 .db 文件（或一个新文件名）")
        _create_owner_only(p)
        old_umask = os.umask(0o077)  # -wal and -shm files owner-only too
        try:
            try:
                conn = sqlite3.connect(p, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
                db = Database(conn)
                _to_wal(conn)
            except sqlite3.OperationalError as e:
                raise CdoError(explain_error(e, p) or f"无法打开数据库文件 {p}：{e}"
                               "（请检查路径和读写权限）") from None
            except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
                # a scribbled-over schema can make SQLite's own message undecodable
                detail = f"（{_SQLITE_WORDS.get(str(e), e)}）" if isinstance(e, sqlite3.Error) else ""
                raise CdoError(f"数据库文件 {p} 已损坏或不是 cdo 数据库{detail}；"
                               "如是损坏，请用 cdo restore 恢复一份备份") from None
        finally:
            os.umask(old_umask)
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    if migrate:
        newer = _check_schema(db, p if str(path) != ":memory:" else None)
        if newer:
            db.execute("PRAGMA query_only=ON")
            db.cdo_read_only = newer
            return db
        _apply_migrations(db)
        exact_masks(db)
    return db


def exact_masks(db: Database) -> None:
    """On this connection, every description written to problems is masked exactly as the
    CLI masks it (cdo.masking) into masked_descriptions, which the web view serves: a
    temporary trigger (this connection's only, not in the file) redoes the rough mask the
    file's own trigger writes (m014_masked_descriptions). The description goes to it as a
    BLOB: a text that is not UTF-8 would fail before cdo_mask_text could read it."""
    from cdo.masking import mask_sql_value

    db.conn.create_function("cdo_mask_text", 1, mask_sql_value, deterministic=True)
    db.execute("""CREATE TEMP TRIGGER IF NOT EXISTS cdo_exact_mask
        AFTER INSERT ON main.masked_descriptions WHEN NEW.exact = 0 BEGIN
            UPDATE masked_descriptions SET exact = 1, description = cdo_mask_text(
                (SELECT CAST(description AS BLOB) FROM problems WHERE id = NEW.problem_id))
            WHERE problem_id = NEW.problem_id;
        END""")


def remask(db: Database) -> int:
    """Mask exactly the descriptions another program wrote (masked roughly by the file's
    trigger: every digit starred); how many. One indexed look-up when there are none.
    Never fails the command that opened the file: a file it cannot write keeps them rough."""
    if db.execute("SELECT 1 FROM masked_descriptions WHERE exact = 0 LIMIT 1").fetchone() is None:
        return 0
    try:
        with transaction(db):
            return db.execute(
                "UPDATE masked_descriptions SET exact = 1, description = cdo_mask_text("
                "(SELECT CAST(description AS BLOB) FROM problems WHERE id = problem_id))"
                " WHERE exact = 0"
            ).rowcount
    except (CdoError, sqlite3.Error):  # a file cdo cannot write: it stays rough (no digit)
        return 0


def _to_wal(conn: sqlite3.Connection) -> None:
    """WAL journal: a clerk can read while a colleague writes. Switching an older file to
    it needs the file to itself for a moment, and SQLite may refuse that at once instead
    of waiting, when another command is opening it too: tried again, as a write waits."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    _when_free(conn, "PRAGMA journal_mode=WAL", pause=0.05)  # refused at once: do not spin


def _apply_migrations(db: Database) -> None:
    """Run the migrations the database has not had yet (none, on almost every open).

    All of them in one write transaction, decided under its lock: two commands opening a
    new (or older) file at once must not both create its tables, and nobody may see it
    half upgraded."""
    from cdo.store.schema_check import applied_migrations, snapshot

    current = list(snapshot().migrations)
    if applied_migrations(db.conn) == current:
        return
    from sqlite_utils import Database as SqliteUtilsDatabase

    from cdo.store.schema import migrations

    begin_immediate(db.conn)
    try:
        if applied_migrations(db.conn) != current:  # another command may have done it
            migrations.apply(SqliteUtilsDatabase(db.conn, execute_plugins=False))
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


def _check_schema(db: Database, path: Path | None) -> str | None:
    """Refuse a database whose schema is not exactly what this cdo's migrations create.
    A newer cdo's database may still be read: returns why it must not be written."""
    from cdo.store.schema_check import (
        DamagedSchemaError,
        UnknownMigrationError,
        describe,
        schema_differences,
    )

    if path is None:
        return None
    try:
        diffs = _consistent_read(db.conn, schema_differences)
    except DamagedSchemaError as e:
        db.conn.close()
        raise CdoError(f"数据库 {path} 已损坏（{e}）；请用 cdo restore 恢复一份备份") from None
    except UnknownMigrationError as e:
        return (f"数据库 {path} 已被更新版本的 cdo 升级过（含本版本不认识的变更 "
                f"{'、'.join(e.names)}），本版本只能查看、不能修改，请先升级 cdo")
    if diffs:
        db.conn.close()
        raise CdoError(f"数据库 {path} 的结构不是本版本 cdo 建立的（{describe(diffs)}），"
                       "可能被其他程序改过；为安全起见不读写它。请用 cdo restore 恢复一份备份")
    return None


def explain_error(e: sqlite3.Error, path: Path | None = None) -> str | None:
    """The Chinese message for a failure the clerk can act on (disk full, read-only file,
    busy), or None for one that is a bug."""
    text = str(e).lower()
    where = f"数据库文件 {path} " if path else "数据库文件"
    if "full" in text:
        return "磁盘空间已满，数据库无法写入，本次没有保存任何内容；请腾出磁盘空间后重试"
    if "readonly" in text or "read-only" in text:
        return (f"{where}是只读的（或所在文件夹不可写），本次没有保存任何内容；"
                "请检查文件和文件夹的写入权限")
    if "disk i/o error" in text:
        return f"读写{where}时出错（磁盘已满或无法写入），本次没有保存任何内容"
    if "locked" in text or "busy" in text:
        return BUSY
    return None


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """Statements inside see one state of the file (one read transaction; temporary tables
    may be written), not what another command commits between them; inside a transaction
    already, that one."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")  # reads and temporary tables only


def _consistent_read(conn: sqlite3.Connection, read: Callable[[sqlite3.Connection], T]) -> T:
    """`read(conn)` inside one read transaction: its statements see one state of the file,
    not a migration another command is committing between them."""
    with read_transaction(conn):
        return read(conn)


WAIT_LIMIT_S = 60  # how long a write waits for another command's to end
_WAIT_STEP_MS = 200  # SQLite waits in C: a Ctrl-C is seen between steps


class LockWait:
    """Waiting for another command's writes to end, on `conn`: its tries end after a short
    step (so a Ctrl-C is seen between them); after a second the clerk is told it is
    waiting; after WAIT_LIMIT_S it gives up (CdoError). Call `still_busy()` after each
    try that found the database busy.

        with LockWait(conn) as wait:
            while not <try>:
                wait.still_busy()
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> LockWait:
        self.conn.execute(f"PRAGMA busy_timeout={_WAIT_STEP_MS}")
        self.start, self.told = time.monotonic(), False
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def still_busy(self) -> None:
        import sys

        waited = time.monotonic() - self.start
        if waited > WAIT_LIMIT_S:
            raise CdoError(BUSY)
        if waited > 1 and not self.told:
            print(f"cdo: 数据库正被另一位同事的命令占用，正在等待（最多 {WAIT_LIMIT_S} 秒，"
                  "按 Ctrl+C 放弃）…", file=sys.stderr, flush=True)
            self.told = True


def begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE: take the write lock, waiting up to WAIT_LIMIT_S for another
    command's writes to end. After a second the clerk is told it is waiting; a Ctrl-C
    stops the wait at once (within a step)."""
    try:
        _when_free(conn, "BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise CdoError(explain_error(e) or f"数据库无法写入：{e}") from None


def _when_free(conn: sqlite3.Connection, sql: str, pause: float = 0.0) -> None:
    """Run `sql`, tried again (LockWait: the clerk told, Ctrl-C, a limit) while another
    command holds the file; `pause` between tries SQLite refuses at once."""
    with LockWait(conn) as wait:
        while True:
            try:
                conn.execute(sql)
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
            wait.still_busy()
            if pause:
                time.sleep(pause)


# Connections opened for the CLI command being run (open_for_command). Their writes stay
# in one transaction until the command ends: end_command() commits them if it succeeded and
# rolls them back if it failed, so a command that fails after writing (a check or a
# computation after the write) leaves the database exactly as it was.
_command_conns: list[sqlite3.Connection] = []
_held_since: dict[int, int] = {}  # id(conn) -> the last audit-log id before its writes


def open_for_command(path: str | Path | None) -> Database:
    """open_db() for a CLI command: what it writes is saved when the command succeeds."""
    db = open_db(path)
    _command_conns.append(db.conn)
    return db


def end_command(ok: bool) -> None:
    """Commit (ok) or roll back what the command's connections wrote; forget them."""
    conns = list(_command_conns)
    _command_conns.clear()
    failed: sqlite3.Error | None = None
    for conn in conns:
        first = _held_since.pop(id(conn), 0)
        if not conn.in_transaction:
            continue
        if ok and failed is None:
            try:
                _commit(conn, first)
            except sqlite3.Error as e:  # a full disk shows at COMMIT (rolled back)
                failed = e
        else:
            conn.execute("ROLLBACK")
    if failed is not None:
        raise failed


def _held(conn: sqlite3.Connection) -> bool:
    return any(c is conn for c in _command_conns)


def in_callers_transaction(db: Database) -> bool:
    """True inside a transaction a caller opened (the demo builds everything in one). A
    command's own held writes do not count: a backup taken now still copies the state
    from before the command, as another connection sees it."""
    return db.conn.in_transaction and not _held(db.conn)


@contextmanager
def transaction(db: Database, *, save_now: bool = False) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE): all of it is saved, or none.

    Nested use joins the outer transaction through a savepoint. On a command's own
    connection (open_for_command) the commit waits for the end of the command, unless
    `save_now`: an import that saves each item on its own (the recommendation forms)
    commits it, and what the command wrote before it, at once.
    """
    conn = db.conn
    newer = db.cdo_read_only
    if newer:
        raise CdoError(newer)
    if conn.in_transaction:
        with db.atomic():
            yield db
        if save_now and _held(conn):
            _commit(conn, _held_since.pop(id(conn), 0))
        return
    begin_immediate(conn)
    try:
        first = _last_audit_id(conn)
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        if _held(conn) and not save_now:  # committed when the command ends (end_command)
            _held_since.setdefault(id(conn), first)
            return
        _commit(conn, first)


def _commit(conn: sqlite3.Connection, first: int) -> None:
    from cdo import interrupts

    # a Ctrl-C waits until the COMMIT is noted: what the clerk is told after an
    # interruption is then exactly what was saved
    with interrupts.shielded():
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        interrupts.note_commit(conn, first + 1, _last_audit_id(conn))


def _last_audit_id(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT max(id) FROM audit_log").fetchone()[0] or 0
    except sqlite3.OperationalError:  # no audit log yet (before the first migration)
        return 0
