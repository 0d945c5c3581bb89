"""Which file names Curator imports, decided by extension alone.

The cheap, name-only filter used while walking a folder; it never opens a
file. The contents decide the real format later (`imaging.decode`), so a PNG
named ``.jpg`` imports and a text file named ``.jpg`` fails with a sentence.

Invariants: matching is case-insensitive; every extension in `RAW_EXTENSIONS`
is in `SUPPORTED_EXTENSIONS`; extensions are stored without the dot.
"""

from __future__ import annotations

import os

from curator.records import FileFormat

RASTER_EXTENSIONS: frozenset[str] = frozenset(
    {"jpg", "jpeg", "png", "tif", "tiff", "webp", "heic", "heif"}
)

# Camera RAW containers LibRaw reads. "raw" covers Kodak/Panasonic/Leica files
# literally named .raw (e.g. the Kodak EasyShare C330 fixture).
RAW_EXTENSIONS: frozenset[str] = frozenset(
    {
        "nef",
        "nrw",
        "cr2",
        "cr3",
        "crw",
        "arw",
        "srf",
        "sr2",
        "raf",
        "dng",
        "orf",
        "rw2",
        "pef",
        "srw",
        "x3f",
        "3fr",
        "iiq",
        "erf",
        "kdc",
        "mrw",
        "rwl",
        "raw",
    }
)

SUPPORTED_EXTENSIONS: frozenset[str] = RASTER_EXTENSIONS | RAW_EXTENSIONS


def extension_of(name: str | os.PathLike[str]) -> str:
    """The lower-case extension of `name` without its dot ("" when there is none).

    Only the final path component counts, so a dotted folder name is ignored and
    a hidden file such as ``.jpg`` (no stem) has no extension.
    """
    base = os.path.basename(os.fspath(name))
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        return ""
    return ext.lower()


def is_supported_path(name: str | os.PathLike[str]) -> bool:
    """True when the name's extension is one Curator imports (raster or RAW)."""
    return extension_of(name) in SUPPORTED_EXTENSIONS


def is_raw_path(name: str | os.PathLike[str]) -> bool:
    """True when the name's extension is a camera RAW container."""
    return extension_of(name) in RAW_EXTENSIONS


def format_by_name(name: str | os.PathLike[str]) -> FileFormat | None:
    """What a name alone says about a file's format: RAW for a camera RAW
    extension, else None (a raster's real container is known only from its
    contents). Fills `TechnicalFailure.format` for a file that never decoded."""
    return FileFormat.RAW if is_raw_path(name) else None
