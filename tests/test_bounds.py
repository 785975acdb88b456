"""Issue 14.12–14.17: every import is bounded. Hostile files are made here (a few KB on disk
each); each importer runs in a subprocess under a memory cap (resource.setrlimit) and a
time limit, so a regression fails instead of taking the machine down. Budget: refused or
read within 60 s and 500 MB."""

import io
import os
import re
import subprocess
import sys
import time
import zipfile

import pytest

from cdo.roster.units import add_unit
from cdo.store.db import open_db

MEMORY_CAP = 600 * 2**20  # address space: about 500 MB resident plus the interpreter's maps
SECONDS = 60

IMPORTERS = {
    "units import": ["units", "import", "{f}"],
    "spotcheck new": ["spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
                      "--file", "{f}"],
    "score import": ["score", "import", "{f}", "--year", "2023"],
    "duty attend": ["duty", "attend", "1", "--file", "{f}"],
    "register import": ["register", "import", "{f}", "--unit", "市教育局",
                        "--received", "2023-06-01"],
}

_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
resource.setrlimit(resource.RLIMIT_CPU, ({secs}, {secs}))
sys.argv = ["cdo", *sys.argv[1:]]
from cdo.cli import main
main()
"""


def run_capped(args, db_path, cwd):
    """Run cdo ARGS in a subprocess capped at MEMORY_CAP and SECONDS; (result, seconds)."""
    env = dict(os.environ, CDO_DB=str(db_path))
    code = _RUN.format(cap=MEMORY_CAP, secs=SECONDS)
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env, cwd=cwd,
                       capture_output=True, text=True, timeout=SECONDS + 10)
    return r, time.monotonic() - start


@pytest.fixture
def seeded(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    db.conn.close()
    r, _ = run_capped(["duty", "meeting", "add", "--on", "2023-07-14", "--title", "会议"],
                      db_path, db_path.parent)
    assert r.returncode == 0, r.stderr
    return db_path


def refused_in_budget(r, seconds, *words):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr[-2000:])
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr, r.stderr[-2000:]
    assert r.stderr.startswith("cdo: ") or "\ncdo: " in r.stderr, r.stderr
    assert re.search(r"[\u4e00-\u9fff]", r.stderr)
    assert seconds < SECONDS
    for w in words:
        assert w in r.stderr, (w, r.stderr)


# ----------------------------------------------------------------------------- hostile files

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/'
       'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
       'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{over}</Types>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx(sheets: list[str]) -> bytes:
    """A workbook written by hand (as an attacker would), one sheet per XML body."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        over = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1))
        z.writestr("[Content_Types].xml", _CT.format(over=over))
        z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{_R}/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {_NS} xmlns:r="{_R}"><sheets>' + "".join(
            f'<sheet name="表{i}" sheetId="{i}" r:id="rId{i}"/>'
            for i in range(1, len(sheets) + 1)) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships">' + "".join(
                       f'<Relationship Id="rId{i}" Type="{_R}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
                   + "</Relationships>")
        for i, body in enumerate(sheets, 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", body)
    return buf.getvalue()


def sheet(data: str, dim: str = "A1", prolog: str = "", tail: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {_NS}>'
            f'<dimension ref="{dim}"/><sheetData>{data}</sheetData>{tail}</worksheet>')


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER = '<row r="1">' + cell("A1", "单位名称") + cell("B1", "类别") + cell("C1", "姓名") + "</row>"
FAR = '<row r="1048576">' + cell("XFD1048576", "x") + "</row>"
LOL = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;'
       '&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
       '<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _ods(content_rows: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:'
                   'names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:'
                   'full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
                   'spreadsheet"/></manifest:manifest>')
        z.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:'
                   'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
                   'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
                   '<office:body><office:spreadsheet><table:table table:name="表1">'
                   + content_rows + "</table:table></office:spreadsheet></office:body>"
                   "</office:document-content>")
    return buf.getvalue()


