"""Past-date views name the CDO in office that day, or none: never someone recommended
only later, nor one who had already left."""

import datetime as dt

import pytest

from cdo.problems.reports import overdue_rows, rectification_by_unit
from cdo.roster.units import add_unit
from cdo.sheets.forms import build_form
from cdo.store.db import open_db


def _form(path, name, form_date):
    build_form({
        "name": name, "gender": "女", "ethnicity": "汉族", "birth_month": "1978.06",
        "native_place": "四川达川", "political_status": "中共党员", "education": "大学本科",
        "phone": "13908181234", "position": "通川区人民政府副区长", "resume": "简历",
        "skills": "无", "work_plan": "计划", "recommendation": "同意推荐。",
        "form_date": form_date,
    }).save(path)
    return path


@pytest.fixture
def history(cli, db_path, tmp_path):
    """通川区: 李梅 recommended 2023-05-20, left 2023-08-15; 张伟 recommended 2023-09-18.
    One problem issued 2023-07-03, due 2023-08-14, never rectified."""
    db = open_db(db_path)
    add_unit(db, "通川区", "region", "通川区")
    db.conn.close()
    r = cli("register", "import", _form(tmp_path / "李梅.xlsx", "李梅", dt.date(2023, 5, 20)),
            "--received", "2023-05-22")
    assert r.exit_code == 0, r.stderr
    assert cli("register", "end", "通川区", "--on", "2023-08-15").exit_code == 0
    r = cli("register", "import", _form(tmp_path / "张伟.xlsx", "张伟", dt.date(2023, 9, 18)),
            "--received", "2023-09-19")
    assert r.exit_code == 0, r.stderr
    r = cli("spotcheck", "add", "--unit", "通川区", "--resource", "户籍数据", "--dimension",
            "完整性", "--description", "缺少住址", "--records", "4", "--issued-on", "2023-07-03")
    assert r.exit_code == 0, r.stderr
    return db_path


@pytest.mark.parametrize("day, cdo", [
    ("2023-08-20", None),  # 李梅 left on 08-15; 张伟 was recommended on 09-18
    ("2023-09-07", None),
    ("2023-09-17", None),
    ("2023-09-18", "张伟"),
    ("2023-10-09", "张伟"),
])
def test_overdue_as_of_names_the_cdo_of_that_day(history, day, cdo):
    db = open_db(history)
    rows = overdue_rows(db, dt.date.fromisoformat(day))
    assert [r["cdo"] for r in rows] == [cdo]


def test_cdo_of_that_day_before_leaving(history):
    db = open_db(history)
    (row,) = rectification_by_unit(db, as_of=dt.date(2023, 8, 14), year=2023)
    assert row["cdo"] == "李梅"
    (row,) = rectification_by_unit(db, as_of=dt.date(2023, 9, 7), year=2023)
    assert row["cdo"] is None
    (row,) = rectification_by_unit(db, as_of=dt.date(2023, 12, 31), year=2023)
    assert row["cdo"] == "张伟"


def test_overdue_table_on_a_day_without_cdo(cli, history):
    r = cli("report", "overdue", "--as-of", "2023-09-07")
    assert r.exit_code == 0, r.stderr
    assert "张伟" not in r.stdout and "李梅" not in r.stdout
    assert "（未登记）" in r.stdout
    r = cli("report", "overdue", "--as-of", "2023-08-15")
    assert "李梅" not in r.stdout  # her term ended that day
    r = cli("report", "overdue", "--as-of", "2023-08-14", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    r = cli("report", "monthly", "--month", "2023-07", "--as-of", "2023-09-07")
    assert r.exit_code == 0, r.stderr
    assert "张伟" not in r.stdout and "李梅" not in r.stdout
