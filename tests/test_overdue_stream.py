"""Overdue and problem-list JSON/CSV, now sorted and written by SQLite as rows are read,
compared with the implementation they replaced (kept below as the oracle: Python
replaying, sorting and joining every row) on a varied database: many units, both
sources, CDOs current and ended, every kind of event, as of dates before, between and
after the events, texts with quotes, backslashes, line breaks and control characters."""

import csv
import datetime as dt
import io
import json
import random
from contextlib import redirect_stdout
from itertools import chain

import pytest

from cdo.output import plain, print_csv, print_json
from cdo.problems import model as problems
from cdo.problems.model import (
    _COLS,
    _SELECT,
    PROBLEM_KEYS,
    UNRECTIFIED,
    NewProblem,
    changed_after,
    has_changes_after,
    list_problems,
    state_as_of,
)
from cdo.problems.reports import _cdo_join
from cdo.roster.units import add_unit
from cdo.store import pages
from cdo.store.db import open_db, transaction

D = dt.date.fromisoformat


# ----------------------------------------------------------------------------- the oracle
# cdo/problems/reports.py before streaming (main at the merge: the CDO join by date),
# unchanged but for names.

def old_overdue_rows(db, as_of: dt.date, cal=None) -> list[dict]:
    """Every problem overdue on `as_of`, grouped by unit (worst unit first), worst first.

    Each row has the problem keys with overdue_days filled, plus `cdo` (the unit's CDO)
    and `original_due_on`, `negotiated_until` for display. One query; overdue days come
    from the precomputed calendar.
    """
    from cdo.store import calendar_store

    cal = cal or calendar_store.load_calendar(db)
    day = as_of.isoformat()
    base = _SELECT.replace("FROM problems p", ", c.cdo_name FROM problems p") + _cdo_join(as_of)
    # Two index searches instead of one OR: unrectified past the deadline, and (for an
    # as-of date in the past) problems rectified only after that date.
    sql = (
        f"{base} WHERE p.status IN ('open','negotiated') AND p.due_on < ? AND p.issued_on <= ?"
        f" UNION ALL {base} WHERE p.rectified_on > ? AND +p.status IN ('rectified','closed')"
        " AND +p.due_on < ?"
    )
    fromiso = dt.date.fromisoformat
    between = cal.workdays_between
    days: dict[str, int] = {}  # overdue days per deadline: few distinct dates
    rows = []
    ncols = len(_COLS)
    cols = _COLS
    # As of a past date, problems with events after it are replayed to how they stood.
    later = changed_after(db, as_of)
    found = db.conn.execute(sql, [day, day, day, day]).fetchall()
    if later:
        found = [t for t in found if t[0] not in later]
        marks = ",".join(map(str, later))
        then = []
        for t in db.conn.execute(f"{base} WHERE p.id IN ({marks}) AND p.issued_on <= ?", [day]):
            r = state_as_of(dict(zip(cols, t, strict=False)), later[t[0]], as_of)
            if r["status"] in UNRECTIFIED and r["due_on"] < day:
                then.append((r, t[ncols]))
    else:
        then = []
    for r, cdo in chain(((dict(zip(cols, t, strict=False)), t[ncols]) for t in found), then):
        r["provisional"] = bool(r["provisional"])
        due = r["due_on"]
        n = days.get(due)
        if n is None:
            n = days[due] = between(fromiso(due), as_of)
        r["overdue_days"] = n
        r["cdo"] = cdo
        rows.append(r)
    worst: dict[int, tuple[int, int]] = {}
    for r in rows:
        w = worst.get(r["unit_id"], (0, 0))
        worst[r["unit_id"]] = (max(w[0], r["overdue_days"]), w[1] + 1)
    rows.sort(key=lambda r: (-worst[r["unit_id"]][0], -worst[r["unit_id"]][1], r["unit"],
                             -r["overdue_days"], r["id"]))
    return rows


