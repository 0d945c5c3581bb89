"""Can this folder be read? `folder_problem(folder)` is THE answer to "can this
folder be imported?", with one set of sentences: `curator import`, the
window's imports, the entry point's routing, the import's scan (its root, and
every folder it cannot enter) and the card ingest all say what it says. A
`FolderProblem` names its kind first ("Folder not found: there is no folder
at …"); the command line prints it as `line`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from enum import StrEnum


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
