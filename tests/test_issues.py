"""Problems: deadlines, transitions, overdue, ever-overdue, calendar recompute."""

import datetime as dt

import pytest

from cdo.calendar import WorkCalendar, YearData, bundled_years
from cdo.errors import CdoError, InvalidInputError, RowErrors, StateError
from cdo.problems import model as problems
from cdo.roster.units import add_unit
from cdo.store import calendar_store

D = dt.date.fromisoformat


@pytest.fixture
def units(db):
    add_unit(db, "达州市公安局", "department", "市公安局")
    add_unit(db, "达州市民政局", "department", "市民政局")
    add_unit(db, "通川区", "region")
    return db


def add(db, issued="2023-09-27", unit="市公安局", source="spotcheck", **kw):
    kw.setdefault("reporter", "市民政局" if source == "user" else None)
    return problems.add_problem(db, unit=unit, resource="机动车登记信息", dimension="准确性",
                              description="车辆所有人与身份证号不对应", issued_on=D(issued),
                              source=source, **kw)


def status(db, pid):
    return problems.get_problems(db, [pid])[pid]


def audit_count(db):
    return db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


# ----------------------------------------------------------------------------- deadlines

@pytest.mark.parametrize("issued, source, due", [
    ("2023-09-27", "spotcheck", "2023-11-14"),  # across National Day with two 调休 Saturdays
    ("2023-09-27", "user", "2023-10-24"),
    ("2024-02-01", "user", "2024-02-27"),       # Spring Festival 2024, 2-4 and 2-18 worked
    ("2025-01-20", "user", "2025-02-14"),       # Spring Festival 2025, 1-26 and 2-8 worked
    ("2023-12-20", "spotcheck", "2024-02-01"),  # year end, New Year's Day off
    ("2023-09-30", "user", "2023-10-25"),       # issued on a day off: not counted either
])
def test_deadlines_on_the_official_calendar(units, issued, source, due):
    p = add(units, issued=issued, source=source)
    assert p["due_on"] == due
    assert p["provisional"] is False
    assert status(units, p["id"])["original_due_on"] == due


def test_deadline_into_a_year_without_data_is_provisional(units):
    p = add(units, issued="2026-12-01")
    assert p["due_on"] == "2027-01-13"
    assert p["provisional"] is True


def test_user_problem_needs_a_reporter_and_not_itself(units):
    with pytest.raises(InvalidInputError, match="--reporter"):
        add(units, source="user", reporter=None)
    with pytest.raises(InvalidInputError, match="同一个单位"):
        add(units, source="user", reporter="达州市公安局")
    p = add(units, source="user", reporter="某银行达州分行")  # not a registered unit
    assert p["reporter"] == "某银行达州分行"
    p = add(units, source="user", reporter="民政局")
    assert p["reporter"] == "达州市民政局" and p["source"] == "user"
    with pytest.raises(InvalidInputError, match="只用于"):
        add(units, reporter="市民政局")


@pytest.mark.parametrize("text, key", [
    ("准确性", "accuracy"), ("accuracy", "accuracy"), (" 时效性 ", "timeliness"),
    ("Completeness", "completeness"), ("规范性问题", "normativity"), ("完整", "completeness"),
    ("数据准确性", "accuracy"), ("准确性问题", "accuracy"), ("Accuracy", "accuracy"),
    ("数据不完整", "completeness"), ("更新不及时", "timeliness"), ("格式不规范", "normativity"),
])
def test_parse_dimension(text, key):
    assert problems.parse_dimension(text) == key


@pytest.mark.parametrize("value, n", [
    (None, None), ("", None), (12, 12), (12.0, 12), ("1,234", 1234), ("120条", 120),
    ("１２", 12), (0, 0), ("/", None), ("—", None), ("无", None), ("不详", None),
    ("1.2万", 12000), ("1.1万", 11000), ("12项", 12), (" 12 ", 12),
])
def test_parse_records(value, n):
    assert problems.parse_records(value) == n


