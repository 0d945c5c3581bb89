"""How file paths are stored (the file system's exact bytes), and which paths
are one photo (a RAW and a JPEG of the same shot).

Paths are BLOBs of `os.fsencode(path)`; `display_path` makes them printable.
The `root_map` setting (`set_root_map`) maps a shared drive's roots between
seats: `encode_path` stores this seat's path as the catalog's, `decode_path` /
`display_path` give it back; a path outside every root is stored as it is.

RAW+JPEG pairs (m015): same folder and stem, any case. Each keeps its Photo
row; the JPEG's `pair_lead_id` points at the RAW unless the RAW failed.
`link_pairs` alone sets it (reconciling decisions by m015's rule). Whether a
pair counts as one photo is `pair_raw_jpeg` (`set_pairing`); off keeps the
pairing and decisions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import Expression

from curator.catalog.backends.dialect import chunks
from curator.catalog.migrations.m015_raw_jpeg_pairs import (
    GROUPS_TABLE,
    PAIR_KEY_SQL,
    reconcile_statements,
)
from curator.catalog.models import Photo, PhotoPath, Stage, StageStatus

# (from, to) root pairs, the longest `from` first: this seat's roots to the
# catalog's (`encode_path`), and back (`to_local`). Set by `set_root_map`.
_to_catalog: list[tuple[bytes, bytes]] = []
_to_local: list[tuple[bytes, bytes]] = []


def set_root_map(pairs: Iterable[tuple[str, str]]) -> None:
    """Where this seat finds the catalog's roots: (catalog root, local root) pairs,
    absolute and not `/` (settings.Settings.root_map checks them)."""
    cleaned = [(os.fsencode(c.rstrip("/")), os.fsencode(loc.rstrip("/"))) for c, loc in pairs]
    _to_catalog[:] = sorted(((loc, c) for c, loc in cleaned), key=lambda p: -len(p[0]))
    _to_local[:] = sorted(cleaned, key=lambda p: -len(p[0]))


def _swap(raw: bytes, pairs: list[tuple[bytes, bytes]]) -> bytes:
    for old, new in pairs:
        if raw.startswith(old) and raw[len(old) : len(old) + 1] in (b"", b"/"):
            return new + raw[len(old) :]
    return raw


def encode_path(path: str) -> bytes:
    """This seat's path as the catalog stores it (its bytes, under the catalog's root)."""
    raw = os.fsencode(path)
    return _swap(raw, _to_catalog) if _to_catalog else raw


def to_local(raw: bytes | memoryview) -> bytes:
    """A stored path's bytes where this seat finds the file (under its own root)."""
    data = bytes(raw)
    return _swap(data, _to_local) if _to_local else data


def decode_path(raw: bytes | memoryview | str) -> str:
    """The path as the OS spells it here (str, possibly with surrogate escapes); a
    str is taken as this seat's path already."""
    if isinstance(raw, str):
        return raw
    return os.fsdecode(to_local(raw))


def display_path(raw: bytes | memoryview | str) -> str:
    """A printable form of this seat's path: undecodable bytes become U+FFFD."""
    data = os.fsencode(raw) if isinstance(raw, str) else to_local(raw)
    return data.decode("utf-8", errors="replace")


# --- RAW+JPEG pairs --------------------------------------------------------------

_pairing = [True]


def set_pairing(on: bool) -> None:
    """Treat RAW+JPEG pairs as one photo (the `pair_raw_jpeg` setting) or not."""
    _pairing[0] = bool(on)


def pairing_on() -> bool:
    return _pairing[0]


# The photos another photo leads: the gallery leaves them out while pairing is
# on. Only a live JPEG beside a live RAW has a lead (`link_pairs` runs on a purge
# too), so this is the partial index photo_pair_follower alone, no join.
FOLLOWERS_SQL = "SELECT id FROM photo WHERE pair_lead_id IS NOT NULL"


