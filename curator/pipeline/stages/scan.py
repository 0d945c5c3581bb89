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
  lane instead of vanishing;
- never yields what is not a regular file (a FIFO, device or socket named
  ``*.jpg``): it is a `ScanProblem` with a sentence, skipped, never opened.
It never reads file contents.

`folder_problem(folder)` is THE answer to "can this folder be imported?",
with one set of sentences: `curator import`, the window's imports (File ▸
Import Folder…, Recent Folders, a dropped folder, `curator FOLDER`), the
entry point's routing and this scan (its root, and every folder it cannot
enter) all say what it says. A `FolderProblem` names its kind first
("Folder not found: there is no folder at …"); the command line prints it
after "curator: " with the kind in lower case (`line`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

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


class FolderProblemKind(StrEnum):
    """Why a folder can't be imported; the value leads its sentence."""

    MISSING = "folder not found"
    NOT_A_FOLDER = "not a folder"
    NOT_ALLOWED = "permission denied"
    UNREADABLE = "unreadable folder"


@dataclass(frozen=True)
class FolderProblem:
    """A folder Curator can't import (or, met in a scan, can't enter)."""

    kind: FolderProblemKind
    path: str
    text: str  # what follows the kind: "there is no folder at /x."
    detail: str = ""  # the OS's own words, for the error log

    @property
    def message(self) -> str:
        """The sentence, as the window shows it: "Folder not found: there is no folder at /x." """
        return f"{self.kind.value.capitalize()}: {self.text}"

    @property
    def line(self) -> str:
        """The same sentence after "curator: " on the command line (kind in lower case)."""
        return f"{self.kind.value}: {self.text}"

    def __str__(self) -> str:
        return self.message


def folder_problem(folder: str | os.PathLike[str]) -> FolderProblem | None:
    """Why `folder` can't be imported, or None when it can: it exists, is a
    folder (a link to one counts), and Curator may list and enter it. A
    leading ~ is the home folder; the sentence names the absolute path."""
    path = os.path.abspath(os.path.expanduser(os.fspath(folder)))
    try:
        info = os.stat(path)
    except OSError as exc:
        return folder_error(path, exc)
    if not stat.S_ISDIR(info.st_mode):
        return _not_a_folder(path, is_file=stat.S_ISREG(info.st_mode))
    if not os.access(path, os.R_OK | os.X_OK):
        return _not_allowed(path, "os.access: no read/execute permission")
    return None


def folder_error(path: str, exc: OSError) -> FolderProblem:
    """The problem an OSError met while opening folder `path` stands for."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, FileNotFoundError):
        return FolderProblem(
            FolderProblemKind.MISSING, path, f"there is no folder at {path}.", detail
        )
    if isinstance(exc, NotADirectoryError):
        return _not_a_folder(path, is_file=os.path.isfile(path), detail=detail)
    if isinstance(exc, PermissionError):
        return _not_allowed(path, detail)
    reason = exc.strerror or str(exc)
    return FolderProblem(
        FolderProblemKind.UNREADABLE, path, f"{path} could not be read ({reason}).", detail
    )


def _not_a_folder(path: str, *, is_file: bool, detail: str = "") -> FolderProblem:
    if is_file:
        parent = os.path.dirname(path) or "."
        text = f"{path} is a file; give the folder that holds the photos ({parent})."
    else:
        text = f"{path} is not a folder; give the folder that holds the photos."
    return FolderProblem(FolderProblemKind.NOT_A_FOLDER, path, text, detail)


def _not_allowed(path: str, detail: str) -> FolderProblem:
    text = f"Curator is not allowed to read the folder {path}."
    return FolderProblem(FolderProblemKind.NOT_ALLOWED, path, text, detail)


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
