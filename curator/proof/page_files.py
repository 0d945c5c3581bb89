"""The client gallery's web page, as files in the package (`proof/page/`).

The page is static and the same for every gallery: `index.html`, `login.html` (served mode's
sign-in) and `assets/` (`gallery-app.js`, `login.js`, `gallery.css`, and the vendored
PhotoSwipe 5 and js-sha256, each with its licence). What differs per gallery is `gallery.js`
beside `index.html` — `window.CURATOR_GALLERY = {...};`, from `gallery_script()` — and the
`photos/` and `thumbs/` folders of copies.

Invariants:
- `copy_page()` writes only `index.html` and `assets/**` into the gallery folder, and only the
  files whose bytes differ (a second make writes nothing); each write goes to a temporary file
  in the same folder, then `os.replace`, so a reader never sees half a file.
- It never follows or writes through a symlink inside the gallery folder: a destination that is
  a symlink (file or folder) is refused with ValueError before anything is written there. The
  gallery folder itself may be one (an export folder on another disk is fine).
- `gallery_script()`'s JSON is plain ASCII and can sit inside a `<script>` element or a `.js`
  file: `<`, `>`, `&`, U+2028 and U+2029 are `\\u` escapes, so no title can close the script.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

PAGE_DIR: Path = Path(__file__).resolve().parent / "page"

# Characters that are harmless in JSON but not inside HTML's <script> or older JavaScript.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _page_files() -> list[Path]:
    """The files `copy_page` copies, relative to PAGE_DIR, in a stable order."""
    assets = sorted(
        p.relative_to(PAGE_DIR) for p in (PAGE_DIR / "assets").rglob("*") if p.is_file()
    )
    return [Path("index.html"), *assets]


def _refuse_symlink(path: Path) -> None:
    if path.is_symlink():
        raise ValueError(
            f"{path} is a symbolic link; Curator won't write the gallery page through it."
        )


def _ensure_dir(folder: Path, rel: Path) -> Path:
    """`folder/rel`, created one level at a time, none of them a symlink."""
    current = folder
    for part in rel.parts:
        current = current / part
        _refuse_symlink(current)
        current.mkdir(exist_ok=True)
    return current


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_page(folder: Path) -> int:
    """Copy index.html and assets/ into `folder`; returns how many files were written.

    Files already there with the same bytes are left alone. Raises ValueError when a
    destination inside `folder` is a symlink (module docstring).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel in _page_files():
        parent = _ensure_dir(folder, rel.parent)
        target = parent / rel.name
        _refuse_symlink(target)
        data = (PAGE_DIR / rel).read_bytes()
        if target.is_file() and target.read_bytes() == data:
            continue
        _write_atomically(target, data)
        written += 1
    return written


def gallery_script(data: dict[str, object]) -> str:
    """`window.CURATOR_GALLERY = <json>;` with the JSON safe inside a script (module docstring)."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    for char, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return f"window.CURATOR_GALLERY = {text};\n"


def login_page() -> bytes:
    """login.html: served mode's access-code form (it loads assets/login.js and gallery.css)."""
    return (PAGE_DIR / "login.html").read_bytes()
