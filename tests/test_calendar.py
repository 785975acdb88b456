"""Working-day arithmetic: dated cases, properties (hypothesis), provisional years, local
adjustments, the Civil Code month, and the database side (loaded years, adjustments)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdo import calendar as workcal
from cdo.calendar import WorkCalendar, parse_year_doc
from cdo.errors import CdoError, InvalidInputError, NotFoundError
from cdo.store import calendar_store

D = dt.date
CAL = workcal.default()

starts = st.dates(min_value=D(2004, 1, 1), max_value=D(2029, 12, 31))
counts = st.integers(min_value=1, max_value=400)


def naive_add(cal: WorkCalendar, start: dt.date, n: int) -> dt.date:
    """The rule read literally: walk day by day, count working days."""
    d = start
    while n:
        d += dt.timedelta(days=1)
        n -= cal.is_workday(d)
    return d


# -- dated cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("start, n, due", [
    (D(2023, 9, 27), 30, D(2023, 11, 14)),   # PRODUCT.md's worked example
    (D(2023, 9, 27), 15, D(2023, 10, 24)),
    (D(2023, 9, 27), 1, D(2023, 9, 28)),
    (D(2023, 9, 27), 2, D(2023, 10, 7)),     # Saturday, adjusted working day
    (D(2023, 9, 30), 1, D(2023, 10, 7)),     # start on a day off: still not counted
    (D(2023, 10, 7), 1, D(2023, 10, 8)),     # start on an adjusted working day
    (D(2024, 2, 8), 1, D(2024, 2, 9)),       # eve 2月9日 is worked (encouraged off only)
    (D(2024, 2, 8), 2, D(2024, 2, 18)),      # then 10日–17日 off, Sunday 18日 worked
    (D(2005, 12, 30), 1, D(2005, 12, 31)),   # DECISIONS.md: worked Saturday
    (D(2022, 12, 30), 1, D(2023, 1, 3)),     # 2023 notice reaching into 2022
    (D(2020, 1, 23), 1, D(2020, 2, 3)),      # 2020 extension: 2月1日 no longer worked
])
def test_deadlines(start, n, due):
    assert workcal.add_workdays(start, n) == due
    assert CAL.deadline(start, n) == workcal.Deadline(due, False)


def test_module_functions_use_the_bundled_calendar():
    assert workcal.is_workday(D(2023, 10, 7)) is True
    assert workcal.is_workday(D(2023, 10, 2)) is False
    assert workcal.workdays_between(D(2023, 9, 27), D(2023, 11, 14)) == 30
    assert workcal.workdays_between(D(2023, 11, 14), D(2023, 9, 27)) == -30


@pytest.mark.parametrize("n", [0, -1, -30])
def test_n_below_one_is_an_error(n):
    with pytest.raises(InvalidInputError, match="正整数"):
        workcal.add_workdays(D(2023, 9, 27), n)


@pytest.mark.parametrize("n", [1.5, "3", None])
def test_n_not_an_integer_is_an_error(n):
    with pytest.raises(CdoError):
        workcal.add_workdays(D(2023, 9, 27), n)


def test_out_of_range_dates_are_user_errors():
    with pytest.raises(InvalidInputError, match="范围"):
        workcal.add_workdays(D(1, 1, 1), 3)
    with pytest.raises(InvalidInputError, match="范围"):
        WorkCalendar().is_workday(D(9999, 1, 1))


def test_far_future_and_past_rebuild_on_demand():
    cal = WorkCalendar()
    assert cal.add_workdays(D(2100, 1, 1), 1) == D(2100, 1, 4)   # Friday 1 January is 元旦
    assert cal.is_workday(D(1950, 6, 1)) is True


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(starts, counts)
def test_due_is_a_working_day_counted_exactly(start, n):
    due = CAL.add_workdays(start, n)
    assert CAL.is_workday(due)
    assert due > start
    assert CAL.workdays_between(start, due) == n
    assert CAL.workdays_between(start, due - dt.timedelta(days=1)) == n - 1


@settings(max_examples=300, deadline=None)
@given(starts, st.integers(min_value=1, max_value=120))
def test_agrees_with_walking_day_by_day(start, n):
    assert CAL.add_workdays(start, n) == naive_add(CAL, start, n)


@settings(max_examples=200, deadline=None)
@given(starts, counts, counts)
def test_deadlines_never_move_backwards(start, a, b):
    a, b = sorted((a, b))
    assert CAL.add_workdays(start, a) <= CAL.add_workdays(start, b)
    if a < b:
        assert CAL.add_workdays(start, a) < CAL.add_workdays(start, b)


@settings(max_examples=200, deadline=None)
@given(starts, starts)
def test_later_start_never_gives_an_earlier_deadline(s1, s2):
    s1, s2 = sorted((s1, s2))
    assert CAL.add_workdays(s1, 30) <= CAL.add_workdays(s2, 30)


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_forward_then_count_back(start, n):
    """From a working day, N working days forward then N back returns to the start."""
    if not CAL.is_workday(start):
        start = CAL.add_workdays(start, 1)
    due = CAL.add_workdays(start, n)
    assert CAL.workdays_between(start, due) == n
    assert CAL.workdays_between(due, start) == -n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-3000, max_value=3000), st.integers(min_value=0, max_value=800))
def test_workdays_between_is_additive(offset, gap):
    a = D(2015, 6, 1) + dt.timedelta(days=offset)
    b = a + dt.timedelta(days=gap)
    m = a + dt.timedelta(days=gap // 2)
    assert CAL.workdays_between(a, b) == CAL.workdays_between(a, m) + CAL.workdays_between(m, b)


# -- provisional years ---------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=D(2027, 1, 1), max_value=D(2035, 12, 31)), counts)
def test_provisional_years_are_marked(start, n):
    dl = CAL.deadline(start, n)
    assert dl.provisional is True
    assert CAL.is_workday(dl.due)
    assert CAL.day(dl.due).provisional is True


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 10, 1)), st.integers(1, 30))
def test_official_spans_are_not_provisional(start, n):
    dl = CAL.deadline(start, n)
    assert dl.provisional is (dl.due > D(2026, 12, 24))


def test_provisional_year_rules():
    assert CAL.year_status(2027) == "provisional"
    assert CAL.year_status(2026) == "official"
    assert not CAL.is_workday(D(2027, 1, 1))
    # 劳动节 two days, Saturday and Sunday, made up on Monday and Tuesday (第六条)
    assert [CAL.is_workday(D(2027, 5, d)) for d in range(1, 6)] == [False] * 4 + [True]
    # 国庆节 Friday to Sunday: Saturday and Sunday made up on Monday and Tuesday
    assert [CAL.is_workday(D(2027, 10, d)) for d in range(1, 7)] == [False] * 5 + [True]
    assert CAL.day(D(2027, 10, 4)).name == "国庆节（暂定补假）"
    assert CAL.is_workday(D(2027, 2, 8))  # lunar festivals are not guessed
    # the last week of December depends on next year's notice
    assert CAL.deadline(D(2026, 12, 20), 2) == workcal.Deadline(D(2026, 12, 22), False)
    assert CAL.deadline(D(2026, 12, 20), 5).provisional is True
    day = CAL.day(D(2027, 10, 1))
    assert day.kind == "holiday" and day.name == "国庆节（暂定）" and day.provisional


def test_loading_a_year_makes_it_official():
    doc = {"year": 2027, "source": "测试通知", "days": [
        {"date": "2027-02-05", "name": "春节", "off": True},
        {"date": "2027-02-06", "name": "春节", "off": True},
        {"date": "2027-02-08", "name": "春节", "off": True},
        {"date": "2027-02-20", "name": "春节", "off": False},
    ]}
    cal = CAL.with_year(parse_year_doc(doc, "loaded"))
    assert cal.year_status(2027) == "loaded"
    assert cal.deadline(D(2027, 2, 4), 1) == workcal.Deadline(D(2027, 2, 9), False)
    assert cal.is_workday(D(2027, 2, 20))
    assert cal.is_workday(D(2027, 10, 1)), "a loaded year replaces the provisional rule"
    assert CAL.year_status(2027) == "provisional", "the original calendar is unchanged"


def test_later_notice_wins_for_a_day_both_name():
    a = {"year": 2030, "source": "a", "days": [{"date": "2030-12-28", "name": "x", "off": True}]}
    b = {"year": 2031, "source": "b",
         "days": [{"date": "2030-12-28", "name": "元旦", "off": False}]}
    cal = WorkCalendar({2030: parse_year_doc(a, "loaded"), 2031: parse_year_doc(b, "loaded")})
    assert cal.is_workday(D(2030, 12, 28))
    assert cal.day(D(2030, 12, 28)).kind == "adjusted_workday"
    assert cal.day(D(2030, 12, 28)).name == "元旦"


# -- local adjustments ---------------------------------------------------------------------


def test_local_adjustments_merge_and_never_replace():
    cal = WorkCalendar(local={D(2023, 10, 9): (False, "停电"), D(2023, 10, 14): (True, "加班")})
    assert not cal.is_workday(D(2023, 10, 9)) and cal.is_workday(D(2023, 10, 14))
    assert cal.add_workdays(D(2023, 9, 27), 30) == D(2023, 11, 14) - dt.timedelta(days=0)
    assert cal.add_workdays(D(2023, 10, 8), 1) == D(2023, 10, 10)
    # national data is untouched
    assert cal.year_data(2023).days == CAL.year_data(2023).days
    day = cal.day(D(2023, 10, 9))
    assert (day.kind, day.local_reason, day.workday) == ("holiday", "停电", False)
    assert cal.day(D(2023, 10, 14)).kind == "adjusted_workday"
    # a local day off inside a national holiday keeps the national name
    cal2 = WorkCalendar(local={D(2023, 10, 2): (True, "值班")})
    assert cal2.day(D(2023, 10, 2)).name == "国庆节" and cal2.is_workday(D(2023, 10, 2))


@settings(max_examples=100, deadline=None)
@given(starts, counts, st.dates(min_value=D(2004, 1, 1), max_value=D(2029, 12, 31)))
def test_a_local_day_off_never_makes_a_deadline_earlier(start, n, closed):
    cal = WorkCalendar(local={closed: (False, "停电")})
    assert cal.add_workdays(start, n) >= CAL.add_workdays(start, n)


# -- the Civil Code month ------------------------------------------------------------------


@pytest.mark.parametrize("start, end", [
    (D(2023, 4, 30), D(2023, 5, 30)),   # ordinary: same date next month
    (D(2023, 1, 31), D(2023, 2, 28)),   # no such date: the month's last day
    (D(2024, 1, 31), D(2024, 2, 29)),   # leap year
    (D(2023, 3, 29), D(2023, 5, 4)),    # 4月29日 劳动节 off through 5月3日
    (D(2023, 9, 1), D(2023, 10, 7)),    # 10月1日 off; next day not off is Saturday 10月7日 (worked)
    (D(2023, 12, 31), D(2024, 1, 31)),
    (D(2023, 5, 13), D(2023, 6, 13)),
    (D(2023, 5, 21), D(2023, 6, 21)),
    (D(2023, 5, 24), D(2023, 6, 25)),   # 6月24日 (端午, Saturday) off; Sunday 25日 is worked
])
def test_add_month(start, end):
    assert CAL.add_month(start) == end


def test_add_month_weekend_end_moves_to_the_next_working_day():
    assert CAL.add_month(D(2023, 8, 16)) == D(2023, 9, 18)   # 9月16日 Saturday
    assert CAL.add_month(D(2023, 8, 16)) - D(2023, 9, 16) == dt.timedelta(days=2)


# -- the database --------------------------------------------------------------------------

DOC_2027 = {"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知", "days": [
    {"date": "2027-01-01", "name": "元旦", "off": True},
    {"date": "2027-02-06", "name": "春节", "off": True},
    {"date": "2027-02-08", "name": "春节", "off": True},
    {"date": "2027-02-20", "name": "春节", "off": False},
]}


def _audit(db):
    return [dict(r) for r in db.query("SELECT entity, entity_id, action, reason FROM audit_log")]


def test_store_year_and_reload_changes_nothing(db):
    assert calendar_store.store_year(db, DOC_2027, file="n.txt") is True
    cal = calendar_store.load_calendar(db)
    assert cal.year_status(2027) == "loaded"
    assert cal.is_workday(D(2027, 2, 20)) and not cal.is_workday(D(2027, 2, 8))
    assert calendar_store.store_year(db, DOC_2027) is False
    assert _audit(db) == [{"entity": "calendar_year", "entity_id": "2027", "action": "load",
                           "reason": None}]


def test_store_year_replaces_a_loaded_year(db):
    calendar_store.store_year(db, DOC_2027)
    changed = dict(DOC_2027, days=DOC_2027["days"][:2])
    assert calendar_store.store_year(db, changed) is True
    assert calendar_store.load_calendar(db).is_workday(D(2027, 2, 8))
    rows = db.execute("SELECT count(*) FROM calendar_days WHERE year = 2027").fetchone()[0]
    assert rows == 2
    assert len(_audit(db)) == 2


def test_loaded_year_overrides_bundled_and_keeps_cross_year_days(db):
    doc = {"year": 2026, "source": "x", "days": [
        {"date": "2025-12-31", "name": "元旦", "off": True},
        {"date": "2026-01-01", "name": "元旦", "off": True},
    ]}
    calendar_store.store_year(db, doc)
    cal = calendar_store.load_calendar(db)
    assert cal.year_status(2026) == "loaded"
    assert not cal.is_workday(D(2025, 12, 31))
    assert cal.is_workday(D(2026, 2, 16)), "the loaded year replaces the bundled one"


def test_set_and_unset_local(db):
    assert calendar_store.set_local(db, D(2023, 10, 9), "off", "停电") is True
    assert calendar_store.set_local(db, D(2023, 10, 9), "off", "停电") is False
    assert not calendar_store.load_calendar(db).is_workday(D(2023, 10, 9))
    assert calendar_store.set_local(db, D(2023, 10, 9), "off", "停电（改）") is True
    removed = calendar_store.unset_local(db, D(2023, 10, 9), "恢复供电")
    assert removed == {"kind": "off", "reason": "停电（改）"}
    assert calendar_store.load_calendar(db).is_workday(D(2023, 10, 9))
    assert [(a["action"], a["reason"]) for a in _audit(db)] == [
        ("set", "停电"), ("set", "停电（改）"), ("remove", "恢复供电")]
    with pytest.raises(NotFoundError):
        calendar_store.unset_local(db, D(2023, 10, 9))


@pytest.mark.parametrize("kind, reason", [("maybe", "x"), ("off", ""), ("off", "   ")])
def test_set_local_bad_input(db, kind, reason):
    with pytest.raises(InvalidInputError):
        calendar_store.set_local(db, D(2023, 10, 9), kind, reason)


def test_year_overview(db):
    calendar_store.store_year(db, DOC_2027)
    calendar_store.set_local(db, D(2024, 3, 8), "off", "停电")
    rows = {r["year"]: r for r in calendar_store.year_overview(db)}
    assert min(rows) == 2004 and max(rows) == 2028
    assert rows[2023]["status"] == "official"
    assert rows[2027]["status"] == "loaded" and rows[2027]["holidays"] == 3
    assert rows[2028]["status"] == "provisional"
    assert rows[2024]["local"] == [{"date": "2024-03-08", "kind": "off", "reason": "停电"}]


def test_status_changes_compares_each_version_on_its_own():
    official = workcal.bundled_years()[2024]
    one = workcal.parse_year_doc(
        {"year": 2024, "source": "x", "days": [{"date": "2024-10-01", "off": True}]}, "loaded")
    changes = workcal.status_changes(official, one)
    assert len(changes) == 26
    assert sum(1 for c in changes if not c.was_workday) == 18  # days off become workdays
    assert changes[0] == workcal.StatusChange(D(2024, 1, 1), False, "元旦")
    assert workcal.status_changes(official, official) == []


def test_unload_year(db):
    calendar_store.store_year(db, DOC_2027)
    removed = calendar_store.unload_year(db, 2027, "误载")
    assert removed["source"] == DOC_2027["source"]
    assert calendar_store.load_calendar(db).year_status(2027) == "provisional"
    assert [(a["action"], a["reason"]) for a in _audit(db)] == [("load", None), ("unload", "误载")]
    with pytest.raises(NotFoundError):
        calendar_store.unload_year(db, 2027)


# -- the precomputed span ------------------------------------------------------------------


def _built_day_by_day(cal: WorkCalendar) -> tuple[list[int], list[int]]:
    """The running count and the working days of `cal`'s span, worked out one day at a
    time from its named days and local adjustments (as WorkCalendar._build once did)."""
    off_named = {d.toordinal(): v[0] for d, v in cal._named.items()}
    for d, (work, _reason) in cal.local.items():
        off_named[d.toordinal()] = not work
    counts, dates, n = [], [], 0
    for o in range(cal._base, cal._end + 1):
        known = off_named.get(o)
        off = (o % 7) in (0, 6) if known is None else known
        if not off:
            dates.append(o)
            n += 1
        counts.append(n)
    return counts, dates


local_days = st.dictionaries(
    st.dates(min_value=D(1995, 1, 1), max_value=D(2040, 12, 31)),
    st.tuples(st.booleans(), st.just("本地调整")), max_size=30)


@settings(max_examples=60, deadline=None)
@given(local_days, st.dates(min_value=D(1990, 1, 1), max_value=D(2060, 12, 31)))
def test_precomputed_span_is_the_day_by_day_count(local, far):
    """The span is built in bulk (a byte per day, the running count in C): it must be
    exactly the count made one day at a time, also after it grows to a far date, with
    local days inside and outside it."""
    cal = WorkCalendar(local=local)
    for _ in range(2):
        counts, dates = _built_day_by_day(cal)
        assert cal._counts == counts
        assert cal._workdays == dates
        cal.is_workday(far)  # grows the span when `far` lies outside it


@settings(max_examples=60, deadline=None)
@given(local_days, st.dates(min_value=D(1995, 1, 1), max_value=D(2035, 12, 31)),
       st.integers(min_value=0, max_value=2000))
def test_the_overdue_day_table_is_the_count_day_by_day(local, first, span):
    """temp.cdo_overdue_days (prepare_as_of) holds, for every day from the first issue
    date up to the as-of date, the working days from it to the as-of date: made from the
    calendar's running count in one slice, it must be what workdays_between says."""
    import sqlite3

    from cdo.problems.model import _fill_as_of_tables

    as_of = first + dt.timedelta(days=span)
    cal = WorkCalendar(local=local)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE problems (id INTEGER PRIMARY KEY, issued_on TEXT,"
                 " original_due_on TEXT)")
    conn.execute("CREATE TABLE problem_events (id INTEGER PRIMARY KEY, problem_id INTEGER,"
                 " action TEXT, on_date TEXT, until_on TEXT)")
    conn.execute("INSERT INTO problems VALUES (1, ?, ?)", [first.isoformat(), None])
    _fill_as_of_tables(conn, as_of, cal)
    got = conn.execute("SELECT due, n FROM temp.cdo_overdue_days ORDER BY due").fetchall()
    ref = WorkCalendar(local=local)  # a calendar of its own, asked one day at a time
    days = [first + dt.timedelta(days=i) for i in range(span)]
    assert got == [(d.isoformat(), ref.workdays_between(d, as_of)) for d in days]
