"""`cdo calendar …` through the command line: good input, bad input, and the deadline hook."""

import json

import pytest

from cdo.paths import data_dir
from cdo.store.db import open_db

NOTICES = data_dir() / "holidays" / "notices"


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def user_error(r, *fragments):
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert r.stderr.startswith("cdo: ")
    assert "Traceback" not in r.stderr + r.stdout
    for f in fragments:
        assert f in r.stderr
    return r


# -- deadline ------------------------------------------------------------------------------


def test_deadline(cli):
    r = ok(cli("calendar", "deadline", "2023-09-27", "30"))
    assert r.stdout == "自 2023-09-27（星期三）起第 30 个工作日：2023-11-14（星期二）\n"
    assert r.stderr == ""
    r = ok(cli("calendar", "deadline", "2023年9月27日", "15"))
    assert "2023-10-24（星期二）" in r.stdout


def test_deadline_json(cli):
    r = ok(cli("calendar", "deadline", "2023/9/27", "30", "--format", "json"))
    assert json.loads(r.stdout) == {"start": "2023-09-27", "n": 30, "due_on": "2023-11-14",
                                    "provisional": False}
    r = ok(cli("calendar", "deadline", "2023.9.27", "30", "-f", "csv"))
    assert r.stdout == "start,n,due_on,provisional\n2023-09-27,30,2023-11-14,false\n"


def test_deadline_explain(cli):
    r = ok(cli("calendar", "deadline", "2023-09-27", "30", "--explain"))
    out = r.stdout
    assert "第1天" in out and "第30天" in out and "第31天" not in out
    assert "放假：国庆节" in out
    assert "调休上班：国庆节" in out
    assert "周末" in out
    lines = [ln for ln in out.splitlines() if "2023-10-07" in ln]
    assert len(lines) == 1 and "第2天" in lines[0] and "星期六" in lines[0]
    assert out.rstrip().endswith("2023-11-14（星期二）")


def test_deadline_explain_json(cli):
    r = ok(cli("calendar", "deadline", "2023-09-27", "3", "--explain", "-f", "json"))
    data = json.loads(r.stdout)
    assert data["due_on"] == "2023-10-08"
    assert [(d["date"], d["number"], d["kind"]) for d in data["days"]] == [
        ("2023-09-28", 1, "workday"), ("2023-09-29", None, "holiday"),
        ("2023-09-30", None, "holiday"), *[(f"2023-10-0{i}", None, "holiday") for i in range(1, 7)],
        ("2023-10-07", 2, "adjusted_workday"), ("2023-10-08", 3, "adjusted_workday")]


def test_deadline_provisional(cli):
    r = ok(cli("calendar", "deadline", "2026-12-10", "30"))
    assert "暂定" in r.stdout
    assert "2027 年的放假安排通知尚未载入" in r.stderr
    assert "calendar load" in r.stderr
    r = ok(cli("calendar", "deadline", "2026-12-10", "30", "-f", "json"))
    assert json.loads(r.stdout)["provisional"] is True


@pytest.mark.parametrize("args, message", [
    (["2023-02-30", "30"], "日期不存在"),
    (["明天", "30"], "起算日期格式不对"),
    (["2023-09-27", "0"], "正整数"),
    (["2023-09-27", "-1"], "正整数"),
    (["2023-09-27", "1.5"], "正整数"),
    (["2023-09-27", "三十"], "正整数"),
    (["2023-09-27", "999999"], "太大"),
    (["0001-01-01", "3"], "范围"),
])
def test_deadline_bad_input(cli, args, message):
    user_error(cli("calendar", "deadline", *args), message)


# -- show ----------------------------------------------------------------------------------


def test_show_month_grid(cli):
    r = ok(cli("calendar", "show", "2023-10"))
    out = r.stdout
    assert "2023年10月" in out
    assert "一" in out and "日" in out
    assert " 1休" in out and " 7班" in out and " 8班" in out
    assert "图例" in out and "休 放假" in out and "班 调休上班" in out
    assert "10月7日—8日　班　国庆节" in out
    assert "官方（内置）：国务院办公厅关于2023年部分节假日安排的通知" in out.replace("\n", "")
    assert "本月工作日 19 天，休息日 12 天" in out


