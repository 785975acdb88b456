"""Terminal tables at 80 and 160 columns, piped output, CSV injection, escape sequences,
--version and completion, and the one overwrite rule for every file written."""

import io
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import copy_db
from rich.cells import cell_len

from cdo.output import _csv_value, clean

PARTIAL_DATE = re.compile(r"^\d{4}-(\d|\d{2}-\d?)?$|^\d{1,2}-\d{2}$|^\d-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("terminal")
    db = folder / "demo.db"
    env = dict(os.environ, CDO_DB=str(db))
    subprocess.run([sys.executable, "-m", "cdo", "demo"], env=env, check=True,
                   capture_output=True)
    return db


@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    copy_db(demo_db, db)
    monkeypatch.setenv("CDO_DB", str(db))
    return db


TABLES = [
    ["units", "list"],
    ["register", "list"],
    ["register", "missing", "--as-of", "2023-12-31"],
    ["duty", "list", "--year", "2023"],
    ["spotcheck", "list", "--as-of", "2023-12-29"],
    ["rectify", "list", "--as-of", "2023-10-30"],
    ["report", "overdue", "--as-of", "2023-12-29"],
    ["report", "monthly", "--month", "2023-09", "--as-of", "2023-12-29"],
    ["report", "trend", "--year", "2023", "--as-of", "2023-12-31"],
    ["score", "--year", "2023"],
    ["log", "--limit", "30"],
]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]


def _headers(table: str, first: str) -> list[str]:
    """The column headers of the table whose header has `first`, each joined over the
    header's lines (a number's header may take two: 逾期 / 工作日)."""
    lines = table.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("┃") and first in ln)
    while at > 0 and lines[at - 1].startswith("┃"):
        at -= 1
    rows = []
    while lines[at].startswith("┃"):
        rows.append(_cells(lines[at]))
        at += 1
    return ["".join(parts) for parts in zip(*rows, strict=True)]


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a[:2]))
def test_tables_fit_the_width_and_never_split_a_date(cli, demo, monkeypatch, width, args):
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("│" in ln for ln in lines), r.stdout  # a drawn table
    heads = [_cells(ln) for ln in lines if ln.startswith("┃")]
    head = ["".join(parts) for parts in zip(*heads, strict=False)]
    whole = [i for i, h in enumerate(head)  # dates, IDs, phones, numbers
             if re.search(r"日期|期限|时间|编号|序号|电话|月份|排名|总分|工作日|^发现|^按期", h)]
    assert whole or args[0] in ("units", "duty"), head
    for ln in lines:
        assert cell_len(ln) <= width, (width, ln)
        cells = _cells(ln)
        for i in whole:
            if i < len(cells) and ln.startswith("│"):
                assert not PARTIAL_DATE.match(cells[i]), (width, ln)  # "2023-1" / "0-30"
                assert not re.match(r"^1\d{2}\*+$|^\*+\d{4}$", cells[i]), (width, ln)
                assert not (cells[i] and i in whole and " " in cells[i].strip("（）")
                            and PARTIAL_DATE.match(cells[i].split()[-1])), (width, ln)
    # a cell under a no-wrap column never continues on the next line
    for a, b in zip(lines, lines[1:], strict=False):
        if a.startswith("│") and b.startswith("│"):
            for i in whole:
                ca, cb = _cells(a), _cells(b)
                if i < len(cb) and cb[i] and not re.match(r"^[\d—()（）.%-]", cb[i]):
                    assert not ca[i], (width, a, b)


