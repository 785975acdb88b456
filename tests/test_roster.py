"""The roster: matching units, re-import rules, lifecycle, specialists, missing/late."""

import datetime as dt
import json

import pytest

from cdo.errors import InvalidInputError, NotFoundError, StateError
from cdo.roster import cdos as roster
from cdo.roster.units import UnitIndex, add_unit
from cdo.sheets.forms import build_form
from cdo.store.db import open_db

D = dt.date.fromisoformat
UNITS = [
    ("达州市公安局", "department", "市公安局"),
    ("达州市教育局", "department", "市教育局"),
    ("通川区", "region", "通川区"),
    ("渠县", "region", "渠县"),
    ("达州市水务局", "department", "市水务局"),
    ("达州市水务集团有限公司", "enterprise", "达州水务集团"),
    ("达州市大数据中心", "department", "市大数据中心"),
]


def setup_units(db):
    for name, cat, short in UNITS:
        add_unit(db, name, cat, short)


@pytest.fixture
def rdb(db):
    setup_units(db)
    return db


def form(tmp_path, name="王建军", position="达州市公安局党委委员、副局长", fname=None, **extra):
    values = {
        "name": name, "gender": "男", "ethnicity": "汉族", "birth_month": "1976.04",
        "native_place": "四川宣汉", "political_status": "中共党员", "education": "研究生",
        "phone": "13908180001", "position": position, "resume": "简历", "skills": "无",
        "work_plan": "计划", "recommendation": "同意推荐。", **extra,
    }
    p = tmp_path / (fname or f"{name}.xlsx")
    build_form(values).save(p)
    return p


def audit_count(db):
    return db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


# ----------------------------------------------------------------------------- units


@pytest.mark.parametrize(("text", "unit"), [
    ("达州市公安局党委委员、副局长", "达州市公安局"),
    ("公安局副局长", "达州市公安局"),  # the name without 达州市
    ("达州市统计局副局长", None),
    ("市公安局副局长", "达州市公安局"),
    ("通川区人民政府副区长", "通川区"),
    ("达州市通川区人民政府副区长", "通川区"),
    ("达州市水务集团有限公司副总经理", "达州市水务集团有限公司"),  # longest match wins
    ("达州水务集团副总经理", "达州市水务集团有限公司"),
    ("达州市水务局副局长", "达州市水务局"),
    ("达州市 教育局 副局长", "达州市教育局"),
])
def test_match_unit(rdb, text, unit):
    index = UnitIndex.load(rdb)
    if unit is None:
        with pytest.raises(InvalidInputError, match="找不到已登记的单位"):
            roster.match_unit(index, text)
    else:
        assert roster.match_unit(index, text).name == unit


def test_match_unit_several_names_the_candidates(rdb):
    with pytest.raises(InvalidInputError) as e:
        roster.match_unit(UnitIndex.load(rdb), "达州市公安局渠县分局局长")
    assert "达州市公安局" in str(e.value) and "渠县" in str(e.value) and "--unit" in str(e.value)


# ----------------------------------------------------------------------------- import rules


def test_import_then_same_form_again_changes_nothing(rdb, tmp_path):
    p = form(tmp_path, form_date=D("2023-05-20"))
    rep = roster.import_forms(rdb, [p], received_on=D("2023-05-25"))
    assert [(o.action, o.unit, o.name) for o in rep.done] == [("added", "达州市公安局", "王建军")]
    row = roster.current_cdo(rdb, 1)
    assert (row["status"], row["recommended_on"], row["received_on"]) == (
        "recommended", "2023-05-20", "2023-05-25")
    assert row["birth_month"] == "1976-04" and row["phone"] == "13908180001"
    n = audit_count(rdb)
    # the same form, even re-saved under another name, changes nothing
    p2 = form(tmp_path, form_date=D("2023-05-20"), fname="again.xlsx")
    rep = roster.import_forms(rdb, [p, p2], received_on=D("2023-06-01"))
    assert [o.action for o in rep.done] == ["unchanged", "unchanged"]
    assert audit_count(rdb) == n
    assert rdb.execute("SELECT count(*) FROM cdos").fetchone()[0] == 1
    assert roster.current_cdo(rdb, 1)["received_on"] == "2023-05-25"


