"""The evaluation in the database (cdo.evaluation): points, audit, freezing, evidence."""

import datetime as dt
import json

import pytest

from cdo import scoring
from cdo.errors import InvalidInputError, StateError
from cdo.evaluation import points as evaluation
from cdo.roster.units import add_unit
from cdo.store.db import transaction

D = dt.date
AS_OF = D(2024, 1, 15)


@pytest.fixture
def units(db):
    return [add_unit(db, "达州市大数据中心", "department", "大数据中心"),
            add_unit(db, "达州市通川区", "region", "通川区"),
            add_unit(db, "达州市中心医院", "institution")]


def fill(db, unit_name, value=None, skip=()):
    """Enter every item of the unit (at its max, or `value` capped at the max)."""
    for item in scoring.load_table().items:
        if item.no in skip:
            continue
        pts = item.max if value is None else min(value, item.max)
        evaluation.set_point(db, 2023, unit_name, item.no, pts)


def audit_rows(db, entity="score"):
    return [dict(zip(("action", "before", "after", "reason", "entity_id"), r, strict=True))
            for r in db.execute("SELECT action, before, after, reason, entity_id FROM audit_log"
                                " WHERE entity = ? ORDER BY id", [entity])]


def test_set_and_change_needs_a_reason_kept_in_the_log(db, units):
    msg = evaluation.set_point(db, 2023, "大数据中心", 1, 4.5, note="出席两次")
    assert msg == "达州市大数据中心 2023 年度第1项：4.5 分（满分 5 分）"
    with pytest.raises(StateError, match="已有 4.5 分，改为 5 分须用 --reason"):
        evaluation.set_point(db, 2023, "大数据中心", 1, 5)
    assert "没有变化" in evaluation.set_point(db, 2023, "大数据中心", 1, 4.5)
    evaluation.set_point(db, 2023, "大数据中心", 1, 5, reason="补交签到表")
    assert evaluation.unit_points(db, 2023, units[0].id) == {1: (5.0, "出席两次")}
    log = audit_rows(db)
    assert [r["action"] for r in log] == ["set", "change"]
    assert log[1]["reason"] == "补交签到表"
    assert json.loads(log[1]["before"])["points"] == 4.5
    assert json.loads(log[1]["after"])["points"] == 5


def test_refusals_write_nothing(db, units):
    for item, pts, pattern in [(4, 10.5, "第4项最多 10 分"), (17, -1, "第17项不能为负分"),
                               (3, 1, "没有第3项"), (14, 1, "没有第14项")]:
        with pytest.raises(InvalidInputError, match=pattern):
            evaluation.set_point(db, 2023, "大数据中心", item, pts)
    assert db.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 0
    assert audit_rows(db) == []


def test_ranking_rows_ties_and_incomplete(db, units):
    fill(db, "大数据中心", 4)
    fill(db, "通川区", 4)
    fill(db, "中心医院", skip=(17,))
    rows = evaluation.ranking_rows(db, 2023)
    assert [(r["unit"], r["rank"], r["total"], r["complete"]) for r in rows] == [
        ("达州市大数据中心", 1, 60, True), ("达州市通川区", 1, 60, True),
        ("达州市中心医院", None, 90, False)]
    dept = evaluation.ranking_rows(db, 2023, "department")
    assert [(r["unit"], r["rank"]) for r in dept] == [("达州市大数据中心", 1)]


def test_fingerprint_changes_with_a_point_and_only_then(db, units):
    fill(db, "大数据中心", 4)
    fp0 = evaluation.compute_fingerprint(db, 2023)
    # a note, another year, or an unchanged re-entry leave it alone
    evaluation.set_point(db, 2023, "大数据中心", 1, 4, note="新的说明")
    evaluation.set_point(db, 2024, "大数据中心", 1, 3)
    evaluation.set_point(db, 2023, "大数据中心", 2, 4)
    assert evaluation.compute_fingerprint(db, 2023) == fp0
    evaluation.set_point(db, 2023, "大数据中心", 2, 4.5, reason="复核")
    fp1 = evaluation.compute_fingerprint(db, 2023)
    assert fp1 != fp0
    evaluation.set_point(db, 2023, "大数据中心", 2, 4, reason="改回")
    assert evaluation.compute_fingerprint(db, 2023) == fp0
    evaluation.set_point(db, 2023, "通川区", 1, 0)  # a new point counts too
    assert evaluation.compute_fingerprint(db, 2023) != fp0


