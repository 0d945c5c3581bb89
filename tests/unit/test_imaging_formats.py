"""Extension filter: case-insensitive, RAW subset, only the file name counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.imaging.formats import (
    RAW_EXTENSIONS,
    SUPPORTED_EXTENSIONS,
    extension_of,
    format_by_name,
    is_raw_path,
    is_supported_path,
)
from curator.records import FileFormat
from tests.imaging_helpers import FIXTURES


@pytest.mark.parametrize(
    "name",
    ["a.jpg", "A.JPG", "b.JpEg", "c.png", "d.TIF", "e.tiff", "f.webp", "g.HEIC", "h.heif"],
)
def test_raster_names_are_supported_but_not_raw(name: str) -> None:
    assert is_supported_path(name)
    assert not is_raw_path(name)


@pytest.mark.parametrize(
    "name",
    ["DSC_0001.NEF", "x.cr3", "x.CR2", "x.arw", "x.RAF", "x.dng", "x.orf", "x.rw2", "x.3fr"],
)
def test_raw_names_are_supported_and_raw(name: str) -> None:
    assert is_supported_path(name)
    assert is_raw_path(name)


def test_kodak_dot_raw_fixture_is_importable() -> None:
    assert is_raw_path("raw/Kodak_C330_FORMAT_NONE_YRGB.raw")


@pytest.mark.parametrize(
    "name",
    ["notes.txt", "clip.mov", "photo.jpg.xmp", "anim.gif", "README", ".jpg", "archive.jpg.zip"],
)
def test_other_names_are_not_supported(name: str) -> None:
    assert not is_supported_path(name)


def test_only_the_final_component_counts() -> None:
    assert extension_of(Path("/photos/trip.jpg/README")) == ""
    assert extension_of("/photos/2024.01/IMG_1.JPG") == "jpg"
    assert not is_supported_path("/photos/album.nef/notes")


def test_raw_extensions_are_a_subset_without_dots() -> None:
    assert RAW_EXTENSIONS <= SUPPORTED_EXTENSIONS
    assert all(not ext.startswith(".") and ext == ext.lower() for ext in SUPPORTED_EXTENSIONS)


def test_every_camera_fixture_is_picked_up_by_name() -> None:
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix != ".md"]
    assert len(files) >= 50
    assert [p.name for p in files if not is_supported_path(p)] == []


def test_format_by_name_says_raw_only_for_camera_raw_names() -> None:
    assert format_by_name("/photos/DSC_0001.NEF") is FileFormat.RAW
    assert format_by_name("x.jpg") is None  # a raster's container comes from its contents
    assert format_by_name("notes.txt") is None
