"""Duty records: meetings, attendance (by names and sign-in sheets), plans and summaries."""

import datetime as dt
import json

import openpyxl
import pytest

from cdo.errors import InvalidInputError, NotFoundError, RowErrors
from cdo.roster import duty
from cdo.roster.units import add_unit
from cdo.store.db import open_db

D = dt.date.fromisoformat
UNITS = [
    ("达州市公安局", "department", "市公安局"),
    ("达州市教育局", "department", "市教育局"),
    ("通川区", "region", None),
    ("达州市中心医院", "institution", "市中心医院"),
]


def setup_units(db):
    return {name: add_unit(db, name, cat, short).id for name, cat, short in UNITS}


@pytest.fixture
def ddb(db):
    setup_units(db)
    return db


def ids(db):
    return {r["name"]: r["id"] for r in db.query("SELECT id, name FROM units")}


def test_meeting_and_attendance_by_names(ddb):
    m = duty.add_meeting(ddb, "会议", D("2023-07-14"), "2023年上半年工作会议")
    with pytest.raises(InvalidInputError, match="已登记过"):
        duty.add_meeting(ddb, "meeting", D("2023-07-14"), "2023年上半年工作会议")
    with pytest.raises(InvalidInputError, match="meeting"):
        duty.add_meeting(ddb, "party", D("2023-07-14"), "x")
    counts = duty.record_attendance(ddb, m, duty.entries_from({
        "present": duty.split_units("市公安局，达州市教育局"),
        "deputy": ["通川区"],
    }), rest_absent=True)
    assert counts == {"added": 3, "changed": 0, "unchanged": 0, "rest": 1}
    _, rows = duty.meeting_attendance(ddb, m)
    assert {r["unit"]: r["status"] for r in rows} == {
        "达州市公安局": "present", "达州市教育局": "present", "通川区": "deputy",
        "达州市中心医院": "absent"}
    # correcting one unit changes only it
    counts = duty.record_attendance(ddb, m, duty.entries_from({"excused": ["市中心医院"],
                                                               "present": ["市公安局"]}))
    assert counts == {"added": 0, "changed": 1, "unchanged": 1, "rest": 0}
    assert ddb.execute("SELECT count(*) FROM audit_log WHERE entity = 'attendance'"
                       ).fetchone()[0] == 5


def test_attendance_is_all_or_nothing(ddb):
    m = duty.add_meeting(ddb, "meeting", D("2023-07-14"), "会议")
    with pytest.raises(RowErrors) as e:
        duty.record_attendance(ddb, m, duty.entries_from({
            "present": ["市公安局", "不存在局"], "absent": ["达州市公安局"]}))
    text = str(e.value)
    assert "不存在局" in text and "重复出现" in text
    assert ddb.execute("SELECT count(*) FROM attendance").fetchone()[0] == 0
    with pytest.raises(NotFoundError):
        duty.record_attendance(ddb, 99, duty.entries_from({"present": ["市公安局"]}))


@pytest.mark.parametrize(("text", "status"), [
    ("出席", "present"), ("√", "present"), ("已签到", "present"), ("本人参会", "present"),
    ("缺席", "absent"), ("未到", "absent"), ("", "absent"), ("×", "absent"),
    ("请假", "excused"), ("因公请假", "excused"),
    ("代会", "deputy"), ("委托副局长参会", "deputy"), ("派员参加", "deputy"),
])
def test_parse_status(text, status):
    assert duty.parse_status(text)[0] == status


def test_parse_status_signatures():
    assert duty.parse_status("王建军", signature_column=True) == ("present", "王建军")
    assert duty.parse_status("周涛（代）", signature_column=True) == ("deputy", "周涛")
    with pytest.raises(InvalidInputError, match="看不懂"):
        duty.parse_status("王建军")


def signin(path, rows, header=("序号", "单位", "参会人", "签到情况")):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "签到表"
    ws.append(["2023年上半年首席数据官工作会议签到表"])
    ws.append(list(header))
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    wb.save(path)
    return path


