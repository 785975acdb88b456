"""Reading and writing the recommendation form (附件1)."""

import datetime as dt
import zipfile

import openpyxl
import pytest

from cdo.errors import InvalidInputError
from cdo.paths import data_dir
from cdo.sheets.forms import (
    WORK_PLAN_HINT,
    build_form,
    fill_form_sheet,
    parse_birth_month,
    parse_phone,
    plan_length,
    read_forms,
    write_template,
)

PLAN = "一、制度建设：出台数据管理办法。\n二、重点事项：完成数据普查登记。"

FULL = {
    "name": "王建军", "gender": "男", "ethnicity": "汉族", "birth_month": dt.date(1976, 4, 1),
    "native_place": "四川宣汉", "political_status": "中共党员", "education": "研究生/硕士",
    "phone": "139 0818 0001", "position": "达州市大数据中心党组成员、副主任",
    "resume": "1998.07—2006.03 达州市信息中心\n2006.03—至今 达州市大数据中心",
    "skills": "信息系统项目管理师", "work_plan": PLAN, "recommendation": "同意推荐。",
    "form_date": dt.date(2023, 5, 22),
}


def one(path):
    forms, errors = read_forms(path)
    assert errors == [], errors
    assert len(forms) == 1
    return forms[0]


def test_every_field_of_the_office_template_is_read(tmp_path):
    p = tmp_path / "f.xlsx"
    build_form(FULL).save(p)
    f = one(p)
    assert f.fields == {
        "name": "王建军", "gender": "男", "ethnicity": "汉族", "birth_month": "1976-04",
        "native_place": "四川宣汉", "political_status": "中共党员", "education": "研究生/硕士",
        "phone": "13908180001", "position": "达州市大数据中心党组成员、副主任",
        "resume": "1998.07—2006.03 达州市信息中心\n2006.03—至今 达州市大数据中心",
        "skills": "信息系统项目管理师", "work_plan": PLAN, "recommendation": "同意推荐。",
    }
    assert f.form_date == dt.date(2023, 5, 22)
    assert f.missing == []
    assert f.sheet == "推荐表"


def test_stray_spaces_other_wording_and_hint_left_in(tmp_path):
    p = tmp_path / "f.xlsx"
    values = {**FULL, "birth_month": "1972年8月", "work_plan": WORK_PLAN_HINT + "\n" + PLAN,
              "name": "李  梅", "form_date": None, "recommendation": None}
    wb = build_form(values)
    ws = wb.active
    ws["A3"] = "姓  名"
    ws["A4"] = "民　族："
    ws["A5"] = " 籍　　贯 "
    ws["A6"] = "学历/学位"
    ws["D6"] = "联系电话"
    wb.save(p)
    f = one(p)
    assert f.fields["name"] == "李梅"
    assert f.fields["ethnicity"] == "汉族"
    assert f.fields["native_place"] == "四川宣汉"
    assert f.fields["education"] == "研究生/硕士"
    assert f.fields["phone"] == "13908180001"
    assert f.fields["birth_month"] == "1972-08"
    assert f.fields["work_plan"] == PLAN
    assert f.fields["recommendation"] == ""
    assert f.form_date is None


