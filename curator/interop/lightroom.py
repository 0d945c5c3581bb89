"""Reading a Lightroom Classic catalog (`.lrcat`): its images' decisions, read-only.

`read_lrcat(path)` opens the SQLite file read-only (`mode=ro`; `immutable`
when no WAL holds changes, else a copy of both), so no side file appears.

Lightroom Classic 13's schema (meanings from lrcat-extractor); columns are
untyped, so every value is converted here. Per image (`Adobe_images`): the
file's path (root + folder + base name + extension; `sidecarExtensions`
names a RAW+JPEG pair's JPEG), `rating`, `pick` (1, −1, 0), `colorLabels`
(`interop.labels`), `touchTime` (what a conflict is decided by), virtual
copies, capture time and size, keywords as paths with `includeOnExport`, and
the caption.

Refused with a sentence (`LightroomError`): a catalog Lightroom has open, a
file that is not a catalog, a schema it does not know.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import sqlite3
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, NamedTuple

from curator.catalog.backends.named_rows import select_list
from curator.catalog.tagging.keywords import SourceKeyword
from curator.imaging.regular import NotRegularFileError, open_regular

REQUIRED: dict[str, tuple[str, ...]] = {
    "Adobe_images": ("id_local", "rootFile", "rating", "pick", "colorLabels", "masterImage"),
    "AgLibraryFile": ("id_local", "baseName", "extension", "folder"),
    "AgLibraryFolder": ("id_local", "pathFromRoot", "rootFolder"),
    "AgLibraryRootFolder": ("id_local", "absolutePath"),
    "AgLibraryKeyword": ("id_local", "name"),
    "AgLibraryKeywordImage": ("image", "tag"),
}
"""The tables and columns every catalog must have; a catalog missing any is refused.
Other columns (touchTime, copyName, sidecarExtensions, includeOnExport, parent,
captureTime, fileWidth/Height, AgLibraryIPTC) are read where present."""

KNOWN_MAJOR_VERSIONS = range(3, 16)
"""Adobe_DBVersion // 100000: Lightroom 3 to Lightroom Classic 15 share these tables."""

COCOA_EPOCH = datetime(2001, 1, 1)
"""touchTime counts seconds from here (UTC)."""


class LightroomError(Exception):
    """A catalog that can't be read; str() is the sentence. `locked`: Lightroom has it open."""

    def __init__(self, message: str, *, locked: bool = False):
        super().__init__(message)
        self.locked = locked


@dataclass(frozen=True)
class LrImage:
    """One Adobe_images row, converted."""

    image_id: int
    path: str
    rating: int | None
    pick: int  # 1 picked, -1 rejected, 0 none
    label: str | None  # the label's text as Lightroom stores it
    keywords: tuple[SourceKeyword, ...]
    master: int | None = None  # the master's image id, for a virtual copy
    copy_name: str | None = None
    touched_at: datetime | None = None  # naive UTC
    captured_at: datetime | None = None
    size: tuple[int, int] | None = None  # pixels (width, height) as Lightroom has them
    paired: tuple[str, ...] = ()  # files Lightroom keeps with this RAW (its JPEG)
    caption: str | None = None

    @property
    def decided(self) -> bool:
        return bool(self.rating) or self.pick != 0 or bool(self.label)


@dataclass(frozen=True)
class LrCatalog:
    path: str
    version: str | None
    images: list[LrImage]
    roots: tuple[str, ...]  # the root folders' absolute paths
    # Images left out because a value is one Lightroom never writes (a rating
    # of 99, a pick of NaN, text in an id): (file path or id, what was wrong).
    invalid: tuple[tuple[str, str], ...] = ()


def read_lrcat(path: str) -> LrCatalog:
    """Every image's values (see the module docstring). Raises LightroomError."""
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise LightroomError(f"There is no Lightroom catalog at {path}.")
    if os.path.exists(path + ".lock"):
        raise LightroomError(
            f"Lightroom has {name} open ({name}.lock is beside it); close Lightroom and try again.",
            locked=True,
        )
    try:
        with _connection(path) as conn:
            version = _check_schema(conn, name)
            images, invalid = _images(conn)
            roots = tuple(
                str(r) for (r,) in conn.execute("SELECT absolutePath FROM AgLibraryRootFolder")
            )
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
    return LrCatalog(path, version, images, roots, tuple(invalid))