def old_overdue_json(db, as_of: dt.date, cal=None) -> str:
    """`overdue_rows` as a JSON array (exactly the problem keys), one object a line.

    The same rows in the same order, but SQLite writes each object's text (json_object)
    so that 100,000s of overdue problems print in a fraction of a second; Python adds
    the overdue days (once per distinct deadline) and sorts.
    """
    from cdo.store import calendar_store

    cal = cal or calendar_store.load_calendar(db)
    if has_changes_after(db, as_of):
        # A past date with changes since: the rows as they stood (rare, so plain Python).
        import json

        from cdo.problems.model import PROBLEM_KEYS

        rows = old_overdue_rows(db, as_of, cal)
        if not rows:
            return "[]"
        encode = json.JSONEncoder(ensure_ascii=False).encode
        return "[\n" + ",\n".join(
            encode({k: r[k] for k in PROBLEM_KEYS}) for r in rows) + "\n]"
    day = as_of.isoformat()
    head = (
        "json_object('id', p.id, 'source', p.source, 'unit', u.name,"
        " 'reporter', COALESCE(ru.name, p.reporter), 'resource', p.resource,"
        " 'dimension', p.dimension, 'description', p.description, 'records', p.records,"
        " 'issued_on', p.issued_on, 'due_on', p.due_on,"
        " 'provisional', json(CASE WHEN p.provisional THEN 'true' ELSE 'false' END),"
        " 'status', p.status, 'rectified_on', p.rectified_on, 'closed_on', p.closed_on)"
    )
    base = (
        f"SELECT p.unit_id, u.name, p.due_on, p.id, {head}"
        " FROM problems p JOIN units u ON u.id = p.unit_id"
        " LEFT JOIN units ru ON ru.id = p.reporter_id"
    )
    sql = (
        f"{base} WHERE p.status IN ('open','negotiated') AND p.due_on < :day"
        " AND p.issued_on <= :day"
        f" UNION ALL {base} WHERE p.rectified_on > :day"
        " AND +p.status IN ('rectified','closed') AND +p.due_on < :day"
    )
    rows = db.conn.execute(sql, {"day": day}).fetchall()
    if not rows:
        return "[]"
    fromiso, between = dt.date.fromisoformat, cal.workdays_between
    days = {due: between(fromiso(due), as_of) for due in {r[2] for r in rows}}
    worst: dict[int, list[int]] = {}
    for uid, _, due, *_rest in rows:
        w = worst.setdefault(uid, [0, 0])
        w[0] = max(w[0], days[due])
        w[1] += 1
    rows.sort(key=lambda r: (-worst[r[0]][0], -worst[r[0]][1], r[1], -days[r[2]], r[3]))
    return "[\n" + ",\n".join(
        f'{r[4][:-1]},"overdue_days":{days[r[2]]}}}' for r in rows
    ) + "\n]"


# ----------------------------------------------------------------------------- the world

TEXTS = ["字段缺失", 'say "引号" and \\ backslash', "第一行\n第二行\r\n\t制表", "控制字符\x7f",
         "=HYPERLINK(\"http://x\")", "  前后空格  ", "逗号,分号;", "\u2028行分隔\u2029"]
UNIT_NAMES = ["达州市公安局", "达州市民政局", "通川区", "达川区", "宣汉县", "开江县", "大竹县",
              "渠县", "万源市", "达州市教育局", "达州市财政局", "达州市水务局"]


