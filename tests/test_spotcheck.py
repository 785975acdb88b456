"""cdo spotcheck: importing the monthly problem list, adding and listing problems."""

import datetime as dt
import json

import openpyxl
import pytest

from cdo.problems.model import PROBLEM_KEYS
from cdo.roster.units import add_unit
from cdo.store.db import open_db


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市公安局", "department", "市公安局")
    add_unit(db, "达州市民政局", "department", "市民政局")
    add_unit(db, "达州市市场监督管理局", "department", "市市场监管局")
    add_unit(db, "通川区", "region")
    return db


def count(db, table="problems"):
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def write_list(path, rows, *, headers=None, title="2023年9月数据抽查问题数据清单",
               merge=None, extra_sheets=()):
    """A list as the office keeps it: a merged title, a header row, then rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题清单"
    headers = headers or ["序  号", "责任单位", "数据资源名称", "问题类型", "问题描述",
                          "问题数据量", "备注"]
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(2, 1, "填报时间：2023年9月27日")
    for c, h in enumerate(headers, 1):
        ws.cell(3, c, h)
    for r, row in enumerate(rows, 4):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
            if isinstance(v, str) and v.startswith("="):
                ws.cell(r, c).data_type = "s"  # typed as text in Excel, not a formula
    for rng in merge or []:
        ws.merge_cells(rng)
    for name in extra_sheets:
        wb.create_sheet(name).cell(1, 1, "说明文字")
    wb.save(path)
    return path


GOOD = [
    [1, "达州市公安局", "机动车登记信息", "准确性", "车辆所有人与身份证号不对应", 215, ""],
    [2, "市民政局 ", "婚姻登记信息", "规范性", "性别字段编码不统一", "1,234", "复查"],
    [3, "　通川区", "户籍人口统计数据", "timeliness", "未按月更新", None, None],
    [4, "市市场监管局", "食品经营许可信息", " 完整性 ", "=有效期为空", 6.0, None],
]


def test_import_list_as_the_office_keeps_it(cli, units, tmp_path):
    f = write_list(tmp_path / "清单.xlsx", [*GOOD, ["合计", None, None, None, None, 1455]],
                   extra_sheets=["说明"])
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023年9月27日", "--file", f)
    assert r.exit_code == 0, r.stderr
    assert "4 个问题" in r.stdout and "2023-11-14" in r.stdout
    r = cli("spotcheck", "list", "--month", "2023-09", "--as-of", "2023-10-01", "-f", "json")
    rows = json.loads(r.stdout)
    assert [list(x) for x in rows] == [PROBLEM_KEYS] * 4
    assert [x["unit"] for x in rows] == ["达州市公安局", "达州市民政局", "通川区",
                                         "达州市市场监督管理局"]
    assert [x["dimension"] for x in rows] == ["accuracy", "normativity", "timeliness",
                                              "completeness"]
    assert [x["records"] for x in rows] == [215, 1234, None, 6]
    assert rows[3]["description"] == "=有效期为空"
    assert {x["due_on"] for x in rows} == {"2023-11-14"}
    assert rows[0]["source"] == "spotcheck" and rows[0]["provisional"] is False
    assert rows[0]["status"] == "open" and rows[0]["overdue_days"] is None
    out = tmp_path / "list.xlsx"
    r = cli("spotcheck", "list", "--month", "2023-09", "-o", out)
    assert r.exit_code == 0, r.stderr
    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    (formula,) = [c for c in cells if c.value == "=有效期为空"]
    assert formula.data_type == "s"
    assert count(units, "audit_log") >= 4 + 1
    # one audit row per problem, each naming its problem
    assert units.execute(
        "SELECT COUNT(DISTINCT problem_id) FROM audit_log WHERE entity='problem'"
    ).fetchone()[0] == 4


def test_merged_unit_cells_and_other_header_spellings(cli, units, tmp_path):
    rows = [
        ["达州市公安局", "机动车登记信息", "准确性", "问题一", 1],
        [None, "驾驶证信息", "质量-完整性", "问题二", 2],
        [None, "身份证信息", "完整性", "问题三", 3],
        ["通川区", "低保信息", "规范性", "问题四", 4],
    ]
    f = write_list(tmp_path / "merged.xlsx", rows,
                   headers=["责任单位", "资源名称", "质量维度", "问题说明", "问题数据条数"],
                   merge=["A4:A6"])
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 1
    assert "第 5 行" in r.stderr and "质量-完整性" in r.stderr
    assert "第 4 行" not in r.stderr and "第 6 行" not in r.stderr  # merged unit filled down
    rows[1][2] = "问题维度不算"
    rows[1][2] = "完整性"
    f = write_list(tmp_path / "merged2.xlsx", rows,
                   headers=["责任单位", "资源名称", "问题维度", "问题说明", "问题数据条数"],
                   merge=["A4:A6"])
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 0, r.stderr
    units_ = [p["unit"] for p in json.loads(cli("spotcheck", "list", "-f", "json").stdout)]
    assert units_ == ["达州市公安局"] * 3 + ["通川区"]


def test_bad_rows_are_all_named_and_nothing_is_imported(cli, units, tmp_path):
    rows = [
        [1, "达州市公安局", "机动车登记信息", "准确性", "好的一行", 3],
        [2, "达州市教育局", "学籍信息", "准确性", "单位不存在", 1],
        [3, "市民政局", "婚姻登记信息", "一致性问题啊", "类型不对", 1],
        [4, "市民政局", "婚姻登记信息", "完整性", "  ", 1],
        [5, "市民政局", "婚姻登记信息", "完整性", "数量不对", "约100"],
        [6, "通川区", "", "时效性", "数量为负", -2],
    ]
    f = write_list(tmp_path / "bad.xlsx", rows)
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 1
    assert r.stdout == ""
    err = r.stderr
    assert "5 行有误" in err and "均未导入" in err
    assert "第 5 行：责任单位“达州市教育局”不在单位名单中" in err
    assert "第 6 行：问题类型“一致性问题啊”不认识" in err
    assert "第 7 行：问题描述为空" in err
    assert "第 8 行：问题数据量须为数字" in err
    assert "第 9 行：数据资源名称为空；问题数据量不能为负数" in err
    assert "第 4 行" not in err
    assert "Traceback" not in err
    assert count(units) == 0 and count(units, "spotchecks") == 0


def test_csv_in_gbk_and_the_same_file_twice(cli, units, tmp_path):
    f = tmp_path / "list.csv"
    text = ("责任单位,数据资源名称,问题类型,问题描述,问题数据量\n"
            "市公安局,机动车登记信息,准确性,错误,3\n")
    f.write_bytes(text.encode("gbk"))
    args = ["spotcheck", "new", "--month", "2023-10", "--issued-on", "2023-10-25", "--file", f]
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    r = cli(*args)
    assert r.exit_code == 1 and "已经导入过" in r.stderr
    assert count(units) == 1


@pytest.mark.parametrize("content, message", [
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "旧版 Excel"),
    (b"PK\x03\x04broken", "损坏"),
])
def test_unreadable_files(cli, units, tmp_path, content, message):
    f = tmp_path / "list.xlsx"
    f.write_bytes(content)
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 1 and message in r.stderr


def test_no_header_and_bad_options(cli, units, tmp_path):
    f = write_list(tmp_path / "x.xlsx", [[1, 2, 3]], headers=["单位", "名称", "说明"])
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 1 and "没有找到问题清单的表头" in r.stderr
    f = write_list(tmp_path / "ok.xlsx", GOOD)
    r = cli("spotcheck", "new", "--month", "2023-13", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 1 and "月份" in r.stderr
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-02-30", "--file", f)
    assert r.exit_code == 1 and "日期不存在" in r.stderr
    r = cli("spotcheck", "new", "--month", "2023-10", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 1 and "早于抽查月份" in r.stderr
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
            "--file", tmp_path / "missing.xlsx")
    assert r.exit_code == 1 and "文件不存在" in r.stderr
    assert count(units) == 0


def test_template_round_trip(cli, units, tmp_path):
    out = tmp_path / "模板.xlsx"
    r = cli("spotcheck", "template", out)
    assert r.exit_code == 0 and out.exists()
    r = cli("spotcheck", "template", out)
    assert r.exit_code == 1 and "已存在" in r.stderr
    wb = openpyxl.load_workbook(out)
    ws = wb["问题数据清单"]
    assert [c.value for c in ws[2]] == ["序号", "责任单位", "数据资源名称", "问题类型", "问题描述",
                                       "问题数据量", "备注"]
    ws.append([1, "通川区", "低保信息", "准确性", "金额错误", "12", None])
    wb.save(out)
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", out)
    assert r.exit_code == 0, r.stderr
    assert count(units) == 1


def test_add_both_sources(cli, units, monkeypatch):
    monkeypatch.setattr("cdo.dates.today", lambda: dt.date(2026, 12, 20))
    r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "户籍信息", "--dimension",
            "timeliness", "--description", "迁出未更新", "--issued-on", "2023/9/27",
            "--source", "user", "--reporter", "市民政局", "--records", "64")
    assert r.exit_code == 0, r.stderr
    assert "2023-10-24" in r.stdout and "15 个工作日" in r.stdout
    r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "户籍信息", "--dimension",
            "准确性", "--description", "错误", "--issued-on", "2023.9.27")
    assert r.exit_code == 0 and "2023-11-14" in r.stdout
    r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "户籍信息", "--dimension",
            "准确性", "--description", "错误", "--issued-on", "2026-12-01")
    assert r.exit_code == 0 and "2027-01-13（暂定）" in r.stdout
    rows = json.loads(cli("spotcheck", "list", "--source", "user", "-f", "json").stdout)
    assert len(rows) == 1 and rows[0]["reporter"] == "达州市民政局" and rows[0]["records"] == 64
    for args, message in [
        (["--unit", "市教育局"], "没有这个单位"),
        (["--source", "user"], "--reporter"),
        (["--dimension", "好看性"], "问题类型不认识"),
        (["--records", "x"], "问题数据量"),
        (["--description", " "], "问题描述不能为空"),
        (["--source", "phone"], "来源不认识"),
    ]:
        base = {"--unit": "市公安局", "--resource": "户籍信息", "--dimension": "准确性",
                "--description": "错误", "--issued-on": "2023-09-27"}
        base.update(dict(zip(args[::2], args[1::2], strict=True)))
        flat = [x for kv in base.items() for x in kv]
        r = cli("spotcheck", "add", *flat)
        assert r.exit_code == 1, args
        assert message in r.stderr, (args, r.stderr)
    assert count(units) == 3


def test_list_filters_and_formats(cli, units):
    for unit, day in [("市公安局", "2023-09-27"), ("通川区", "2023-09-27"),
                      ("通川区", "2023-10-09")]:
        cli("spotcheck", "add", "--unit", unit, "--resource", "r", "--dimension", "准确性",
            "--description", "d", "--issued-on", day)
    cli("rectify", "done", "1", "--on", "2023-10-10")
    js = lambda *a: json.loads(cli("spotcheck", "list", "-f", "json", *a).stdout)  # noqa: E731
    assert [p["id"] for p in js("--unit", "通川区")] == [2, 3]
    assert [p["id"] for p in js("--month", "2023-10")] == [3]
    assert [p["id"] for p in js("--status", "open")] == [2, 3]
    assert [p["id"] for p in js("--status", "已整改")] == [1]
    overdue = js("--as-of", "2023-11-16")
    assert [p["overdue_days"] for p in overdue] == [None, 2, None]
    r = cli("spotcheck", "list", "-f", "csv")
    assert r.stdout.splitlines()[0] == ",".join(PROBLEM_KEYS)
    r = cli("spotcheck", "list", "--as-of", "2023-11-16")
    assert "待整改" in r.stdout and "已整改待核验" in r.stdout and "通川区" in r.stdout
    r = cli("spotcheck", "list", "--status", "lost")
    assert r.exit_code == 1 and "状态不认识" in r.stderr
    r = cli("spotcheck", "list", "--month", "九月")
    assert r.exit_code == 1 and "月份格式不对" in r.stderr


def test_import_speed_shape_ten_thousand_rows(units, tmp_path):
    """10,000 rows go in through one executemany (the bench times the whole process)."""
    from cdo.problems.importer import import_spotcheck

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("清单")
    ws.append(["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量"])
    names = ["市公安局", "市民政局", "通川区", "市市场监管局"]
    dims = ["准确性", "时效性", "完整性", "规范性"]
    for i in range(10_000):
        ws.append([i + 1, names[i % 4], f"资源{i}", dims[i % 4], f"描述{i}", i])
    f = tmp_path / "big.xlsx"
    wb.save(f)
    t = dt.datetime.now()
    res = import_spotcheck(units, f, month="2023-09", issued_on=dt.date(2023, 9, 27))
    assert res["problems"] == 10_000 and count(units) == 10_000
    assert (dt.datetime.now() - t).total_seconds() < 10


# -- lists as offices really make them (review) --------------------------------------------


def _new(cli, f, *extra):
    return cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
               "--file", f, *extra)


def _listed(cli):
    return json.loads(cli("spotcheck", "list", "-f", "json").stdout)


def test_header_with_unit_in_brackets_keeps_the_counts(cli, units, tmp_path):
    """问题数据量（条） is the count column: its counts must not be dropped silently."""
    f = write_list(tmp_path / "l.xlsx", [["市公安局", "人口", "准确性", "错", 12],
                                         ["通川区", "企业", "完整性", "缺", "1.2万"]],
                   headers=["责 任 单 位", "数据资源\n名称", "问题类型", "问题描述",
                            "问题数据量\n（条）"])
    r = _new(cli, f)
    assert r.exit_code == 0, r.stderr
    assert [p["records"] for p in _listed(cli)] == [12, 12000]


def test_pre_numbered_blank_rows_and_signature_lines_are_not_problems(cli, units, tmp_path):
    rows = [[1, "市公安局", "人口", "准确性", "错", "/"],
            [2, "通川区", "企业", "数据不完整", "缺字段", "—"],
            *[[n, None, None, None, None, None] for n in range(3, 21)],
            ["填表人：李四", None, None, "审核人：王五", None, None],
            ["联系电话：0818-1234567"]]
    f = write_list(tmp_path / "l.xlsx", rows,
                   headers=["序号", "责任单位", "数据资源名称", "问题类型", "问题描述",
                            "问题数据量"])
    r = _new(cli, f)
    assert r.exit_code == 0, r.stderr
    got = _listed(cli)
    assert [(p["dimension"], p["records"]) for p in got] == [("accuracy", None),
                                                              ("completeness", None)]


def test_a_row_with_only_a_description_is_still_refused(cli, units, tmp_path):
    rows = [["市公安局", "人口", "准确性", "错", 1], [None, None, None, "忘了填单位", None],
            ["通川区", "企业", "完整性", "缺", 2]]
    f = write_list(tmp_path / "l.xlsx", rows, headers=["责任单位", "数据资源名称", "问题类型",
                                                      "问题描述", "问题数据量"])
    r = _new(cli, f)
    assert r.exit_code == 1 and "第 5 行" in r.stderr and "责任单位为空" in r.stderr


def test_two_level_header(cli, units, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(1, 1, "2023年9月数据抽查问题清单")
    ws.merge_cells("A1:G1")
    for c, h in enumerate(["序号", "责任单位", "数据资源名称", "问题情况", None, None, "备注"], 1):
        ws.cell(2, c, h)
    for c, h in enumerate(["问题类型", "问题描述", "问题数据量"], 4):
        ws.cell(3, c, h)
    for rng in ("A2:A3", "B2:B3", "C2:C3", "D2:F2", "G2:G3"):
        ws.merge_cells(rng)
    ws.append([1, "市公安局", "人口", "准确性", "错误", 5, ""])
    ws.append([2, "市民政局", "低保", "时效性", "滞后", None, ""])
    wb.save(tmp_path / "l.xlsx")
    r = _new(cli, tmp_path / "l.xlsx")
    assert r.exit_code == 0, r.stderr
    assert [(p["unit"], p["records"]) for p in _listed(cli)] == [("达州市公安局", 5),
                                                                  ("达州市民政局", None)]


def test_merged_resource_cells_and_merged_footer_lines(cli, units, tmp_path):
    rows = [[1, "市公安局", "人口信息", "准确性", "姓名错", 3],
            [2, None, None, "完整性", "缺字段", 4],
            [3, "市民政局", "低保", "规范性", "格式", None],
            ["合计", None, None, None, None, 7],
            ["注：本表由市大数据中心汇总，问题类型按四类填写。"]]
    f = write_list(tmp_path / "l.xlsx", rows,
                   headers=["序号", "责任单位", "数据资源名称", "问题类型", "问题描述",
                            "问题数据量"],
                   merge=["B4:B5", "C4:C5", "A7:E7", "A8:F8"])
    r = _new(cli, f)
    assert r.exit_code == 0, r.stderr
    assert [(p["unit"], p["resource"]) for p in _listed(cli)] == [
        ("达州市公安局", "人口信息"), ("达州市公安局", "人口信息"), ("达州市民政局", "低保")]


def test_sheet_option(cli, units, tmp_path):
    wb = openpyxl.Workbook()
    for i, name in enumerate(["8月", "9月"]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        ws.append(["责任单位", "数据资源名称", "问题类型", "问题描述"])
        ws.append(["市公安局", f"资源{name}", "准确性", "错"])
    wb.save(tmp_path / "l.xlsx")
    r = _new(cli, tmp_path / "l.xlsx", "--sheet", "十月")
    assert r.exit_code == 1 and "没有名为“十月”的工作表" in r.stderr and "8月、9月" in r.stderr
    r = _new(cli, tmp_path / "l.xlsx", "--sheet", "9月")
    assert r.exit_code == 0, r.stderr
    assert [p["resource"] for p in _listed(cli)] == ["资源9月"]


def test_two_sheets_read_are_named(cli, units, tmp_path):
    wb = openpyxl.Workbook()
    for i, name in enumerate(["区县", "市级部门"]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        ws.append(["责任单位", "数据资源名称", "问题类型", "问题描述"])
        ws.append(["市公安局", f"资源{name}", "准确性", "错"])
    wb.save(tmp_path / "l.xlsx")
    r = _new(cli, tmp_path / "l.xlsx")
    assert r.exit_code == 0 and "读取了 2 个工作表：区县、市级部门" in r.stdout


def test_rectify_date_in_the_future_is_refused(cli, units):
    r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "r", "--dimension", "准确性",
            "--description", "d", "--issued-on", "2023-09-27")
    assert r.exit_code == 0, r.stderr
    r = cli("rectify", "done", "1", "--on", "2099-01-01")
    assert r.exit_code == 1 and "晚于今天" in r.stderr
    assert _listed(cli)[0]["status"] == "open"


def _backups(tmp_path):
    folder = tmp_path / "backups"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_huge_counts_name_their_row(cli, units, tmp_path):
    rows = [
        [1, "市公安局", "人口", "准确性", "很多", "1e30"],
        [2, "市公安局", "人口", "准确性", "很多", 1e30],
        [3, "市公安局", "人口", "准确性", "正好", 1_000_000_000],
        [4, "市公安局", "人口", "准确性", "多一条", "1,000,000,001"],
    ]
    r = _new(cli, write_list(tmp_path / "huge.xlsx", rows))
    assert r.exit_code == 1, r.stdout
    assert "第 4 行：问题数据量过大" in r.stderr and "第 5 行：问题数据量过大" in r.stderr
    assert "第 7 行：问题数据量过大" in r.stderr and "第 6 行" not in r.stderr
    assert "超出可处理的范围" not in r.stderr
    assert count(units) == 0
    r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "r", "--dimension", "准确性",
            "--description", "d", "--issued-on", "2023-09-27", "--records", "1e30")
    assert r.exit_code == 1 and "问题数据量过大" in r.stderr and "Traceback" not in r.stderr
    assert count(units) == 0


def test_issue_dates_in_the_future_are_refused(cli, units, tmp_path):
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for when in ("2099-01-01", future):
        r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "r",
                "--dimension", "准确性", "--description", "d", "--issued-on", when)
        assert r.exit_code == 1 and "晚于今天" in r.stderr and "请核对年份" in r.stderr
        f = write_list(tmp_path / "l.xlsx", GOOD)
        r = cli("spotcheck", "new", "--month", when[:7], "--issued-on", when, "--file", f)
        assert r.exit_code == 1 and "晚于今天" in r.stderr
    assert count(units) == 0 and count(units, "spotchecks") == 0
    today = dt.date.today().isoformat()
    r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "r", "--dimension", "准确性",
            "--description", "d", "--issued-on", today)
    assert r.exit_code == 0, r.stderr


def test_one_problem_is_one_number(cli, units, tmp_path):
    r = _new(cli, write_list(tmp_path / "one.xlsx", GOOD[:1]))
    assert r.exit_code == 0, r.stderr
    assert "编号 1；" in r.stdout and "1–1" not in r.stdout
    r = _new(cli, write_list(tmp_path / "two.xlsx", GOOD[1:3]))
    assert "编号 2–3；" in r.stdout


def test_a_refused_list_takes_no_backup(cli, units, tmp_path):
    assert units.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
    bad = write_list(tmp_path / "bad.xlsx", [[1, "达州市教育局", "学籍", "准确性", "无此单位", 1]])
    r = _new(cli, bad)
    assert r.exit_code == 1 and "不在单位名单中" in r.stderr
    assert _backups(tmp_path) == []
    r = _new(cli, tmp_path / "missing.xlsx")
    assert r.exit_code == 1 and _backups(tmp_path) == []
    r = _new(cli, write_list(tmp_path / "good.xlsx", GOOD))
    assert r.exit_code == 0, r.stderr
    assert len(_backups(tmp_path)) == 1  # a list that goes in is backed up first
    r = _new(cli, tmp_path / "good.xlsx")  # the same list again: refused
    assert r.exit_code == 1 and "已经导入过" in r.stderr


# -- review fixes --------------------------------------------------------------------------

def _add(cli, day="2023-09-27", description="d", unit="市公安局", *extra):
    r = cli("spotcheck", "add", "--unit", unit, "--resource", "r", "--dimension", "准确性",
            "--description", description, "--issued-on", day, *extra)
    assert r.exit_code == 0, r.stderr
    return r


def test_list_as_of_a_past_date_leaves_out_later_problems(cli, units):
    _add(cli)
    _add(cli, "2023-12-20")
    js = lambda *a: json.loads(cli("spotcheck", "list", "-f", "json", *a).stdout)  # noqa: E731
    assert [p["id"] for p in js("--as-of", "2023-11-17")] == [1]
    assert js("--as-of", "2020-01-01") == []
    assert [p["id"] for p in js()] == [1, 2]
    r = cli("spotcheck", "list", "--as-of", "2020-01-01")
    assert r.exit_code == 0 and "没有符合条件的问题（2020-01-01 及以前下发的）" in r.stdout
    rows = json.loads(cli("rectify", "list", "--as-of", "2023-11-17", "-f", "json").stdout)
    assert [p["id"] for p in rows] == [1]


def test_table_shows_original_deadline_and_ever_overdue(cli, units, tmp_path):
    _add(cli)  # 1: negotiated after the breach
    _add(cli)  # 2: rectified late, then closed
    _add(cli)  # 3: on time
    assert cli("rectify", "negotiate", "1", "--on", "2023-11-20", "--until", "2023-12-29"
               ).exit_code == 0
    assert cli("rectify", "done", "2", "--on", "2023-11-20").exit_code == 0
    assert cli("rectify", "verify", "2", "--on", "2023-11-21").exit_code == 0
    assert cli("rectify", "done", "3", "--on", "2023-11-01").exit_code == 0
    out = tmp_path / "list.xlsx"
    r = cli("spotcheck", "list", "--as-of", "2023-12-01", "-o", out)
    assert r.exit_code == 0, r.stderr
    assert "2023-12-29（协商；原 2023-11-14）" in r.stdout
    assert "曾逾期" in r.stdout
    lines = {ln.split("│")[1].strip(): ln for ln in r.stdout.splitlines()
             if ln.startswith("│") and ln.split("│")[1].strip().isdigit()}
    assert "是" in lines["1"].split("│")[-2] and "是" in lines["2"].split("│")[-2]
    assert "是" not in lines["3"].split("│")[-2]
    # JSON and CSV keep exactly the keys of PRODUCT.md.
    rows = json.loads(cli("spotcheck", "list", "--as-of", "2023-12-01", "-f", "json").stdout)
    assert all(list(p) == PROBLEM_KEYS for p in rows)
    assert rows[0]["due_on"] == "2023-12-29"
    csv_head = cli("spotcheck", "list", "-f", "csv").stdout.splitlines()[0]
    assert csv_head == ",".join(PROBLEM_KEYS)
    ws = openpyxl.load_workbook(out).active
    values = list(ws.values)
    header_i = next(i for i, v in enumerate(values) if v and "编号" in v)
    header = list(values[header_i])
    assert "原整改期限" in header and "曾逾期" in header
    first = dict(zip(header, values[header_i + 1], strict=False))
    assert first["原整改期限"].date() == dt.date(2023, 11, 14)  # a date cell, as every date
    assert first["曾逾期"] == "是"
    third = dict(zip(header, values[header_i + 3], strict=False))
    assert third["曾逾期"] in ("", None)


def test_long_description_is_cut_in_the_table_only(cli, units, tmp_path):
    long = "数据字段缺失说明" * 200  # 1,600 characters
    _add(cli, description=long)
    r = cli("spotcheck", "list")
    assert r.exit_code == 0
    assert "…" in r.stdout and long not in r.stdout.replace("\n", "").replace("│", "")
    assert len(r.stdout.splitlines()) < 30
    rows = json.loads(cli("spotcheck", "list", "-f", "json").stdout)
    assert rows[0]["description"] == long
    out = tmp_path / "l.xlsx"
    assert cli("spotcheck", "list", "-o", out).exit_code == 0
    assert any(long in row for row in openpyxl.load_workbook(out).active.values)
    # Over 2,000 characters: refused, naming the row (import) or the option (add).
    r = cli("spotcheck", "add", "--unit", "市公安局", "--resource", "r", "--dimension", "准确性",
            "--description", "长" * 6000, "--issued-on", "2023-09-27")
    assert r.exit_code == 1 and "--description 问题描述过长（6,000 字" in r.stderr
    f = write_list(tmp_path / "l.xlsx", [[1, "市公安局", "r", "准确性", "长" * 6000, 1, ""]])
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27", "--file", f)
    assert r.exit_code == 1 and "第 4 行" in r.stderr and "问题描述过长" in r.stderr
    assert count(units) == 1


def test_chinese_source_and_status_options(cli, units):
    _add(cli)
    _add(cli, "2023-09-27", "d", "市公安局", "--source", "用户", "--reporter", "市民政局")
    js = lambda *a: json.loads(cli("spotcheck", "list", "-f", "json", *a).stdout)  # noqa: E731
    assert [p["id"] for p in js("--source", "用户")] == [2]
    assert [p["id"] for p in js("--source", "反馈")] == [2]
    assert [p["id"] for p in js("--source", "抽查")] == [1]
    cli("rectify", "done", "1", "--on", "2023-10-10")
    cli("rectify", "negotiate", "2", "--on", "2023-10-10", "--until", "2023-12-01")
    assert [p["id"] for p in js("--status", "已整改")] == [1]
    assert [p["id"] for p in js("--status", "协商延期")] == [2]
    assert js("--status", "待整改") == []
    cli("rectify", "verify", "1", "--on", "2023-10-11")
    assert [p["id"] for p in js("--status", "已销号")] == [1]


@pytest.mark.parametrize("arg, message", [
    ("99999999999999999999", "问题编号过大：99999999999999999999"),
    ("0", "问题编号须为正整数：0"),
    ("-1", "问题编号须为正整数：-1"),
])
def test_impossible_ids_are_named(cli, units, arg, message):
    _add(cli)
    for cmd in (["done"], ["verify"], ["negotiate", "--until", "2024-01-31"], ["remind"]):
        r = cli("rectify", *cmd, arg)
        assert r.exit_code == 1, (cmd, r.stdout)
        assert r.stderr.startswith("cdo: ") and message in r.stderr, (cmd, r.stderr)


def test_back_dated_event_and_early_negotiated_date_are_refused(cli, units):
    _add(cli)
    assert cli("rectify", "done", "1", "--on", "2023-12-06").exit_code == 0
    assert cli("rectify", "reopen", "1", "--on", "2023-12-10").exit_code == 0
    r = cli("rectify", "done", "1", "--on", "2023-12-05")
    assert r.exit_code == 1
    assert "早于该问题最近一次登记的“核验未通过退回”（2023-12-10）" in r.stderr
    assert _listed(cli)[0]["status"] == "open"
    _add(cli)
    r = cli("rectify", "negotiate", "2", "--on", "2023-10-11", "--until", "2023-11-01")
    assert r.exit_code == 1 and "协商期限应晚于现在的整改期限 2023-11-14" in r.stderr