def wps_like(path, *, birth=197503, phone="0818－2123456", name="张 伟", plan=PLAN):
    """A unit's own layout: labels with colons, 学历/学位, resume and plan below labels."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.merge_cells("A1:E1")
    ws["A1"] = "达州市首席数据官推荐表"
    rows = [
        ("姓 名：", name, "性 别：", "男", "（照片）"),
        ("民 族：", "土家族", "出生年月：", birth, None),
        ("籍 贯：", "四川渠县", "政治面貌：", "中共党员", None),
        ("学历/学位：", "大学本科 工学学士", "联系电话：", phone, None),
    ]
    for i, row in enumerate(rows, 3):
        for j, v in enumerate(row, 1):
            ws.cell(i, j).value = v
    ws.merge_cells("E3:E6")
    ws["A7"] = "工作单位及职务："
    ws["B7"] = "达州市公安局党委委员、副局长"
    ws.merge_cells("B7:E7")
    ws["A8"] = "个人简历"
    ws.merge_cells("A8:E8")
    ws["A9"] = "1996.07—至今 达州市公安局"
    ws.merge_cells("A9:E9")
    ws["A10"] = "有何专业技术特长或资格技能证书"
    ws["B10"] = "网络安全等级保护测评师"
    ws.merge_cells("B10:E10")
    ws["A11"] = "工作计划及目标成效"
    ws.merge_cells("A11:E11")
    ws["A12"] = plan
    ws.merge_cells("A12:E12")
    ws["A13"] = "所在地区或部门(单位)推荐意见"
    ws["B13"] = "同意推荐\n推荐单位（盖章）：\n2023年5月25日"
    ws.merge_cells("B13:E13")
    wb.save(path)


def test_a_units_own_layout_is_read_by_labels(tmp_path):
    p = tmp_path / "wps.xlsx"
    wps_like(p)
    f = one(p)
    assert f.fields == {
        "name": "张伟", "gender": "男", "ethnicity": "土家族", "birth_month": "1975-03",
        "native_place": "四川渠县", "political_status": "中共党员",
        "education": "大学本科 工学学士", "phone": "0818-2123456",
        "position": "达州市公安局党委委员、副局长", "resume": "1996.07—至今 达州市公安局",
        "skills": "网络安全等级保护测评师", "work_plan": PLAN, "recommendation": "同意推荐",
    }
    assert f.form_date == dt.date(2023, 5, 25)


def test_label_and_value_in_one_cell(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "姓名：周涛"
    ws["B1"] = "性别：男"
    ws["A2"] = "工作单位及职务：达州市教育局副局长"
    p = tmp_path / "inline.xlsx"
    wb.save(p)
    f = one(p)
    assert (f.fields["name"], f.fields["gender"], f.fields["position"]) == (
        "周涛", "男", "达州市教育局副局长")


def test_two_forms_in_one_workbook_and_blank_sheets_skipped(tmp_path):
    wb = build_form(FULL)
    ws2 = wb.create_sheet("第二份")
    fill_form_sheet(ws2, {**FULL, "name": "刘强", "birth_month": "1970-11"})
    wb.create_sheet("Sheet3")
    p = tmp_path / "two.xlsx"
    wb.save(p)
    forms, errors = read_forms(p)
    assert errors == []
    assert [(f.sheet, f.fields["name"], f.fields["birth_month"]) for f in forms] == [
        ("推荐表", "王建军", "1976-04"), ("第二份", "刘强", "1970-11")]


@pytest.mark.parametrize(("value", "month"), [
    ("1975.03", "1975-03"), ("1975年3月", "1975-03"), ("1975-3", "1975-03"),
    ("197503", "1975-03"), (197503, "1975-03"), (1975.03, "1975-03"), (1975.1, "1975-10"),
    (dt.datetime(1975, 3, 1), "1975-03"), ("1975/03/12", "1975-03"), ("1975年03月", "1975-03"),
    ("１９７５．０３", "1975-03"), ("1975.3", "1975-03"), ("", ""),
])
def test_birth_month_spellings(value, month):
    assert parse_birth_month(value) == month


@pytest.mark.parametrize("value", ["1975.13", "七五年三月", "abc", "2999.01"])
def test_bad_birth_month(value):
    with pytest.raises(InvalidInputError, match="出生年月"):
        parse_birth_month(value)


@pytest.mark.parametrize(("value", "phone"), [
    ("152 8240 6279", "15282406279"), ("152-8240-6279", "15282406279"),
    (15282406279, "15282406279"), (15282406279.0, "15282406279"),
    ("+86 152 8240 6279", "15282406279"), ("0818-2123456", "0818-2123456"),
    ("0818 2123456", "0818-2123456"), ("08182123456", "0818-2123456"),
    ("(0818)2123456", "0818-2123456"), ("０８１８－２１２３４５６", "0818-2123456"),
    ("028-86123456", "028-86123456"), ("15282406279/0818-2123456", "15282406279、0818-2123456"),
])
def test_phone_spellings(value, phone):
    assert parse_phone(value) == phone


@pytest.mark.parametrize("value", ["1528240627", "微信同号", "12345"])
def test_bad_phone(value):
    with pytest.raises(InvalidInputError, match="联系方式"):
        parse_phone(value)


def test_missing_name_is_refused(tmp_path):
    p = tmp_path / "f.xlsx"
    build_form({**FULL, "name": None}).save(p)
    forms, errors = read_forms(p)
    assert forms == []
    assert [(e.sheet, e.reason) for e in errors] == [("推荐表", "没有填写姓名")]


def test_work_plan_over_500_characters_is_refused_with_its_length(tmp_path):
    p = tmp_path / "f.xlsx"
    plan = "一" * 499 + "\n二二"  # 501 characters; the line break does not count
    assert plan_length(plan) == 501
    build_form({**FULL, "work_plan": plan}).save(p)
    forms, errors = read_forms(p)
    assert forms == []
    assert "共 501 字" in errors[0].reason and "500" in errors[0].reason
    build_form({**FULL, "work_plan": "一" * 500}).save(p)
    assert one(p).fields["work_plan"] == "一" * 500


def test_bad_value_names_the_sheet(tmp_path):
    p = tmp_path / "f.xlsx"
    build_form({**FULL, "gender": "未知"}).save(p)
    forms, errors = read_forms(p)
    assert forms == [] and "性别" in errors[0].reason and errors[0].sheet == "推荐表"


def test_two_forms_on_one_sheet_are_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["A5"], ws["B5"] = "姓名", "甲", "姓名", "乙"
    p = tmp_path / "f.xlsx"
    wb.save(p)
    forms, errors = read_forms(p)
    assert "不止一份" in errors[0].reason


def test_unreadable_files(tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    forms, errors = read_forms(xls)
    assert forms == [] and "另存为 .xlsx" in errors[0].reason and errors[0].sheet is None

    good = tmp_path / "good.xlsx"
    build_form(FULL).save(good)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:1500])
    assert "损坏或不完整" in read_forms(cut)[1][0].reason

    fake = tmp_path / "fake.xlsx"
    fake.write_text("这不是表格", encoding="utf-8")
    assert "不是 Excel 文件" in read_forms(fake)[1][0].reason

    none = tmp_path / "none.xlsx"
    openpyxl.Workbook().save(none)
    assert "没有找到推荐表" in read_forms(none)[1][0].reason


def test_template_is_the_printed_form(tmp_path):
    p = tmp_path / "t.xlsx"
    write_template(p)
    with zipfile.ZipFile(p) as z:
        assert "xl/worksheets/sheet1.xml" in z.namelist()
    ws = openpyxl.load_workbook(p).active
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "达州市首席数据官推荐表" in texts
    assert WORK_PLAN_HINT in texts
    for label in ("姓名", "性别", "民族", "出生年月", "籍贯", "政治面貌", "学历学位", "联系方式",
                  "工作单位及职务", "个人简历", "照片"):
        assert label in texts
    assert any("500字" in t for t in texts)
    assert "G3:G6" in {str(r) for r in ws.merged_cells.ranges}  # the photo box
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.orientation == "portrait"
    # a blank form is not a form to import
    forms, errors = read_forms(p)
    assert forms == [] and errors[0].reason == "没有填写姓名"


def test_template_filled_in_and_read_back_round_trips(tmp_path):
    p = tmp_path / "t.xlsx"
    write_template(p)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    ws["B3"], ws["E3"], ws["B7"] = "赵丽", "女", "达州市中心医院副院长"
    ws["B12"] = "同意推荐。"
    wb.save(p)
    f = one(p)
    assert (f.fields["name"], f.fields["gender"], f.fields["position"]) == (
        "赵丽", "女", "达州市中心医院副院长")
    assert f.fields["work_plan"] == ""  # the grey hint is not a plan
    assert f.fields["recommendation"] == "同意推荐。"
    assert "工作计划及目标成效" in f.missing


def test_bundled_sample_forms_all_read():
    folder = data_dir() / "samples" / "forms"
    names = {}
    for path in sorted(folder.glob("*.xlsx")):
        forms, errors = read_forms(path)
        assert errors == [], (path, errors)
        for f in forms:
            names[f.fields["name"]] = f
    assert set(names) == {"王建军", "李梅", "张伟", "陈晓燕", "刘强", "孙志勇", "赵丽", "何俊"}
    # 06 was re-saved by LibreOffice: a float birth month 1980.1 means October
    assert names["赵丽"].fields["birth_month"] == "1980-10"
    assert names["刘强"].fields["phone"] == "13908180004"
    assert names["张伟"].fields["phone"] == "0818-2123456"


def test_absurdly_long_fields_are_refused(tmp_path):
    p = tmp_path / "f.xlsx"
    build_form({**FULL, "name": "数" * 40, "position": "局" * 301}).save(p)
    forms, errors = read_forms(p)
    assert forms == []
    assert errors[0].reason == ("姓名太长（40 字，最多 30 字），请核对；"
                                "工作单位及职务太长（301 字，最多 300 字），请核对")


# --- forms typed up by units in their own layout (not the template's)


def unit_layout(path, values, *, unit_line=None, sheet="Sheet1", before=None):
    """A form as a unit types it from the printed 附件1: labels in A/C/E, values in B/D/F,
    the photo box merged down column G, the résumé a tall merged block, line breaks and
    stray spaces inside labels."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if before:  # an instruction sheet first
        ws.title = before
        ws["A1"] = "填表说明：姓名请填写全名，出生年月写成 1975.03"
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    ws.merge_cells("A1:G1")
    ws["A1"] = "达州市首席数据官推荐表"
    r = 2
    if unit_line:
        ws.cell(2, 1, unit_line)
        r = 3
    v = values.get
    for a, ka, c, kc, e, ke in [("姓    名", "name", "性  别", "gender", "民　族", "ethnicity"),
                                ("出生\n年月", "birth_month", "籍  贯", "native_place",
                                 "政治\n面貌", "political_status")]:
        ws.cell(r, 1, a), ws.cell(r, 2, v(ka)), ws.cell(r, 3, c), ws.cell(r, 4, v(kc))
        ws.cell(r, 5, e), ws.cell(r, 6, v(ke))
        r += 1
    ws.cell(r, 1, values.get("education_label", "学  历")), ws.cell(r, 2, v("education"))
    ws.cell(r, 3, "联系方式"), ws.cell(r, 4, v("phone"))
    ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=6)
    r += 1
    ws.cell(r, 1, "工作单位\n及职务"), ws.cell(r, 2, v("position"))
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=6)
    ws.merge_cells(start_row=r - 3, start_column=7, end_row=r, end_column=7)
    ws.cell(r - 3, 7, "照片")
    r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r + 6, end_column=1)
    ws.merge_cells(start_row=r, start_column=2, end_row=r + 6, end_column=7)
    ws.cell(r, 1, "个\n人\n简\n历"), ws.cell(r, 2, v("resume"))
    r += 7
    for label, key in [("有何专业技术特长\n或资格技能证书", "skills"),
                       ("工作计划及\n目标成效", "work_plan"),
                       ("所在地区或部门(单\n位) 推荐意见", "recommendation")]:
        ws.cell(r, 1, label), ws.cell(r, 2, v(key))
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=7)
        r += 1
    wb.save(path)
    return path


