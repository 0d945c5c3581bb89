"""The generated reference tables are in the pages as the code makes them
(issue 80 §6: the reference reads whole in the repository, not only on the
built site). A page's region between `<!-- generated: NAME -->` and
`<!-- end generated -->` must be what `make docs-refresh` writes now."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "scripts" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_generated_region_is_in_step_with_the_code() -> None:
    hooks = _hooks()
    pages = [p for p in sorted((ROOT / "docs").rglob("*.md")) if hooks.MARKER.search(p.read_text())]
    names = {m.group(1) for p in pages for m in hooks.MARKER.finditer(p.read_text())}
    assert names == set(hooks.GENERATED)  # every table has its page
    stale = [
        p.relative_to(ROOT).as_posix()
        for p in pages
        if hooks.refreshed(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")
    ]
    assert not stale, f"run `make docs-refresh`: {stale}"


def test_a_region_is_replaced_whole_and_an_old_one_is_caught() -> None:
    hooks = _hooks()
    page = "intro\n\n<!-- generated: keys -->\n\nan old table\n\n<!-- end generated -->\n\nafter\n"
    new = hooks.refreshed(page)
    assert "an old table" not in new and new.startswith("intro") and new.endswith("after\n")
    assert new.count("<!-- generated: keys -->") == 1 and new.count(hooks.END) == 1
    assert hooks.refreshed(new) == new
