"""Writing one exported file safely: temporary name, streaming copy, publish without overwriting.

Per file:
1. write to a temporary name in the folder (`fs.publish.temp_path`),
   streaming the original while hashing it (a mismatch with the catalog fails),
   its XMP put in on the way (`export.embed`), the original's times, fsync;
2. publish without overwriting (`fs.publish.publish`); `overwrite_ours` is the
   one overwrite, of this exporter's unchanged file.
The temporary name is removed in a `finally` (a killed run's by the next).
No partial file ever sits at a final name. No catalog, no Qt.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import blake3

from curator.export.embed import HEAD_LIMIT, Embedding
from curator.fs.publish import destination_error, publish, temp_path
from curator.imaging.regular import open_regular

CHUNK = 4 * 1024 * 1024


class Cancelled(Exception):
    pass


class SourceProblem(Exception):
    """This original cannot be exported (the sentence says why); others can."""


def read_sentence(exc: OSError) -> str:
    """Why an original could not be read, in one sentence."""
    if isinstance(exc, PermissionError):
        return "Curator may not read the original file (permission denied)."
    if isinstance(exc, FileNotFoundError):
        return "The original file disappeared while it was being exported."
    return f"The original file could not be read ({exc.strerror or exc})."


def hash_file(path: Path) -> str:
    hasher = blake3.blake3(max_threads=1)
    with open_regular(path) as file:
        while chunk := file.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def _write(out: Any, data: bytes, folder: Path, hasher: Any | None = None) -> None:
    try:
        out.write(data)
    except OSError as exc:
        raise destination_error(exc, folder) from exc
    if hasher is not None:
        hasher.update(data)


ProgressFn = Callable[[int], None]
"""Called with the number of bytes just written (a copy reports as it goes)."""


def write_file(
    final: Path,
    *,
    data: bytes | None = None,
    source: str | None = None,
    content_hash: str | None = None,
    embedding: Embedding | None = None,
    progress: ProgressFn = lambda _n: None,
    cancel: threading.Event | None = None,
    overwrite_ours: bool = False,
) -> str | None:
    """Write `data` (a rendition), or copy `source` (checked against `content_hash`,
    XMP embedded per `embedding`), at `final`: the blake3 of what was written, or
    None when `final` was taken meanwhile (`overwrite_ours`: replace our file
    there). Raises SourceProblem, DestinationError, Cancelled."""
    tmp = temp_path(final.parent, final.name)
    try:
        try:
            out = open(tmp, "xb")  # noqa: SIM115 (closed below, before publishing)
        except OSError as exc:
            raise destination_error(exc, final.parent) from exc
        with out:
            if data is not None:
                _write(out, data, final.parent)
                progress(len(data))
                written = blake3.blake3(data, max_threads=1).hexdigest()
            else:
                assert source is not None and content_hash is not None
                written = _copy(source, out, content_hash, embedding, progress, cancel, final)
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise destination_error(exc, final.parent) from exc
        if data is None and source is not None:
            shutil.copystat(source, tmp)  # times and mode, as shutil.copy2
            # ...but the copy stays the user's to rename or delete (originals are
            # often read-only on the card or archive they were imported from).
            os.chmod(tmp, stat.S_IMODE(os.stat(tmp).st_mode) | stat.S_IWUSR)
        if embedding is not None and embedding.tiff is not None:
            written = hash_file(tmp)  # the packet went in after the copy
        if overwrite_ours:
            try:
                os.replace(tmp, final)
            except OSError as exc:
                raise destination_error(exc, final.parent) from exc
            return written
        return written if publish(tmp, final) else None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _copy(
    source: str,
    out: Any,
    content_hash: str,
    embedding: Embedding | None,
    progress: ProgressFn,
    cancel: threading.Event | None,
    final: Path,
) -> str:
    """Stream `source` into `out`, hashing what is read (checked against
    `content_hash`) and what is written (returned)."""
    read_hash = blake3.blake3(max_threads=1)
    written = blake3.blake3(max_threads=1)
    try:
        src = open_regular(source)  # never a FIFO or device (a hang, or endless bytes)
    except OSError as exc:
        raise SourceProblem(read_sentence(exc)) from exc
    end = 0
    with src:
        first = True
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            try:
                chunk = src.read(HEAD_LIMIT if first else CHUNK)
            except OSError as exc:
                raise SourceProblem(read_sentence(exc)) from exc
            if not chunk:
                break
            read_hash.update(chunk)
            end += len(chunk)
            if first and embedding is not None and embedding.new_head:
                _write(out, embedding.new_head, final.parent, written)
                chunk = chunk[embedding.head_end :]
            first = False
            _write(out, chunk, final.parent, written)
            progress(len(chunk))
    if read_hash.hexdigest() != content_hash:
        raise SourceProblem(
            "The original file has changed since it was imported; import its folder "
            "again, then export."
        )
    if embedding is not None and embedding.tiff is not None:
        try:
            embedding.finish(out, end)
        except OSError as exc:
            raise destination_error(exc, final.parent) from exc
    return written.hexdigest()