def test_show_provisional_month(cli):
    r = ok(cli("calendar", "show", "2027年5月"))
    assert "暂定" in r.stdout and " 1休?" in r.stdout
    assert "2027 年的放假安排通知尚未载入" in r.stdout


def test_show_json(cli):
    rows = json.loads(ok(cli("calendar", "show", "2024-02", "-f", "json")).stdout)
    assert len(rows) == 29
    assert rows[3] == {"date": "2024-02-04", "weekday": 7, "workday": True,
                       "kind": "adjusted_workday", "name": "春节", "local_reason": None,
                       "provisional": False}


@pytest.mark.parametrize("month", ["2023-13", "abc", "2023-10-01", "0001-01"])
def test_show_bad_month(cli, month):
    user_error(cli("calendar", "show", month))


# -- years ---------------------------------------------------------------------------------


def test_years(cli):
    r = ok(cli("calendar", "years", "-f", "json"))
    rows = {x["year"]: x for x in json.loads(r.stdout)}
    assert rows[2004]["status"] == "official" and rows[2026]["status"] == "official"
    assert rows[2027]["status"] == "provisional"
    assert rows[2024]["source"] == ("国务院办公厅关于2024年部分节假日安排的通知"
                                    "（国办发明电〔2023〕7号）")
    r = ok(cli("calendar", "years"))
    assert "官方（内置）" in r.stdout and "暂定" in r.stdout
    r = ok(cli("calendar", "years", "-f", "csv"))
    assert r.stdout.splitlines()[0] == "year,status,source,holidays,workdays,local"


# -- load ----------------------------------------------------------------------------------


def test_load_json_prints_the_parsed_notice(cli):
    r = ok(cli("calendar", "load", NOTICES / "2026.txt", "--dry-run", "--format", "json"))
    data = json.loads(r.stdout)
    assert set(data) == {"year", "holidays", "workdays"}
    assert data["year"] == 2026
    assert data["holidays"][:4] == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15"]
    assert data["workdays"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09",
                                "2026-09-20", "2026-10-10"]
    assert len(data["holidays"]) == 33
    assert "试运行" in r.stderr


def test_load_dry_run_saves_nothing(cli, db_path):
    r = ok(cli("calendar", "load", NOTICES / "2024.txt", "--dry-run"))
    assert "2024 年放假安排" in r.stdout and "试运行，没有保存" in r.stdout
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM calendar_years").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def test_load_saves_once_and_reload_changes_nothing(cli, db_path, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text("2027-01-01 休 元旦\n2027-02-06 班 春节\n", encoding="utf-8")
    r = ok(cli("calendar", "load", notice))
    assert "已载入 2027 年" in r.stdout
    years = {x["year"]: x for x in json.loads(ok(cli("calendar", "years", "-f", "json")).stdout)}
    assert years[2027]["status"] == "loaded"
    r = ok(cli("calendar", "load", notice))
    assert "与已有数据一致" in r.stdout and "未作改动" in r.stdout
    db = open_db(db_path)
    audit = [dict(x) for x in db.query("SELECT entity, entity_id, action FROM audit_log")]
    assert audit == [{"entity": "calendar_year", "entity_id": "2027", "action": "load"}]


def test_loading_the_bundled_notice_again_changes_nothing(cli, db_path):
    r = ok(cli("calendar", "load", NOTICES / "2024.txt"))
    assert "与已有数据一致" in r.stdout and "未作改动" in r.stdout
    years = {x["year"]: x for x in json.loads(ok(cli("calendar", "years", "-f", "json")).stdout)}
    assert years[2024]["status"] == "official"
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def _backups(db_path):
    folder = db_path.parent / "backups"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _something_recorded(cli):
    """auto_backup skips a database with an empty audit log: record a unit first."""
    ok(cli("units", "add", "达州市财政局", "--category", "市级部门"))


