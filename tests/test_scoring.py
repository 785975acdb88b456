"""The evaluation rules as plain functions (cdo.scoring): no database."""

import datetime as dt

import pytest

from cdo import scoring
from cdo.errors import InvalidInputError
from cdo.scoring import ProblemFacts, UnitRef

D = dt.date


@pytest.fixture(scope="module")
def table():
    return scoring.load_table()


def full(table, value=None):
    """Every item at its maximum (or `value`)."""
    return {i.no: (i.max if value is None else min(value, i.max)) for i in table.items}


def test_table_is_the_printed_form(table):
    assert [p.key for p in table.parts] == list(scoring.PART_KEYS)
    assert [p.name for p in table.parts] == ["日常履职", "数据统筹", "数据共享开放", "数据质量管理",
                                             "数据创新应用", "第三方评估"]
    assert [p.max for p in table.parts] == [10, 20, 20, 20, 20, 10]
    assert table.numbers == (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17)
    assert [table.by_no[n].max for n in table.numbers] == [5, 5, 10, 5, 5, 10, 5, 5, 10, 5, 5,
                                                           10, 5, 5, 10]
    assert table.max_total == 100
    assert table.by_no[17].text == "第三方数据服务机构评估得分。"
    assert table.by_no[1].text.startswith("按时参加首席数据官相关培训和会议")
    assert table.parts[0].label == "日常履职（10分）"


@pytest.mark.parametrize("no", [0, 3, 14, 18])
def test_items_not_on_the_form_are_refused(table, no):
    with pytest.raises(InvalidInputError, match=f"没有第{no}项.*1、2、4"):
        table.item(no)


def test_points_above_max_or_below_zero_name_the_item_and_its_max(table):
    with pytest.raises(InvalidInputError, match="第4项最多 10 分，11 分"):
        scoring.check_points(table, 4, 11)
    with pytest.raises(InvalidInputError, match="第2项不能为负分.*满分 5 分"):
        scoring.check_points(table, 2, -0.5)
    with pytest.raises(InvalidInputError, match="两位小数"):
        scoring.check_points(table, 2, 4.125)
    assert scoring.check_points(table, 4, 10) == 10
    assert scoring.check_points(table, 1, 0) == 0
    assert scoring.check_points(table, 1, 4.25) == 4.25


@pytest.mark.parametrize("raw,want", [
    (None, None), ("", None), ("　", None), (4, 4.0), (4.5, 4.5), ("4.5", 4.5),
    ("４．５", 4.5), (" 5分 ", 5.0), ("-1", -1.0), (".5", 0.5),
])
def test_parse_points(raw, want):
    assert scoring.parse_points(raw) == want


@pytest.mark.parametrize("raw", ["abc", "4..5", "5-", "优", True, float("nan")])
def test_parse_points_refuses_non_numbers(raw):
    with pytest.raises(InvalidInputError):
        scoring.parse_points(raw)


def test_subtotals_and_total(table):
    pts = full(table)
    assert scoring.part_subtotals(table, pts) == {
        "daily": 10, "coordination": 20, "sharing": 20, "quality": 20, "innovation": 20,
        "third_party": 10}
    assert scoring.total(table, pts) == 100
    del pts[17], pts[16]
    sub = scoring.part_subtotals(table, pts)
    assert sub["third_party"] is None and sub["innovation"] == 15
    assert scoring.missing_items(table, pts) == [16, 17]
    assert scoring.total(table, pts) == 85
    # 0.1 + 0.2 style float noise never shows in a total
    assert scoring.total(table, {1: 0.1, 2: 0.2}) == 0.3


def test_competition_ranks():
    assert scoring.competition_ranks([90, 95, 95, 80]) == [3, 1, 1, 4]
    assert scoring.competition_ranks([70, 70, 70]) == [1, 1, 1]
    assert scoring.competition_ranks([]) == []
    assert scoring.competition_ranks([0.1 + 0.2, 0.3, 0.2]) == [1, 1, 3]


def test_ranking_with_ties_and_incomplete_units(table):
    units = [UnitRef(1, "甲", "department"), UnitRef(2, "乙", "region"),
             UnitRef(3, "丙", "enterprise"), UnitRef(4, "丁", "department"),
             UnitRef(5, "戊", "institution")]
    a = full(table)                 # 100
    b = full(table, 4)              # 4 everywhere: 60
    c = dict(b)                     # tie with b
    d = full(table)
    del d[11]                       # incomplete, partial total 95 — still unranked
    points = {1: b, 2: a, 3: c, 4: d}  # 戊 has nothing at all
    rows = scoring.ranking(table, units, points)
    assert [(r["unit"], r["rank"], r["total"], r["complete"]) for r in rows] == [
        ("乙", 1, 100, True), ("甲", 2, 60, True), ("丙", 2, 60, True),
        ("丁", None, 95, False), ("戊", None, 0, False)]
    assert rows[3]["missing"] == [11]
    assert rows[4]["missing"] == list(table.numbers)
    assert rows[0]["parts"]["daily"] == 10
    assert rows[4]["parts"]["daily"] is None
    assert scoring.missing_text(rows[3]["missing"], table) == "未评：第11项"
    assert scoring.missing_text(rows[4]["missing"], table) == "未评：全部15项"


