"""Content-addressed preview cache: keys, atomic writes, no rewrite."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from curator.imaging import cache
from curator.imaging.cache import (
    cache_path,
    make_thumbnail,
    preview_key,
    thumbnail_key,
    write_jpeg,
)

HASH = "ab12cd34" + "0" * 56


def test_keys_are_derived_from_the_hash() -> None:
    assert preview_key(HASH) == f"previews/ab/12/{HASH}.jpg"
    assert thumbnail_key(HASH) == f"thumbs/ab/{HASH}.jpg"
    with pytest.raises(ValueError):
        preview_key("../../etc/passwd")
    with pytest.raises(ValueError):
        thumbnail_key("ABCDEF0123")


def test_cache_path_stays_inside_the_cache(tmp_path: Path) -> None:
    assert cache_path(tmp_path, "thumbs/ab/x.jpg") == tmp_path / "thumbs" / "ab" / "x.jpg"
    for bad in ("/etc/passwd", "../outside.jpg", "thumbs/../../x.jpg"):
        with pytest.raises(ValueError):
            cache_path(tmp_path, bad)


def test_write_is_complete_and_never_rewrites(tmp_path: Path) -> None:
    key = preview_key(HASH)
    assert write_jpeg(tmp_path, key, Image.new("RGB", (64, 48), (250, 0, 0)), 85)
    target = cache_path(tmp_path, key)
    with Image.open(target) as written:
        assert written.format == "JPEG" and written.size == (64, 48)
    before = target.read_bytes()
    assert not write_jpeg(tmp_path, key, Image.new("RGB", (10, 10), (0, 0, 250)), 85)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporaries


def test_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_save(self: Image.Image, fp: object, *args: object, **kwargs: object) -> None:
        assert hasattr(fp, "write")
        fp.write(b"\xff\xd8 half a jpeg")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    key = thumbnail_key(HASH)
    with pytest.raises(OSError):
        write_jpeg(tmp_path, key, Image.new("RGB", (8, 8)), 80)
    folder = cache_path(tmp_path, key).parent
    assert list(folder.iterdir()) == []


_FILL_DISK = """
import resource, signal, sys
from PIL import Image
from curator.imaging.cache import write_jpeg
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit: EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
try:
    write_jpeg(sys.argv[1], sys.argv[2], Image.effect_noise((160, 160), 60).convert("RGB"), 90)
except OSError:
    print("raised")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_disk_filling_up_in_the_last_write_fails_instead_of_truncating(
    tmp_path: Path,
) -> None:
    # The JPEG fits one write of Pillow's encoder and is larger than the room
    # left, so the write comes back short with no error: the case that left a
    # truncated entry in place.
    encoded = io.BytesIO()
    Image.effect_noise((160, 160), 60).convert("RGB").save(encoded, "JPEG", quality=90)
    assert 8192 < len(encoded.getvalue()) < 65536
    key = thumbnail_key(HASH)
    done = subprocess.run(
        [sys.executable, "-c", _FILL_DISK, str(tmp_path), key],
        cwd=Path(__file__).resolve().parents[2],  # this checkout's curator
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "raised", done.stderr
    assert list(cache_path(tmp_path, key).parent.iterdir()) == []  # no entry, no temporary


def test_thumbnail_comes_from_the_preview() -> None:
    preview = Image.new("RGB", (1440, 960))
    assert make_thumbnail(preview, 320).size == (320, 213)
    assert make_thumbnail(Image.new("RGB", (100, 50)), 320).size == (100, 50)
    assert cache.SizeClass.PREVIEW.value == "previews"