def test_new_form_for_same_person_updates_them(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path)], received_on=D("2023-05-25"))
    roster.advance(rdb, "市公安局", "appoint", D("2023-06-01"))
    p = form(tmp_path, name="王 建军", phone="0818-2123456", fname="new.xlsx")
    rep = roster.import_forms(rdb, [p], received_on=D("2023-07-01"))
    assert [o.action for o in rep.done] == ["updated"]
    rows = list(rdb.query("SELECT * FROM cdos"))
    assert len(rows) == 1
    assert (rows[0]["phone"], rows[0]["status"], rows[0]["appointed_on"]) == (
        "0818-2123456", "appointed", "2023-06-01")
    audit = list(rdb.query("SELECT * FROM audit_log WHERE entity = 'cdo' AND action = 'update'"))
    assert json.loads(audit[0]["before"]) == {"phone": "13908180001"}
    assert json.loads(audit[0]["after"]) == {"phone": "0818-2123456"}


def test_form_naming_someone_else_is_a_change_of_cdo(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path, form_date=D("2023-05-20"))],
                        received_on=D("2023-05-25"))
    roster.advance(rdb, "市公安局", "appoint", D("2023-06-01"))
    roster.advance(rdb, "市公安局", "file", D("2023-06-10"))
    p = form(tmp_path, name="张伟", form_date=D("2024-03-04"))
    rep = roster.import_forms(rdb, [p], received_on=D("2024-03-06"))
    assert [(o.action, o.previous) for o in rep.done] == [("replaced", "王建军")]
    unit, rows = roster.history(rdb, "达州市公安局")
    assert [(r["name"], r["status"], r["ended_on"]) for r in rows] == [
        ("王建军", "ended", "2024-03-04"), ("张伟", "recommended", None)]
    assert rows[0]["filed_on"] == "2023-06-10"
    # the old form again does not bring the old CDO back
    rep = roster.import_forms(rdb, [tmp_path / "王建军.xlsx"], received_on=D("2024-04-01"))
    assert [o.action for o in rep.done] == ["unchanged"]
    assert roster.current_cdo(rdb, 1)["name"] == "张伟"


def test_an_older_form_for_someone_else_is_refused(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path, form_date=D("2024-03-04"))],
                        received_on=D("2024-03-05"))
    p = form(tmp_path, name="张伟", form_date=D("2023-05-20"))
    rep = roster.import_forms(rdb, [p], received_on=D("2024-03-06"))
    assert rep.done == []
    assert "更早" in rep.failed[0].reason and rep.failed[0].sheet == "推荐表"


def test_each_form_stands_alone(rdb, tmp_path):
    good = form(tmp_path, name="王建军")
    bad = form(tmp_path, name="周涛", position="某某公司经理")
    rep = roster.import_forms(rdb, [tmp_path], received_on=D("2023-05-25"))
    assert [o.name for o in rep.done] == ["王建军"]
    assert [(f.file, f.sheet) for f in rep.failed] == [(str(bad), "推荐表")]
    assert "找不到已登记的单位" in rep.failed[0].reason
    assert good.exists()


def test_unit_option_overrides_the_position_text(rdb, tmp_path):
    p = form(tmp_path, position="副局长")
    rep = roster.import_forms(rdb, [p], unit="市教育局", received_on=D("2023-05-25"))
    assert rep.done[0].unit == "达州市教育局"


# ----------------------------------------------------------------------------- lifecycle


def test_lifecycle_in_order(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path, form_date=D("2023-05-20"))],
                        received_on=D("2023-05-25"))
    with pytest.raises(StateError, match="还没有任命"):
        roster.advance(rdb, "市公安局", "file", D("2023-06-10"))
    with pytest.raises(StateError, match="早于推荐日期"):
        roster.advance(rdb, "市公安局", "appoint", D("2023-05-01"))
    assert roster.advance(rdb, "市公安局", "appoint", D("2023-06-01"))["status"] == "appointed"
    with pytest.raises(StateError, match="已经任命过了"):
        roster.advance(rdb, "市公安局", "appoint", D("2023-06-02"))
    assert roster.advance(rdb, "市公安局", "file", D("2023-06-10"))["status"] == "filed"
    with pytest.raises(StateError, match="已经备案过了"):
        roster.advance(rdb, "市公安局", "file", D("2023-06-11"))
    row = roster.advance(rdb, "市公安局", "end", D("2024-01-05"), "工作调动")
    assert (row["status"], row["ended_on"], row["end_reason"]) == (
        "ended", "2024-01-05", "工作调动")
    with pytest.raises(NotFoundError, match="已于 2024-01-05 离任"):
        roster.advance(rdb, "市公安局", "end", D("2024-01-06"))
    actions = [r["action"] for r in rdb.query(
        "SELECT action FROM audit_log WHERE entity = 'cdo' ORDER BY id")]
    assert actions == ["recommend", "appoint", "file", "end"]