def test_import_signin_sheet(ddb, tmp_path):
    m = duty.add_meeting(ddb, "meeting", D("2023-07-14"), "会议")
    p = signin(tmp_path / "s.xlsx", [("市公安局", "周涛", "代会"),
                                     ("达州市教育局 ", "陈晓燕", "出席"),
                                     ("通川区", "", "请假")])
    counts = duty.import_signin(ddb, m, p, rest_absent=True)
    assert counts == {"added": 3, "changed": 0, "unchanged": 0, "rest": 1}
    _, rows = duty.meeting_attendance(ddb, m)
    got = {r["unit"]: (r["status"], r["attendee"]) for r in rows}
    assert got == {"达州市公安局": ("deputy", "周涛"), "达州市教育局": ("present", "陈晓燕"),
                   "通川区": ("excused", None), "达州市中心医院": ("absent", None)}


def test_import_signin_csv_with_signature_column(ddb, tmp_path):
    m = duty.add_meeting(ddb, "training", D("2023-09-20"), "培训")
    p = tmp_path / "s.csv"
    p.write_bytes("单位名称,签到\n市公安局,周涛\n市教育局,\n".encode("gb18030"))
    duty.import_signin(ddb, m, p)
    _, rows = duty.meeting_attendance(ddb, m)
    got = {r["unit"]: (r["status"], r["attendee"]) for r in rows}
    assert got["达州市公安局"] == ("present", "周涛")
    assert got["达州市教育局"] == ("absent", None)
    assert got["通川区"] == (None, None)


def test_bad_signin_sheet_names_every_row(ddb, tmp_path):
    m = duty.add_meeting(ddb, "meeting", D("2023-07-14"), "会议")
    p = signin(tmp_path / "s.xlsx", [("市公安局", "", "出席"), ("不存在局", "", "出席"),
                                     ("市教育局", "", "迟迟未决"), ("达州市公安局", "", "缺席")])
    with pytest.raises(RowErrors) as e:
        duty.import_signin(ddb, m, p)
    text = str(e.value)
    assert "第 5 行，“签到情况”列：出勤情况看不懂" in text
    assert "第 4 行，“单位”列：没有这个单位" in text
    assert ddb.execute("SELECT count(*) FROM attendance").fetchone()[0] == 0
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "备注"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(InvalidInputError, match="找不到表头"):
        duty.import_signin(ddb, m, tmp_path / "x.xlsx")


def test_reports_and_lateness(ddb):
    today = D("2024-06-01")
    assert duty.record_report(ddb, "市公安局", "plan", 2023, D("2023-03-01"),
                              today=today) == "added"
    assert duty.record_report(ddb, "市公安局", "summary", 2023, D("2023-12-31"),
                              today=today) == "added"
    assert duty.record_report(ddb, "市教育局", "summary", 2023, D("2024-01-05"),
                              today=today) == "added"
    assert duty.record_report(ddb, "市教育局", "summary", 2023, D("2024-01-05"),
                              today=today) == "unchanged"
    assert duty.record_report(ddb, "市教育局", "summary", 2023, D("2024-01-04"),
                              today=today) == "changed"
    with pytest.raises(InvalidInputError, match="不会在 2022-12-01 收到"):
        duty.record_report(ddb, "市公安局", "summary", 2023, D("2022-12-01"), today=today)
    with pytest.raises(InvalidInputError, match="今天之后"):
        duty.record_report(ddb, "市公安局", "plan", 2024, D("2024-07-01"), today=today)
    u = ids(ddb)
    rep = duty.reports_for(ddb, 2023, as_of=D("2024-01-10"))
    assert rep[u["达州市公安局"]] == {"plan_on": D("2023-03-01"), "summary_on": D("2023-12-31"),
                                  "summary_on_time": True}
    assert rep[u["达州市教育局"]]["summary_on_time"] is False
    assert rep[u["通川区"]] == {"plan_on": None, "summary_on": None, "summary_on_time": False}
    early = duty.reports_for(ddb, 2023, as_of=D("2023-12-01"))
    assert early[u["通川区"]]["summary_on_time"] is None


