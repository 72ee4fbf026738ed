"""The import rule from DESIGN.md: bot → jobs → storage, never back; storage imports nothing of the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"storage": {"bot", "jobs"}, "jobs": {"bot"}, "bot": set()}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(_imported_packages(path) & FORBIDDEN[package])}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if _imported_packages(path) & FORBIDDEN[package]
    ]
    assert offenders == []


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def test_only_the_cli_imports_the_legacy_migration() -> None:
    """Runtime code never imports `storage.legacy`: claiming a migrated account from chat is `storage.accounts`."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in FORBIDDEN
        for path in sorted((ROOT / package).rglob("*.py"))
        if any(m == "storage.legacy" or m.startswith("storage.legacy.") for m in _imported_modules(path))
        and path.relative_to(ROOT).as_posix() != "bot/cli.py"
        and not path.relative_to(ROOT).as_posix().startswith("storage/legacy/")
    ]
    assert offenders == []