# ----------------------------------------------------------------------------- specialists


def test_specialists(rdb):
    roster.add_specialist(rdb, "市公安局", "吴 昊", "139 0818 1001", D("2023-06-01"))
    with pytest.raises(InvalidInputError, match="已是"):
        roster.add_specialist(rdb, "达州市公安局", "吴昊")
    assert roster.list_specialists(rdb)[0]["phone"] == "13908181001"
    with pytest.raises(NotFoundError):
        roster.remove_specialist(rdb, "市公安局", "张三")
    roster.remove_specialist(rdb, "市公安局", "吴昊", D("2023-09-01"))
    assert roster.list_specialists(rdb) == []


# ----------------------------------------------------------------------------- missing


def reasons(db, day):
    return {(r["unit"], r["reason"]): r for r in roster.missing(db, D(day))}


def test_missing_and_late(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path, form_date=D("2023-05-20"))],
                        received_on=D("2023-05-25"))
    roster.import_forms(rdb, [form(tmp_path, name="陈晓燕", position="达州市教育局副局长")],
                        received_on=D("2023-06-14"))
    roster.add_specialist(rdb, "市公安局", "吴昊", on=D("2023-06-01"))
    got = reasons(rdb, "2023-06-30")
    assert ("达州市公安局", "no_form") not in got
    assert ("达州市公安局", "no_specialist") not in got
    late = got[("达州市教育局", "late_form")]
    assert (late["due_on"], late["late"]) == (D("2023-05-30"), True)
    assert "晚了 15 天" in late["detail"]
    no = got[("通川区", "no_form")]
    assert (no["due_on"], no["late"]) == (D("2023-05-30"), True)
    assert got[("通川区", "no_specialist")]["due_on"] is None
    # before the first deadline nobody is late yet, and later forms are not known
    early = reasons(rdb, "2023-05-26")
    assert early[("通川区", "no_form")]["late"] is False
    assert ("达州市教育局", "no_form") in early


def test_missing_after_a_change_is_due_one_civil_code_month_later(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path, form_date=D("2023-05-20"))],
                        received_on=D("2023-05-25"))
    # ended 2023-09-01: one month later is 2023-10-01, in the National Day holiday,
    # so the period ends on the first working day after it
    roster.advance(rdb, "市公安局", "end", D("2023-09-01"), "工作调动")
    got = reasons(rdb, "2023-09-15")[("达州市公安局", "no_form_after_change")]
    assert got["due_on"] == D("2023-10-07") and got["late"] is False
    assert "王建军 于 2023-09-01 离任" in got["detail"]
    assert reasons(rdb, "2023-10-08")[("达州市公安局", "no_form_after_change")]["late"] is True
    # a new form sent late after the change
    p = form(tmp_path, name="张伟", form_date=D("2023-10-20"))
    roster.import_forms(rdb, [p], received_on=D("2023-10-20"))
    got = reasons(rdb, "2023-11-01")
    assert got[("达州市公安局", "late_form")]["due_on"] == D("2023-10-07")
    # ... and one on time
    roster.advance(rdb, "市公安局", "end", D("2024-01-10"))
    roster.import_forms(rdb, [form(tmp_path, name="李四", form_date=D("2024-02-01"))],
                        received_on=D("2024-02-02"))
    assert ("达州市公安局", "late_form") not in reasons(rdb, "2024-03-01")


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def cdb(db_path):
    db = open_db(db_path)
    setup_units(db)
    return db


