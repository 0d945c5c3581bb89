"""A step's news reaches the window without a copy per receiver (issue 51 §2).

`ReviewSession.photos_changed` carries the photos a step changed — 60,000 for
an undo of Accept the Rest — to the gallery, the loupe and the survey. As a
`Signal(list)` PySide converted the list to a QVariantList and back for each
receiver: 62 ms of the UI thread for 60,000 ids and three receivers, the
undo's longest stall on PostgreSQL at 100,000 photos (the stall watch's
stack: `_after_history`, at the emit). As a `Signal(object)` every receiver
gets the very list the session sent."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.catalog.models import Photo
from tests.ui.loupe_harness import loupe_harness, photo_ids_by_name


def test_every_receiver_gets_the_step_s_own_list_of_photos(library: Path, qtbot: QtBot) -> None:
    ids = sorted(photo_ids_by_name().values())
    with loupe_harness(qtbot) as h:
        got: list[list[int]] = []
        h.session.photos_changed.connect(got.append)
        h.session.photos_changed.connect(got.append)
        Photo.update(cull="kept").execute()  # what an accept's worker wrote
        h.session.decided_in_one_step(ids)
        assert len(got) == 2 and got[0] == ids
        assert got[0] is got[1]  # one object passed along, never a converted copy