def shown_sql() -> str:
    """The gallery's WHERE term for the photos it shows: live ones, and of a
    RAW+JPEG pair only its lead while pairing is on. The follower set costs
    each gallery query a probe per row (~7 ms on 100k photos), so a catalog
    without pairs (one probe of photo_pair_follower says so) is not charged."""
    if not pairing_on() or not has_followers():
        return "deleted_at IS NULL"
    return f"deleted_at IS NULL AND id NOT IN ({FOLLOWERS_SQL})"


def shown_photos() -> Expression:
    """`shown_sql` as a peewee condition on Photo, for counts and listings that
    must agree with the gallery (`curator list`, `curator status`)."""
    live: Expression = Photo.deleted_at.is_null()
    return live & Photo.pair_lead_id.is_null() if pairing_on() else live


def has_followers() -> bool:
    """Whether any photo follows a RAW now (one probe of photo_pair_follower)."""
    row = Photo._meta.database.execute_sql(f"{FOLLOWERS_SQL} LIMIT 1").fetchone()
    return row is not None


def pair_mates(photo_id: int) -> list[int]:
    """The other live files of `photo_id`'s pair (its lead, its lead's other
    followers, or its own followers); [] when pairing is off or it has none."""
    if not pairing_on():
        return []
    rows = Photo._meta.database.execute_sql(
        "SELECT p.id FROM photo p, (SELECT COALESCE(pair_lead_id, id) AS lead FROM photo"
        " WHERE id = ?) me WHERE (p.id = me.lead OR p.pair_lead_id = me.lead)"
        " AND p.id != ? AND p.deleted_at IS NULL ORDER BY p.id",
        [int(photo_id), int(photo_id)],
    )
    return [int(pid) for (pid,) in rows]