def test_cli_template(cli, tmp_path):
    r = cli("register", "template", "form.xlsx")
    assert r.exit_code == 0 and "form.xlsx" in r.stdout
    r = cli("register", "template", "form.xlsx")
    assert r.exit_code == 1 and "--force" in r.stderr
    assert cli("register", "template", "form.xlsx", "--force").exit_code == 0
    r = cli("register", "template", "nowhere/form.xlsx")
    assert r.exit_code == 1 and "文件夹不存在" in r.stderr


def test_cli_import_reports_good_and_bad(cli, cdb, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    form(folder, name="王建军")
    form(folder, name="陈晓燕", position="达州市教育局副局长")
    form(folder, name="无名", position="某公司", fname="c.xlsx")
    form(folder, name="周涛", work_plan="字" * 612, fname="d.xlsx")
    (folder / "e.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (folder / "~$王建军.xlsx").write_bytes(b"lock")
    r = cli("register", "import", folder, "--received", "2023/5/25")
    assert r.exit_code == 1
    assert "新增  达州市公安局  王建军" in r.stdout
    assert "新增  达州市教育局  陈晓燕" in r.stdout
    assert "共 5 份：新增 2 份，失败 3 份。" in r.stdout
    assert (f"{folder / 'c.xlsx'}，工作表“推荐表”："
            "工作单位及职务“某公司”中找不到已登记的单位") in r.stderr
    assert "共 612 字" in r.stderr
    assert f"{folder / 'e.xls'}：这是旧版 Excel（.xls）或 WPS 表格文件，但无法读取" in r.stderr
    assert "cdo: 有 3 份推荐表未导入" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli("register", "import", folder / "王建军.xlsx", "--received", "2023-05-26")
    assert r.exit_code == 0 and "无变化" in r.stdout


def test_cli_import_bad_input(cli, cdb, tmp_path):
    r = cli("register", "import", tmp_path / "nope.xlsx")
    assert r.exit_code == 1 and "文件不存在" in r.stderr
    p = form(tmp_path)
    r = cli("register", "import", p, "--unit", "不存在的单位")
    assert r.exit_code == 1 and "没有这个单位" in r.stderr
    r = cli("register", "import", p, "--received", "2023-02-30")
    assert r.exit_code == 1 and "日期不存在" in r.stderr
    bad = form(tmp_path, name="无名", position="某公司", fname="bad.xlsx")
    r = cli("register", "import", bad)
    assert r.exit_code == 1 and "cdo: 推荐表未导入，原因见上；没有保存任何内容" in r.stderr
    two = tmp_path / "two"
    two.mkdir()
    form(two, name="无名", position="某公司", fname="a.xlsx")
    form(two, name="无名", position="某公司", fname="b.xlsx")
    r = cli("register", "import", two)
    assert r.exit_code == 1 and "cdo: 2 份推荐表都未导入" in r.stderr


def test_cli_lifecycle(cli, cdb, tmp_path):
    cli("register", "import", form(tmp_path, form_date=D("2023-05-20")), "--received", "2023-05-25")
    r = cli("register", "file", "市公安局", "--on", "2023-06-01")
    assert r.exit_code == 1 and "还没有任命" in r.stderr
    r = cli("register", "appoint", "市公安局", "--on", "2023年6月1日")
    assert r.exit_code == 0 and "2023-06-01 任命" in r.stdout
    assert cli("register", "file", "达州市公安局", "--on", "2023.6.10").exit_code == 0
    r = cli("register", "end", "统计局", "--on", "2024-01-05")
    assert r.exit_code == 1 and "没有这个单位" in r.stderr
    r = cli("register", "end", "市公安局", "--on", "2024-01-05", "--reason", "工作调动")
    assert r.exit_code == 0 and "2024-02-05 前报送" in r.stdout
    r = cli("register", "appoint", "市教育局", "--on", "2024-01-05")
    assert r.exit_code == 1 and "没有现任首席数据官" in r.stderr
    r = cli("register", "history", "市公安局", "--format", "json")
    rows = json.loads(r.stdout)
    assert [(x["name"], x["status"], x["appointed_on"], x["filed_on"], x["ended_on"])
            for x in rows] == [("王建军", "ended", "2023-06-01", "2023-06-10", "2024-01-05")]
    assert rows[0]["phone"] == "139****0001"


def test_cli_list_masks_phones_unless_asked(cli, cdb, tmp_path):
    cli("register", "import", form(tmp_path), "--received", "2023-05-25")
    cli("register", "specialist", "add", "市公安局", "吴昊", "--phone", "13908181001")
    r = cli("register", "list")
    assert r.exit_code == 0 and "139****0001" in r.stdout and "13908180001" not in r.stdout
    assert "13908180001" in cli("register", "list", "--show-contact").stdout
    rows = json.loads(cli("register", "list", "--format", "json").stdout)
    assert list(rows[0]) == [
        "unit", "category", "name", "gender", "ethnicity", "birth_month", "native_place",
        "political_status", "education", "phone", "position", "status", "recommended_on",
        "appointed_on", "filed_on", "specialists"]
    police = next(x for x in rows if x["unit"] == "达州市公安局")
    assert (police["phone"], police["birth_month"], police["specialists"]) == (
        "139****0001", "1976-04", 1)
    assert next(x for x in rows if x["unit"] == "渠县")["name"] is None
    rows = json.loads(cli("register", "list", "--format", "json", "--show-contact").stdout)
    assert next(x for x in rows if x["unit"] == "达州市公安局")["phone"] == "13908180001"
    csv_out = cli("register", "list", "--format", "csv").stdout
    assert "139****0001" in csv_out and "13908180001" not in csv_out
    r = cli("register", "list", "--output", "roster.xlsx")
    assert r.exit_code == 0 and (tmp_path / "roster.xlsx").exists()
    r = cli("register", "specialist", "list")
    assert "139****1001" in r.stdout


def test_cli_specialist_errors(cli, cdb):
    r = cli("register", "specialist", "add", "市公安局", "吴昊", "--phone", "12")
    assert r.exit_code == 1 and "联系方式无法识别" in r.stderr
    r = cli("register", "specialist", "remove", "市公安局", "吴昊")
    assert r.exit_code == 1 and "没有名为 吴昊 的数据专员" in r.stderr


def test_cli_missing(cli, cdb, tmp_path):
    cli("register", "import", form(tmp_path), "--received", "2023-06-02")
    r = cli("register", "missing", "--as-of", "2023-07-01", "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert {"unit": "达州市公安局", "category": "department", "reason": "late_form",
            "due_on": "2023-05-30"}.items() <= rows[0].items() or any(
        x["unit"] == "达州市公安局" and x["reason"] == "late_form" for x in rows)
    assert all({"unit", "category", "reason", "due_on"} <= set(x) for x in rows)
    r = cli("register", "missing", "--as-of", "2023-07-01")
    assert "未报送推荐表" in r.stdout and "推荐表报送逾期" in r.stdout
    r = cli("register", "missing", "--as-of", "昨天")
    assert r.exit_code == 1 and "--as-of" in r.stderr


def test_cli_import_takes_a_backup_first(cli, cdb, tmp_path):
    r = cli("register", "import", form(tmp_path), "--received", "2023-05-25")
    assert r.exit_code == 0
    assert list((tmp_path / "backups").glob("*-auto-*.db"))


def test_an_older_form_for_the_same_person_does_not_overwrite_a_newer_one(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path, phone="13908180009", form_date=D("2024-03-01"))],
                        received_on=D("2024-03-02"))
    old = form(tmp_path, fname="old.xlsx", form_date=D("2023-05-20"))
    rep = roster.import_forms(rdb, [old], received_on=D("2024-03-05"))
    assert rep.done == [] and "更早" in rep.failed[0].reason
    assert roster.current_cdo(rdb, 1)["phone"] == "13908180009"


