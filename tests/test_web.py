"""The web view (cdo serve): Datasette's in-process client fetches each view and canned
query as JSON and the figures are compared with the CLI's JSON for the same database and
date; personal tables and custom SQL reading them are refused; the calendar table agrees
with the Python calendar."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
from urllib.parse import urlencode

import pytest
from conftest import copy_db
from typer.testing import CliRunner

from cdo.cli import app

NAME = "cdo"
DIMENSIONS = {"accuracy": "准确性", "timeliness": "时效性", "completeness": "完整性",
              "normativity": "规范性"}
STATUSES = {"open": "待整改", "rectified": "已整改待核验", "closed": "已销号",
            "negotiated": "协商延期"}
SOURCES = {"spotcheck": "月度抽查", "user": "使用单位反馈"}
CATEGORIES = {"region": "县市区及园区", "department": "市级部门", "enterprise": "国有企业",
              "institution": "公共服务机构"}
PARTS = {"daily": "日常履职", "coordination": "数据统筹", "sharing": "数据共享开放",
         "quality": "数据质量管理", "innovation": "数据创新应用", "third_party": "第三方评估"}


def run_cli(db, *args) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.stdout


def cli_json(db, *args):
    return json.loads(run_cli(db, *args, "--format", "json"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo database (cdo demo) with the calendar table built, as cdo serve does."""
    path = tmp_path_factory.mktemp("web") / f"{NAME}.db"
    run_cli(path, "demo")
    from cdo.store import calendar_store
    from cdo.store.db import open_db

    db = open_db(path)
    calendar_store.refresh_derived(db)
    db.close()
    return path


@pytest.fixture
def own_demo(demo, tmp_path):
    path = tmp_path / f"{NAME}.db"
    copy_db(demo, path)
    return path


def datasette(*paths):
    from cdo.web import datasette_for

    return datasette_for(list(paths))


def get(ds, path: str, **params):
    async def go():
        await ds.invoke_startup()
        return await ds.client.get(path + ("?" + urlencode(params) if params else ""))

    return asyncio.run(go())


def rows(ds, table: str, **params) -> list[dict]:
    r = get(ds, ds.urls.table(NAME, table, format="json"), _shape="array", _size="max",
            **params)
    assert r.status_code == 200, r.text
    return r.json()


def query(ds, name: str, **params) -> list[dict]:
    r = get(ds, ds.urls.query(NAME, name, format="json"), _shape="array", **params)
    assert r.status_code == 200, r.text
    return r.json()


def problem_as_web(p: dict) -> dict:
    """A problem from the CLI's JSON in the web view's Chinese columns and values."""
    return {"问题编号": p["id"], "问题来源": SOURCES[p["source"]], "责任单位": p["unit"],
            "反馈单位": p["reporter"], "数据资源名称": p["resource"],
            "问题类型": DIMENSIONS[p["dimension"]], "问题描述": p["description"],
            "问题数据量": p["records"], "下发日期": p["issued_on"], "整改期限": p["due_on"],
            "期限暂定": "是" if p["provisional"] else "否", "状态": STATUSES[p["status"]],
            "整改日期": p["rectified_on"], "销号日期": p["closed_on"],
            "逾期工作日": p["overdue_days"]}


def web_problem(r: dict) -> dict:
    return {k: r[k] for k in problem_as_web({"id": 0, "source": "user", "unit": "",
                                             "reporter": None, "resource": "",
                                             "dimension": "accuracy", "description": "",
                                             "records": None, "issued_on": "", "due_on": "",
                                             "provisional": False, "status": "open",
                                             "rectified_on": None, "closed_on": None,
                                             "overdue_days": None})}


# ----------------------------------------------------------------------------- views


def test_overdue_view_is_the_cli_overdue_report_as_of_today(demo):
    cli = cli_json(demo, "report", "overdue")
    web = rows(datasette(demo), "逾期问题")
    assert cli, "the demo has overdue problems today"
    assert [web_problem(r) for r in web] == [problem_as_web(p) for p in cli]
    assert {r["统计日期"] for r in web} == {dt.date.today().isoformat()}


@pytest.mark.parametrize("day", ["2023-10-10", "2023-10-31", "2023-11-10", "2023-11-15",
                                 "2023-11-20", "2023-11-24", "2023-12-29", "2024-03-01"])
def test_overdue_canned_query_is_the_cli_report_as_of_that_date(demo, day):
    # dates before the demo's later events: those problems are replayed to how they stood
    cli = cli_json(demo, "report", "overdue", "--as-of", day)
    web = query(datasette(demo), "某日的逾期问题", 日期=day)
    assert [web_problem(r) for r in web] == [problem_as_web(p) for p in cli]