def _build(path, seed: int = 11):
    """Units, CDOs, ~400 problems of both sources over 2023-2024, and events of every
    kind applied through the domain functions (so the data is what cdo writes)."""
    rnd = random.Random(seed)
    db = open_db(path)
    units = [add_unit(db, n, "department" if "市" in n[2:] else "region") for n in UNIT_NAMES]
    now = "2023-01-01T00:00:00"
    for i, u in enumerate(units):
        if i % 3:
            db.execute("INSERT INTO cdos (unit_id, name, status, created_at, updated_at)"
                       " VALUES (?,?,?,?,?)", [u.id, f"首席{i}", "appointed", now, now])
        if i % 4 == 0:
            db.execute("INSERT INTO cdos (unit_id, name, status, created_at, updated_at)"
                       " VALUES (?,?,?,?,?)", [u.id, f"前任{i}", "ended", now, now])
    issue_days = [D("2023-03-27"), D("2023-06-26"), D("2023-09-27"), D("2023-10-09"),
                  D("2023-12-25"), D("2024-02-26"), D("2024-05-27"), D("2024-09-25")]
    with transaction(db):
        for k, day in enumerate(issue_days):
            for source in ("spotcheck", "user"):
                batch = []
                for j in range(30 if source == "spotcheck" else 12):
                    u = units[rnd.randrange(len(units))]
                    rep = units[rnd.randrange(len(units))]
                    reporter_id = rep.id if source == "user" and rep.id != u.id and j % 2 else None
                    reporter = "某使用单位" if source == "user" and reporter_id is None else None
                    batch.append(NewProblem(
                        u, f"资源{k}-{j}", problems.DIMENSIONS[j % 4],
                        TEXTS[(j + k) % len(TEXTS)] + f"#{k}-{j}",
                        None if j % 5 == 0 else rnd.randrange(1, 5000), reporter_id, reporter))
                problems.insert_problems(db, batch, source=source, issued_on=day)
    t = problems.transition
    for pid, due, issued in db.conn.execute(
            "SELECT id, due_on, issued_on FROM problems ORDER BY id").fetchall():
        due, issued = D(due), D(issued)
        step = lambda lo, hi: dt.timedelta(days=rnd.randint(lo, hi))  # noqa: E731
        kind = rnd.randrange(8)
        d = issued + step(1, 20)
        if kind == 0:
            continue  # never touched
        if kind in (1, 2, 3):  # rectified early or late, maybe verified or reopened
            d = due + step(-20, 25)
            d = max(d, issued + step(1, 3))
            t(db, [pid], "done", d)
            if kind == 2:
                t(db, [pid], "verify", d + step(0, 10))
            elif kind == 3:
                d = d + step(0, 20)
                t(db, [pid], "reopen", d)
                if rnd.random() < 0.5:
                    t(db, [pid], "done", d + step(1, 30))
        elif kind in (4, 5):  # negotiated (before or after the deadline), maybe twice
            d = due + step(-10, 10)
            d = max(d, issued + step(1, 3))
            until = max(due, d) + step(5, 90)
            t(db, [pid], "negotiate", d, until=until)
            if kind == 5:
                d, until = d + step(1, 20), until + step(5, 60)
                t(db, [pid], "negotiate", d, until=until)
            if rnd.random() < 0.5:
                done = until + step(-30, 30)
                t(db, [pid], "done", done if done > d else d + step(1, 5))
        elif kind == 6:  # done, reopened, done, verified
            d = due + step(-25, 5)
            d = max(d, issued + step(1, 3))
            t(db, [pid], "done", d)
            t(db, [pid], "reopen", d + step(1, 10))
            t(db, [pid], "done", d + step(11, 40))
            t(db, [pid], "verify", d + step(41, 50))
        else:  # negotiated after being reopened
            d = max(due + step(-25, 0), issued + step(1, 3))
            t(db, [pid], "done", d)
            t(db, [pid], "reopen", d + step(1, 10))
            t(db, [pid], "negotiate", d + step(11, 12), until=d + step(60, 90))
    db.conn.close()