def test_ranking_shares_rank_then_skips():
    table = scoring.load_table()
    units = [UnitRef(i, f"单位{i}", "department") for i in range(1, 5)]
    totals = [90, 95, 95, 80]
    points = {}
    for u, t in zip(units, totals, strict=True):
        pts = full(table, 0)
        pts[17] = 10
        pts[4] = 10
        pts[7] = 10
        pts[10] = 10
        pts[13] = 10
        rest = t - 50
        for no in (1, 2, 5, 6, 8, 9, 11, 12, 15, 16):
            take = min(5, rest)
            pts[no] = take
            rest -= take
        points[u.id] = pts
    rows = scoring.ranking(table, units, points)
    assert [(r["unit"], r["rank"]) for r in rows] == [
        ("单位2", 1), ("单位3", 1), ("单位1", 3), ("单位4", 4)]


def test_fingerprint_is_order_free_and_sees_every_point():
    entries = [("甲", 1, 5.0), ("乙", 2, 4.5), ("甲", 4, 10.0)]
    fp = scoring.fingerprint(2023, entries)
    assert fp == scoring.fingerprint(2023, list(reversed(entries)))
    assert fp == scoring.fingerprint(2023, [("甲", 1, 5), ("乙", 2, 4.5), ("甲", 4, 10)])
    assert fp != scoring.fingerprint(2023, [("甲", 1, 4.5), ("乙", 2, 4.5), ("甲", 4, 10.0)])
    assert fp != scoring.fingerprint(2024, entries)
    assert fp != scoring.fingerprint(2023, entries[:2])
    assert len(fp) == 64
    short = scoring.short_fingerprint(fp)
    assert len(short) == 19 and short.count("-") == 3 and short.replace("-", "") == fp[:16].upper()


# ----------------------------------------------------------------------------- suggestions

def test_suggest_attendance():
    assert scoring.suggest_attendance([]) is None
    assert scoring.suggest_attendance(["present", "present"]) == 5
    assert scoring.suggest_attendance(["present", "deputy"]) == 3.8  # 5 × 1.5/2 = 3.75
    assert scoring.suggest_attendance(["present", "excused", "absent", None]) == 1.6  # 5×1.25/4
    assert scoring.suggest_attendance(["absent", None]) == 0


def test_suggest_reports():
    y = 2023
    assert scoring.plan_deadline(2023) == D(2023, 5, 30)
    assert scoring.plan_deadline(2024) == D(2024, 3, 31)
    assert scoring.suggest_reports(y, D(2023, 5, 30), D(2023, 12, 31)) == 5
    assert scoring.suggest_reports(y, D(2023, 5, 31), D(2023, 12, 20)) == 3.8  # 1.25 + 2.5
    assert scoring.suggest_reports(y, None, D(2024, 1, 3)) == 1.3  # 0 + 1.25, half-up
    assert scoring.suggest_reports(y, None, None) == 0


def test_problem_outcomes_and_rectification_points():
    as_of = D(2024, 1, 15)
    on_time = ProblemFacts(D(2023, 11, 14), D(2023, 11, 14))
    late = ProblemFacts(D(2023, 11, 14), D(2023, 11, 15))
    once_late = ProblemFacts(D(2023, 11, 14), D(2023, 11, 1), ever_late=True)
    overdue = ProblemFacts(D(2023, 11, 14), None)
    pending = ProblemFacts(D(2024, 2, 1), None)
    assert [scoring.problem_outcome(p, as_of) for p in
            (on_time, late, once_late, overdue, pending)] == [
        "on_time", "late", "late", "overdue", "pending"]
    counts = scoring.outcome_counts([on_time, late, once_late, overdue, pending], as_of)
    assert counts == {"found": 5, "on_time": 1, "late": 2, "overdue": 1, "pending": 1}
    assert scoring.on_time_rate(counts) == 0.25
    assert scoring.suggest_rectification(counts) == 1.3  # 5 × 1/4 = 1.25 → 1.3
    none = scoring.outcome_counts([], as_of)
    assert scoring.suggest_rectification(none) == 5
    only_pending = scoring.outcome_counts([pending], as_of)
    assert scoring.suggest_rectification(only_pending) == 5


def test_round_suggestion_is_half_up():
    assert scoring.round_suggestion(2.25) == 2.3
    assert scoring.round_suggestion(4.375) == 4.4
    assert scoring.round_suggestion(1 / 3 * 5) == 1.7


def test_plan_deadline_is_a_named_documented_assumption():
    # the dates themselves, not the constants the code reads them from
    assert scoring.plan_deadline(2023) == D(2023, 5, 30)
    assert scoring.plan_deadline(2025) == D(2025, 3, 31)
    assert scoring.plan_deadline(2026) == D(2026, 3, 31)
    assert scoring.plan_deadline(2028) == D(2028, 3, 31)
    doc = scoring.__doc__
    assert "2023-05-30" in doc and "31 March" in doc and "ASSUMPTION" in doc
