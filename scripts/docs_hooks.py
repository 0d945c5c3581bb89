"""MkDocs hooks of the documentation site (mkdocs.yml `hooks:`): the reference
pages are generated from the code's own tables, so no such fact is written twice.

A page under docs/ holds a line `<!-- generated: NAME -->`, then the table as
last generated, then `<!-- end generated -->`, so the page reads whole in the
repository too; at build time the region is replaced by the Markdown returned
by the function `GENERATED[NAME]` names ("module:function": pure, no
argument, no QApplication; it lives beside its table in the product code).
`python scripts/docs_hooks.py` writes the regions again (`make docs-refresh`);
tests/unit/test_docs_regions.py fails while one is out of step. An unknown
NAME, a function that fails or returns no text, or a NAME registered here
that no page uses fails the build.

To add a generated table: write its zero-argument function beside the table
(it returns Markdown: a table, headings, prose), register it below, and put
`<!-- generated: NAME -->` on a line of its own in a page of the nav.

The nav's "Decisions and measurements" section lists every page of
docs/decisions/ by itself (its index first): adding a page is adding the file.
The home page is README.md (docs/index.md only stands in for it), so the
front door is written once.

The build imports this checkout's `curator` (the repository root goes first on
sys.path), whatever the virtualenv's editable install points at.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATED: dict[str, str] = {
    "commands": "curator.cli:commands_markdown",
    "keys": "curator.ui.review.keymap:keys_markdown",
    "settings": "curator.settings:settings_markdown",
    "json-fields": "curator.commands.listing:json_fields_markdown",
    "cull-checks": "curator.cull.reference:checks_markdown",
    "search-tokens": "curator.search.tokens:tokens_markdown",
}

MARKER = re.compile(
    r"^<!-- generated: ([\w.:-]+) -->[ \t]*$(?:\n.*?^<!-- end generated -->[ \t]*$)?",
    re.MULTILINE | re.DOTALL,
)
END = "<!-- end generated -->"
DECISIONS = "Decisions and measurements"  # the nav section filled from docs/decisions/
README_HERE = "<!-- The site's home page is README.md"  # how docs/index.md begins

log = logging.getLogger("mkdocs.hooks.docs")
_used: set[str] = set()


def generated(name: str) -> str:
    """The Markdown of generated table `name` (PluginError when it can't be made)."""
    target = GENERATED.get(name)
    if target is None:
        known = ", ".join(sorted(GENERATED))
        raise PluginError(f"<!-- generated: {name} -->: no such table (known: {known})")
    module, _, function = target.partition(":")
    try:
        text = getattr(importlib.import_module(module), function)()
    except Exception as exc:
        raise PluginError(f"generated table {name!r} ({target}) failed: {exc!r}") from exc
    if not isinstance(text, str) or not text.strip():
        raise PluginError(f"generated table {name!r} ({target}) returned no Markdown")
    return text.rstrip("\n")


def on_config(config: Any) -> Any:
    """Fill the nav's decisions section with every page of docs/decisions/."""
    _used.clear()
    folder = Path(config["docs_dir"]) / "decisions"
    pages = sorted(p.name for p in folder.glob("*.md") if p.name != "index.md")
    for i, entry in enumerate(config["nav"] or []):
        if isinstance(entry, dict) and DECISIONS in entry:
            config["nav"][i] = {
                DECISIONS: ["decisions/index.md"] + [f"decisions/{p}" for p in pages]
            }
    return config


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace each `<!-- generated: NAME -->` line with its table; a page that
    begins with `README_HERE` (the home page) is README.md, its links into
    docs/ made relative to the site."""
    if markdown.startswith(README_HERE):
        markdown = (ROOT / "README.md").read_text(encoding="utf-8").replace("](docs/", "](")

    def table(match: re.Match[str]) -> str:
        _used.add(match.group(1))
        return generated(match.group(1))

    return MARKER.sub(table, markdown)


def region(name: str) -> str:
    """A generated region as a page holds it: its marker, the table, its end."""
    return f"<!-- generated: {name} -->\n\n{generated(name)}\n\n{END}"


def refreshed(markdown: str) -> str:
    """`markdown` with each generated region written as the code makes it now."""
    return MARKER.sub(lambda m: region(m.group(1)), markdown)


def on_post_build(**_: Any) -> None:
    for name in sorted(set(GENERATED) - _used):
        log.warning(
            "generated table %r is registered but no page has <!-- generated: %s -->", name, name
        )


if __name__ == "__main__":  # `make docs-refresh`: the regions in the pages, as the code makes them
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if MARKER.search(text) and (new := refreshed(text)) != text:
            page.write_text(new, encoding="utf-8")
            print(f"refreshed {page.relative_to(ROOT)}")
