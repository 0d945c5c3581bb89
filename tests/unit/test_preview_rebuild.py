"""Cache entries made again from the photo's file (imaging.rebuild,
pipeline.previews): issue 43 §1-§2."""

from __future__ import annotations

import io
import os
from pathlib import Path
from types import SimpleNamespace

import blake3
import pytest
from PIL import Image

from curator.imaging import cache as cache_module
from curator.imaging.cache import (
    cache_folder_problem,
    cache_path,
    choose_cache_folder,
    clip_key,
    preview_key,
    thumbnail_key,
)
from curator.imaging.rebuild import (
    RebuildRequest,
    entry_is_whole,
    entry_state,
    read_whole,
    rebuild_entries,
)
from curator.pipeline.previews import (
    PreviewEntry,
    PreviewRebuilder,
    missing_entries,
    rebuild_all,
    unused_files,
)
from tests.unprivileged import MEASURING, as_unprivileged, open_tmp

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
RAW = FIXTURES / "raw" / "Canon550D_MagicLantern_colorchart.dng"


def _photo(
    path: Path, width: int = 1200, height: int = 800, orientation: int = 1, red: int = 200
) -> str:
    image = Image.new("RGB", (width, height), (red, 40, 40))
    image.paste((20, 40, 220), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(path, "JPEG", quality=90, exif=exif)
    return blake3.blake3(path.read_bytes()).hexdigest()


def _request(path: Path, content_hash: str, cache: Path, preview: bool = True) -> RebuildRequest:
    return RebuildRequest(
        str(path),
        content_hash,
        str(cache),
        thumbnail_key(content_hash),
        preview_key(content_hash) if preview else None,
    )


def test_a_missing_preview_and_thumbnail_are_made_from_the_file(tmp_path: Path) -> None:
    chash = _photo(tmp_path / "a.jpg", orientation=6)  # stored landscape, shown portrait
    outcome = rebuild_entries(_request(tmp_path / "a.jpg", chash, tmp_path / "cache"))
    assert outcome.written and outcome.problem is None and not outcome.offline
    preview = Image.open(cache_path(tmp_path / "cache", preview_key(chash)))
    thumb = Image.open(cache_path(tmp_path / "cache", thumbnail_key(chash)))
    assert preview.size == (800, 1200)  # upright, never larger than the original
    assert thumb.size == (213, 320)
    assert outcome.thumbnail == cache_path(tmp_path / "cache", thumbnail_key(chash)).read_bytes()
    # turned upright: the blue half (left when stored) is now on top
    top = thumb.getpixel((106, 40))
    assert isinstance(top, tuple) and top[2] > 150 and top[0] < 100


def test_a_thumbnail_alone_is_made_smaller_and_upright(tmp_path: Path) -> None:
    chash = _photo(tmp_path / "a.jpg", 4000, 3000, orientation=8)
    outcome = rebuild_entries(_request(tmp_path / "a.jpg", chash, tmp_path / "c", preview=False))
    assert outcome.written and outcome.preview is None
    assert not cache_path(tmp_path / "c", preview_key(chash)).exists()
    assert Image.open(io.BytesIO(outcome.thumbnail or b"")).size == (240, 320)


def test_a_raw_is_made_from_its_embedded_preview(tmp_path: Path) -> None:
    if not RAW.exists():
        pytest.skip("camera fixtures not present")
    chash = blake3.blake3(RAW.read_bytes()).hexdigest()
    outcome = rebuild_entries(_request(RAW, chash, tmp_path))
    assert outcome.written, outcome.problem
    assert entry_state(tmp_path, preview_key(chash)) == "ok"
    assert max(Image.open(io.BytesIO(outcome.thumbnail or b"")).size) == 320


def test_an_offline_file_is_said_so_and_nothing_is_written(tmp_path: Path) -> None:
    outcome = rebuild_entries(_request(tmp_path / "gone.jpg", "ab" * 32, tmp_path / "c"))
    assert outcome.offline and not outcome.written and outcome.thumbnail is None
    assert "offline" in (outcome.problem or "")
    assert not (tmp_path / "c").exists()


def test_a_changed_file_is_shown_but_never_cached_under_the_old_hash(tmp_path: Path) -> None:
    _photo(tmp_path / "a.jpg")
    old = "cd" * 32
    outcome = rebuild_entries(_request(tmp_path / "a.jpg", old, tmp_path / "c"))
    assert outcome.thumbnail is not None and not outcome.written
    assert "changed" in (outcome.problem or "")
    assert entry_state(tmp_path / "c", thumbnail_key(old)) == "missing"


def test_an_undecodable_file_is_a_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg at all")
    outcome = rebuild_entries(_request(bad, blake3.blake3(bad.read_bytes()).hexdigest(), tmp_path))
    assert outcome.thumbnail is None and not outcome.written and outcome.problem


def test_a_truncated_entry_is_seen_dropped_and_made_again(tmp_path: Path) -> None:
    chash = _photo(tmp_path / "a.jpg")
    cache = tmp_path / "cache"
    assert rebuild_entries(_request(tmp_path / "a.jpg", chash, cache)).written
    thumb = cache_path(cache, thumbnail_key(chash))
    whole = thumb.read_bytes()
    thumb.write_bytes(whole[: len(whole) // 2])  # a cut-short copy
    assert not entry_is_whole(thumb.read_bytes())
    assert entry_state(cache, thumbnail_key(chash)) == "damaged"
    assert [c.damaged for c in missing_entries([_entry(tmp_path, chash)], cache)] == [
        (thumbnail_key(chash),)
    ]
    assert rebuild_entries(_request(tmp_path / "a.jpg", chash, cache)).written
    assert thumb.read_bytes() == whole
    thumb.write_bytes(b"")
    assert read_whole(cache, thumbnail_key(chash)) is None and not thumb.exists()


def _entry(folder: Path, chash: str, name: str = "a.jpg") -> PreviewEntry:
    return PreviewEntry(1, str(folder / name), chash, preview_key(chash), thumbnail_key(chash))


def test_a_cache_that_refuses_the_write_still_gives_the_pictures() -> None:
    with open_tmp() as folder:
        chash = _photo(folder / "a.jpg")
        cache = folder / "cache"
        cache.mkdir()
        os.chmod(cache, 0o555)  # read-only: only bites an unprivileged process
        request = _request(folder / "a.jpg", chash, cache)
        outcome = as_unprivileged(lambda: rebuild_entries(request), preload=MEASURING)
    assert outcome[0] == "ok", outcome
    made = outcome[1]
    assert made.unwritable and not made.written and made.thumbnail and made.preview
    assert "could not be written" in made.problem


def test_rebuild_all_in_children_reports_and_prune_finds_strays(tmp_path: Path) -> None:
    hashes = [_photo(tmp_path / f"p{i}.jpg", red=150 + 50 * i) for i in range(2)]
    entries = [_entry(tmp_path, h, f"p{i}.jpg") for i, h in enumerate(hashes)]
    gone = PreviewEntry(3, str(tmp_path / "gone.jpg"), "ef" * 32, None, thumbnail_key("ef" * 32))
    cache = tmp_path / "cache"
    checks = missing_entries([*entries, gone], cache)
    assert len(checks) == 3
    rebuilder = PreviewRebuilder(cache, 1)
    seen: list[tuple[int, int]] = []
    try:
        report = rebuild_all(checks, rebuilder, progress=lambda d, t: seen.append((d, t)))
    finally:
        rebuilder.close()
    assert report.rebuilt == 2 and report.offline == [gone.path] and not report.failed
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert missing_entries(entries, cache) == []
    stray = cache_path(cache, thumbnail_key("12" * 32))
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"\xff\xd8x\xff\xd9")
    assert unused_files(cache, set(hashes)) == [stray]
    assert sorted(unused_files(cache, {hashes[0]})) == sorted(
        [
            stray,
            cache_path(cache, preview_key(hashes[1])),
            cache_path(cache, thumbnail_key(hashes[1])),
            cache_path(cache, clip_key(hashes[1])),  # the rebuilt preview's CLIP rendition
        ]
    )


def test_a_closed_rebuilder_answers_with_a_sentence(tmp_path: Path) -> None:
    rebuilder = PreviewRebuilder(tmp_path, 1)
    rebuilder.close()
    outcome = rebuilder.rebuild(_request(tmp_path / "a.jpg", "ab" * 32, tmp_path))
    assert outcome.thumbnail is None and outcome.problem


def test_a_read_only_shared_cache_falls_back_to_the_seats_own() -> None:
    with open_tmp() as folder:
        shared, own = folder / "shared", folder / "own"
        shared.mkdir()
        own.mkdir()
        os.chmod(own, 0o777)
        os.chmod(shared, 0o555)  # a shared cache this seat may read, not write
        found = as_unprivileged(lambda: choose_cache_folder(shared, own))
    assert found[0] == "ok", found
    chosen, note = found[1]
    assert chosen == own
    assert note is not None and str(shared) in note and "read-only" in note and str(own) in note


def test_a_full_cache_folder_is_said_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_folder_problem(tmp_path) is None
    full = SimpleNamespace(total=10**9, used=10**9 - 10**6, free=10**6)
    monkeypatch.setattr(cache_module.shutil, "disk_usage", lambda _path: full)
    assert cache_folder_problem(tmp_path) == "is full (1.0 MB free)"
    chosen, note = choose_cache_folder(tmp_path / "shared", tmp_path / "own")
    assert chosen == tmp_path / "own"
    assert note is not None and "is full (1.0 MB free)" in note
    assert choose_cache_folder(tmp_path, tmp_path) == (tmp_path, None)  # its own: not probed
