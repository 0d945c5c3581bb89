"""View ▸ Taste (issue 34 §2): the photographers who decided are listed, and
picking one saves the `taste` setting, shows that taste's scores at once and
retrains it; everyone's is the default."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog import decisions
from curator.catalog.models import Photo
from curator.catalog.taste import choice
from curator.catalog.types import CullState
from curator.paths import resolve_paths
from curator.ui.window.taste_menu import TasteMenu
from tests.ui.conftest import running_app


@pytest.fixture(autouse=True)
def everyone_after() -> Iterator[None]:
    yield
    choice.choose(None)


def test_picking_a_photographers_taste_saves_and_applies_it(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_SEAT_USER", "lead")
    with running_app(qtbot) as app:
        photo = Photo.create(path=b"/a.jpg", content_hash="a")
        monkeypatch.setenv("CURATOR_SEAT_USER", "assistant")
        decisions.set_cull(photo.id, CullState.KEPT)
        monkeypatch.setenv("CURATOR_SEAT_USER", "lead")
        menu = app.window.findChild(TasteMenu)
        assert menu is not None
        menu.fill()
        texts = [a.text() for a in menu.actions()]
        assert texts == ["Everyone's decisions", "Mine (lead)", "assistant's decisions"]
        assert menu.actions()[0].isChecked()
        runs = app.retrain.runs
        menu.actions()[2].trigger()
        assert choice.chosen() == "assistant"
        saved = json.loads(resolve_paths().settings_file.read_text())
        assert saved["taste"] == "assistant"
        qtbot.waitUntil(lambda: app.retrain.runs > runs, timeout=15_000)
        menu.fill()
        assert [a.isChecked() for a in menu.actions()] == [False, False, True]
        menu.actions()[1].trigger()  # "Mine": this seat's user
        assert choice.chosen() == "lead"
