"""The arrival book of a watched folder (ingest.arrivals): which files are
whole, when, once each, in order; RAW+JPEG mates together; files gone before
they were read let go with a sentence."""

from __future__ import annotations

import pytest

from curator.ingest.arrivals import (
    ArrivalBook,
    Seen,
    Sighting,
    is_temporary_name,
    is_watched_name,
)

SETTLE = 2.0


def book() -> ArrivalBook:
    return ArrivalBook(settle_s=SETTLE, pair_wait_s=2.0)


def seen(path: str, how: Seen, at: float, size: int = 1000, mtime: int = 7, **kw: bool) -> Sighting:
    return Sighting(path, how, at, size, mtime, **kw)


def due_paths(b: ArrivalBook, now: float) -> list[str]:
    return [w.path for w in b.due(now)[0]]


def test_a_file_closed_after_writing_is_whole_at_once_and_only_once() -> None:
    b = book()
    b.see(seen("/w/IMG_1.JPG", Seen.CHANGED, 0.0, size=10))
    assert due_paths(b, 0.1) == []  # still being written
    b.see(seen("/w/IMG_1.JPG", Seen.CLOSED, 0.5))
    wholes, _ = b.due(0.5)
    assert [(w.path, w.size, w.landed_at) for w in wholes] == [("/w/IMG_1.JPG", 1000, 0.5)]
    b.see(seen("/w/IMG_1.JPG", Seen.LISTED, 5.0, old=True))  # the rescan sees it again
    b.see(seen("/w/IMG_1.JPG", Seen.CLOSED, 5.0))
    assert due_paths(b, 9.0) == []
    assert b.is_taken("/w/IMG_1.JPG", 1000, 7)


def test_other_bytes_at_a_taken_path_are_a_new_arrival() -> None:
    b = book()
    b.see(seen("/w/a.jpg", Seen.CLOSED, 0.0))
    assert due_paths(b, 0.0) == ["/w/a.jpg"]
    b.see(seen("/w/a.jpg", Seen.CLOSED, 3.0, size=2000, mtime=9))  # rewritten by the camera app
    assert due_paths(b, 3.0) == ["/w/a.jpg"]


def test_a_jpeg_closed_without_its_end_marker_must_settle() -> None:
    """A writer that closes between chunks (a resumed upload) is never taken half."""
    b = book()
    b.see(seen("/w/a.jpg", Seen.CLOSED, 0.0, size=500, cut=True))
    assert due_paths(b, 0.1) == []
    b.see(seen("/w/a.jpg", Seen.CLOSED, 1.0, size=900, cut=True))  # a second chunk, still cut
    assert due_paths(b, 2.5) == []
    assert b.to_check(3.1) == ["/w/a.jpg"]  # settled since 1.0 unless it changed: look again
    b.see(seen("/w/a.jpg", Seen.LISTED, 3.1, size=900))
    wholes, _ = b.due(3.1)
    assert [(w.path, w.size, w.landed_at) for w in wholes] == [("/w/a.jpg", 900, 1.0)]


def test_without_events_a_file_is_whole_once_unchanged_for_the_settle_time() -> None:
    b = book()
    b.see(seen("/share/a.nef", Seen.LISTED, 0.0, size=100))
    assert b.to_check(1.0) == [] and b.next_check(1.0) == pytest.approx(1.0)
    b.see(seen("/share/a.nef", Seen.LISTED, 2.0, size=300, mtime=8))  # grew: starts again
    assert due_paths(b, 2.0) == [] and b.to_check(3.9) == []
    assert b.to_check(4.0) == ["/share/a.nef"]
    b.see(seen("/share/a.nef", Seen.LISTED, 4.0, size=300, mtime=8))
    assert b.to_check(4.0) == []  # confirmed: nothing more to stat
    assert due_paths(b, 4.0) == ["/share/a.nef"]


