import pytest
from typer.testing import CliRunner

from cdo.cli import app
from cdo.store.db import open_db


@pytest.fixture(autouse=True)
def env_setup(tmp_path, monkeypatch):
    """Every test gets its own database file and a wide, colourless terminal."""
    monkeypatch.setenv("CDO_DB", str(tmp_path / "cdo.db"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db():
    return open_db(":memory:")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "cdo.db"


def soffice_convert(src, out_dir, to):
    """`src` saved again by LibreOffice as `to` (xlsx, ods, xls, csv:…) into `out_dir`, with
    its own profile so parallel runs do not clash: a file made by another program."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed for the round trips"
    out_dir.mkdir(exist_ok=True)
    subprocess.run([soffice, f"-env:UserInstallation=file://{out_dir / 'lo-profile'}",
                    "--headless", "--convert-to", to, "--outdir", str(out_dir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / f"{src.stem}.{to.split(':')[0]}"


def copy_db(src, dst):
    """Copy a database with SQLite's backup API: a file copy can miss pages that are
    committed but still in the -wal file."""
    import sqlite3

    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    with target:
        source.backup(target)
    source.close()
    target.close()


@pytest.fixture
def cli():
    """Run `cdo ARGS…` in-process; the result has exit_code, stdout and stderr apart."""
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return run
