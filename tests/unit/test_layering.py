"""House rules that a grep can check: Qt layering and lazy torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "curator"
NO_QT = ("catalog", "imaging", "llm", "ml", "export")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_widgets_only_in_ui_and_app() -> None:
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        if rel.startswith("ui/") or rel == "app.py":
            continue
        bad = {n for n in _imports(path) if n.startswith(("PySide6.QtWidgets", "PySide6.QtGui"))}
        assert not bad, f"{rel} imports {bad}"


def test_domain_packages_import_no_qt_and_no_ui() -> None:
    for pkg in NO_QT:
        for path in (PKG / pkg).rglob("*.py"):
            bad = {n for n in _imports(path) if n.startswith(("PySide6", "curator.ui"))}
            assert not bad, f"{path.relative_to(PKG)} imports {bad}"


def test_cli_never_imports_ui() -> None:
    assert not {n for n in _imports(PKG / "cli.py") if n.startswith("curator.ui")}


def test_torch_is_not_imported_by_the_cli_or_an_import() -> None:
    code = (
        "import sys, curator.cli, curator.pipeline.importer, curator.imaging.technical;"
        "print('torch' in sys.modules, 'open_clip' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
