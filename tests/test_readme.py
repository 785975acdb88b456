"""The README's commands stay true (docs that can't drift)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_fresh_machine_commands():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert blocks[0] == (
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && cdo demo"
    )
    assert blocks[1] == "pip install '.[test,web]' && python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1] in ci


def _console_examples():
    """(command, expected first lines) for each `$ cdo …` line of the tour."""
    out = []
    for block in re.findall(r"```console\n(.*?)\n```", README, re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ cdo "):
                expected = []
                for nxt in lines[i + 1:]:
                    if nxt.startswith("$ ") or nxt == "…":
                        break
                    expected.append(nxt.rstrip())
                out.append((line[2:], expected))
    return out


def test_tour_commands_print_what_the_readme_shows(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(ROOT)
    examples = _console_examples()
    assert len(examples) >= 6
    db = tmp_path / "tour.db"
    for command, expected in examples:
        args = command.split()[1:]
        r = subprocess.run([sys.executable, "-m", "cdo", "--db", str(db), *args],
                           capture_output=True, text=True, check=False)
        assert r.returncode == 0, (command, r.stderr)
        got = [ln.rstrip() for ln in (r.stdout + r.stderr).splitlines()]
        assert got[: len(expected)] == expected, command


@pytest.mark.parametrize("group", ["calendar", "units", "register", "duty", "spotcheck",
                                   "rectify", "score", "report"])
def test_every_command_has_help(cli, group):
    r = cli(group, "--help")
    assert r.exit_code == 0
    names = re.findall(r"^  ([a-z][\w-]*) {2,}\S", r.stdout.split("命令：", 1)[1], re.M)
    assert len(names) >= 3, r.stdout
    for name in names:
        sub = cli(group, name, "--help")
        assert sub.exit_code == 0, (group, name)
        assert re.search(r"[\u4e00-\u9fff]", sub.stdout), (group, name)
        for english in ("Usage", "Options", "[default", "[required]", "Show this", "env var"):
            assert english not in sub.stdout, (group, name, english)
