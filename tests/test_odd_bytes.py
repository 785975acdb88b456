"""What another program writes into the file, and an output that cannot take every
character: never a traceback.

- Text that is not UTF-8 (GBK bytes in a TEXT column): read with U+FFFD for the bytes
  that are not UTF-8 (cdo.masking.sql_text), in the tables, the .xlsx, CSV and JSON alike;
  the CSV and JSON are valid UTF-8; the web view's exact mask still made.
- A BLOB where a text belongs: read as UTF-8 text in every output (not b'…').
- A stdout whose encoding (GBK) cannot write a character: "?" for it, one note on stderr.
"""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from conftest import copy_db

from cdo.cli import app

AS_OF = "2024-01-10"
GBK_PHONE = "联系人电话 13912345678 请核实".encode("gbk")
GBK_PLAIN = "没有数字的说明".encode("gbk")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from typer.testing import CliRunner

    db = tmp_path_factory.mktemp("odd") / "demo.db"
    r = CliRunner().invoke(app, ["--db", str(db), "demo"])
    assert r.exit_code == 0, r.output
    return db


@pytest.fixture
def demo(demo_db, tmp_path):
    db = tmp_path / "demo.db"
    copy_db(demo_db, db)
    return db


def _write(db, sql, *params):
    """What another program writes: plain sqlite3, no cdo function or trigger."""
    conn = sqlite3.connect(db)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def _open_ids(db) -> list[int]:
    conn = sqlite3.connect(db)
    ids = [i for (i,) in conn.execute(
        "SELECT id FROM problems WHERE status = 'open' AND due_on < ? ORDER BY id", [AS_OF])]
    conn.close()
    return ids


def _ok(cli, db, *args) -> str:
    r = cli("--db", db, *args)
    assert r.exit_code == 0, (args, r.stderr, r.exception)
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr
    out = r.stdout_bytes.decode()  # valid UTF-8, or this fails
    return out


LISTINGS = [["spotcheck", "list", "--as-of", AS_OF], ["rectify", "list"],
            ["report", "overdue", "--as-of", AS_OF]]


def test_text_not_utf8_read_with_replacement_everywhere(demo, cli, tmp_path):
    gbk, plain = _open_ids(demo)[:2]
    _write(demo, "UPDATE problems SET description = CAST(? AS TEXT) WHERE id = ?", GBK_PHONE, gbk)
    _write(demo, "UPDATE problems SET resource = CAST(? AS TEXT) WHERE id = ?", GBK_PLAIN, plain)
    for args in LISTINGS:
        table = _ok(cli, demo, *args)
        assert "139****5678" in table and "13912345678" not in table, args
        assert "\ufffd" in table, args
        for fmt in ("csv", "json"):
            out = _ok(cli, demo, *args, "-f", fmt)
            assert "139****5678" in out and "13912345678" not in out, (args, fmt)
            assert out.count("\ufffd") >= 2, (args, fmt)  # the description and the resource
    rows = json.loads(_ok(cli, demo, *LISTINGS[0], "-f", "json"))
    shown = next(r["description"] for r in rows if r["id"] == gbk)
    assert shown == GBK_PHONE.decode("utf-8", "replace").replace("13912345678", "139****5678")
    _ok(cli, demo, *LISTINGS[0], "-o", tmp_path / "list.xlsx")
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(tmp_path / "list.xlsx").active.iter_rows()
             for c in row]
    assert shown in cells


def test_text_not_utf8_without_digits_still_valid_utf8(demo, cli):
    """No digit in the page: it goes out as SQLite joined it, but never as bytes that are
    not UTF-8."""
    for pid in _open_ids(demo):
        _write(demo, "UPDATE problems SET description = CAST(? AS TEXT) WHERE id = ?",
               GBK_PLAIN, pid)
    for args in (LISTINGS[0], LISTINGS[2]):
        for fmt in ("csv", "json"):
            r = cli("--db", demo, *args, "-f", fmt)
            assert r.exit_code == 0, r.stderr
            out = r.stdout_bytes.decode()  # UnicodeDecodeError before
            assert GBK_PLAIN.decode("utf-8", "replace") in out.replace("\\ufffd", "\ufffd")


