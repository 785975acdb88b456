"""The audit log reader (cdo/audit.py) and `cdo log`."""

import csv
import datetime as dt
import io
import json

import pytest

from cdo import masking
from cdo.roster.units import add_unit
from cdo.store import audit
from cdo.store.db import open_db, transaction


def _seed(db):
    a = add_unit(db, "达州市教育局", "department", "市教育局")
    b = add_unit(db, "达州市公安局", "department")
    with transaction(db):
        audit.record(db, "problem", 7, "add", None, {"resource": "学籍", "status": "open"},
                     unit_id=a.id, problem_id=7)
        audit.record(db, "problem", 7, "update", {"resource": "学籍", "status": "open"},
                     {"resource": "学籍", "status": "rectified"}, unit_id=a.id, problem_id=7,
                     reason="单位报告已整改")
    # an old entry, to filter by date
    db.execute("UPDATE audit_log SET at = '2023-01-05T09:00:00+08:00' WHERE id = 2")
    return a, b


def test_query_filters_and_newest_first(db):
    a, b = _seed(db)
    rows, total = audit.query_log(db)
    assert total == 4
    assert [r["id"] for r in rows] == [4, 3, 2, 1]
    rows, _ = audit.query_log(db, unit_id=a.id)
    assert {r["id"] for r in rows} == {1, 3, 4}
    assert rows[0]["unit"] == "达州市教育局"
    rows, _ = audit.query_log(db, problem_id=7)
    assert [r["id"] for r in rows] == [4, 3]
    rows, _ = audit.query_log(db, entity="unit")
    assert [r["id"] for r in rows] == [2, 1]
    rows, _ = audit.query_log(db, entity="单位")
    assert [r["id"] for r in rows] == [2, 1]
    rows, _ = audit.query_log(db, since=dt.date(2023, 6, 1))
    assert 2 not in {r["id"] for r in rows}
    rows, total = audit.query_log(db, limit=2)
    assert [r["id"] for r in rows] == [4, 3] and total == 4
    rows, _ = audit.query_log(db, limit=None)
    assert len(rows) == 4
    assert rows[0]["before"] == {"resource": "学籍", "status": "open"}
    assert rows[0]["reason"] == "单位报告已整改"


def test_compact_diff():
    assert audit.compact_diff({"a": 1, "b": "x"}, {"a": 1, "b": "y"}) == "b: x → y"
    assert audit.compact_diff(None, {"name": "教育局", "short": None}) == "名称=教育局"
    assert audit.compact_diff({"name": "教育局"}, None) == "-名称=教育局"
    assert audit.compact_diff({"a": None}, {"a": 3}) == "a: 空 → 3"
    long = audit.compact_diff({"t": "字" * 100}, {"t": "改" * 100})
    assert len(long) < 60 and "…" in long
    many = audit.compact_diff({}, {f"k{i}": i for i in range(10)})
    assert many.endswith("另 4 项")
    assert audit.compact_diff(None, None) == ""
    assert audit.compact_diff({"phone": "15212346279"}, {"phone": "13912345678"}) == (
        "联系电话: 152****6279 → 139****5678")
    assert audit.compact_diff({"phone": "15212346279"}, {"phone": "15299996279"}) == (
        "联系电话: 已修改（152****6279）")
    assert audit.compact_diff(None, {"phone": "15212346279"}, mask=False) == (
        "联系电话=15212346279")


def test_compact_diff_names_fields_and_coded_values_in_chinese():
    names = {("problem", "status"): {"open": "待整改", "rectified": "已整改待核验"}}
    assert audit.compact_diff({"status": "open", "rectified_on": None},
                              {"status": "rectified", "rectified_on": "2023-10-18"},
                              entity="problem", values=names) == (
        "状态: 待整改 → 已整改待核验；整改日期: 空 → 2023-10-18")
    # the same code on another kind of record is not translated by the problem's names
    assert audit.compact_diff({"status": "open"}, {"status": "x"}, entity="cdo",
                              values=names) == "状态: open → x"
    assert audit.compact_diff(None, {"name": "李梅"}, entity="cdo") == "姓名=李梅"
    assert audit.compact_diff(None, {"typical": 1, "provisional": False}) == (
        "典型应用示范=是；期限暂定=否")
    assert audit.compact_diff(None, {"problems": [5, 7]}, entity="reminder") == "问题编号=5、7"
    assert audit.compact_diff({"zz": 1}, {"zz": 2}) == "zz: 1 → 2"  # unknown: as stored


def test_the_log_of_a_whole_demo_year_is_all_chinese(cli, tmp_path, monkeypatch):
    """Every field any change of the demo year names (roster, duty, problems, scores,
    evidence, calendar, aliases) is shown in Chinese, and every coded value by its name."""
    import re

    demo = tmp_path / "demo.db"
    assert cli("--db", demo, "demo").exit_code == 0
    notice = tmp_path / "2027.txt"
    notice.write_text("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假，共1天。\n",
                      encoding="utf-8")
    for args in (["calendar", "set", "2023-10-09", "off", "--reason", "停电"],
                 ["calendar", "set", "2023-10-14", "work", "--reason", "补班"],
                 ["calendar", "load", notice], ["calendar", "unload", "2027"],
                 ["units", "alias", "通川区", "通川"],
                 ["backup", tmp_path / "copy.db"],
                 ["units", "add", "达州市档案馆", "--category", "department"],
                 ["restore", tmp_path / "copy.db", "--yes"]):
        r = cli("--db", demo, *args)
        assert r.exit_code == 0, (args, r.stderr)
    monkeypatch.delenv("COLUMNS")
    r = cli("--db", demo, "log", "--limit", "100000")  # piped: tab-separated
    head, *lines = r.stdout.splitlines()
    at = head.split("\t").index("改动")
    changes = [line.split("\t")[at] for line in lines if line.count("\t") >= at]
    assert len(changes) > 1000
    english = {m for c in changes for m in re.findall(r"(?:^|；|-)([a-z_]+)[:=]", c)}
    assert english == set()
    codes = {m for c in changes for m in re.findall(
        r"(?:=|→ )(open|rectified|closed|negotiated|present|absent|appointed|filed|region|"
        r"meeting|off|work|loaded|provisional|official)\b", c)}
    assert codes == set()
    assert not [c for c in changes if '["' in c]  # a list shown as words, not as JSON
    assert any("类型=休息日" in c for c in changes) and any("类型=工作日" in c for c in changes)
    assert any("单位: 58 → 57" in c for c in changes)  # the restore, by table


