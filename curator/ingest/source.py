"""What is on the card: the photos under SOURCE, each with the files that travel
with it, and the sentences for what can't be ingested.

`scan_card(source)` walks SOURCE in a stable order into `CardGroup`s: a photo
(`imaging.formats`) and every file in its folder whose name starts with its
stem, ignoring case (pair mate, sidecars, companions), as `catalog.paths_codec`
pairs them. Other files are counted as left on the card. Like the import's
scan it skips hidden files, enters a folder once, reads no contents, and makes
a non-regular file or an unreadable folder a `CardProblem` with a sentence.

`nesting_problem(source, destinations)` refuses copies on or around the card,
and a backup that is not a folder of its own.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from curator.fs.folders import folder_error
from curator.fs.names import split_ext
from curator.imaging.formats import is_raw_path, is_supported_path
from curator.imaging.regular import not_regular_sentence


@dataclass(frozen=True)
class CardFile:
    path: str  # absolute, as the file system spells it
    rel: str  # relative to SOURCE, '/'-separated
    size: int
    mtime_ns: int
    photo: bool  # a photo (its own row in the catalog), else a companion or sidecar

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def fingerprint(self) -> tuple[str, int, int]:
        """What the card says about a file without reading it: name, size, time."""
        return (self.name, self.size, self.mtime_ns)


@dataclass(frozen=True)
class CardGroup:
    """A photo and what travels with it; every file's name starts with `stem`."""

    folder: str  # relative to SOURCE ('' at its root)
    stem: str  # the card's stem, as the lead photo spells it
    files: tuple[CardFile, ...]  # photos first (a RAW before the rest), then the others

    @property
    def photos(self) -> tuple[CardFile, ...]:
        return tuple(f for f in self.files if f.photo)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def suffix_of(self, file: CardFile) -> str:
        """What follows the stem in `file`'s name (".ARW", ".ARW.xmp", ".xmp")."""
        stem = split_ext(file.name)[0]
        if stem.casefold() != self.stem.casefold():  # a darktable sidecar: DSC1.ARW.xmp
            stem = split_ext(stem)[0]
        return file.name[len(stem) :]


@dataclass(frozen=True)
class CardProblem:
    path: str
    message: str


@dataclass
class CardScan:
    groups: list[CardGroup] = field(default_factory=list)
    problems: list[CardProblem] = field(default_factory=list)
    left_on_card: list[str] = field(default_factory=list)  # rel paths of files no photo owns

    @property
    def photos(self) -> int:
        return sum(len(g.photos) for g in self.groups)

    @property
    def files(self) -> int:
        return sum(len(g.files) for g in self.groups)


def scan_card(source: str) -> CardScan:
    """The groups under `source` (see the module docstring)."""
    scan = CardScan()
    root = os.path.abspath(source)
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in visited:
                continue
            visited.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problem = folder_error(folder, exc)
            scan.problems.append(CardProblem(folder, f"{problem.message} Its photos were skipped."))
            continue
        files: list[CardFile] = []
        subfolders: list[str] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                est = entry.stat(follow_symlinks=True)
            except OSError:
                scan.problems.append(
                    CardProblem(entry.path, "This is a link to nothing; Curator skipped it.")
                )
                continue
            if stat.S_ISDIR(est.st_mode):
                subfolders.append(entry.path)
            elif stat.S_ISREG(est.st_mode):
                rel = os.path.relpath(entry.path, root).replace(os.sep, "/")
                photo = is_supported_path(entry.name)
                files.append(CardFile(entry.path, rel, est.st_size, est.st_mtime_ns, photo))
            else:  # never opened: a FIFO would hang the copy, a device read forever
                scan.problems.append(CardProblem(entry.path, not_regular_sentence(est.st_mode)))
        rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
        _group_folder("" if rel_folder == "." else rel_folder, files, scan)
        stack.extend(reversed(subfolders))  # popped in name order
    return scan


def _group_folder(folder: str, files: list[CardFile], scan: CardScan) -> None:
    """One folder's files as groups: each photo's stem gathers what starts with it."""
    stems: dict[str, list[CardFile]] = {}
    for f in files:
        if f.photo:
            stems.setdefault(split_ext(f.name)[0].casefold(), []).append(f)
    photo_names = {f.name.casefold(): split_ext(f.name)[0].casefold() for f in files if f.photo}
    others: dict[str, list[CardFile]] = {}
    for f in files:
        if f.photo:
            continue
        stem = split_ext(f.name)[0].casefold()
        owner = photo_names.get(stem, stem)  # DSC1.ARW.xmp belongs to DSC1.ARW's stem
        if owner in stems:
            others.setdefault(owner, []).append(f)
        else:
            scan.left_on_card.append(f.rel)
    for key, photos in stems.items():
        photos.sort(key=lambda f: (not is_raw_path(f.name), f.name))
        lead_stem = split_ext(photos[0].name)[0]
        extra = sorted(others.get(key, []), key=lambda f: f.name)
        scan.groups.append(CardGroup(folder, lead_stem, (*photos, *extra)))


def nesting_problem(source: str, destinations: list[tuple[str, str]]) -> str | None:
    """Why these destinations can't take copies of `source`, in a sentence; None
    when they can. `destinations`: (role as the user knows it, path), e.g.
    ("destination", "/photos"), ("backup", "/backup")."""
    card = os.path.realpath(source)
    seen: list[tuple[str, str, str]] = []
    for role, path in destinations:
        real = os.path.realpath(path)
        if _within(real, card):
            return (
                f"The {role} {path} is inside the folder being ingested ({source}): the copies "
                "would be written onto the card. Choose a folder outside it."
            )
        if _within(card, real):
            return (
                f"The folder being ingested ({source}) is inside the {role} {path}: "
                "choose a destination that does not hold the card's folder."
            )
        for other_role, other_path, other_real in seen:
            if real == other_real:
                return (
                    f"The {role} is the same folder as the {other_role} ({path}): "
                    "choose another folder, best on another disk."
                )
            if _within(real, other_real) or _within(other_real, real):
                return (
                    f"The {role} {path} and the {other_role} {other_path} are one inside "
                    "the other: choose two separate folders, best on two disks."
                )
        seen.append((role, path, real))
    return None


def _within(path: str, folder: str) -> bool:
    """`path` is `folder` or lies under it (both resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
