"""Comments and docstrings name only what exists (scripts/check_doc_names.py):
the repository passes the check, and the check finds each kind of stale name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check_doc_names.py"


def _check(root: Path) -> tuple[int, set[tuple[str, str, str]]]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, timeout=120
    )
    found = set()
    for line in done.stdout.splitlines():
        where, _, rest = line.partition(": ")
        name, _, why = rest.partition(" — ")
        found.add((where.rsplit(":", 1)[0], name, why))
    return done.returncode, found


def test_the_repository_cites_no_stale_names() -> None:
    code, found = _check(REPO)
    assert not found, sorted(found)
    assert code == 0


def test_the_check_finds_each_kind_of_stale_name(tmp_path: Path) -> None:
    package = tmp_path / "curator"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "a.py").write_text(
        '"""Uses `real_fn`, `a.real_fn`, `RealTask.run()`, `curator/a.py` and `IMG_1.CR2`,\n'
        'but also `a.gone_fn`, `GoneTask`, `curator/b.py` and `gone.module`."""\n'
        '__all__ = ["RealTask", "real_fn", "missing"]\n\n\n'
        "def real_fn() -> None:\n"
        "    # RealTask and QThreadPool are fine; OldScheduler is not.\n"
        "    # Prose too: catalog.gone_module, curator/c.py.\n"
        "    pass\n\n\n"
        "def public_two() -> None:\n"
        "    pass\n\n\n"
        "class RealTask:\n"
        "    def run(self) -> None:\n"
        "        pass\n"
    )
    (tmp_path / "docs" / "guide").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "docs" / "guide" / "page.md").write_text(
        "Links beside the page: [home](../index.md) resolves, [gone](../gone.md) does not.\n"
    )
    code, found = _check(tmp_path)
    assert code == 1
    assert {(name, why) for _, name, why in found} == {
        ("a.gone_fn", "curator.a defines no gone_fn"),
        ("GoneTask", "GoneTask is defined nowhere"),
        ("curator/b.py", "no such file"),
        ("gone.module", "gone is defined nowhere"),
        ("OldScheduler", "defined nowhere"),
        ("catalog.gone_module", "catalog is defined nowhere"),
        ("curator/c.py", "no such file"),
        ("../gone.md", "no such file"),
        ("missing", "__all__ names it; not defined here"),
        ("public_two", "defined here, left out of __all__"),
    }