def test_phone_numbers_in_command_lines_are_masked():
    assert masking.mask_numbers("cdo register specialist add 教育局 张三 --phone 13912345678") \
        == "cdo register specialist add 教育局 张三 --phone 139****5678"
    assert masking.mask_numbers("--phone 0818-2123456") == "--phone 0818-***3456"
    assert masking.mask_numbers("--on 2023-09-27 --records 20230927") == (
        "--on 2023-09-27 --records 20230927")


def test_log_table_shows_who_what_when(cli, db_path):
    _seed(open_db(db_path))
    r = cli("log")
    assert r.exit_code == 0, r.stderr
    for text in ["修改日志", "时间", "系统用户", "命令", "对象", "动作", "改动",
                 "问题 #7", "状态: 待整改 → 已整改待核验", "单位报告已整改", "达州市教育局", "新增"]:
        assert text in r.stdout, text
    assert r.stderr == ""


def test_log_json_has_full_before_and_after(cli, db_path):
    _seed(open_db(db_path))
    r = cli("log", "--problem", "7", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["id"] for x in rows] == [4, 3]
    assert set(rows[0]) == {"id", "at", "os_user", "command", "entity", "entity_id", "action",
                            "unit", "unit_id", "problem_id", "before", "after", "changes",
                            "reason"}
    assert rows[0]["changes"] == "状态: 待整改 → 已整改待核验"
    assert rows[0]["after"] == {"resource": "学籍", "status": "rectified"}
    assert rows[0]["os_user"]
    assert rows[0]["command"].startswith("cdo")


def test_log_filters_on_the_command_line(cli, db_path):
    _seed(open_db(db_path))
    r = cli("log", "--unit", "市教育局", "--since", "2023年6月1日", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["id"] for x in rows] == ["4", "3", "1"]
    r = cli("log", "--entity", "unit", "--limit", "1", "--format", "json")
    assert [x["id"] for x in json.loads(r.stdout)] == [2]
    r = cli("log", "--limit", "1")
    assert "共 4 条，只显示最新的 1 条" in r.stdout


def test_log_records_the_command_line_of_the_cli(cli):
    r = cli("units", "add", "达州市 财政局", "--category", "市级部门")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(cli("log", "--format", "json").stdout)
    assert rows[0]["command"] == "cdo units add '达州市 财政局' --category 市级部门"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "2023-02-30"], "日期不存在"),
        (["--since", "abc"], "--since 日期格式不对"),
        (["--unit", "不存在的单位"], "没有这个单位"),
        (["--limit", "-1"], "--limit 不能是负数"),
        (["--problem", "0"], "问题编号须为正整数"),
    ],
)
def test_log_bad_filters(cli, args, message):
    r = cli("log", *args)
    assert r.exit_code == 1
    assert r.stderr.startswith("cdo: ") and message in r.stderr
    assert "Traceback" not in r.stderr


def test_log_empty(cli):
    r = cli("log")
    assert r.exit_code == 0
    assert "没有符合条件的修改记录" in r.stdout
    assert json.loads(cli("log", "-f", "json").stdout) == []


def test_log_output_xlsx_keeps_formula_text_as_text(cli, db_path, tmp_path):
    import openpyxl

    db = open_db(db_path)
    add_unit(db, "=HYPERLINK(\"http://x\",\"点我\")", "department")
    out = tmp_path / "log.xlsx"
    r = cli("log", "--output", out)
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    hits = [c for c in cells if c.value.startswith("=HYPERLINK")]
    assert hits and all(c.data_type == "s" for c in hits)


def test_log_json_masks_phones_and_resumes_unless_asked(cli, tmp_path):
    import json

    from cdo.store import audit
    from cdo.store.db import open_db, transaction

    cli("units", "add", "达州市教育局", "-c", "department")
    db = open_db(tmp_path / "cdo.db")
    with transaction(db):
        audit.record(db, "cdo", 1, "import", None,
                     {"name": "张三", "phone": "15282406279", "resume": "1998年参加工作"},
                     unit_id=1)
    masked = json.loads(cli("log", "--format", "json").stdout)[0]["after"]
    assert masked["phone"] == "152****6279" and masked["resume"] == "（已隐藏）"
    shown = json.loads(cli("log", "--format", "json", "--show-contact").stdout)[0]["after"]
    assert shown["phone"] == "15282406279" and shown["resume"] == "1998年参加工作"


def test_several_phone_numbers_are_each_masked_in_the_log():
    from cdo.store.audit import masked

    assert masked({"phone": "15282406279、0818-2123456"}) == {
        "phone": "152****6279、0818-***3456"}