def test_where_closes_are_reported_a_file_seen_written_to_is_open_until_closed() -> None:
    """inotify: a slow upload that pauses longer than the settle time is not
    taken half; a file met only by a rescan (written before the watch began,
    or in a folder made a moment ago) still settles over the settle time."""
    b = ArrivalBook(settle_s=SETTLE, quiet_s=30.0)
    b.see(seen("/w/slow.cr3", Seen.CHANGED, 0.0, size=100))
    b.see(seen("/w/listed.jpg", Seen.LISTED, 0.0, size=100))
    assert b.to_check(2.0) == ["/w/listed.jpg"]  # the slow one is left alone
    b.see(seen("/w/slow.cr3", Seen.LISTED, 2.0, size=100))  # a rescan: still open
    b.see(seen("/w/listed.jpg", Seen.LISTED, 2.0, size=100))
    assert due_paths(b, 2.0) == ["/w/listed.jpg"]
    assert due_paths(b, 20.0) == []
    b.see(seen("/w/slow.cr3", Seen.CLOSED, 21.0, size=5000))
    assert due_paths(b, 21.0) == ["/w/slow.cr3"]
    b.see(seen("/w/cut.jpg", Seen.CHANGED, 30.0, size=100))
    b.see(seen("/w/cut.jpg", Seen.CLOSED, 30.5, size=100, cut=True))  # closed: not open now
    assert b.to_check(32.5) == ["/w/cut.jpg"]  # a truncated file is taken once settled
    b.see(seen("/w/cut.jpg", Seen.LISTED, 32.5, size=100))
    assert due_paths(b, 32.5) == ["/w/cut.jpg"]


def test_a_file_moved_in_from_outside_settles_over_the_settle_time() -> None:
    """inotify: a frame moved in from another folder is only "created" (no write,
    no close follows): it is whole once it settles, not after the quiet time of a
    file still open; one made here and then written to waits for its close."""
    b = ArrivalBook(settle_s=SETTLE, quiet_s=30.0)
    b.see(seen("/w/moved.jpg", Seen.CREATED, 0.0, size=100))
    b.see(seen("/w/made.jpg", Seen.CREATED, 0.0, size=0))
    b.see(seen("/w/made.jpg", Seen.CHANGED, 0.1, size=100))  # being written
    assert b.to_check(2.0) == ["/w/moved.jpg"]
    b.see(seen("/w/moved.jpg", Seen.LISTED, 2.0, size=100))
    b.see(seen("/w/made.jpg", Seen.LISTED, 2.1, size=100))
    wholes, _ = b.due(2.1)
    assert [(w.path, w.landed_at) for w in wholes] == [("/w/moved.jpg", 0.0)]
    b.see(seen("/w/made.jpg", Seen.CREATED, 3.0, size=100))  # a late duplicate event
    assert due_paths(b, 20.0) == []  # still open: a write was seen
    b.see(seen("/w/made.jpg", Seen.CLOSED, 21.0, size=100))
    assert due_paths(b, 21.0) == ["/w/made.jpg"]


def test_what_landed_while_curator_was_away_is_whole_at_once() -> None:
    b = book()
    b.see(seen("/w/old.jpg", Seen.LISTED, 0.0, old=True))
    b.see(seen("/w/new.jpg", Seen.LISTED, 0.0))  # modified a moment ago: it settles
    assert due_paths(b, 0.0) == ["/w/old.jpg"]


def test_temporary_names_are_never_taken_a_rename_into_place_is() -> None:
    b = book()
    for name in ("IMG_2.JPG.part", ".IMG_2.JPG.x7Fq2", "~IMG_2.JPG", "IMG_2.jpg.tmp", ".in.x."):
        b.see(seen(f"/w/{name}", Seen.CLOSED, 0.0))
    assert due_paths(b, 10.0) == []
    b.see(Sighting("/w/IMG_2.JPG.part", Seen.GONE, 1.0))  # renamed away: no note, never pending
    b.see(seen("/w/IMG_2.JPG", Seen.RENAMED, 1.0))
    wholes, skipped = b.due(1.0)
    assert [w.path for w in wholes] == ["/w/IMG_2.JPG"] and skipped == []


@pytest.mark.parametrize(
    ("name", "watched"),
    [
        ("IMG_1.CR3", True),
        ("img_1.jpeg", True),
        ("a.JPG.PART", False),
        ("a.jpg.crdownload", False),
        ("a.jpg.filepart", False),
        (".pureftpd-upload.5f.jpg", False),
        ("notes.txt", False),
        ("a.xmp", False),
        ("-rf.jpg", True),
        ("new\nline.jpg", True),
        ("bad\udcff.jpg", True),
    ],
)
def test_which_names_are_watched(name: str, watched: bool) -> None:
    assert is_watched_name(f"/w/{name}") is watched


