"""Taking ratings, flags, labels and keywords from a Lightroom Classic catalog.

A `.lrcat` is an SQLite database. `read_lrcat(path)` opens it READ-ONLY
(`file:…?mode=ro` URI: SQLite can't write the file through that connection,
so Lightroom's catalog is never harmed; a WAL-mode catalog that nobody has
open — no `-wal` file — is opened `immutable` too, so not even the -wal/-shm
side files appear beside it) and reads, from its documented tables, per
master image (virtual copies are left out: they share the file):

- the file's full path: AgLibraryRootFolder.absolutePath +
  AgLibraryFolder.pathFromRoot + AgLibraryFile.baseName + "." + extension;
- Adobe_images.rating (stars), .pick (1 pick, −1 reject, 0 none) and
  .colorLabels ("Red", …);
- keywords: AgLibraryKeyword.name through AgLibraryKeywordImage.

It refuses, with one sentence each (`LightroomError`): a catalog Lightroom
has open (a `NAME.lrcat.lock` beside it, or SQLite says it is busy —
`locked` is True then), a file that is not a Lightroom catalog, and a
schema it does not know (a table or column missing, or an
Adobe_variablesTable `Adobe_DBVersion` outside the versions below).

`import_lightroom(path)` then applies each image whose file is in Curator's
catalog through `interop.external.apply_external_many` (source
"lightroom"): the same rules as XMP on import — only values changed since
the last import are taken, a later change in Curator wins (the catalog
file's mtime is the time of Lightroom's values). Images whose file Curator
does not know are counted, with their folders, so the user can import
those folders first. Needs an open Curator catalog; no Qt.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from curator.interop.external import ExternalJudgment, apply_external_many, photo_ids_by_path
from curator.tags import normalise_tags

SOURCE = "lightroom"
APPLY_BATCH = 500

REQUIRED: dict[str, tuple[str, ...]] = {
    "Adobe_images": ("id_local", "rootFile", "rating", "pick", "colorLabels", "masterImage"),
    "AgLibraryFile": ("id_local", "baseName", "extension", "folder"),
    "AgLibraryFolder": ("id_local", "pathFromRoot", "rootFolder"),
    "AgLibraryRootFolder": ("id_local", "absolutePath"),
    "AgLibraryKeyword": ("id_local", "name"),
    "AgLibraryKeywordImage": ("image", "tag"),
}
"""The tables and columns read; a catalog missing any is refused."""

KNOWN_MAJOR_VERSIONS = range(3, 16)
"""Adobe_DBVersion // 100000: Lightroom 3 to Lightroom Classic 15 share these tables."""


class LightroomError(Exception):
    """A catalog that can't be read; str() is the sentence. `locked`: Lightroom has it open."""

    def __init__(self, message: str, *, locked: bool = False):
        super().__init__(message)
        self.locked = locked


@dataclass(frozen=True)
class LrImage:
    path: str
    rating: int | None
    pick: int  # 1 picked, -1 rejected, 0 none
    label: str | None
    keywords: tuple[str, ...]

    def judgment(self) -> ExternalJudgment:
        return ExternalJudgment(
            rating=self.rating if self.rating is not None and 1 <= self.rating <= 5 else None,
            rejected=self.pick < 0,
            picked=self.pick > 0,
            label=self.label or None,
            keywords=tuple(normalise_tags(self.keywords)),
        )


@dataclass(frozen=True)
class LrCatalog:
    path: str
    version: str | None
    mtime_ns: int
    images: list[LrImage]


@dataclass
class LightroomReport:
    """What `import_lightroom` did (the CLI's summary and --json)."""

    catalog: str
    images: int = 0
    matched: int = 0
    applied: int = 0  # photos that took at least one decision
    unchanged: int = 0  # matched photos whose Lightroom values were already taken
    kept_curator: int = 0  # photos where a later Curator change kept a field
    not_in_catalog: int = 0
    missing_folders: list[tuple[str, int]] = field(default_factory=list)  # most first

    def as_json(self) -> dict[str, object]:
        return {
            "catalog": self.catalog,
            "images": self.images,
            "matched": self.matched,
            "applied": self.applied,
            "unchanged": self.unchanged,
            "kept_curator": self.kept_curator,
            "not_in_catalog": self.not_in_catalog,
            "missing_folders": [{"folder": f, "images": n} for f, n in self.missing_folders],
        }