@pytest.mark.parametrize("value", ["约100", -3, "2.5", 2.5, True, "nan", "inf", "1.23456万"])
def test_parse_records_refuses(value):
    with pytest.raises(InvalidInputError):
        problems.parse_records(value)


@pytest.mark.parametrize("value", ["1e30", 1e30, 10**30, "1e999999999", "1,000,000,001",
                                   1_000_000_001, float("inf"), "9" * 5000, "200000万"])
def test_parse_records_has_an_upper_bound(value):
    with pytest.raises(InvalidInputError, match="问题数据量过大") as e:
        problems.parse_records(value)
    assert len(str(e.value)) < 80
    assert problems.parse_records(1_000_000_000) == problems.MAX_RECORDS
    assert problems.parse_records("10万") == 100_000


def test_parse_ids():
    assert problems.parse_ids(["3", "5,6", "8-10", "#3"]) == [3, 5, 6, 8, 9, 10]
    with pytest.raises(InvalidInputError, match="问题编号"):
        problems.parse_ids(["abc"])


# ----------------------------------------------------------------------------- transitions

def test_full_path_open_rectified_closed(units):
    pid = add(units)["id"]
    (p,) = problems.transition(units, [pid], "done", D("2023-10-20"), note="已修正")
    assert (p["status"], p["rectified_on"]) == ("rectified", "2023-10-20")
    (p,) = problems.transition(units, [pid], "verify", D("2023-10-25"))
    assert (p["status"], p["closed_on"]) == ("closed", "2023-10-25")
    events = units.execute(
        "SELECT action, on_date, note FROM problem_events WHERE problem_id=? ORDER BY id", [pid]
    ).fetchall()
    assert events == [("done", "2023-10-20", "已修正"), ("verify", "2023-10-25", None)]
    assert status(units, pid)["first_late_on"] is None


def test_failed_verification_reopens_with_deadline_unchanged(units):
    pid = add(units)["id"]
    problems.transition(units, [pid], "done", D("2023-10-20"))
    (p,) = problems.transition(units, [pid], "reopen", D("2023-10-26"), note="仍有错误")
    assert p["status"] == "open"
    assert p["due_on"] == "2023-11-14"
    assert p["rectified_on"] is None
    problems.transition(units, [pid], "done", D("2023-11-01"))
    assert status(units, pid)["first_late_on"] is None  # all within the deadline


def test_negotiate_moves_deadline_and_keeps_original(units):
    pid = add(units)["id"]
    (p,) = problems.transition(units, [pid], "negotiate", D("2023-11-01"), until=D("2023-12-29"))
    assert (p["status"], p["due_on"], p["original_due_on"]) == (
        "negotiated", "2023-12-29", "2023-11-14")
    (p,) = problems.transition(units, [pid], "negotiate", D("2023-12-20"), until=D("2024-01-31"))
    assert p["due_on"] == "2024-01-31"
    (p,) = problems.transition(units, [pid], "done", D("2024-01-10"))
    assert p["status"] == "rectified"
    assert status(units, pid)["first_late_on"] is None


@pytest.mark.parametrize("setup, action, on, kw, message", [
    ([], "verify", "2023-10-20", {}, "须先登记整改完成"),
    ([], "reopen", "2023-10-20", {}, "不能退回重新整改"),
    ([("done", "2023-10-20")], "done", "2023-10-21", {}, "不能再登记整改完成"),
    ([("done", "2023-10-20")], "negotiate", "2023-10-21", {"until": "2023-12-01"}, "不能协商延期"),
    ([("done", "2023-10-20"), ("verify", "2023-10-21")], "reopen", "2023-10-22", {},
     "已销号"),
    ([("done", "2023-10-20"), ("verify", "2023-10-21")], "done", "2023-10-22", {}, "已销号"),
    ([], "done", "2023-09-26", {}, "早于问题下发日期"),
    ([("done", "2023-10-20")], "verify", "2023-10-19", {}, "早于整改完成日期"),
    ([], "negotiate", "2023-11-01", {}, "--until"),
    ([], "negotiate", "2023-11-01", {"until": "2023-10-30"}, "早于协商日期"),
])
def test_refused_transitions_change_nothing(units, setup, action, on, kw, message):
    pid = add(units)["id"]
    for a, d in setup:
        problems.transition(units, [pid], a, D(d))
    before, n = status(units, pid), audit_count(units)
    kw = {k: D(v) for k, v in kw.items()}
    with pytest.raises(RowErrors, match=message):
        problems.transition(units, [pid], action, D(on), **kw)
    assert status(units, pid) == before
    assert audit_count(units) == n


