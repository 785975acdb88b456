"""The layout holds: imports run downwards only (an AST walk over cdo/, no dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "cdo"

PURE = {"cdo.calendar", "cdo.notice", "cdo.scoring", "cdo.dates", "cdo.masking", "cdo.errors",
        "cdo.interrupts",
        "cdo.paths"}
USE_CASES = ("cdo.roster", "cdo.problems", "cdo.evaluation", "cdo.demo")
FACE = ("cdo.cli", "cdo.commands", "cdo.output", "cdo.clitext", "cdo.__main__")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every cdo module `path` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for a in node.names:  # `from cdo.store import audit` imports cdo.store.audit
                sub = f"{node.module}.{a.name}"
                if (ROOT.parent / (sub.replace(".", "/") + ".py")).exists():
                    found.add(sub)
    return {m for m in found if m == "cdo" or m.startswith("cdo.") or m in ("typer", "rich")
            or m.startswith(("typer.", "rich."))}


GRAPH = {_module_name(p): _imports(p) for p in ROOT.rglob("*.py")}


def _in(module: str, prefixes) -> bool:
    if isinstance(prefixes, str):
        prefixes = (prefixes,)
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _offenders(sources, forbidden) -> list[str]:
    return sorted(f"{m} imports {i}" for m, imps in GRAPH.items() if _in(m, sources)
                  for i in imps if _in(i, forbidden))


def test_the_walk_sees_the_modules():
    assert {"cdo.cli", "cdo.calendar", "cdo.store.db", "cdo.sheets.read",
            "cdo.problems.model", "cdo.roster.units", "cdo.evaluation.points"} <= set(GRAPH)
    assert "cdo.store.db" in GRAPH["cdo.problems.model"] or any(
        i.startswith("cdo.store") for i in GRAPH["cdo.problems.model"])


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_import_no_store_sheets_or_use_case(module):
    bad = [i for i in GRAPH[module]
           if _in(i, ("cdo.store", "cdo.sheets", "typer", "rich") + USE_CASES + FACE)]
    assert bad == []


def test_sheets_import_no_use_case_and_no_store():
    assert _offenders("cdo.sheets", ("cdo.store", "typer", "rich") + USE_CASES + FACE) == []


def test_use_cases_import_no_typer_rich_or_commands():
    assert _offenders(USE_CASES, ("typer", "rich") + FACE) == []


def test_store_imports_no_use_case():
    assert _offenders("cdo.store", USE_CASES + FACE + ("cdo.sheets", "typer", "rich")) == []


def test_nothing_below_the_face_imports_it():
    bad = sorted(f"{m} imports {i}" for m, imps in GRAPH.items() if not _in(m, FACE)
                 for i in imps if _in(i, FACE))
    assert bad == []


def test_no_import_circles():
    """Between modules (deferred imports included): no module reaches itself."""
    graph = {m: {i for i in imps if i in GRAPH and i != m}
             for m, imps in GRAPH.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(" → ".join(stack[stack.index(n):] + [n]))
            elif n not in state:
                visit(n, stack + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_every_folder_says_what_lives_there():
    for init in ROOT.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()) <= 2, init