def followers_of(photo_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each of `photo_ids` that leads a pair -> its live followers (oldest first)."""
    ids = json.dumps([int(pid) for pid in photo_ids])
    rows = Photo._meta.database.execute_sql(
        "SELECT pair_lead_id, id FROM photo WHERE pair_lead_id IN"
        " (SELECT value FROM json_each(?)) AND deleted_at IS NULL ORDER BY id",
        [ids],
    )
    found: dict[int, list[int]] = {}
    for lead, pid in rows:
        found.setdefault(int(lead), []).append(int(pid))
    return found


def follower_paths() -> dict[int, list[bytes]]:
    """Every lead -> its live followers' stored paths (oldest first), while pairing
    is on; {} when it is off (each file is a photo of its own)."""
    if not pairing_on():
        return {}
    rows = Photo._meta.database.execute_sql(
        "SELECT pair_lead_id, path FROM photo WHERE pair_lead_id IS NOT NULL"
        " AND deleted_at IS NULL ORDER BY id"
    )
    found: dict[int, list[bytes]] = {}
    for lead, path in rows:
        found.setdefault(int(lead), []).append(bytes(path))
    return found


@dataclass(frozen=True)
class PairInfo:
    """What the grid and the loupe show of a lead's followers."""

    names: str  # their file names, "DSC0001.JPG"
    thumbnail_key: str | None  # the first follower's cached thumbnail / preview:
    preview_key: str | None  # shown while the RAW's own is not ready


def pair_info(photo_ids: Iterable[int]) -> dict[int, PairInfo]:
    """Each of `photo_ids` that leads a pair (while pairing is on) -> its followers'
    names and picture keys (a camera JPEG is measured before its RAW)."""
    if not pairing_on():
        return {}
    ids = json.dumps([int(pid) for pid in photo_ids])
    rows = Photo._meta.database.execute_sql(
        "SELECT pair_lead_id, path, thumbnail_key, preview_key FROM photo WHERE pair_lead_id IN"
        " (SELECT value FROM json_each(?)) AND deleted_at IS NULL ORDER BY id",
        [ids],
    )
    found: dict[int, PairInfo] = {}
    for lead, path, thumb, preview in rows:
        name = os.path.basename(display_path(path))
        had = found.get(int(lead))
        if had is None:
            found[int(lead)] = PairInfo(name, thumb, preview)
        else:
            found[int(lead)] = PairInfo(f"{had.names}, {name}", had.thumbnail_key, had.preview_key)
    return found


# A RAW the technical stage failed on (cut short while copying, unsupported)
# leads no JPEG: the JPEG beside it is a photo of its own, with its pixels, to
# cull and export, and the RAW keeps its own tile with its failure sentence. A
# retry that measures the RAW pairs them again (its batch calls link_pairs).
_FAILED_RAWS = (
    "SELECT photo_id FROM stage_run"
    f" WHERE stage = '{Stage.TECHNICAL.value}' AND status = '{StageStatus.FAILED.value}'"
)


def link_pairs(photo_ids: Iterable[int]) -> int:
    """Recompute the pairing of `photo_ids` and of every photo that shares, or
    shared, a pair key with them, inside the write that added, moved, measured
    or purged them; reconcile the decisions of the pairs that formed (while
    pairing is on). How many pairs formed."""
    ids = json.dumps(sorted({int(pid) for pid in photo_ids}))
    if ids == "[]":
        return 0
    db = Photo._meta.database
    among = "(SELECT value FROM json_each(?))"
    # The keys the photos had and have (a rename or a purge leaves a partner behind);
    # kept in SQL: a key is bytes (a Latin-1 name is no UTF-8 text).
    db.execute_sql("DROP TABLE IF EXISTS temp.pair_scope")
    db.execute_sql("CREATE TEMP TABLE pair_scope (key BLOB)")
    keep_keys = (
        f"INSERT INTO pair_scope SELECT pair_key FROM photo WHERE id IN {among}"
        " AND pair_key IS NOT NULL"
    )
    db.execute_sql(keep_keys, [ids])
    db.execute_sql(f"UPDATE photo SET pair_key = {PAIR_KEY_SQL} WHERE id IN {among}", [ids])
    db.execute_sql(keep_keys, [ids])
    scope = f"(id IN {among} OR pair_key IN (SELECT key FROM pair_scope))"
    args = [ids]
    before = dict(db.execute_sql(f"SELECT id, pair_lead_id FROM photo WHERE {scope}", args))
    db.execute_sql(
        "UPDATE photo SET pair_lead_id = CASE WHEN format = 'jpeg' AND deleted_at IS NULL"
        " AND pair_key IS NOT NULL THEN (SELECT r.id FROM photo r"
        " WHERE r.pair_key = photo.pair_key AND r.format = 'raw' AND r.deleted_at IS NULL"
        f" AND r.id NOT IN ({_FAILED_RAWS}) ORDER BY r.id LIMIT 1) END WHERE {scope}",
        args,
    )
    after = db.execute_sql(
        f"SELECT id, pair_lead_id FROM photo WHERE {scope} AND pair_lead_id IS NOT NULL", args
    ).fetchall()
    db.execute_sql("DROP TABLE pair_scope")
    formed = sorted({int(lead) for pid, lead in after if before.get(pid) != lead})
    if formed and pairing_on():  # off: two photos, each keeps its own decisions
        hold = getattr(db, "hold", None)  # PostgreSQL: decisions are written below
        if hold is not None:
            hold("DECISIONS")
        # The migration's own statements settle them, over its own table name.
        db.execute_sql(f"DROP TABLE IF EXISTS temp.{GROUPS_TABLE}")
        db.execute_sql(f"CREATE TEMP TABLE {GROUPS_TABLE} (id INTEGER PRIMARY KEY)")
        db.execute_sql(
            f"INSERT INTO {GROUPS_TABLE} (id) SELECT value FROM json_each(?)", [json.dumps(formed)]
        )
        for statement in reconcile_statements():
            db.execute_sql(statement)
    return len(formed)


def photo_ids_for_paths(paths: Iterable[str]) -> list[int]:
    """The photos that own these file paths (primary or duplicate paths), each
    path as this seat spells it."""
    raw = list(dict.fromkeys(encode_path(p) for p in paths))
    found: set[int] = set()
    for chunk in chunks(raw):
        found.update(
            int(i) for (i,) in Photo.select(Photo.id).where(Photo.path.in_(chunk)).tuples()
        )
        found.update(
            int(i)
            for (i,) in PhotoPath.select(PhotoPath.photo).where(PhotoPath.path.in_(chunk)).tuples()
        )
    return sorted(found)