def test_id_list_is_all_or_nothing(units):
    a, b = add(units)["id"], add(units)["id"]
    problems.transition(units, [b], "done", D("2023-10-10"))
    n = audit_count(units)
    with pytest.raises(RowErrors) as e:
        problems.transition(units, [a, b, 999], "done", D("2023-10-20"))
    text = str(e.value)
    assert f"问题 #{b}" in text and "问题 #999：没有这个问题编号" in text
    assert f"问题 #{a}" not in text
    assert status(units, a)["status"] == "open"
    assert audit_count(units) == n
    assert units.execute("SELECT COUNT(*) FROM problem_events").fetchone()[0] == 1


def test_every_transition_is_audited(units):
    pid = add(units)["id"]
    problems.transition(units, [pid], "done", D("2023-10-20"), note="说明")
    row = units.execute(
        "SELECT action, problem_id, reason, before, after FROM audit_log"
        " WHERE entity='problem' ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == "done" and row[1] == pid and row[2] == "说明"
    assert '"open"' in row[3] and '"rectified"' in row[4]


# ----------------------------------------------------------------------------- overdue

@pytest.mark.parametrize("as_of, days", [
    ("2023-11-14", None),  # the deadline itself is still in time
    ("2023-11-15", 1),
    ("2023-11-18", 3),     # a Saturday: 15, 16, 17
    ("2023-11-20", 4),
])
def test_overdue_days_are_working_days(units, as_of, days):
    pid = add(units)["id"]
    (p,) = [r for r in problems.list_problems(units, as_of=D(as_of)) if r["id"] == pid]
    assert p["overdue_days"] == days


def test_overdue_days_skip_new_year(units):
    p = add(units, issued="2023-11-17")
    assert p["due_on"] == "2023-12-29"
    (r,) = problems.list_problems(units, as_of=D("2024-01-02"))
    assert r["overdue_days"] == 1


def test_ever_overdue_survives_reopening_and_negotiation(units):
    pid = add(units)["id"]
    problems.transition(units, [pid], "done", D("2023-11-10"))
    problems.transition(units, [pid], "reopen", D("2023-11-20"))  # after the deadline
    problems.transition(units, [pid], "negotiate", D("2023-11-21"), until=D("2023-12-29"))
    p = status(units, pid)
    assert p["first_late_on"] == "2023-11-15"  # the rejected rectification never counted
    assert p["status"] == "negotiated"
    assert not problems.is_overdue(p["status"], D(p["due_on"]), None, D("2023-12-01"))
    assert problems.is_ever_overdue(p["status"], D(p["due_on"]), None, D(p["first_late_on"]),
                                  D("2023-12-01"))


def test_late_rectification_marks_day_after_deadline(units):
    pid = add(units)["id"]
    problems.transition(units, [pid], "done", D("2023-11-20"))
    assert status(units, pid)["first_late_on"] == "2023-11-15"


def test_negotiating_after_the_breach_keeps_it_late(units):
    pid = add(units)["id"]
    problems.transition(units, [pid], "negotiate", D("2023-11-17"), until=D("2023-12-15"))
    problems.transition(units, [pid], "done", D("2023-12-01"))
    assert status(units, pid)["first_late_on"] == "2023-11-15"


def test_first_late_from_events_pure():
    f = problems.first_late_from_events
    due = D("2023-11-14")
    assert f(due, []) is None
    assert f(due, [("done", D("2023-11-14"), None)]) is None
    assert f(due, [("done", D("2023-11-15"), None)]) == D("2023-11-15")
    assert f(due, [("negotiate", D("2023-11-01"), D("2023-12-01")),
                   ("done", D("2023-11-30"), None)]) is None
    assert f(due, [("negotiate", D("2023-11-01"), D("2023-12-01")),
                   ("done", D("2023-12-04"), None)]) == D("2023-12-02")


# ----------------------------------------------------------------------------- due list, reminders

def test_due_within_lists_what_falls_due_soon(units):
    a = add(units)["id"]                        # due 2023-11-14
    b = add(units, issued="2023-10-20")["id"]   # due later
    c = add(units, issued="2023-09-01")["id"]   # already overdue on 11-08
    rows = problems.due_list(units, as_of=D("2023-11-08"), due_within=5)
    assert [r["id"] for r in rows] == [a]
    assert rows[0]["days_left"] == 4
    all_open = problems.due_list(units, as_of=D("2023-11-08"))
    assert {r["id"] for r in all_open} == {a, b, c}


def test_remind_records_against_open_problems(units):
    a = add(units)["id"]
    b = add(units)["id"]
    problems.transition(units, [b], "done", D("2023-10-10"))
    add(units, unit="通川区")
    (r,) = problems.remind(units, on=D("2023-11-08"), unit="市公安局", note="电话催办")
    assert r["problems"] == [a]
    rows = problems.due_list(units, as_of=D("2023-11-09"), unit="市公安局")
    assert rows[0]["reminded_on"] == "2023-11-08"
    with pytest.raises(RowErrors, match="无需催办"):
        problems.remind(units, on=D("2023-11-08"), ids=[b])
    with pytest.raises(RowErrors, match="不是"):
        problems.remind(units, on=D("2023-11-08"), unit="通川区", ids=[a])
    problems.transition(units, [a], "done", D("2023-11-09"))
    with pytest.raises(StateError, match="没有待整改"):
        problems.remind(units, on=D("2023-11-10"), unit="市公安局")


# ----------------------------------------------------------------------------- calendar changes

def _cal_with_2027(extra_off=("2027-01-04", "2027-01-05")):
    years = dict(bundled_years())
    days = {D(d): (True, "元旦") for d in ("2027-01-01", *extra_off)}
    years[2027] = YearData(2027, "loaded", "test notice", days)
    return WorkCalendar(years)


def test_provisional_deadlines_recomputed_when_the_year_is_loaded(units):
    plain = add(units, issued="2026-12-01")["id"]
    negotiated = add(units, issued="2026-12-01")["id"]
    problems.transition(units, [negotiated], "negotiate", D("2026-12-10"), until=D("2027-03-01"))
    untouched = add(units, issued="2026-10-09")["id"]  # ends inside 2026
    changes = problems.deadline_changes(units, _cal_with_2027())
    by_id = {c["id"]: c for c in changes}
    assert set(by_id) == {plain, negotiated}
    c = by_id[plain]
    assert (c["old_due"], c["new_due"], c["moved"]) == ("2027-01-13", "2027-01-15", 2)
    assert c["provisional"] is False and c["old_provisional"] is True
    assert c["unit"] == "达州市公安局" and c["issued_on"] == "2026-12-01"
    assert by_id[negotiated]["due_on"] == "2027-03-01"
    n = audit_count(units)
    assert problems.apply_deadline_changes(units, changes) == 2
    assert audit_count(units) == n + 2
    p = status(units, plain)
    assert (p["due_on"], p["original_due_on"], p["provisional"]) == (
        "2027-01-15", "2027-01-15", False)
    q = status(units, negotiated)
    assert (q["due_on"], q["original_due_on"]) == ("2027-03-01", "2027-01-15")
    assert status(units, untouched)["provisional"] is False
    assert problems.deadline_changes(units, _cal_with_2027()) == []


def test_official_year_that_moves_nothing_still_clears_provisional(units):
    pid = add(units, issued="2026-12-01")["id"]
    (c,) = problems.deadline_changes(units, _cal_with_2027(extra_off=()))
    assert c["old_due"] == c["new_due"] and c["moved"] == 0
    problems.apply_deadline_changes(units, [c])
    assert status(units, pid)["provisional"] is False


def test_local_day_off_moves_every_deadline_closed_ones_too(units):
    """One problem list never holds deadlines counted on two calendars: a closed problem's
    deadline moves too (and its late mark is judged again); a negotiated date stays."""
    open_ = add(units)["id"]
    closed = add(units)["id"]
    problems.transition(units, [closed], "done", D("2023-10-10"))
    problems.transition(units, [closed], "verify", D("2023-10-11"))
    late_closed = add(units)["id"]  # rectified on 11-15: late on the old deadline 11-14
    problems.transition(units, [late_closed], "done", D("2023-11-15"))
    problems.transition(units, [late_closed], "verify", D("2023-11-16"))
    assert status(units, late_closed)["first_late_on"] == "2023-11-15"
    negotiated = add(units)["id"]
    problems.transition(units, [negotiated], "negotiate", D("2023-11-01"), until=D("2023-12-29"))
    cal = WorkCalendar(local={D("2023-11-01"): (False, "停电闭馆")})
    changes = problems.deadline_changes(units, cal)
    assert [(c["id"], c["new_due"]) for c in changes] == [
        (open_, "2023-11-15"), (closed, "2023-11-15"), (late_closed, "2023-11-15"),
        (negotiated, "2023-11-15")]
    assert {c["id"]: c["status"] for c in changes}[closed] == "closed"
    problems.apply_deadline_changes(units, changes)
    for pid in (open_, closed, late_closed):
        p = status(units, pid)
        assert (p["due_on"], p["original_due_on"]) == ("2023-11-15", "2023-11-15")
    assert status(units, late_closed)["first_late_on"] is None  # in time on the new date
    q = status(units, negotiated)
    assert (q["due_on"], q["original_due_on"]) == ("2023-12-29", "2023-11-15")
    assert problems.deadline_changes(units, cal) == []
    # Taking the day off back moves them all back, and the late mark returns.
    problems.apply_deadline_changes(units, problems.deadline_changes(units, WorkCalendar()))
    assert {status(units, i)["original_due_on"] for i in (open_, closed, late_closed,
                                                          negotiated)} == {"2023-11-14"}
    assert status(units, late_closed)["first_late_on"] == "2023-11-15"


def test_recompute_revises_the_late_mark(units):
    pid = add(units, issued="2026-12-01")["id"]
    problems.transition(units, [pid], "done", D("2027-01-14"))  # late on the provisional date
    assert status(units, pid)["first_late_on"] == "2027-01-14"
    problems.apply_deadline_changes(units, problems.deadline_changes(units, _cal_with_2027()))
    assert status(units, pid)["first_late_on"] is None  # due 01-15 now: in time


def test_load_calendar_default_matches_bundled(units):
    cal = calendar_store.load_calendar(units)
    assert cal.add_workdays(D("2023-09-27"), 30) == D("2023-11-14")


def test_unknown_status_and_source_are_user_errors(units):
    with pytest.raises(CdoError, match="状态不认识"):
        problems.list_problems(units, as_of=D("2023-12-01"), status="done")
    with pytest.raises(CdoError, match="来源不认识"):
        problems.list_problems(units, as_of=D("2023-12-01"), source="phone")
    assert problems.parse_status("已销号") == "closed"


# ----------------------------------------------------------------------------- review fixes

def test_no_event_dated_before_the_latest_one(units):
    """done 12-06, reopened 12-10: a rectification dated 12-05 would be impossible history."""
    pid = add(units)["id"]
    problems.transition(units, [pid], "done", D("2023-12-06"))
    problems.transition(units, [pid], "reopen", D("2023-12-10"))
    n = audit_count(units)
    with pytest.raises(RowErrors) as e:
        problems.transition(units, [pid], "done", D("2023-12-05"))
    text = "\n".join(e.value.problems)
    assert "2023-12-05" in text and "核验未通过退回" in text and "2023-12-10" in text
    assert status(units, pid)["status"] == "open" and audit_count(units) == n
    with pytest.raises(RowErrors, match="核验未通过退回"):
        problems.transition(units, [pid], "negotiate", D("2023-12-09"), until=D("2024-01-31"))
    # The same day as the latest event is fine (rectified and verified on one day too).
    problems.transition(units, [pid], "done", D("2023-12-10"))
    problems.transition(units, [pid], "verify", D("2023-12-10"))
    assert status(units, pid)["status"] == "closed"


def test_negotiated_date_must_be_later_than_the_deadline(units):
    pid = add(units)["id"]  # due 2023-11-14
    for until in ("2023-11-14", "2023-11-01"):
        with pytest.raises(RowErrors) as e:
            problems.transition(units, [pid], "negotiate", D("2023-10-20"), until=D(until))
        assert "协商期限应晚于现在的整改期限 2023-11-14" in "\n".join(e.value.problems)
    problems.transition(units, [pid], "negotiate", D("2023-10-20"), until=D("2023-12-29"))
    with pytest.raises(RowErrors, match="协商期限应晚于现在的整改期限 2023-12-29"):
        problems.transition(units, [pid], "negotiate", D("2023-10-25"), until=D("2023-12-15"))
    assert status(units, pid)["due_on"] == "2023-12-29"


@pytest.mark.parametrize("text, message", [
    ("99999999999999999999", "问题编号过大：99999999999999999999"),
    ("0", "问题编号须为正整数：0"),
    ("-1", "问题编号须为正整数：-1"),
    ("3-99999999999999999999", "问题编号过大"),
])
def test_parse_ids_names_impossible_ids(text, message):
    with pytest.raises(InvalidInputError, match=message):
        problems.parse_ids([text])
    assert problems.parse_ids([str(2**63 - 1)]) == [2**63 - 1]


def test_list_as_of_leaves_out_problems_not_issued_yet(units):
    early = add(units)["id"]
    late = add(units, issued="2023-12-20")["id"]
    ids = lambda day: [p["id"] for p in problems.list_problems(units, as_of=D(day))]  # noqa: E731
    assert ids("2023-11-17") == [early]
    assert ids("2020-01-01") == []
    assert ids("2023-12-20") == [early, late]
    problems.transition(units, [late], "done", D("2023-12-22"))  # replayed rows too
    assert ids("2023-12-01") == [early]
    assert [p["id"] for p in problems.due_list(units, as_of=D("2023-11-17"))] == [early]


def test_ever_overdue_mark_as_of(units):
    late = add(units)["id"]
    problems.transition(units, [late], "done", D("2023-11-20"))  # late from 11-15
    ontime = add(units)["id"]
    problems.transition(units, [ontime], "done", D("2023-11-10"))
    marks = lambda day: {p["id"]: p["ever_overdue"]  # noqa: E731
                         for p in problems.list_problems(units, as_of=D(day))}
    assert marks("2023-12-01") == {late: True, ontime: False}
    assert marks("2023-11-14") == {late: False, ontime: False}
    assert marks("2023-11-16") == {late: True, ontime: False}  # open then, 2 days late
    assert "ever_overdue" not in problems.PROBLEM_KEYS


def test_chinese_sources_and_statuses():
    for word in ("用户", "反馈", "用户反馈", "使用单位反馈", "user"):
        assert problems.parse_source(word) == "user"
    for word in ("抽查", "月度抽查", "spotcheck"):
        assert problems.parse_source(word) == "spotcheck"
    for word, key in [("待整改", "open"), ("已整改", "rectified"), ("已销号", "closed"),
                      ("协商延期", "negotiated")]:
        assert problems.parse_status(word) == key


def test_description_over_2000_characters_is_refused(units):
    with pytest.raises(InvalidInputError, match="问题描述过长（2,001 字，最多 2,000 字）"):
        problems.add_problem(units, unit="市公安局", resource="r", dimension="准确性",
                           description="长" * 2001, issued_on=D("2023-09-27"))
    p = problems.add_problem(units, unit="市公安局", resource="r", dimension="准确性",
                           description="长" * 2000, issued_on=D("2023-09-27"))
    assert len(p["description"]) == 2000
    assert problems.clip_text("字" * 500).endswith("…") and len(problems.clip_text("字" * 500)) == 120
