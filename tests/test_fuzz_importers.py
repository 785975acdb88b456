"""Property tests of the problem-list and score importers on random CSV files: each file
is either imported whole, exactly as validated, or refused with a CdoError and the
database left as it was."""

import csv
import datetime as dt
import io
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdo import calendar as workcal
from cdo.errors import CdoError
from cdo.evaluation.points import import_points
from cdo.problems.importer import import_spotcheck
from cdo.roster.units import add_unit
from cdo.store.db import open_db

FEW = settings(max_examples=60, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
_files = itertools.count()

UNITS = st.sampled_from(["达州市教育局", "市教育局", "教育局", "达州市公安局", "不存在的局", "",
                         " 市公安局 ", "=1+1"])
DIMS = st.sampled_from(["准确性", "时效性", "完整性", "规范性", "accuracy", "Normativity",
                        "别的", "", "准确性问题"])
COUNTS = st.sampled_from(["", "12", "1,234", "12条", "-3", "abc", "1e30", "3.5", "0"])
TEXT = st.text(st.sampled_from("数据字段缺失 ab=+-@\t\"',;"), max_size=12)
ROW = st.tuples(UNITS, TEXT, DIMS, TEXT, COUNTS)


def _db(tmp_path):
    db = open_db(tmp_path / f"fuzz-{next(_files)}.db")
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_unit(db, "达州市公安局", "department", "市公安局")
    return db


def _csv(tmp_path, rows, encoding="utf-8"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = tmp_path / f"list-{next(_files)}.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    return path


def _count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@FEW
@given(rows=st.lists(ROW, max_size=6), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_problem_list_is_all_or_nothing(tmp_path, rows, encoding):
    db = _db(tmp_path)
    header = ["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量"]
    path = _csv(tmp_path, [header, *[[i + 1, *r] for i, r in enumerate(rows)]], encoding)
    before = (_count(db, "problems"), _count(db, "audit_log"))
    issued = dt.date(2023, 9, 27)
    try:
        result = import_spotcheck(db, path, month="2023-09", issued_on=issued)
    except CdoError as e:
        assert str(e)
        assert (_count(db, "problems"), _count(db, "audit_log")) == before
        return
    stored = list(db.query("SELECT due_on, provisional, status FROM problems"))
    assert len(stored) == result["problems"] > 0
    due = workcal.add_workdays(issued, 30).isoformat()
    assert all(r["due_on"] == due and r["status"] == "open" for r in stored)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


POINTS = st.sampled_from(["", "0", "5", "4.5", "5.01", "-1", "10", "abc", "3.333", " 2 "])


@FEW
@given(cells=st.lists(st.tuples(UNITS, POINTS, POINTS, POINTS), max_size=4))
def test_score_grid_is_all_or_nothing(tmp_path, cells):
    db = _db(tmp_path)
    path = _csv(tmp_path, [["单位", "1", "2", "4"], *[list(c) for c in cells]])
    before = (_count(db, "scores"), _count(db, "audit_log"))
    try:
        import_points(db, 2023, path)
    except CdoError as e:
        assert str(e)
        assert (_count(db, "scores"), _count(db, "audit_log")) == before
        return
    for item, points in db.execute("SELECT item, points FROM scores"):
        maximum = {1: 5, 2: 5, 4: 10}[item]
        assert 0 <= points <= maximum