def test_essential_columns_at_80_and_the_rest_from_120(cli, demo, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    rows = json.loads(cli("spotcheck", "list", "--as-of", "2023-12-29", "-f", "json").stdout)
    narrow = cli("spotcheck", "list", "--as-of", "2023-12-29").stdout
    firsts = [_cells(ln)[0] for ln in narrow.splitlines() if ln.startswith("│")]
    assert [int(x) for x in firsts if x] == [p["id"] for p in rows]  # every ID whole
    for p in rows:  # every deadline whole
        assert p["due_on"] in narrow
    head = _headers(narrow, "编号")
    assert "整改期限" in head and "状态" in head and "逾期工作日" in head
    assert "数据资源名称" not in head
    monkeypatch.setenv("COLUMNS", "160")
    wide = cli("spotcheck", "list", "--as-of", "2023-12-29").stdout
    head = _headers(wide, "编号")
    assert "数据资源名称" in head and "问题类型" in head
    # the ranking keeps rank, unit, total and status at 80; the parts from 120
    monkeypatch.setenv("COLUMNS", "80")
    score = cli("score", "--year", "2023").stdout
    head = _headers(score, "排名")
    assert "总分" in head and "状态" in head
    assert "四川文理学院" in score and "91" in score


def test_register_phones_and_dates_are_whole_at_80(cli, demo, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    rows = json.loads(cli("register", "list", "-f", "json").stdout)
    out = cli("register", "list").stdout
    phones = [r.get("phone") for r in rows if r.get("phone")]
    assert phones
    for phone in phones:
        assert phone in out
    dates = [r["recommended_on"] for r in rows if r.get("recommended_on")]
    assert dates and all(d in out for d in dates)


def _run(args: str, env_extra: dict | None = None, db=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env.update(env_extra or {})
    if db is not None:
        env["CDO_DB"] = str(db)
    return subprocess.run(["bash", "-c", f"set -o pipefail; {args}"], env=env,
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_piped_to_head_exits_0(demo, fmt):
    cmd = f"{sys.executable} -m cdo log --limit 0 --format {fmt} | head -1"
    r = _run(cmd, db=demo)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() and "Traceback" not in r.stderr and "Exception" not in r.stderr


def test_piped_tables_are_tab_separated_unless_columns_is_set(demo):
    r = _run(f"{sys.executable} -m cdo spotcheck list --as-of 2023-12-29 | cat", db=demo)
    lines = r.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["编号", "责任单位", "数据资源名称"]
    # the rows tab-separated, then the caption that explains 曾逾期, as the terminal shows it
    assert all("\t" in ln for ln in lines[1:-1]) and "│" not in r.stdout
    assert lines[-1] == "曾逾期：截至该日曾经逾期（含逾期后才整改、退回或协商延期的问题）"
    cut = _run(f"{sys.executable} -m cdo spotcheck list --as-of 2023-12-29 | cut -f1 | sed -n 2p",
               db=demo)
    assert cut.stdout.strip() == "1"
    r = _run(f"{sys.executable} -m cdo spotcheck list | cat", {"COLUMNS": "80"}, db=demo)
    assert "│" in r.stdout and max(cell_len(ln) for ln in r.stdout.splitlines()) <= 80


def test_csv_neutralises_formulas(cli, tmp_path):
    assert _csv_value("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    for text in ("+1", "-1+1", "@SUM(A1)", "\tx", "=cmd|' /C calc'!A0"):
        assert _csv_value(text) == "'" + text
    assert _csv_value("\rx") == "x"  # control characters are removed from CSV too
    assert _csv_value("达州") == "达州" and _csv_value(-3) == -3 and _csv_value(1.5) == 1.5
    assert cli("units", "add", "=HYPERLINK(\"http://x\")", "--category", "department",
               "--short", "@x").exit_code == 0
    out = cli("units", "list", "-f", "csv").stdout
    assert "'=HYPERLINK" in out and ",'@x," in out
    assert "\n=" not in out and ",@" not in out


def test_escape_sequences_never_reach_the_terminal(cli, monkeypatch):
    assert clean("a\x1b[2Jb\x1b]52;c;SGVsbG8=\x07c\x9b\x00e") == "abce"
    assert clean("c\x9b2Jd") == "cd"  # \x9b is CSI in one byte: its whole sequence goes
    assert clean("第一行\n第二行\t列") == "第一行\n第二行\t列"
    from cdo.output import Column, make_table

    table = make_table([{"a": "x\x1b]0;title\x07y", "b": "[bold]z[/bold]"}],
                       [Column("a", "甲"), Column("b", "乙")], width=80)
    from rich.console import Console

    con = Console(width=80, record=True, file=io.StringIO())
    con.print(table)
    text = con.export_text()
    assert "\x1b" not in text and "xy" in text and "[bold]z[/bold]" in text
    r = cli("register", "history", "\x1b]52;c;SGk=\x07\x1b[2J某局")  # named in the error
    assert r.exit_code == 1 and "某局" in r.stderr and "\x1b" not in r.stderr + r.stdout


def test_version_and_completion(cli):
    r = cli("--version")
    assert r.exit_code == 0 and re.match(r"cdo \S+", r.stdout)
    r = cli("--help")
    assert "--install-completion" in r.stdout and "--version" in r.stdout


# ----------------------------------------------------------------------------- overwrite

WRITES = [
    ["units", "list", "-o"],
    ["register", "list", "-o"],
    ["spotcheck", "list", "-o"],
    ["rectify", "list", "-o"],
    ["report", "overdue", "-o"],
    ["report", "monthly", "--month", "2023-09", "-o"],
    ["report", "annual", "--year", "2023", "-o"],
    ["score", "--year", "2023", "-o"],
    ["log", "-o"],
    ["duty", "list", "--year", "2023", "-o"],
    ["register", "missing", "-o"],
    ["register", "template"],
    ["spotcheck", "template"],
    ["score", "sheet", "--year", "2023", "--unit", "达川区"],
]


@pytest.mark.parametrize("args", WRITES, ids=lambda a: " ".join(a[:2]))
def test_one_overwrite_rule(cli, demo, tmp_path, args):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    r = cli(*args, out)
    assert r.exit_code == 1 and "已存在" in r.stderr and "--force" in r.stderr, r.stderr
    assert out.read_bytes() == b"keep me"
    r = cli(*args, out, "--force")
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes()[:2] == b"PK" and os.stat(out).st_mode & 0o777 == 0o600
    # a link to another file: refused; forced, the link is replaced, its target kept
    target = tmp_path / "elsewhere.xlsx"
    target.write_bytes(b"not yours")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    r = cli(*args, link)
    assert r.exit_code == 1 and "--force" in r.stderr
    assert cli(*args, link, "--force").exit_code == 0
    assert target.read_bytes() == b"not yours" and not link.is_symlink()


def test_exports_never_overwrite_the_database_or_its_backups(cli, demo, tmp_path):
    before = demo.read_bytes()[:100]
    for target in (demo, tmp_path / "link-to-db.xlsx"):
        if target != demo:
            target.symlink_to(demo)
        r = cli("units", "list", "-o", target, "--force")
        assert r.exit_code == 1, r.stderr
    r = cli("--db", tmp_path / "office.xlsx", "units", "list", "-o", tmp_path / "office.xlsx",
            "--force")
    assert r.exit_code == 1 and "数据库" in r.stderr
    (tmp_path / "backups").mkdir(exist_ok=True)
    r = cli("units", "list", "-o", tmp_path / "backups" / "x.xlsx")
    assert r.exit_code == 1 and "备份" in r.stderr
    r = cli("spotcheck", "notify", "--month", "2023-09", "--outdir", tmp_path / "backups")
    assert r.exit_code == 1 and "备份" in r.stderr
    assert demo.read_bytes()[:100] == before


# ----------------------------------------------------------------------------- properties

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.text())
def test_csv_value_never_starts_a_formula(text):
    out = _csv_value(text)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out in (clean(text), "'" + clean(text))  # control characters removed


@given(st.text())
def test_clean_leaves_no_control_character(text):
    out = clean(text)
    assert not any(ord(ch) < 32 and ch not in "\t\n" or 0x7F <= ord(ch) <= 0x9F for ch in out)


@given(st.text(alphabet="数据质量问题整改按期逾期工作日（）·、AB12 ", min_size=1, max_size=30),
       st.integers(min_value=4, max_value=30))
def test_headers_wrap_without_losing_or_cutting_words(header, width):
    from cdo.sheets.write import _tokens, display_width, wrap_header

    lines = wrap_header(header, width)
    assert "".join(lines).replace(" ", "") == header.replace(" ", "") or not header.strip()
    tokens = _tokens(header)
    for line in lines:  # a line is whole tokens; longer than the width only if one token
        assert display_width(line) <= width - 1 or line.strip() in [t.strip() for t in tokens]


WHOLE_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|#\d+(?:[-/]\d+)+|\d{3}\*{4}\d{4}")


def _columns_of_rows(lines: list[str]) -> list[list[list[str]]]:
    """Each table row as its cells, each cell as its lines (a row starts where the
    first column has text)."""
    rows: list[list[list[str]]] = []
    for ln in lines:
        if not ln.startswith("│"):
            continue
        cells = [c.strip() for c in re.split(r"│", ln)[1:-1]]
        if cells[0] or not rows:
            rows.append([[c] for c in cells])
        else:
            for parts, c in zip(rows[-1], cells, strict=False):
                parts.append(c)
    return rows


def _split_tokens(out: str) -> list[tuple[str, list[str]]]:
    """Dates, #IDs and masked phones that a wrapped cell split across lines."""
    broken = []
    for row in _columns_of_rows(out.splitlines()):
        for parts in row:
            for token in WHOLE_TOKEN.findall("".join(parts)):
                if not any(token in p for p in parts):
                    broken.append((token, parts))
    return broken


@pytest.mark.parametrize("width", [80, 160])
def test_log_keeps_ids_and_dates_whole_and_names_every_hidden_column(cli, demo, monkeypatch,
                                                                     width):
    monkeypatch.setenv("COLUMNS", str(width))
    # a notice sent on a date and a problem of month 2023-09: the diff and the object
    log = cli("log", "--limit", "0").stdout
    cells = ["".join(parts) for row in _columns_of_rows(log.splitlines()) for parts in row]
    assert any("催办日期=" in c for c in cells) and "#2023-09" in log
    assert any("评分2023年第17项" in c.replace(" ", "") for c in cells)
    assert all(cell_len(ln) <= width for ln in log.splitlines())
    assert _split_tokens(log) == []
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", log)
    head = _headers(log, "序号")
    if width == 80:
        note = next(ln for ln in log.splitlines() if "未显示" in ln)
        for hidden in ("系统用户", "命令", "原因"):
            assert hidden in note and hidden not in head
        assert "改动" in head
    else:
        assert "未显示" not in log
        assert "系统用户" in head and "命令" in head and "原因" in head


@pytest.mark.parametrize("width", [80, 160])
def test_rectify_due_within_drops_empty_columns_and_keeps_dates_in_text(cli, demo, monkeypatch,
                                                                       width):
    import sqlite3

    con = sqlite3.connect(demo)
    con.execute("UPDATE problems SET description = '迁出人员在共享库中仍显示为本地户籍，"
                "已于2023-09-01 通报，电话 13812345678 待回复' WHERE id = 22")
    con.commit()
    con.close()
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("rectify", "list", "--due-within", "5", "--as-of", "2023-10-30").stdout
    assert all(cell_len(ln) <= width for ln in out.splitlines())
    head = _headers(out, "编号")
    assert "2023-09-01" in out and "138****5678" in out  # masked, and whole
    assert _split_tokens(out) == []
    if width == 80:
        assert "逾期工作日" not in head  # nothing is overdue among problems not yet due
        desc = _columns_of_rows(out.splitlines())[0][2]
        assert max(cell_len(p) for p in desc) >= 16, desc  # the room went to the text
    else:
        assert "逾期工作日" in head


@given(st.text(alphabet="数据，。（）ab 12-:#/=.", max_size=60), st.integers(min_value=2, max_value=30))
def test_wrap_offsets_fit_and_keep_tokens_whole(text, width):
    from cdo.output import _ATOM, wrap_offsets

    offsets = wrap_offsets(text, width)
    assert offsets == sorted(set(offsets)) and all(0 < o < len(text) for o in offsets)
    pieces = [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)], strict=False)]
    assert "".join(pieces) == text
    assert all(cell_len(piece.rstrip()) <= width for piece in pieces), pieces
    for m in _ATOM.finditer(text):  # a number, date or ID that fits is never split
        if cell_len(m.group()) <= width:
            assert not any(m.start() < o < m.end() for o in offsets), (text, offsets)


def test_wrap_prefers_spaces_and_punctuation():
    from cdo.output import wrap_offsets

    text = "已于2023-09-01通报，sent_on=2023-09-27"
    pieces = [text[a:b] for a, b in zip([0, *wrap_offsets(text, 10)],
                                        [*wrap_offsets(text, 10), len(text)], strict=False)]
    assert pieces == ["已于", "2023-09-01", "通报，", "sent_on=", "2023-09-27"]
    text = "导入 systems-通川区-ok.xlsx（第 2 版）"
    offsets = wrap_offsets(text, 24)
    pieces = [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)], strict=False)]
    assert pieces == ["导入 ", "systems-通川区-ok.xlsx", "（第 2 版）"]  # a file name whole