AS_OF = ["2023-03-01", "2023-05-15", "2023-08-31", "2023-11-20", "2023-12-29", "2024-01-31",
         "2024-04-30", "2024-07-31", "2024-10-31", "2024-12-31", "2025-06-30", "2026-03-02"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "cdo.db"
    _build(path)
    return path


def _run(cli, path, *args) -> str:
    r = cli("--db", path, *args)
    assert r.exit_code == 0, r.stderr
    return r.stdout_bytes.decode()  # as written: .stdout turns "\r\n" into "\n"


def _captured(fn, *args, **kw) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        fn(*args, **kw)
    return buf.getvalue()


def test_world_is_varied(world):
    db = open_db(world)
    changed = sum(has_changes_after(db, D(d)) for d in AS_OF)
    assert 6 <= changed < len(AS_OF)  # both paths: replayed and today's
    for d in AS_OF[3:]:
        assert old_overdue_rows(db, D(d))
    actions = {a for (a,) in db.execute("SELECT DISTINCT action FROM problem_events")}
    assert actions == {"done", "verify", "reopen", "negotiate"}


@pytest.mark.parametrize("day", AS_OF)
def test_overdue_rows_as_before(world, day):
    from cdo.problems.reports import overdue_rows

    db = open_db(world)
    new, old = overdue_rows(db, D(day)), old_overdue_rows(db, D(day))
    assert [list(r.items()) for r in new] == [list(r.items()) for r in old]


@pytest.mark.parametrize("day", AS_OF)
def test_overdue_json_as_before(world, cli, day):
    db = open_db(world)
    from cdo.output import json_safe

    out = _run(cli, world, "report", "overdue", "--as-of", day, "--format", "json")
    old = json_safe(old_overdue_json(db, D(day))) + "\n"  # DEL and C1 now escaped
    if not has_changes_after(db, D(day)):
        assert out == old  # byte for byte
    else:
        # the replayed path used to print ", " and ": " (Python's encoder) where every
        # other path printed SQLite's compact objects; now all print the compact ones
        assert json.loads(out) == json.loads(old)
        compact = [json.dumps(o, ensure_ascii=False, separators=(",", ":"))
                   for o in json.loads(old)]
        assert out == json_safe("[\n" + ",\n".join(compact) + "\n]\n" if compact else "[]\n")
    with_xlsx = _run(cli, world, "report", "overdue", "--as-of", day, "--format", "json",
                     "--output", world.parent / f"o{day}.xlsx")
    assert with_xlsx == out


@pytest.mark.parametrize("day", AS_OF)
def test_overdue_csv_as_before(world, cli, day):
    db = open_db(world)
    out = _run(cli, world, "report", "overdue", "--as-of", day, "--format", "csv")
    assert out == _captured(print_csv, old_overdue_rows(db, D(day)), PROBLEM_KEYS)
    assert len(list(csv.reader(io.StringIO(out)))) == len(old_overdue_rows(db, D(day))) + 1


FILTERS = [[], ["--month", "2023-09"], ["--status", "open"], ["--status", "已整改"],
           ["--status", "negotiated"], ["--source", "user"], ["--unit", "通川区"],
           ["--month", "2024-02", "--status", "closed", "--source", "spotcheck"]]


@pytest.mark.parametrize("day", AS_OF[::2] + [AS_OF[-1]])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: " ".join(f) or "all")
def test_problem_list_json_and_csv_as_before(world, cli, monkeypatch, day, filters):
    """Pages of 7 rows (cdo.store.pages): every page boundary joins as one listing."""
    monkeypatch.setattr(pages, "PAGE_ROWS", 7)
    db = open_db(world)
    opts = dict(zip(filters[::2], filters[1::2], strict=True))
    rows = list_problems(db, as_of=D(day), month=opts.get("--month"),
                         unit=opts.get("--unit"), status=opts.get("--status"),
                         source=opts.get("--source"))
    out = _run(cli, world, "spotcheck", "list", "--as-of", day, "--format", "json", *filters)
    assert out == _captured(print_json, [{k: plain(r.get(k)) for k in PROBLEM_KEYS}
                                         for r in rows])
    out = _run(cli, world, "spotcheck", "list", "--as-of", day, "--format", "csv", *filters)
    assert out == _captured(print_csv, rows, PROBLEM_KEYS)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_problem_list_error_leaves_stdout_empty(world, cli, fmt):
    r = cli("--db", world, "spotcheck", "list", "--unit", "不存在的单位", "--format", fmt)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith("cdo: ")
    r = cli("--db", world, "spotcheck", "list", "--status", "半截", "--format", fmt)
    assert r.exit_code == 1 and r.stdout == ""



def test_a_newer_cdos_database_still_reports(cli, tmp_path):
    """A database a newer cdo upgraded is opened read-only: the reports still stream (their
    temporary tables write nothing into the file), and the file is left as it was."""
    import sqlite3

    path = tmp_path / "newer.db"
    assert cli("--db", path, "units", "add", "达州市民政局", "--category", "department"
               ).exit_code == 0
    assert cli("--db", path, "spotcheck", "add", "--unit", "达州市民政局", "--resource", "r",
               "--dimension", "准确性", "--description", "d", "--issued-on", "2023-09-27"
               ).exit_code == 0
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('cdo', 'm099_from_the_future', 'x')")
    conn.commit()
    before = "\n".join(conn.iterdump())
    conn.close()
    for args in (["report", "overdue", "--as-of", "2023-12-29", "--format", "json"],
                 ["report", "overdue", "--as-of", "2023-12-29", "--format", "csv"],
                 ["spotcheck", "list", "--as-of", "2023-10-31", "--format", "json"],
                 ["report", "overdue", "--as-of", "2023-12-29"]):
        out = _run(cli, path, *args)
        assert "达州市民政局" in out, args
    conn = sqlite3.connect(path)
    assert "\n".join(conn.iterdump()) == before
    conn.close()


