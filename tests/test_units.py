import json

import openpyxl
import pytest

from cdo.errors import CdoError
from cdo.roster.units import UnitIndex, add_unit, import_units, parse_category


def test_parse_category_accepts_chinese_and_english():
    assert parse_category("县市区") == "region"
    assert parse_category(" 市级部门 ") == "department"
    assert parse_category("国有企业") == "enterprise"
    assert parse_category("institution") == "institution"
    with pytest.raises(CdoError):
        parse_category("乡镇")


def test_resolve_by_full_short_and_without_city_prefix(db):
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_unit(db, "达州市公安局", "department", "市公安局")
    index = UnitIndex.load(db)
    assert index.resolve("达州市教育局").name == "达州市教育局"
    assert index.resolve("教育局").name == "达州市教育局"
    assert index.resolve(" 市教育局 ").name == "达州市教育局"
    with pytest.raises(CdoError, match="没有这个单位"):
        index.resolve("达州市财政局")


def test_short_name_that_already_names_another_unit_is_refused(db):
    add_unit(db, "达州市中心医院", "institution", "市中心医院")
    with pytest.raises(CdoError, match="已被 达州市中心医院 使用"):
        add_unit(db, "达州中心医院有限公司", "enterprise", "中心医院")
    with pytest.raises(CdoError, match="已存在"):
        add_unit(db, "达州市中心医院", "institution")