def test_a_partial_list_never_silently_replaces_an_official_year(cli, db_path, tmp_path):
    _something_recorded(cli)
    one = tmp_path / "one.txt"
    one.write_text("2024-10-01 休\n", encoding="utf-8")
    before = json.loads(ok(cli("calendar", "deadline", "2024-09-27", "30", "-f", "json")).stdout)
    r = user_error(cli("calendar", "load", one), "2024 年已有放假安排数据", "未载入",
                   "26 天将改变是否上班", "--replace", "cdo calendar unload 2024")
    assert "2024-01-01（星期一）休息 → 上班（元旦）" in r.stderr
    assert "另有 16 天" in r.stderr
    assert r.stdout == ""
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM calendar_years").fetchone()[0] == 0
    assert _backups(db_path) == []  # refused: no copy taken
    # --dry-run shows the same list and saves nothing.
    r = ok(cli("calendar", "load", one, "--dry-run"))
    assert "26 天将改变是否上班" in r.stdout and "实际载入须加 --replace" in r.stdout
    assert _backups(db_path) == []
    # --replace --dry-run: the preview says what running it without --dry-run does.
    r = ok(cli("calendar", "load", one, "--replace", "--dry-run"))
    assert "去掉 --dry-run 即以这份文件替换 2024 年" in r.stdout
    assert "须加 --replace" not in r.stdout and "试运行" in r.stdout
    assert _backups(db_path) == []
    # --replace does it, after a backup; unload puts the official year back.
    r = ok(cli("calendar", "load", one, "--replace"))
    assert "已替换 2024 年" in r.stdout and "cdo calendar unload 2024" in r.stdout
    assert len(_backups(db_path)) == 1
    moved = json.loads(ok(cli("calendar", "deadline", "2024-09-27", "30", "-f", "json")).stdout)
    assert moved != before
    r = ok(cli("calendar", "unload", "2024", "--dry-run"))
    assert "试运行" in r.stdout and len(_backups(db_path)) == 1
    r = ok(cli("calendar", "unload", "2024", "--reason", "误载"))
    assert "已撤销 2024 年载入的通知" in r.stdout and "内置官方数据" in r.stdout
    assert len(_backups(db_path)) == 2
    after = json.loads(ok(cli("calendar", "deadline", "2024-09-27", "30", "-f", "json")).stdout)
    assert after == before
    years = {x["year"]: x for x in json.loads(ok(cli("calendar", "years", "-f", "json")).stdout)}
    assert years[2024]["status"] == "official"
    actions = [(x["entity"], x["entity_id"], x["action"], x["reason"]) for x in
               db.query("SELECT * FROM audit_log WHERE entity = 'calendar_year' ORDER BY id")]
    assert actions == [("calendar_year", "2024", "load", None),
                       ("calendar_year", "2024", "unload", "误载")]
    user_error(cli("calendar", "unload", "2024"), "没有载入过")
    user_error(cli("calendar", "unload", "明年"), "四位")
    assert len(_backups(db_path)) == 2


def test_a_different_list_for_a_loaded_year_needs_replace(cli, db_path, tmp_path):
    first = tmp_path / "a.txt"
    first.write_text("2027-01-01 休 元旦\n2027-01-04 休 元旦\n", encoding="utf-8")
    ok(cli("calendar", "load", first))
    second = tmp_path / "b.txt"
    second.write_text("2027-01-01 休 元旦\n", encoding="utf-8")
    r = user_error(cli("calendar", "load", second), "1 天将改变是否上班",
                   "2027-01-04（星期一）休息 → 上班（元旦）")
    assert len(_backups(db_path)) == 0
    r = ok(cli("calendar", "load", second, "--replace"))
    assert "已替换 2027 年" in r.stdout
    assert len(_backups(db_path)) == 1
    # Unloading a year with no bundled data makes it provisional again.
    r = ok(cli("calendar", "unload", "2027"))
    assert "暂定规则" in r.stdout
    years = {x["year"]: x for x in json.loads(ok(cli("calendar", "years", "-f", "json")).stdout)}
    assert years[2027]["status"] == "provisional"


def test_set_and_unset_back_up_only_when_they_change_something(cli, db_path):
    _something_recorded(cli)
    ok(cli("calendar", "set", "2023-10-09", "off", "--reason", "停电"))
    assert len(_backups(db_path)) == 1
    ok(cli("calendar", "set", "2023-10-09", "off", "--reason", "停电"))  # no change
    assert len(_backups(db_path)) == 1
    user_error(cli("calendar", "unset", "2023-10-10"), "没有本地调整")
    assert len(_backups(db_path)) == 1
    ok(cli("calendar", "unset", "2023-10-09"))
    assert len(_backups(db_path)) == 2


