"""Ctrl-C: what the clerk is told must be what is in the database.

The command line installs `on_sigint` as the SIGINT handler first thing. It notes the
interrupt (`requested`) before raising KeyboardInterrupt, so that an interrupt some library
swallowed or turned into another error (a half-read file blamed as "TypeError") is still
known as one. Inside `shielded()` — a COMMIT and the note that it happened — the interrupt
waits until the block ends, so no transaction is committed without being noted.

`store.db.transaction` calls `note_commit` after each top-level COMMIT with the audit-log
ids it wrote; after an interrupt, `saved` says what this command had already saved.

Only `signal` and `sys` are imported: this module is loaded before anything else, so that
a Ctrl-C while the program is still starting is handled too.
"""

from __future__ import annotations

import signal
import sys

requested = False  # a Ctrl-C came during this command
told = False  # the clerk has been told what was saved
closing = False  # the command is over: a Ctrl-C now changes nothing
running = False  # a command is running: its commits are noted
_depth = 0
_deferred = False


class Commit:
    """One committed transaction: its connection and the audit-log ids it wrote
    (first_id..last_id; none when last_id < first_id)."""

    def __init__(self, conn, first_id: int, last_id: int) -> None:
        self.conn = conn
        self.first_id = first_id
        self.last_id = last_id


saved: list[Commit] = []


def on_sigint(signum, frame) -> None:
    global requested, _deferred
    if closing:
        return
    requested = True
    if _depth:
        _deferred = True
        return
    raise KeyboardInterrupt


def _unraisable(hook):
    def quiet(info) -> None:
        # a Ctrl-C that landed in a callback Python cannot raise from (an import lock's
        # weak reference): already noted in `requested`, no traceback for the clerk
        if info.exc_type is not None and issubclass(info.exc_type, KeyboardInterrupt):
            return
        hook(info)

    return quiet


def install() -> None:
    """Make Ctrl-C go through `on_sigint` (main thread only; elsewhere a no-op)."""
    try:
        signal.signal(signal.SIGINT, on_sigint)
    except ValueError:
        return
    sys.unraisablehook = _unraisable(sys.unraisablehook)


def close() -> None:
    """The command has finished (or is saying why it stopped): ignore Ctrl-C from now on."""
    global closing, running
    closing, running = True, False
    try:
        if signal.getsignal(signal.SIGINT) is on_sigint:  # ours: not a test runner's
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        pass


class shielded:  # noqa: N801 (used as `with interrupts.shielded():`)
    """Hold a Ctrl-C until the block is done, then raise it."""

    def __enter__(self) -> None:
        global _depth
        _depth += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        global _depth, _deferred
        _depth -= 1
        if not _depth and _deferred:
            _deferred = False
            if exc_type is None:
                raise KeyboardInterrupt


def check() -> None:
    """Raise KeyboardInterrupt if a Ctrl-C came (and was swallowed on the way)."""
    if requested and not closing:
        raise KeyboardInterrupt


def note_commit(conn, first_id: int, last_id: int) -> None:
    if running:
        saved.append(Commit(conn, first_id, last_id))


def reset() -> None:
    """A command starts: forget the last one's commits (in-process runs, tests) and note
    this one's. A Ctrl-C already noted while starting up is kept."""
    global told, closing, running, _depth, _deferred
    told = closing = _deferred = False
    running = True
    _depth = 0
    saved.clear()
