"""The People view (View ▸ People, Shift+O; issue 50 §3) in the real window:
a face tile per person, most-photographed first; a click shows exactly that
person's photos; naming, merging and taking a face out change what
`curator people --json` shows, and Ctrl+Z / Ctrl+Shift+Z undo and redo them in
order with the decisions; on a studio catalog a name given at another seat
shows here."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import decision_state
from curator.catalog.models import CullState, Photo
from curator.catalog.people.naming import faces_of_people, photos_of_person
from curator.ui.people.panel import FACE_ROLE, ID_ROLE, PeoplePanel
from curator.ui.review.actions import DecisionAction
from tests.integration.cli_helpers import run_cli
from tests.people_helpers import put_faces
from tests.ui.conftest import make_library, running_app
from tests.ui.test_studio_seats import WAIT_MS, other_seat


def _library_people() -> tuple[list[int], list[int]]:
    """Five photos of one person, two of another, of the real library."""
    ids = {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}
    img = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    ada, bob = img[:5], img[5:7]
    put_faces(Photo._meta.database, [ada, bob])
    return ada, bob


def _people_json() -> list[dict[str, object]]:
    import json

    code, out, err = run_cli("people", "--json")
    assert code == 0, err
    return list(json.loads(out))


def _open(app: App, qtbot: QtBot) -> PeoplePanel:
    app.window.dispatch("people")  # Shift+O's action
    assert app.window.people.dock.isVisible()
    panel = app.window.people.panel()
    qtbot.waitUntil(lambda: panel.tiles.count() > 0, timeout=30_000)
    return panel


def _tiles(panel: PeoplePanel) -> list[tuple[int, str, bool]]:
    """(person, text, has a face picture) per tile, in order."""
    out = []
    for row in range(panel.tiles.count()):
        item = panel.tiles.item(row)
        out.append((int(item.data(ID_ROLE)), item.text(), bool(item.data(FACE_ROLE))))
    return out


def _click(qtbot: QtBot, panel: PeoplePanel, row: int, mods: Qt.KeyboardModifier) -> None:
    rect = panel.tiles.visualItemRect(panel.tiles.item(row))
    qtbot.mouseClick(panel.tiles.viewport(), Qt.MouseButton.LeftButton, mods, rect.center())


def test_tiles_in_count_order_and_a_click_shows_that_persons_photos(
    library: Path, app: App, qtbot: QtBot
) -> None:
    ada, bob = _library_people()
    people = _people_json()
    panel = _open(app, qtbot)
    qtbot.waitUntil(  # the names and counts at once, the faces as they are cut
        lambda: (
            _tiles(panel)
            == [
                (people[0]["id"], "Unnamed\n5 photos", True),
                (people[1]["id"], "Unnamed\n2 photos", True),
            ]
        ),
        timeout=30_000,
    )
    assert not panel.more.isVisible()
    everything = sorted(app.model.ids)
    _click(qtbot, panel, 1, Qt.KeyboardModifier.NoModifier)
    qtbot.waitUntil(lambda: sorted(app.model.ids) == sorted(bob), timeout=30_000)
    assert sorted(photos_of_person(str(people[1]["id"]))) == sorted(bob)  # list --person's
    assert app.window.filter_bar.person_button.isVisible()
    _click(qtbot, panel, 0, Qt.KeyboardModifier.NoModifier)
    qtbot.waitUntil(lambda: sorted(app.model.ids) == sorted(ada), timeout=30_000)
    # Named while the grid shows her: the filter's button follows.
    panel.select_people([int(people[0]["id"])])  # type: ignore[call-overload]
    qtbot.keyClicks(panel.name_field, "Ada")
    qtbot.keyClick(panel.name_field, Qt.Key.Key_Return)
    button = app.window.filter_bar.person_button
    assert button.text() == f"Person: person {people[0]['id']} ✕"
    qtbot.waitUntil(lambda: button.text() == "Person: Ada ✕", timeout=30_000)
    assert sorted(app.model.ids) == sorted(ada)
    app.window.filter_bar.person_button.click()  # the filter cleared
    qtbot.waitUntil(lambda: sorted(app.model.ids) == everything, timeout=30_000)


def test_name_merge_and_take_out_show_in_people_json_and_undo_in_order(
    library: Path, app: App, qtbot: QtBot
) -> None:
    _, bob = _library_people()
    ada_id, bob_id = (int(p["id"]) for p in _people_json())  # type: ignore[call-overload]
    panel = _open(app, qtbot)
    # Name the first person: select it, type, Enter.
    panel.select_people([ada_id])
    qtbot.keyClicks(panel.name_field, "Ada")
    qtbot.keyClick(panel.name_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _tiles(panel)[0][1] == "Ada\n5 photos", timeout=30_000)
    assert [p["name"] for p in _people_json()] == ["Ada", None]
    # A decision between two people edits (the grid's X on a photo of Bob's).
    app.session.decide_many(DecisionAction.REJECT, [bob[0]])
    assert decision_state(bob[0]).cull is CullState.REJECTED
    # Take a face out of Ada: from her faces, largest first.
    qtbot.waitUntil(lambda: panel.faces.count() == 5, timeout=30_000)
    wrong = int(panel.faces.item(4).data(ID_ROLE))
    panel.faces.item(4).setSelected(True)
    panel.take_out_button.click()
    qtbot.waitUntil(lambda: _tiles(panel)[0][1] == "Ada\n4 photos", timeout=30_000)
    assert wrong not in faces_of_people()[ada_id]
    # Merge Bob into Ada (two selected, Merge).
    panel.select_people([ada_id, bob_id])
    assert panel.merge_button.isEnabled()
    panel.merge_button.click()
    qtbot.waitUntil(lambda: len(_tiles(panel)) == 1, timeout=30_000)
    assert [(p["name"], p["photos"]) for p in _people_json()] == [("Ada", 6)]
    # Ctrl+Z four times: the merge, the take-out, the reject, the name, newest first.
    app.window.dispatch("undo")
    qtbot.waitUntil(lambda: len(_tiles(panel)) == 2, timeout=30_000)
    assert [(p["name"], p["photos"]) for p in _people_json()] == [("Ada", 4), (None, 2)]
    app.window.dispatch("undo")
    app.window.dispatch("undo")  # queued behind the one before (ui.review.step_queue)
    qtbot.waitUntil(lambda: decision_state(bob[0]).cull is CullState.UNREVIEWED, timeout=30_000)
    assert wrong in faces_of_people()[ada_id]
    qtbot.waitUntil(lambda: _tiles(panel)[0][1] == "Ada\n5 photos", timeout=30_000)
    app.window.dispatch("undo")
    qtbot.waitUntil(lambda: _tiles(panel)[0][1] == "Unnamed\n5 photos", timeout=30_000)
    assert [p["name"] for p in _people_json()] == [None, None]
    # Ctrl+Shift+Z redoes the name.
    app.window.dispatch("redo")
    qtbot.waitUntil(lambda: _tiles(panel)[0][1] == "Ada\n5 photos", timeout=30_000)


def test_a_refused_merge_says_why_and_changes_nothing(
    library: Path, app: App, qtbot: QtBot
) -> None:
    _library_people()
    ada_id, bob_id = (int(p["id"]) for p in _people_json())  # type: ignore[call-overload]
    assert run_cli("people", "name", str(ada_id), "Ada")[0] == 0
    assert run_cli("people", "name", str(bob_id), "Bob")[0] == 0
    panel = _open(app, qtbot)
    panel.select_people([ada_id, bob_id])
    panel.merge_button.click()
    qtbot.waitUntil(lambda: "rename one of them first" in panel.notice.text(), timeout=30_000)
    assert "Nothing was changed" in panel.notice.text()
    assert [p["name"] for p in _people_json()] == ["Ada", "Bob"]
    # A seat whose role may only read says so and writes nothing.
    app.session.read_only = "This seat may only look: ask the studio's admin."
    panel.select_people([bob_id])
    qtbot.keyClicks(panel.name_field, "Robert")
    qtbot.keyClick(panel.name_field, Qt.Key.Key_Return)
    assert panel.notice.text() == app.session.read_only
    assert [p["name"] for p in _people_json()] == ["Ada", "Bob"]


def test_a_name_given_at_another_seat_shows_in_this_seats_people_view(
    qtbot: QtBot, pg_url: str, tmp_path: Path
) -> None:
    """A studio catalog: another seat (its own process and user) names a person;
    this seat's open People view shows the name, without a click."""
    lib = tmp_path / "lib"
    make_library(lib, 8)
    code, _, err = run_cli(
        "--catalog", pg_url, "import", str(lib), "--stages", "technical", "--no-progress"
    )
    assert code == 0, err
    with running_app(qtbot, location=pg_url) as app:
        assert app.seats is not None and app.seats.listening
        _library_people()
        panel = _open(app, qtbot)
        person = int(panel.tiles.item(0).data(ID_ROLE))
        other_seat(pg_url, "people", "name", str(person), "Grace")
        qtbot.waitUntil(lambda: _tiles(panel)[0][1] == "Grace\n5 photos", timeout=WAIT_MS)
