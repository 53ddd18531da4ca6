"""The house's shape: dependencies between apps point down only, and core stands on nothing.

Read from the source, so a new import that breaks the direction fails here before it tangles.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import wulian

ROOT = Path(wulian.__file__).parent

# From the bottom up: an app may import the apps before it, never those after it.
LAYERS = [
    "audit",
    "core",
    "places",
    "orgs",
    "accounts",
    "notifications",
    "matching",
    "lists",
    "whistle",
    "council",
    "events",
    "activities",
    "volunteering",
    "training",
    "dashboards",
    "site",
]
# The project's top-level modules (settings, URLs, the API, the command line) gather everything.
TOP = {"settings", "urls", "api", "cli", "wsgi", "asgi", "locale"}


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "wulian" or len(parts) < 2:
        return None
    return parts[1]


def _imports() -> dict[str, set[tuple[str, str]]]:
    """For each app, the other apps it imports and where (at any depth, functions included)."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        app = relative.parts[0].removesuffix(".py")
        if app in TOP or app == "__init__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                target = _app_of(name)
                if target and target != app:
                    found[app].add((target, f"{relative}:{getattr(node, 'lineno', 0)}"))
    return found


def test_every_app_has_its_place_in_the_layers():
    apps = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - TOP
    assert apps == set(LAYERS), "add a new app to LAYERS, above what it uses"


def test_apps_import_only_the_apps_below_them():
    rank = {app: n for n, app in enumerate(LAYERS)}
    upward = sorted(
        f"{where}: {app} imports {target}"
        for app, targets in _imports().items()
        for target, where in targets
        if rank[target] > rank[app]
    )
    assert upward == []


def test_there_is_no_import_circle_between_apps():
    graph = {app: {target for target, _ in targets} for app, targets in _imports().items()}
    circles = []

    def visit(app: str, trail: list[str]) -> None:
        for target in sorted(graph.get(app, ())):
            if target in trail:
                circles.append([*trail[trail.index(target) :], target])
            elif len(trail) < len(LAYERS):
                visit(target, [*trail, target])

    for app in graph:
        visit(app, [app])
    assert circles == []


def test_core_imports_no_domain_app():
    assert {target for target, _ in _imports().get("core", set())} <= {"audit"}