# --- the unit when 工作单位及职务 does not name it


def test_unit_from_the_forms_unit_line_the_sheet_name_or_the_file_name(rdb, tmp_path):
    import openpyxl

    by_line = form(tmp_path, name="林一", position="党组成员、副局长", fname="a.xlsx")
    wb = openpyxl.load_workbook(by_line)
    wb.active["A1"] = "推荐单位：达州市水务局"
    wb.save(by_line)
    by_file = form(tmp_path, name="审二", position="副局长", fname="市教育局-推荐表.xlsx")
    by_sheet = form(tmp_path, name="商三", position="副主任", fname="b.xlsx")
    wb = openpyxl.load_workbook(by_sheet)
    wb.active.title = "市大数据中心"
    wb.save(by_sheet)
    rep = roster.import_forms(rdb, [by_line, by_file, by_sheet], received_on=D("2023-05-25"))
    assert rep.failed == []
    got = {o.name: (o.unit, o.unit_source) for o in rep.done}
    assert got == {
        "林一": ("达州市水务局", "表上的单位栏"),
        "审二": ("达州市教育局", "文件名“市教育局-推荐表.xlsx”"),
        "商三": ("达州市大数据中心", "工作表名“市大数据中心”"),
    }


def test_position_naming_a_unit_wins_over_the_file_name(rdb, tmp_path):
    p = form(tmp_path, name="王建军", fname="市教育局.xlsx")  # position: 市公安局
    rep = roster.import_forms(rdb, [p], received_on=D("2023-05-25"))
    assert (rep.done[0].unit, rep.done[0].unit_source) == ("达州市公安局", None)


