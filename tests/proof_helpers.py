"""Client galleries in the tests: the page's data as `gallery.js` holds it, and
a selection file signed as the page signs it (`curator.proof.selection`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from curator.proof.selection import sign

PREFIX = "window.CURATOR_GALLERY = "


def page_data_of(script: str | bytes) -> dict[str, Any]:
    """The data of a `gallery.js` (a folder's, or the one a server answers)."""
    text = script.decode("utf-8") if isinstance(script, bytes) else script
    data: dict[str, Any] = json.loads(text.removeprefix(PREFIX).rstrip(";\n"))
    return data


def gallery_data(folder: Path) -> dict[str, Any]:
    """The data of the gallery made in `folder`."""
    return page_data_of((folder / "gallery.js").read_text("utf-8"))


def signed_selection(
    folder: Path, hearts: list[str], comments: dict[str, str], client: str = "Anna"
) -> dict[str, Any]:
    """What the folder gallery's page sends back, signed with its key."""
    data = gallery_data(folder)
    fields: dict[str, Any] = {
        "format": "curator-client-selection",
        "version": 1,
        "gallery": data["gallery"],
        "title": data["title"],
        "hearts": sorted(hearts),
        "comments": comments,
        "confirmed_at": "2026-11-29T10:00:00.000Z",
        "client": client,
    }
    return {**fields, "signature": sign(fields, data["sign_key"])}