def test_finalize_freezes_and_reopen_is_logged(db, units):
    fill(db, "大数据中心", 4)
    fill(db, "通川区")
    with pytest.raises(StateError, match="未评完：达州市中心医院"):
        evaluation.finalize(db, 2023)
    fill(db, "中心医院", 3)
    r = evaluation.finalize(db, 2023)
    assert r["fingerprint"] == evaluation.compute_fingerprint(db, 2023)
    assert evaluation.year_state(db, 2023)["fingerprint"] == r["fingerprint"]
    with pytest.raises(StateError, match="已于 .* 定稿"):
        evaluation.set_point(db, 2023, "大数据中心", 1, 5, reason="x")
    with pytest.raises(StateError, match="已于"):
        evaluation.finalize(db, 2023)
    # other years stay open
    evaluation.set_point(db, 2024, "大数据中心", 1, 5)
    with pytest.raises(InvalidInputError, match="--reason"):
        evaluation.reopen(db, 2023, "  ")
    evaluation.reopen(db, 2023, "第三方评估结果更正")
    assert evaluation.year_state(db, 2023) is None
    log = audit_rows(db, "score_year")
    assert [x["action"] for x in log] == ["finalize", "reopen"]
    assert log[1]["reason"] == "第三方评估结果更正"
    evaluation.set_point(db, 2023, "大数据中心", 1, 5, reason="更正")
    with pytest.raises(StateError, match="没有定稿"):
        evaluation.reopen(db, 2023, "再来")


def test_finalize_refuses_an_empty_year_and_can_allow_incomplete(db, units):
    with pytest.raises(StateError, match="还没有录入任何评分"):
        evaluation.finalize(db, 2023)
    fill(db, "大数据中心")
    r = evaluation.finalize(db, 2023, allow_incomplete=True)
    assert r["incomplete"] == 2


# ----------------------------------------------------------------------------- evidence

def _meeting(db, held_on, kind, title, attendance):
    cur = db.execute("INSERT INTO meetings (kind, held_on, title, created_at) VALUES (?,?,?,?)",
                     [kind, held_on, title, "2023-01-01"])
    for unit_id, status in attendance.items():
        db.execute("INSERT INTO attendance (meeting_id, unit_id, status) VALUES (?,?,?)",
                   [cur.lastrowid, unit_id, status])


def _report(db, unit_id, year, kind, received_on):
    db.execute("INSERT INTO duty_reports (unit_id, year, kind, received_on) VALUES (?,?,?,?)",
               [unit_id, year, kind, received_on])


def _problem(db, unit_id, issued, due, status="open", rectified=None, late=None):
    db.execute(
        "INSERT INTO problems (source, month, unit_id, resource, dimension, description, issued_on,"
        " due_on, original_due_on, status, rectified_on, first_late_on, created_at)"
        " VALUES ('spotcheck', ?, ?, '资源', 'accuracy', '描述', ?, ?, ?, ?, ?, ?, '2023-01-01')",
        [issued[:7], unit_id, issued, due, due, status, rectified, late],
    )


