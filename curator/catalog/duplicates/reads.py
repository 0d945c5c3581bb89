"""What the near-duplicates search reads from the catalog, and the groups as
stored (`photo.duplicate_group`, m033).

The photos looked at are the live ones the grid shows (`shown_sql`: of a
RAW+JPEG pair only its lead, while pairing is on: the pair is one photo
already). Rows are read with one statement each, in slices (`fetch_all`):
100,000 photos' inputs in well under a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, NamedTuple

from peewee import Database

from curator.catalog.backends.bulk_read import fetch_all
from curator.catalog.backends.dialect import chunks
from curator.catalog.backends.named_rows import select_list
from curator.catalog.judgments import stored_datetime
from curator.catalog.models import Photo
from curator.catalog.paths_codec import shown_sql
from curator.records import DuplicateInput

HASH_BYTES = 33  # the fingerprint's version and hashes (imaging.fingerprint.HASH_BYTES)


class _InputRow(NamedTuple):
    """A photo as the search reads it (each column's SQL beside it)."""

    photo_id: Annotated[int, "id"]
    fingerprint: Annotated[bytes | None, "fingerprint"]
    captured_at: Annotated[object, "captured_at"]
    capture_subsec: Annotated[int | None, "capture_subsec"]
    sequence_number: Annotated[int | None, "sequence_number"]
    exposure_time: Annotated[float | None, "exposure_time"]
    f_number: Annotated[float | None, "f_number"]
    iso: Annotated[int | None, "iso"]
    exposure_bias: Annotated[float | None, "exposure_bias"]


def _db() -> Database:
    return Photo._meta.database


def _input(row: Any) -> DuplicateInput:
    r = _InputRow._make(row)
    return DuplicateInput(
        int(r.photo_id),
        bytes(r.fingerprint) if r.fingerprint is not None else None,
        stored_datetime(r.captured_at) if r.captured_at is not None else None,
        r.capture_subsec,
        r.sequence_number,
        r.exposure_time,
        r.f_number,
        r.iso,
        r.exposure_bias,
    )


def duplicate_inputs(photo_ids: Iterable[int] | None = None) -> list[DuplicateInput]:
    """The fingerprint and moment of each live photo that has a fingerprint
    (or of those of `photo_ids`)."""
    sql = (
        f"SELECT {select_list(_InputRow)} FROM photo"
        f" WHERE fingerprint IS NOT NULL AND {shown_sql()}"
    )
    if photo_ids is None:
        return [_input(r) for r in fetch_all(_db().execute_sql(sql))]
    out: list[DuplicateInput] = []
    for chunk in chunks(sorted(set(photo_ids))):
        marks = ",".join("?" * len(chunk))
        cursor = _db().execute_sql(f"{sql} AND id IN ({marks})", chunk)
        out.extend(_input(r) for r in fetch_all(cursor))
    return out


def hash_rows() -> list[tuple[int, bytes]]:
    """(id, the fingerprint's first `HASH_BYTES`) of each live photo with one:
    what the index reads to place new photos (a tenth of the whole)."""
    sql = (
        f"SELECT id, substr(fingerprint, 1, {HASH_BYTES}) FROM photo"
        f" WHERE fingerprint IS NOT NULL AND {shown_sql()}"
    )
    return [(int(i), bytes(h)) for i, h in fetch_all(_db().execute_sql(sql))]


def unlooked() -> list[int]:
    """Live photos whose fingerprint was not compared with the catalog's yet."""
    sql = (
        "SELECT id FROM photo WHERE fingerprint IS NOT NULL AND duplicates_looked = 0"
        f" AND {shown_sql()} ORDER BY id"
    )
    return [int(r[0]) for r in fetch_all(_db().execute_sql(sql))]


def pairs_apart() -> list[tuple[int, int]]:
    """Every pair the photographer marked "not a duplicate"."""
    cursor = _db().execute_sql("SELECT photo_a, photo_b FROM not_duplicate")
    return [(int(a), int(b)) for a, b in fetch_all(cursor)]


def stored_groups(photo_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """The stored groups (group id → its live photos' ids, ascending); with
    `photo_ids`, only the groups those photos are in."""
    sql = (
        f"SELECT duplicate_group, id FROM photo WHERE duplicate_group IS NOT NULL AND {shown_sql()}"
    )
    if photo_ids is not None:
        wanted = sorted(set(photo_ids))
        groups: set[int] = set()
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            cursor = _db().execute_sql(
                f"SELECT DISTINCT duplicate_group FROM photo WHERE duplicate_group IS NOT NULL"
                f" AND id IN ({marks})",
                chunk,
            )
            groups.update(int(r[0]) for r in fetch_all(cursor))
        if not groups:
            return {}
        sql += f" AND duplicate_group IN ({','.join(str(g) for g in sorted(groups))})"
    out: dict[int, list[int]] = {}
    for group, pid in fetch_all(_db().execute_sql(f"{sql} ORDER BY duplicate_group, id")):
        out.setdefault(int(group), []).append(int(pid))
    return {g: ids for g, ids in out.items() if len(ids) > 1}
