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
