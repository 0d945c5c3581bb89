"""Walking a folder for photos.

`scan_folder(root)` yields a `Candidate` per supported file (imaging.formats,
any case), recursively in sorted order, and collects `ScanProblem`s. It skips
hidden files and folders and `exclude`; follows links to folders, entering a
real folder once; yields broken links without a stat (the technical stage
fails them into the Failed lane); never yields nor opens a non-regular file
(a `ScanProblem`); never reads contents. An unenterable folder is
`fs.folders.folder_error`'s sentence (`fs.folders.folder_problem`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from curator.fs.folders import folder_error
from curator.imaging.formats import is_supported_path
from curator.imaging.regular import not_regular_sentence


@dataclass(frozen=True)
class Candidate:
    path: str  # absolute, as the file system spells it (may hold surrogate escapes)
    size: int | None  # None when the file could not be stat'ed (broken link…)
    mtime_ns: int | None


@dataclass(frozen=True)
class ScanProblem:
    path: str
    message: str
    detail: str = ""


@dataclass
class ScanReport:
    problems: list[ScanProblem] = field(default_factory=list)


def _skipped(path: str, exc: OSError) -> ScanProblem:
    """A folder the scan could not enter: the one sentence, and that its photos were skipped."""
    problem = folder_error(path, exc)
    return ScanProblem(path, f"{problem.message} Its photos were skipped.", str(exc))


def scan_folder(
    root: str | os.PathLike[str],
    *,
    exclude: Iterable[str | os.PathLike[str]] = (),
    report: ScanReport | None = None,
) -> Iterator[Candidate]:
    """Yield the supported files under `root` (see the module docstring)."""
    report = report if report is not None else ScanReport()
    excluded = set()
    for ex in exclude:
        try:
            st = os.stat(ex)
        except OSError:
            continue
        excluded.add((st.st_dev, st.st_ino))
    root_path = os.path.abspath(os.fspath(root))
    visited: set[tuple[int, int]] = set()
    stack = [root_path]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            report.problems.append(_skipped(folder, exc))
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited or key in excluded:
            continue
        visited.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            report.problems.append(_skipped(folder, exc))
            continue
        subfolders: list[str] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                subfolders.append(entry.path)
                continue
            if not is_supported_path(entry.name):
                continue
            try:
                est = entry.stat(follow_symlinks=True)
            except OSError:
                # Broken link or a link loop: let the technical stage explain it.
                yield Candidate(entry.path, None, None)
                continue
            if not stat.S_ISREG(est.st_mode):
                # A FIFO named card.jpg would hang whoever opens it; a device reads
                # forever. Said once here, never opened, never a photo.
                sentence = not_regular_sentence(est.st_mode)
                report.problems.append(
                    ScanProblem(entry.path, sentence, f"st_mode={est.st_mode:o}")
                )
                continue
            yield Candidate(entry.path, est.st_size, est.st_mtime_ns)
        # Reverse so that popping from the stack visits subfolders in name order.
        stack.extend(reversed(subfolders))
