"""Write data/samples/evidence/: the evidence files units and the office send during a
year, as they look (title rows, merged cells, notes in header brackets, dates as cells
and as text, a CSV saved by Excel). `cdo demo` loads them. Dev time only."""

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent.parent / "data" / "samples" / "evidence"
D = dt.date


def _title(ws, text: str, width: int) -> None:
    ws["A1"] = text
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def _merge_down(ws, col: int, first: int, values: list) -> None:
    """Merge runs of equal values in column `col` (1-based) starting at row `first`."""
    r = 0
    while r < len(values):
        end = r
        while end + 1 < len(values) and values[end + 1] == values[r]:
            end += 1
        if end > r:
            for k in range(r + 1, end + 1):
                ws.cell(first + k, col).value = None
            ws.merge_cells(start_row=first + r, start_column=col, end_row=first + end,
                           end_column=col)
        r = end + 1


CATALOG_HEAD = ["序号", "数据资源名称", "所属信息系统", "数据项数（个）", "数据量（条）", "更新频率",
                "共享属性", "开放属性", "数据字典", "分级"]


def catalog(name: str, unit: str, rows: list[tuple]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据资源目录"
    _title(ws, f"{unit}数据资源目录清单（一本账）", len(CATALOG_HEAD))
    ws.append(CATALOG_HEAD)
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    _merge_down(ws, 3, 3, [r[1] for r in rows])
    ws.append(["填表人：张某某    审核人：李某某"])
    notes = wb.create_sheet("填写说明")
    notes["A1"] = "共享属性填 无条件共享/有条件共享/不予共享；分级填 一般/重要/核心。"
    wb.save(OUT / name)


def systems(name: str, unit: str, rows: list[tuple]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "信息系统清单"
    _title(ws, f"{unit}自建信息系统和条线信息系统清单", 5)
    ws.append(["序号", "系统名称", "建设类型（自建/条线）", "是否接入", "接入日期"])
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    wb.save(OUT / name)


def task_list(name: str, title: str, rows: list[tuple]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务清单"
    _title(ws, title, 5)
    ws.append(["序号", "责任单位", "任务内容", "完成时限", "完成日期"])
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    _merge_down(ws, 2, 3, [r[0] for r in rows])
    wb.save(OUT / name)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # 通川区: two versions; the second adds dictionaries. 户籍人口统计数据 (a problem of the
    # September check) is in neither: a census gap.
    first = [
        ("城乡低保对象信息", "社会救助管理系统", 32, 18650, "每月", "有条件共享", "不予开放", "有", "重要"),
        ("残疾人补贴发放信息", "社会救助管理系统", 18, 4200, "每月", "有条件共享", "不予开放", "无", "重要"),
        ("城市低保对象信息", "社会救助管理系统", 30, 9100, "每月", "有条件共享", "不予开放", "无", None),
        ("农村危房改造信息", "住房保障信息系统", 21, 1300, None, "无条件共享", "有条件开放", "无", "一般"),
    ]
    catalog("目录清单-通川区-第1版.xlsx", "通川区", first)
    second = [r[:7] + ("有",) + r[8:] for r in first] + [
        ("区级财政预算公开信息", "预算管理一体化系统", 12, 560, "每年", "无条件共享", "无条件开放", "有", "一般"),
    ]
    catalog("目录清单-通川区-第2版.xlsx", "通川区", second)
    catalog("目录清单-达川区.xlsx", "达川区", [
        ("企业登记基本信息", "市场主体登记系统", 40, 52000, "实时", "无条件共享", "有条件开放", "有", "一般"),
        ("农村土地承包经营权信息", "农村产权交易系统", 26, 88000, "每季度", "有条件共享", "不予开放", "有", "重要"),
        ("农业经营主体名录", None, 15, 3400, None, None, None, "无", None),
    ])
    # 市公安局 sends its catalogue as a CSV saved by Excel (GBK), after the year's end
    with (OUT / "目录清单-市公安局.csv").open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["数据资源名称", "所属信息系统", "字段数", "数据量", "更新频率", "共享属性",
                    "开放属性", "数据字典", "分级"])
        w.writerow(["机动车登记信息", "机动车登记管理系统", 56, "1,203,400", "实时", "有条件共享",
                    "不予开放", "有", "核心"])
        w.writerow(["道路交通事故信息", "交通管理综合平台", 38, "56,210", "每日", "有条件共享",
                    "不予开放", "有", "重要"])
        w.writerow(["  户籍迁移信息 ", "人口信息管理系统", 44, "310,000", "实时", "有条件共享",
                    "不予开放", "有", "核心"])
    systems("信息系统清单-通川区.xlsx", "通川区", [
        ("通川区社会救助管理系统", "自建", "是", D(2023, 6, 12)),
        ("通川区网格化服务管理平台", "自建", "是", "2023年9月5日"),
        ("通川区智慧社区系统", "自建", "否", None),
        ("全国住房保障信息系统", "条线", "否", None),
    ])
    systems("信息系统清单-达川区.xlsx", "达川区", [
        ("达川区农村产权交易系统", "自建", "是", "2023/3/1"),
        ("达川区市场主体登记系统", "条线", "是", D(2022, 11, 20)),
    ])
    systems("信息系统清单-市公安局.xlsx", "市公安局", [
        ("机动车登记管理系统", "条线", "是", None),
        ("达州市公安局警务数据平台", "自建", "是", D(2023, 12, 20)),
        ("达州市公安局视频监控联网平台", "自建", "否", None),
    ])
    task_list("第三批数据共享责任清单.xlsx", "第三批数据共享责任清单", [
        ("通川区", "城乡低保对象信息共享至城市大脑", D(2023, 6, 30), D(2023, 6, 20)),
        ("通川区", "残疾人补贴发放信息共享", D(2023, 9, 30), "2023-10-18"),
        ("达川区", "企业登记基本信息共享", D(2023, 8, 31), D(2023, 8, 1)),
        ("市公安局", "机动车登记信息有条件共享", D(2023, 10, 31), None),
        ("市民政局", "婚姻登记信息共享", "2023年11月30日", "2023年11月28日"),
    ])
    task_list("数据回流任务清单.xlsx", "国省数据回流任务清单", [
        ("通川区", "省级社会保障卡数据回流", D(2023, 10, 31), None),
        ("市公安局", "全国人口信息回流", D(2023, 12, 15), D(2023, 12, 10)),
        ("市民政局", "全国婚姻登记数据回流", D(2023, 12, 31), None),
    ])
    task_list("年度数据开放计划.xlsx", "2023年度县（市、区）数据开放计划", [
        ("通川区", "开放区级财政预算公开信息", D(2023, 11, 30), D(2023, 11, 10)),
        ("通川区", "开放农村危房改造统计数据", D(2023, 12, 31), None),
        ("达川区", "开放企业登记基本信息（脱敏）", D(2023, 10, 31), D(2023, 12, 5)),
    ])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "应用项目"
    ws.append(["序号", "单位", "项目名称", "类型", "阶段", "立项日期", "上线日期", "典型应用示范"])
    for i, row in enumerate([
        ("通川区", "低保对象智能核查", "应用示范", "上线运行", D(2023, 3, 1), D(2023, 8, 15), "是"),
        ("通川区", "社区网格数据融合应用", "应用示范", "建设", "2023-06-10", None, "否"),
        ("达川区", "涉农贷款数据融资服务", "应用示范", "立项", D(2023, 11, 2), None, None),
        ("市公安局", "交通事故风险地图发布", "应用示范", "上线运行", D(2022, 12, 1), "2023-05-20", "是"),
        ("市公安局", "车辆数据授权运营试点", "授权运营", "建设", D(2023, 7, 1), None, None),
        ("达州水务集团", "用水数据交易探索", "数据交易", "立项", D(2023, 9, 1), None, None),
    ], 1):
        ws.append([i, *row])
    wb.save(OUT / "应用项目.xlsx")
    # quality measurements: March and September checks as sheets, December as a CSV
    checks = {
        "2023-03": [("通川区", "城乡低保对象信息", 2000, 120, 40), ("达川区", "企业登记基本信息", 5000, 150, 90),
                    ("市公安局", "机动车登记信息", 8000, 80, 40), ("市民政局", "婚姻登记信息", 3000, 90, 30)],
        "2023-09": [("通川区", "城乡低保对象信息", 2000, 80, 30), ("达川区", "企业登记基本信息", 5000, 100, 95),
                    ("市公安局", "机动车登记信息", 8000, 60, 50)],
    }
    for month, rows in checks.items():
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "抽查结果"
        _title(ws, f"{month[:4]}年{int(month[5:])}月数据抽查质量结果", 6)
        ws.append(["序号", "责任单位", "数据资源名称", "抽查记录数（条）", "空值数", "错值数"])
        for i, row in enumerate(rows, 1):
            ws.append([i, *row])
        wb.save(OUT / f"抽查结果-{month}.xlsx")
    with (OUT / "抽查结果-2023-12.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["责任单位", "数据资源名称", "抽查记录数", "空值数", "错值数"])
        w.writerow(["通川区", "城乡低保对象信息", 2500, 50, 25])
        w.writerow(["达川区", "企业登记基本信息", 5000, 110, 60])
        w.writerow(["市民政局", "婚姻登记信息", 3000, 120, 20])
    # item 17: the third party's two-column sheet
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "第三方评估"
    ws.append(["单位", "评估得分"])
    for unit, pts in [("通川区", 8.5), ("万源市", 7), ("宣汉县", 9), ("市公安局", 8),
                      ("市民政局", 7.5), ("市大数据中心", 9.5)]:
        ws.append([unit, pts])
    wb.save(OUT / "第三方评估得分.xlsx")


if __name__ == "__main__":
    main()