def test_file_name_settles_a_position_naming_two_units_only_among_them(rdb, tmp_path):
    two = "市大数据中心主任、市公安局副局长"
    ok = form(tmp_path, name="甲", position=two, fname="市公安局.xlsx")
    other = form(tmp_path, name="乙", position=two, fname="市教育局.xlsx")
    rep = roster.import_forms(rdb, [ok, other], received_on=D("2023-05-25"))
    assert [(o.name, o.unit) for o in rep.done] == [("甲", "达州市公安局")]
    assert "可能是这些单位" in rep.failed[0].reason
    assert "文件名" in rep.failed[0].reason


def test_cli_import_says_where_the_unit_came_from(cli, cdb, tmp_path):
    p = form(tmp_path, name="审二", position="副局长", fname="市教育局-推荐表.xlsx")
    r = cli("register", "import", p, "--received", "2023-05-25")
    assert r.exit_code == 0, r.stderr
    assert "按文件名“市教育局-推荐表.xlsx”认定" in r.stdout


# --- folders with other files, --unit against the form, the summary line


def test_folder_lists_every_spreadsheet_it_cannot_read(cli, cdb, tmp_path):
    folder = tmp_path / "forms"
    (folder / "sub").mkdir(parents=True)
    form(folder, name="王建军")
    for name in ("渠县.ods", "水务局.et", "sub/教育局.xls", "通川区.numbers", "名单.csv",
                 "推荐表.docx"):
        (folder / name).write_bytes(b"PK\x03\x04 not really")
    for name in ("说明.txt", "扫描件.pdf", "照片.jpg", "~$王建军.xlsx", ".~lock.x.xlsx#",
                 ".DS_Store"):
        (folder / name).write_bytes(b"x")
    r = cli("register", "import", folder, "--received", "2023-05-25")
    assert r.exit_code == 1
    assert "共 7 份：新增 1 份，失败 6 份。" in r.stdout
    # .ods, .et and .xls are read (issue 13.9); these are broken, and say so
    for name in ("渠县.ods", "水务局.et", "sub/教育局.xls"):
        assert f"未导入  {folder / name}：文件已损坏或不完整" in r.stderr
    assert f"{folder / '通川区.numbers'}：这是苹果 Numbers" in r.stderr
    assert f"{folder / '名单.csv'}：这是 .csv 文件" in r.stderr
    assert f"{folder / '推荐表.docx'}：这是 Word 文件" in r.stderr
    for quiet in ("说明.txt", "扫描件.pdf", "照片.jpg", "~$", ".DS_Store", "lock"):
        assert quiet not in r.stderr
    # a folder with nothing to read; a non-.xlsx file given by name
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "扫描件.pdf").write_bytes(b"%PDF")
    r = cli("register", "import", empty, folder / "渠县.ods")
    assert r.exit_code == 1 and "文件夹里没有表格文件" in r.stderr
    assert "渠县.ods：文件已损坏" in r.stderr and "共 2 份：失败 2 份。" in r.stdout


