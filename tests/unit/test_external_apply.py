"""interop.external.apply_external: another tool's values become decisions, once."""

from __future__ import annotations

import time

import pytest

from curator.catalog import decisions
from curator.catalog.models import CullState, Decision, ExternalImport, Photo, PhotoTag, Tag
from curator.interop.external import ExternalJudgment, apply_external

NS = 1_000_000_000
PAST = 1_500_000_000 * NS  # 2017: a file written long before any decision here


def _future() -> int:
    return time.time_ns() + 3600 * NS


@pytest.fixture
def photo_id(catalog: object) -> int:
    photo = Photo.create(path=b"/photos/a.jpg", content_hash="aaaa")
    return int(photo.id)


def _state(pid: int) -> tuple[str, int | None, bool, str | None]:
    p = Photo.get_by_id(pid)
    return p.cull, p.rating, bool(p.picked), p.label


def _user_tags(pid: int) -> set[str]:
    rows = (
        PhotoTag.select(Tag.name).join(Tag).where(PhotoTag.photo == pid, PhotoTag.source == "user")
    )
    return {name for (name,) in rows.tuples()}


def _rows(pid: int) -> list[tuple[str, str | None, str]]:
    q = Decision.select().where(Decision.photo == pid).order_by(Decision.id)
    return [(d.kind, d.new_value, d.pass_) for d in q]


def test_rating_label_and_keywords_arrive_as_decisions_once(photo_id: int) -> None:
    ext = ExternalJudgment(rating=4, label="Red", keywords=("harbour", "boats"))
    result = apply_external(photo_id, ext, "xmp", PAST)
    assert result.applied and not result.unchanged
    assert _state(photo_id) == ("kept", 4, False, "red")
    assert _user_tags(photo_id) == {"harbour", "boats"}
    rows = _rows(photo_id)
    assert {p for _, _, p in rows} == {"xmp"}
    assert ("rating", "4", "xmp") in rows and ("cull", "kept", "xmp") in rows
    row = ExternalImport.get(ExternalImport.photo == photo_id)
    assert row.source == "xmp" and row.file_mtime_ns == PAST

    again = apply_external(photo_id, ext, "xmp", PAST)
    assert again.unchanged and not again.applied
    assert _rows(photo_id) == rows  # a re-import writes no row
    assert ExternalImport.select().count() == 1


def test_minus_one_or_a_reject_flag_rejects_and_beats_a_rating(photo_id: int) -> None:
    apply_external(photo_id, ExternalJudgment(rating=5, rejected=True, picked=True), "xmp", PAST)
    cull, rating, picked, _ = _state(photo_id)
    assert (cull, picked) == ("rejected", False)
    assert rating == 5  # the stars are kept as information; the reject rules
    # The file lifts the reject and picks: kept and picked.
    apply_external(photo_id, ExternalJudgment(rating=5, picked=True), "xmp", PAST + NS)
    assert _state(photo_id)[:3] == ("kept", 5, True)


def test_a_later_change_in_curator_wins_over_an_older_file(photo_id: int) -> None:
    apply_external(photo_id, ExternalJudgment(rating=3), "xmp", PAST)
    decisions.set_rating(photo_id, 5, pass_="loupe")
    decisions.set_cull(photo_id, CullState.REJECTED, pass_="loupe")
    decisions.add_tag(photo_id, "sea", pass_="tag")
    decisions.remove_tag(photo_id, "sea", pass_="tag")
    # The sidecar changed (rating, label, keywords) but its mtime is older
    # than those Curator decisions: the rating, the cull and the removed tag
    # stay as the user left them; the label, which nobody set here, arrives.
    older = ExternalJudgment(rating=2, label="Blue", keywords=("sea", "gulls"), picked=True)
    result = apply_external(photo_id, older, "xmp", PAST + NS)
    assert _state(photo_id) == ("rejected", 5, False, "blue")
    assert _user_tags(photo_id) == {"gulls"}
    assert set(result.kept_curator) == {"rating", "picked", "tag sea"}


def test_a_sidecar_changed_after_the_curator_change_applies(photo_id: int) -> None:
    apply_external(photo_id, ExternalJudgment(rating=3), "xmp", PAST)
    decisions.set_rating(photo_id, 5, pass_="loupe")
    result = apply_external(photo_id, ExternalJudgment(rating=2), "xmp", _future())
    assert result.applied and _state(photo_id)[1] == 2
    assert _rows(photo_id)[-1] == ("rating", "2", "xmp")


def test_only_changed_fields_are_taken_again(photo_id: int) -> None:
    apply_external(photo_id, ExternalJudgment(rating=3, label="Red"), "xmp", PAST)
    decisions.set_label(photo_id, "green", pass_="loupe")
    # A newer file whose label did not change: the rating change applies, the
    # user's green label is not overwritten by the file's old red.
    apply_external(photo_id, ExternalJudgment(rating=4, label="Red"), "xmp", _future())
    assert _state(photo_id) == ("kept", 4, False, "green")


def test_sources_are_tracked_apart_and_a_deleted_photo_is_skipped(photo_id: int) -> None:
    apply_external(photo_id, ExternalJudgment(rating=3), "xmp", PAST)
    apply_external(photo_id, ExternalJudgment(rating=3), "lightroom", PAST)
    assert ExternalImport.select().count() == 2
    assert [r for r in _rows(photo_id) if r[0] == "rating"] == [("rating", "3", "xmp")]
    Photo.update(deleted_at=Photo.imported_at).where(Photo.id == photo_id).execute()
    assert apply_external(photo_id, ExternalJudgment(rating=1), "xmp", _future()).skipped
    with pytest.raises(ValueError):
        apply_external(photo_id, ExternalJudgment(), "picasa", None)


def test_keywords_as_written_caption_and_the_files_state_are_remembered(photo_id: int) -> None:
    from curator.catalog.tagging.keywords import SourceKeyword
    from curator.interop.external import XmpSeen
    from curator.interop.xmp.state import XmpState
    from curator.interop.xmp_sync import keywords_for, recorded_states
    from curator.search.text import text_search

    ext = ExternalJudgment(
        rating=3,
        keywords=("b w", "st pauls cathedral"),
        keyword_texts=(
            SourceKeyword("B&W"),
            SourceKeyword("St. Paul's Cathedral", "Places|London|St. Paul's Cathedral"),
            SourceKeyword("Photography"),  # no tag (too generic), still the user's keyword
        ),
        caption="Evening light on the steps",
    )
    seen = XmpSeen(XmpState(rating=3, keywords=frozenset(ext.keywords)), "/photos/a.xmp", PAST)
    apply_external(photo_id, ext, "xmp", PAST, seen)
    written = keywords_for([photo_id])[photo_id]
    assert written.outgoing("st pauls cathedral").path == "Places|London|St. Paul's Cathedral"
    assert written.outgoing("b w").text == "B&W"
    assert [k.text for k in written.untagged] == ["Photography"]
    assert Photo.get_by_id(photo_id).caption == "Evening light on the steps"
    assert [h.photo_id for h in text_search("evening steps")] == [photo_id]
    assert recorded_states([photo_id])[photo_id].state == seen.state
    # The tool changed its caption: taken. It dropped it: Curator keeps the last one.
    apply_external(photo_id, ExternalJudgment(rating=3, caption="Dusk"), "xmp", PAST + 1)
    assert Photo.get_by_id(photo_id).caption == "Dusk"
    apply_external(photo_id, ExternalJudgment(rating=3), "xmp", PAST + 2)
    assert Photo.get_by_id(photo_id).caption == "Dusk"