@pytest.fixture
def records(db, units):
    """Hand-made records for 2023; the expected points are worked out in the test."""
    big, tc, hosp = (u.id for u in units)
    with transaction(db):
        _meeting(db, "2023-06-15", "meeting", "上半年首席数据官工作会议",
                 {big: "present", tc: "deputy", hosp: "absent"})
        _meeting(db, "2023-09-20", "training", "数据安全培训", {big: "present", tc: "excused"})
        _meeting(db, "2023-12-20", "meeting", "下半年首席数据官工作会议",
                 {big: "deputy", tc: "present"})
        _meeting(db, "2022-12-20", "meeting", "去年的会", {hosp: "present"})  # other year
        _report(db, big, 2023, "plan", "2023-05-20")
        _report(db, big, 2023, "summary", "2023-12-28")
        _report(db, tc, 2023, "plan", "2023-06-10")    # late
        _report(db, tc, 2023, "summary", "2024-01-05")  # late
        # 大数据中心: 1 on time, 1 rectified late, 1 open past due, 1 still in time
        _problem(db, big, "2023-09-27", "2023-11-14", "closed", "2023-11-10")
        _problem(db, big, "2023-09-27", "2023-11-14", "rectified", "2023-11-20", "2023-11-15")
        _problem(db, big, "2023-10-27", "2023-12-08", "open", None, "2023-12-09")
        _problem(db, big, "2023-12-28", "2024-02-19", "open")
        # 通川区: fixed on time once, then late after reopening — counts late
        _problem(db, tc, "2023-09-27", "2023-11-14", "rectified", "2023-11-30", "2023-11-15")
        # a problem of 2022 does not count for 2023
        _problem(db, hosp, "2022-09-27", "2022-11-10", "open", None, "2022-11-11")
    return units


def _by_unit_item(rows):
    return {(r["unit"], r["item"]): r for r in rows}


def test_suggestions_match_hand_computed_records(db, records):
    rows = _by_unit_item(evaluation.suggestion_rows(db, 2023, AS_OF))
    # item 1: 大数据中心 present, present, deputy → 5 × 2.5/3 = 4.17 → 4.2
    assert rows[("达州市大数据中心", 1)]["suggested"] == 4.2
    # 通川区 deputy, excused, present → 5 × 1.75/3 = 2.92 → 2.9
    assert rows[("达州市通川区", 1)]["suggested"] == 2.9
    # 中心医院 absent, (no record), (no record) → 0
    assert rows[("达州市中心医院", 1)]["suggested"] == 0
    assert "无出勤记录（按缺席计）" in "".join(rows[("达州市中心医院", 1)]["records"])
    # item 2
    assert rows[("达州市大数据中心", 2)]["suggested"] == 5
    assert rows[("达州市通川区", 2)]["suggested"] == 2.5  # 1.25 + 1.25
    assert rows[("达州市中心医院", 2)]["suggested"] == 0
    # item 11: 大数据中心 decided = 1 on time + 1 late + 1 overdue; pending one left out
    r = rows[("达州市大数据中心", 11)]
    assert r["suggested"] == 1.7  # 5 × 1/3
    assert r["basis"] == "问题4个：按期整改1、逾期整改1、逾期未改1、未到期1"
    assert rows[("达州市通川区", 11)]["suggested"] == 0
    assert rows[("达州市中心医院", 11)]["suggested"] == 5  # no 2023 problems: full marks
    assert all(r["entered"] is None for r in rows.values())


def test_records_shown_cuts_only_the_problem_records(db, records):
    """The annual workbook shows 30 records a row and asks for no more (records_shown):
    item 11's problem records are the first ones of the full list; the rest is the same."""
    full = evaluation.suggestion_rows(db, 2023, AS_OF)
    cut = evaluation.suggestion_rows(db, 2023, AS_OF, records_shown=2)
    assert len(full) == len(cut)
    assert any(len(r["records"]) > 2 for r in full if r["item"] == 11)
    for f, c in zip(full, cut, strict=True):
        want = dict(f, records=f["records"][:2]) if f["item"] == 11 else f
        assert c == want


def test_suggestions_respect_as_of(db, records):
    # on 2023-11-16 the late-rectified problem was still open and overdue, the open one
    # of October was not yet due, and December's did not exist
    rows = _by_unit_item(evaluation.suggestion_rows(db, 2023, D(2023, 11, 16), "大数据中心"))
    r = rows[("达州市大数据中心", 11)]
    assert r["basis"] == "问题3个：按期整改1、逾期整改0、逾期未改1、未到期1"
    assert r["suggested"] == 2.5


