"""cdo.store.pages: long listings read a page at a time, joined by SQLite."""

import sqlite3

from cdo.store.pages import cursor_pages, keyset_pages

SQL = ("SELECT printf('%s:%s', id, name) || char(10), note AS note, id FROM t"
       " WHERE id > :after ORDER BY id LIMIT :size")


def _db(path, n=10):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)",
                     [(i * 3, f"名{i}", f"备注{i}") for i in range(1, n + 1)])
    return conn


def test_pages_join_every_row_once_in_order(tmp_path):
    conn = _db(tmp_path / "t.db")
    for size in (1, 3, 4, 10, 11):
        pages = list(keyset_pages(conn, SQL, {}, b"", size))
        assert b"".join(p.text for p in pages) == "".join(
            f"{i * 3}:名{i}\n" for i in range(1, 11)).encode()
        assert [p.length for p in pages] == [min(size, 10 - k) for k in range(0, 10, size)]
        assert all(p.names == ("note",) for p in pages)
        first = pages[0]
        notes = [f"备注{i}".encode() for i in range(1, min(size, 10) + 1)]
        assert first.free == (b"\xff".join(notes),)
        assert [r[1] for r in first.rows()] == notes
    conn.execute("DELETE FROM t")
    assert list(keyset_pages(conn, SQL, {}, b"")) == []


def test_pages_read_as_of_one_moment(tmp_path):
    """A colleague's commit between two pages is not half seen: all pages are read in
    one transaction, as the single query they replace was."""
    path = tmp_path / "t.db"
    conn = _db(path)
    other = sqlite3.connect(path, isolation_level=None)
    pages = keyset_pages(conn, SQL, {}, b"", 2)
    first = next(pages)
    other.execute("UPDATE t SET name = '改' WHERE id = 30")
    other.execute("INSERT INTO t VALUES (99, '新', '')")
    rest = b"".join(p.text for p in pages)
    assert first.text == "3:名1\n6:名2\n".encode()
    assert "30:名10\n".encode() in rest and b"99:" not in rest
    assert not conn.in_transaction
    assert b"30:\xe6\x94\xb9" in b"".join(p.text for p in keyset_pages(conn, SQL, {}, b""))


def test_cursor_pages_keep_the_cursor_order(tmp_path):
    conn = _db(tmp_path / "t.db")
    cursor = conn.execute("SELECT name, note FROM t ORDER BY id DESC")
    pages = list(cursor_pages(cursor, b"|", 4))
    assert [p.length for p in pages] == [4, 4, 2]
    assert pages[0].text == "名10|名9|名8|名7".encode()
    assert pages[2].rows() == [("名2".encode(), "备注2".encode()), ("名1".encode(), "备注1".encode())]
