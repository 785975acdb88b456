"""The bundled calendar against two independent transcriptions of the State Council
notices — the `chinesecalendar` package and the `holidays` package's China — for every
day 2004-01-01…2026-12-31. Where they disagree, the notice decides; each decision is in
data/holidays/DECISIONS.md and in KNOWN_DISAGREEMENTS below, so that a change in our data
or in either oracle fails here."""

import datetime as dt
import importlib.util
import json
import re
from functools import cache
from pathlib import Path

import pytest

from cdo import calendar as workcal
from cdo.paths import data_dir

D = dt.date
FIRST, LAST = D(2004, 1, 1), D(2026, 12, 31)
HOLIDAYS_DIR = data_dir() / "holidays"
ROOT = Path(__file__).resolve().parent.parent

# date -> (ours, chinesecalendar, holidays) as "is a working day", and the notice deciding.
KNOWN_DISAGREEMENTS = {
    D(2005, 12, 31): (
        True, False, True,
        "国务院办公厅关于2006年部分节假日安排的通知：元旦1月1日至3日放假，"
        "2005年12月31日（星期六）上班",
    ),
}


@cache
def oracle_days() -> dict[dt.date, tuple[bool, bool, bool]]:
    import chinese_calendar
    import holidays

    years = range(FIRST.year, LAST.year + 1)
    cn = holidays.China(years=years)
    weekend_workdays: set[dt.date] = set()
    for y in years:
        weekend_workdays |= set(holidays.China(years=y).weekend_workdays)
    out, d = {}, FIRST
    while d <= LAST:
        ours = workcal.is_workday(d)
        cc = chinese_calendar.is_workday(d)
        hol = (d.weekday() < 5 and d not in cn) or d in weekend_workdays
        out[d] = (ours, cc, hol)
        d += dt.timedelta(days=1)
    return out


def test_every_day_agrees_with_both_oracles_or_is_a_recorded_decision():
    unexplained = [
        (d, v) for d, v in oracle_days().items()
        if not v[0] == v[1] == v[2] and d not in KNOWN_DISAGREEMENTS
    ]
    assert unexplained == []


@pytest.mark.parametrize("day", sorted(KNOWN_DISAGREEMENTS))
def test_known_disagreements_are_still_as_recorded(day):
    ours, cc, hol, _notice = KNOWN_DISAGREEMENTS[day]
    assert oracle_days()[day] == (ours, cc, hol)


def test_every_decision_is_written_down_beside_the_data():
    decisions = (HOLIDAYS_DIR / "DECISIONS.md").read_text(encoding="utf-8")
    for day, (ours, _cc, _hol, notice) in KNOWN_DISAGREEMENTS.items():
        assert day.isoformat() in decisions
        assert notice.split("：")[0] in decisions
        assert ("上班" if ours else "放假") in decisions


def test_span_covers_2004_to_2026():
    assert sorted(workcal.bundled_years()) == list(range(2004, 2027))


# -- the files -----------------------------------------------------------------------------


def _docs() -> dict[int, dict]:
    return {int(p.stem): json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(HOLIDAYS_DIR.glob("[0-9][0-9][0-9][0-9].json"))}


def _gen_module():
    path = ROOT / "scripts" / "gen_holidays.py"
    spec = importlib.util.spec_from_file_location("gen_holidays", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_are_what_the_generator_writes():
    gen = _gen_module()
    built = gen.build_docs()
    assert sorted(built) == sorted(_docs())
    for year, doc in built.items():
        path = HOLIDAYS_DIR / f"{year}.json"
        assert path.read_text(encoding="utf-8") == gen.dumps(doc), f"{path} 与生成脚本不一致"


@pytest.mark.parametrize("year", range(2004, 2027))
def test_each_file_names_its_notice(year):
    doc = _docs()[year]
    assert set(doc) == {"year", "source", "days"}
    assert doc["year"] == year
    assert doc["source"].startswith(f"国务院办公厅关于{year}年部分节假日安排的通知")
    if year >= 2016:
        assert re.search(r"国办发明电〔\d{4}〕\d+号", doc["source"])


# -- per-year invariants -------------------------------------------------------------------

NAMES = {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "抗战胜利70周年纪念日"}


def statutory_days(year: int) -> int:
    """Statutory days off in a year by 《全国年节及纪念日放假办法》, as revised."""
    if year < 2008:
        return 10  # 元旦1, 春节3, 劳动节3, 国庆节3
    if year < 2025:
        return 11  # 元旦1, 春节3, 清明1, 劳动节1, 端午1, 中秋1, 国庆3
    return 13  # 2024 revision: 春节 +1 (除夕), 劳动节 +1


# A year's weekday days off minus its weekend days worked equals its statutory days,
# except where a later notice added days: 2015 (9月3日 纪念日) and 2020 (春节延长至2月2日:
# 1月31日 off and 2月1日 no longer worked).
EXTRA_DAYS = {2015: 1, 2020: 2}


@pytest.mark.parametrize("year", range(2004, 2027))
def test_year_invariants(year):
    doc = _docs()[year]
    days = [(D.fromisoformat(d["date"]), d["off"], d["name"]) for d in doc["days"]]
    dates = [d for d, _, _ in days]
    assert dates == sorted(set(dates)), "sorted, one entry a day"
    assert all(D(year - 1, 12, 1) <= d <= D(year, 12, 31) for d in dates)
    names = {n for _, _, n in days}
    assert names <= NAMES
    assert {"元旦", "春节", "劳动节", "国庆节"} <= names
    if year >= 2008:
        assert {"清明节", "端午节"} <= names
    assert sum(off for _, off, _ in days) >= 7
    # an adjusted working day is always a weekend day
    assert all(d.weekday() >= 5 for d, off, _ in days if not off)
    weekday_off = sum(1 for d, off, _ in days if off and d.weekday() < 5)
    weekend_worked = sum(1 for d, off, _ in days if not off)
    assert weekday_off - weekend_worked == statutory_days(year) + EXTRA_DAYS.get(year, 0)