def test_xlsx_export_strips_characters_excel_refuses(cli, demo, tmp_path):
    import sqlite3

    from openpyxl import load_workbook

    con = sqlite3.connect(demo)
    con.execute("UPDATE problems SET description = '共享库\x01记录\x1b缺失\x0b' WHERE id = 22")
    con.commit()
    con.close()
    for args in (["rectify", "list", "--as-of", "2023-10-30"],
                 ["spotcheck", "list", "--as-of", "2023-12-29"]):
        out = tmp_path / f"{args[0]}.xlsx"
        r = cli(*args, "-o", out)
        assert r.exit_code == 0, r.stderr
        values = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
        assert "共享库记录缺失" in values, args


@given(st.text())
def test_set_text_keeps_no_character_openpyxl_refuses(text):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from cdo.sheets.write import set_text

    cell = Workbook().active.cell(1, 1)
    set_text(cell, text)
    assert not ILLEGAL_CHARACTERS_RE.search(cell.value)
    assert cell.value == ILLEGAL_CHARACTERS_RE.sub("", text)


@pytest.mark.parametrize("width", [80, 160])
def test_calendar_tables_fit_and_keep_dates_whole(cli, demo, monkeypatch, tmp_path, width):
    monkeypatch.setenv("COLUMNS", str(width))
    outs = [cli(*args) for args in (["calendar", "years"], ["calendar", "show", "2023-10"],
                                    ["calendar", "deadline", "2023-09-27", "30", "--explain"])]
    notice = tmp_path / "2023.txt"  # three more days off: deadlines move, the table lists them
    notice.write_text("2023-10-09 休\n2023-10-10 休\n2023-10-11 休\n", encoding="utf-8")
    moved = cli("calendar", "load", notice, "--year", "2023", "--replace", "--dry-run")
    for r in [*outs, moved]:
        assert r.exit_code == 0, r.stderr
        table = [ln for ln in r.stdout.splitlines() if re.match(r"^\s*[┏┃┡│└]", ln)]
        assert table and all(cell_len(ln) <= width for ln in table), r.stdout  # prose: echoed
        assert _split_tokens(r.stdout) == []
    assert "2023-11-08" in outs[2].stdout and "第30天" in outs[2].stdout
    rows = [row for row in _columns_of_rows(moved.stdout.splitlines()) if len(row) == 6]
    assert len(rows) == 22  # nothing cut off
    assert not any("…" in ln for ln in moved.stdout.splitlines() if ln.startswith("│"))
    units = json.loads(cli("units", "list", "-f", "json").stdout)
    long_name = next(u["name"] for u in units if u["name"].startswith("达州市人力资源"))
    assert any("".join(row[1]) == long_name for row in rows)
    assert any("".join(row[5]).endswith("（已销号，按新期限重新判断是否曾逾期）") for row in rows)
    for row in rows:
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", "".join(row[i])) for i in (2, 3, 4)), row