UNIT_TYPED = {
    "name": "王  明", "gender": "男", "ethnicity": "汉族", "birth_month": dt.datetime(1978, 10, 1),
    "native_place": "四川达州", "political_status": "中共党员", "education": "大学本科/工学学士",
    "phone": "152 8240 6279", "position": "达州市教育局党组成员、副局长",
    "resume": "1996.09—2000.07 四川大学\n2000.07—至今 达州市教育局",
    "skills": "高级工程师", "work_plan": "1. 建立制度；\n2. 推进数据归集。",
    "recommendation": "同意推荐。\n推荐单位（盖章）：\n二〇二三年五月二十日",
}


def test_a_form_in_a_units_own_layout_reads_every_field(tmp_path):
    f = one(unit_layout(tmp_path / "f.xlsx", UNIT_TYPED, before="填表说明", sheet="推荐表"))
    assert f.sheet == "推荐表"
    assert f.fields == {
        "name": "王明", "gender": "男", "ethnicity": "汉族", "birth_month": "1978-10",
        "native_place": "四川达州", "political_status": "中共党员",
        "education": "大学本科/工学学士", "phone": "15282406279",
        "position": "达州市教育局党组成员、副局长",
        "resume": "1996.09—2000.07 四川大学\n2000.07—至今 达州市教育局",
        "skills": "高级工程师", "work_plan": "1. 建立制度；\n2. 推进数据归集。",
        "recommendation": "同意推荐。",
    }
    # the stamp's date in Chinese numerals is the form's date
    assert f.form_date == dt.date(2023, 5, 20)


