"""The technical stage's child side: what a decoder child process runs.

Responsibility: the pool initializer (`init_decoder_process`) and the stage
body `run_technical` (one file in, a `TechnicalMeasurement` or a
`TechnicalFailure` out, never raising for a bad file). Split from
`pipeline.stages.technical` (the plan, which reads the catalog) so a child
starts cheaply (a decoder start cost 0.45 s CPU, most of it importing what
only the parent uses): the functions are pickled by reference, so this module
is all a child imports before its first file brings in the imaging stack.

Invariants: no catalog, no settings, no Qt imported here (tests/unit/
test_isolation.py checks what a started child has loaded); `run_technical` is
pure (see `pipeline.stages.technical`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import traceback
from dataclasses import replace

from curator.imaging.errors import CacheWriteError, ImagingError
from curator.imaging.formats import format_by_name, is_raw_path
from curator.imaging.types import (
    ExifData,
    TechnicalFailure,
    TechnicalMeasurement,
    TechnicalRequest,
)

TechnicalOutcome = TechnicalMeasurement | TechnicalFailure

# Hashes of already-measured photos, set once per child process by
# `init_known_hashes` (shipping 100k hashes with every request would cost more
# than the decode it saves).
_KNOWN_HASHES: frozenset[str] = frozenset()


def init_known_hashes(hashes: frozenset[str]) -> None:
    global _KNOWN_HASHES
    _KNOWN_HASHES = hashes


def known_hashes() -> frozenset[str]:
    """The hashes this child process was primed with (`init_known_hashes`)."""
    return _KNOWN_HASHES


_BORN_AT: list[int | None] = [None]  # this child's priority before it was lowered
_SET_UP: list[bool] = []  # its compute threads and allocator are set (once a child)
_ARMED: list[tuple[str, bool]] = []  # the face networks to load at the next priming


def init_decoder_process(
    hashes: frozenset[str], niceness: int = 0, faces: tuple[str, bool] | None = None
) -> None:
    """The child-process entry (pool initializer) of the technical stage: one
    compute thread per child, the hashes already measured, and its CPU priority
    `niceness` below normal (the GUI's import: `DECODER_NICENESS`). Run again by
    `reprime` in a live child, so the priority is set, not added to, and the
    threads and allocator are set once a child. `faces` (the face model's folder,
    whether faces are described) arms the networks' load on a thread from the
    initializer's next run (`faces_child.load_networks_early`).

    One compute thread: the pool runs one child per core, so a decoder spreading
    over every core only makes the children fight (tests/bench/test_ingest_bench.py).
    OMP_NUM_THREADS works only before libgomp loads (rawpy's first import, delayed
    by `imaging.decode`); numpy's OpenBLAS is held to one thread too
    (`engine.compute_threads`).
    """
    if not _SET_UP:
        _SET_UP.append(True)
        from curator.engine.compute_threads import one_compute_thread

        one_compute_thread()  # before OpenCV's import loads numpy, and its OpenBLAS
        import cv2  # the child's import: the window and the CLI's planning never load OpenCV

        cv2.setNumThreads(1)
        keep_freed_memory()
    from curator.engine.thread_priority import background_niceness

    niceness = background_niceness(niceness)  # 0 where normal priority is asked for
    if niceness:
        # Background work: where the cores are busy, the window (the loupe a
        # person is culling in) goes first; on idle cores niceness costs nothing.
        with contextlib.suppress(OSError, AttributeError):  # no setpriority on Windows
            born = _BORN_AT[0]
            if born is None:
                born = _BORN_AT[0] = os.getpriority(os.PRIO_PROCESS, 0)
            os.setpriority(os.PRIO_PROCESS, 0, min(19, born + niceness))
    init_known_hashes(hashes)
    if faces is not None:
        _ARMED[:] = [faces]
    elif _ARMED:
        from curator.pipeline.stages.faces_child import load_networks_early

        load_networks_early(*_ARMED.pop())


# glibc's mallopt parameters (malloc.h) and what the decoder child asks of them.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_MMAP_MAX = -4
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # glibc's largest: bigger blocks are always mapped...
MMAP_MAX = 0  # ...unless mapping is off altogether: then every block comes from the heap
KEEP_FREED_BYTES = 256 * 1024 * 1024
KEEP_RESIDENT_BYTES = 1024 * 1024 * 1024  # past this after a file, the freed heap goes back


def keep_freed_memory() -> bool:
    """Let this process's allocator keep freed memory for the next file (glibc only).

    Every file allocates the same large buffers again; glibc's default gives a
    freed heap top back to the kernel, and the next file faults every page in
    again (~4,800 faults, 7-20 ms of system time per 9 MP DNG on a ~180 ms file).
    So mmap is off (glibc maps any block over 32 MiB, and a 24 MP file's buffers
    are 36-50 MB) and up to 256 MiB of freed heap is kept: the child stays at its
    largest file's size, bounded by RLIMIT_AS (engine.isolation) and trimmed by
    `release_excess_memory`. Elsewhere (musl, macOS, Windows) this does nothing.
    Returns whether the allocator took the settings.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    mmap_set = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    trim_set = mallopt(_M_TRIM_THRESHOLD, KEEP_FREED_BYTES) == 1
    unmapped = mallopt(_M_MMAP_MAX, MMAP_MAX) == 1
    return mmap_set and trim_set and unmapped


def release_excess_memory(limit: int = KEEP_RESIDENT_BYTES) -> bool:
    """Give the freed heap back to the system when this process holds more than
    `limit` bytes resident (glibc's malloc_trim; Linux only). True when it did.

    With mmap off (`keep_freed_memory`) a 100 MP panorama's buffers come from the
    heap, trimmed only at its top: a small block above them kept the child at
    ~1.5 GB for the rest of the import. A 24-45 MP file's buffers stay under the
    limit and are kept for the next file.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/self/statm", "rb") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, ValueError, IndexError, AttributeError):
        return False
    if resident <= limit:
        return False
    malloc_trim.argtypes = (ctypes.c_size_t,)
    malloc_trim.restype = ctypes.c_int
    malloc_trim(0)
    return True


def run_technical(request: TechnicalRequest) -> TechnicalOutcome:
    """The stage body (runs in a child process). Returns, never raises, for bad files."""
    try:
        return _run_technical(request)
    finally:
        release_excess_memory()


def _run_technical(request: TechnicalRequest) -> TechnicalOutcome:
    from curator.imaging.technical import measure_file  # the imaging stack: children only
    from curator.pipeline.stages.faces_child import faces_hook

    if _KNOWN_HASHES and not request.known_hashes:
        request = replace(request, known_hashes=_KNOWN_HASHES)
    try:
        return measure_file(request, faces_hook(request))
    except ImagingError as err:
        return failure_of(request, err)
    except MemoryError:
        # Past this child's memory limit (engine.isolation): the file asks for more
        # than any photo Curator accepts needs. A failure of this file, kept until
        # --retry-failed: retrying it on every import would only hit the limit again.
        size, mtime = _stat(request.path)
        return TechnicalFailure(
            path=request.path,
            message=(
                f"Decoding this file needed more memory than Curator allows one decoder "
                f"({_memory_limit_text()}), so it was skipped; "
                "`curator import --retry-failed` tries it again."
            ),
            error_type="MemoryError",
            detail=traceback.format_exc(),
            transient=False,
            size=size,
            mtime_ns=mtime,
            format=format_by_name(request.path),
        )
    except Exception as exc:
        size, mtime = _stat(request.path)
        return TechnicalFailure(
            path=request.path,
            message=(
                "Curator hit an internal error while measuring this file "
                f"({type(exc).__name__}); the details are in the error log."
            ),
            error_type=type(exc).__name__,
            detail=traceback.format_exc(),
            size=size,
            mtime_ns=mtime,
            format=format_by_name(request.path),
        )


def failure_of(request: TechnicalRequest, err: ImagingError) -> TechnicalFailure:
    """The failure of `request`'s file that `err` says (its sentence, its
    type, the file's size, mtime and readable EXIF)."""
    size, mtime = _stat(request.path)
    message = err.message
    if isinstance(err, CacheWriteError) and err.__cause__ is not None:
        # Say which: a full disk or a read-only cache, with what to do (imported
        # here: the catalog's errors bring peewee, which a child needs only now).
        from curator.catalog.storage import storage_problem

        problem = storage_problem(err.__cause__, what=request.cache_dir)
        message = problem.message if problem is not None else message
    return TechnicalFailure(
        path=request.path,
        message=message,
        error_type=type(err).__name__,
        detail=err.detail,
        transient=err.transient,
        content_hash=err.content_hash,
        size=size,
        mtime_ns=mtime,
        format=format_by_name(request.path),
        exif=_readable_exif(request.path),
    )


def _memory_limit_text() -> str:
    """This process's address-space limit, in words ("4.5 GB"), or "its limit"."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, ValueError, OSError):
        return "its limit"
    if soft == resource.RLIM_INFINITY:
        return "what the computer has free"
    return f"{soft / 1e9:.1f} GB"


EXIF_HEAD_BYTES = 16 * 1024 * 1024  # where every camera we know puts its EXIF


def _readable_exif(path: str) -> ExifData | None:
    """A failed file's EXIF when its header can be read (None when it says nothing)."""
    from curator.imaging.exif import read_exif  # the imaging stack: children only

    try:
        with open(path, "rb") as file:
            data = file.read(EXIF_HEAD_BYTES)  # never a whole damaged 2 GB file
    except OSError:
        return None
    exif = read_exif(data, is_raw=is_raw_path(path))
    return exif if exif != ExifData() else None


def _stat(path: str) -> tuple[int | None, int | None]:
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    return st.st_size, st.st_mtime_ns
