"""Nothing done on disk loses a decision: photos whose files are gone are
*missing* (kept, with their decisions) and come back as themselves."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log
from curator.catalog.missing import count_missing, is_tombstone, last_known_path, mark_missing
from curator.catalog.models import Photo, PhotoPath
from curator.catalog.queries import GalleryQuery, gallery_query_ids, gallery_rows
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, run_cli


@contextmanager
def _catalog() -> Iterator[Catalog]:
    with Catalog.open(resolve_paths().catalog) as cat:
        yield cat


def _photo_at(path: Path) -> Photo:
    photo: Photo = Photo.get(Photo.path == os.fsencode(str(path)))
    return photo


def _import_and_mark(lib: Path) -> tuple[dict[str, int], int]:
    """An import (it marks vanished photos missing itself), and the summary's count;
    a second mark_missing right after finds nothing more to mark."""
    summary = import_json(lib)
    with _catalog():
        assert mark_missing(str(lib)) == 0
    return summary, summary["missing"]


def test_mv_over_a_rated_photo_keeps_it_missing_with_its_decisions(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "A.jpg", 400, 300, pattern="texture")
    b = make_jpeg(lib / "B.jpg", 320, 240, pattern="quadrants")
    b_bytes = b.read_bytes()
    assert import_json(lib)["new"] == 2
    with _catalog():
        a_id, b_id = int(_photo_at(a).id), int(_photo_at(b).id)
    assert run_cli("rate", "--stars", "5", str(b))[0] == 0
    assert run_cli("keep", str(b))[0] == 0

    os.replace(a, b)  # mv A.jpg B.jpg: B's bytes are gone, A's bytes are at B
    summary, newly_missing = _import_and_mark(lib)
    assert summary["moved"] == 1 and summary["new"] == 0
    assert newly_missing == 0  # the writer already made B's photo missing
    with _catalog():
        old_b = Photo.get_by_id(b_id)
        assert old_b.missing_since is not None
        assert (old_b.rating, old_b.cull) == (5, "kept")
        assert [(d["kind"], d["new"]) for d in decision_log(b_id)] == [
            ("rating", "5"),
            ("cull", "kept"),
        ]
        # Its last path is kept (as a tombstone: A's photo lives there now).
        assert is_tombstone(old_b.path) and last_known_path(old_b.path) == os.fsencode(str(b))
        moved = Photo.get_by_id(a_id)
        assert bytes(moved.path) == os.fsencode(str(b)) and moved.missing_since is None
        assert count_missing() == 1
        # The gallery still lists it, under its last path, and the Missing filter finds it.
        assert b_id in gallery_query_ids(GalleryQuery())
        assert gallery_query_ids(GalleryQuery(missing_only=True)) == [b_id]
        row = gallery_rows([b_id])[b_id]
        assert row.missing and row.path == str(b) and row.rating == 5

    # A decision on the path now goes to A's photo, not to the missing one.
    assert run_cli("reject", str(b))[0] == 0
    with _catalog():
        assert Photo.get_by_id(a_id).cull == "rejected"
        assert Photo.get_by_id(b_id).cull == "kept"

    # B's bytes reappear under another name: the same photo comes back.
    back = lib / "sub" / "B again.jpg"
    back.parent.mkdir()
    back.write_bytes(b_bytes)
    summary, newly_missing = _import_and_mark(lib)
    assert summary["new"] == 0 and newly_missing == 0
    with _catalog():
        restored = Photo.get_by_id(b_id)
        assert restored.missing_since is None
        assert bytes(restored.path) == os.fsencode(str(back))
        assert (restored.rating, restored.cull) == (5, "kept")
        assert count_missing() == 0
        assert Photo.select().count() == 2


def test_a_deleted_file_makes_its_photo_missing_until_its_bytes_return(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    keep = make_jpeg(lib / "keep.jpg", 300, 200)
    gone = make_jpeg(lib / "gone.jpg", 310, 200, pattern="texture")
    import_json(lib)
    assert run_cli("rate", "--stars", "4", str(gone))[0] == 0
    with _catalog():
        gone_id = int(_photo_at(gone).id)
    stash = tmp_path / "stash.jpg"
    shutil.copy2(gone, stash)
    gone.unlink()

    summary, newly_missing = _import_and_mark(lib)
    assert summary["found"] == 1 and newly_missing == 1
    with _catalog():
        photo = Photo.get_by_id(gone_id)
        assert photo.missing_since is not None and photo.rating == 4
        assert bytes(photo.path) == os.fsencode(str(gone))  # nobody took the path: kept as is
        assert len(decision_log(gone_id)) == 2  # the rating and the keep it brought
        assert mark_missing(str(lib)) == 0  # already missing: not counted again
        assert _photo_at(keep).missing_since is None

    # Copied back elsewhere (a new mtime): read, recognised by its bytes.
    shutil.copy(stash, lib / "found.jpg")
    summary, _ = _import_and_mark(lib)
    assert summary["new"] == 0
    with _catalog():
        photo = Photo.get_by_id(gone_id)
        assert photo.missing_since is None and photo.rating == 4
        assert bytes(photo.path) == os.fsencode(str(lib / "found.jpg"))


def test_a_file_put_back_unchanged_is_found_without_being_read(tmp_path: Path) -> None:
    """An unplugged disk: the files vanish, then return with their own size and
    mtime, which the technical plan skips as unchanged."""
    lib = tmp_path / "lib"
    (lib / "card").mkdir(parents=True)
    photo_path = make_jpeg(lib / "card" / "p.jpg", 300, 200)
    import_json(lib)
    assert run_cli("pick", str(photo_path))[0] == 0
    (lib / "card").rename(tmp_path / "card-unplugged")
    assert _import_and_mark(lib)[1] == 1
    (tmp_path / "card-unplugged").rename(lib / "card")
    summary, newly_missing = _import_and_mark(lib)
    assert summary["unchanged"] == 1 and newly_missing == 0
    with _catalog():
        photo = _photo_at(photo_path)
        assert photo.missing_since is None and photo.picked
        assert count_missing() == 0


def test_other_bytes_at_a_missing_photos_path_are_a_new_photo(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    p = make_jpeg(lib / "p.jpg", 300, 200)
    import_json(lib)
    assert run_cli("rate", "--stars", "2", str(p))[0] == 0
    with _catalog():
        old_id = int(_photo_at(p).id)
    p.unlink()
    assert _import_and_mark(lib)[1] == 1
    make_jpeg(p, 500, 400, pattern="texture")  # a different picture under the old name
    summary, _ = _import_and_mark(lib)
    assert summary["new"] == 1
    with _catalog():
        old = Photo.get_by_id(old_id)
        assert old.missing_since is not None and old.rating == 2
        assert last_known_path(old.path) == os.fsencode(str(p))
        new = _photo_at(p)
        assert new.id != old_id and new.rating is None and new.missing_since is None


def test_mark_missing_only_looks_under_the_folder(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    a = make_jpeg(one / "a.jpg", 300, 200)
    b = make_jpeg(two / "b.jpg", 310, 200, pattern="texture")
    import_json(one)
    import_json(two)
    a.unlink()
    b.unlink()
    with _catalog():
        assert mark_missing(str(two)) == 1
        assert _photo_at(a).missing_since is None
        assert mark_missing() == 1
        assert count_missing() == 2


def test_swapping_two_names_keeps_both_photos_and_their_decisions(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "a.jpg", 300, 200)
    b = make_jpeg(lib / "b.jpg", 310, 200, pattern="texture")
    import_json(lib)
    assert run_cli("rate", "--stars", "1", str(a))[0] == 0
    assert run_cli("rate", "--stars", "5", str(b))[0] == 0
    with _catalog():
        a_id, b_id = int(_photo_at(a).id), int(_photo_at(b).id)
    os.replace(a, lib / "tmp.jpg")
    os.replace(b, a)
    os.replace(lib / "tmp.jpg", b)
    summary, newly_missing = _import_and_mark(lib)
    assert summary["new"] == 0 and newly_missing == 0
    with _catalog():
        assert bytes(Photo.get_by_id(a_id).path) == os.fsencode(str(b))
        assert bytes(Photo.get_by_id(b_id).path) == os.fsencode(str(a))
        assert {(p.id, p.rating, p.missing_since) for p in Photo.select()} == {
            (a_id, 1, None),
            (b_id, 5, None),
        }
        assert PhotoPath.select().count() == 0
