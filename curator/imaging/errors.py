"""Typed imaging errors. Each carries a sentence a photographer understands.

`ImagingError.message` is shown in the Failed lane and the CLI; `detail` holds
the technical cause (exception text) for the error log. `transient` marks
errors worth retrying (I/O hiccups), as opposed to a file that is simply bad.
"""

from __future__ import annotations


class ImagingError(Exception):
    """A file could not be measured. `message` is the human sentence."""

    transient: bool = False

    def __init__(self, message: str, detail: str = "", *, content_hash: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        # The blake3 of the bytes when the file could be read: a bad file is still an
        # identity (two copies of the same broken file are one photo).
        self.content_hash = content_hash


class UnreadableFileError(ImagingError):
    """The file could not be read at all (missing, permission, broken link, loop)."""


class TransientReadError(ImagingError):
    """An I/O error that may pass (network share hiccup, busy device)."""

    transient = True


class EmptyFileError(ImagingError):
    """Zero bytes: nothing to decode."""


class UnsupportedFormatError(ImagingError):
    """The contents are not an image format Curator reads (e.g. text named .jpg)."""


class CorruptImageError(ImagingError):
    """The container was recognised but its pixels are truncated or corrupt."""


class DecompressionBombError(ImagingError):
    """The image declares more pixels than the safety limit."""


class CacheWriteError(ImagingError):
    """The preview/thumbnail could not be written to the cache (disk full, permissions).

    Not the photo's fault: worth retrying once the cache folder is writable again.
    """

    transient = True