def test_attendance_for(ddb):
    m1 = duty.add_meeting(ddb, "meeting", D("2023-07-14"), "会议一")
    m2 = duty.add_meeting(ddb, "training", D("2023-09-20"), "培训")
    duty.add_meeting(ddb, "meeting", D("2024-01-10"), "下一年的会")
    duty.record_attendance(ddb, m1, duty.entries_from({"present": ["市公安局"],
                                                       "excused": ["市教育局"]}))
    duty.record_attendance(ddb, m2, duty.entries_from({"deputy": ["市公安局"]}))
    u = ids(ddb)
    att = duty.attendance_for(ddb, 2023)
    assert att[u["达州市公安局"]] == {"events": 2, "meetings": 1, "trainings": 1, "present": 1,
                                  "deputy": 1, "excused": 0, "absent": 0, "unrecorded": 0}
    assert att[u["达州市教育局"]]["excused"] == 1 and att[u["达州市教育局"]]["unrecorded"] == 1
    assert att[u["通川区"]]["unrecorded"] == 2
    assert duty.attendance_for(ddb, 2022)[u["通川区"]]["events"] == 0


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def cdb(db_path):
    db = open_db(db_path)
    setup_units(db)
    return db


def test_cli_duty_flow(cli, cdb, tmp_path):
    r = cli("duty", "meeting", "add", "--on", "2023-07-14", "--title", "上半年工作会议")
    assert r.exit_code == 0 and "编号 1" in r.stdout
    r = cli("duty", "attend", "1", "--present", "市公安局、市教育局", "--excused", "通川区",
            "--rest-absent")
    assert r.exit_code == 0 and "新记录 3" in r.stdout and "其余 1 个单位记为缺席" in r.stdout
    r = cli("duty", "meeting", "list", "--format", "json")
    assert json.loads(r.stdout) == [{"id": 1, "kind": "meeting", "held_on": "2023-07-14",
                                     "title": "上半年工作会议", "present": 2, "deputy": 0,
                                     "excused": 1, "absent": 1, "unrecorded": 0}]
    r = cli("duty", "meeting", "show", "1")
    assert r.exit_code == 0 and "请假" in r.stdout
    r = cli("duty", "summary", "市公安局", "--year", "2023", "--received", "2024-01-03")
    assert r.exit_code == 0 and "逾期" in r.stdout
    r = cli("duty", "plan", "市公安局", "--year", "2023", "--received", "2023-03-01")
    assert r.exit_code == 0 and "已记录" in r.stdout
    rows = json.loads(cli("duty", "list", "--year", "2023", "--format", "json").stdout)
    police = next(x for x in rows if x["unit"] == "达州市公安局")
    assert police == {"unit": "达州市公安局", "category": "department", "year": 2023,
                      "events": 1, "present": 1, "deputy": 0, "excused": 0, "absent": 0,
                      "unrecorded": 0, "plan_on": "2023-03-01", "summary_on": "2024-01-03",
                      "summary_on_time": False}
    assert cli("duty", "list", "--year", "2023").exit_code == 0


def test_cli_duty_errors(cli, cdb, tmp_path):
    r = cli("duty", "attend", "5", "--present", "市公安局")
    assert r.exit_code == 1 and "没有编号为 5" in r.stderr
    cli("duty", "meeting", "add", "--on", "2023-07-14", "--title", "会")
    r = cli("duty", "attend", "1")
    assert r.exit_code == 1 and "--present" in r.stderr
    r = cli("duty", "attend", "1", "--present", "火星局")
    assert r.exit_code == 1 and "火星局" in r.stderr and "全部未保存" in r.stderr
    r = cli("duty", "attend", "1", "--file", tmp_path / "none.xlsx")
    assert r.exit_code == 1 and "文件不存在" in r.stderr
    r = cli("duty", "meeting", "add", "--on", "2023-13-01", "--title", "x")
    assert r.exit_code == 1 and "日期不存在" in r.stderr
    r = cli("duty", "meeting", "add", "--on", "2023-07-01", "--title", "x", "--kind", "聚餐")
    assert r.exit_code == 1 and "meeting" in r.stderr
    r = cli("duty", "plan", "火星局", "--year", "2023", "--received", "2023-03-01")
    assert r.exit_code == 1 and "没有这个单位" in r.stderr
    assert "Traceback" not in r.stderr


def test_demo_steps_build(db):
    from cdo.roster import cdos as roster
    from cdo.roster.units import load_demo

    load_demo(db)
    assert "8 份" in roster.load_demo(db)
    assert "会议 2 次" in duty.load_demo(db)
    att = duty.attendance_for(db, 2023)
    assert sum(a["present"] for a in att.values()) > 0


# --- sign-in sheets as offices type them