def test_overdue_as_of_a_date_replays_reopened_and_negotiated_problems(own_demo):
    ids = [p["id"] for p in cli_json(own_demo, "spotcheck", "list", "--status", "open")][:3]
    assert len(ids) == 3
    run_cli(own_demo, "rectify", "done", ids[0], "--on", "2023-12-01")
    run_cli(own_demo, "rectify", "reopen", ids[0], "--on", "2023-12-20")
    run_cli(own_demo, "rectify", "negotiate", ids[1], "--on", "2023-12-02",
            "--until", "2024-01-31")
    run_cli(own_demo, "rectify", "done", ids[2], "--on", "2023-12-05")
    run_cli(own_demo, "rectify", "verify", ids[2], "--on", "2023-12-06")
    ds = datasette(own_demo)
    for day in ("2023-11-30", "2023-12-01", "2023-12-05", "2023-12-10", "2023-12-28",
                "2024-01-31", "2024-02-15"):
        cli = cli_json(own_demo, "report", "overdue", "--as-of", day)
        web = query(ds, "某日的逾期问题", 日期=day)
        assert [web_problem(r) for r in web] == [problem_as_web(p) for p in cli], day


def test_problems_view_is_the_cli_problem_list(demo):
    cli = cli_json(demo, "spotcheck", "list")
    web = rows(datasette(demo), "单位问题")
    assert len(cli) == len(web) > 20
    assert [web_problem(r) for r in web] == [problem_as_web(p) for p in cli]


def test_one_units_problems_canned_query(demo):
    ds = datasette(demo)
    units = {p["unit"] for p in cli_json(demo, "spotcheck", "list")}
    assert len(units) > 5
    for unit in sorted(units):
        cli = cli_json(demo, "spotcheck", "list", "--unit", unit)
        web = query(ds, "某单位的问题", 单位=unit)
        assert cli and [web_problem(r) for r in web] == [problem_as_web(p) for p in cli]


def test_rectification_view_is_the_monthly_report_for_every_month(demo):
    web = rows(datasette(demo), "整改情况")
    months = sorted({r["抽查月份"] for r in web})
    assert months
    for month in months:
        cli = cli_json(demo, "report", "monthly", "--month", month)
        got = [{"unit": r["责任单位"], "found": r["发现问题"], "on_time": r["按期整改"],
                "late": r["逾期整改"], "open": r["尚未整改"], "overdue": r["逾期问题"],
                "on_time_rate": r["按期整改率"]} for r in web if r["抽查月份"] == month]
        assert got == cli


def test_ranking_view_is_the_cli_ranking(own_demo):
    # one unit left incomplete, so the view must mark it and leave it unranked
    unit = cli_json(own_demo, "score", "--year", 2023)[0]["unit"]
    conn = sqlite3.connect(own_demo)
    with conn:
        conn.execute("DELETE FROM scores WHERE year = 2023 AND item IN (1, 11) AND unit_id ="
                     " (SELECT id FROM units WHERE name = ?)", [unit])
    conn.close()
    cli = cli_json(own_demo, "score", "--year", 2023)
    web = [r for r in rows(datasette(own_demo), "评价排名") if r["年度"] == 2023]
    got = [{"rank": r["名次"], "unit": r["单位"], "category": r["单位类别"],
            "parts": {k: r[name] for k, name in PARTS.items()}, "total": r["总分"],
            "complete": r["是否评完"] == "已评完"} for r in web]
    want = [{**r, "category": CATEGORIES[r["category"]]} for r in cli]
    assert got == want
    missing = next(r for r in web if r["单位"] == unit)
    assert (missing["名次"], missing["是否评完"], missing["未评项目"]) == (None, "未评完", "未评：第1、11项")


def test_roster_view_is_the_cli_roster_with_phones_masked(demo):
    cli = cli_json(demo, "register", "list")
    web = rows(datasette(demo), "名册")
    got = [{"unit": r["单位"], "category": r["单位类别"], "name": r["首席数据官"],
            "position": r["职务"], "phone": r["联系电话"], "recommended_on": r["推荐日期"],
            "appointed_on": r["任命日期"], "filed_on": r["备案日期"],
            "specialists": r["数据专员人数"]} for r in web]
    want = [{k: (CATEGORIES[r[k]] if k == "category" else r[k]) for k in got[0]} for r in cli]
    assert got == want
    assert any(r["phone"] and "****" in r["phone"] for r in cli)
    # nothing beyond the contact line: no birth month, native place, résumé
    assert set(web[0]) == {"单位", "单位类别", "首席数据官", "职务", "联系电话", "状态", "推荐日期",
                           "任命日期", "备案日期", "数据专员人数"}


@pytest.mark.parametrize("phone", ["15212346279", "0818-2123456", "12345", "",
                                   "13912345678、0818-2123456", "028-1234", "1391234567890"])
