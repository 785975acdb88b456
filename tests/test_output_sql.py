"""Long listings (report overdue, spotcheck list as JSON or CSV) made by SQLite and written
a batch at a time: phones in free text masked only where a batch may hold one, CSV fields
quoted, neutralised and cleaned only where a batch needs it — checked against the Python
conversions (print_json, print_csv on the rows as dicts) on texts at every edge, with
batches of 1, 7 and 2,000 rows."""

import datetime as dt
import io
import json
import re
import sqlite3
import sys
from contextlib import redirect_stdout

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdo import output
from cdo.output import json_safe, mask_free_text, mask_text, plain, print_csv, print_json
from cdo.problems import model
from cdo.problems.model import PROBLEM_KEYS, NewProblem, list_problems
from cdo.problems.reports import overdue_rows
from cdo.roster.units import add_unit
from cdo.store import pages
from cdo.store.db import open_db, transaction

D = dt.date.fromisoformat

# ----------------------------------------------------------------------------- the prefilter


def test_every_digit_mask_text_reads_is_seen():
    """Every character re's \\d matches but the ASCII digits, and the full-width + and -,
    makes a text one that may hold a phone (mask_text changes it or might)."""
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if re.match(r"\d", ch) or ch in "＋－":
            assert output._may_hold_phone(ch.encode()), hex(cp)
    assert not output._may_hold_phone("第12345条，共（1）个：".encode())
    assert output._may_hold_phone("第1234567条".encode())
    assert not output._may_hold_phone("第123456条".encode() + b"\xff" + "第123456条".encode())


_PHONEISH = st.lists(st.sampled_from(
    list("0123456789 -.()+-—\u3000\u00a0，：中a\n\x00＋－０１３８٣٨😀𠀀") + ["--phone "]),
    max_size=40).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_PHONEISH, st.text(max_size=40)))
def test_a_text_passed_over_is_one_mask_text_leaves_alone(text):
    if not output._may_hold_phone(text.encode()):
        assert mask_text(text) == text


# ----------------------------------------------------------------------------- the world

