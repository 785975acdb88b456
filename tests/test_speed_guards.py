"""What keeps commands quick, checked in fresh processes (times are the bench's job):
commands that need no database never load the database layer, and packages cdo does not
use (pandas, numpy) are never imported, even when installed."""

import os
import subprocess
import sys

import pytest

DB_LAYER = ("sqlite_utils", "cdo.store.schema")


def _modules_after(args: list[str], env: dict | None = None) -> set[str]:
    """The modules loaded by running `cdo ARGS` in a new interpreter."""
    code = (
        "import sys\n"
        "from cdo.cli import app\n"
        "try:\n"
        f"    app({args!r}, prog_name='cdo')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=env or os.environ.copy())
    assert r.stdout, r.stderr
    return set(r.stderr.split())


@pytest.mark.parametrize("args", [
    ["calendar", "deadline", "2023-09-27", "30"],
    ["calendar", "deadline", "2023-09-27", "30", "--explain", "--format", "json"],
    ["calendar", "show", "2023-10"],
    ["--help"],
    ["report", "overdue", "--help"],
])
def test_commands_without_database_never_load_the_database_layer(args, cli, tmp_path):
    # a database that exists (with a local adjustment) must still be read without it
    assert cli("calendar", "set", "2023-10-09", "off", "--reason", "停电").exit_code == 0
    loaded = _modules_after(args)
    assert not [m for m in DB_LAYER if m in loaded]


@pytest.mark.parametrize("args", [
    ["units", "list"],
    ["report", "overdue", "--as-of", "2023-12-29", "--format", "json"],
    ["units", "add", "测试新单位", "--category", "department"],
])
def test_commands_on_an_up_to_date_database_never_load_sqlite_utils(args, cli):
    """sqlite-utils (with click, dateutil and pluggy: ~50 ms) is needed only to migrate:
    a database that has every migration is opened, checked and written without it."""
    assert cli("units", "list").exit_code == 0  # creates and migrates the database
    loaded = _modules_after(args)
    assert "cdo.store.db" in loaded
    assert not [m for m in DB_LAYER if m in loaded]


def test_a_command_builds_only_its_own_group():
    """Turning all 77 commands into click's costs as much as the rest of a command:
    `cdo register list` imports the register group and no other (not even the top-level
    commands' module), and builds only its own command of it."""
    code = (
        "import sys\n"
        "from cdo.cli import app\n"
        "import typer.main\n"
        "built = []\n"
        "real = typer.main.get_command_from_info\n"
        "def spy(info, **kw):\n"
        "    built.append(info.callback.__name__)\n"
        "    return real(info, **kw)\n"
        "typer.main.get_command_from_info = spy\n"
        "try:\n"
        "    app(['register', 'list', '--help'], prog_name='cdo')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(built), file=sys.stderr)\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout, r.stderr
    built, *loaded = r.stderr.split("\n")
    groups = {m for m in loaded if m.startswith("cdo.commands.")} - {"cdo.commands.common"}
    assert groups == {"cdo.commands.register"}
    assert built.split() == ["list_"]


def test_help_lists_every_group_in_order(cli):
    import re

    from cdo.cli import GROUPS

    listed = re.findall(r"^  ([a-z]+) ", cli("--help").stdout.split("命令：")[1], re.M)
    assert listed == ["demo", "log", "backup", "restore", "serve", *GROUPS]
    assert len(GROUPS) == 9


def test_deadline_read_without_database_layer_honours_stored_calendar(cli, tmp_path):
    before = cli("calendar", "deadline", "2023-09-27", "30").stdout
    assert "2023-11-14" in before
    assert cli("calendar", "set", "2023-10-09", "off", "--reason", "停电").exit_code == 0
    after = cli("calendar", "deadline", "2023-09-27", "30").stdout
    assert "2023-11-15" in after  # one working day fewer in between: a day later


def test_calendar_read_refuses_a_file_that_is_not_a_database(cli, tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("这不是数据库" * 200, encoding="utf-8")
    r = cli("--db", bad, "calendar", "deadline", "2023-09-27", "30")
    assert r.exit_code == 1
    assert r.stderr.startswith("cdo: 不是有效的 cdo 数据库文件")


def test_no_database_file_is_created_by_calendar_deadline(cli, tmp_path):
    r = cli("--db", tmp_path / "none.db", "calendar", "deadline", "2023-09-27", "30")
    assert r.exit_code == 0 and "2023-11-14" in r.stdout
    assert not (tmp_path / "none.db").exists()


def test_pandas_and_numpy_installed_are_not_imported(cli, tmp_path):
    """sqlite-utils imports pandas and numpy whenever they are installed; cdo must not
    pay for that. Stand-in packages record being imported."""
    fake = tmp_path / "site"
    for name in ("pandas", "numpy"):
        (fake / name).mkdir(parents=True)
        (fake / name / "__init__.py").write_text(
            f"open({str(tmp_path / ('imported-' + name))!r}, 'w').close()\n"
            "def __getattr__(name):\n    return type(name, (), {})\n")  # pd.Timestamp, np.short
    env = os.environ.copy()
    env["PYTHONPATH"] = str(fake) + os.pathsep + env.get("PYTHONPATH", "")
    # the stand-ins work: sqlite-utils and openpyxl on their own import them
    for lib, held in (("sqlite_utils", ("pandas", "numpy")), ("openpyxl", ("numpy",))):
        subprocess.run([sys.executable, "-c", f"import {lib}"], env=env, check=True)
        for name in held:
            (tmp_path / f"imported-{name}").unlink()
    assert cli("units", "add", "达州市大数据局", "--category", "department").exit_code == 0
    for args in (["units", "list", "--format", "json"],
                 ["report", "overdue", "--as-of", "2023-12-29", "--format", "json"],
                 ["report", "overdue", "--output", str(tmp_path / "o.xlsx")],
                 ["spotcheck", "template", str(tmp_path / "t.xlsx")],
                 ["calendar", "deadline", "2023-09-27", "30"]):
        loaded = _modules_after(args, env)
        assert "pandas" not in loaded and "numpy" not in loaded, args
    assert not (tmp_path / "imported-pandas").exists()
    assert not (tmp_path / "imported-numpy").exists()
    # and a program that imports pandas after using cdo still gets it
    code = ("import cdo.store.db as d; d.open_db(':memory:'); import pandas; "
            "print(pandas.__file__)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert str(fake) in out.stdout