@contextlib.contextmanager
def _connection(path: str) -> Iterator[sqlite3.Connection]:
    name = os.path.basename(path)
    for part in (path, path + "-wal"):
        # A FIFO would hang SQLite's open and a device would copy forever.
        try:
            open_regular(part).close()
        except NotRegularFileError as exc:
            raise LightroomError(
                f"{os.path.basename(part)} could not be read: {exc.strerror}."
            ) from None
        except OSError:
            pass  # missing or unreadable: said below, where it is opened
    with contextlib.ExitStack() as stack:
        if os.path.exists(path + "-wal"):
            # Recent changes wait in the -wal: read a copy of both, so they count
            # and no -shm appears beside the user's catalog.
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="curator-lrcat-"))
            copy = os.path.join(folder, "catalog.lrcat")
            try:
                shutil.copyfile(path, copy)
                shutil.copyfile(path + "-wal", copy + "-wal")
            except OSError as exc:
                raise LightroomError(f"{name} could not be read ({exc.strerror or exc}).") from None
            uri = "file:" + urllib.parse.quote(copy)
        else:
            uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
            if _is_wal(path):
                # A WAL catalog nobody has open: even a read-only connection would
                # leave -wal/-shm files beside it; `immutable` reads the file alone.
                uri += "&immutable=1"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=2.0)
        except sqlite3.Error as exc:
            raise LightroomError(f"{name} could not be opened ({exc}).") from None
        try:
            yield conn
        finally:
            conn.close()


def _is_wal(path: str) -> bool:
    """True for an SQLite file in WAL mode (header bytes 18–19 are 2)."""
    try:
        with open_regular(path) as f:
            header = f.read(20)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02"


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def _check_schema(conn: sqlite3.Connection, name: str) -> str | None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in REQUIRED if t not in tables]  # whole tables first, then columns
    for table, columns in REQUIRED.items():
        if table in tables:
            have = _columns(conn, table)
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
            except (ValueError, OverflowError):  # text, infinity, NaN
                major = -1
            if major not in KNOWN_MAJOR_VERSIONS:
                raise LightroomError(
                    f"{name} has catalog version {version}, which Curator does not know "
                    f"(it reads Lightroom {KNOWN_MAJOR_VERSIONS[0]} to "
                    f"{KNOWN_MAJOR_VERSIONS[-1]}); its ratings were not taken."
                )
    return version


def _optional(conn: sqlite3.Connection, table: str, column: str, alias: str) -> str:
    return f"{alias}.{column}" if column in _columns(conn, table) else "NULL"


def _keywords(conn: sqlite3.Connection) -> dict[int, list[SourceKeyword]]:
    """image id → its keywords with their parents' path and privacy."""
    have = _columns(conn, "AgLibraryKeyword")
    parent = "parent" if "parent" in have else "NULL"
    export = "includeOnExport" if "includeOnExport" in have else "1"
    rows = conn.execute(f"SELECT id_local, name, {parent}, {export} FROM AgLibraryKeyword")
    table = {k: (n, p, e) for i, n, p, e in rows if (k := _int(i)) is not None}

    def path_of(kid: int) -> list[str]:
        names: list[str] = []
        seen: set[int] = set()
        current: int | None = kid
        while current is not None and current in table and current not in seen:
            seen.add(current)
            name, up, _ = table[current]
            if name is None:  # the root keyword
                break
            names.append(str(name))
            current = _int(up)
        return names[::-1]

    out: dict[int, list[SourceKeyword]] = {}
    for raw_image, raw_tag in conn.execute("SELECT image, tag FROM AgLibraryKeywordImage"):
        image, tag = _int(raw_image), _int(raw_tag)
        if image is None or tag is None:
            continue  # a link that names no image or keyword: nothing to take
        names = path_of(tag)
        if not names:
            continue
        private = _int(table[tag][2]) == 0  # includeOnExport off
        found = out.setdefault(image, [])
        # The keyword with its path, and its parents as Lightroom exports them
        # ("Include Parents"): the same keywords an XMP sidecar of it holds.
        found.append(SourceKeyword(names[-1], "|".join(names) if len(names) > 1 else "", private))
        found.extend(SourceKeyword(n, "", private) for n in names[:-1])
    return out


def _captions(conn: sqlite3.Connection) -> dict[int, str]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "AgLibraryIPTC" not in tables or "caption" not in _columns(conn, "AgLibraryIPTC"):
        return {}
    rows = conn.execute("SELECT image, caption FROM AgLibraryIPTC WHERE caption IS NOT NULL")
    return {k: str(c).strip() for i, c in rows if (k := _int(i)) is not None and str(c).strip()}


class _LrImageRow(NamedTuple):
    """One image of a Lightroom catalog as `_images` reads it; the optional
    columns (NULL here) are given when the read runs (`_optional`: the column
    where this Lightroom's catalog has it)."""

    raw_id: Annotated[object, "i.id_local"]
    root: Annotated[str | None, "r.absolutePath"]
    sub: Annotated[str | None, "fo.pathFromRoot"]
    base: Annotated[str, "fi.baseName"]
    ext: Annotated[str | None, "fi.extension"]
    rating: Annotated[object, "i.rating"]
    pick: Annotated[object, "i.pick"]
    label: Annotated[object, "i.colorLabels"]
    master: Annotated[object, "i.masterImage"]
    copy_name: Annotated[object, "NULL"]
    touched: Annotated[object, "NULL"]
    captured: Annotated[object, "NULL"]
    width: Annotated[object, "NULL"]
    height: Annotated[object, "NULL"]
    sidecars: Annotated[object, "NULL"]


