"""The documentation site (mkdocs.yml, docs/, scripts/docs_hooks.py): it builds
offline in strict mode, and its generated reference pages hold what the code's
own tables hold, so the docs cannot drift from the product."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

import pytest

from curator.ui.review.keymap import all_bindings

REPO = Path(__file__).resolve().parents[2]


def _build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=config.parent,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = _build(REPO / "mkdocs.yml", out)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out


def _page(site: Path, name: str) -> str:
    return html.unescape((site / name).read_text(encoding="utf-8"))


def test_the_keys_page_lists_every_binding_of_the_keymap(site: Path) -> None:
    page = _page(site, "reference/keys.html")
    for binding in all_bindings():
        assert binding.cull in page, binding
        assert binding.rating in page, binding
        for key in binding.keys:
            shown = {"Right": "→", "Left": "←"}.get(key, key)
            assert f"<kbd>{shown}</kbd>" in page, (binding.action, key)


def _site_with_page(tmp_path: Path, text: str) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(text, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    hooks = REPO / "scripts" / "docs_hooks.py"
    config.write_text(f"site_name: t\nhooks:\n  - {hooks}\n", encoding="utf-8")
    return config


def test_an_unknown_generated_table_fails_the_build(tmp_path: Path) -> None:
    config = _site_with_page(tmp_path, "# T\n\n<!-- generated: no-such-table -->\n")
    done = _build(config, tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-table" in done.stderr


def test_a_failing_or_empty_table_function_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from mkdocs.exceptions import PluginError

    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "scripts/docs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    monkeypatch.setitem(hooks.GENERATED, "fails", "json:loads")  # needs an argument
    monkeypatch.setitem(hooks.GENERATED, "empty", "builtins:str")  # returns ""
    with pytest.raises(PluginError, match="fails"):
        hooks.generated("fails")
    with pytest.raises(PluginError, match="no Markdown"):
        hooks.generated("empty")
    assert "| keys |" in hooks.generated("keys")
