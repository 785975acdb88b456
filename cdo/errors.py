"""Errors the clerk sees: each is one Chinese line on stderr and an exit code."""

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
