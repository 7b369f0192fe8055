"""The layout holds: apps form a chain, each importing only the ones below it.

Read from the source (every import statement, in-function ones included), so a cycle between
apps cannot hide in a lazy import. docs/architecture.md explains the chain.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# From the bottom up: an app may import the apps before it in this list, never one after it.
CHAIN = ["mias", "commissions", "cms", "teams", "network", "insights", "devtools"]
PRODUCT = [app for app in CHAIN if app != "devtools"]


def imported_apps(path):
    """The project apps a Python file imports, with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in CHAIN:
                found.append((top, node.lineno))
    return found


def app_files(app):
    folder = ROOT / app
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


def violations():
    wrong = []
    for rank, app in enumerate(CHAIN):
        allowed = set(CHAIN[: rank + 1])
        for path in app_files(app):
            for imported, line in imported_apps(path):
                if imported not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return wrong


def test_no_app_imports_an_app_above_it():
    assert violations() == []


def test_mias_imports_no_app():
    bad = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in app_files("mias")
        for imported, line in imported_apps(path)
        if imported != "mias"
    ]
    assert bad == []


def test_no_product_module_imports_the_dev_tools():
    bad = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in PRODUCT
        for path in app_files(app)
        for imported, line in imported_apps(path)
        if imported == "devtools"
    ]
    assert bad == []


def test_the_check_sees_a_violation(tmp_path, monkeypatch):
    """The walk is real: a lazy import of an app above is caught."""
    fake = tmp_path / "commissions"
    fake.mkdir()
    (fake / "sneaky.py").write_text("def f():\n    from teams.models import Team\n")
    monkeypatch.setattr("test_layout.ROOT", tmp_path)
    assert violations() == ["commissions/sneaky.py:2 imports teams"]