def test_roster_masks_phones_in_sql_as_the_cli_does(own_demo, phone):
    from cdo.masking import mask_phone

    conn = sqlite3.connect(own_demo)
    with conn:
        conn.execute("UPDATE cdos SET phone = ? WHERE status <> 'ended'", [phone])
        got = {r[0] for r in conn.execute("SELECT 联系电话 FROM 名册 WHERE 首席数据官 IS NOT NULL")}
    conn.close()
    assert got == {mask_phone(phone) or None}


def test_calendar_and_items_views(demo):
    ds = datasette(demo)
    items = rows(ds, "评价指标")
    assert [r["项目序号"] for r in items] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17]
    assert {r["评价部分"] for r in items} == set(PARTS.values())
    days = rows(ds, "日历", 日期="2023-10-07")
    assert days == [{"日期": "2023-10-07", "年份": "2023", "月份": "2023-10", "星期": "星期六",
                     "是否工作日": "工作日", "类型": "调休上班", "节日": "国庆节",
                     "工作日序号": days[0]["工作日序号"], "依据": "国务院通知（自带）",
                     "暂定": "否", "本地调整": None}]


# ----------------------------------------------------------------------------- calendar


def _sql_calendar(path) -> dict[str, tuple[int, int, int, str]]:
    conn = sqlite3.connect(path)
    out = {d: (w, s, p, k) for d, w, s, p, k in conn.execute(
        "SELECT date, workday, seq, provisional, kind FROM workdays")}
    conn.close()
    return out


def _agree(path) -> None:
    from cdo.store import calendar_store
    from cdo.store.db import open_db

    cal = calendar_store.load_calendar(open_db(path))
    table = _sql_calendar(path)
    start = dt.date(2004, 1, 1)
    base = table[start.isoformat()][1]
    d = start
    while d <= dt.date(2027, 12, 31):
        workday, seq, provisional, kind = table[d.isoformat()]
        day = cal.day(d)
        assert (bool(workday), provisional, kind) == (day.workday, day.provisional, day.kind), d
        assert seq - base == cal.workdays_between(start, d), d
        d += dt.timedelta(days=1)


def test_sql_calendar_agrees_with_python_every_day_2004_to_2027(demo):
    _agree(demo)