def _xlsx(path, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    r = 1
    if title:
        ws.cell(1, 1, title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
        r = 3
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(r + i, j + 1, v)
    wb.save(path)
    return path


def test_import_xlsx_with_title_and_stray_spaces(cli, tmp_path):
    f = _xlsx(tmp_path / "units.xlsx", [
        ["序号", "单位 名称", "简　称", " 类别 "],
        [1, " 达州市教育局 ", "市教育局", "市级部门"],
        [2, "通川区", None, "县市区"],
        [None, None, None, None],
        [3, "达州市中心医院", "市中心医院", "institution"],
    ], title="参与单位名单")
    r = cli("units", "import", f)
    assert r.exit_code == 0, r.stderr
    assert "新增 3 个单位" in r.stdout
    rows = json.loads(cli("units", "list", "--format", "json").stdout)
    assert {"name": "达州市教育局", "short": "市教育局", "category": "department"} in rows
    assert {"name": "通川区", "short": None, "category": "region"} in rows
    again = cli("units", "import", f)
    assert "新增 0 个单位，更新 0 个，未变 3 个" in again.stdout


def test_import_gbk_and_bom_csv(cli, tmp_path):
    text = "单位名称,简称,类别\n达州市教育局,市教育局,市级部门\n渠县,,县市区\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    assert cli("units", "import", tmp_path / "gbk.csv").exit_code == 0
    r = cli("units", "import", tmp_path / "bom.csv")
    assert r.exit_code == 0 and "未变 2 个" in r.stdout


def test_english_headers(cli, tmp_path):
    (tmp_path / "en.csv").write_text(
        "name,category,short\nDazhou Big Data Center,institution,BDC\n"
    )
    assert cli("units", "import", tmp_path / "en.csv").exit_code == 0
    out = cli("units", "list", "--format", "csv").stdout.splitlines()
    assert out == ["name,short,category", "Dazhou Big Data Center,BDC,institution"]


def test_import_is_all_or_nothing_and_names_every_bad_row(cli, tmp_path):
    (tmp_path / "bad.csv").write_text(
        "单位名称,类别\n达州市教育局,市级部门\n,市级部门\n渠县,乡镇\n达州市教育局,市级部门\n",
        encoding="utf-8",
    )
    r = cli("units", "import", tmp_path / "bad.csv")
    assert r.exit_code == 1
    assert "第 3 行：单位名称为空" in r.stderr
    assert "第 4 行" in r.stderr and "乡镇" in r.stderr
    assert "第 5 行" in r.stderr and "重复" in r.stderr
    assert "Traceback" not in r.stderr
    assert json.loads(cli("units", "list", "--format", "json").stdout) == []


def test_import_updates_changed_category(db, tmp_path):
    f = tmp_path / "u.csv"
    f.write_text("单位名称,简称,类别\n达州市大数据中心,大数据中心,市级部门\n", encoding="utf-8")
    import_units(db, f)
    f.write_text("单位名称,简称,类别\n达州市大数据中心,大数据中心,公共服务机构\n", encoding="utf-8")
    r = import_units(db, f)
    assert (r.added, r.updated) == (0, 1)
    assert db.execute("SELECT category FROM units").fetchone()[0] == "institution"
    actions = [a for (a,) in db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["import", "update"]


def test_bad_files_are_user_errors(cli, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "nohead.csv").write_text("a,b\n1,2\n")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (tmp_path / "fake.xlsx").write_text("单位名称,类别\n")
    for name, expect in [("empty.csv", "空"), ("nohead.csv", "找不到表头"),
                         ("old.xls", "另存为 .xlsx"), ("fake.xlsx", "不是 Excel"),
                         ("missing.csv", "不存在")]:
        r = cli("units", "import", tmp_path / name)
        assert r.exit_code == 1, name
        assert r.stderr.startswith("cdo: ") and expect in r.stderr, (name, r.stderr)


def test_add_and_duplicate(cli):
    r = cli("units", "add", "达州市教育局", "--category", "市级部门", "--short", "市教育局")
    assert r.exit_code == 0 and "已添加单位：达州市教育局（市级部门）" in r.stdout
    r = cli("units", "add", "达州市教育局", "--category", "市级部门")
    assert r.exit_code == 1 and "已存在" in r.stderr
    r = cli("units", "add", "新单位", "--category", "乡镇")
    assert r.exit_code == 1 and "类别不认识" in r.stderr


def test_bundled_sample_units_load(db):
    from cdo.roster.units import load_demo

    assert "57" in load_demo(db)
    cats = dict(db.execute("SELECT category, count(*) FROM units GROUP BY category").fetchall())
    assert cats["region"] == 9 and cats["department"] >= 20


def test_loosely_written_names_resolve(db):
    from cdo.roster.units import load_demo

    load_demo(db)
    index = UnitIndex.load(db)
    for text, name in [
        ("四川省达州市公安局", "达州市公安局"),
        ("市公安局（本级）", "达州市公安局"),
        ("国资委", "达州市人民政府国有资产监督管理委员会"),
        ("高新区", "达州高新技术产业开发区"),
        ("达州市市场监管局", "达州市市场监督管理局"),
    ]:
        assert index.resolve(text).name == name, text
    with pytest.raises(CdoError):
        index.resolve("公安")


def test_excel_unicode_text_utf16_with_bom_imports(cli, tmp_path):
    # Excel's "Unicode 文本(*.txt)": UTF-16 with a BOM, tab-separated
    text = "单位名称\t类别\n达州市教育局\t市级部门\n"
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))
    r = cli("units", "import", tmp_path / "u16.txt")
    assert r.exit_code == 0, r.stderr
    assert "新增 1 个单位" in r.stdout


def test_a_short_or_loose_name_of_a_registered_unit_is_not_a_new_unit(cli, tmp_path):
    cli("units", "add", "达州市公安局", "-c", "department", "--short", "市公安局")
    r = cli("units", "add", "市公安局", "-c", "department")
    assert r.exit_code == 1 and "就是已登记的“达州市公安局”" in r.stderr
    (tmp_path / "u.csv").write_text("单位名称,类别\n公安局,市级部门\n", encoding="utf-8")
    r = cli("units", "import", tmp_path / "u.csv")
    assert r.exit_code == 1 and "第 2 行" in r.stderr and "工作表" not in r.stderr
    assert cli("units", "list", "-f", "csv").stdout.count("\n") == 2  # header + one unit


def test_blank_short_name_in_an_import_keeps_the_one_on_record(db, tmp_path):
    add_unit(db, "大竹县", "region", "大竹")
    f = tmp_path / "u.csv"
    f.write_text("单位名称,简称,类别\n大竹县,,县市区\n", encoding="utf-8")
    r = import_units(db, f)
    assert (r.added, r.updated, r.unchanged) == (0, 0, 1)
    assert db.execute("SELECT short FROM units").fetchone()[0] == "大竹"
    assert not (tmp_path / "backups").exists()  # nothing changed: no safety copy needed


def test_invisible_characters_are_dropped_and_emoji_refused(cli, tmp_path):
    r = cli("units", "add", "\u200b", "-c", "department")
    assert r.exit_code == 1 and "单位名称不能为空" in r.stderr
    assert cli("units", "add", "达州市\u200b甲局", "-c", "department").exit_code == 0
    assert cli("units", "list", "-f", "csv").stdout.splitlines()[1] == "达州市甲局,,department"
    r = cli("units", "add", "达州市乙局😀", "-c", "department")
    assert r.exit_code == 1 and "表情" in r.stderr
    (tmp_path / "u.csv").write_text("单位名称,类别\n\u200b,市级部门\n丙局🙂,市级部门\n",
                                    encoding="utf-8")
    r = cli("units", "import", tmp_path / "u.csv")
    assert r.exit_code == 1 and "第 2 行：单位名称为空" in r.stderr and "第 3 行" in r.stderr
