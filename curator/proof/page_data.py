"""The gallery's data as the page reads it (`window.CURATOR_GALLERY`, see
`page/assets/gallery-app.js`): its settings and photos — numbered 1, 2, …,
each by its opaque token and the sizes of its copies — and, for a folder
gallery, the key its selection file is signed with; for a served one, the
session's CSRF token. Never a path, a file name or a catalog id.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from curator.catalog.proofing.galleries import Gallery, GalleryPhoto
from curator.proof.access import selection_key
from curator.proof.copies import PHOTO_EDGE, THUMB_EDGE, photo_path, thumb_path


def _size(path: Path, fallback: int) -> tuple[int, int]:
    """A copy's pixel size from its header (a square guess when it can't be read)."""
    try:
        with Image.open(path) as img:
            return img.size
    except (OSError, ValueError):
        return fallback, fallback


def page_data(
    gallery: Gallery, photos: Sequence[GalleryPhoto], *, mode: str, csrf: str = ""
) -> dict[str, object]:
    """The page's data for `gallery` (module docstring); `mode` "folder" or "served"."""
    folder = Path(gallery.folder)
    items: list[dict[str, object]] = []
    for n, photo in enumerate(photos, start=1):
        w, h = _size(photo_path(folder, photo.token), PHOTO_EDGE)
        tw, th = _size(thumb_path(folder, photo.token), THUMB_EDGE)
        items.append(
            {
                "id": photo.token,
                "n": n,
                "src": f"photos/{photo.token}.jpg",
                "w": w,
                "h": h,
                "thumb": f"thumbs/{photo.token}.jpg",
                "tw": tw,
                "th": th,
            }
        )
    s = gallery.settings
    data: dict[str, object] = {
        "version": 1,
        "mode": mode,
        "gallery": gallery.token,
        "title": s.title,
        "photographer": "",
        "min_picks": s.min_picks,
        "max_picks": s.max_picks,
        "comments": s.comments,
        "expires": None if s.expires_on is None else s.expires_on.isoformat(),
        "photos": items,
    }
    if mode == "folder":
        data["sign_key"] = selection_key(gallery.secret, gallery.token)
    else:
        data["csrf"] = csrf
    return data