def read_lrcat(path: str) -> LrCatalog:
    """Every master image's values (see the module docstring). Raises LightroomError."""
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise LightroomError(f"There is no Lightroom catalog at {path}.")
    if os.path.exists(path + ".lock"):
        raise LightroomError(
            f"Lightroom has {name} open ({name}.lock is beside it); close Lightroom and try again.",
            locked=True,
        )
    mtime_ns = os.stat(path).st_mtime_ns
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    if _is_wal(path) and not os.path.exists(path + "-wal"):
        # A WAL catalog nobody has open: even a read-only connection would
        # leave -wal/-shm files beside it; `immutable` reads the file alone.
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=2.0)
    except sqlite3.Error as exc:
        raise LightroomError(f"{name} could not be opened ({exc}).") from None
    try:
        version = _check_schema(conn, name)
        images = _images(conn)
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise LightroomError(
                f"{name} is in use by another program (SQLite says it is busy); "
                "close Lightroom and try again.",
                locked=True,
            ) from None
        raise LightroomError(f"{name} could not be read as a Lightroom catalog ({exc}).") from None
    except sqlite3.DatabaseError as exc:
        raise LightroomError(f"{name} is not a Lightroom catalog ({exc}).") from None
    finally:
        conn.close()
    return LrCatalog(path, version, mtime_ns, images)


def _is_wal(path: str) -> bool:
    """True for an SQLite file in WAL mode (header bytes 18–19 are 2)."""
    try:
        with open(path, "rb") as f:
            header = f.read(20)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02"


def _check_schema(conn: sqlite3.Connection, name: str) -> str | None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in REQUIRED if t not in tables]  # whole tables first, then columns
    for table, columns in REQUIRED.items():
        if table in tables:
            have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
            missing += [f"{table}.{c}" for c in columns if c not in have]
    if missing:
        raise LightroomError(
            f"{name} is not a Lightroom Classic catalog Curator knows "
            f"(missing {', '.join(missing[:4])}{'…' if len(missing) > 4 else ''})."
        )
    version: str | None = None
    if "Adobe_variablesTable" in tables:
        row = conn.execute(
            "SELECT value FROM Adobe_variablesTable WHERE name = 'Adobe_DBVersion'"
        ).fetchone()
        if row is not None and row[0] is not None:
            version = str(row[0]).strip()
            try:
                major = int(float(version)) // 100000
            except ValueError:
                major = -1
            if major not in KNOWN_MAJOR_VERSIONS:
                raise LightroomError(
                    f"{name} has catalog version {version}, which Curator does not know "
                    f"(it reads Lightroom {KNOWN_MAJOR_VERSIONS[0]} to "
                    f"{KNOWN_MAJOR_VERSIONS[-1]}); its ratings were not taken."
                )
    return version


def _images(conn: sqlite3.Connection) -> list[LrImage]:
    keywords: dict[int, list[str]] = {}
    for image, kw in conn.execute(
        "SELECT ki.image, k.name FROM AgLibraryKeywordImage ki "
        "JOIN AgLibraryKeyword k ON k.id_local = ki.tag WHERE k.name IS NOT NULL "
        "ORDER BY ki.image, k.name"
    ):
        keywords.setdefault(int(image), []).append(str(kw))
    images: list[LrImage] = []
    query = (
        "SELECT i.id_local, r.absolutePath, fo.pathFromRoot, fi.baseName, fi.extension, "
        "i.rating, i.pick, i.colorLabels "
        "FROM Adobe_images i "
        "JOIN AgLibraryFile fi ON fi.id_local = i.rootFile "
        "JOIN AgLibraryFolder fo ON fo.id_local = fi.folder "
        "JOIN AgLibraryRootFolder r ON r.id_local = fo.rootFolder "
        "WHERE i.masterImage IS NULL ORDER BY i.id_local"
    )
    for image_id, root, sub, base, ext, rating, pick, label in conn.execute(query):
        file_name = f"{base}.{ext}" if ext else str(base)
        images.append(
            LrImage(
                path=os.path.normpath(f"{root or ''}{sub or ''}{file_name}"),
                rating=_int(rating),
                pick=_int(pick) or 0,
                label=str(label).strip() if label else None,
                keywords=tuple(keywords.get(int(image_id), ())),
            )
        )
    return images


def _int(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number == int(number) else None


def import_lightroom(path: str) -> LightroomReport:
    """Read the .lrcat and apply its values to Curator's open catalog."""
    lrcat = read_lrcat(path)
    report = LightroomReport(catalog=os.path.abspath(path), images=len(lrcat.images))
    ids = photo_ids_by_path([im.path for im in lrcat.images])
    missing: Counter[str] = Counter()
    items: list[tuple[int, ExternalJudgment, int | None]] = []
    seen: set[int] = set()
    for image in lrcat.images:
        pid = ids.get(image.path)
        if pid is None:
            missing[os.path.dirname(image.path)] += 1
            continue
        if pid in seen:
            continue  # two Lightroom entries for one Curator photo (a copy): the first
        seen.add(pid)
        items.append((pid, image.judgment(), lrcat.mtime_ns))
    report.matched = len(items)
    report.not_in_catalog = sum(missing.values())
    report.missing_folders = missing.most_common(10)
    for start in range(0, len(items), APPLY_BATCH):
        for result in apply_external_many(items[start : start + APPLY_BATCH], SOURCE):
            report.applied += int(result.applied)
            report.unchanged += int(result.unchanged)
            report.kept_curator += int(bool(result.kept_curator))
    return report