def _images(conn: sqlite3.Connection) -> tuple[list[LrImage], list[tuple[str, str]]]:
    """The images, and those left out for values Lightroom never writes."""
    keywords = _keywords(conn)
    captions = _captions(conn)
    touch = _optional(conn, "Adobe_images", "touchTime", "i")
    capture = _optional(conn, "Adobe_images", "captureTime", "i")
    width = _optional(conn, "Adobe_images", "fileWidth", "i")
    height = _optional(conn, "Adobe_images", "fileHeight", "i")
    copy = _optional(conn, "Adobe_images", "copyName", "i")
    sidecars = _optional(conn, "AgLibraryFile", "sidecarExtensions", "fi")
    select = select_list(
        _LrImageRow,
        copy_name=copy,
        touched=touch,
        captured=capture,
        width=width,
        height=height,
        sidecars=sidecars,
    )
    query = (
        f"SELECT {select} FROM Adobe_images i "
        "JOIN AgLibraryFile fi ON fi.id_local = i.rootFile "
        "JOIN AgLibraryFolder fo ON fo.id_local = fi.folder "
        "JOIN AgLibraryRootFolder r ON r.id_local = fo.rootFolder "
        "ORDER BY i.id_local"
    )
    images: list[LrImage] = []
    invalid: list[tuple[str, str]] = []
    for row in map(_LrImageRow._make, conn.execute(query)):
        folder = f"{row.root or ''}{row.sub or ''}"
        file_name = f"{row.base}.{row.ext}" if row.ext else str(row.base)
        iid = _int(row.raw_id)
        wrong = _wrong_values(iid, row.rating, row.pick, row.master)
        if iid is None or wrong:
            invalid.append((os.path.normpath(f"{folder}{file_name}"), wrong or "its id"))
            continue
        paired = tuple(
            os.path.normpath(f"{folder}{row.base}.{e.strip()}")
            for e in str(row.sidecars or "").split(",")
            if e.strip() and e.strip().lower() != "xmp"
        )
        wi, hi = _int(row.width), _int(row.height)
        images.append(
            LrImage(
                image_id=iid,
                path=os.path.normpath(f"{folder}{file_name}"),
                rating=_int(row.rating),
                pick=_int(row.pick) or 0,
                label=str(row.label).strip() if row.label else None,
                keywords=tuple(keywords.get(iid, ())),
                master=_int(row.master),
                copy_name=str(row.copy_name) if row.copy_name else None,
                touched_at=_touch_time(row.touched),
                captured_at=_capture_time(row.captured),
                size=(wi, hi) if wi and hi else None,
                paired=paired,
                caption=captions.get(iid),
            )
        )
    return images, invalid


def _wrong_values(iid: int | None, rating: object, pick: object, master: object) -> str:
    """What in an image row is a value Lightroom never writes, or ''. Such an
    image is left out: a made-up rating must neither set nor clear a decision."""
    wrong = []
    if iid is None:
        wrong.append("its id")
    stars = _int(rating)
    if rating not in (None, "") and (stars is None or not 0 <= stars <= 5):
        wrong.append(f"rating {rating!r}")
    flag = _int(pick)
    if pick not in (None, "") and (flag is None or flag not in (-1, 0, 1)):
        wrong.append(f"pick {pick!r}")
    if master not in (None, "") and _int(master) is None:
        wrong.append(f"master image {master!r}")
    return ", ".join(wrong)


def _int(value: object) -> int | None:
    """A whole number from an untyped column; None for NULL, text, a fraction,
    infinity or NaN."""
    if value is None or value == "" or isinstance(value, bytes):
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    if not math.isfinite(number) or number != int(number):
        return None
    return int(number)


# touchTime beyond this (year ~2300) is no time Lightroom wrote.
_MAX_TOUCH_S = 1e10


def _touch_time(value: object) -> datetime | None:
    """touchTime (seconds since 2001-01-01, REAL) as naive UTC; None when unset
    or not a real time (text, infinity, NaN, centuries away)."""
    try:
        seconds = float(str(value))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(seconds) or seconds <= 0 or seconds > _MAX_TOUCH_S:
        return None
    return COCOA_EPOCH + timedelta(seconds=seconds)


def _capture_time(value: object) -> datetime | None:
    """captureTime ("2015-06-08T12:10:44.50", maybe with a zone) at second precision."""
    if not value:
        return None
    text = str(value).strip().replace(" ", "T")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text[:19])
        except ValueError:
            return None
    if when.tzinfo is not None:
        when = when.replace(tzinfo=None)  # Curator keeps EXIF's wall-clock time
    return when.replace(microsecond=0)


def touch_ns(when: datetime | None) -> int | None:
    """A naive-UTC time as the ns count `external.apply_external` takes."""
    if when is None:
        return None
    return int(when.replace(tzinfo=UTC).timestamp() * 1_000_000_000)