def test_calendar_table_follows_load_unload_and_local_days(own_demo, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text("2027-02-06 班 春节\n2027-02-08 休 春节\n2027-02-09 休 春节\n"
                      "2027-02-10 休 春节\n", encoding="utf-8")
    run_cli(own_demo, "calendar", "load", notice)
    run_cli(own_demo, "calendar", "set", "2024-03-04", "off", "--reason", "办公楼停电")
    _agree(own_demo)
    table = _sql_calendar(own_demo)
    assert table["2027-02-06"][0] == 1 and table["2027-02-08"][0] == 0
    assert table["2024-03-04"][0] == 0
    run_cli(own_demo, "calendar", "unload", "2027", "--reason", "测试")
    run_cli(own_demo, "calendar", "unset", "2024-03-04", "--reason", "测试")
    _agree(own_demo)
    assert _sql_calendar(own_demo)["2024-03-04"][0] == 1


def test_overdue_days_in_sql_agree_with_python_for_every_due_date(demo):
    """seq(as_of) - seq(due) = workdays_between(due, as_of) over many pairs of days."""
    from cdo.store import calendar_store
    from cdo.store.db import open_db

    cal = calendar_store.load_calendar(open_db(demo))
    conn = sqlite3.connect(demo)
    sql = ("SELECT a.date, b.date, b.seq - a.seq FROM workdays a JOIN workdays b"
           " ON b.date > a.date AND b.date <= date(a.date, '+60 days')"
           " WHERE a.date BETWEEN '2004-01-01' AND '2027-12-31' AND a.date LIKE '%-_7'")
    n = 0
    for due, day, between in conn.execute(sql):
        assert between == cal.workdays_between(dt.date.fromisoformat(due),
                                               dt.date.fromisoformat(day)), (due, day)
        n += 1
    conn.close()
    assert n > 50_000


def test_a_missing_calendar_table_is_built_on_serve(own_demo, cli, monkeypatch):
    import cdo.web
    from cdo.store.db import open_db

    conn = sqlite3.connect(own_demo)
    with conn:
        conn.execute("DELETE FROM workdays")
        conn.execute("DELETE FROM workdays_built")
    conn.close()
    open_db(own_demo).close()
    run_cli(own_demo, "units", "list")  # an ordinary command does not build it
    assert _sql_calendar(own_demo) == {}
    monkeypatch.setattr(cdo.web, "serve", lambda paths, host, port: None)
    assert cli("--db", own_demo, "serve").exit_code == 0
    _agree(own_demo)


# ----------------------------------------------------------------------------- locks

PERSONAL = ["cdos", "specialists", "roster_forms", "audit_log", "demo_marker", "workdays_built"]


@pytest.mark.parametrize("table", PERSONAL)
def test_personal_and_internal_tables_are_refused(demo, table):
    ds = datasette(demo)
    for fmt in ("json", None):
        r = get(ds, ds.urls.table(NAME, table, format=fmt))
        assert r.status_code == 403, (table, fmt)
    listed = get(ds, ds.urls.database(NAME, format="json")).json()
    assert table not in {t["name"] for t in listed["tables"]}


@pytest.mark.parametrize("sql", [
    "select phone from cdos",
    "select * from cdos",
    "select count(*) from audit_log",
    "select count(*) from roster_forms",
    "select (select phone from cdos limit 1)",
    "with x as (select * from specialists) select phone from x",
    "select before, after from audit_log",
    "select resume from cdos where 1 = 1",
    "select source_file from spotchecks",
    "select source_file from roster_forms",
    "select name from units union select phone from cdos",
    "select * from pragma_table_info('cdos') join cdos",
    "SELECT PHONE FROM CDOS",
    "select note from problem_events",
    "select file from pragma_database_list",
    "select attendee from attendance",
])
def test_custom_sql_reading_personal_data_is_refused(demo, sql):
    ds = datasette(demo)
    r = get(ds, ds.urls.database(NAME, format="json"), sql=sql, _shape="array")
    assert r.status_code == 400
    assert "prohibited" in r.text or "not authorized" in r.text


def test_custom_sql_on_public_tables_works_and_where_cannot_reach_phones(demo):
    ds = datasette(demo)
    r = get(ds, ds.urls.database(NAME, format="json"), _shape="array",
            sql="select count(*) as n from problems join units on units.id = problems.unit_id")
    assert r.status_code == 200 and r.json() == [{"n": 22}]
    r = get(ds, ds.urls.table(NAME, "units", format="json"), _shape="array",
            _where="name in (select phone from cdos)")
    assert r.status_code >= 400 and "prohibited" in r.text


def test_no_full_phone_number_anywhere_in_the_served_data(demo):
    conn = sqlite3.connect(demo)
    phones = {p for (p,) in conn.execute(
        "SELECT phone FROM cdos WHERE phone <> '' UNION SELECT phone FROM specialists"
        " WHERE phone <> ''")}
    conn.close()
    assert phones
    ds = datasette(demo)
    listed = get(ds, ds.urls.database(NAME, format="json")).json()
    names = [t["name"] for t in listed["tables"]] + [v["name"] for v in listed["views"]]
    assert "名册" in names and "cdos" not in names
    for name in names:
        text = get(ds, ds.urls.table(NAME, name, format="json"), _size="max").text
        assert not any(p in text for p in phones), name


def test_the_database_file_and_its_place_on_disk_are_not_served(demo):
    ds = datasette(demo)
    assert get(ds, f"/{NAME}.db").status_code == 403
    for path in ("/-/databases", "/-/databases.json"):
        r = get(ds, path)
        assert r.status_code == 403 and str(demo) not in r.text
    for path in ("/-/metadata.json", "/-/settings.json", f"/{NAME}.json", "/.json"):
        r = get(ds, path)
        assert r.status_code == 200 and str(demo.parent) not in r.text, path


def test_several_cities_side_by_side_with_the_readme_cross_database_query(demo, tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    sql = re.findall(r"```sql\n(.*?)\n```", readme, re.S)[0]
    dazhou, bazhong = tmp_path / "dazhou.db", tmp_path / "bazhong.db"
    copy_db(demo, dazhou)
    copy_db(demo, bazhong)
    conn = sqlite3.connect(bazhong)
    with conn:
        conn.execute("DELETE FROM problems WHERE id > 10")
    conn.close()
    ds = datasette(dazhou, bazhong)
    r = get(ds, "/_memory.json", sql=sql, _shape="array")
    assert r.status_code == 200, r.text
    assert r.json() == [{"城市": "达州", "逾期问题": len(cli_json(dazhou, "report", "overdue"))},
                        {"城市": "巴中", "逾期问题": len(cli_json(bazhong, "report", "overdue"))}]
    assert r.json()[0]["逾期问题"] > r.json()[1]["逾期问题"] > 0
    r = get(ds, "/_memory.json", sql="select phone from [bazhong].cdos", _shape="array")
    assert r.status_code == 400 and "prohibited" in r.text
    for path in ("/_memory", "/_memory.json", "/.json", "/-/databases.json"):
        assert str(tmp_path) not in get(ds, path).text, path


# ----------------------------------------------------------------------------- command


def test_serve_warns_off_loopback_and_starts_datasette(cli, demo, monkeypatch, tmp_path):
    import cdo.web

    started = []
    monkeypatch.setattr(cdo.web, "serve", lambda paths, host, port: started.append(
        (paths, host, port)))
    db = tmp_path / "cdo.db"
    copy_db(demo, db)
    r = cli("--db", db, "serve")
    assert r.exit_code == 0 and r.stderr == ""
    assert "http://127.0.0.1:8001/" in r.stdout
    r = cli("--db", db, "serve", "--host", "0.0.0.0", "--port", "9000")
    assert r.exit_code == 0
    assert "同一网络上的其他电脑也能打开" in r.stderr
    assert started == [([db], "127.0.0.1", 8001), ([db], "0.0.0.0", 9000)]


def test_serve_without_the_web_extra_says_how_to_install(cli, demo, monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "datasette", None)
    monkeypatch.delitem(sys.modules, "cdo.web", raising=False)
    db = tmp_path / "cdo.db"
    copy_db(demo, db)
    r = cli("--db", db, "serve")
    assert r.exit_code == 1
    assert r.stderr == ("cdo: 网页查看需要安装 web 扩展：pip install 'cdo[web]'"
                        "（在 cdo 源码目录下：pip install '.[web]'）\n")


def test_serve_refuses_a_missing_database(cli, tmp_path):
    r = cli("--db", tmp_path / "nope.db", "serve")
    assert r.exit_code == 1 and "数据库不存在" in r.stderr


# ----------------------------------------------------------------------------- migration


def test_source_files_are_stored_as_file_names(demo):
    conn = sqlite3.connect(demo)
    names = [n for (n,) in conn.execute(
        "SELECT source_file FROM cdos UNION ALL SELECT source_file FROM roster_forms"
        " UNION ALL SELECT source_file FROM spotchecks") if n]
    conn.close()
    assert len(names) > 10
    assert not [n for n in names if "/" in n or "\\" in n]


def test_an_older_database_migrates_paths_to_names_and_masks_its_phones(tmp_path):
    from sqlite_utils import Database

    from cdo.masking import mask_phone
    from cdo.store.db import open_db
    from cdo.store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m011_web_views")
    assert "workdays" not in old.table_names()
    old.execute("INSERT INTO units (id, name, category, created_at) VALUES (1, '通川区',"
                " 'region', 'x')")
    for i, (file, phone) in enumerate([("/home/clerk/表格/推荐表 通川区.xlsx", "13912345678"),
                                       (r"C:\Users\clerk\推荐表.xlsx", "0818-2123456、15212346279"),
                                       ("推荐表.xlsx", None)], 1):
        old.execute("INSERT INTO cdos (id, unit_id, name, phone, status, source_file, created_at,"
                    " updated_at) VALUES (?, 1, '某某', ?, ?, ?, 'x', 'x')",
                    [i, phone, "ended" if i < 3 else "recommended", file])
    old.conn.commit()
    old.conn.close()
    db = open_db(path)
    assert [r[0] for r in db.execute("SELECT source_file FROM cdos ORDER BY id")] == [
        "推荐表 通川区.xlsx", "推荐表.xlsx", "推荐表.xlsx"]
    assert [r[0] for r in db.execute("SELECT phone FROM masked_phones ORDER BY cdo_id")] == [
        mask_phone("13912345678"), mask_phone("0818-2123456、15212346279"), None]
    db.execute("UPDATE cdos SET phone = '13800001111' WHERE id = 3")
    assert db.execute("SELECT phone FROM masked_phones WHERE cdo_id = 3").fetchone()[0] == (
        "138****1111")


def test_serve_help_is_chinese(cli):
    r = cli("serve", "--help")
    assert r.exit_code == 0
    for english in ("Usage", "Options", "[default", "list[Path]", "Show this"):
        assert english not in r.stdout


def test_refused_reads_are_not_echoed_on_the_clerks_terminal(capsys):
    import sys

    from cdo.web import _QuietRefusals

    quiet = _QuietRefusals(sys.stderr)
    quiet.write("ERROR: conn=<x>, sql = 'select count(*) from [cdos]', params = None:"
                " access to cdos.id is prohibited\n")
    quiet.write("something else\n")
    assert capsys.readouterr().err == "something else\n"


def test_a_built_calendar_table_is_kept_fresh_by_any_command(own_demo):
    conn = sqlite3.connect(own_demo)
    with conn:
        conn.execute("UPDATE workdays SET workday = 1 - workday WHERE date = '2024-10-01'")
        conn.execute("UPDATE workdays_built SET fingerprint = 'an older release'")
    conn.close()
    run_cli(own_demo, "units", "list")
    _agree(own_demo)
    assert _sql_calendar(own_demo)["2024-10-01"][0] == 0


def test_a_fresh_database_is_not_given_the_calendar_table_until_served(db):
    assert db.execute("SELECT count(*) FROM workdays").fetchone()[0] == 0


def test_datasettes_own_words_are_put_into_chinese_on_every_page(demo):
    ds = datasette(demo)
    for path in (ds.urls.instance(), ds.urls.database(NAME), ds.urls.table(NAME, "逾期问题"),
                 ds.urls.query(NAME, "某日的逾期问题") + "?日期=2023-12-29"):
        html = get(ds, path).text
        assert "查看和编辑 SQL" in html and "document.createTreeWalker" in html, path


# ----------------------------------------------------------------------------- review fixes

SECRET = "联系人张三13912345678"


def _clerk_text_everywhere(db) -> None:
    """The clerk's own words, with a phone number, in every free-text field a command takes."""
    run_cli(db, "score", "set", "--year", 2023, "--unit", "渠县", "--item", 1, "--points", 3,
            "--note", SECRET, "--reason", "复核")
    run_cli(db, "duty", "meeting", "add", "--on", "2024-01-10", "--title", SECRET,
            "--note", SECRET)
    run_cli(db, "calendar", "set", "2024-03-04", "off", "--reason", SECRET)


@pytest.mark.parametrize("sql", [
    "select note from scores",
    "select * from scores",
    "select count(*) from scores where note like '%139%'",
    "select title from meetings",
    "select note from meetings",
    "select local_reason from workdays",
    "select * from workdays",
    "select reason from calendar_local",
    "select alias from unit_aliases",
    "select withdraw_reason from spotchecks",
    "select source from score_imports",
    "select before_note from score_import_cells",
])
def test_the_clerks_notes_titles_and_reasons_are_refused_in_sql(own_demo, sql):
    _clerk_text_everywhere(own_demo)
    ds = datasette(own_demo)
    r = get(ds, ds.urls.database(NAME, format="json"), sql=sql, _shape="array")
    assert r.status_code == 400 and SECRET not in r.text, r.text
    assert "prohibited" in r.text or "not authorized" in r.text


def test_the_clerks_words_appear_on_no_served_page(own_demo):
    _clerk_text_everywhere(own_demo)
    ds = datasette(own_demo)
    r = get(ds, ds.urls.table(NAME, "scores", format="json"), _shape="array",
            _where="note like '%139%'")
    assert r.status_code >= 400 and SECRET not in r.text
    for table in ("scores", "meetings", "workdays", "calendar_local", "unit_aliases"):
        r = get(ds, ds.urls.table(NAME, table, format="json"), _shape="array")
        assert r.status_code == 403 and SECRET not in r.text, table
    listed = get(ds, ds.urls.database(NAME, format="json")).json()
    names = [t["name"] for t in listed["tables"]] + [v["name"] for v in listed["views"]]
    assert "日历" in names and "评价排名" in names
    for name in names:
        r = get(ds, ds.urls.table(NAME, name, format="json"), _size="max")
        assert r.status_code == 200 and SECRET not in r.text, name
    day = rows(ds, "日历", 日期="2024-03-04")
    assert (day[0]["是否工作日"], day[0]["本地调整"]) == ("休息日", "本地调整为休息日")
    ranking = [r for r in rows(ds, "评价排名") if r["年度"] == 2023 and r["单位"] == "渠县"]
    assert len(ranking) == 1


# Every text column custom SQL can read, by table. Codes, dates and timestamps, and the
# free text the README's web section names as served (FREE_TEXT_SERVED).
FREE_TEXT_SERVED = {"units.name", "units.short", "problems.reporter", "problems.resource",
                    "masked_descriptions.description", "cdos.name", "cdos.position", "eval_items.text",
                    "eval_items.part_name", "calendar_days.name", "calendar_years.source",
                    "workdays.name", "masked_phones.phone"}


def test_readable_free_text_is_exactly_what_the_readme_says(demo):
    import re
    import sqlite3 as sq
    from pathlib import Path

    from cdo.web import authorize

    conn = sq.connect(demo)
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    readable_text = set()
    for t in tables:
        for _, col, kind, *_ in conn.execute(f"PRAGMA table_info([{t}])"):
            if kind.upper() == "TEXT" and authorize(sq.SQLITE_READ, t, col, None, None) == 0:
                readable_text.add(f"{t}.{col}")
    conn.close()
    codes_and_dates = {c for c in readable_text
                       if re.search(r"(_on|_at|_until|date|month|status|kind|source|dimension|"
                                    r"category|action|part|year_status|fingerprint)$", c)
                       and c not in FREE_TEXT_SERVED}
    assert readable_text - codes_and_dates == FREE_TEXT_SERVED
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    served = re.search(r"Free text served[^\n]*\n((?:.+\n)+?)\n", readme)
    assert served, "the README names the free text it serves"
    assert set(re.findall(r"`(\w+\.\w+)`", served.group(1))) == FREE_TEXT_SERVED


@pytest.mark.parametrize("spelling", ["2023年12月20日", "2023/12/20", "2023.12.20",
                                      " 2023-12-20 ", "2023-12-20", "2023年12月20日 ", "20231220"])
def test_overdue_canned_query_takes_the_clis_date_spellings(demo, spelling):
    cli = cli_json(demo, "report", "overdue", "--as-of", "2023-12-20")
    web = query(datasette(demo), "某日的逾期问题", 日期=spelling)
    assert cli and [web_problem(r) for r in web] == [problem_as_web(p) for p in cli]


@pytest.mark.parametrize(("spelling", "words"), [
    ("foo", "日期格式不对：'foo'"), ("2023-02-30", "日期不存在：2023-02-30"),
    ("2023年13月1日", "日期不存在"), ("", "请输入日期"),
])
def test_an_unreadable_date_says_so_instead_of_returning_nothing(demo, spelling, words):
    web = query(datasette(demo), "某日的逾期问题", 日期=spelling)
    assert len(web) == 1 and words in web[0]["责任单位"], web
    assert {k for k, v in web[0].items() if v is not None} == {"责任单位"}


def test_one_units_problems_by_alias_and_loose_name(own_demo):
    run_cli(own_demo, "units", "alias", "达州市卫生健康委员会", "卫健委")
    ds = datasette(own_demo)
    for name in ("卫健委", "市卫生健康委", "卫生健康委员会", " 达州市卫生健康委员会 ",
                 "市公安局（本级）"):
        cli = cli_json(own_demo, "spotcheck", "list", "--unit", name)
        web = query(ds, "某单位的问题", 单位=name)
        assert cli and [web_problem(r) for r in web] == [problem_as_web(p) for p in cli], name


@pytest.mark.parametrize(("name", "words"), [
    ("没有这个单位", "没有这个单位：'没有这个单位'（全部单位见“单位（原始表）”）"),
    ("", "请输入单位"),
])
def test_an_unknown_unit_says_so_instead_of_returning_nothing(demo, name, words):
    web = query(datasette(demo), "某单位的问题", 单位=name)
    assert len(web) == 1 and words in web[0]["责任单位"], web
    assert {k for k, v in web[0].items() if v is not None} == {"责任单位"}


def test_a_unit_without_problems_gives_no_rows(demo):
    assert query(datasette(demo), "某单位的问题", 单位="万源市") == []


@pytest.mark.parametrize("path", [
    "/-/versions", "/-/versions.json", "/-/plugins.json", "/-/settings.json",
    "/-/threads.json", "/-/actor.json", "/-/metadata.json", "/-/permissions",
    "/-/allow-debug", "/-/messages", "/-/patterns", "/-/config.json",
])
def test_datasettes_own_pages_never_fail_or_print_a_traceback(demo, capfd, path):
    ds = datasette(demo)
    r = get(ds, path)
    assert r.status_code < 500, (path, r.text[:300])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "not authorized" not in out + err


def test_versions_page_is_refused_cleanly(demo):
    ds = datasette(demo)
    for path in ("/-/versions", "/-/versions.json"):
        r = get(ds, path)
        assert r.status_code == 403 and "不提供此页面" in r.text


@pytest.mark.parametrize("how", ["sql_json", "sql_html", "where_json", "where_html",
                                 "table_html"])
def test_refused_queries_print_no_traceback_on_the_clerks_terminal(demo, capfd, how):
    ds = datasette(demo)
    sql = "select phone from cdos"
    if how.startswith("sql"):
        r = get(ds, ds.urls.database(NAME, format="json" if how == "sql_json" else None),
                sql=sql)
    elif how.startswith("where"):
        r = get(ds, ds.urls.table(NAME, "units", format="json" if how == "where_json" else None),
                _where="name in (select phone from cdos)")
    else:
        r = get(ds, ds.urls.table(NAME, "cdos"))
    assert 400 <= r.status_code < 500, r.text[:300]
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "╭" not in out + err, out + err


def test_an_unexpected_error_is_one_line_on_the_terminal_not_a_traceback(demo, capfd):
    from cdo.web import handle_exception

    ds = datasette(demo)
    asyncio.run(ds.invoke_startup())

    class Request:
        path = "/cdo/逾期问题.json"

    r = asyncio.run(handle_exception(ds, Request(), RuntimeError("磁盘出错"))())
    assert r.status == 500 and json.loads(r.body)["error"] == "磁盘出错"
    out, err = capfd.readouterr()
    assert (out, err) == ("", "cdo serve：页面 /cdo/逾期问题.json 出错：RuntimeError: 磁盘出错\n")


# ----------------------------------------------------------------- a phone in a description

PHONE, MASKED = "13912345678", "139****5678"


def _problem_with_a_phone(db, issued_on="2023-09-01") -> int:
    """A problem (overdue today) whose description carries a contact's mobile number."""
    run_cli(db, "spotcheck", "add", "--unit", "渠县", "--resource", "人口库",
            "--dimension", "准确性", "--description", f"身份证号校验位错误，联系人 {PHONE}",
            "--issued-on", issued_on)
    return max(p["id"] for p in cli_json(db, "spotcheck", "list"))


def test_a_phone_in_a_description_is_served_masked_as_the_cli_shows_it(own_demo):
    pid = _problem_with_a_phone(own_demo)
    cli = [p for p in cli_json(own_demo, "spotcheck", "list") if p["id"] == pid]
    assert cli[0]["description"] == f"身份证号校验位错误，联系人 {MASKED}"
    ds = datasette(own_demo)
    web = [r for r in rows(ds, "单位问题") if r["问题编号"] == pid]
    assert [web_problem(r) for r in web] == [problem_as_web(p) for p in cli]
    pages = [get(ds, ds.urls.table(NAME, view, format="json"), _shape="array", _size="max")
             for view in ("单位问题", "逾期问题")]
    pages += [get(ds, ds.urls.query(NAME, "某单位的问题", format="json"), 单位="渠县"),
              get(ds, ds.urls.query(NAME, "某日的逾期问题", format="json"), 日期="2024-06-03"),
              get(ds, ds.urls.database(NAME, format="json"), _shape="array",
                  sql=f"select description from masked_descriptions where problem_id = {pid}")]
    for r in pages:
        assert r.status_code == 200 and MASKED in r.text and PHONE not in r.text, r.text[:300]


@pytest.mark.parametrize("sql", [
    "select description from problems",
    "select * from problems",
    "select count(*) from problems where description like '%139123%'",
    "with problems(description) as (select 1) select description from main.problems",
    "select p.description from 单位问题 v join problems p on p.id = v.问题编号",
])
def test_the_raw_description_is_refused_in_sql(own_demo, sql):
    _problem_with_a_phone(own_demo)
    ds = datasette(own_demo)
    r = get(ds, ds.urls.database(NAME, format="json"), sql=sql, _shape="array")
    assert r.status_code == 400 and PHONE not in r.text, r.text
    assert "prohibited" in r.text
    r = get(ds, ds.urls.table(NAME, "problems", format="json"), _shape="array")
    assert r.status_code == 403 and PHONE not in r.text
    r = get(ds, ds.urls.database(NAME, format="json"), _shape="array",
            sql="select id, resource, status from problems where description is null")
    assert r.status_code == 400  # a WHERE on the description is a read of it too


def test_a_description_another_program_writes_is_masked_roughly_then_exactly(own_demo):
    pid = _problem_with_a_phone(own_demo)
    conn = sqlite3.connect(own_demo)
    with conn:
        conn.execute("UPDATE problems SET description = '2024年复核：联系 0818-2123456' "
                     "WHERE id = ?", [pid])
    conn.close()

    def served():
        return [r["问题描述"] for r in rows(datasette(own_demo), "单位问题")
                if r["问题编号"] == pid]

    assert served() == ["****年复核：联系 ****-*******"]  # every digit, until cdo runs
    run_cli(own_demo, "units", "list")  # any command masks it as the CLI does
    assert served() == ["2024年复核：联系 0818-***3456"]


def test_the_migration_masks_the_descriptions_already_there(tmp_path):
    from sqlite_utils import Database, Migrations

    from cdo.store.db import open_db
    from cdo.store.schema import migrations

    path = tmp_path / "older.db"
    old = Database(path)
    part = Migrations("cdo")
    names = [m.name for m in migrations._migrations]
    part._migrations = migrations._migrations[:names.index("m014_masked_descriptions")]
    part.apply(old)
    old.execute("INSERT INTO units (id, name, category, created_at)"
                " VALUES (1, '渠县', 'region', 'x')")
    old.execute("INSERT INTO problems (id, month, source, unit_id, resource, dimension,"
                " description, issued_on, due_on, original_due_on, created_at) VALUES"
                f" (7, '2025-01', 'spotcheck', 1, '人口库', 'accuracy', '联系人 {PHONE}',"
                " '2025-01-02', '2025-02-20', '2025-02-20', 'x')")
    old.conn.commit()
    old.close()
    open_db(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT * FROM masked_descriptions").fetchall() == [
        (7, f"联系人 {MASKED}", 1)]
    conn.close()


def test_a_file_cdo_cannot_write_keeps_the_rough_mask_and_the_command_runs(own_demo):
    from cdo.store.db import open_db, remask

    pid = _problem_with_a_phone(own_demo)
    conn = sqlite3.connect(own_demo)
    with conn:
        conn.execute("UPDATE problems SET description = '联系 13912345678' WHERE id = ?", [pid])
    conn.close()
    db = open_db(own_demo)
    db.execute("PRAGMA query_only=ON")  # as a file on a read-only share
    assert remask(db) == 0
    assert db.execute("SELECT description, exact FROM masked_descriptions WHERE problem_id = ?",
                      [pid]).fetchone() == ("联系 ***********", 0)
    db.close()