def test_unit_option_warns_when_the_form_names_another_unit(cli, cdb, tmp_path):
    quxian = form(tmp_path, name="李明", position="渠县人民政府副县长", fname="q.xlsx")
    r = cli("register", "import", quxian, "--unit", "达州市水务局", "--received", "2023-05-25")
    assert r.exit_code == 0, r.stderr
    assert "新增  达州市水务局  李明" in r.stdout  # the clerk said so: filed under --unit
    assert (f"注意：{quxian}，工作表“推荐表”表上写的是“渠县人民政府副县长”，"
            "已按 --unit 记入 达州市水务局") in r.stderr
    # the form naming the same unit, or none: no warning
    same = form(tmp_path, name="张伟", position="达州市公安局副局长", fname="s.xlsx")
    vague = form(tmp_path, name="刘洋", position="副局长", fname="v.xlsx")
    r = cli("register", "import", same, "--unit", "市公安局", "--received", "2023-05-25")
    assert r.exit_code == 0 and "注意" not in r.stderr
    r = cli("register", "import", vague, "--unit", "市教育局", "--received", "2023-05-25")
    assert r.exit_code == 0 and "注意" not in r.stderr


def test_summary_line_reads_naturally():
    from cdo.commands.register import import_summary
    from cdo.sheets.forms import FormError

    def outcome(action):
        return roster.Outcome("f.xlsx", "s", action, "单位", "某")

    rep = roster.ImportReport(failed=[FormError("f.xlsx", None, "坏")])
    assert import_summary(rep) == "共 1 份：失败 1 份。"
    rep = roster.ImportReport(
        done=[outcome(a) for a in ["added"] * 4 + ["updated"] + ["unchanged"] * 2],
        failed=[FormError("f.xlsx", None, "坏")])
    assert import_summary(rep) == "共 8 份：新增 4 份，更新 1 份，无变化 2 份，失败 1 份。"
    rep = roster.ImportReport(done=[outcome("replaced"), outcome("added")])
    assert import_summary(rep) == "共 2 份：新增 1 份，更换 1 份。"
    assert "无，" not in import_summary(roster.ImportReport())


def test_invisible_characters_in_a_form_are_removed_before_comparing(rdb, tmp_path):
    roster.import_forms(rdb, [form(tmp_path, name="王建军", form_date=D("2023-05-20"))],
                        received_on=D("2023-05-25"))
    p = form(tmp_path, name="王\u200b建\ufeff军", phone="1390818\u200d0002",
             position="达州市公安局\u2060副局长", form_date=D("2023-06-20"), fname="zw.xlsx")
    rep = roster.import_forms(rdb, [p], received_on=D("2023-06-25"))
    assert [(o.action, o.name) for o in rep.done] == [("updated", "王建军")]
    (row,) = rdb.query("SELECT name, phone, position FROM cdos")
    assert row == {"name": "王建军", "phone": "13908180002", "position": "达州市公安局副局长"}
    stored = "".join(str(v) for r in rdb.query("SELECT * FROM cdos") for v in r.values())
    assert not any(ch in stored for ch in "\u200b\u200d\u2060\ufeff")


@pytest.mark.parametrize("name", ["王建军😀", "王建军★", "☎王建军"])
def test_a_name_with_emoji_or_symbols_is_refused_not_a_new_cdo(rdb, tmp_path, name):
    roster.import_forms(rdb, [form(tmp_path, form_date=D("2023-05-20"))],
                        received_on=D("2023-05-25"))
    p = form(tmp_path, name=name, form_date=D("2023-06-20"), fname="sym.xlsx")
    rep = roster.import_forms(rdb, [p], received_on=D("2023-06-25"))
    assert rep.done == [] or all(o.action != "replaced" for o in rep.done)
    assert len(rep.failed) == 1 and "含有表情或符号" in str(rep.failed[0])
    assert [r["name"] for r in rdb.query("SELECT name FROM cdos")] == ["王建军"]
    with pytest.raises(InvalidInputError, match="含有表情或符号"):
        roster.add_specialist(rdb, "市公安局", name)


def test_cli_import_refuses_an_emoji_name_clearly(cli, cdb, tmp_path):
    p = form(tmp_path, name="张三😀", fname="e.xlsx")
    r = cli("register", "import", p, "--received", "2023-05-25")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert "姓名“张三😀”含有表情或符号（😀），不是人名" in r.stderr
