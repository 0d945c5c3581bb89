"""What the People view reads and cuts (issue 50 §3): the tiles in count order
with the largest face, the grid's person filter matching `list --person`
exactly (on both backends), and a face crop cut from the right place of the
cached preview."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.people.naming import photos_of_person
from curator.catalog.people.tiles import FaceCrop, faces_of_person, person_tiles
from curator.catalog.queries import gallery_query_ids
from curator.catalog.types import GalleryQuery, MetadataFilter
from curator.imaging.cache import write_bytes
from curator.ui.people.crops import face_image
from tests.people_helpers import fill_people


def test_tiles_come_most_photographed_first_with_the_persons_faces(catalog: Catalog) -> None:
    ids = fill_people(catalog.db, ada=3, bob=5)
    Photo.update(preview_key="k").execute()
    tiles = person_tiles().tiles
    assert person_tiles(1).tiles == tiles[:1] and person_tiles(1).total == 2
    assert [(t.label, t.photos, t.kept, t.faces) for t in tiles] == [
        ("Unnamed", 5, 0, 5),
        ("Unnamed", 3, 2, 3),
    ]
    bob_faces = faces_of_person(tiles[0].id)
    assert sorted(f.photo_id for f in bob_faces) == sorted(ids[f"bob{i}"] for i in range(5))
    assert tiles[0].face is not None and tiles[0].face.face_id in {f.face_id for f in bob_faces}


def test_the_person_filter_is_list_persons_condition(catalog: Catalog) -> None:
    ids = fill_people(catalog.db)
    tiles = person_tiles().tiles
    for tile in tiles:
        query = GalleryQuery(metadata=MetadataFilter(person=tile.id, person_label=tile.label))
        assert sorted(gallery_query_ids(query)) == sorted(photos_of_person(str(tile.id)))
    ada = tiles[0].id
    Photo.update(deleted_at=Photo.imported_at).where(Photo.id == ids["ada3"]).execute()
    query = GalleryQuery(metadata=MetadataFilter(person=ada))
    assert sorted(gallery_query_ids(query)) == sorted(ids[f"ada{i}"] for i in range(3))
    assert MetadataFilter(person=ada, person_label="Ada").describe() == "Ada"


def test_a_face_is_cut_from_its_box_on_the_cached_preview(tmp_path: Path) -> None:
    picture = Image.new("RGB", (800, 600), (0, 0, 255))
    picture.paste((255, 0, 0), (400, 150, 560, 350))  # the face: x 0.5-0.7, y 0.25-0.58
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=95)
    write_bytes(tmp_path, "preview-key", data.getvalue())
    crop = FaceCrop(1, 1, "preview-key", (0.5, 0.25, 0.2, 1 / 3))
    image = face_image(tmp_path, crop, 96)
    assert max(image.width(), image.height()) == 96
    centre = QColor(image.pixel(image.width() // 2, image.height() // 2))
    assert centre.red() > 200 and centre.blue() < 60
    corner = QColor(image.pixel(1, 1))  # the margin around the face: the backdrop
    assert corner.blue() > 200 and corner.red() < 60
    # A photo the photographer turned a quarter: its face turns with it.
    tall = Image.new("RGB", (800, 600), (0, 0, 255))
    tall.paste((255, 0, 0), (400, 150, 480, 350))  # a face twice as high as wide
    data = io.BytesIO()
    tall.save(data, "JPEG", quality=95)
    write_bytes(tmp_path, "tall-key", data.getvalue())
    box = (0.5, 0.25, 0.1, 1 / 3)
    upright = face_image(tmp_path, FaceCrop(2, 2, "tall-key", box), 96)
    turned = face_image(tmp_path, FaceCrop(2, 2, "tall-key", box, rotation=1), 96)
    assert _red_extent(upright) == tuple(reversed(_red_extent(turned)))
    assert _red_extent(upright)[1] > 1.5 * _red_extent(upright)[0]  # upright: tall
    assert face_image(tmp_path, FaceCrop(1, 1, "not-cached", crop.box), 96).isNull()
    assert face_image(tmp_path, FaceCrop(1, 1, None, crop.box), 96).isNull()


def _red_extent(image: QImage) -> tuple[int, int]:
    """How many columns and rows of `image` hold red (the face)."""
    red = [
        (x, y)
        for y in range(image.height())
        for x in range(image.width())
        if QColor(image.pixel(x, y)).red() > 200
    ]
    return len({x for x, _ in red}), len({y for _, y in red})


def _cache(folder: Path, key: str, size: tuple[int, int], face: tuple[int, int, int]) -> None:
    """A cached JPEG of `size`, grey, its middle third (x and y) `face`'s colour."""
    picture = Image.new("RGB", size, (128, 128, 128))
    w, h = size
    picture.paste(face, (w // 3, h // 3, 2 * w // 3, 2 * h // 3))
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=95)
    write_bytes(folder, key, data.getvalue())


def test_a_large_face_comes_from_the_thumbnail_a_small_one_from_the_preview(
    tmp_path: Path,
) -> None:
    _cache(tmp_path, "thumb", (320, 240), (0, 255, 0))  # told apart by colour
    _cache(tmp_path, "preview", (2048, 1536), (255, 0, 0))
    large = FaceCrop(1, 1, "preview", (1 / 3, 1 / 3, 1 / 3, 1 / 3), thumbnail_key="thumb")
    centre = _centre(face_image(tmp_path, large, 96))
    assert centre.green() > 200 and centre.red() < 60
    small = FaceCrop(2, 1, "preview", (0.45, 0.45, 0.1, 0.1), thumbnail_key="thumb")
    centre = _centre(face_image(tmp_path, small, 96))  # 32 px in the thumbnail: too few
    assert centre.red() > 200 and centre.green() < 60
    gone = FaceCrop(3, 1, "not-cached", large.box, thumbnail_key="thumb")
    assert _centre(face_image(tmp_path, gone, 96)).green() > 200


def _centre(image: QImage) -> QColor:
    assert not image.isNull()
    return QColor(image.pixel(image.width() // 2, image.height() // 2))


def test_the_tiles_come_first_then_their_faces_in_chunks_and_a_newer_read_stops_it(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.ui.people import controller

    fill_people(catalog.db, ada=3, bob=2)
    _cache(tmp_path, "thumb", (320, 240), (0, 255, 0))
    Photo.update(thumbnail_key="thumb").execute()
    monkeypatch.setattr(controller, "MAX_TILES", 1)
    monkeypatch.setattr(controller, "CUT_CHUNK", 1)
    wanted = controller.Wanted()
    wanted.generation = 7
    got: list[object] = []
    controller.read_tiles(tmp_path, 7, {}, wanted, lambda x: got.append(x) is None)
    first, faces = got
    assert isinstance(first, controller.TilesRead) and first.more == 1 and first.images == {}
    (ada,) = first.tiles
    assert (ada.label, ada.photos) == ("Unnamed", 3)
    assert isinstance(faces, controller.TileFaces) and set(faces.images) == {ada.id}
    # The next read reuses the face it was handed; a read made stale cuts nothing.
    assert ada.face is not None
    got.clear()
    controller.read_tiles(tmp_path, 7, {ada.face: faces.images[ada.id]}, wanted, got.append)
    assert len(got) == 1 and set(got[0].images) == {ada.id}  # type: ignore[attr-defined]
    got.clear()
    controller.read_tiles(tmp_path, 6, {}, wanted, lambda x: got.append(x) is None)
    assert len(got) == 1 and isinstance(got[0], controller.TilesRead)
