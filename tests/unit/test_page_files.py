"""curator.proof.page_files: the gallery page's files copied into a gallery folder, and
gallery.js's data made safe to sit inside a script."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from curator.proof.page_files import PAGE_DIR, copy_page, gallery_script, login_page

PREFIX = "window.CURATOR_GALLERY = "
OWN_FILES = [
    "index.html",
    "login.html",
    "assets/gallery.css",
    "assets/gallery-app.js",
    "assets/login.js",
]


def page_file_count() -> int:
    return 1 + sum(1 for p in (PAGE_DIR / "assets").rglob("*") if p.is_file())


def test_gallery_script_cannot_break_out_of_a_script() -> None:
    title = "</script><script>alert('x')</script> <!-- & \u2028\u2029 — é 日本 🎉"
    data: dict[str, object] = {"title": title, "photos": [{"id": "a", "n": 1}], "max": None}
    script = gallery_script(data)
    assert script.startswith(PREFIX)
    assert script.endswith(";\n")
    for char in "<>&\u2028\u2029":
        assert char not in script
    assert script.isascii()
    assert json.loads(script[len(PREFIX) : -2]) == data


def test_gallery_script_refuses_numbers_json_cannot_carry() -> None:
    with pytest.raises(ValueError):
        gallery_script({"w": float("nan")})


def test_copy_page_writes_only_what_changed(tmp_path: Path) -> None:
    folder = tmp_path / "gallery"
    assert copy_page(folder) == page_file_count()
    assert (folder / "index.html").read_bytes() == (PAGE_DIR / "index.html").read_bytes()
    assert (folder / "assets" / "vendor" / "photoswipe" / "photoswipe.umd.min.js").is_file()
    assert not (folder / "login.html").exists()  # served by the server, not part of a folder
    assert copy_page(folder) == 0

    (folder / "assets" / "gallery.css").write_text("/* changed */")
    assert copy_page(folder) == 1
    assert (folder / "assets" / "gallery.css").read_bytes() == (
        PAGE_DIR / "assets" / "gallery.css"
    ).read_bytes()
    assert not list(folder.rglob("*.tmp"))


def test_copy_page_refuses_a_symlinked_file(tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("not yours")
    folder = tmp_path / "gallery"
    folder.mkdir()
    (folder / "index.html").symlink_to(outside)
    with pytest.raises(ValueError, match="symbolic link"):
        copy_page(folder)
    assert outside.read_text() == "not yours"


def test_copy_page_refuses_a_symlinked_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "gallery"
    folder.mkdir()
    (folder / "assets").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ValueError, match="symbolic link"):
        copy_page(folder)
    assert list(elsewhere.iterdir()) == []


def test_copy_page_into_a_symlinked_gallery_folder(tmp_path: Path) -> None:
    real = tmp_path / "disk" / "gallery"
    real.mkdir(parents=True)
    link = tmp_path / "gallery"
    link.symlink_to(real, target_is_directory=True)
    assert copy_page(link) == page_file_count()
    assert (real / "index.html").is_file()


def test_login_page_is_the_form() -> None:
    html = login_page().decode("utf-8")
    assert 'id="login-form"' in html
    assert 'src="assets/login.js"' in html


@pytest.mark.parametrize("name", OWN_FILES)
def test_own_files_need_nothing_from_outside(name: str) -> None:
    """The server's CSP is default-src 'self' and a gallery works offline: no inline script
    or style, no URL to another site (the vendored files are checked by their own tests)."""
    text = (PAGE_DIR / name).read_text(encoding="utf-8")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), name
    if name.endswith(".html"):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline script"
        assert "<style" not in text and " style=" not in text, "inline style"
        assert not re.search(r"\son[a-z]+=", text), "inline event handler"
    if name.endswith(".js"):
        assert "style=" not in text, "a style attribute in markup is blocked by the CSP"


def test_index_loads_the_contracts_files_in_order() -> None:
    html = (PAGE_DIR / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert loaded == [
        "assets/vendor/photoswipe/photoswipe.css",
        "assets/gallery.css",
        "gallery.js",
        "assets/vendor/js-sha256/sha256.min.js",
        "assets/vendor/photoswipe/photoswipe.umd.min.js",
        "assets/vendor/photoswipe/photoswipe-lightbox.umd.min.js",
        "assets/gallery-app.js",
    ]
    for path in loaded:
        assert path == "gallery.js" or (PAGE_DIR / path).is_file(), path


@pytest.mark.parametrize("vendor", ["photoswipe", "js-sha256"])
def test_vendored_code_carries_its_licence_and_origin(vendor: str) -> None:
    folder = PAGE_DIR / "assets" / "vendor" / vendor
    assert "MIT" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "npm" in (folder / "README.txt").read_text(encoding="utf-8")