# Every kind of field SQLite cannot write as it is: the CSV still matches print_csv.
ODD_TEXTS = ["=1+1", "+86", "-负号", "@SUM(A1)", "\t制表开头", "\r回车开头", "a,b", 'a"b', "a\nb",
             "中\x1f间", "零\x00字节", "转义\x1b[2J", "八位\x9b31m", "删除\x7f", "C1\x85字", "",
             "·间隔号", "正常,=逗号后", "尾-", "x\x1f=y", "电话 13812345678", "=电话0818-2345678",
             "电话,13912345678\x1f"]


def _rewritten(world, folder, texts, records):
    """A copy of `world` whose problems' texts and records another program rewrote, in
    turn from `texts` and `records`."""
    import shutil
    import sqlite3

    path = folder / "cdo.db"
    shutil.copyfile(world, path)
    conn = sqlite3.connect(path)
    ids = [i for (i,) in conn.execute("SELECT id FROM problems ORDER BY id")]
    for n, i in enumerate(ids):
        conn.execute("UPDATE problems SET description = ?, resource = ?, records = ?,"
                     " reporter = ? WHERE id = ?",
                     [texts[n % len(texts)], texts[(n * 7) % len(texts)] or "资源",
                      records[n % len(records)], texts[(n * 3) % len(texts)], i])
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def odd_world(world, tmp_path_factory):
    return _rewritten(world, tmp_path_factory.mktemp("odd"), ODD_TEXTS,
                      [None, -5, 2.5, 1e20, 0.1 + 0.2, 7, "文本", b"\x01blob", -0.0, 12, 1.0, 1])


