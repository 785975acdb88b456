import subprocess
import sys

import pytest


def test_help_lists_every_group(cli):
    r = cli("--help")
    assert r.exit_code == 0
    for group in ["calendar", "units", "register", "spotcheck", "rectify", "score", "report"]:
        assert group in r.stdout


def test_cli_import_is_light():
    code = (
        "import sys, cdo.cli; "
        "heavy = [m for m in ('openpyxl', 'sqlite_utils', 'rich') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_headings_are_chinese(cli):
    r = cli("--help")
    assert r.exit_code == 0
    assert r.stdout.startswith("用法：cdo [选项] 命令 [参数]...")
    assert "选项：" in r.stdout and "命令：" in r.stdout and "显示本帮助并退出。" in r.stdout
    assert "Usage" not in r.stdout and "Show this message" not in r.stdout
    sub = cli("spotcheck", "add", "--help")
    assert "[必填]" in sub.stdout and "[required]" not in sub.stdout


def test_usage_errors_are_chinese_and_exit_2(cli):
    cases = [
        (["rectify", "negotiate", "1", "--on", "2023-10-10"], "cdo: 缺少选项 --until"),
        (["spotcheck", "frob"], "cdo: 没有这个命令：frob"),
        (["evidence", "catalog", "list"], "cdo: 缺少选项 --unit/-u（单位全称、去掉“达州市”的名称或简称）\n"),
        ([""], "cdo: 命令是空的（引号里什么也没写）"),
        (["demo", "e.db"], "cdo: 多余的参数：e.db（数据库文件用 --db 指定，写在命令前面"),
        (["units", "list", "--db", "x.db"], "cdo: 没有这个选项：--db（--db 要写在命令前面"),
        (["calendar", "deadline", "2023-09-27", "30", "--explian"], "cdo: 没有这个选项：--explian"),
        (["regster", "list"], "cdo: 没有这个命令：regster（是不是 'register', 'restore'？）"),
        (["calendar", "dedline"], "没有这个命令：dedline（是不是 'deadline'？）"),
        (["units", "list", "--fromat", "json"], "cdo: 没有这个选项：--fromat"),
        (["units", "list", "--format", "xml"], "cdo: --format 的值不对"),
        (["score", "--year", "abc"], "cdo: --year 的值不对：须为整数"),
        (["units", "add"], "cdo: 缺少参数 name"),
        (["calendar", "deadline"], "cdo: 缺少参数 start（起算日期（当日不计入），如 2023-09-27）"),
    ]
    for args, message in cases:
        r = cli(*args)
        assert r.exit_code == 2, args
        assert message in r.stderr, (args, r.stderr)
        assert "Error" not in r.stderr and "Usage" not in r.stderr, r.stderr
        assert "Did you" not in r.stderr, r.stderr
        assert "查看帮助" in r.stderr


def test_group_without_a_command_shows_its_help(cli):
    r = cli("report")
    assert "用法：cdo report" in r.stdout + r.stderr
    assert "overdue" in r.stdout + r.stderr


def test_db_written_as_a_folder_is_refused_and_creates_nothing(cli, tmp_path):
    r = cli("--db", "nodir/", "units", "list")
    assert r.exit_code == 1
    assert "以“/”结尾，是文件夹的写法" in r.stderr and "nodir/cdo.db" in r.stderr
    assert not (tmp_path / "nodir").exists()


def test_a_file_that_is_not_a_database_is_named_in_chinese(cli, tmp_path):
    (tmp_path / "notes.db").write_text("这不是数据库" * 200, encoding="utf-8")
    r = cli("--db", tmp_path / "notes.db", "units", "list")
    assert r.exit_code == 1
    assert "（不是 SQLite 数据库文件）" in r.stderr and "file is not" not in r.stderr


def test_install_completion_says_what_it_did_in_chinese(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SHELL", "/bin/bash")
    r = cli("--install-completion")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("已为 bash 安装命令补全（写入 ") and "重新打开终端后生效" in r.stdout
    assert "installed" not in r.stdout + r.stderr
    assert "cdo" in (tmp_path / ".bashrc").read_text()


def _command_paths():
    import typer.main

    from cdo.cli import app

    def walk(cmd, path):
        yield path
        for name in getattr(cmd, "list_commands", lambda ctx: [])(None):
            yield from walk(cmd.get_command(None, name), [*path, name])

    return list(walk(typer.main.get_command(app), []))


@pytest.mark.parametrize("width", [80, 200])
def test_every_help_page_fits_the_terminal_and_lines_up(cli, monkeypatch, width):
    """Chinese takes two cells a character: help is wrapped by cells (click counts
    characters), and each option's help starts in one column."""
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", str(width))
    paths = _command_paths()
    assert len(paths) > 90
    for path in paths:
        r = cli(*path, "--help")
        assert r.exit_code == 0, (path, r.stderr)
        lines = r.stdout.splitlines()
        assert max(cell_len(ln) for ln in lines) <= 80, (path, r.stdout)
        options = lines[lines.index("选项："):] if "选项：" in lines else []
        starts = {cell_len(ln) - cell_len(ln.split("  ", 2)[-1].lstrip()) for ln in options
                  if ln.startswith("  -") and "   " in ln.strip()}
        assert len(starts) <= 1, (path, r.stdout)
        assert "Usage" not in r.stdout and "[required]" not in r.stdout


def test_help_keeps_words_and_dates_whole_and_joins_chinese_lines():
    from cdo.clitext import wrap

    lines = wrap("同一月份、问题逐行相同的清单视为\n同一份，除非加 --again，下发日期 2023-09-27。", 20)
    assert " ".join(lines).replace("加 --again", "加--again").replace("期 2023", "期2023") \
        .replace(" ", "") == "同一月份、问题逐行相同的清单视为同一份，除非加--again，下发日期2023-09-27。"
    assert all(len(ln.encode("gbk")) <= 20 for ln in lines)
    assert any("--again" in ln for ln in lines) and any("2023-09-27" in ln for ln in lines)
    assert "视为同" in "".join(lines)  # a docstring's line break is not a space


@pytest.mark.parametrize("args", [
    ["calendar", "deadline", "2023-09-27", "--hlep"],
    ["rectify", "done", "1", "--hlep"],
])
def test_a_misspelt_option_where_numbers_are_typed_is_named_as_an_option(cli, args):
    """These commands take -1 as a (refused) number, so an unknown option reaches them as a
    value: it is named as an option, not as a bad number."""
    r = cli(*args)
    assert r.exit_code == 1
    assert "没有这个选项：--hlep（可用的选项见 cdo " in r.stderr, r.stderr
    assert cli("calendar", "deadline", "2023-09-27", "-5").stderr.endswith("收到：'-5'\n")