def _ods_xxe() -> bytes:
    rows = ('<table:table-row><table:table-cell office:value-type="string"><text:p>&xxe;'
            "</text:p></table:table-cell></table:table-row>")
    src, out = zipfile.ZipFile(io.BytesIO(_ods(rows))), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "content.xml":
                data = b'<?xml version="1.0"?>' + XXE.encode() + data
            z.writestr(info, data)
    return out.getvalue()


def _bomb_xlsx() -> bytes:
    """A zip bomb: 20 MB of XML (blank space) packed into about 20 KB."""
    return xlsx([sheet(HEADER + " " * 20 * 2**20)])


def _blank_cells_xlsx() -> bytes:
    """Millions of blank cells: small once unpacked, slow to parse one by one."""
    return xlsx([sheet(HEADER + ("<row>" + "<c/>" * 100 + "</row>") * 25_000)])


HOSTILE = {
    # 14.12: one cell at XFD1048576 — the declared size is never trusted
    "far cell": lambda: xlsx([sheet(HEADER + FAR, "A1:XFD1048576")]),
    "ten far sheets": lambda: xlsx([sheet(HEADER + FAR, "A1:XFD1048576")] * 10),
    "lying dimension": lambda: xlsx([sheet(HEADER, "A1:XFD1048576")]),
    "merge of the whole sheet": lambda: xlsx([sheet(
        HEADER, "A1:XFD1048576", tail='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/>'
        "</mergeCells>")]),
    # 14.14: a million rows: refused at the importer's row limit
    "content at the last row": lambda: xlsx([sheet(
        HEADER + '<row r="1048576">' + cell("A1048576", "达州市民政局") + "</row>")]),
    # 14.13: zip bomb
    "zip bomb": _bomb_xlsx,
    "blank cells": _blank_cells_xlsx,
    # 14.17: XXE and billion laughs in a sheet
    "billion laughs": lambda: xlsx([sheet('<row r="1">' + cell("A1", "&lol9;") + "</row>",
                                          prolog=LOL)]),
    "xxe": lambda: xlsx([sheet('<row r="1">' + cell("A1", "&xxe;") + "</row>", prolog=XXE)]),
    "ods xxe": _ods_xxe,
    # an .ods whose declared area is ~100 million cells (calamine would lay it all out)
    "ods bomb": lambda: _ods(
        '<table:table-row><table:table-cell office:value-type="string"><text:p>单位名称'
        '</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-'
        'repeated="5990"><table:table-cell table:number-columns-repeated="16384"/>'
        '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated='
        '"16383"/><table:table-cell office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"),
}
SUFFIX = {"ods bomb": ".ods", "ods xxe": ".ods"}
SAID = {
    "zip bomb": "解压后",
    "blank cells": "单元格",
    "billion laughs": "不安全的 XML",
    "xxe": "不安全的 XML",
    "content at the last row": "第 1048576 行还有内容",
    "ods bomb": "无法读取",
    "ods xxe": "无法读取",
}


@pytest.mark.parametrize("importer", sorted(IMPORTERS))
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_workbooks_are_refused_within_budget(seeded, tmp_path, importer, case):
    data = HOSTILE[case]()
    assert len(data) < 200_000  # small on disk
    f = tmp_path / f"hostile{SUFFIX.get(case, '.xlsx')}"
    f.write_bytes(data)
    args = [a.replace("{f}", str(f)) for a in IMPORTERS[importer]]
    r, seconds = run_capped(args, seeded, tmp_path)
    words = [SAID[case]] if case in SAID and importer != "register import" else []
    refused_in_budget(r, seconds, *words)
    assert "root:" not in r.stdout + r.stderr  # /etc/passwd was never read in
    if importer == "register import" and case in SAID:
        assert SAID[case] in r.stderr, r.stderr


def test_the_zip_bomb_is_small_on_disk():
    assert len(_bomb_xlsx()) < 100_000


# ----------------------------------------------------------------------------- other files


def _big_sparse(path, size):
    with path.open("wb") as fh:  # no blocks on disk: a hole
        fh.truncate(size)
    return path


OTHER = {
    "200 MB csv": lambda d: _big_sparse(d / "big.csv", 200 * 2**20),
    "31 MB xlsx": lambda d: _big_sparse(d / "big.xlsx", 31 * 2**20),
    "fifo csv": lambda d: (os.mkfifo(d / "pipe.csv"), d / "pipe.csv")[1],
    "fifo xlsx": lambda d: (os.mkfifo(d / "pipe.xlsx"), d / "pipe.xlsx")[1],
    "/dev/zero as csv": lambda d: (os.symlink("/dev/zero", d / "zero.csv"), d / "zero.csv")[1],
    "/dev/zero as xlsx": lambda d: (os.symlink("/dev/zero", d / "zero.xlsx"), d / "zero.xlsx")[1],
}
OTHER_SAID = {"200 MB csv": "上限", "31 MB xlsx": "上限", "fifo csv": "不是普通文件",
              "fifo xlsx": "不是普通文件", "/dev/zero as csv": "不是普通文件",
              "/dev/zero as xlsx": "不是普通文件"}


@pytest.mark.parametrize("importer", sorted(IMPORTERS))
@pytest.mark.parametrize("case", sorted(OTHER))
def test_oversized_and_special_files_are_refused(seeded, tmp_path, importer, case):
    f = OTHER[case](tmp_path)
    args = [a.replace("{f}", str(f)) for a in IMPORTERS[importer]]
    r, seconds = run_capped(args, seeded, tmp_path)
    if importer == "register import" and case.endswith("csv"):
        refused_in_budget(r, seconds, "csv")  # not a form file at all
    else:
        refused_in_budget(r, seconds, OTHER_SAID[case])


def test_a_csv_with_too_many_rows_is_refused_at_the_limit(seeded, tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("单位名称,类别\n" + "单位,市级部门\n" * 100_001, encoding="utf-8")
    r, seconds = run_capped(["units", "import", f], seeded, tmp_path)
    refused_in_budget(r, seconds, "units.csv：第 100001 行还有内容", "100000 行")


def test_wide_rows_are_cut_not_read_to_xfd(seeded, tmp_path):
    row = '<row r="2">' + cell("A2", "达州市民政局") + cell("B2", "市级部门") + cell(
        "XFD2", "x") + "</row>"
    f = tmp_path / "wide.xlsx"
    f.write_bytes(xlsx([sheet(HEADER.replace(cell("C1", "姓名"), "") + row, "A1:XFD1048576")]))
    r, seconds = run_capped(["units", "import", f], seeded, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "新增 1 个单位" in r.stdout and seconds < SECONDS


# ----------------------------------------------------------------------------- the notice


def test_a_notice_line_of_dashes_is_read_in_linear_time():
    from cdo.notice import parse_notice

    took = []
    for n in (2_000, 20_000):
        start = time.monotonic()
        with pytest.raises(Exception) as e:  # not a notice: refused, and quickly
            parse_notice("—" * n + "\n" + "2024-02-05 " + "—" * n, 2024)
        assert "日期" in str(e.value)
        took.append(time.monotonic() - start)
    assert took[1] < 1, took  # ten times the line: was a thousand times slower (cubic)


NOTICE = """国务院办公厅关于2024年部分节假日安排的通知
国办发明电〔2023〕7号
一、元旦：1月1日放假，与周末连休。
二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。
三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
五、端午节：6月10日放假，与周末连休。
六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
"""


@pytest.mark.parametrize("make", [
    lambda d: (os.mkfifo(d / "n.txt"), d / "n.txt")[1],
    lambda d: (os.symlink("/dev/zero", d / "n.txt"), d / "n.txt")[1],
])
def test_calendar_load_refuses_a_fifo_or_a_device(seeded, tmp_path, make):
    f = make(tmp_path)
    r, seconds = run_capped(["calendar", "load", f, "--year", "2024"], seeded, tmp_path)
    refused_in_budget(r, seconds, "不是普通文件")


def test_calendar_load_of_dash_lines_after_a_real_notice(seeded, tmp_path):
    f = tmp_path / "n.txt"
    f.write_text(NOTICE + "\n" + ("—" * 3000 + "\n") * 100, encoding="utf-8")
    r, seconds = run_capped(["calendar", "load", f, "--year", "2024"], seeded, tmp_path)
    assert seconds < 10, seconds
    assert "Traceback" not in r.stderr