def test_numbers_headers_take_two_lines_before_names_wrap(cli, demo, monkeypatch):
    """At 80 columns the monthly report's number columns are as wide as their numbers,
    their four-character headers on two lines (发现 / 问题), and the room goes to the
    unit names, whole on one line; at 160 the headers stay on one line."""
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("report", "monthly", "--month", "2023-09", "--as-of", "2023-12-29").stdout
    assert "│ 达州市人力资源和社会保障局 │" in out
    assert _headers(out, "责任单位") == ["责任单位", "发现问题", "按期整改", "逾期整改",
                                         "尚未整改", "逾期问题", "按期整改率"]
    assert any(_cells(ln)[1:3] == ["发现", "按期"] for ln in out.splitlines()
               if ln.startswith("┃"))
    assert max(map(cell_len, out.splitlines())) <= 80
    monkeypatch.setenv("COLUMNS", "160")
    out = cli("report", "monthly", "--month", "2023-09", "--as-of", "2023-12-29").stdout
    assert sum(ln.startswith("┃") for ln in out.splitlines()) == 1


# Piped (plain_mode), tables are printed without Rich: the stand-ins must print exactly
# what Rich's Table and Text print there, whatever the text holds.
hostile = st.lists(st.sampled_from(
    ["a", "表", " ", "\t", "\n", "\r", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "[", "]",
     "3", "1m", "\\", "\x9b", "\x85", "\x7f", "(", "）", "：", "2023-09-27"]),
    max_size=20).map("".join)


