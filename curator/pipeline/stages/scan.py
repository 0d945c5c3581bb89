"""Walking a folder for photos.

`scan_folder(root)` yields a `Candidate` per supported file, recursively, in a
stable (sorted) order, and collects `ScanProblem`s for folders it could not
enter. It:
- matches extensions case-insensitively (imaging.formats);
- skips hidden files and folders (a leading dot) and the folders in `exclude`
  (Curator's own cache);
- follows symbolic links to folders but never enters the same real folder
  twice, so symlink loops end;
- yields broken links and self-referencing links as candidates with no stat:
  the technical stage fails them with a sentence, so they land in the Failed
  lane instead of vanishing.
It never reads file contents.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from curator.imaging.formats import is_supported_path


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


def _describe_dir_error(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return (
            "Curator is not allowed to open this folder (permission denied); "
            "its photos were skipped."
        )
    return f"This folder could not be read ({exc.strerror or exc}); its photos were skipped."


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
            report.problems.append(ScanProblem(folder, _describe_dir_error(exc), str(exc)))
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited or key in excluded:
            continue
        visited.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            report.problems.append(ScanProblem(folder, _describe_dir_error(exc), str(exc)))
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
                yield Candidate(entry.path, est.st_size, est.st_mtime_ns)
            except OSError:
                # Broken link or a link loop: let the technical stage explain it.
                yield Candidate(entry.path, None, None)
        # Reverse so that popping from the stack visits subfolders in name order.
        stack.extend(reversed(subfolders))