def test_apply_fills_only_unscored_items(db, records):
    evaluation.set_point(db, 2023, "大数据中心", 1, 3, note="办公室评")
    rows = evaluation.suggestion_rows(db, 2023, AS_OF, "大数据中心")
    assert _by_unit_item(rows)[("达州市大数据中心", 1)]["entered"] == 3
    assert evaluation.apply_suggestions(db, 2023, rows) == 2
    pts = evaluation.unit_points(db, 2023, records[0].id)
    assert pts[1] == (3.0, "办公室评")  # never overwritten
    assert pts[2][0] == 5 and pts[11][0] == 1.7
    assert pts[11][1].startswith("按记录建议：问题4个")
    assert evaluation.apply_suggestions(db, 2023, rows) == 0
    actions = [r["action"] for r in audit_rows(db)]
    assert actions.count("apply-suggestion") == 2


def test_demo_step_makes_ties_and_incomplete_units(db):
    for i in range(10):
        add_unit(db, f"达州市测试单位{i}", "department")
    with transaction(db):
        line = evaluation.load_demo(db)
    assert "3 个单位未评完" in line and "1 组并列" in line
    rows = evaluation.ranking_rows(db, 2023)
    assert sum(1 for r in rows if not r["complete"]) == 3
    ranks = [r["rank"] for r in rows if r["rank"] is not None]
    assert len(ranks) != len(set(ranks))


def test_suggestions_use_only_records_on_or_before_as_of(db, records):
    # On 2023-07-01 only the June meeting had been held, only 大数据中心's plan received
    # (2023-05-20); 通川区's plan came on 2023-06-10 (counted), no summary yet.
    rows = _by_unit_item(evaluation.suggestion_rows(db, 2023, D(2023, 7, 1)))
    r = rows[("达州市大数据中心", 1)]
    assert r["suggested"] == 5 and r["basis"] == "会议1次、培训0次：出席1"
    assert len(r["records"]) == 1
    assert rows[("达州市通川区", 1)]["suggested"] == 2.5  # deputy at the one meeting
    r = rows[("达州市大数据中心", 2)]
    assert r["basis"] == "工作计划按时，工作总结未收到"
    assert r["suggested"] == 2.5
    # before 通川区's plan arrived: nothing received yet
    rows = _by_unit_item(evaluation.suggestion_rows(db, 2023, D(2023, 6, 1), "通川区"))
    assert rows[("达州市通川区", 2)]["basis"] == "工作计划未收到，工作总结未收到"


def _problem_in_month(db, unit_id, month, issued, due, source="spotcheck"):
    db.execute(
        "INSERT INTO problems (source, month, unit_id, resource, dimension, description,"
        " issued_on, due_on, original_due_on, status, created_at)"
        " VALUES (?, ?, ?, '资源', 'accuracy', '描述', ?, ?, ?, 'open', '2023-01-01')",
        [source, month, unit_id, issued, due, due],
    )


def test_item_11_counts_a_problem_in_the_year_of_its_check_month(db, units):
    big = units[0].id
    with transaction(db):
        # checked in December 2024, issued 6 January 2025: a 2024 problem
        _problem_in_month(db, big, "2024-12", "2025-01-06", "2025-02-21")
        # a user report recorded for 2025-01: a 2025 problem
        _problem_in_month(db, big, "2025-01", "2025-01-08", "2025-01-23", source="user")
    as_of = D(2025, 6, 30)
    r24 = _by_unit_item(evaluation.suggestion_rows(db, 2024, as_of, "大数据中心"))
    r25 = _by_unit_item(evaluation.suggestion_rows(db, 2025, as_of, "大数据中心"))
    assert r24[("达州市大数据中心", 11)]["basis"].startswith("问题1个")
    assert r25[("达州市大数据中心", 11)]["basis"].startswith("问题1个")
    assert "2025-01-23" in "".join(r25[("达州市大数据中心", 11)]["records"])
    # before it was issued, the December check's problem does not count yet
    early = _by_unit_item(evaluation.suggestion_rows(db, 2024, D(2024, 12, 31), "大数据中心"))
    assert "没有下发" in early[("达州市大数据中心", 11)]["basis"]
