"""Which fields `xmp write` may change in an existing sidecar: the three-way rule
(catalog, the state Curator last saw, the file now) and who decided each value."""

from __future__ import annotations

from datetime import datetime, timedelta

from curator.interop.xmp.edit import Authored, Keyword, XmpEdit, plan_edit
from curator.interop.xmp.state import XmpState

T0 = datetime(2025, 3, 1, 12, 0, 0)
EARLIER, LATER = T0 - timedelta(hours=1), T0 + timedelta(hours=1)
FILE = XmpState(rating=3, label="yellow", keywords=frozenset({"london", "b w"}))


def test_values_only_read_from_another_tool_give_an_empty_edit() -> None:
    # The catalog took everything from the file; nothing was decided in Curator.
    planned = plan_edit(FILE, FILE, FILE, Authored(), T0)
    assert planned.edit == XmpEdit() and planned.kept == ()
    # Even when the catalog differs (e.g. a Lightroom catalog said otherwise):
    # a value Curator did not decide is not Curator's to write.
    lightroom = XmpState(rating=5, label="red")
    assert plan_edit(lightroom, FILE, FILE, Authored(), T0).edit == XmpEdit()


def test_a_decision_made_in_curator_since_the_last_sync_is_written() -> None:
    catalog = XmpState(rating=-1, label="yellow", keywords=FILE.keywords)
    planned = plan_edit(catalog, FILE, FILE, Authored(rating=LATER), T0)
    assert planned.edit == XmpEdit(rating=-1)


def test_a_curator_value_already_synced_is_not_rewritten_over_the_files_newer_one() -> None:
    # Curator's 4 went out; then Lightroom changed the file to 2.
    synced = XmpState(rating=4)
    planned = plan_edit(synced, synced, XmpState(rating=2), Authored(rating=EARLIER), LATER)
    assert planned.edit == XmpEdit() and planned.kept == ()


def test_both_changed_the_later_change_wins() -> None:
    base, catalog, current = XmpState(rating=3), XmpState(rating=5), XmpState(rating=2)
    newer_file = plan_edit(catalog, base, current, Authored(rating=EARLIER), T0)
    assert newer_file.edit == XmpEdit() and newer_file.kept == ("rating",)
    newer_decision = plan_edit(catalog, base, current, Authored(rating=LATER), T0)
    assert newer_decision.edit == XmpEdit(rating=5)


def test_without_a_record_the_file_counts_as_changed() -> None:
    catalog = XmpState(rating=5)
    assert plan_edit(catalog, None, FILE, Authored(rating=EARLIER), T0).kept == ("rating",)
    assert plan_edit(catalog, None, FILE, Authored(rating=LATER), T0).edit == XmpEdit(rating=5)


def test_keywords_are_added_and_removed_one_by_one_with_their_written_form() -> None:
    catalog = XmpState(rating=3, label="yellow", keywords=frozenset({"london", "harbour"}))
    authored = Authored(tags={"harbour": (True, LATER), "b w": (False, LATER)})
    texts = {"harbour": Keyword("Harbour", "Places|Harbour")}
    planned = plan_edit(catalog, FILE, FILE, authored, T0, keyword_texts=texts)
    assert planned.edit == XmpEdit(
        keywords_add=(Keyword("Harbour", "Places|Harbour"),),
        keywords_remove=frozenset({"b w"}),
    )
    # A keyword another tool added after the sync and Curator removed before it: kept.
    later_file = XmpState(keywords=frozenset({"b w", "sea"}))
    base = XmpState(keywords=frozenset({"b w"}))
    kept = plan_edit(base, base, later_file, Authored(tags={"sea": (False, EARLIER)}), T0)
    assert kept.edit == XmpEdit() and kept.kept == ("keyword sea",)


def test_a_label_edit_names_the_label_it_replaces() -> None:
    catalog = XmpState(rating=3, label=None, keywords=FILE.keywords)
    planned = plan_edit(catalog, FILE, FILE, Authored(label=LATER), T0)
    assert planned.edit == XmpEdit(label="", label_was="yellow")


def test_curators_namespace_rides_along_with_a_decision_or_in_its_own_file() -> None:
    extras = XmpEdit(scores={"preference": 80.0}, caption="Boats at dawn")
    untouched = plan_edit(FILE, FILE, FILE, Authored(rating=LATER), T0, extras=extras)
    assert untouched.edit == XmpEdit()  # nothing decided changes: scores alone don't
    own = plan_edit(FILE, FILE, FILE, Authored(rating=LATER), T0, extras=extras, own_file=True)
    assert own.edit == XmpEdit(scores={"preference": 80.0}, caption="Boats at dawn")
    rated = XmpState(rating=5, label="yellow", keywords=FILE.keywords)
    with_decision = plan_edit(rated, FILE, FILE, Authored(rating=LATER), T0, extras=extras)
    assert with_decision.edit.scores == {"preference": 80.0} and with_decision.edit.rating == 5
