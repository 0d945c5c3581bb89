"""A copy's DUPLICATE pill reads the other copies' decisions (issue 83 §4):
when one copy is rejected or put back — in this window (`refresh`) or by the
terminal or another window (`reload_rows`) — the others' rows are read
again, so the pill of the copy left alone goes, and comes back on undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from tests.ui.gallery_helpers import gallery_over_catalog


def _photo(name: str) -> int:
    return int(Photo.create(path=f"/lib/{name}.jpg".encode(), content_hash=name).id)


def _set_cull(pid: int, cull: str) -> None:
    Photo.update(cull=cull).where(Photo.id == pid).execute()


@pytest.mark.parametrize("told", ["refresh", "reload_rows"])
def test_the_other_copys_pill_follows_a_reject_and_its_undo(
    tmp_path: Path, qtbot: QtBot, told: str
) -> None:
    with Catalog.open(tmp_path / "c.sqlite"):
        inn, web, alone = (_photo(n) for n in ("inn", "web", "alone"))
        Photo.update(duplicate_group=inn).where(Photo.id.in_([inn, web])).execute()
        with gallery_over_catalog(tmp_path / "cache") as model:

            def group_of(pid: int) -> int | None:
                row = model.photo_row(model.row_for(pid))  # type: ignore[arg-type]
                assert row is not None
                return row.duplicate_group

            assert group_of(inn) == inn and group_of(web) == inn and group_of(alone) is None
            _set_cull(web, "rejected")  # X on the web copy
            getattr(model, told)([web])
            assert group_of(inn) is None  # the picture is stored once now: no pill
            _set_cull(web, "unreviewed")  # Ctrl+Z
            getattr(model, told)([web])
            assert group_of(inn) == inn
