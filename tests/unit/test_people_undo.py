"""People edits undone and redone (issue 50 §3, m026): naming, merging and
taking a face out are logged (catalog.people.edits) and Ctrl+Z's history
(catalog.undo.history) reverses them in order with the decisions, on both
backends."""

from __future__ import annotations

import pytest

from curator.catalog import decisions
from curator.catalog.db import Catalog
from curator.catalog.models import CullState
from curator.catalog.people import edits
from curator.catalog.people.naming import PeopleError, faces_of_people, people_list
from curator.catalog.undo.history import PeopleStepped, redo_newest, undo_newest
from tests.people_helpers import fill_people


def _shown() -> list[tuple[int, str | None, int]]:
    return [(p.id, p.name, p.photos) for p in people_list()]


def _ids() -> tuple[int, int]:
    ada, bob = (p.id for p in people_list())
    return ada, bob


def test_a_name_is_undone_and_redone(catalog: Catalog) -> None:
    fill_people(catalog.db)
    ada, bob = _ids()
    edits.name(catalog.db, ada, "Ada")
    edits.name(catalog.db, ada, "Ada Lovelace")
    assert _shown() == [(ada, "Ada Lovelace", 4), (bob, None, 2)]
    step = undo_newest()
    assert isinstance(step, PeopleStepped) and "Ada Lovelace" in step.phrase
    assert _shown()[0][1] == "Ada"
    assert undo_newest() is not None and _shown()[0][1] is None
    assert isinstance(redo_newest(), PeopleStepped) and _shown()[0][1] == "Ada"
    assert isinstance(redo_newest(), PeopleStepped) and _shown()[0][1] == "Ada Lovelace"
    assert redo_newest() is None
    edits.name(catalog.db, ada, " Ada  Lovelace ")  # the name it has: no step
    assert isinstance(undo_newest(), PeopleStepped) and _shown()[0][1] == "Ada"


def test_a_merge_is_undone_with_the_same_person_faces_and_names(catalog: Catalog) -> None:
    fill_people(catalog.db)
    ada, bob = _ids()
    edits.name(catalog.db, bob, "Bob")
    before_faces = faces_of_people()
    edits.merge(catalog.db, ada, bob)
    assert _shown() == [(ada, "Bob", 6)]  # Ada had no name: she takes Bob's
    assert isinstance(undo_newest(), PeopleStepped)
    assert _shown() == [(ada, None, 4), (bob, "Bob", 2)]
    assert faces_of_people() == before_faces
    assert isinstance(redo_newest(), PeopleStepped)
    assert _shown() == [(ada, "Bob", 6)]
    undo_newest()
    assert faces_of_people() == before_faces


def test_a_face_taken_out_goes_back_and_out_again(catalog: Catalog) -> None:
    fill_people(catalog.db)
    ada, _ = _ids()
    face = faces_of_people()[ada][0]
    assert edits.take_out(catalog.db, face) == ada
    assert face not in faces_of_people()[ada]
    ruled = 'SELECT COUNT(*) FROM "face_not_person" WHERE "face_id" = ?'
    assert catalog.db.execute_sql(ruled, (face,)).fetchone()[0] == 1
    step = undo_newest()
    assert isinstance(step, PeopleStepped) and f"face {face}" in step.phrase
    assert face in faces_of_people()[ada]
    assert catalog.db.execute_sql(ruled, (face,)).fetchone()[0] == 0
    redo_newest()
    assert face not in faces_of_people()[ada]
    assert catalog.db.execute_sql(ruled, (face,)).fetchone()[0] == 1


def test_people_edits_and_decisions_are_undone_newest_first(catalog: Catalog) -> None:
    ids = fill_people(catalog.db)
    ada, bob = _ids()
    edits.name(catalog.db, ada, "Ada")
    decisions.set_cull(ids["bob0"], CullState.REJECTED, pass_="cull")
    edits.merge(catalog.db, ada, bob)
    assert isinstance(undo_newest(), PeopleStepped)  # the merge
    assert len(_shown()) == 2
    records = undo_newest()  # the reject
    assert isinstance(records, list) and records[0].photo_id == ids["bob0"]
    assert decisions.decision_state(ids["bob0"]).cull is CullState.UNREVIEWED
    assert isinstance(undo_newest(), PeopleStepped) and _shown()[0][1] is None  # the name
    # Redo in the same order: name, reject, merge.
    assert isinstance(redo_newest(), PeopleStepped) and _shown()[0][1] == "Ada"
    assert isinstance(redo_newest(), list)
    assert decisions.decision_state(ids["bob0"]).cull is CullState.REJECTED
    assert isinstance(redo_newest(), PeopleStepped) and len(_shown()) == 1


def test_a_new_edit_of_either_kind_clears_redo(catalog: Catalog) -> None:
    ids = fill_people(catalog.db)
    ada, _ = _ids()
    edits.name(catalog.db, ada, "Ada")
    undo_newest()
    decisions.set_cull(ids["ada2"], CullState.KEPT, pass_="cull")
    assert redo_newest() is None and _shown()[0][1] is None
    undo_newest()  # the keep
    edits.name(catalog.db, ada, "Ada L.")
    assert redo_newest() is None
    assert decisions.decision_state(ids["ada2"]).cull is CullState.UNREVIEWED


def test_an_undo_that_cannot_be_done_says_why_and_changes_nothing(catalog: Catalog) -> None:
    fill_people(catalog.db)
    ada, bob = _ids()
    edits.name(catalog.db, bob, "Bob")
    edits.merge(catalog.db, ada, bob)
    catalog.db.execute_sql('DELETE FROM "person" WHERE "id" = ?', (ada,))  # forgotten meanwhile
    with pytest.raises(PeopleError, match=f"Person {ada} is no longer there"):
        undo_newest()
    assert _shown() == []
    count = 'SELECT COUNT(*) FROM "person_edit"'
    assert catalog.db.execute_sql(count).fetchone()[0] == 2  # no undo row written


def test_another_seat_does_not_undo_my_names(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_people(catalog.db)
    ada, _ = _ids()
    monkeypatch.setenv("CURATOR_SEAT_USER", "anna")
    edits.name(catalog.db, ada, "Ada")
    monkeypatch.setenv("CURATOR_SEAT_USER", "ben")
    assert undo_newest() is None and _shown()[0][1] == "Ada"
    monkeypatch.setenv("CURATOR_SEAT_USER", "anna")
    assert isinstance(undo_newest(), PeopleStepped) and _shown()[0][1] is None
