"""Rows by name (issue 73 §2): no read unpacks five or more columns by position; a
read returns a record whose fields are named once, beside the SQL that fills
them (`catalog.backends.named_rows`, peewee's `namedtuples()`).

The check finds every unpacking into five names or more in curator/ (a for
loop, a comprehension, an assignment); the few that are no row of a read are
listed here with why, and so are the readers still to convert, each with whose
work converts it. An entry that no longer unpacks fails too: the list only
shrinks."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Annotated, NamedTuple

import pytest

from curator.catalog.backends.named_rows import select_list

PKG = Path(__file__).resolve().parents[2] / "curator"
WIDE = 5

NOT_ROWS = {  # (module, function or "<module>"): why it is no row of a read
    ("catalog/backends/pg_schema.py", "translate"): "a regular expression's groups",
    ("commands/base.py", "<module>"): "the exit codes, numbered",
    ("export/rendition.py", "<module>"): "EXIF tag numbers",
    ("imaging/exif.py", "parse_exif_datetime"): "a date's parts",
    ("install/demo.py", "<module>"): "TIFF type numbers",
    ("ml/clip_pixels.py", "pixel_plan"): "the model's transform steps",
}
NOT_YET = {  # the people's readers: catalog.people is issue 73's faces-summary work
    ("catalog/people/edits.py", "<any>"): "catalog.people",
    ("catalog/people/look_again.py", "<any>"): "catalog.people",
    ("catalog/people/naming.py", "<any>"): "catalog.people",
    ("catalog/people/persons.py", "<any>"): "catalog.people",
    ("catalog/people/region_names.py", "<any>"): "catalog.people",
    ("catalog/people/store.py", "<any>"): "catalog.people",
    ("catalog/people/tiles.py", "<any>"): "catalog.people",
}


def _wide_unpackings() -> set[tuple[str, str]]:
    """(module, enclosing function) of each unpacking into `WIDE` names or more."""
    found: set[tuple[str, str]] = set()
    for path in sorted(PKG.rglob("*.py")):
        module = path.relative_to(PKG).as_posix()
        tree = ast.parse(path.read_text())
        for function, node in _walk(tree, "<module>"):
            targets: list[ast.expr] = []
            if isinstance(node, (ast.For, ast.comprehension)):
                targets = [node.target]
            elif isinstance(node, ast.Assign):
                targets = list(node.targets)
            if any(isinstance(t, ast.Tuple) and len(t.elts) >= WIDE for t in targets):
                found.add((module, function))
    return found


def _walk(node: ast.AST, function: str):  # type: ignore[no-untyped-def]
    for child in ast.iter_child_nodes(node):
        name = function
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = child.name if function == "<module>" else function
        yield name, child
        yield from _walk(child, name)


def _listed(entry: tuple[str, str]) -> bool:
    return entry in NOT_ROWS or entry in NOT_YET or (entry[0], "<any>") in NOT_YET


def test_no_read_unpacks_five_columns_by_position() -> None:
    found = _wide_unpackings()
    unlisted = sorted(e for e in found if not _listed(e))
    assert not unlisted, f"read these rows by name (catalog.backends.named_rows): {unlisted}"


def test_every_listed_unpacking_is_still_there() -> None:
    found = _wide_unpackings()
    modules = {module for module, _ in found}
    stale = [e for e in (*NOT_ROWS, *NOT_YET) if e not in found]
    stale = [e for e in stale if not (e[1] == "<any>" and e[0] in modules)]
    assert not stale, f"converted: take them off the lists: {stale}"


class _Example(NamedTuple):
    id: Annotated[int, "p.id"]
    missing: Annotated[int, "p.missing_since IS NOT NULL"]
    subject: Annotated[str | None, "NULL"]  # given when the read runs


def test_a_field_given_when_the_read_runs_takes_its_place_by_name() -> None:
    assert select_list(_Example) == "p.id, p.missing_since IS NOT NULL, NULL"
    assert select_list(_Example, subject="d.subject") == (
        "p.id, p.missing_since IS NOT NULL, d.subject"
    )
    with pytest.raises(TypeError, match="no field"):
        select_list(_Example, subjects="d.subject")