def test_web_masks_of_other_programs_descriptions_made_despite_one_bad_row(demo, cli):
    """remask masks every description another program wrote exactly, also when one of
    them is not UTF-8 (it is masked as it reads: U+FFFD for the bytes that are not)."""
    gbk, good = _open_ids(demo)[:2]
    _write(demo, "UPDATE problems SET description = CAST(? AS TEXT) WHERE id = ?", GBK_PHONE, gbk)
    _write(demo, "UPDATE problems SET description = '电话 13912345678' WHERE id = ?", good)
    _ok(cli, demo, "units", "list")  # any command masks what others wrote
    conn = sqlite3.connect(demo)
    conn.text_factory = bytes
    masks = dict(conn.execute("SELECT problem_id, description FROM masked_descriptions"
                              " WHERE problem_id IN (?, ?)", [gbk, good]))
    assert conn.execute("SELECT count(*) FROM masked_descriptions WHERE exact = 0"
                        ).fetchone()[0] == 0
    conn.close()
    assert masks[good].decode() == "电话 139****5678"  # exact: not every digit starred
    assert masks[gbk].decode() == GBK_PHONE.decode("utf-8", "replace").replace(
        "13912345678", "139****5678")


def test_mask_sql_value_never_raises(monkeypatch):
    from cdo import masking

    assert masking.mask_sql_value(GBK_PHONE) == GBK_PHONE.decode("utf-8", "replace").replace(
        "13912345678", "139****5678")

    def broken(text):
        raise RuntimeError("a bug")

    monkeypatch.setattr(masking, "mask_numbers", broken)
    assert masking.mask_sql_value("电话 139１2345678") == "电话 " + "*" * 11  # the rough mask


def test_blob_where_text_belongs_in_tables_files_and_notices(demo, cli, tmp_path):
    pid = _open_ids(demo)[0]
    _write(demo, "UPDATE problems SET description = CAST('BLOB描述 13912345678' AS BLOB),"
                 " resource = x'e8b584e6ba90' WHERE id = ?", pid)
    for args in LISTINGS:  # report overdue's table crashed, the others showed b'…'
        table = _ok(cli, demo, *args)
        assert "BLOB描述 139****5678" in table and "资源" in table, args
        assert "b'" not in table, args
    out = _ok(cli, demo, *LISTINGS[0], "-f", "json", "-o", tmp_path / "j.xlsx")  # crashed
    row = next(r for r in json.loads(out) if r["id"] == pid)
    assert row["description"] == "BLOB描述 139****5678" and row["resource"] == "资源"
    assert f"{pid},spotcheck,".encode() in _ok(cli, demo, *LISTINGS[0], "-f", "csv").encode()
    conn = sqlite3.connect(demo)
    unit, month = conn.execute("SELECT u.name, p.month FROM problems p JOIN units u"
                               " ON u.id = p.unit_id WHERE p.id = ?", [pid]).fetchone()
    conn.close()
    (tmp_path / "n").mkdir()
    _ok(cli, demo, "spotcheck", "notify", "--month", month, "--outdir", tmp_path / "n",
        "--unit", unit)
    from openpyxl import load_workbook

    for f in [tmp_path / "j.xlsx", *(tmp_path / "n").glob("*.xlsx")]:
        cells = [c.value for ws in load_workbook(f) for row in ws.iter_rows() for c in row]
        assert "BLOB描述 139****5678" in cells and "资源" in cells, f.name
        assert not any(isinstance(c, str) and ("b'" in c or "13912345678" in c) for c in cells)


def _gbk_run(db, *args):
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "CDO_DB": str(db)}
    env.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-m", "cdo", *map(str, args)], env=env,
                          capture_output=True, timeout=120)


