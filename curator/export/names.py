"""Safe names for what an export writes: no project or file name can escape DEST.

Each name goes through `safe_component` (`fs.names`). `export_folder(dest,
project)` is `DEST/approved` or `DEST/<safe project name>`, checked to sit in DEST.

`plan_names(sources, renditions)`: files with one stem in one folder (a
RAW+JPEG pair) form a `NameGroup` that keeps one base name and is renamed
together on a clash (`IMG_1-2.CR2`, `IMG_1-2.JPG`); two groups never share a
stem, case-insensitively (the later gets `-2`, `-3`…); a pair's renditions
after the first add their extension (`IMG_1_JPG.jpg`). Files already on disk
are `export.run`'s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from curator.fs.names import safe_component, split_ext
from curator.imaging.formats import is_raw_path

APPROVED_FOLDER = "approved"


class UnsafeFolderError(ValueError):
    """The export folder would not be inside DEST: it is a symbolic link (the user's
    doing), or a name that escapes (a bug guard: never expected). str() is the sentence."""


def with_suffix_number(name: str, n: int) -> str:
    """The clash name: `name-2.jpg` for n=2 (n=1 is the name itself)."""
    if n <= 1:
        return name
    stem, ext = split_ext(name)
    return f"{stem}-{n}{ext}"


@dataclass(frozen=True)
class NameGroup:
    """The files of an export that keep one base name (a RAW+JPEG pair)."""

    key: int = 0  # the group within a plan
    first_suffix: int = 1  # the number its names start from (1: none, 2: `-2`, …)
    size: int = 1  # how many files share it


@dataclass(frozen=True)
class PlannedNames:
    order: list[int]  # source indices, each group's files next to each other
    names: dict[int, str]  # source index → the file name (with the group's suffix)
    groups: dict[int, NameGroup]


def _group_rank(name: str) -> tuple[int, str]:
    """A RAW before anything else, then by extension: the order within a pair."""
    return (0 if is_raw_path(name) else 1, split_ext(name)[1].lower())


def plan_names(sources: list[str], renditions: bool) -> PlannedNames:
    """Names for the files of one export, `sources` in plan order (see the module
    docstring)."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for index, source in enumerate(sources):
        folder, base = os.path.split(source)
        stem = split_ext(safe_component(base, fallback="photo"))[0]
        grouped.setdefault((folder, stem.casefold()), []).append(index)
    order: list[int] = []
    names: dict[int, str] = {}
    groups: dict[int, NameGroup] = {}
    taken: dict[str, int] = {}  # stem (casefold) → the group key that has it
    for key, members in enumerate(grouped.values()):
        members.sort(key=lambda i: _group_rank(sources[i]))
        wanted: list[str] = []
        for i in members:
            name = safe_component(os.path.basename(sources[i]), fallback="photo")
            if renditions:
                stem, ext = split_ext(name)
                name = stem + ".jpg"
                if any(w.casefold() == name.casefold() for w in wanted):
                    name = f"{stem}_{ext.lstrip('.')}.jpg"
            wanted.append(name)
        stem = split_ext(wanted[0])[0]
        n = 1
        while split_ext(with_suffix_number(stem + ".x", n))[0].casefold() in taken:
            n += 1
        taken[split_ext(with_suffix_number(stem + ".x", n))[0].casefold()] = key
        group = NameGroup(key=key, first_suffix=n, size=len(members))
        for i, name in zip(members, wanted, strict=True):
            names[i] = with_suffix_number(name, n)
            groups[i] = group
        order.extend(members)
    return PlannedNames(order, names, groups)


def base_name(name: str, group: NameGroup) -> str:
    """A planned name without its group's suffix (what the runner counts on from)."""
    if group.first_suffix <= 1:
        return name
    stem, ext = split_ext(name)
    return stem.removesuffix(f"-{group.first_suffix}") + ext


def export_folder(dest: Path, project: str | None) -> Path:
    """`DEST/approved` for the approved set, else `DEST/<safe project name>`;
    `UnsafeFolderError` if the folder would not sit directly in DEST."""
    part = APPROVED_FOLDER if project is None else safe_component(project, fallback="project")
    folder = dest / part
    base = dest.resolve()
    if folder.is_symlink():
        # Following it would write outside DEST (or into someone else's folder).
        raise UnsafeFolderError(
            f"The export folder {folder} is a link to {os.readlink(folder)}, not a folder "
            f"inside {dest}; Curator exports only into a real folder there. Remove the link "
            "or pick another destination."
        )
    if folder.resolve().parent != base or part in ("", ".", ".."):
        raise UnsafeFolderError(f"The export folder {folder} would not be inside {dest}.")
    return folder