PHONE_TEXTS = [
    "联系人 138 1234 5678 王", "电话：0818-2345678", "139-7531-2468催办", "+86 13975312468",
    "全角１３９７５３１２４６８", "只有全角＋号－号", "阿拉伯数字٠١٢٣٤٥٦٧٨٩", "=SUM(A1) 13812345678",
    '引号"13812345678"', "换行\n13812345678", "😀 𠀀 13812345678", "😀 没有电话",
    "2023年9月27日检查，共1234567条", "零\x00字节 13812345678", "八位\x9b31m 13812345678",
    "\u2028行分隔 13812345678", "普通描述", "1234567", "-负号开头 13912345678",
    "\t制表开头", "@提及", "逗号,分号;", "尾\r回车", "控制\x1b[2J字符", "删除\x7f 13812345678",
]
RESOURCES = ["资源", 'say "q"', "=1+1", "a,b", "多\n行", "𠀀资源", "+86"]
REPORTERS = [None, "-负责人", "甲,乙", "某使用单位 0818-2345678"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("edges") / "cdo.db"
    db = open_db(path)
    units = [add_unit(db, n, "department") for n in ("达州市民政局", "达州市公安局", "通川区")]
    with transaction(db):
        for k, day in enumerate([D("2023-09-27"), D("2024-02-26")]):
            for source in ("spotcheck", "user"):
                batch = []
                for j in range(len(PHONE_TEXTS)):
                    u = units[(j + k) % len(units)]
                    batch.append(NewProblem(
                        u, RESOURCES[(j + k) % len(RESOURCES)], model.DIMENSIONS[j % 4],
                        f"描述{j}" if source == "user" and j % 3 == 0 else "占位",
                        None if j % 4 == 0 else j + 1, None,
                        REPORTERS[j % len(REPORTERS)] or "某单位" if source == "user" else None))
                model.insert_problems(db, batch, source=source, issued_on=day)
    ids = [i for (i,) in db.conn.execute("SELECT id FROM problems ORDER BY id")]
    db.conn.close()
    conn = sqlite3.connect(path)  # texts the importer would refuse or clean: straight in
    for n, i in enumerate(ids):
        conn.execute("UPDATE problems SET description = ?, records = ? WHERE id = ?",
                     [PHONE_TEXTS[n % len(PHONE_TEXTS)],
                      [None, 1, 1.0, 12, 7][n % 5], i])
    conn.commit()
    conn.close()
    db = open_db(path)
    for i in ids[::5]:  # changed after the past date: replayed there
        model.transition(db, [i], "done", D("2024-05-06"))
    return path


def _run(cli, path, *args) -> str:
    r = cli("--db", path, *args)
    assert r.exit_code == 0, r.stderr
    return r.stdout_bytes.decode()


def _captured(fn, *args, **kw) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        fn(*args, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("batch", [1, 7, 2000])
@pytest.mark.parametrize("day", ["2024-03-29", "2025-06-30"])
def test_problem_list_as_python_writes_it(world, cli, monkeypatch, batch, day):
    monkeypatch.setattr(pages, "PAGE_ROWS", batch)
    rows = list_problems(open_db(world), as_of=D(day))
    out = _run(cli, world, "spotcheck", "list", "--as-of", day, "--format", "json")
    assert out == _captured(print_json, [{k: plain(r.get(k)) for k in PROBLEM_KEYS}
                                         for r in rows])
    out = _run(cli, world, "spotcheck", "list", "--as-of", day, "--format", "csv")
    assert out == _captured(print_csv, rows, PROBLEM_KEYS)
    assert "13812345678" not in out and "138****5678" in out  # masked, CSV included
    assert "'=SUM(A1) 138****5678" in out and '"say ""q"""' in out and "'-负责人" in out


@pytest.mark.parametrize("batch", [1, 7, 2000])
@pytest.mark.parametrize("day", ["2024-03-29", "2025-06-30"])
def test_overdue_as_python_writes_it(world, cli, monkeypatch, batch, day):
    monkeypatch.setattr(pages, "PAGE_ROWS", batch)
    rows = overdue_rows(open_db(world), D(day))
    assert len(rows) > 20
    out = _run(cli, world, "report", "overdue", "--as-of", day, "--format", "csv")
    assert out == _captured(print_csv, rows, PROBLEM_KEYS)
    out = _run(cli, world, "report", "overdue", "--as-of", day, "--format", "json")
    compact = [json.dumps({k: r[k] for k in PROBLEM_KEYS}, ensure_ascii=False,
                          separators=(",", ":")) for r in mask_free_text(rows)]
    assert out == json_safe("[\n" + ",\n".join(compact) + "\n]\n")
    assert "138****5678" in out and "13812345678" not in out and "\\u009b" in out


def test_show_contact_leaves_phones(world, capsys):
    """The writers mask only the free texts the SQL hands them: none with show_contact."""
    db = open_db(world)
    output.register_listing(db.conn, PROBLEM_KEYS, show_contact=True)
    values = lambda v: output.json_element_sql(v, model.BOOLEAN_KEYS, show_contact=True)  # noqa: E731
    output.write_json_lines(model.list_problems_pages(db, as_of=D("2025-06-30"), filters={},
                                                      line=values, sep=b",\n"))
    shown = capsys.readouterr().out
    assert "13812345678" in shown and json.loads(shown)
    output.write_csv_lines(PROBLEM_KEYS, model.list_problems_pages(
        db, as_of=D("2025-06-30"), filters={}, sep=b"", line=lambda v: output.csv_line_sql(
            v, model.PLAIN_KEYS, model.TYPED_KEYS, model.BOOLEAN_KEYS, show_contact=True)))
    shown = capsys.readouterr().out
    rows = list_problems(db, as_of=D("2025-06-30"))
    assert shown == _captured(print_csv, rows, PROBLEM_KEYS, show_contact=True)
    assert "13812345678" in shown


def test_text_stdout_gets_text(world, monkeypatch):
    """A stdout that is not UTF-8 bytes underneath gets the same text through its own
    encoding and line ends."""
    db = open_db(world)
    output.register_listing(db.conn, PROBLEM_KEYS)
    buf = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buf)
    output.write_json_lines(model.list_problems_pages(
        db, as_of=D("2025-06-30"), filters={}, sep=b",\n",
        line=lambda v: output.json_element_sql(v, model.BOOLEAN_KEYS)))
    monkeypatch.undo()
    rows = list_problems(db, as_of=D("2025-06-30"))
    assert buf.getvalue() == _captured(print_json, [{k: plain(r.get(k)) for k in PROBLEM_KEYS}
                                                    for r in rows])
