"""The import rule of ARCHITECTURE.md §1: the core imports no SDK, no SQLAlchemy, no adapters,
no storage, except in the composition root; adapters never import the composition root."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = (
    "slack_bolt",
    "slack_sdk",
    "discord",
    "sqlalchemy",
    "adapters",
    "storage",
    "aiohttp",
    "web",
    "jinja2",
)
COMPOSITION_ROOT = {"bot/cli.py", "bot/bootstrap.py", "bot/__main__.py"}
COMPOSITION_ROOT_MODULES = {"bot.cli", "bot.bootstrap", "bot.__main__"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(path: Path) -> list[str]:
    return sorted(name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN)


def test_core_imports_no_sdk_database_or_adapter_outside_the_composition_root() -> None:
    problems = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in COMPOSITION_ROOT:
            continue
        bad = offending(path)
        if bad:
            problems[relative] = bad
    assert problems == {}


def test_the_rule_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "leaky.py"
    sample.write_text(
        "import discord\nfrom sqlalchemy import select\nfrom bot.domain import Member\n"
    )
    assert offending(sample) == ["discord", "sqlalchemy"]


def test_storage_does_not_import_adapters() -> None:
    for path in (ROOT / "storage").rglob("*.py"):
        assert not [n for n in imported_modules(path) if n.split(".")[0] in ("adapters", "web")], (
            path
        )


def composition_root_imports(path: Path) -> list[str]:
    """Imports of the composition root, wherever they sit (`TYPE_CHECKING` blocks included),
    whether as `from bot.bootstrap import Core` or `from bot import bootstrap`."""
    names = imported_modules(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(names & COMPOSITION_ROOT_MODULES)


def test_adapters_never_import_the_composition_root() -> None:
    """The web dashboard (`web/`) is an adapter too."""
    problems = {}
    paths = [*(ROOT / "adapters").rglob("*.py"), *(ROOT / "web").rglob("*.py")]
    for path in sorted(paths):
        bad = composition_root_imports(path)
        if bad:
            problems[path.relative_to(ROOT).as_posix()] = bad
    assert problems == {}


def test_the_rule_catches_an_adapter_importing_the_composition_root(tmp_path: Path) -> None:
    sample = tmp_path / "service.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "from bot import cli\n"
        "if TYPE_CHECKING:\n"
        "    from bot.bootstrap import Core\n"
    )
    assert composition_root_imports(sample) == ["bot.bootstrap", "bot.cli"]