@pytest.mark.parametrize("args", [[*LISTINGS[0], "-f", "csv"], [*LISTINGS[0], "-f", "json"],
                                  LISTINGS[0], LISTINGS[2], [*LISTINGS[2], "-f", "csv"]])
def test_gbk_stdout_writes_what_it_can_and_says_why(demo, args):
    """A character GBK cannot encode (an emoji) became "遇到无法识别的字节" and an empty
    listing: now the listing is written, the character as "?", and stderr says once why
    and what to do."""
    pid = _open_ids(demo)[0]
    _write(demo, "UPDATE problems SET description = '说明😀 13912345678' WHERE id = ?", pid)
    r = _gbk_run(demo, *args)
    err = r.stderr.decode("gbk")
    assert r.returncode == 0, err
    out = r.stdout.decode("gbk")
    assert "说明? 139****5678" in out
    assert "无法识别的字节" not in err and "Traceback" not in err
    assert err.count("cdo: ") == 1 and "GBK" in err and "U+1F600" in err and "UTF-8" in err


def test_unencodable_output_message_names_the_character():
    from cdo.cli import _undecodable_message

    e = UnicodeEncodeError("gbk", "说明😀", 2, 3, "illegal multibyte sequence")
    message = _undecodable_message(e)
    assert "U+1F600" in message and "GBK" in message and "无法识别的字节" not in message


def test_bytes_in_any_row_are_text_and_masked(tmp_path, capsys):
    """Rows of other tables (emit's paths): a BLOB in a free text is read as UTF-8 and its
    phone masked in the table, JSON, CSV and .xlsx, never written as b'…' nor unmasked."""
    from openpyxl import load_workbook

    from cdo.output import Column, emit

    rows = [{"id": 1, "note": "电话 13912345678".encode(), "name": b"\xc1\xaa"}]
    columns = [Column("id", "编号"), Column("note", "备注"), Column("name", "名称")]
    for fmt in ("table", "json", "csv"):
        emit(rows, columns, fmt, output=tmp_path / f"{fmt}.xlsx")
        out = capsys.readouterr().out
        assert "电话 139****5678" in out and "\ufffd" in out and "b'" not in out, fmt
    cells = [c.value for row in load_workbook(tmp_path / "csv.xlsx").active.iter_rows()
             for c in row]
    assert "电话 139****5678" in cells and "\ufffd\ufffd" in cells


def test_upgrading_a_file_holding_a_non_utf8_description(tmp_path, cli):
    """A file from before the web view's masked descriptions (m014) in which another
    program wrote a description in GBK: the upgrade masks it like any other (U+FFFD for
    the bytes, the phone masked) instead of failing to open the file."""
    from sqlite_utils import Database, Migrations

    from cdo.store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    part = Migrations("cdo")
    part._migrations = [m for m in migrations._migrations if m.name < "m014"]
    part.apply(old)
    old.execute("INSERT INTO units (name, category, created_at) VALUES ('渠县', 'region', 'x')")
    old.execute(
        "INSERT INTO problems (month, source, unit_id, resource, dimension, description,"
        " issued_on, due_on, original_due_on, created_at) VALUES ('2023-09', 'spotcheck', 1,"
        " '资源', 'accuracy', CAST(? AS TEXT), '2023-09-27', '2023-11-08', '2023-11-08', 'x')",
        ["电话 13912345678 ".encode("gbk")])
    old.conn.commit()
    old.close()
    r = cli("--db", path, "spotcheck", "list", "--as-of", "2023-12-29", "-f", "json")
    assert r.exit_code == 0, r.stderr
    import sqlite3

    masked = sqlite3.connect(path).execute(
        "SELECT CAST(description AS BLOB), exact FROM masked_descriptions").fetchone()
    assert masked[1] == 1 and b"13912345678" not in masked[0] and b"5678" in masked[0]
