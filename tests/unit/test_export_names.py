"""Export names: no project or file name can leave DEST or break on another OS."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.export.names import export_folder, with_suffix_number
from curator.fs.names import MAX_NAME_BYTES, safe_component

FORBIDDEN = set('/\\\x00<>:"|?*')


def _check(name: str) -> None:
    assert name and name not in (".", "..")
    assert not FORBIDDEN & set(name)
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../x", "__.._x"),
        ("/etc/passwd", "_etc_passwd"),
        ("C:\\Windows\\system32", "C__Windows_system32"),
        ("a\x00b.jpg", "a_b.jpg"),
        ("..", "unnamed"),
        (".", "unnamed"),
        ("", "unnamed"),
        (" . . ", "unnamed"),
        ("name. . ", "name"),
        (".hidden.jpg", "_hidden.jpg"),
        ("CON", "CON_"),
        ("con.jpg", "con_.jpg"),
        ("NUL.txt", "NUL_.txt"),
        ("COM1.JPG", "COM1_.JPG"),
        ("lpt9", "lpt9_"),
        ("Console.jpg", "Console.jpg"),  # only the exact device names are reserved
        ("what?*<>|.jpg", "what_____.jpg"),
        ("caf\udce9.jpg", "caf_.jpg"),  # a non-UTF-8 byte from surrogateescape
        ("Summer 2024", "Summer 2024"),
        ("Été à Nice", "Été à Nice"),
    ],
)
def test_safe_component(text: str, expected: str) -> None:
    assert safe_component(text) == expected
    _check(safe_component(text))


def test_an_over_long_name_is_cut_keeping_its_extension() -> None:
    name = safe_component("é" * 300 + ".jpg")
    _check(name)
    assert name.endswith(".jpg") and name.startswith("éé")
    # Room is left for a clash suffix and the temporary name's prefix (255 bytes).
    longest = with_suffix_number(name, 9999)
    assert len(longest.encode()) + len(".curator-tmp-4194304-0123abcd-") <= 255


def test_suffix_numbers() -> None:
    assert with_suffix_number("IMG_1.CR2", 1) == "IMG_1.CR2"
    assert with_suffix_number("IMG_1.CR2", 3) == "IMG_1-3.CR2"
    assert with_suffix_number("README", 2) == "README-2"


@pytest.mark.parametrize(
    "project", ["../../x", "..", "/abs/path", "a/../../b", "\\..\\..\\x", "x\x00y", "NUL", " "]
)
def test_export_folder_is_directly_inside_dest(tmp_path: Path, project: str) -> None:
    dest = tmp_path / "dest"
    folder = export_folder(dest, project)
    assert folder.parent == dest and folder.resolve().parent == dest.resolve()
    _check(folder.name)


def test_the_approved_set_has_its_folder(tmp_path: Path) -> None:
    assert export_folder(tmp_path, None) == tmp_path / "approved"