def test_loading_2027_makes_its_deadlines_official(cli, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text("# 2027\n2027-01-01 休 元旦\n2027-01-04 休 元旦\n2027-02-06 班\n",
                      encoding="utf-8")
    before = json.loads(ok(cli("calendar", "deadline", "2026-12-31", "1", "-f", "json")).stdout)
    assert before == {"start": "2026-12-31", "n": 1, "due_on": "2027-01-04", "provisional": True}
    r = ok(cli("calendar", "load", notice))
    assert "已载入 2027 年" in r.stdout
    after = json.loads(ok(cli("calendar", "deadline", "2026-12-31", "1", "-f", "json")).stdout)
    assert after == {"start": "2026-12-31", "n": 1, "due_on": "2027-01-05", "provisional": False}


def test_load_gbk_notice(cli, tmp_path):
    path = tmp_path / "通知.txt"
    path.write_bytes((NOTICES / "2025.txt").read_text(encoding="utf-8").encode("gbk"))
    r = ok(cli("calendar", "load", path, "--dry-run", "-f", "json"))
    assert json.loads(r.stdout)["workdays"][0] == "2025-01-26"


def test_load_bad_files(cli, tmp_path):
    user_error(cli("calendar", "load", tmp_path / "nope.txt"), "找不到文件")
    memo = tmp_path / "纪要.txt"
    memo.write_text("本周工作纪要：抽查了三个单位的数据。", encoding="utf-8")
    user_error(cli("calendar", "load", memo), "不是节假日安排通知")
    xlsx = tmp_path / "通知.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    user_error(cli("calendar", "load", xlsx), "Word 或 Excel")
    bad = tmp_path / "bad.txt"
    bad.write_text("2027-01-01 休\n2027-02-30 休\n", encoding="utf-8")
    user_error(cli("calendar", "load", bad), "第2行")


# -- set / unset ---------------------------------------------------------------------------


def test_set_and_unset(cli, db_path):
    r = ok(cli("calendar", "set", "2023-10-09", "off", "--reason", "办公楼停电"))
    assert "已设置：2023-10-09（星期一）本地调整为休息日，原因：办公楼停电" in r.stdout
    due = json.loads(ok(cli("calendar", "deadline", "2023-09-27", "30", "-f", "json")).stdout)
    assert due["due_on"] == "2023-11-15"
    r = ok(cli("calendar", "deadline", "2023-09-27", "30", "--explain"))
    assert "本地调整休息：办公楼停电" in r.stdout
    assert "办公楼停电" in ok(cli("calendar", "years")).stdout
    r = ok(cli("calendar", "set", "2023/10/9", "休", "-r", "办公楼停电"))
    assert "已是这样设置的" in r.stdout
    r = ok(cli("calendar", "set", "2023-10-14", "work", "--reason", "市政府通知补班"))
    assert "本地调整为工作日" in r.stdout
    r = ok(cli("calendar", "set", "2023-10-15", "off", "--reason", "周日"))
    assert "本来就是休息日" in r.stdout
    r = ok(cli("calendar", "unset", "2023-10-09", "--reason", "恢复供电"))
    assert "已取消 2023-10-09 的本地调整" in r.stdout
    due = json.loads(ok(cli("calendar", "deadline", "2023-09-27", "30", "-f", "json")).stdout)
    assert due["due_on"] == "2023-11-13"  # 10月14日 is now worked
    db = open_db(db_path)
    actions = [(x["entity"], x["entity_id"], x["action"])
               for x in db.query("SELECT * FROM audit_log ORDER BY id")]
    assert actions == [("calendar_local", "2023-10-09", "set"),
                       ("calendar_local", "2023-10-14", "set"),
                       ("calendar_local", "2023-10-15", "set"),
                       ("calendar_local", "2023-10-09", "remove")]


@pytest.mark.parametrize("args, message", [
    (["2023-10-09", "off"], "--reason"),
    (["2023-10-09", "off", "--reason", "  "], "--reason"),
    (["2023-10-09", "maybe", "--reason", "x"], "off（休）或 work（班）"),
    (["2023-10-32", "off", "--reason", "x"], "日期"),
])
def test_set_bad_input(cli, args, message):
    user_error(cli("calendar", "set", *args), message)


def test_unset_missing(cli):
    user_error(cli("calendar", "unset", "2023-10-09"), "没有本地调整")


# -- the deadline hook ---------------------------------------------------------------------


def _add_problem(db_path, issued_on: str) -> int:
    import datetime as dt

    from cdo.problems import model as problems
    from cdo.roster.units import add_unit

    db = open_db(db_path)
    if not db.execute("SELECT count(*) FROM units").fetchone()[0]:
        add_unit(db, "达州市教育局", "department", None)
    p = problems.add_problem(db, unit="达州市教育局", resource="学籍数据", dimension="准确性",
                           description="身份证号错误", issued_on=dt.date.fromisoformat(issued_on))
    return p["id"]


def test_set_moves_stored_deadlines(cli, db_path):
    pid = _add_problem(db_path, "2023-09-27")
    r = ok(cli("calendar", "set", "2023-10-09", "off", "--reason", "停电"))
    assert "已移动的整改期限" in r.stdout and "2023-11-15" in r.stdout
    db = open_db(db_path)
    due = db.execute("SELECT due_on FROM problems WHERE id = ?", [pid]).fetchone()[0]
    assert due == "2023-11-15"
    r = ok(cli("calendar", "set", "2023-12-01", "off", "--reason", "停电"))
    assert "没有期限受影响" in r.stdout


def test_load_dry_run_shows_moves_and_load_applies_them(cli, db_path, tmp_path):
    pid = _add_problem(db_path, "2026-12-31")
    db = open_db(db_path)
    row = db.execute("SELECT due_on, provisional FROM problems WHERE id = ?", [pid]).fetchone()
    assert tuple(row) == ("2027-02-12", 1)  # provisional: 2027-01-01 off, nothing else
    notice = tmp_path / "2027.txt"
    notice.write_text("2027-01-01 休 元旦\n2027-01-04 休 元旦\n", encoding="utf-8")
    r = ok(cli("calendar", "load", notice, "--dry-run"))
    assert "将移动的整改期限" in r.stdout and "2027-02-15" in r.stdout and "推后 1" in r.stdout
    row = db.execute("SELECT due_on, provisional FROM problems WHERE id = ?", [pid]).fetchone()
    assert tuple(row) == ("2027-02-12", 1)
    r = ok(cli("calendar", "load", notice))
    assert "已移动的整改期限" in r.stdout
    row = db.execute("SELECT due_on, provisional FROM problems WHERE id = ?", [pid]).fetchone()
    assert tuple(row) == ("2027-02-15", 0)
    r = ok(cli("calendar", "load", notice))
    assert "未作改动" in r.stdout and "移动" not in r.stdout


def test_every_calendar_command_has_help(cli):
    for cmd in ("deadline", "show", "years", "load", "unload", "set", "unset"):
        r = ok(cli("calendar", cmd, "--help"))
        assert r.stdout.strip()


def test_load_items_only_with_year(cli, tmp_path):
    """A clerk who copied only the items gives the year on the command line."""
    items = tmp_path / "items.txt"
    items.write_text("一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
                     "二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。"
                     "2月14日（周日）、2月20日（周六）上班。\n", encoding="utf-8")
    user_error(cli("calendar", "load", items, "--dry-run"), "--year")
    r = ok(cli("calendar", "load", items, "--dry-run", "--year", "2027", "-f", "json"))
    data = json.loads(r.stdout)
    assert data["year"] == 2027 and data["workdays"] == ["2027-02-14", "2027-02-20"]
    user_error(cli("calendar", "load", items, "--year", "明年"), "四位年份")


@pytest.mark.parametrize("start", ["1900-01-01", "2003-12-20"])
def test_deadline_before_2004_says_there_is_no_data_not_load_a_notice(cli, start):
    r = ok(cli("calendar", "deadline", start, "30"))
    assert "暂定" in r.stdout
    year = start[:4]
    assert f"本工具没有 2004 年以前的节假日数据（{year} 年）" in r.stderr
    assert "通知尚未载入" not in r.stderr and "calendar load" not in r.stderr
    r = ok(cli("calendar", "show", f"{year}-02"))
    assert "本工具没有 2004 年以前的节假日数据" in r.stdout and "尚未载入" not in r.stdout


def test_set_moves_closed_problems_deadlines_too(cli, db_path):
    import datetime as dt

    from cdo.problems import model as problems

    open_ = _add_problem(db_path, "2023-09-27")
    closed = _add_problem(db_path, "2023-09-27")
    db = open_db(db_path)
    problems.transition(db, [closed], "done", dt.date(2023, 11, 15))  # a day late
    problems.transition(db, [closed], "verify", dt.date(2023, 11, 16))
    r = ok(cli("calendar", "set", "2023-10-09", "off", "--reason", "停电"))
    assert "已移动的整改期限（2 个问题）" in r.stdout and "已销号" in r.stdout
    rows = db.execute("SELECT id, due_on, original_due_on, first_late_on FROM problems"
                      " ORDER BY id").fetchall()
    assert [tuple(x) for x in rows] == [(open_, "2023-11-15", "2023-11-15", None),
                                        (closed, "2023-11-15", "2023-11-15", None)]
    r = ok(cli("calendar", "unset", "2023-10-09"))
    assert "2 个问题" in r.stdout
    late = db.execute("SELECT first_late_on FROM problems WHERE id = ?", [closed]).fetchone()
    assert late[0] == "2023-11-15"


def test_a_phone_in_a_local_days_reason_is_masked_in_every_output(cli):
    """The calendar commands have no --show-contact: a number typed into the reason is
    shown masked everywhere, as `cdo log` shows it."""
    raw, masked = "13912345678", "139****5678"
    outputs = [ok(cli("calendar", "set", "2025-03-06", "off", "--reason",
                      "停电，联系 13912345678")).stdout]
    for fmt in ("table", "json", "csv"):
        outputs.append(ok(cli("calendar", "years", "-f", fmt)).stdout)
        outputs.append(ok(cli("calendar", "show", "2025-03", "-f", fmt)).stdout)
    outputs.append(ok(cli("calendar", "deadline", "2025-03-03", "5", "--explain")).stdout)
    outputs.append(ok(cli("calendar", "deadline", "2025-03-03", "5", "--explain",
                          "-f", "json")).stdout)
    outputs.append(ok(cli("calendar", "unset", "2025-03-06")).stdout)
    for out in outputs:
        assert raw not in out and "12345678" not in out, out
    assert all(masked in out for out in outputs), [o for o in outputs if masked not in o]
    assert masked in ok(cli("log")).stdout


def test_a_partial_list_names_the_days_it_changes_and_the_provisional_holidays_it_drops(
        cli, tmp_path):
    """A simple list of three 休 days and one 班 day for a year whose notice is not out:
    the dry run and the load name each day that changes, and warn that May Day and
    National Day (provisional) become working days."""
    partial = tmp_path / "simple2028.txt"
    partial.write_text("2028-01-01 休\n2028-01-02 休\n2028-1-3 休\n2028/01/08 班\n",
                       encoding="utf-8")
    days = ("改为工作日：1月8日（星期六）调休上班；5月1日—2日 劳动节（暂定）；"
            "10月2日—3日 国庆节（暂定）；10月4日（星期三）国庆节（暂定补假）")
    dropped = "2028 年暂定放假的 5 天列为休息日，这些日子{}工作日"
    r = ok(cli("calendar", "load", partial, "--dry-run"))
    assert "6 天由休息日改为工作日" in r.stdout and days in r.stdout, r.stdout
    assert dropped.format("将改为") in r.stderr and "5月1日—2日 劳动节（暂定）" in r.stderr
    assert "只列了部分安排" in r.stderr
    r = ok(cli("calendar", "load", partial))
    assert days in r.stdout, r.stdout
    assert dropped.format("已改为") in r.stderr and "cdo calendar unload 2028" in r.stderr
    due = json.loads(ok(cli("calendar", "deadline", "2028-04-28", "1", "-f", "json")).stdout)
    assert due["due_on"] == "2028-05-01"  # what the warning said: May Day is worked


def test_a_list_keeping_the_provisional_holidays_warns_of_nothing(cli, tmp_path):
    """A list for 2028 that has May Day and National Day off (longer than the provisional
    rule) names the days it adds, and gives no warning."""
    full = tmp_path / "2028.txt"
    full.write_text("2028-01-01 至 2028-01-03 休 元旦\n2028-05-01 至 2028-05-05 休 劳动节\n"
                    "2028-10-01 至 2028-10-07 休 国庆节\n", encoding="utf-8")
    r = ok(cli("calendar", "load", full))
    assert "改为休息日：5月3日—5日 劳动节；10月5日—6日 国庆节" in r.stdout, r.stdout
    assert "暂定放假" not in r.stderr, r.stderr
