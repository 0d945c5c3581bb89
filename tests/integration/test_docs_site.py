"""The documentation site (mkdocs.yml, docs/, scripts/docs_hooks.py): it builds
offline in strict mode, and its generated reference pages hold what the code's
own tables hold, so the docs cannot drift from the product."""

from __future__ import annotations

import argparse
import html
import os
import subprocess
import sys
from pathlib import Path

import pytest

from curator.cli import build_parser
from curator.commands.base import JsonField
from curator.commands.import_folder import IMPORT_FIELDS
from curator.commands.listing import STATUS_FIELDS, list_fields
from curator.search.tokens import search_tokens
from curator.settings import FIELDS, env_name
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


def _commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += [(*words, name), *_commands(child, (*words, name))]
    return found


def test_the_commands_page_lists_every_command_and_option_of_the_parser(site: Path) -> None:
    page = _page(site, "reference/commands.html")
    commands = _commands(build_parser())
    assert ("models", "pull") in commands and ("import",) in commands
    for words in commands:
        assert f'id="curator-{"-".join(words)}"' in page, words
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"<code>{option}" in page, (parser.prog, option)
    # What a help text quotes in angle brackets is shown, not taken for a tag.
    raw = (site / "reference/commands.html").read_text(encoding="utf-8")  # as a browser reads it
    assert "into DEST/&lt;project&gt;/" in raw and "<project>" not in raw


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += _parsers(child)
    return found


def test_the_settings_page_lists_every_setting_of_the_registry(site: Path) -> None:
    page = _page(site, "reference/settings.html")
    for name, spec in FIELDS.items():
        assert f'id="{name}"' in page, name  # a section other pages link to
        assert f"<code>{env_name(name)}</code>" in page, name
        assert spec.title in page and spec.description.split("`")[0] in page, name


def _names(fields: tuple[JsonField, ...], prefix: str = "") -> list[str]:
    names = []
    for f in fields:
        name = prefix + f.name
        inner = f"{name}[]." if f.many else f"{name}.<{f.keyed_by}>." if f.keyed_by else name + "."
        names += [name, *_names(f.fields, inner)]
    return names


def test_the_json_page_lists_every_field_the_commands_print(site: Path) -> None:
    page = _page(site, "reference/json.html")
    names = _names(IMPORT_FIELDS) + _names(list_fields()) + _names(STATUS_FIELDS)
    assert "faces[].smile" in names and "stages.<stage>.status" in names
    for name in names:
        assert f"<code>{name}</code>" in page, name


def test_the_search_page_lists_every_search_token(site: Path) -> None:
    page = _page(site, "guide/search.html")
    for token in search_tokens():
        assert f"<code>{token.syntax}</code>" in page, token.syntax


def test_the_readme_is_a_front_door_and_the_sites_home(site: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    assert "make run FOLDER=" in readme and "\nmake test " in readme  # the two commands
    assert "Apache License 2.0" in readme  # the face model's licence (DESIGN.md)
    home = _page(site, "index.html")
    assert "make run FOLDER=~/Pictures/2024" in home
    assert 'href="guide/cull-for-me.html"' in home  # its links into docs/, made relative


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
