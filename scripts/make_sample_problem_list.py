"""Write data/samples/problems/2023-10-问题数据清单.xlsx: a month's problem list as the
office keeps it (title row, merged 责任单位 cells, 序号, a 备注 column). Dev time only."""

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent.parent / "data" / "samples" / "problems"
ROWS = [
    ("达州市教育局", "中小学校基本信息", "准确性", "学校地址与统一地址库不一致", 23),
    ("达州市教育局", "教师资格认定信息", "完整性", "部分记录缺少认定日期", 140),
    ("市交通运输局", "道路运输经营许可信息", "时效性", "注销许可未在5个工作日内同步", None),
    ("通川区", "城市低保对象信息", "规范性", "身份证号含空格及全角字符", 9),
    ("通川区", "残疾人补贴发放信息", "完整性", "发放金额字段为空", 36),
    ("通川区", "农村危房改造信息", "准确性", "竣工日期早于开工日期", 4),
    ("达州供电公司", "居民用电户信息", "时效性", "数据按月而非按日更新", None),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题数据清单"
    ws["A1"] = "2023年10月数据抽查问题数据清单"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:G1")
    ws.append(["序号", "责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量", "备注"])
    start = 3
    for i, (unit, res, dim, desc, n) in enumerate(ROWS, 1):
        ws.append([i, unit, res, dim, desc, n, None])
    # the same unit's rows merged, as clerks do
    r = start
    while r < start + len(ROWS):
        end = r
        while end + 1 < start + len(ROWS) and ROWS[end + 1 - start][0] == ROWS[r - start][0]:
            end += 1
        if end > r:
            for k in range(r + 1, end + 1):
                ws.cell(k, 2).value = None
            ws.merge_cells(start_row=r, start_column=2, end_row=end, end_column=2)
        r = end + 1
    for col, width in zip("ABCDEFG", (6, 18, 22, 10, 36, 10, 10), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(OUT / "2023-10-问题数据清单.xlsx")


if __name__ == "__main__":
    main()