def test_temporary_name_rules() -> None:
    assert is_temporary_name("x.jpg.part") and is_temporary_name(".x.jpg")
    assert not is_temporary_name("x.jpg") and not is_temporary_name("/w/.hidden/x.jpg")


def test_an_empty_file_is_never_whole() -> None:
    b = book()
    b.see(seen("/w/a.jpg", Seen.CLOSED, 0.0, size=0))
    b.see(seen("/w/a.jpg", Seen.LISTED, 5.0, size=0))
    assert due_paths(b, 10.0) == [] and b.to_check(10.0) == []


def test_a_raw_and_its_jpeg_go_out_together() -> None:
    b = book()
    b.see(seen("/w/DSC_1.JPG", Seen.CLOSED, 0.0))
    b.see(seen("/w/DSC_1.NEF", Seen.CHANGED, 0.1, size=10))  # its RAW is on its way
    assert due_paths(b, 0.5) == []
    b.see(seen("/w/DSC_1.NEF", Seen.CLOSED, 0.9, size=25_000))
    assert due_paths(b, 0.9) == ["/w/DSC_1.JPG", "/w/DSC_1.NEF"]


def test_a_whole_file_waits_for_its_mate_only_so_long() -> None:
    b = book()
    b.see(seen("/w/DSC_2.jpg", Seen.CLOSED, 0.0))
    b.see(seen("/w/dsc_2.arw", Seen.CHANGED, 0.0, size=10))  # stuck: the upload stalled
    assert due_paths(b, 1.9) == []
    assert due_paths(b, 2.0) == ["/w/DSC_2.jpg"]
    b.see(seen("/w/DSC_3.jpg", Seen.CLOSED, 3.0))
    b.see(seen("/w/DSC_3.jpg.part", Seen.CHANGED, 3.0))  # not a mate: a temporary name
    b.see(seen("/w/DSC_3.png", Seen.CHANGED, 3.0))  # not a mate: no RAW
    assert due_paths(b, 3.0) == ["/w/DSC_3.jpg"]


def test_files_are_handed_over_in_the_order_they_landed() -> None:
    b = book()
    b.see(seen("/w/c.jpg", Seen.LISTED, 0.0, size=5))  # settles: landed at 0.0
    b.see(seen("/w/b.jpg", Seen.CLOSED, 1.0))
    b.see(seen("/w/a.jpg", Seen.CLOSED, 1.5))
    b.see(seen("/w/c.jpg", Seen.LISTED, 2.0, size=5))
    assert due_paths(b, 2.0) == ["/w/c.jpg", "/w/b.jpg", "/w/a.jpg"]


def test_a_file_gone_before_it_was_whole_is_let_go_with_a_sentence() -> None:
    b = book()
    b.see(seen("/w/x.jpg", Seen.CHANGED, 0.0))
    b.see(Sighting("/w/x.jpg", Seen.GONE, 0.5))
    b.see(Sighting("/w/never-seen.jpg", Seen.GONE, 0.5))
    wholes, skipped = b.due(1.0)
    assert wholes == []
    assert [(s.path, s.text) for s in skipped] == [
        ("/w/x.jpg", "x.jpg was deleted or moved away before Curator read it; skipped.")
    ]
    assert b.due(1.0) == ([], [])  # said once


def test_a_file_that_cannot_be_stated_counts_as_gone() -> None:
    b = book()
    b.see(seen("/w/x.jpg", Seen.CHANGED, 0.0))
    b.see(Sighting("/w/x.jpg", Seen.LISTED, 1.0))  # no size: it went between list and stat
    assert len(b.due(5.0)[1]) == 1 and b.waiting == 0


def test_hostile_names_are_paths_like_any_other() -> None:
    b = book()
    names = ["/w/new\nline.jpg", "/w/bad\udcff.jpg", "/w/-rf.JPG", "/w/" + "é" * 120 + ".jpg"]
    for i, path in enumerate(names):
        b.see(seen(path, Seen.CLOSED, float(i)))
    assert due_paths(b, 9.0) == names


def test_a_vanished_folder_forgets_its_pending_files() -> None:
    b = book()
    b.see(seen("/card/DCIM/a.jpg", Seen.CHANGED, 0.0))
    b.see(seen("/cardigan/b.jpg", Seen.CHANGED, 0.0))
    b.drop_under("/card")
    assert b.waiting == 1
