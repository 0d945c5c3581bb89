"""Renditions rendered ahead on worker threads while the runner writes files.

The runner (export.run) works through the plan in order on one thread; what
costs time in a rendition export is the decode and JPEG encode, which Pillow,
libjpeg and LibRaw do without holding the GIL. `RenderAhead` keeps up to
`workers` renders in flight: before the runner handles file i it calls
`ahead(i)`, which submits files i … i+workers-1 that still need a rendition;
`take(i)` then returns file i's JPEG bytes (waiting for its render, or
rendering it on the spot when it was not submitted).

What "needs a rendition" means here is only a cheap guess that saves work on
re-runs: the first free name in the planned name's suffix chain comes before
any file that already is this photo's rendition (`needs_render`). The runner
still decides for itself; a render it does not use is dropped (`drop`).
Renders only produce bytes in memory: cancelling (`close`) discards pending
ones and waits for those running, and never leaves a file behind.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from curator.export.files import read_sentence
from curator.export.names import base_name, with_suffix_number
from curator.export.plan import PlannedFile
from curator.export.rendition import render_jpeg, rendition_marker, rendition_marker_of
from curator.export.xmp_out import rendition_packet
from curator.imaging.errors import ImagingError

MAX_LOOKUP = 100  # suffixes checked by the guess; the runner itself goes further


class RenderFailed(Exception):
    """The rendition could not be made; the message is one sentence."""


def render_bytes(source: str, planned: PlannedFile, edge: int) -> bytes:
    """`render_jpeg` (with the photo's XMP inside) with every failure as a
    `RenderFailed` sentence."""
    try:
        return render_jpeg(
            source, edge, planned.content_hash, planned.capture, xmp=rendition_packet(planned)
        )
    except ImagingError as exc:
        raise RenderFailed(exc.message) from exc
    except MemoryError as exc:
        raise RenderFailed("Not enough memory to render this photo.") from exc
    except OSError as exc:
        raise RenderFailed(read_sentence(exc)) from exc


def needs_render(folder: Path, planned: PlannedFile, edge: int) -> bool:
    """False when a file of the suffix chain already is this photo's rendition."""
    marker = rendition_marker(planned.content_hash, edge)
    for n in range(1, MAX_LOOKUP + 1):
        path = folder / with_suffix_number(base_name(planned.name, planned.group), n)
        if not path.exists():
            return True
        if rendition_marker_of(path) == marker:
            return False
    return True


class RenderAhead:
    """Up to `workers` renditions in flight ahead of the runner (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        files: tuple[PlannedFile, ...],
        sources: list[str | None],
        edge: int,
        workers: int,
    ) -> None:
        self.folder, self.files, self.sources, self.edge = folder, files, sources, edge
        self.workers = max(1, workers)
        self.pool = (
            ThreadPoolExecutor(self.workers, thread_name_prefix="export-render")
            if self.workers > 1
            else None
        )
        self.futures: dict[int, Future[bytes]] = {}
        self.considered = 0  # files before this index were looked at by `ahead`

    def ahead(self, index: int) -> None:
        """Submit the renders of files `index` … `index + workers - 1` that need one."""
        if self.pool is None:
            return
        end = min(len(self.files), index + self.workers)
        while self.considered < end:
            i = self.considered
            self.considered += 1
            source, planned = self.sources[i], self.files[i]
            if source is not None and needs_render(self.folder, planned, self.edge):
                self.futures[i] = self.pool.submit(render_bytes, source, planned, self.edge)

    def take(self, index: int, source: str) -> bytes:
        """File `index`'s rendition (raises `RenderFailed`)."""
        future = self.futures.pop(index, None)
        if future is None:
            return render_bytes(source, self.files[index], self.edge)
        return future.result()

    def drop(self, index: int) -> None:
        """Forget file `index`'s render (the runner did not need it)."""
        future = self.futures.pop(index, None)
        if future is not None:
            future.cancel()

    def close(self) -> None:
        """Discard pending renders, wait for running ones (bytes only: nothing to clean)."""
        for future in self.futures.values():
            future.cancel()
        self.futures.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