@pytest.mark.parametrize("day", AS_OF[len(AS_OF) // 2:])
def test_csv_of_odd_fields_as_before(odd_world, cli, day):
    db = open_db(odd_world)
    out = _run(cli, odd_world, "report", "overdue", "--as-of", day, "--format", "csv")
    assert out == _captured(print_csv, old_overdue_rows(db, D(day)), PROBLEM_KEYS)
    rows = list_problems(db, as_of=D(day))
    out = _run(cli, odd_world, "spotcheck", "list", "--as-of", day, "--format", "csv")
    assert out == _captured(print_csv, rows, PROBLEM_KEYS)
    if day == AS_OF[-1]:  # every odd field is there
        for text in ("'=1+1", '"a,b"', "'-负号", "'\t制表开头", ",2.5,", ",1e+20,", ",-5,",
                     ",0.30000000000000004,", ",blob,", '"a\nb"', '"a""b"', ",中间,", "'=电话"):
            assert text in out, text
        from cdo.output import mask_text

        masked = mask_text("电话 13812345678")  # a description's phone is masked
        assert masked != "电话 13812345678" and f",{masked}," in out


# Texts to quote, neutralise or clean, but no value only another program writes (NUL,
# BLOB, odd records): the database says so (odd_values is empty), and SQLite joins each
# line without checking every row for those; the CSV is still exactly print_csv's.
QUOTABLE = [t for t in ODD_TEXTS if "\x00" not in t]


@pytest.fixture(scope="module")
def quotable_world(world, tmp_path_factory):
    return _rewritten(world, tmp_path_factory.mktemp("quotable"), QUOTABLE, [None, 0, 12, 10**12])


@pytest.mark.parametrize("day", AS_OF[-2:])
def test_csv_of_quotable_fields_unchecked(quotable_world, cli, day):
    db = open_db(quotable_world)
    assert not db.has_odd_values()
    out = _run(cli, quotable_world, "report", "overdue", "--as-of", day, "--format", "csv")
    assert out == _captured(print_csv, old_overdue_rows(db, D(day)), PROBLEM_KEYS)
    rows = list_problems(db, as_of=D(day))
    out = _run(cli, quotable_world, "spotcheck", "list", "--as-of", day, "--format", "csv")
    assert out == _captured(print_csv, rows, PROBLEM_KEYS)
    for text in ("'=1+1", '"a,b"', "'-负号", '"a\nb"', '"a""b"', ",中间,", "'=电话", ",1000000000000,"):
        assert text in out, text


def test_values_only_another_program_writes_are_flagged(world, tmp_path):
    """Triggers note every row another program gives a NUL, a BLOB or odd records (in the
    texts the listings show), whichever column and table; cdo's own rows are not noted."""
    import shutil
    import sqlite3

    path = tmp_path / "cdo.db"
    shutil.copyfile(world, path)
    assert not open_db(path).has_odd_values()
    pid, unit, event = sqlite3.connect(path).execute(
        "SELECT p.id, p.unit_id, (SELECT MAX(id) FROM problem_events) FROM problems p"
        " ORDER BY p.id LIMIT 1").fetchone()
    changes = [
        ("UPDATE problems SET description = 'a' || char(0) || 'b' WHERE id = ?", pid, "problems"),
        ("UPDATE problems SET resource = x'e4b8ad' WHERE id = ?", pid, "problems"),
        ("UPDATE problems SET records = -1 WHERE id = ?", pid, "problems"),
        ("UPDATE problems SET records = 2.5 WHERE id = ?", pid, "problems"),
        ("UPDATE problems SET closed_on = '2023' || char(0) WHERE id = ?", pid, "problems"),
        ("UPDATE units SET name = name || char(0) WHERE id = ?", unit, "units"),
        ("UPDATE problem_events SET until_on = x'00' WHERE id = ?", event, "problem_events"),
    ]
    for n, (sql, row, table) in enumerate(changes):
        path = tmp_path / f"cdo{n}.db"
        shutil.copyfile(world, path)
        conn = sqlite3.connect(path)
        conn.execute(sql, [row])
        conn.commit()
        assert conn.execute("SELECT tbl, row_id FROM odd_values").fetchall() == [(table, row)]
        conn.close()
        assert open_db(path).has_odd_values(), sql


def test_older_file_with_odd_values_flagged_on_upgrade(world, tmp_path, cli):
    """A file from before the odd_values migration, holding a NUL: the migration notes
    it, and the CSV has the whole text, not what SQLite's printf keeps (up to the NUL)."""
    import shutil
    import sqlite3

    path = tmp_path / "cdo.db"
    shutil.copyfile(world, path)
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_odd_%'")]
    assert len(names) == 6
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE odd_values")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm013_odd_values'")
    conn.execute("UPDATE problems SET description = '前半' || char(0) || '后半 13812345678'"
                 " WHERE id = (SELECT MIN(id) FROM problems)")
    conn.commit()
    conn.close()
    out = _run(cli, path, "spotcheck", "list", "--as-of", AS_OF[-1], "--format", "csv")
    assert open_db(path).has_odd_values()
    assert "前半后半 138****5678" in out  # NUL cleaned as print_csv does, phone masked


def test_blob_texts_listed_not_crashed(world, tmp_path, cli):
    """A BLOB where a text belongs (another program wrote it): JSON holds no BLOB, so it is
    read as UTF-8 text, as in the table and CSV (cdo.masking.sql_text); a phone in it is
    masked."""
    import shutil
    import sqlite3

    path = tmp_path / "cdo.db"
    shutil.copyfile(world, path)
    conn = sqlite3.connect(path)
    pid = conn.execute("SELECT MIN(id) FROM problems").fetchone()[0]
    conn.execute("UPDATE problems SET description = CAST('电话 13812345678' AS BLOB),"
                 " resource = x'41420043' WHERE id = ?", [pid])
    conn.commit()
    conn.close()
    for fmt in ("json", "csv"):
        for args in (["spotcheck", "list", "--as-of", AS_OF[-1]],
                     ["report", "overdue", "--as-of", "2023-09-01"]):
            out = _run(cli, path, *args, "--format", fmt)
            assert "13812345678" not in out, (fmt, args)
    rows = json.loads(_run(cli, path, "spotcheck", "list", "--as-of", AS_OF[-1], "-f", "json"))
    first = next(r for r in rows if r["id"] == pid)
    assert first["resource"] == "AB\x00C"
    assert first["description"] == "电话 138****5678"
    out = _run(cli, path, "spotcheck", "list", "--as-of", AS_OF[-1], "-f", "csv")
    assert f"{pid},spotcheck" in out or f"{pid},user" in out
    assert ",ABC," in out and ",电话 138****5678," in out  # the NUL cleaned, as print_csv does
    for args in (["spotcheck", "list", "--as-of", AS_OF[-1]],  # the tables and .xlsx as well
                 ["report", "overdue", "--as-of", "2023-09-01"]):
        table = _run(cli, path, *args, "-o", tmp_path / f"{args[0]}.xlsx")
        assert "b'" not in table and "13812345678" not in table, args
        if args[0] == "spotcheck":
            assert "ABC" in table and "电话 138****5678" in table
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(tmp_path / "spotcheck.xlsx").active.iter_rows()
             for c in row]
    assert "电话 138****5678" in cells and not any(isinstance(c, str) and "b'" in c for c in cells)
