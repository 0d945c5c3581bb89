"""The benches write their results outside the repository (issue 21 §4)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.bench import results

REPO = Path(__file__).resolve().parents[2]


def test_results_go_to_a_temporary_folder_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(results.ENV, raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    path = results.write_results("x.json", {"a": 1})
    assert path == tmp_path / "curator-bench-results" / "x.json"
    assert not path.resolve().is_relative_to(REPO)
    results.merge_results("x.json", {"b": 2})
    assert path.read_text().count('"a"') == 1 and '"b": 2' in path.read_text()


def test_the_environment_chooses_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(results.ENV, str(tmp_path / "artefacts"))
    assert results.write_results("y.json", [1]).parent == tmp_path / "artefacts"


def test_no_bench_names_a_folder_in_the_repository() -> None:
    """A bench that builds its output path from its own location (its module path)
    or from a relative folder name writes into the checkout; they all go through
    tests/bench/results.py instead."""
    offenders = []
    for module in sorted((REPO / "tests" / "bench").glob("test_*.py")):
        text = module.read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and node.value == "bench-results":
                offenders.append(f"{module.name}:{node.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Path"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and not Path(node.args[0].value).is_absolute()
            ):
                offenders.append(f"{module.name}:{node.lineno} Path({node.args[0].value!r})")
    assert offenders == []