@pytest.mark.parametrize("raw", [dt.datetime(1978, 10, 1), "1978.10", 1978.1, "1978年10月",
                                 "1978-10", "197810", "1978.10\n（45岁）", "1978年10月生",
                                 "1978.10.01"])
def test_birth_month_spellings_in_a_units_layout(tmp_path, raw):
    f = one(unit_layout(tmp_path / "f.xlsx", {**UNIT_TYPED, "birth_month": raw}))
    assert f.fields["birth_month"] == "1978-10"


@pytest.mark.parametrize("raw, stored", [
    ("152 8240 6279", "15282406279"),
    ("0818-2123456", "0818-2123456"),
    ("152 8240 6279 / 0818-2123456", "15282406279、0818-2123456"),
    ("15282406279\n0818-2123456", "15282406279、0818-2123456"),
    ("15282406279 0818-2123456", "15282406279、0818-2123456"),
    ("手机：15282406279；办公室：0818—2123456", "15282406279、0818-2123456"),
])
def test_phone_spellings_in_a_units_layout(tmp_path, raw, stored):
    f = one(unit_layout(tmp_path / "f.xlsx", {**UNIT_TYPED, "phone": raw}))
    assert f.fields["phone"] == stored


def test_phone_still_refuses_what_is_not_a_number():
    with pytest.raises(InvalidInputError, match="联系方式无法识别"):
        parse_phone("152 8240 627")
    with pytest.raises(InvalidInputError, match="联系方式无法识别"):
        parse_phone("请联系办公室")


