"""The evidence rules (items 4, 5, 7, 8, 10, 12, 13, 16), each with its edge cases: no
evidence, partial, full, late, a resource missing from the catalogue; and properties:
every suggestion stays within 0…the item's maximum."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdo import scoring
from cdo.evaluation import evidence_rules as R

D = dt.date
Y = 2023
AS_OF = D(2024, 1, 15)
MAY = D(2023, 5, 1)


def entry(name, share="conditional", open_="none", dictionary=True, grade="general",
          frequency="每月"):
    return R.Entry(name, name, share, open_, dictionary, grade, frequency)


def cat(*entries, received=MAY, versions=1):
    return R.Catalog(1, received, list(entries), versions)


def systems(*rows, received=MAY):
    return R.SystemList(received, [R.System(*r) for r in rows])


def task(i, due, done=None, kind="share"):
    return R.Task(i, kind, f"任务{i}", due, done)


# ----------------------------------------------------------------------------- item 4

def test_item4_no_evidence_no_suggestion():
    s = R.suggest_item4(Y, R.Facts())
    assert s["suggested"] is None and "无建议" in s["basis"]


def test_item4_full_partial_late_and_missing_resource():
    full = R.Facts(catalog=cat(entry("低保信息")), systems=systems(("甲", "self", True)),
                   problem_resources=[(1, "低保信息", "低保信息")])
    assert R.suggest_item4(Y, full)["suggested"] == 10
    # a resource of a problem missing from the catalogue: a census gap, coverage 1/2
    gap = R.Facts(catalog=full.catalog, systems=full.systems,
                  problem_resources=[(1, "低保信息", "低保信息"), (2, "户籍信息", "户籍信息"),
                                     (3, "户籍信息", "户籍信息")])
    s = R.suggest_item4(Y, gap)
    assert s["suggested"] == 8  # 4 + 2 + 4 × 1/2 (distinct resources)
    assert "不在目录中：户籍信息" in s["records"][-1]
    # only the systems list: 2 points, no coverage without a catalogue
    assert R.suggest_item4(Y, R.Facts(systems=full.systems))["suggested"] == 2
    # catalogue sent after the year: half of its 4 points
    late = R.Facts(catalog=cat(entry("低保信息"), received=D(2024, 1, 8)))
    s = R.suggest_item4(Y, late)
    assert s["suggested"] == 6  # 2 + 0 + 4 × 1 (no problems: full coverage)
    assert "次年补报" in s["records"][0]


# ----------------------------------------------------------------------------- item 5

def test_item5_cases():
    assert R.suggest_item5(AS_OF, R.Facts())["suggested"] is None
    only_line = R.Facts(systems=systems(("条线甲", "line", True)))
    assert R.suggest_item5(AS_OF, only_line)["suggested"] is None
    part = R.Facts(systems=systems(("甲", "self", True, D(2023, 6, 1)), ("乙", "self", False),
                                   ("丙", "self", True), ("丁", "line", False)))
    assert R.suggest_item5(AS_OF, part)["suggested"] == 3.3  # 5 × 2/3
    full = R.Facts(systems=systems(("甲", "self", True, D(2023, 6, 1))))
    assert R.suggest_item5(AS_OF, full)["suggested"] == 5
    # connected after the evaluation date: not yet
    late = R.Facts(systems=systems(("甲", "self", True, D(2024, 2, 1))))
    s = R.suggest_item5(AS_OF, late)
    assert s["suggested"] == 0 and "晚于评价日期" in s["records"][0]


# ----------------------------------------------------------------------------- item 7

def test_item7_weights():
    assert R.suggest_item7(Y, AS_OF, R.Facts())["suggested"] is None
    f = R.Facts(tasks=[task(1, D(2023, 6, 30), D(2023, 6, 30)),   # on the due day: 1
                       task(2, D(2023, 6, 30), D(2023, 12, 31), "return"),  # late, in year: 0.5
                       task(3, D(2023, 6, 30), D(2024, 1, 2)),    # done next year: 0
                       task(4, D(2023, 6, 30))])                  # not done: 0
    s = R.suggest_item7(Y, AS_OF, f)
    assert s["suggested"] == 3.8  # 10 × 1.5/4 = 3.75
    assert s["basis"] == "到期任务4个：按期完成1、逾期完成1、未完成2"
    # a task due in another year and an open-plan task do not count for item 7
    f.tasks += [task(5, D(2022, 6, 30)), task(6, D(2023, 6, 30), kind="open-plan")]
    assert R.suggest_item7(Y, AS_OF, f)["suggested"] == 3.8
    full = R.Facts(tasks=[task(1, D(2023, 6, 30), D(2023, 1, 1))])
    assert R.suggest_item7(Y, AS_OF, full)["suggested"] == 10
    # done after the as-of date: not yet done
    assert R.suggest_item7(Y, D(2023, 6, 1), full)["suggested"] == 10
    assert R.suggest_item7(Y, D(2022, 12, 31), full)["suggested"] == 0


# ----------------------------------------------------------------------------- item 8

def test_item8_cases():
    assert R.suggest_item8(Y, AS_OF, R.Facts())["suggested"] is None
    full = R.Facts(catalog=cat(entry("甲"), entry("乙")))
    assert R.suggest_item8(Y, AS_OF, full)["suggested"] == 5
    part = R.Facts(catalog=cat(entry("甲"), entry("乙", open_=None, grade=None)))
    assert R.suggest_item8(Y, AS_OF, part)["suggested"] == 2.5  # 5 × (2×0.5 + 0.5)/3
    plan = R.Facts(catalog=full.catalog,
                   tasks=[task(1, D(2023, 11, 30), D(2023, 12, 5), "open-plan")])
    assert R.suggest_item8(Y, AS_OF, plan)["suggested"] == 4  # 5 × (2 + 1 + 2×0.5)/5
    only_plan = R.Facts(tasks=[task(1, D(2023, 11, 30), D(2023, 11, 1), "open-plan")])
    assert R.suggest_item8(Y, AS_OF, only_plan)["suggested"] == 2  # 5 × 2/5


# ----------------------------------------------------------------------------- item 10

def test_item10_cases():
    assert R.suggest_item10(R.Facts())["suggested"] is None
    f = R.Facts(catalog=cat(entry("甲"), entry("乙", dictionary=False, frequency=None),
                            entry("丙", dictionary=None)))
    s = R.suggest_item10(f)
    assert s["suggested"] == 4.7  # 6 × 1/3 + 4 × 2/3 = 4.67
    assert "无数据字典：乙、丙" in s["records"]
    assert R.suggest_item10(R.Facts(catalog=cat(entry("甲"))))["suggested"] == 10


# ----------------------------------------------------------------------------- item 12

def test_item12_cases():
    c = R.Check
    assert R.suggest_item12(R.Facts())["suggested"] is None
    one = R.Facts(checks=[c("2023-03", 100, 5, 5)])
    assert R.suggest_item12(one)["suggested"] is None
    better = R.Facts(checks=[c("2023-03", 100, 5, 5), c("2023-06", 100, 9, 9),
                             c("2023-12", 200, 10, 6)])
    assert R.suggest_item12(better)["suggested"] == 5  # 5% → 5%, 5% → 3%: the ends count
    worse_err = R.Facts(checks=[c("2023-03", 100, 5, 1), c("2023-12", 100, 4, 2)])
    s = R.suggest_item12(worse_err)
    assert s["suggested"] == 2.5 and "错值率 1%→2%（升高）" in s["basis"]
    worse = R.Facts(checks=[c("2023-03", 100, 0, 0), c("2023-12", 100, 1, 1)])
    assert R.suggest_item12(worse)["suggested"] == 0


# ----------------------------------------------------------------------------- items 13, 16

def proj(i, kind="application", stage="approved", approved=None, online=None, typical=False):
    return R.Project(i, f"项目{i}", kind, stage, approved, online, typical)


def test_item13_cases():
    assert R.suggest_item13(Y, AS_OF, R.Facts())["suggested"] is None
    f = R.Facts(projects=[proj(1, stage="running", online=D(2023, 8, 1), typical=True),
                          proj(2, stage="building"), proj(3, kind="operation", stage="running")])
    assert R.suggest_item13(Y, AS_OF, f)["suggested"] == 7  # 5 + 2; the operation is item 16
    two_typical = R.Facts(projects=[proj(1, typical=True), proj(2, typical=True),
                                    proj(3, stage="running")])
    assert R.suggest_item13(Y, AS_OF, two_typical)["suggested"] == 10  # capped
    # went online after the year's end: counted as under construction for the year
    late = R.Facts(projects=[proj(1, stage="running", online=D(2024, 1, 10))])
    assert R.suggest_item13(Y, AS_OF, late)["suggested"] == 2
    # approved after the year: not counted
    later = R.Facts(projects=[proj(1, approved=D(2024, 1, 2))])
    s = R.suggest_item13(Y, AS_OF, later)
    assert s["suggested"] == 0 and "不计" in s["records"][0]


def test_item16_cases():
    assert R.suggest_item16(Y, AS_OF, R.Facts(projects=[proj(1)]))["suggested"] is None
    f = R.Facts(projects=[proj(1, "operation", "building"), proj(2, "trading")])
    assert R.suggest_item16(Y, AS_OF, f)["suggested"] == 3
    many = R.Facts(projects=[proj(i, "exploration", "running") for i in range(3)])
    assert R.suggest_item16(Y, AS_OF, many)["suggested"] == 5  # capped
    # typical counts only for application demonstrations
    t = R.Facts(projects=[proj(1, "operation", "approved", typical=True)])
    assert R.suggest_item16(Y, AS_OF, t)["suggested"] == 1


def test_maxima_match_the_table():
    table = scoring.load_table()
    assert {no: table.by_no[no].max for no in R.EVIDENCE_ITEMS} == R.MAXIMA


# ----------------------------------------------------------------------------- properties

dates = st.dates(D(2021, 1, 1), D(2025, 12, 31))
opt_dates = st.none() | dates
texts = st.sampled_from(["甲", "乙", "丙", "丁", "戊"])
entries = st.builds(R.Entry, texts, texts, st.sampled_from([None, "unconditional", "none"]),
                    st.sampled_from([None, "conditional"]), st.sampled_from([None, True, False]),
                    st.sampled_from([None, "core"]), st.sampled_from([None, "每月"]))
catalogs = st.none() | st.builds(R.Catalog, st.integers(1, 9), dates, st.lists(entries, max_size=6),
                                 st.integers(1, 3))
system_lists = st.none() | st.builds(
    R.SystemList, dates, st.lists(st.builds(R.System, texts, st.sampled_from(["self", "line"]),
                                            st.booleans(), opt_dates), max_size=6))
tasks = st.lists(st.builds(R.Task, st.integers(1, 99), st.sampled_from(["share", "return", "open-plan"]),
                           texts, dates, opt_dates), max_size=8)
projects = st.lists(st.builds(R.Project, st.integers(1, 99), texts,
                              st.sampled_from(list(R.PROJECT_KIND_NAMES)),
                              st.sampled_from(list(R.STAGE_NAMES)), opt_dates, opt_dates,
                              st.booleans()), max_size=8)
checks = st.lists(st.integers(1, 10_000).flatmap(
    lambda n: st.builds(R.Check, st.sampled_from(["2023-01", "2023-06", "2023-12"]), st.just(n),
                        st.integers(0, n), st.integers(0, n))), max_size=5)
resources = st.lists(texts.map(lambda t: (1, t, t)), max_size=6)
facts = st.builds(R.Facts, catalogs, system_lists, tasks, projects, checks, resources)


@settings(max_examples=300, deadline=None)
@given(facts, st.integers(2021, 2025), dates)
def test_every_suggestion_stays_within_the_item_maximum(f, year, as_of):
    for s in R.suggest_all(year, as_of, f):
        v = s["suggested"]
        assert v is None or 0 <= v <= R.MAXIMA[s["item"]], s
        assert v is None or round(v, 1) == v
        assert isinstance(s["basis"], str) and s["basis"]
        assert all(isinstance(r, str) for r in s["records"])


@settings(max_examples=200, deadline=None)
@given(tasks, st.integers(2022, 2024), dates)
def test_finishing_a_task_earlier_never_lowers_item_7(ts, year, as_of):
    before = R.suggest_item7(year, as_of, R.Facts(tasks=ts))["suggested"]
    sooner = [R.Task(t.id, t.list, t.content, t.due_on, t.due_on) for t in ts]
    after = R.suggest_item7(year, as_of, R.Facts(tasks=sooner))["suggested"]
    assert (before is None) == (after is None)
    if before is not None and as_of >= max(t.due_on for t in ts):
        assert after >= before


# ----------------------------------------------------------------------------- importers

FEW = settings(max_examples=40, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CELLS = st.sampled_from(["", "通川区", " 市公安局 ", "不存在的局", "甲", "有", "无", "是", "否",
                         "自建", "条线", "有条件共享", "一般", "12", "1,234", "-3", "NaN", "1e30",
                         "3.5", "2023-06-30", "2023年9月5日", "2023-02-30", "=1+1", "应用示范",
                         "上线运行", "立项"])
_n = iter(range(10**9))
IMPORTS = {
    "catalog": (["数据资源名称", "所属信息系统", "数据项数", "数据量", "共享属性", "数据字典", "分级"],
                ["catalog_versions", "catalog_entries"]),
    "systems": (["系统名称", "建设类型", "是否接入", "接入日期"], ["system_lists", "systems"]),
    "tasks": (["责任单位", "任务内容", "完成时限", "完成日期"], ["evidence_tasks"]),
    "projects": (["单位", "项目名称", "类型", "阶段", "立项日期", "上线日期", "典型应用示范"],
                 ["projects"]),
    "quality": (["责任单位", "数据资源名称", "抽查记录数", "空值数", "错值数"], ["quality_checks"]),
}


@FEW
@given(kind=st.sampled_from(sorted(IMPORTS)), rows=st.lists(st.lists(CELLS, min_size=7,
                                                                     max_size=7), max_size=5))
def test_evidence_imports_are_all_or_nothing(tmp_path, kind, rows):
    import csv

    from cdo.errors import CdoError
    from cdo.evaluation import evidence
    from cdo.roster.units import add_unit
    from cdo.store.db import open_db

    db = open_db(tmp_path / f"f{next(_n)}.db")
    add_unit(db, "达州市通川区", "region", "通川区")
    add_unit(db, "达州市公安局", "department", "市公安局")
    header, tables = IMPORTS[kind]
    path = tmp_path / f"f{next(_n)}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *[r[:len(header)] for r in rows]])
    count = lambda: [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: E731
                     for t in [*tables, "audit_log"]]
    before = count()
    calls = {"catalog": lambda: evidence.import_catalog(db, path, "通川区", D(2023, 5, 1)),
             "systems": lambda: evidence.import_systems(db, path, "通川区", D(2023, 5, 1)),
             "tasks": lambda: evidence.import_tasks(db, path, "share"),
             "projects": lambda: evidence.import_projects(db, path),
             "quality": lambda: evidence.import_quality(db, path, "2023-09")}
    try:
        calls[kind]()
    except CdoError:
        assert count() == before  # refused: nothing saved
        return
    after = count()
    assert all(a > b for a, b in zip(after, before, strict=True))
    for uid in (1, 2):  # whatever went in, the suggestions stay within bounds
        for s in R.suggest_all(2023, AS_OF, evidence.gather_facts(db, 2023, AS_OF)[uid]):
            assert s["suggested"] is None or 0 <= s["suggested"] <= R.MAXIMA[s["item"]]
