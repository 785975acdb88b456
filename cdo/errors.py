"""Errors the clerk sees: each is one Chinese line on stderr and an exit code."""

import errno
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    USER_ERROR = 1
    USAGE = 2
    TERMINATED = 128 + 15  # SIGTERM, as a shell reports it


class CdoError(Exception):
    """A user error: bad input, unknown unit, unreadable file. Message is Chinese."""

    exit_code = ExitCode.USER_ERROR


class NotFoundError(CdoError):
    """Something named on the command line does not exist."""


class InvalidInputError(CdoError):
    """A value (date, number, name) is not acceptable."""


class FileReadError(CdoError):
    """A file cannot be read or is not what it should be."""


class StateError(CdoError):
    """The requested transition is not allowed in the record's current state."""


class PartlySavedError(CdoError):
    """Some items were saved, each on its own, and the others failed (listed before).

    Unlike every other error, what the command wrote is kept."""


class RowErrors(CdoError):
    """Several rows of an import are bad; nothing was written.

    `problems` is a list of Chinese one-line descriptions, each naming its place.
    """

    def __init__(self, summary: str, problems: list[str]):
        self.problems = problems
        lines = [summary, *("  " + p for p in problems)]
        super().__init__("\n".join(lines))


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EEXIST: "已经存在",
    errno.EBUSY: "正被其他程序占用",
    errno.ETXTBSY: "正被其他程序占用",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EINVAL: "这个位置不能写入这样的文件",
    errno.EIO: "磁盘读写出错",
    errno.ELOOP: "链接指向自身（循环）",
}


def os_reason(e: OSError) -> str:
    """Why a file operation failed, in Chinese (the system's own words where unknown)."""
    return _OS_REASONS.get(e.errno or 0) or e.strerror or type(e).__name__
