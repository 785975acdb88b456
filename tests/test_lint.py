"""The code passes the project's linters: ruff (style, imports, likely bugs) and mypy
(types), both configured in pyproject.toml. A finding fails the suite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_finds_nothing():
    r = _run("ruff", "check", "cdo", "tests")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_finds_nothing():
    r = _run("mypy", "cdo")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout
