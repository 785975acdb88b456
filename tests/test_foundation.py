import datetime as dt
import os
import stat

import pytest

from cdo.dates import IsoDates, from_iso, parse_date, parse_month
from cdo.errors import CdoError
from cdo.store.db import open_db, transaction


@pytest.mark.parametrize("text", ["2023-09-27", "2023/9/27", "2023.9.27", "2023年9月27日",
                                  " 2023-9-27 ", "20230927", "2023年09月27日"])
def test_date_spellings(text):
    assert parse_date(text) == dt.date(2023, 9, 27)


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13-01", "abc", "", "2023-09", "27/09/2023"])
def test_bad_dates_are_user_errors(text):
    with pytest.raises(CdoError):
        parse_date(text)


def test_months():
    assert parse_month("2023-9") == "2023-09"
    assert parse_month("2023年9月") == "2023-09"
    assert parse_month("202309") == "2023-09"
    with pytest.raises(CdoError):
        parse_month("2023-13")


def test_iso_dates_read_each_text_once_as_from_iso():
    dates = IsoDates()
    texts = ["2023-09-27", "2023-09-27T10:00:00+08:00", "", None, "2023-02-30", "abc",
             "2023-09-27"]
    assert [dates[t] for t in texts] == [from_iso(t) for t in texts]
    assert dates["2023-09-27"] is dates["2023-09-27"] and len(dates) == 6


EXPECTED_TABLES = {
    "units", "audit_log", "calendar_years", "calendar_days", "calendar_local", "cdos",
    "specialists", "meetings", "attendance", "duty_reports", "spotchecks", "problems",
    "problem_events", "reminders", "reminder_problems", "scores", "score_years",
}


def test_blank_database_migrates_to_expected_schema(db):
    assert EXPECTED_TABLES <= set(db.table_names())
    applied = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied[:4] == ["m001_core", "m002_roster", "m003_problems", "m004_scoring"]


def test_file_database_is_owner_only_wal_and_reopens(tmp_path):
    path = tmp_path / "x.db"
    db = open_db(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db.execute("INSERT INTO units (name, category, created_at) VALUES ('a', 'region', 'x')")
    db.conn.close()
    again = open_db(path)  # migrations are not re-run and records are kept
    assert again.execute("SELECT count(*) FROM units").fetchone()[0] == 1


def test_transaction_rolls_back_everything_on_error(db):
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO units (name, category, created_at) VALUES ('a', 'region', 'x')")
        with transaction(db):
            db.execute("INSERT INTO units (name, category, created_at) VALUES ('b', 'region', 'x')")
        raise RuntimeError
    assert db.execute("SELECT count(*) FROM units").fetchone()[0] == 0


def test_not_a_database_is_a_user_error(cli, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    r = cli("--db", bad, "units", "list")
    assert r.exit_code == 1
    assert r.stderr.startswith("cdo: ") and "Traceback" not in r.stderr


def test_db_option_env_and_default(cli, tmp_path, monkeypatch):
    assert cli("--db", tmp_path / "a.db", "units", "add", "甲", "-c", "region").exit_code == 0
    assert (tmp_path / "a.db").exists()
    monkeypatch.setenv("CDO_DB", str(tmp_path / "b.db"))
    assert cli("units", "add", "乙", "-c", "region").exit_code == 0
    assert (tmp_path / "b.db").exists()
    monkeypatch.delenv("CDO_DB")
    assert cli("units", "add", "丙", "-c", "region").exit_code == 0
    assert (tmp_path / "cdo.db").exists()


def test_every_change_is_audited(cli):
    cli("units", "add", "达州市教育局", "-c", "department")
    db = open_db(os.environ["CDO_DB"])
    row = next(db.query("SELECT * FROM audit_log"))
    assert row["entity"] == "unit" and row["action"] == "add"
    assert row["command"] == "cdo units add 达州市教育局 -c department" and row["os_user"]
    assert '"达州市教育局"' in row["after"] and row["before"] is None


def test_database_that_cannot_be_created_is_a_user_error(cli):
    r = cli("--db", "/proc/cdo-test.db", "units", "list")
    assert r.exit_code == 1
    assert r.stderr.startswith("cdo: 无法创建数据库文件") and "Traceback" not in r.stderr


def test_read_only_calendar_commands_create_no_database(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CDO_DB")
    r = cli("calendar", "deadline", "2023-09-27", "30")
    assert r.exit_code == 0 and "2023-11-14" in r.stdout
    assert cli("calendar", "years").exit_code == 0
    assert not (tmp_path / "cdo.db").exists()