def test_signin_with_two_people_from_one_unit_and_a_remarks_column(ddb, tmp_path):
    m = duty.add_meeting(ddb, "meeting", D("2023-07-14"), "会议")
    p = signin(tmp_path / "s.xlsx", [
        ("市公安局", "李娜", "副局长", ""),
        ("达州市公安局", "刘洋", "数据专员", ""),   # a second person of the same unit
        ("通川区", "张三（代）", "科长", ""),         # someone in the CDO's place
        ("市教育局", "", "", "请假"),
        ("达州市中心医院", "", "", ""),
    ], header=("序号", "单位名称", "参会人员", "职务", "备注"))
    duty.import_signin(ddb, m, p)
    _, rows = duty.meeting_attendance(ddb, m)
    got = {r["unit"]: (r["status"], r["attendee"]) for r in rows}
    assert got == {"达州市公安局": ("present", "李娜、刘洋"), "通川区": ("deputy", "张三"),
                   "达州市教育局": ("excused", None), "达州市中心医院": ("absent", None)}


def test_signin_rows_of_one_unit_take_the_best_attendance(ddb, tmp_path):
    m = duty.add_meeting(ddb, "meeting", D("2023-07-14"), "会议")
    p = signin(tmp_path / "s.xlsx", [("市公安局", "", "缺席"), ("达州市公安局", "周涛", "代会")])
    duty.import_signin(ddb, m, p)
    _, rows = duty.meeting_attendance(ddb, m)
    assert {r["unit"]: r["status"] for r in rows}["达州市公安局"] == "deputy"


def test_unit_named_twice_on_the_command_line_is_still_refused(ddb):
    m = duty.add_meeting(ddb, "meeting", D("2023-07-14"), "会议")
    with pytest.raises(RowErrors, match="重复出现|有 1 处问题"):
        duty.record_attendance(ddb, m, duty.entries_from(
            {"present": ["市公安局"], "absent": ["达州市公安局"]}))


def test_cli_plan_and_summary_take_on_like_other_commands(cli, cdb):
    r = cli("duty", "plan", "市公安局", "--year", "2023", "--on", "2023.6.30")
    assert r.exit_code == 0 and "2023-06-30 收到" in r.stdout
    r = cli("duty", "summary", "市公安局", "--year", "2023", "--on", "2023年12月29日")
    assert r.exit_code == 0 and "（按时）" in r.stdout


@pytest.mark.parametrize("kind,year,day,earliest", [
    ("summary", "2023", "2023-02-01", "2023-07-01"),   # a 2023 summary in February 2023
    ("summary", "2023", "2022-12-30", "2023-07-01"),
    ("plan", "2023", "2022-09-30", "2022-10-01"),
])
def test_cli_refuses_a_plan_or_summary_received_too_early(cli, cdb, kind, year, day, earliest):
    r = cli("duty", kind, "通川区", "--year", year, "--on", day)
    assert r.exit_code == 1, r.stdout
    assert f"不会在 {day} 收到：最早 {earliest} 起" in r.stderr
    assert "是否年度写错了" in r.stderr and "Traceback" not in r.stderr
    assert cdb.execute("SELECT COUNT(*) FROM duty_reports").fetchone()[0] == 0


def test_cli_accepts_the_first_day_of_each_window(cli, cdb):
    r = cli("duty", "plan", "通川区", "--year", "2023", "--on", "2022-10-01")
    assert r.exit_code == 0, r.stderr
    r = cli("duty", "summary", "通川区", "--year", "2023", "--on", "2023-07-01")
    assert r.exit_code == 0, r.stderr


def test_cli_attend_names_each_conflict_once(cli, cdb):
    cli("duty", "meeting", "add", "--on", "2023-07-14", "--title", "会")
    r = cli("duty", "attend", "1", "--present", "市公安局,市公安局", "--deputy", "市公安局")
    assert r.exit_code == 1 and "全部未保存" in r.stderr
    lines = [x for x in r.stderr.splitlines() if "重复出现" in x]
    assert len(lines) == 2 and len(set(lines)) == 2, r.stderr
    assert "派员代会" in lines[1] and "只能记一种出勤" in lines[1]
    r = cli("duty", "attend", "1", "--present", "市公安局", "--deputy", "市公安局,市公安局")
    lines = [x for x in r.stderr.splitlines() if "重复出现" in x]
    assert len(lines) == 1, r.stderr
