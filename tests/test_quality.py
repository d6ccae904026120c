"""The project's own checks run as part of the suite: ruff, mypy (strict on domain and
services), and import-linter's layering contracts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "src", "tests", "bench"),
        ("ruff", "format", "--check", "src", "tests", "bench"),
        ("mypy",),
        ("lint-imports",),
    ],
    ids=["ruff", "ruff-format", "mypy", "import-linter"],
)
def test_project_check_passes(command: tuple[str, ...]) -> None:
    result = run(str(BIN / command[0]), *command[1:])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One shortest cycle per strongly connected group of modules (Tarjan's algorithm, without
    recursion), each as [a, b, ..., a]."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []
    work: list[tuple[str, Iterator[str]]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        work.append((module, iter(sorted(graph.find_modules_directly_imported_by(module)))))

    for root in sorted(graph.modules):
        if root not in index:
            visit(root)
        while work:
            module, imported = work[-1]
            child = next(imported, None)
            if child is not None:
                if child not in index:
                    visit(child)
                elif child in stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                at = stack.index(module)
                group, stack[at:] = set(stack[at:]), []
                if len(group) > 1:
                    groups.append(group)
    cycles = []
    for group in groups:
        start = min(group)
        back = [
            graph.find_shortest_chain(importer=child, imported=start)
            for child in graph.find_modules_directly_imported_by(start) & group
        ]
        shortest = min((c for c in back if c), key=lambda c: (len(c), c))
        cycles.append([start, *shortest])
    return sorted(cycles)


def test_no_import_cycles() -> None:
    """No module of lifeline imports itself through others, type-only imports (under
    TYPE_CHECKING) included: a cycle means a type or a port sits in the wrong module."""
    graph = grimp.build_graph("lifeline", cache_dir=None)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_import_cycles_are_named() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.d")
    assert import_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


def test_a_test_run_never_writes_screenshots_into_the_repository() -> None:
    """Browser tests save screenshots to SHOTS: a temporary folder, unless `make screenshots`
    names docs/screenshots/ through LIFELINE_SCREENSHOT_DIR (the only way to refresh them)."""
    import os  # noqa: PLC0415

    from browser_support import SHOTS  # noqa: PLC0415 (imports Playwright)

    if os.environ.get("LIFELINE_SCREENSHOT_DIR"):
        pytest.skip("make screenshots is refreshing the README's pictures on purpose")
    assert not SHOTS.resolve().is_relative_to(ROOT)
    makefile = (ROOT / "Makefile").read_text()
    assert "LIFELINE_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots" in makefile
    # no test names the committed folder itself
    for path in (ROOT / "tests").rglob("*.py"):
        if path == Path(__file__).resolve():
            continue
        code = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        )
        assert 'docs/screenshots"' not in code and "docs' / 'screenshots" not in code, path
