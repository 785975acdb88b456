"""Long listings read a page at a time as UTF-8 bytes: SQLite makes each row's finished
text (cdo.output's json_object_sql, csv_line_sql), and hands over a page of rows already
joined, so 200,000 rows cost Python a hundred pages, not 200,000 rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, NamedTuple

from cdo.store.db import read_transaction

PAGE_ROWS = 2000  # rows read and written at a time
FREE_SEP = b"\xff"  # between the texts of a free column in a page: never in UTF-8 text


class Page(NamedTuple):
    """Rows of a listing read together. `text`: their first column's texts joined by the
    listing's separator; `free`: each further column's texts joined by FREE_SEP, named by
    `names`; `length` rows; `rows()` the same rows one by one, (text, *free)."""
    text: bytes
    free: tuple[bytes, ...]
    names: tuple[str, ...]
    length: int
    rows: Callable[[], list[tuple]]


@contextmanager
def _bytes(conn: sqlite3.Connection) -> Iterator[None]:
    """While inside, `conn` reads texts as their UTF-8 bytes: no decoding."""
    before, conn.text_factory = conn.text_factory, bytes
    try:
        yield
    finally:
        conn.text_factory = before


def cursor_pages(cursor: sqlite3.Cursor, sep: bytes, size: int | None = None) -> Iterator[Page]:
    """The rows of `cursor` (an executed query) `size` (PAGE_ROWS) at a time."""
    size = size or PAGE_ROWS
    names = tuple(d[0] for d in cursor.description[1:])
    while True:
        with _bytes(cursor.connection):
            batch = cursor.fetchmany(size)
        if not batch:
            return
        free = tuple(FREE_SEP.join(map(itemgetter(i), batch)) for i in range(1, len(names) + 1))
        yield Page(sep.join(map(itemgetter(0), batch)), free, names, len(batch),
                   _given(batch))


def keyset_pages(conn: sqlite3.Connection, sql: str, params: Mapping[str, Any], sep: bytes,
                 size: int | None = None) -> Iterator[Page]:
    """The rows of `sql` `size` (PAGE_ROWS) at a time, each page joined by SQLite, all read
    in one transaction (as of one moment, as a single query is). `sql` returns at most
    :size rows (LIMIT :size) after :after, in the order of its last column: an increasing
    whole number, not shown, in which an index gives the rows (or every page sorts all
    that is left)."""
    size = size or PAGE_ROWS
    first = -(2**63)  # before every whole number SQLite holds
    with read_transaction(conn):
        probe = conn.execute(f"SELECT * FROM ({sql}) LIMIT 0",
                             {**params, "after": first, "size": 0})
        names = tuple(d[0] for d in probe.description)
        columns = [f"c{i}" for i in range(len(names))]
        joined = ["group_concat(c0, :sep)"]
        joined += [f"group_concat({c}, CAST(x'ff' AS TEXT))" for c in columns[1:-1]]
        page_sql = (f"WITH page({', '.join(columns)}) AS ({sql})"
                    f" SELECT {', '.join(joined)}, count(*), max({columns[-1]}) FROM page")
        after = first
        while True:
            at = {**params, "after": after, "size": size}
            with _bytes(conn):
                *texts, count, last = conn.execute(page_sql,
                                                   {**at, "sep": sep.decode()}).fetchone()
            if not count:
                return

            def rows(at=at) -> list[tuple]:
                with _bytes(conn):
                    return [row[:-1] for row in conn.execute(sql, at)]

            yield Page(texts[0], tuple(texts[1:]), names[1:-1], count, rows)
            after = last


def _given(rows: list[tuple]) -> Callable[[], list[tuple]]:
    return lambda: rows