@given(st.lists(st.tuples(hostile, hostile, hostile), min_size=0, max_size=4), hostile,
       st.booleans())
def test_piped_tables_print_as_rich_tables_would(cells, header, ragged):
    from rich.table import Table
    from rich.text import Text

    from cdo.output import Column, PlainConsole, PlainTable, PlainText, make_table, table_kit

    assert table_kit(PlainConsole()) == (PlainTable, PlainText)
    rows = [{"a": a, "b": b, "c": c} for a, b, c in cells]
    columns = [Column("a", header), Column("b", "编号", justify="right"),
               Column("c", "说明", wide=True)]
    footer = {"a": header, "b": "合计", "c": ""}
    printed = []
    for plain in (False, True):
        out = io.StringIO()
        sys_stdout, sys.stdout = sys.stdout, out
        try:
            PlainConsole().print(make_table(rows, columns, footer=footer, plain=plain))
            T, X = (PlainTable, PlainText) if plain else (Table, Text)  # noqa: N806
            table = T(show_footer=ragged)
            table.add_column(header, footer=header)
            table.add_column("二", footer="")
            for a, b, c in cells:
                text = X(a)
                text.append(b)
                table.add_row(text, *([X(c), c, None] if ragged else [c]))
                table.add_section()
            PlainConsole().print(table, X(header), header)
        finally:
            sys.stdout = sys_stdout
        printed.append(out.getvalue())
    assert printed[0] == printed[1]


