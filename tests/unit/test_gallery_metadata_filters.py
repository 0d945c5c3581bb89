"""Metadata filters (camera, lens, dates, ISO, file name), the file-name sort,
the popup's choices, the key table's remapping rules, the settings file
update, and the rating pass's "most uncertain first" order (skips rated)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import set_cull, set_rating
from curator.catalog.gallery_filters import (
    FILE_NAME_SQL,
    MetadataFilter,
    metadata_choices,
)
from curator.catalog.migrations import m009_metadata_filters
from curator.catalog.models import CullState, Photo
from curator.catalog.queries import GalleryQuery, GallerySort, gallery_query_ids, gallery_sql
from curator.pipeline.stages.score import review_order
from curator.settings import Settings, form_fields, load_settings, save_changes
from curator.ui.review.keymap import binding_for, help_rows, keys_for, override_conflict


def _photo(path: str, **values: object) -> int:
    return int(Photo.create(path=path.encode(), content_hash=path, **values).id)


@pytest.fixture
def shoot(catalog: Catalog) -> dict[str, int]:
    """Six photos over three days, two cameras, three lenses, ISO 100–6400."""
    d70 = {"camera_make": "NIKON CORPORATION", "camera_model": "NIKON D70s"}
    r6 = {"camera_make": "Canon", "camera_model": "Canon EOS R6"}
    return {
        "a": _photo("/shoot/day1/DSC_0001.NEF", captured_at=datetime(2024, 5, 1, 9), iso=100,
                    lens="18-70mm", **d70),
        "b": _photo("/shoot/day1/DSC_0002.NEF", captured_at=datetime(2024, 5, 1, 23, 59), iso=800,
                    lens="18-70mm", **d70),
        "c": _photo("/shoot/day2/IMG_0100.CR3", captured_at=datetime(2024, 5, 2, 12), iso=3200,
                    lens="RF 50mm", **r6),
        "d": _photo("/shoot/day3/IMG_0101.CR3", captured_at=datetime(2024, 5, 3, 0, 0), iso=6400,
                    lens="RF 50mm", **r6),
        # A folder named like a file name: "DSC" must not match it by its folder.
        "e": _photo("/shoot/DSC_folder/scan_100%_a.jpg", captured_at=None, iso=None),
        "f": _photo("/shoot/day2/aaa_first.jpg", captured_at=datetime(2024, 5, 2, 8), iso=400,
                    camera_make="Apple", camera_model="iPhone 13", lens="iPhone back camera"),
    }  # fmt: skip


def _ids(**metadata: object) -> list[int]:
    return gallery_query_ids(GalleryQuery(metadata=MetadataFilter(**metadata)))  # type: ignore[arg-type]


def test_each_metadata_filter_narrows_to_exactly_its_photos(shoot: dict[str, int]) -> None:
    s = shoot
    assert set(_ids(camera="NIKON D70s")) == {s["a"], s["b"]}
    assert set(_ids(lens="RF 50mm")) == {s["c"], s["d"]}
    # Whole days, both ends included: 23:59 on the 1st and 00:00 on the 3rd count.
    assert set(_ids(date_from=date(2024, 5, 1), date_to=date(2024, 5, 1))) == {s["a"], s["b"]}
    assert set(_ids(date_from=date(2024, 5, 2))) == {s["c"], s["d"], s["f"]}
    assert set(_ids(date_to=date(2024, 5, 2))) == {s["a"], s["b"], s["c"], s["f"]}
    assert set(_ids(iso_min=800, iso_max=3200)) == {s["b"], s["c"]}
    assert set(_ids(iso_min=3200)) == {s["c"], s["d"]}
    # The file name only (not the folder), any case; % and _ are literal.
    assert set(_ids(name_contains="dsc")) == {s["a"], s["b"]}
    assert set(_ids(name_contains="100%")) == {s["e"]}
    assert _ids(name_contains="1%0") == [] and _ids(name_contains="folder") == []
    assert set(_ids(name_contains="_0")) == {s["a"], s["b"], s["c"], s["d"]}
    # Together they intersect; with the other filters too.
    assert _ids(camera="Canon EOS R6", iso_max=3200) == [s["c"]]
    set_cull(s["d"], CullState.KEPT)
    q = GalleryQuery(cull="kept", metadata=MetadataFilter(lens="RF 50mm"))
    assert gallery_query_ids(q) == [s["d"]]
    # An empty filter adds no SQL at all (the plain queries keep their plans).
    assert gallery_sql(GalleryQuery()) == gallery_sql(GalleryQuery(metadata=MetadataFilter()))


def test_sort_by_file_name_ignores_folders_and_uses_its_index(shoot: dict[str, int]) -> None:
    s = shoot
    by_name = gallery_query_ids(GalleryQuery(sort=GallerySort.FILE_NAME))
    assert by_name == [s["a"], s["b"], s["c"], s["d"], s["f"], s["e"]]  # ASCII: upper first
    sql, params = gallery_sql(GalleryQuery(sort=GallerySort.FILE_NAME))
    db = Photo._meta.database
    plan = " ".join(str(r[-1]) for r in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "photo_gallery_name" in plan and "TEMP B-TREE" not in plan, plan
    # The migration's index expression is the query's, character for character.
    assert m009_metadata_filters._NAME == FILE_NAME_SQL


def test_choices_list_cameras_and_lenses_with_counts(shoot: dict[str, int]) -> None:
    choices = metadata_choices()
    cameras = {c.value: (c.label, c.count) for c in choices.cameras}
    assert cameras == {
        "NIKON D70s": ("Nikon D70s", 2),  # camera_name: the maker once, as people write it
        "Canon EOS R6": ("Canon EOS R6", 2),
        "iPhone 13": ("Apple iPhone 13", 1),
    }
    assert [(c.value, c.count) for c in choices.lenses][:2] == [("18-70mm", 2), ("RF 50mm", 2)]
    assert (choices.first_day, choices.last_day) == (date(2024, 5, 1), date(2024, 5, 3))
    assert (choices.iso_low, choices.iso_high) == (100, 6400)
    # Each camera choice filters to exactly its count.
    for c in choices.cameras:
        assert len(_ids(camera=c.value)) == c.count
    Photo.update(deleted_at=datetime(2024, 6, 1)).where(Photo.id == shoot["f"]).execute()
    assert "iPhone 13" not in {c.value for c in metadata_choices().cameras}


def test_a_filter_describes_itself() -> None:
    f = MetadataFilter(camera="X-T3", iso_min=3200, name_contains="DSC")
    assert f.active and f.describe() == "X-T3, ISO ≥ 3200, “DSC”"
    assert not MetadataFilter().active and MetadataFilter().describe() == ""


# --- keys ---------------------------------------------------------------------------


def test_an_override_replaces_the_keys_and_conflicts_are_refused_with_a_sentence() -> None:
    reject = binding_for("reject")
    assert reject is not None and keys_for(reject) == ("X", "R")
    overrides = {"reject": "K"}
    assert keys_for(reject, overrides) == ("K",)
    rows = {row[1]: row[0] for row in help_rows(overrides)}
    assert rows[reject.cull] == "K"
    problem = override_conflict(overrides, "pick", "k")  # K is reject's now
    assert problem is not None and "already does “reject, next photo”" in problem
    assert override_conflict(overrides, "pick", "X") is None  # X was freed
    assert override_conflict({}, "pick", "Ctrl+Z") is not None  # a window key counts too
    assert override_conflict({}, "no_such_action", "Q") is not None
    # Folded rows: 1–5 is one row until a star key is remapped, then each shows its key;
    # undo/redo print their keys as they are now.
    assert any(row[0] == "1 – 5" for row in help_rows())
    remapped = help_rows({"rate_3": "Shift+3", "undo": "Ctrl+U"})
    assert not any(row[0] == "1 – 5" for row in remapped)
    assert ("Shift+3", "3 stars, stay", "same") in remapped
    assert any(row[0].startswith("Ctrl+U / ") for row in remapped)


# --- settings ----------------------------------------------------------------------------


def test_the_page_settings_are_saved_alone_and_load_back(tmp_path: Path) -> None:
    file = tmp_path / "settings.json"
    file.write_text(json.dumps({"decode_workers": 7}))
    save_changes(file, {"key_overrides": {"reject": "K"}, "gallery_cell_size": 300})
    assert json.loads(file.read_text()) == {
        "decode_workers": 7,
        "gallery_cell_size": 300,
        "key_overrides": {"reject": "K"},
    }
    loaded = load_settings(file, env={"CURATOR_MATCH_THRESHOLD": "40"})
    assert loaded.key_overrides == {"reject": "K"} and loaded.gallery_cell_size == 300
    save_changes(file, {"gallery_cell_size": Settings().gallery_cell_size})
    assert "gallery_cell_size" not in json.loads(file.read_text())  # back to the default
    assert "match_threshold" not in json.loads(file.read_text())  # the env value stays there
    assert "key_overrides" not in form_fields() and "gallery_cell_size" in form_fields()


# --- most uncertain first ------------------------------------------------------------------


def test_uncertain_first_lists_the_unrated_kept_photos_only(catalog: Catalog) -> None:
    ids = [_photo(f"/lib/p{i}.jpg", captured_at=datetime(2024, 1, 1, 10, i)) for i in range(5)]
    for pid in ids[:4]:
        set_cull(pid, CullState.KEPT)
    set_rating(ids[1], 4)
    # Without a taste model: capture order, rated and unkept photos left out.
    assert review_order("rating", "no-model", uncertain_first=True) == [ids[0], ids[2], ids[3]]
    assert review_order("rating", "no-model") == ids[:4]


def test_sqlite_finds_file_names_through_its_trigram_index_exactly_as_by_a_scan(
    tmp_path: Path,
) -> None:
    """SQLite's `photo_fts_names` (m022) answers a needle of three or more ASCII
    characters: its MATCH narrows, the scan's own LIKE decides, so every needle
    finds exactly the photos the scan of the file-name index finds; the index
    follows a photo's moves and removals (triggers), and a shorter or
    non-ASCII needle still scans."""
    import random

    from curator.catalog import gallery_filters

    names = ["DSC_0001.NEF", "dsc_0002.nef", "IMG_0123.CR3", 'say "hi".jpg', "100%_off.jpg",
             "a_b.JPG", "café_Été.jpg", "ÉTÉ.jpg", "x\\y.jpg", "img0123 copy.jpg"]  # fmt: skip
    rng = random.Random(7)
    names += ["".join(rng.choice("abcAB01_%. ") for _ in range(rng.randint(3, 12))) + ".jpg"
              for _ in range(300)]  # fmt: skip
    with Catalog.open(tmp_path / "names.sqlite") as cat:
        folders = ("day1", "DSC_folder")
        ids = [_photo(f"/shoot/{folders[i % 2]}/{n}") for i, n in enumerate(names)]

        def scanned(needle: str) -> list[int]:
            like = f"%{gallery_filters._like_literal(needle)}%"
            sql = (
                f"SELECT id FROM photo WHERE deleted_at IS NULL AND {FILE_NAME_SQL}"
                " LIKE ? ESCAPE '\\' ORDER BY id"
            )
            return [int(pid) for (pid,) in cat.db.execute_sql(sql, [like]).fetchall()]

        def found(needle: str) -> list[int]:
            return sorted(_ids(name_contains=needle))

        needles = ["dsc", "DSC_0", "0123", '"hi"', "100%", "a_b", "_0", "ÉTÉ", "été",
                   "x\\y", "b.j", "folder", "zzzz", ". j", "AB0"]  # fmt: skip
        needles += ["".join(rng.choice("abcAB01_%.") for _ in range(rng.randint(3, 5)))
                    for _ in range(60)]  # fmt: skip
        for needle in needles:
            assert found(needle) == scanned(needle), needle
        assert found("0123") and found("DSC_0") and found('"hi"') and found("100%")
        assert gallery_filters._narrow_sets(MetadataFilter(name_contains="0123"))
        assert not gallery_filters._narrow_sets(MetadataFilter(name_contains="12"))
        assert not gallery_filters._narrow_sets(MetadataFilter(name_contains="été"))

        moved, gone = ids[2], ids[0]  # IMG_0123.CR3 renamed; DSC_0001.NEF removed
        Photo.update(path=b"/shoot/day1/renamed_7777.CR3").where(Photo.id == moved).execute()
        Photo.delete().where(Photo.id == gone).execute()
        assert moved not in found("0123") and found("7777") == [moved]
        assert gone not in found("DSC_0") and found("DSC_0") == scanned("DSC_0")
        indexed = cat.db.execute_sql("SELECT count(*) FROM photo_fts_names").fetchone()[0]
        assert indexed == len(names) - 1


def test_a_catalog_left_at_v21_gets_its_names_indexed_when_opened(tmp_path: Path) -> None:
    """m021 shipped without the names' trigram index: a catalog an older Curator
    left at v21 is upgraded by m022, its photos' names indexed from their paths
    (folder and both separators left out), and "file name contains" finds them."""
    from tests.old_catalogs import catalog_at_version

    path = tmp_path / "v21.sqlite"
    con = catalog_at_version(path, 21)
    assert not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'photo_fts_names'").fetchall()
    con.executemany(
        "INSERT INTO photo (id, path, content_hash, imported_at, updated_at)"
        " VALUES (?, ?, ?, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
        [
            (1, b"/shoot/DSC_0123/IMG_0001.CR3", "h1"),
            (2, b"C:\\shoot\\DSC_0123.NEF", "h2"),
            (3, b"/shoot/img_0123.jpg", "h3"),
        ],
    )
    con.execute("PRAGMA user_version = 21")
    con.commit()
    con.close()
    with Catalog.open(path) as cat:
        assert cat.db.execute_sql("PRAGMA user_version").fetchone()[0] >= 22
        names = dict(cat.db.execute_sql("SELECT rowid, name FROM photo_fts_names").fetchall())
        assert names == {1: "IMG_0001.CR3", 2: "DSC_0123.NEF", 3: "img_0123.jpg"}
        assert sorted(_ids(name_contains="0123")) == [2, 3]  # not the folder's "0123"
        assert _ids(name_contains="DSC_0") == [2]