def test_unit_line_sheet_and_file_names_are_offered_as_unit_hints(tmp_path):
    p = unit_layout(tmp_path / "达州市审计局推荐表.xlsx", UNIT_TYPED,
                    unit_line="填报单位：达州市林业局", sheet="市水务局")
    f = one(p)
    assert f.unit_hints == [("表上的单位栏", "达州市林业局"), ("工作表名“市水务局”", "市水务局"),
                            ("文件名“达州市审计局推荐表.xlsx”", "达州市审计局推荐表")]


def test_a_libreoffice_saved_unit_form_reads_the_same(tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    (tmp_path / "src").mkdir()
    src = unit_layout(tmp_path / "src" / "f.xlsx", {**UNIT_TYPED, "birth_month": 1978.1})
    out = tmp_path / "out"
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(src)], check=True, capture_output=True, timeout=120)
    f = one(out / "f.xlsx")
    assert f.fields["birth_month"] == "1978-10"
    assert f.fields["name"] == "王明"
    assert f.fields["resume"] == UNIT_TYPED["resume"]
    assert f.form_date == dt.date(2023, 5, 20)


def test_clean_form_strips_zero_width_characters_from_every_field():
    from cdo.sheets.forms import clean_form

    raw = {"name": "\ufeff张\u200b三\u200f", "gender": "男\u200c", "birth_month": "1975\u200b.03",
           "phone": "139\u20600818\u200e0001", "position": "达州市统计局\u200d副局长",
           "resume": "2001.07\u200b 参加工作\n\u200b\n2010 至今"}
    f, _ = clean_form(raw)
    assert (f["name"], f["gender"], f["birth_month"], f["phone"], f["position"]) == (
        "张三", "男", "1975-03", "13908180001", "达州市统计局副局长")
    assert f["resume"] == "2001.07 参加工作\n\n2010 至今"


@pytest.mark.parametrize("name", ["张三😀", "张三❤", "张三\U0001f1e8\U0001f1f3"])
def test_clean_form_refuses_a_name_with_emoji_or_symbols(name):
    from cdo.errors import InvalidInputError
    from cdo.sheets.forms import clean_form

    with pytest.raises(InvalidInputError, match="含有表情或符号"):
        clean_form({"name": name})