def test_overdue_report_at_80_columns_keeps_names_and_days(cli, demo, monkeypatch):
    """With negotiated deadlines overdue, the 80-column report still shows each unit's
    name and CDO readably (one column, the CDO under the name), the deadline as
    2023-12-29（协商） and every problem's overdue days; from 120 columns the full text."""
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("report", "overdue", "--as-of", "2024-01-10").stdout
    assert max(map(cell_len, out.splitlines())) <= 80
    assert _headers(out, "编号") == ["责任单位首席数据官", "编号", "问题描述", "整改期限",
                                     "逾期工作日"]
    assert "2023-12-29（协商）" in out and "原 2023-11-14" not in out
    assert "│ 达州市公安局" in out and "│ 张伟" in out
    rows = json.loads(cli("report", "overdue", "--as-of", "2024-01-10", "-f", "json").stdout)
    days = [c[4] for c in map(_cells, out.splitlines()) if len(c) == 5 and c[1].isdigit()]
    assert days == [str(r["overdue_days"]) for r in rows]
    monkeypatch.setenv("COLUMNS", "130")
    out = cli("report", "overdue", "--as-of", "2024-01-10").stdout
    assert "首席数据官" in _headers(out, "编号") and "原 2023-11-14" in out


@pytest.mark.parametrize("args", [["spotcheck", "list"], ["report", "overdue"]])
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_as_of_reads_one_moment(cli, demo, monkeypatch, args, fmt):
    """A colleague rectifies a problem (dated after --as-of) just after cdo has replayed
    the events up to that day: the listing is still as of one moment, problem 5 open."""
    import sqlite3

    from cdo.problems import model

    day = ["--as-of", "2024-01-10", "--format", fmt]
    before = cli(*args, *day).stdout
    fill = model._fill_as_of_tables

    def then_a_colleague_commits(conn, as_of, cal):
        replayed = fill(conn, as_of, cal)
        other = sqlite3.connect(demo, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE problems SET status = 'rectified', rectified_on = '2024-02-01'"
                      " WHERE id = 5")
        other.execute("INSERT INTO problem_events (problem_id, action, on_date, created_at)"
                      " VALUES (5, 'done', '2024-02-01', '2024-02-01T09:00:00')")
        other.execute("COMMIT")
        other.close()
        return replayed

    monkeypatch.setattr(model, "_fill_as_of_tables", then_a_colleague_commits)
    r = cli(*args, *day)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == before
    monkeypatch.undo()
