"""Issue 13.9 (file opening): .xls, .et and .ods are read by every importer (files made by
LibreOffice from the same tables as the .xlsx); a Word file renamed .xlsx says so; an
unreadable file is one Chinese line and exit 1."""

import os
import shutil
import subprocess

import openpyxl
import pytest

from cdo.roster.units import add_unit
from cdo.sheets.forms import build_form
from cdo.store.db import open_db

TABLES = {
    "units": [["单位名称", "类别", "简称"], ["达州市民政局", "市级部门", "市民政局"]],
    "problems": [["责任单位", "数据资源名称", "问题类型", "问题描述", "问题数据量"],
                 ["市教育局", "学籍信息", "准确性", "身份证号位数错误", 12]],
    "scores": [["单位", "1", "2"], ["市教育局", 3, 4]],
    "signin": [["单位", "出勤情况"], ["市教育局", "出席"]],
}
COMMANDS = {
    "units": (["units", "import", "{f}"], "新增 1 个单位"),
    "problems": (["spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
                  "--file", "{f}"], "1 个问题，涉及 1 个单位"),
    "scores": (["score", "import", "{f}", "--year", "2023"], "新增 2 项"),
    "signin": (["duty", "attend", "1", "--file", "{f}"], "新记录 1"),
    "form": (["register", "import", "{f}", "--unit", "市教育局", "--received", "2023-06-01"],
             "新增  达州市教育局  王建军"),
}


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """Each table as .xlsx, and as .xls and .ods converted by LibreOffice (one call each)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot make .xls/.ods files")
    folder = tmp_path_factory.mktemp("formats")
    sources = []
    for name, rows in TABLES.items():
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(folder / f"{name}.xlsx")
        sources.append(folder / f"{name}.xlsx")
    build_form({"name": "王建军", "gender": "男", "phone": "13908180001",
                "position": "达州市教育局副局长", "recommendation": "同意推荐。",
                "birth_month": "1976.04"}).save(folder / "form.xlsx")
    sources.append(folder / "form.xlsx")
    profile = folder / "profile"
    for fmt in ("xls", "ods"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", fmt, "--outdir", str(folder), *map(str, sources)],
                       check=True, capture_output=True, timeout=180)
    return folder


@pytest.fixture
def seeded(db_path, cli):
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    db.conn.close()
    r = cli("duty", "meeting", "add", "--on", "2023-07-14", "--title", "会议")
    assert r.exit_code == 0, r.stderr
    return db_path


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".et"])
@pytest.mark.parametrize("what", sorted(COMMANDS))
def test_every_importer_reads_xls_and_ods(cli, seeded, converted, tmp_path, what, suffix):
    source = converted / f"{what}{'.xls' if suffix == '.et' else suffix}"
    f = tmp_path / f"{what}{suffix}"  # WPS's .et: the old Excel format under another name
    shutil.copy(source, f)
    args, said = COMMANDS[what]
    r = cli(*[a.replace("{f}", str(f)) for a in args])
    assert r.exit_code == 0, r.stderr
    assert said in r.stdout


def test_an_xls_form_reads_like_the_xlsx(converted):
    from cdo.sheets.read import read_table

    base = read_table(converted / "form.xlsx", merged=True)[0]
    for suffix in (".xls", ".ods"):
        other = read_table(converted / f"form{suffix}", merged=True)[0]
        assert other.merged == base.merged, suffix
        assert [[c for c in r if c is not None] for r in other.rows] == [
            [c for c in r if c is not None] for r in base.rows], suffix


def test_a_word_file_renamed_xlsx_says_so(cli, seeded, tmp_path):
    import zipfile

    f = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    for args in (["units", "import", f], ["register", "import", f, "--unit", "市教育局"],
                 ["spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
                  "--file", f]):
        r = cli(*args)
        assert r.exit_code == 1
        assert "这是 Word 文档，不是 Excel 表格" in r.stderr, r.stderr


def test_an_unreadable_file_is_one_chinese_line(cli, seeded, tmp_path, monkeypatch):
    f = tmp_path / "units.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "类别"])
    wb.save(f)
    os.chmod(f, 0)
    if os.geteuid() == 0:  # root reads anything: make the open fail as it does for a clerk
        import cdo.sheets.read as read

        real = read.os.open

        def denied(path, *a, **k):
            if str(path) == str(f):
                raise PermissionError(13, "Permission denied")
            return real(path, *a, **k)

        monkeypatch.setattr(read.os, "open", denied)
    r = cli("units", "import", f)
    os.chmod(f, 0o600)
    assert r.exit_code == 1
    assert r.stderr.startswith("cdo: ") and "无法打开：没有读取权限" in r.stderr
    assert "不是 readable" not in r.stderr and "Traceback" not in r.stderr
