"""Typed imaging errors. Each carries a sentence a photographer understands.

`ImagingError.message` is shown in the Failed lane and the CLI; `detail` holds
the technical cause for the error log. `transient` marks errors worth
retrying (I/O hiccups); `environmental` marks failures caused by the computer,
not the file (permission, a vanished file, a full cache): the next plain
import retries them, while a broken file with the same size and mtime stays
skipped. The error log stores the class name (`ErrorLog.error_type`), so
`ENVIRONMENTAL_ERROR_TYPES` lets the planner tell them apart later.
"""

from __future__ import annotations


class ImagingError(Exception):
    """A file could not be measured. `message` is the human sentence."""

    transient: bool = False
    environmental: bool = False

    def __init__(self, message: str, detail: str = "", *, content_hash: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        # The blake3 of the bytes when the file could be read: a bad file is still an
        # identity (two copies of the same broken file are one photo).
        self.content_hash = content_hash


class UnreadableFileError(ImagingError):
    """The file could not be read at all (missing, permission, broken link, loop)."""


class PermissionDeniedError(UnreadableFileError):
    """The system refused to let Curator read the file (its permissions)."""

    environmental = True


class FileGoneError(UnreadableFileError):
    """The file vanished between the scan and the read (moved, renamed, deleted)."""

    environmental = True


class TransientReadError(ImagingError):
    """An I/O error that may pass (network share hiccup, busy device)."""

    transient = True
    environmental = True


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
    environmental = True

    @classmethod
    def writing_to(cls, cache_dir: str, exc: OSError) -> CacheWriteError:
        """The error of a preview or thumbnail that could not be written into
        `cache_dir` (raise it `from exc`: the cause names the disk problem)."""
        return cls(
            "Curator could not save this photo's preview in its cache folder "
            f"({cache_dir}) — the disk may be full or the folder read-only.",
            f"{type(exc).__name__}: {exc}",
        )


# `ErrorLog.error_type` values of environmental failures. Not "MemoryError": a decoder
# child's memory limit fits the largest photo allowed (engine.isolation), so a file
# that exhausts it is the file's doing.
ENVIRONMENTAL_ERROR_TYPES = frozenset(
    {
        "PermissionDeniedError",
        "FileGoneError",
        "TransientReadError",
        "CacheWriteError",
        # A Ray cluster's (pipeline/stages/technical_remote.py): a worker or node
        # that died, a lost cluster, a node that does not see the shared drive.
        "RayTaskLost",
        "RayClusterLost",
        "RayNodeCannotSeeFile",
    }
)
