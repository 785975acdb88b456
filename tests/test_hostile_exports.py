"""Exports are safe to open: text that looks like a formula is written as text, never as a
formula; phone numbers are masked in terminal tables unless --show-contact."""

import zipfile

import openpyxl
import pytest
from conftest import copy_db

from cdo.paths import data_dir

EVIL_NAME = '=HYPERLINK("http://example.com","达州市恶意单位")'
EVIL_SHORT = "@恶意"
RISKY = ("=", "+", "-", "@")
MOBILE = "15212346279"


def _built(cli, words):
    return cli(*words, "--help").exit_code == 0


def _form(tmp_path):
    wb = openpyxl.load_workbook(data_dir() / "samples" / "forms" / "03-市公安局.xlsx")
    ws = wb.active
    ws["B5"] = "=1+1"          # 籍贯
    ws["D5"] = "@党员"         # 政治面貌
    ws["D6"] = "152 1234 6279"  # 联系电话
    ws["B10"] = "-数据治理"     # 专业技术特长
    path = tmp_path / "form.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="session")
def risky_template(tmp_path_factory):
    """A database whose text fields start with =, +, -, @ wherever the tool lets them."""
    from typer.testing import CliRunner

    from cdo.cli import app

    tmp_path = tmp_path_factory.mktemp("risky")
    db = tmp_path / "risky.db"
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(app, ["--db", str(db), *map(str, args)])

    steps = [
        ["units", "add", EVIL_NAME, "--category", "市级部门", "--short", EVIL_SHORT],
        ["units", "add", "达州市教育局", "--category", "市级部门", "--short", "市教育局"],
        ["register", "import", _form(tmp_path), "--unit", EVIL_SHORT,
         "--received", "2023-06-01"],
        ["register", "specialist", "add", EVIL_SHORT, "+李四", "--phone", "13912345678",
         "--on", "2023-06-01"],
        ["spotcheck", "add", "--unit", EVIL_SHORT, "--resource", "=1+1",
         "--dimension", "准确性", "--description", "-2+3 @SUM(A1:A9)", "--records", "3",
         "--issued-on", "2023-01-05"],
        ["duty", "plan", EVIL_SHORT, "--year", "2023", "--received", "2023-02-01",
         "--note", "=cmd|' /C calc'!A0"],
        ["score", "set", "--year", "2023", "--unit", EVIL_SHORT, "--item", "1",
         "--points", "3", "--note", "=SUM(1,2)"],
    ]
    for argv in steps:
        words = [a for a in argv[:3] if isinstance(a, str) and a.isascii() and a.isalpha()]
        if not _built(cli, words):
            continue
        r = cli(*argv)
        assert r.exit_code == 0, (argv, r.stdout, r.stderr)
    return db


@pytest.fixture
def risky_db(risky_template, db_path, tmp_path):
    copy_db(risky_template, db_path)
    return tmp_path


# (command words, arguments, output style): "opt" → --output FILE, "arg" → FILE last.
EXPORTS = [
    (["units", "list"], [], "opt"),
    (["log"], ["--limit", "0"], "opt"),
    (["register", "list"], [], "opt"),
    (["register", "missing"], ["--as-of", "2024-01-10"], "opt"),
    (["duty", "list"], ["--year", "2023"], "opt"),
    (["spotcheck", "list"], [], "opt"),
    (["rectify", "list"], ["--due-within", "400"], "opt"),
    (["report", "overdue"], ["--as-of", "2024-01-10"], "opt"),
    (["report", "monthly"], ["--month", "2023-01", "--as-of", "2024-01-10"], "opt"),
    (["report", "annual"], ["--year", "2023"], "opt"),
    (["score"], ["--year", "2023"], "opt"),
    (["score", "sheet"], ["--year", "2023", "--unit", EVIL_SHORT], "arg"),
]
# Exports that certainly carry the evil unit's name or the problem's text.
MUST_CARRY = {"units list", "log", "spotcheck list", "report overdue", "report annual"}


def _cells(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


@pytest.mark.parametrize("words, args, style", EXPORTS, ids=[" ".join(e[0]) for e in EXPORTS])
def test_export_writes_formula_text_as_text(cli, risky_db, words, args, style):
    assert _built(cli, words), f"cdo {' '.join(words)} is missing"
    out = risky_db / "out.xlsx"
    argv = [*words, *args, *(["--output", out] if style == "opt" else [out])]
    r = cli(*argv)
    assert r.exit_code == 0, (argv, r.stdout, r.stderr)
    risky = []
    for cell in _cells(out):
        assert cell.data_type != "f", f"{cell.coordinate} became a formula: {cell.value!r}"
        if isinstance(cell.value, str) and cell.value.startswith(RISKY):
            assert cell.data_type == "s", (cell.coordinate, cell.value, cell.data_type)
            risky.append(cell.value)
    if " ".join(words) in MUST_CARRY:
        assert risky, "the export carries none of the risky text it should"
    # and the raw XML holds no formula element at all
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_phone_masked_in_terminal_tables(cli, risky_db):
    assert _built(cli, ["register", "list"]), "cdo register list is missing"
    r = cli("register", "list")
    assert r.exit_code == 0, r.stderr
    assert "152****6279" in r.stdout
    assert MOBILE not in r.stdout
    r = cli("register", "list", "--show-contact")
    assert MOBILE in r.stdout
    for argv in (["register", "history", EVIL_SHORT], ["register", "specialist", "list"],
                 ["register", "missing", "--as-of", "2024-01-10"], ["log", "--limit", "0"],
                 ["report", "overdue", "--as-of", "2024-01-10"]):
        if not _built(cli, [a for a in argv[:3] if a.isascii() and a.isalpha()]):
            continue
        r = cli(*argv)
        assert r.exit_code == 0, (argv, r.stderr)
        assert MOBILE not in r.stdout and "13912345678" not in r.stdout, argv
