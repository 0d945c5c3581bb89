"""A studio's shared drive mounted at another place on each seat (the
`root_map` setting, catalog.paths_codec): stored paths are the catalog's,
opened and shown at this seat's mount; only whole folder names match."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.catalog import paths_codec
from curator.settings import SettingsError, load_settings, root_pairs


@pytest.fixture
def mapped() -> Iterator[None]:
    paths_codec.set_root_map(root_pairs("/Volumes/Studio=/mnt/studio; /Volumes/Old/=/srv/old"))
    try:
        yield
    finally:
        paths_codec.set_root_map([])


def test_this_seats_paths_are_stored_as_the_catalogs_and_read_back_here(mapped: None) -> None:
    stored = paths_codec.encode_path("/mnt/studio/2024/IMG_0001.JPG")
    assert stored == b"/Volumes/Studio/2024/IMG_0001.JPG"
    assert paths_codec.decode_path(stored) == "/mnt/studio/2024/IMG_0001.JPG"
    assert paths_codec.display_path(b"/Volumes/Old/a.jpg") == "/srv/old/a.jpg"
    # Only whole folder names: /mnt/studio2 is another drive, and unmapped paths stay.
    assert paths_codec.encode_path("/mnt/studio2/a.jpg") == b"/mnt/studio2/a.jpg"
    assert paths_codec.encode_path("/home/me/a.jpg") == b"/home/me/a.jpg"
    assert paths_codec.decode_path(b"/Volumes/Studio") == "/mnt/studio"


def test_a_root_map_that_is_not_two_absolute_folders_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match="CATALOG_ROOT=THIS_SEAT_ROOT"):
        root_pairs("/Volumes/Studio")
    with pytest.raises(ValueError, match="two absolute folders"):
        root_pairs("Studio=/mnt/studio")
    monkeypatch.setenv("CURATOR_ROOT_MAP", "/=/mnt")
    with pytest.raises(SettingsError, match="root_map"):
        load_settings(tmp_path / "settings.json")
    monkeypatch.setenv("CURATOR_ROOT_MAP", " /Volumes/Studio/ = /mnt/studio ")
    got = load_settings(tmp_path / "settings.json")
    assert got.root_map == "/Volumes/Studio=/mnt/studio"
