"""The screen-rendition cache (imaging.cache): named by content hash and long
edge, bounded by bytes with the least recently used dropped first, a read
marking an entry used, a damaged entry deleted rather than returned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curator.imaging.cache import (
    cache_path,
    hash_of_key,
    preview_key,
    prune_screen,
    read_screen,
    screen_key,
)

HASH = "ab" * 16
JPEG = b"\xff\xd8" + b"\0" * 1000 + b"\xff\xd9"


def _put(cache: Path, key: str, mtime: int) -> Path:
    path = cache_path(cache, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(JPEG)
    os.utime(path, (mtime, mtime))
    return path


def test_keys_name_the_content_and_the_edge() -> None:
    assert screen_key(HASH, 2150) == f"screen/ab/{HASH}-2150.jpg"
    assert screen_key(HASH, 2150) != screen_key(HASH, 2560)
    assert hash_of_key(preview_key(HASH)) == HASH
    assert hash_of_key(None) is None and hash_of_key("previews/x/not-a-hash.jpg") is None
    with pytest.raises(ValueError):
        screen_key("../etc", 100)


def test_prune_drops_the_least_recently_used_first(tmp_path: Path) -> None:
    keys = [screen_key(f"{i:02x}" * 16, 2000) for i in range(5)]
    paths = [_put(tmp_path, key, 1_000_000 + i) for i, key in enumerate(keys)]
    # The oldest one is read again: it becomes the most recently used.
    assert read_screen(tmp_path, keys[0]) == JPEG
    assert prune_screen(tmp_path, max_bytes=3 * len(JPEG)) == 2
    assert [p.exists() for p in paths] == [True, False, False, True, True]
    assert prune_screen(tmp_path, max_bytes=3 * len(JPEG)) == 0


@pytest.mark.parametrize("data", [b"", JPEG[:500], b"GIF89a" + JPEG])
def test_a_damaged_entry_is_deleted_not_returned(tmp_path: Path, data: bytes) -> None:
    key = screen_key(HASH, 2000)
    path = _put(tmp_path, key, 1_000_000)
    path.write_bytes(data)
    assert read_screen(tmp_path, key) is None
    assert not path.exists()
    assert read_screen(tmp_path, screen_key(HASH, 999)) is None  # absent: None, no error
