"""The audit log: every change records when, who, which command, before and after."""

from __future__ import annotations

import getpass
import json
import os
import shlex
import sys
from typing import TYPE_CHECKING, Any

from cdo.dates import timestamp

if TYPE_CHECKING:
    from sqlite_utils import Database


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return str(os.getuid())


# The arguments of the command being run, set by the CLI (also under CliRunner, where
# sys.argv is the test runner's).
current_args: list[str] | None = None


def command_line() -> str:
    """The command as the clerk typed it, program name shortened to `cdo`."""
    args = ["cdo", *(sys.argv[1:] if current_args is None else current_args)]
    return " ".join(_quote(str(a)) for a in args)


def _quote(arg: str) -> str:
    # shlex.quote would quote every Chinese word; quote only what a shell would split.
    if arg and not any(ch.isspace() or ch in "'\"\\$`;&|<>()*?[]{}!#~" for ch in arg):
        return arg
    return shlex.quote(arg)


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    db: Database,
    entity: str,
    entity_id: Any,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    *,
    unit_id: int | None = None,
    problem_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Append one change to the audit log (call inside the change's transaction)."""
    db.execute(
        "INSERT INTO audit_log (at, os_user, command, entity, entity_id, action, unit_id,"
        " problem_id, before, after, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            timestamp(),
            _os_user(),
            command_line(),
            entity,
            None if entity_id is None else str(entity_id),
            action,
            unit_id,
            problem_id,
            _dump(before),
            _dump(after),
            reason,
        ],
    )


def record_many(db: Database, rows: list[dict]) -> None:
    """Append many changes at once (bulk imports); each dict has record()'s arguments."""
    at = timestamp()
    user, cmd = _os_user(), command_line()
    db.conn.executemany(
        "INSERT INTO audit_log (at, os_user, command, entity, entity_id, action, unit_id,"
        " problem_id, before, after, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                at,
                user,
                cmd,
                r["entity"],
                None if r.get("entity_id") is None else str(r["entity_id"]),
                r["action"],
                r.get("unit_id"),
                r.get("problem_id"),
                _dump(r.get("before")),
                _dump(r.get("after")),
                r.get("reason"),
            )
            for r in rows
        ],
    )
