"""Write the sample recommendation forms and the sample sign-in sheet under data/samples/.

The forms are filled the way units really send them back: the office template filled in
Excel, labels retyped with stray spaces, a WPS-style layout of the unit's own, two forms
in one workbook, one file re-saved by LibreOffice, a change of CDO a year later.
All people and phone numbers are invented.

    python scripts/make_sample_forms.py        # rewrites data/samples/forms and duty
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

from cdo.sheets.forms import build_form, fill_form_sheet

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "data" / "samples" / "forms"
DUTY = ROOT / "data" / "samples" / "duty"

PLAN = (
    "一、制度建设：年内出台本单位数据管理办法和数据安全管理制度。\n"
    "二、重点事项：完成数据资源普查登记，编制数据资源目录，按需求清单推进数据共享和回流。\n"
    "三、示范项目：打造1个数据应用示范场景，通过城市大脑“数字特区”发布。\n"
    "四、队伍建设：明确1名数据专员，组织2次数据技能和安全培训。\n"
    "五、预期成效：共享数据质量问题30个工作日内整改到位，数据共享率达到95%以上。"
)


def _fix(ws, cell: str, text: str) -> None:
    ws[cell].value = text


def standard(path: Path) -> None:
    """The office template filled in Excel: birth month as a date cell."""
    wb = build_form({
        "name": "王建军", "gender": "男", "ethnicity": "汉族", "birth_month": dt.date(1976, 4, 1),
        "native_place": "四川宣汉", "political_status": "中共党员", "education": "研究生/硕士",
        "phone": "13908180001", "position": "达州市大数据中心党组成员、副主任",
        "resume": "1998.07—2006.03  达州市信息中心科员\n2006.03—2016.09  达州市信息中心副主任\n"
                  "2016.09—至今    达州市大数据中心党组成员、副主任",
        "skills": "信息系统项目管理师（高级）",
        "work_plan": PLAN, "recommendation": "同意推荐王建军同志为我单位首席数据官。",
        "form_date": dt.date(2023, 5, 22),
    })
    wb.save(path)


def stray_spaces(path: Path) -> None:
    """Labels retyped with half- and full-width spaces; birth month as 1972年8月."""
    wb = build_form({
        "name": "李  梅", "gender": "女", "ethnicity": "汉族", "birth_month": "1972年8月",
        "native_place": "四川达州", "political_status": "中共党员", "education": "大学/学士",
        "phone": "139 0818 0002", "position": "通川区人民政府党组成员、副区长",
        "resume": "1994.07—2008.12 通川区经济和信息化局\n2008.12—至今 通川区人民政府副区长",
        "skills": "无",
        "work_plan": "（不超过500字）条陈式描述工作计划，包含制度建设、重点事项、示范项目、"
                     "队伍建设以及预期目标效果等内容。\n" + PLAN,
        "recommendation": "同意推荐。", "form_date": dt.date(2023, 5, 26),
    })
    ws = wb.active
    _fix(ws, "A3", "姓  名")
    _fix(ws, "A4", "民　族")
    _fix(ws, "A5", "籍　　贯")
    _fix(ws, "D6", "联系电话")
    wb.save(path)


def wps_layout(path: Path) -> None:
    """A unit's own layout (as WPS saves it): 4 columns, the photo box on the left side of
    nothing, 学历/学位, birth month as the number 197503, a landline, resume below its label."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    side = Side(style="thin")
    border = Border(left=side, right=side, top=side, bottom=side)
    for col, w in zip("ABCDE", (16, 18, 14, 18, 14), strict=True):
        ws.column_dimensions[col].width = w
    ws.merge_cells("A1:E1")
    ws["A1"] = "达州市首席数据官推荐表"
    ws["A1"].font = Font(size=18, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    rows = [
        ("姓 名：", "张 伟", "性 别：", "男", "（照片）"),
        ("民 族：", "土家族", "出生年月：", 197503, None),
        ("籍 贯：", "四川渠县", "政治面貌：", "中共党员", None),
        ("学历/学位：", "大学本科 工学学士", "联系电话：", "0818－2123456", None),
    ]
    for i, row in enumerate(rows, 3):
        for j, v in enumerate(row, 1):
            ws.cell(i, j).value = v
            ws.cell(i, j).border = border
    ws.merge_cells("E3:E6")
    ws["A7"] = "工作单位及职务："
    ws["B7"] = "达州市公安局党委委员、副局长"
    ws.merge_cells("B7:E7")
    ws["A8"] = "个人简历"
    ws.merge_cells("A8:E8")
    ws["A9"] = ("1996.07—2010.06 渠县公安局\n2010.06—2019.03 达州市公安局科技信息化支队支队长\n"
                "2019.03—至今 达州市公安局党委委员、副局长")
    ws.merge_cells("A9:E9")
    ws["A10"] = "有何专业技术特长或资格技能证书"
    ws["B10"] = "网络安全等级保护测评师"
    ws.merge_cells("B10:E10")
    ws["A11"] = "工作计划及目标成效"
    ws.merge_cells("A11:E11")
    ws["A12"] = PLAN
    ws.merge_cells("A12:E12")
    ws["A13"] = "所在地区或部门(单位)推荐意见"
    ws["B13"] = "同意推荐\n推荐单位（盖章）：\n2023年5月25日"
    ws.merge_cells("B13:E13")
    for r in range(7, 14):
        for c in range(1, 6):
            ws.cell(r, c).border = border
            ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
    for r, h in ((9, 60), (12, 120), (13, 50)):
        ws.row_dimensions[r].height = h
    wb.save(path)


def two_in_one(path: Path) -> None:
    """Two forms in one workbook (one a sheet), plus an empty Sheet3 WPS leaves behind."""
    wb = build_form({
        "name": "陈晓燕", "gender": "女", "ethnicity": "汉族", "birth_month": "1978.03",
        "native_place": "四川大竹", "political_status": "中共党员", "education": "大学/学士",
        "phone": "13908180003", "position": "达州市教育局党组成员、副局长",
        "resume": "2000.07—至今 达州市教育系统", "skills": "中小学高级教师",
        "work_plan": PLAN, "recommendation": "同意推荐。", "form_date": dt.date(2023, 5, 29),
    })
    wb.active.title = "市教育局"
    ws2 = wb.create_sheet("市卫生健康委")
    fill_form_sheet(ws2, {
        "name": "刘强", "gender": "男", "ethnicity": "汉族", "birth_month": "1970-11",
        "native_place": "四川开江", "political_status": "中共党员", "education": "研究生/医学硕士",
        "phone": "+86 139-0818-0004", "position": "达州市卫生健康委员会党组成员、副主任",
        "resume": "1993.07—至今 达州市卫生系统", "skills": "主任医师",
        "work_plan": PLAN, "recommendation": "同意推荐。", "form_date": dt.date(2023, 5, 29),
    })
    wb.create_sheet("Sheet3")
    wb.save(path)


def late_hospital(path: Path) -> None:
    """A form sent after the first-round deadline; re-saved by LibreOffice below."""
    wb = build_form({
        "name": "赵丽", "gender": "女", "ethnicity": "汉族", "birth_month": 1980.1,
        "native_place": "重庆万州", "political_status": "九三学社社员", "education": "研究生/博士",
        "phone": "13908180005", "position": "达州市中心医院副院长（分管信息化）",
        "resume": "2008.07—至今 达州市中心医院", "skills": "主任医师；医院信息化项目管理",
        "work_plan": PLAN, "recommendation": "同意推荐。", "form_date": dt.date(2023, 6, 12),
    })
    wb.save(path)


def enterprise(path: Path) -> None:
    """An enterprise's form: the company's short name in the position text."""
    wb = build_form({
        "name": "孙志勇", "gender": "男", "ethnicity": "汉族", "birth_month": "1974.09",
        "native_place": "四川达州", "political_status": "中共党员", "education": "大学/经济学学士",
        "phone": "139-0818-0006", "position": "达州发展集团党委委员、副总经理",
        "resume": "1996.07—至今 达州发展（控股）有限责任公司", "skills": "高级经济师",
        "work_plan": PLAN, "recommendation": "同意推荐。", "form_date": dt.date(2023, 5, 18),
    })
    wb.save(path)


def change_of_cdo(path: Path) -> None:
    """A year later 通川区 names someone else: a change of CDO."""
    wb = build_form({
        "name": "何俊", "gender": "男", "ethnicity": "汉族", "birth_month": "1981年2月",
        "native_place": "四川通川", "political_status": "中共党员", "education": "研究生/硕士",
        "phone": "13908180007", "position": "通川区人民政府党组成员、副区长",
        "resume": "2005.07—至今 通川区", "skills": "无",
        "work_plan": PLAN, "recommendation": "因工作调整，推荐何俊同志接任首席数据官。",
        "form_date": dt.date(2024, 3, 4),
    })
    wb.save(path)


def signin_sheet(path: Path) -> None:
    """The sign-in sheet of the first CDO meeting, as the office types it up."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "签到表"
    ws.append(["2023年上半年首席数据官工作会议签到表"])
    ws.merge_cells("A1:D1")
    ws.append(["序号", "单位", "参会人", "签到情况"])
    rows = [
        ("市大数据中心", "王建军", "出席"), ("通川区", "李梅", "出席"),
        ("市公安局", "周涛", "代会"), ("市教育局", "陈晓燕", "出席"),
        ("市卫生健康委", "", "请假"), ("达州发展集团", "孙志勇", "出席"),
        ("达川区", "", "缺席"), ("宣汉县", "吴敏", "出席"), ("市经济和信息化局", "郑磊", "出席"),
    ]
    for i, (unit, who, status) in enumerate(rows, 1):
        ws.append([i, unit, who, status])
    for col, w in zip("ABCD", (6, 26, 12, 12), strict=True):
        ws.column_dimensions[col].width = w
    wb.save(path)


def libreoffice_resave(path: Path) -> bool:
    """Re-save `path` with LibreOffice (as a unit using it would send it)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                        "--outdir", tmp, str(path)], check=True, capture_output=True, timeout=120)
        shutil.copy(Path(tmp) / path.name, path)
    return True


def main() -> None:
    FORMS.mkdir(parents=True, exist_ok=True)
    DUTY.mkdir(parents=True, exist_ok=True)
    standard(FORMS / "01-市大数据中心.xlsx")
    stray_spaces(FORMS / "02-通川区.xlsx")
    wps_layout(FORMS / "03-市公安局.xlsx")
    two_in_one(FORMS / "04-市教育局和市卫生健康委.xlsx")
    enterprise(FORMS / "05-达州发展集团.xlsx")
    hospital = FORMS / "06-市中心医院.xlsx"
    late_hospital(hospital)
    if not libreoffice_resave(hospital):
        print("没有找到 LibreOffice，06-市中心医院.xlsx 未经 LibreOffice 另存", file=sys.stderr)
    change_of_cdo(FORMS / "07-通川区-2024年变更.xlsx")
    signin_sheet(DUTY / "2023-07-14-工作会议签到表.xlsx")
    print(f"已写入 {FORMS} 和 {DUTY}")


if __name__ == "__main__":
    main()
