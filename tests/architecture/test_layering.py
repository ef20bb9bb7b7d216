"""Layering and import cycles (issue 14): every module imports alone, and each layer imports only downwards.

    cli, demo  ->  commands, projections, ui  ->  ledger

``ledger/`` imports none of the others; ``projections/`` none of commands, ui, cli, demo;
``commands/`` none of projections, ui, cli, demo; ``ui/`` may read ``projections`` (one
definition of display width) but no commands, cli or demo. Nothing remains excepted.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("ledger", "commands", "projections", "ui")
TOP = ("cli", "demo")
FORBIDDEN = {
    "ledger": {"commands", "projections", "ui", "cli", "demo"},
    "projections": {"commands", "ui", "cli", "demo"},
    "commands": {"projections", "ui", "cli", "demo"},
    "ui": {"commands", "cli", "demo"},
}


def modules() -> dict[str, Path]:
    out = {name: ROOT / f"{name}.py" for name in TOP}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).glob("*.py")):
            out[pkg if path.stem == "__init__" else f"{pkg}.{path.stem}"] = path
    return out


def imported(name: str, path: Path, *, top_level_only: bool = False) -> set[str]:
    """The project modules ``name`` imports (anywhere in it, or only as it loads)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # statements run at import: the body, and the bodies of top-level if/try
        nodes = [n for stmt in tree.body for n in ast.walk(stmt)
                 if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    known = modules()
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in known:
                continue
            for a in node.names:  # ``from commands import models`` imports the module commands.models
                out.add(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module)
    out.discard(name)
    return out


def test_every_module_imports_alone_in_a_fresh_interpreter():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    names = sorted(modules())
    failed = []
    for start in range(0, len(names), 8):  # a few at a time: each is a fresh interpreter
        procs = {n: subprocess.Popen([sys.executable, "-c", f"import {n}"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n in names[start:start + 8]}
        for n, p in procs.items():
            _, err = p.communicate(timeout=120)
            if p.returncode:
                failed.append(f"{n}: {err.strip().splitlines()[-1]}")
    assert not failed, "modules that do not import alone:\n" + "\n".join(failed)
    assert {"ledger.events", "commands.registry", "commands.all", "projections.status", "ui.labels", "cli",
            "demo"} <= set(names)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_downwards(layer):
    wrong = sorted(f"{name} imports {other}"
                   for name, path in modules().items() if name.split(".")[0] == layer
                   for other in imported(name, path) if other.split(".")[0] in FORBIDDEN[layer])
    assert wrong == [], f"{layer}/ may not import {sorted(FORBIDDEN[layer])}:\n" + "\n".join(wrong)


def test_no_import_cycle_among_the_project_modules():
    """Imports run as a module loads (function-level imports are deferred and excluded) form no cycle."""
    graph = {name: imported(name, path, top_level_only=True) for name, path in modules().items()}
    cycles = []

    def visit(node: str, trail: list[str], done: set[str]) -> None:
        if node in trail:
            cycles.append(" -> ".join(trail[trail.index(node):] + [node]))
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, trail + [node], done)
        done.add(node)

    done: set[str] = set()
    for name in sorted(graph):
        visit(name, [], done)
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_the_checks_see_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from projections import status\n\ndef f():\n    from commands.handlers import execute\n")
    assert imported("ledger.bad", bad) == {"projections.status", "commands.handlers"}
    assert imported("ledger.bad", bad, top_level_only=True) == {"projections.status"}


# A stream prefix belongs to the module that names those streams (issue 14): the others
# call its stream(), is_stream(), ident() or pass its PREFIX, so a prefix changes in one place.
PREFIX_HOME = {
    "member:": "ledger.member", "property:": "ledger.property", "inspection:": "ledger.inspection",
    "enrolment:": "ledger.presence", "holder:": "ledger.presence", "command:": "commands.handlers",
}


def literal_prefixes(path: Path) -> set[str]:
    """The stream prefixes a module writes as a string literal (or the head of an f-string)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            node = node.values[0]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= {p for p in PREFIX_HOME if node.value.startswith(p)}
    return found


def test_each_stream_prefix_is_written_in_its_own_module_only():
    strays = sorted((name, p) for name, path in modules().items() for p in literal_prefixes(path)
                    if PREFIX_HOME[p] != name)
    assert strays == []
    homes = {name: literal_prefixes(path) for name, path in modules().items()}
    assert all(p in homes[home] for p, home in PREFIX_HOME.items())  # the check finds what it looks for
