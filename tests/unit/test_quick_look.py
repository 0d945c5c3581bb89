"""The quick look (imaging/quicklook.py, catalog/quicklook.py): where its
thumbnail comes from, what it skips, and how its photo rows meet the
technical stage's measurement (counted new, never twice, copies kept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from curator.catalog.models import Photo, PhotoPath, Stage, StageRun
from curator.catalog.quicklook import (
    apply_quick_looks,
    apply_quick_thumbnails,
    awaits_measurement,
)
from curator.catalog.writer import ApplyKind, Attempted, CatalogWriter
from curator.imaging.cache import cache_path
from curator.imaging.quicklook import crop_to_aspect, quick_look
from curator.imaging.technical import measure_file
from curator.imaging.types import FileFormat, QuickLook, TechnicalRequest
from curator.pipeline.stages.quicklook import ThumbnailQueue
from tests.imaging_helpers import QUADRANT_COLOURS, make_dng, make_jpeg, quadrants
from tests.raw_helpers import add_jpeg_preview, make_camera_jpeg

VERSION = "technical-test"


def _close(pixel: object, colour: tuple[int, ...], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def _thumb(cache: Path, look: QuickLook) -> Image.Image:
    with Image.open(cache_path(cache, look.thumbnail_key)) as image:
        return image.convert("RGB")


def test_a_camera_jpeg_shows_its_exif_thumbnail_upright_without_the_letterbox(
    tmp_path: Path,
) -> None:
    picture = Image.fromarray(quadrants(1800, 1200))  # 3:2, in a 160 x 120 thumbnail
    path = make_camera_jpeg(tmp_path / "cam.jpg", picture, orientation=6)
    look = quick_look(str(path), str(tmp_path / "cache"))
    assert look is not None and look.format is FileFormat.JPEG
    assert (look.width, look.height) == (1200, 1800)  # displayed: turned by orientation 6
    assert look.exif.camera_model == "Synthetic camera" and look.exif.orientation == 6
    thumb = _thumb(tmp_path / "cache", look)
    # 160 px: the EXIF thumbnail itself (a DCT 1/8 decode would be 225 px); the
    # letterbox bars are cropped (3:2 again), and it is turned upright.
    assert max(thumb.size) == 160 and abs(thumb.height / thumb.width - 1.5) < 0.05
    assert _close(thumb.getpixel((thumb.width - 3, 3)), QUADRANT_COLOURS["tl"])
    assert _close(thumb.getpixel((3, 3)), QUADRANT_COLOURS["bl"])


def test_a_jpeg_without_a_thumbnail_is_decoded_at_an_eighth(tmp_path: Path) -> None:
    path = make_jpeg(tmp_path / "plain.jpg", 2048, 1536)
    look = quick_look(str(path), str(tmp_path / "cache"))
    assert look is not None and (look.width, look.height) == (2048, 1536)
    assert _thumb(tmp_path / "cache", look).size == (256, 192)


def test_a_listing_decodes_nothing_but_keeps_an_embedded_thumbnail(tmp_path: Path) -> None:
    plain = make_jpeg(tmp_path / "plain.jpg", 2048, 1536, orientation=6)
    camera = make_camera_jpeg(tmp_path / "cam.jpg", Image.fromarray(quadrants(900, 600)))
    cache = tmp_path / "cache"
    look = quick_look(str(plain), str(cache), decode=False)
    assert look is not None and look.thumbnail_key is None
    assert (look.width, look.height) == (1536, 2048)  # the header's size, turned
    assert look.exif.camera_model == "Synthetic"
    assert not cache.exists() or not any(cache.rglob("*.jpg"))  # nothing decoded or written
    with_thumb = quick_look(str(camera), str(cache), decode=False)
    assert with_thumb is not None and with_thumb.thumbnail_key is not None  # costs no decode


def test_the_thumbnail_queue_serves_the_preferred_files_first() -> None:
    queue = ThumbnailQueue()
    queue.put(f"f{i}" for i in range(10))
    queue.prefer(["f7", "f9", "nowhere", "f7"])  # unknown and repeated paths: ignored
    assert queue.take(3) == ("f7", "f9", "f0")
    queue.prefer(["f8"])
    queue.prefer(["f5", "f7"])  # a new preference replaces the last; f7 is taken already
    assert queue.take(2) == ("f5", "f1")
    assert len(queue) == 5 and queue.take(10) == ("f2", "f3", "f4", "f6", "f8")
    assert queue.take(4) == ()  # empty: a turn ends at once, never waits
    # A tile shown before round one queued its file is still served first.
    queue.prefer(["g2", "g9"])
    queue.put(["g0", "g1", "g2"])
    assert queue.take(2) == ("g2", "g0")
    queue.put(["g9"])
    assert queue.take(4) == ("g9", "g1")
    # Round one's plan decides the order, not which of its jobs wrote first.
    queue.plan_order(["h3", "h2", "h1"])
    queue.put(["x", "h1"])
    queue.put(["h3", "h2"])
    assert queue.take(3) == ("h3", "h2", "h1") and queue.take(3) == ("x",)


def test_a_quick_thumbnail_never_replaces_a_measured_one(catalog: object, tmp_path: Path) -> None:
    db = Photo._meta.database
    cache = tmp_path / "cache"
    path = make_jpeg(tmp_path / "plain.jpg", 640, 480)
    listing = quick_look(str(path), str(cache), decode=False)
    decoded = quick_look(str(path), str(cache))
    assert listing is not None and decoded is not None and decoded.thumbnail_key is not None
    (pid,) = apply_quick_looks(db, [listing], VERSION)
    assert Photo.get_by_id(pid).thumbnail_key is None
    assert apply_quick_thumbnails(db, [decoded]) == [pid]
    assert Photo.get_by_id(pid).thumbnail_key == decoded.thumbnail_key
    measured = measure_file(TechnicalRequest(path=str(path), cache_dir=str(cache)))
    CatalogWriter(db, VERSION).apply_technical([Attempted(measured)])  # type: ignore[list-item]
    measured_key = Photo.get_by_id(pid).thumbnail_key
    assert measured_key != decoded.thumbnail_key
    assert apply_quick_thumbnails(db, [decoded]) == []  # a late round two changes nothing
    assert Photo.get_by_id(pid).thumbnail_key == measured_key


def test_a_raw_shows_its_embedded_preview(tmp_path: Path) -> None:
    path = make_dng(tmp_path / "shot.dng", 2000, 1500, orientation=6)
    add_jpeg_preview(path, Image.fromarray(quadrants(2000, 1500)))
    look = quick_look(str(path), str(tmp_path / "cache"), long_edge=320)
    assert look is not None and look.format is FileFormat.RAW
    assert (look.width, look.height) == (1500, 2000)
    thumb = _thumb(tmp_path / "cache", look)
    assert thumb.size == (240, 320)
    assert _close(thumb.getpixel((thumb.width - 3, 3)), QUADRANT_COLOURS["tl"])


def test_a_raw_whose_thumbnail_is_letterboxed_keeps_its_aspect(tmp_path: Path) -> None:
    """Issue 19 §4: a 3:2 RAW (a truncated one shows only this) whose camera
    embedded a 160 x 120 thumbnail with black bars shows a 3:2 tile."""
    path = make_dng(tmp_path / "boxed.dng", 1800, 1200)
    picture = Image.fromarray(quadrants(160, 107))
    boxed = Image.new("RGB", (160, 120))
    boxed.paste(picture, (0, 6))
    add_jpeg_preview(path, boxed)
    look = quick_look(str(path), str(tmp_path / "cache"), long_edge=320)
    assert look is not None and (look.width, look.height) == (1800, 1200)
    thumb = _thumb(tmp_path / "cache", look)
    assert abs(thumb.width / thumb.height - 1.5) < 0.05, thumb.size
    assert _close(thumb.getpixel((3, 3)), QUADRANT_COLOURS["tl"])  # no black bar


def test_what_has_no_quick_look(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    png = tmp_path / "flat.png"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(png)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    bare_raw = make_dng(tmp_path / "bare.dng", 64, 48)  # no embedded preview
    assert quick_look(str(png), str(cache)) is None  # a thumbnail would be a full decode
    assert quick_look(str(broken), str(cache)) is None
    assert quick_look(str(bare_raw), str(cache)) is None
    assert quick_look(str(tmp_path / "gone.jpg"), str(cache)) is None
    measured = make_jpeg(tmp_path / "known.jpg", 640, 480)
    known = measure_file(TechnicalRequest(path=str(measured), cache_dir=str(tmp_path / "c2")))
    assert (
        quick_look(str(measured), str(cache), known_hashes=frozenset({known.content_hash})) is None
    )
    assert not cache.exists()  # nothing written for any of them


@pytest.mark.parametrize(
    ("size", "aspect", "expected"),
    [
        ((160, 120), 1.5, (160, 107)),
        ((120, 160), 1 / 1.5, (107, 160)),
        ((160, 107), 1.5, (160, 107)),
    ],
)
def test_crop_to_aspect(size: tuple[int, int], aspect: float, expected: tuple[int, int]) -> None:
    assert crop_to_aspect(Image.new("RGB", size), aspect).size == expected


def _look_and_measure(path: Path, cache: Path) -> tuple[QuickLook, Attempted[object]]:
    look = quick_look(str(path), str(cache))
    assert look is not None
    measured = measure_file(TechnicalRequest(path=str(path), cache_dir=str(cache)))
    return look, Attempted(measured)


def test_quick_looked_photos_are_counted_new_when_measured(catalog: object, tmp_path: Path) -> None:
    db = Photo._meta.database
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_camera_jpeg(lib / "a.jpg", Image.fromarray(quadrants(900, 600)))
    copy = lib / "copy_of_a.jpg"
    copy.write_bytes(a.read_bytes())
    b = make_jpeg(lib / "b.jpg", 640, 480)
    cache = tmp_path / "cache"
    look_a, measured_a = _look_and_measure(a, cache)
    look_copy, measured_copy = _look_and_measure(copy, cache)
    look_b, measured_b = _look_and_measure(b, cache)
    added = apply_quick_looks(db, [look_a, look_copy, look_b], VERSION)
    assert len(added) == 2  # the copy's bytes are a's: one photo, its path left to the writer
    assert all(awaits_measurement(pid) for pid in added)
    assert apply_quick_looks(db, [look_a], VERSION) == []  # a known path is never touched
    photo_a = Photo.get(Photo.path == str(a).encode())
    assert photo_a.thumbnail_key == look_a.thumbnail_key and photo_a.sharpness_score is None
    run = StageRun.get(StageRun.photo == photo_a, StageRun.stage == Stage.TECHNICAL.value)
    assert run.status == "pending" and run.stage_version == VERSION
    # The copy's measurement arrives first: a duplicate path, and a's own is still new.
    kinds = CatalogWriter(db, VERSION).apply_technical(
        [measured_copy, measured_a, measured_b]  # type: ignore[list-item]
    )
    assert kinds == {ApplyKind.NEW: 2, ApplyKind.DUPLICATE: 1}
    photo_a = Photo.get_by_id(photo_a.id)
    assert not awaits_measurement(photo_a.id)
    assert photo_a.thumbnail_key != look_a.thumbnail_key  # the measured thumbnail now
    assert photo_a.sharpness_score is not None
    assert PhotoPath.select().where(PhotoPath.photo == photo_a.id).count() == 1
    assert Photo.select().count() == 2


def test_one_batch_skips_what_the_catalog_knows_and_its_own_repeats(catalog: object) -> None:
    """A batch is checked against the catalog once (paths, extra paths, bytes)
    and against itself as it goes: known paths and bytes are skipped, a file
    seen twice in one batch (a copy) becomes one photo, each new one pending."""
    db = Photo._meta.database

    def look(name: str, content: str, key: str | None = None) -> QuickLook:
        return QuickLook(
            path=f"/lib/{name}",
            content_hash=content,
            size=1000,
            mtime_ns=1,
            format=FileFormat.JPEG,
            thumbnail_key=key,
            width=640,
            height=480,
        )

    (first,) = apply_quick_looks(db, [look("a.jpg", "A")], VERSION)
    PhotoPath.create(photo=first, path=b"/lib/copy-of-a.jpg")
    batch = [
        look("a.jpg", "A2"),  # a known path, other bytes: the technical stage's business
        look("copy-of-a.jpg", "A3"),  # a known extra path
        look("moved-a.jpg", "A"),  # known bytes at a new path
        look("b.jpg", "B"),
        look("b-again.jpg", "B"),  # the same bytes again in this batch
        look("c.jpg", "C"),
    ]
    added = apply_quick_looks(db, batch, VERSION)
    assert [Photo.get_by_id(pid).content_hash for pid in added] == ["B", "C"]
    assert Photo.select().count() == 3
    pending = StageRun.select().where(StageRun.stage == Stage.TECHNICAL.value)
    assert sorted(run.photo_id for run in pending) == sorted([first, *added])
    assert all(awaits_measurement(pid) for pid in added)
    b, c = added
    thumbs = [look("b.jpg", "B", "kb1"), look("b-again.jpg", "B", "kb2"), look("c.jpg", "C", "kc")]
    assert apply_quick_thumbnails(db, thumbs) == [b, c]  # the first of a repeated hash wins
    assert Photo.get_by_id(b).thumbnail_key == "kb1"
    assert Photo.get_by_id(c).thumbnail_key == "kc"
    assert Photo.get_by_id(first).thumbnail_key is None  # not in the batch: untouched


def test_a_watchs_quick_look_is_planned_newest_file_first() -> None:
    """A watch's batch (landing order) is looked at newest first, chunk by
    chunk, so a card's frames dropped in show their newest thumbnails first;
    an import keeps the scan's order. Known files are not looked at."""
    from curator.pipeline.stages.quicklook import CHUNK, plan_quick_look
    from curator.pipeline.stages.technical import TechnicalPlan
    from curator.records import TechnicalRequest
    from curator.settings import Settings

    paths = [f"/w/DSC{i:05d}.JPG" for i in range(CHUNK + 3)]
    plan = TechnicalPlan(
        requests=[TechnicalRequest(p, "/c") for p in [*paths, "/w/known.JPG"]],
        new_paths=set(paths),
    )
    newest = plan_quick_look(plan, Settings(), "/c", newest_first=True)
    assert [len(j.paths) for j in newest] == [CHUNK, 3]
    assert [p for j in newest for p in j.paths] == paths[::-1]
    assert [p for j in plan_quick_look(plan, Settings(), "/c") for p in j.paths] == paths
