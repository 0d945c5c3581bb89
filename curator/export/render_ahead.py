"""Renditions rendered ahead on worker threads while the runner writes files.

`RenderAhead` keeps up to `workers` renders in flight: `ahead(i)` submits files
i … i+workers-1 that `needs_render` guesses need one; `take(i)` returns file
i's JPEG bytes (rendered on the spot if not submitted). Unused renders are
dropped; `close` discards pending ones and waits for running ones.

RAW originals render in crash-isolated children (`engine.isolation`): a crash
fails one photo (`RenderFailed`), a hang stops at `RENDER_TIMEOUT_S`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerFailed, WorkerTimedOut
from curator.export.files import read_sentence
from curator.export.names import base_name, with_suffix_number
from curator.export.plan import CaptureInfo, PlannedFile
from curator.export.rendition import render_jpeg, rendition_marker, rendition_marker_of
from curator.export.xmp_out import rendition_packet
from curator.imaging.errors import ImagingError
from curator.imaging.formats import is_raw_path

MAX_LOOKUP = 100  # suffixes checked by the guess; the runner itself goes further
RENDER_TIMEOUT_S = 300.0  # generous: a 100 MP RAW on a busy laptop, never a hang


class RenderFailed(Exception):
    """The rendition could not be made; the message is one sentence."""


def render_bytes(source: str, planned: PlannedFile, edge: int) -> bytes:
    """`render_jpeg` (with the photo's XMP inside) with every failure as a
    `RenderFailed` sentence."""
    try:
        return render_jpeg(
            source,
            edge,
            planned.content_hash,
            planned.capture,
            xmp=rendition_packet(planned, edge),
            quarter_turns=planned.rotation,
        )
    except ImagingError as exc:
        raise RenderFailed(exc.message) from exc
    except MemoryError as exc:
        raise RenderFailed("Not enough memory to render this photo.") from exc
    except OSError as exc:
        raise RenderFailed(read_sentence(exc)) from exc


@dataclass(frozen=True)
class RenderRequest:
    """One rendition, as a child process gets it (plain, picklable values)."""

    source: str
    long_edge: int
    content_hash: str
    capture: CaptureInfo
    xmp: bytes | None = None  # the packet to embed (made in the parent: no catalog in the child)
    quarter_turns: int = 0  # the photographer's rotation (clockwise)


@dataclass(frozen=True)
class RenderRefused:
    """The child could not render (a sentence); it is fine, the next photo goes on."""

    sentence: str


RawRender = Callable[[RenderRequest], bytes | RenderRefused]


def render_isolated(request: RenderRequest) -> bytes | RenderRefused:
    """The body run in the child: `render_jpeg`, its failures as values (an
    exception with a custom constructor does not survive the pipe)."""
    try:
        return render_jpeg(
            request.source,
            request.long_edge,
            request.content_hash,
            request.capture,
            xmp=request.xmp,
            quarter_turns=request.quarter_turns,
        )
    except ImagingError as exc:
        return RenderRefused(exc.message)
    except MemoryError:
        return RenderRefused("Not enough memory to render this photo.")
    except OSError as exc:
        return RenderRefused(read_sentence(exc))


def render_in_child(children: ChildProcessPool, request: RenderRequest, fn: RawRender) -> bytes:
    """`fn(request)` in a child process; a crash, a hang or a refusal is a `RenderFailed`."""
    try:
        out = children.call(fn, request, timeout=RENDER_TIMEOUT_S)
    except WorkerCrashed as exc:
        raise RenderFailed(
            "The RAW decoder crashed on this photo (the file is probably damaged), so it "
            "was not exported; the other photos were not affected."
        ) from exc
    except WorkerTimedOut as exc:
        raise RenderFailed(
            f"Rendering this photo took longer than {RENDER_TIMEOUT_S:.0f} seconds and was stopped."
        ) from exc
    except WorkerFailed as exc:
        raise RenderFailed(
            "Curator hit an internal error while rendering this photo; the details are in the log."
        ) from exc
    if isinstance(out, RenderRefused):
        raise RenderFailed(out.sentence)
    return out


def needs_render(folder: Path, planned: PlannedFile, edge: int) -> bool:
    """False when a file of the suffix chain already is this photo's rendition."""
    marker = rendition_marker(planned.content_hash, edge, planned.rotation)
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
        *,
        raw_render: RawRender = render_isolated,
    ) -> None:
        self.folder, self.files, self.sources, self.edge = folder, files, sources, edge
        self.workers = max(1, workers)
        self.raw_render = raw_render  # what a RAW's child runs (tests: one that crashes)
        self._children: ChildProcessPool | None = None  # started with the first RAW
        self._children_lock = threading.Lock()
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
                self.futures[i] = self.pool.submit(self.render, source, planned)

    def take(self, index: int, source: str) -> bytes:
        """File `index`'s rendition (raises `RenderFailed`)."""
        future = self.futures.pop(index, None)
        if future is None:
            return self.render(source, self.files[index])
        return future.result()

    def render(self, source: str, planned: PlannedFile) -> bytes:
        """One rendition: a RAW in a child process, anything else here."""
        if not is_raw_path(source):
            return render_bytes(source, planned, self.edge)
        request = RenderRequest(
            source,
            self.edge,
            planned.content_hash,
            planned.capture,
            rendition_packet(planned, self.edge),
            quarter_turns=planned.rotation,
        )
        return render_in_child(self._child_processes(), request, self.raw_render)

    def _child_processes(self) -> ChildProcessPool:
        with self._children_lock:  # render threads ask at once
            if self._children is None:
                self._children = ChildProcessPool(self.workers)
            return self._children

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
        with self._children_lock:
            children, self._children = self._children, None
        if children is not None:
            children.close()
