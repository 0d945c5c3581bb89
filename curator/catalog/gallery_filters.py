"""The gallery's metadata filters (camera, lens, date range, ISO range, file
name, people, this seat's proposals, a client's picks, near-duplicates) and the choices the
filter popup offers.

`metadata_where` turns a `MetadataFilter` into parameterised SQL over `photo`;
an empty filter adds nothing, keeping index-only plans.

Invariants: a camera filters by its stored model (else make), the key
`metadata_choices` groups by, labelled `camera_names.camera_name`; dates are
whole days, both ends included; the file-name test is on the last component,
ASCII case-insensitive, `%`/`_` literal.

`ordered_ids`, `ids_in` and `ranked_among` read and narrow the id lists
outside SQL, keeping a list's order.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from curator.camera_names import camera_name
from curator.catalog.backends.dialect import SQLITE_FILE_NAME_SQL, dialect_of
from curator.catalog.backends.seat import current_seat
from curator.catalog.models import Photo
from curator.catalog.people.coverage import people_coverage
from curator.catalog.people.filters import FLAGGED_SQL, PERSON_SQL, people_ids
from curator.catalog.proposals.store import proposal_counts, proposal_id_set
from curator.catalog.types import FilterChoice as FilterChoice  # the value types live there
from curator.catalog.types import MetadataChoices as MetadataChoices
from curator.catalog.types import MetadataFilter as MetadataFilter
from curator.catalog.types import ProposalChoice

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# Ids in order: a list, or (a long one, numpy loaded) the array numpy parsed.
IdValues: TypeAlias = "list[int] | NDArray[np.int64]"

# The last component of `photo.path` (a BLOB of the file system's bytes), as
# SQLite spells it (backends.dialect; PostgreSQL reads its own, see there).
FILE_NAME_SQL = SQLITE_FILE_NAME_SQL
# The MATCH photos as a range of the scores' order index. Purged photos may keep
# a score: callers intersect with the live photos.
MATCH_SQL = "SELECT photo_id AS id FROM photo_preference WHERE score >= ?"
# The photos a client hearted in the gallery of a token (m032's hearted index).
CLIENT_PICKS_SQL = (
    "SELECT photo_id AS id FROM proof_photo WHERE hearted <> 0"
    " AND gallery_id = (SELECT id FROM proof_gallery WHERE token = ?)"
)
# The photos stored more than once: in a group of near-duplicates (m033) with
# another live photo (a group whose other copies were purged is a photo alone).
DUPLICATES_SQL = (
    "SELECT id FROM photo WHERE deleted_at IS NULL AND duplicate_group IN"
    " (SELECT duplicate_group FROM photo WHERE duplicate_group IS NOT NULL"
    " AND deleted_at IS NULL GROUP BY duplicate_group HAVING COUNT(*) > 1)"
)
# A gallery row's group (`GalleryRow.duplicate_group`, over `photo`): while
# another copy of its picture is live and not rejected, else NULL.
DUPLICATED_SQL = (
    "CASE WHEN photo.duplicate_group IS NOT NULL AND EXISTS (SELECT 1 FROM photo twin"
    " WHERE twin.duplicate_group = photo.duplicate_group AND twin.id <> photo.id"
    " AND twin.deleted_at IS NULL AND twin.cull <> 'rejected') THEN photo.duplicate_group END"
)
# The client galleries, newest first, with their hearted photos.
CLIENT_GALLERIES_SQL = (
    "SELECT g.token, g.title, (SELECT COUNT(*) FROM proof_photo p"
    " WHERE p.gallery_id = g.id AND p.hearted <> 0) FROM proof_gallery g"
    " ORDER BY g.made_at DESC, g.id DESC"
)
# Every scored photo, best first: the whole order index, read alone.
BY_PREFERENCE_SQL = "SELECT photo_id AS id FROM photo_preference ORDER BY score DESC, photo_id"
MATCH_BY_PREFERENCE_SQL = (
    "SELECT photo_id AS id FROM photo_preference WHERE score >= ? ORDER BY score DESC, photo_id"
)
# A first page under MATCH on SQLite, when the MATCH set is wide: each photo
# the sort's walk reaches has its score looked up by id (a probe per photo,
# ~1 µs) instead of the whole set built first (`+id IN (MATCH_SQL)`: ~24,000
# ids at the default bar of 100,000 photos, 15-30 ms before the first row).
# A narrow set is cheaper built (few ids) than probed (a long walk).
MATCH_PROBE_SQL = (
    "EXISTS (SELECT 1 FROM photo_preference match_score"
    " WHERE match_score.photo_id = photo.id AND match_score.score >= ?)"
)
MATCH_WIDE = 5_000  # photos at or over the bar from which a first page probes


def match_is_wide(threshold: float) -> bool:
    """Whether at least `MATCH_WIDE` photos score at or over `threshold`
    (counted in the scores' order index, the count stopped there: < 0.3 ms)."""
    (n,) = Photo._meta.database.execute_sql(
        "SELECT count(*) FROM (SELECT 1 FROM photo_preference WHERE score >= ? LIMIT ?) s",
        [float(threshold), MATCH_WIDE],
    ).fetchone()
    return int(n) >= MATCH_WIDE


# The key a camera is filtered and grouped by.
CAMERA_SQL = "COALESCE(camera_model, camera_make)"


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def metadata_where(
    f: MetadataFilter, *, sets_in_python: bool = False
) -> tuple[list[str], list[object]]:
    """SQL conditions (to AND together) and their parameters for `f`;
    `sets_in_python`: without the id sets of `metadata_id_sets`, which the
    caller tests on the sorted list (`ids_in`: ~10 ms less than SQLite's probe
    per index entry, of a camera filter's ~34 at 100,000 photos).

    Each id set is a `+id IN (subquery)`: the unary `+` keeps the outer query
    on its sort's index (a membership test per entry, no table row, no sort).
    The date range stays in the outer query, a range of the capture-time
    index. A narrow set (`_narrow_sets`: the file name through a trigram
    index) always narrows in SQL, a probe per id: set-testing the whole
    sorted list would cost ~27 of its ~28 ms."""
    where, params = _dates(f)
    if _conditions_inline():
        conditions, more = _conditions(f)
        where.extend(conditions)
        params.extend(more)
    narrow = _narrow_sets(f)
    for sql, more in metadata_id_sets(f) if not sets_in_python else narrow:
        # A narrow set's few photos are looked up by id (SQLite: no unary `+`).
        where.append(f"id IN ({sql})" if (sql, more) in narrow else f"+id IN ({sql})")
        params.extend(more)
    return where, params


def _conditions_inline() -> bool:
    """Camera, lens and ISO as plain conditions of the outer query (PostgreSQL):
    its planner picks the expression index's bitmap or the sort's index by
    their sizes (a camera's first page 13 ms at 100,000 photos), where the id
    set, a self-join, took 51 ms. SQLite keeps the set (`metadata_where`)."""
    return dialect_of(Photo._meta.database).is_postgres


def python_id_sets(f: MetadataFilter) -> list[tuple[str, list[object]]]:
    """The id sets a caller of `metadata_where(sets_in_python=True)` tests
    itself: every set of `metadata_id_sets` but the narrow ones it kept."""
    narrow = _narrow_sets(f)
    return [found for found in metadata_id_sets(f) if found not in narrow]


def _narrow_sets(f: MetadataFilter) -> list[tuple[str, list[object]]]:
    """The file name's set when a trigram index answers it (PostgreSQL's
    pg_trgm, SQLite's `photo_fts_names`): a few ids, always applied in SQL."""
    if not f.name_contains:
        return []
    from curator.catalog.backends.pg_trigram import has_trigram

    db = Photo._meta.database
    if dialect_of(db).is_postgres:
        indexed = getattr(db, "name_trigram", False) and has_trigram(f.name_contains)
    else:
        indexed = _sqlite_trigram_needle(f.name_contains)
    return [metadata_id_sets(f)[-1]] if indexed else []  # the file name's, always last


def _sqlite_trigram_needle(needle: str) -> bool:
    """Whether SQLite's names trigram index (m022) answers `needle`."""
    return len(needle) >= 3 and needle.isascii()


def metadata_id_sets(f: MetadataFilter) -> list[tuple[str, list[object]]]:
    """The `SELECT id …` (with its parameters) of each id set `f` narrows to:
    camera, lens and ISO in one (m009's indexes; inline on PostgreSQL:
    `_conditions_inline`), the file name, people, this seat's proposals, a
    client's picks, near-duplicates."""
    sets: list[tuple[str, list[object]]] = []
    conditions, params = _conditions(f)
    if conditions and not _conditions_inline():
        inner = " AND ".join(["deleted_at IS NULL", *conditions])
        sets.append((f"SELECT id FROM photo WHERE {inner}", params))
    if f.people is not None:  # the faces summary's narrow table (catalog.people.filters)
        sets.append(_people_set(f.people.token))
    if f.person is not None:  # one person's photos (the People view's click)
        sets.append((PERSON_SQL, [f.person]))
    if f.proposal is not None:  # this photographer's proposals (catalog.proposals)
        sets.append(proposal_id_set(f.proposal, current_seat().user))
    if f.client_picks:  # a client's hearts in one gallery (catalog.proofing)
        sets.append((CLIENT_PICKS_SQL, [f.client_picks]))
    if f.duplicates:  # near-duplicates (catalog.duplicates)
        sets.append((DUPLICATES_SQL, []))
    if f.name_contains:
        like = f"%{_like_literal(f.name_contains)}%"
        db = Photo._meta.database
        if dialect_of(db).is_postgres:
            sets.append(_postgres_name_set(f.name_contains, like, db))
            return sets
        sets.append(_sqlite_name_set(f.name_contains, like))
    return sets


def _people_set(token: str) -> tuple[str, list[object]]:
    """A People choice's photos: its token's people filter (each choice has one,
    tests/unit/test_filter_choices.py)."""
    found = people_ids(token)
    if found is None:
        raise ValueError(f"the People choice's token {token!r} is no people filter")
    return found


def _sqlite_name_set(needle: str, like: str) -> tuple[str, list[object]]:
    """The file-name filter on SQLite. A needle of three or more ASCII
    characters is looked up in m022's trigram index (~1 ms at 100,000 photos),
    the scan's own LIKE deciding on what it finds (a superset: the index folds
    case beyond ASCII), so the photos are exactly the scan's. A shorter or
    non-ASCII needle scans m009's file-name index, whose entries hold the name
    (~27 ms, 3-4x faster than computing it per row)."""
    if _sqlite_trigram_needle(needle):
        phrase = '"' + needle.replace('"', '""') + '"'
        return (
            "SELECT rowid AS id FROM photo_fts_names WHERE photo_fts_names MATCH ?"
            " AND name LIKE ? ESCAPE '\\'",
            [phrase, like],
        )
    sql = (
        "SELECT id FROM photo INDEXED BY photo_gallery_name"
        f" WHERE deleted_at IS NULL AND {FILE_NAME_SQL} LIKE ? ESCAPE '\\'"
    )
    return sql, [like]


def _postgres_name_set(needle: str, like: str, db: Any) -> tuple[str, list[object]]:
    """The file-name filter on PostgreSQL: through the trigram index where there
    is one and the needle has a trigram, else a scan where the whole path's
    escaped bytes (a builtin) filter first and the name (a function call) is
    computed only for those; the scan's subquery is a fence (OFFSET 0), so the
    planner never sends a trigram-less needle to the trigram index."""
    from curator.catalog.backends.pg_trigram import has_trigram

    named = f"{FILE_NAME_SQL} LIKE ? ESCAPE '\\'"  # curator_file_name(path) ILIKE ?
    if getattr(db, "name_trigram", False) and has_trigram(needle):
        return f"SELECT id FROM photo WHERE deleted_at IS NULL AND {named}", [like]
    plain = needle.isascii() and needle.isprintable() and "\\" not in needle
    prefilter = " AND encode(path, 'escape') ILIKE ? ESCAPE '\\'" if plain else ""
    sql = (
        f"SELECT id FROM (SELECT id, path FROM photo WHERE deleted_at IS NULL{prefilter}"
        f" OFFSET 0) AS scanned WHERE {named}"
    )
    return sql, [like, like] if plain else [like]


def _dates(f: MetadataFilter) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    # captured_at is stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]': day strings compare in order.
    if f.date_from is not None:
        where.append("captured_at >= ?")
        params.append(f"{f.date_from:%Y-%m-%d}")
    if f.date_to is not None:
        where.append("captured_at < ?")
        params.append(f"{f.date_to + timedelta(days=1):%Y-%m-%d}")
    return where, params


def _conditions(f: MetadataFilter) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    if f.camera:
        where.append(f"{CAMERA_SQL} = ?")
        params.append(f.camera)
    if f.lens:
        where.append("lens = ?")
        params.append(f.lens)
    if f.iso_min is not None:
        where.append("iso >= ?")
        params.append(int(f.iso_min))
    if f.iso_max is not None:
        where.append("iso <= ?")
        params.append(int(f.iso_max))
    return where, params


def _day(value: object) -> date | None:
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def metadata_choices() -> MetadataChoices:
    """Distinct cameras and lenses of the live photos, most used first, the
    date and ISO spans (one grouped pass each; a few ms at 100k photos),
    how many keeps, rejects and highlights this seat's photographer has proposed,
    and the people with their kept photos (catalog.people.coverage)."""
    db = Photo._meta.database
    cameras = tuple(
        FilterChoice(str(key), camera_name(make, model) or str(key), int(n))
        for key, make, model, n in db.execute_sql(
            f"SELECT {CAMERA_SQL} AS k, MAX(camera_make), MAX(camera_model), COUNT(*) AS n"
            f" FROM photo WHERE deleted_at IS NULL AND {CAMERA_SQL} IS NOT NULL"
            " GROUP BY k ORDER BY n DESC, k"
        ).fetchall()
    )
    lenses = tuple(
        FilterChoice(str(lens), str(lens), int(n))
        for lens, n in db.execute_sql(
            "SELECT lens, COUNT(*) AS n FROM photo WHERE deleted_at IS NULL AND lens IS NOT NULL"
            " AND lens != '' GROUP BY lens ORDER BY n DESC, lens"
        ).fetchall()
    )
    row = db.execute_sql(
        "SELECT MIN(captured_at), MAX(captured_at), MIN(iso), MAX(iso)"
        " FROM photo WHERE deleted_at IS NULL"
    ).fetchone()
    first, last, iso_low, iso_high = row if row else (None, None, None, None)
    counts = proposal_counts(current_seat().user)
    proposals = tuple(
        FilterChoice(choice.value, choice.label, counts[choice]) for choice in ProposalChoice
    )
    return MetadataChoices(
        cameras=cameras,
        lenses=lenses,
        first_day=_day(first),
        last_day=_day(last),
        iso_low=None if iso_low is None else int(iso_low),
        iso_high=None if iso_high is None else int(iso_high),
        proposals=proposals,
        people=people_coverage(),
        client_galleries=tuple(
            FilterChoice(str(token), str(title), int(n))
            for token, title, n in db.execute_sql(CLIENT_GALLERIES_SQL).fetchall()
        ),
    )


def ordered_ids(sql: str, params: Sequence[object]) -> list[int]:
    """An ordered `SELECT id …`'s ids, in order, fetched as one string: 100k
    one-column rows cost ~2x as much as Python tuples (and GC passes over them).
    The ordered subquery is not flattened into an aggregate (SQLite's
    flattening rules), so group_concat sees the rows in ORDER BY order."""
    text = _ids_text(sql, params)
    return parse_ids(text) if text else []


def ordered_id_values(sql: str, params: Sequence[object]) -> IdValues:
    """`ordered_ids`, but a long list stays the int64 array numpy parsed (once
    numpy is loaded): what `ids_in` and `ranked_among` take next, without a
    list made and turned back into an array (~4 ms for 100k ids)."""
    text = _ids_text(sql, params)
    if not text:
        return []
    if len(text) < _PARSE_IN_NUMPY_FROM or "numpy" not in sys.modules:
        return parse_ids(text)
    import numpy as np

    ids: IdValues = np.fromstring(text, dtype=np.int64, sep=",")
    return ids


def id_list(ids: IdValues) -> list[int]:
    """`ordered_id_values`' ids as the list of Python ints every caller keeps."""
    if isinstance(ids, list):
        return ids
    out: list[int] = ids.tolist()
    return out


def _ids_text(sql: str, params: Sequence[object]) -> str | None:
    db = Photo._meta.database
    dialect = dialect_of(db)
    row = dialect.execute_planned(db, dialect.ordered_ids_sql(sql), list(params)).fetchone()
    return str(row[0]) if row and row[0] else None


_PARSE_IN_NUMPY_FROM = 20_000  # characters: a shorter list is split in Python


def parse_ids(text: str) -> list[int]:
    """The ints of a comma-joined string. A long one is parsed by numpy once numpy
    is loaded (100k ids: ~3.5 ms against ~13 ms for split + int); never imported
    here: numpy loads after the first paint, which may list a whole review pass."""
    if len(text) < _PARSE_IN_NUMPY_FROM or "numpy" not in sys.modules:
        return list(map(int, text.split(",")))
    import numpy as np

    ids: list[int] = np.fromstring(text, dtype=np.int64, sep=",").tolist()
    return ids


_IN_NUMPY_FROM = 5_000  # ids: below it a set test costs less than the arrays


def ranked_among(ranked: Sequence[int] | IdValues, kept: IdValues) -> list[int]:
    """`ranked`'s ids that are in `kept`, each once (at its first place), in
    `ranked`'s order: a search's photos that the gallery's filters keep. A long
    list goes through a boolean table indexed by id (`_membership`): a Python
    test per id was ~25 of the ~45 ms "search: all ranked" took at 100,000."""
    found = _membership(ranked, kept)
    if found is None:
        keep = set(id_list(kept))
        ordered = ranked if isinstance(ranked, Sequence) else id_list(ranked)
        return [pid for pid in dict.fromkeys(ordered) if pid in keep]
    import numpy as np

    r, wanted = found
    if int(np.bincount(r).max()) > 1:  # the first place of each id only
        first = np.zeros(len(r), dtype=bool)
        first[np.unique(r, return_index=True)[1]] = True
        wanted &= first
    out: list[int] = r[wanted].tolist()
    return out


RANKED_CHUNK = 2_000  # a search's ranked photos asked of the filters at a time
RANKED_WALK = 10_000  # ranked photos walked that way before the whole list is cheaper


def ranked_head(
    ranked: Sequence[int], limit: int | None, kept_among: Callable[[list[int]], list[int]]
) -> list[int] | None:
    """A search's ranked photos the filters keep, in rank order (the first
    `limit`, or all), asked of the filters over those photos only
    (`kept_among`), `RANKED_CHUNK` at a time, never the whole catalog. None
    when that would walk more than `RANKED_WALK` ranked photos: the caller
    then lists the filters' whole set once (`ranked_among`)."""
    wanted = len(ranked) if limit is None else limit
    if limit is None and len(ranked) > RANKED_WALK:
        return None
    head: dict[int, None] = {}  # each photo once, at its first place (as `ranked_among`)
    for start in range(0, len(ranked), RANKED_CHUNK):
        if start >= RANKED_WALK:
            return None
        chunk = [int(pid) for pid in ranked[start : start + RANKED_CHUNK]]
        kept = set(kept_among(chunk))
        head.update((pid, None) for pid in chunk if pid in kept)
        if len(head) >= wanted:
            break
    return list(head)[:wanted]


def ranked_then_rest(ranked: IdValues, kept: IdValues) -> list[int]:
    """The ids of `kept` in `ranked`'s (unique) order, then those of `kept` not
    in `ranked`, ascending: the preference sort, the unscored last. A long
    list goes through one boolean table per side (~5 ms less at 100,000
    photos than `ranked_among`, `ids_in` and a sort)."""
    found = _membership(kept, ranked) if len(ranked) else None
    if found is None:
        keep = set(id_list(kept))
        head = [pid for pid in id_list(ranked) if pid in keep]
        if len(head) == len(keep):
            return head
        scored = set(head)
        return head + sorted(keep - scored)
    import numpy as np

    k, is_ranked = found
    r = _int64(ranked)
    table = np.zeros(max(int(r.max()), int(k.max())) + 1, dtype=bool)
    table[k] = True
    parts = [r[table[r]], np.sort(k[~is_ranked])]
    out: list[int] = np.concatenate(parts).tolist()
    return out


def ids_in(ids: IdValues, members: IdValues, *, inside: bool = True) -> list[int]:
    """`ids` in their order, only those in `members` (`inside`) or only those
    not: a set the gallery applies outside SQL. A long list goes through
    `_membership`'s table (a Python test per id: ~9 of MATCH's ~30 ms)."""
    found = _membership(ids, members)
    if found is None:
        keep = set(id_list(members))
        return [pid for pid in id_list(ids) if (pid in keep) is inside]
    r, wanted = found
    out: list[int] = (r[wanted] if inside else r[~wanted]).tolist()
    return out


# -- the orders by taste score ------------------------------------------------------

# `taste.store.write_scores` packs each score as (id << SCORE_BITS | hundredths).
SCORE_BITS = 14  # a score in hundredths (0..10000) below, the photo id above
NOT_SCORED = (1 << SCORE_BITS) - 1  # no score (written: not a number); sorts after all
FLAGGED_AFTER = 1 << (SCORE_BITS + 1)  # added to an unflagged photo's key: after the flagged
# Every stored score as `photo_id << SCORE_BITS | hundredths` (in no particular
# order), and whether one is not a whole number of hundredths on 0..100
# (`taste.store.write_scores` stores only those; a catalog written otherwise is
# sorted by SQL itself). The range is two ends of the scores' order index.
_SCORE_KEYS_SQL = (
    f"SELECT group_concat(photo_id << {SCORE_BITS} | CAST(round(score * 100) AS INTEGER)),"
    " total(score != CAST(round(score * 100) AS INTEGER) / 100.0)"
    " OR (SELECT min(score) FROM photo_preference) < 0"
    " OR (SELECT max(score) FROM photo_preference) > 100"
    " FROM photo_preference"
)
# The same read on PostgreSQL (string_agg, bool_or: no group_concat or total there).
_SCORE_KEYS_SQL_PG = (
    f"SELECT string_agg(CAST(photo_id << {SCORE_BITS} | CAST(round(score * 100) AS bigint)"
    " AS text), ','), coalesce(bool_or(score <> round(score * 100) / 100.0), false)"
    " OR min(score) < 0 OR max(score) > 100 FROM photo_preference"
)
SCORES_OF_FEW_BELOW = 8_000  # photos kept: below it, their own scores sorted cost less


def by_preference(kept: IdValues, match_threshold: float | None) -> list[int]:
    """`kept` sorted by preference, exactly `ORDER BY score IS NULL, score DESC,
    id`: placed in the order of the scores' own index (`BY_PREFERENCE_SQL`, read
    alone), then those without a score by id; with `match_threshold`, only the
    scored ones at or above it (MATCH reads only that index's range)."""
    if not len(kept):
        return []
    if len(kept) < SCORES_OF_FEW_BELOW:
        return _few_by_preference(id_list(kept), match_threshold)
    if match_threshold is not None:
        scored = ordered_id_values(MATCH_BY_PREFERENCE_SQL, [float(match_threshold)])
        return ranked_among(scored, kept) if len(scored) else []
    return ranked_then_rest(ordered_id_values(BY_PREFERENCE_SQL, []), kept)


def _few_by_preference(kept: list[int], match_threshold: float | None) -> list[int]:
    """`by_preference` for a few photos (a narrow filter): their own scores, read
    by id, sorted here by (score descending, id), then the unscored by id; not
    the whole order index (~8 ms at 100k) for 3,000 photos."""
    rows = Photo._meta.database.execute_sql(
        "SELECT photo_id, score FROM photo_preference"
        " WHERE photo_id IN (SELECT value FROM json_each(?))",
        [json.dumps(kept)],
    )
    score = {int(pid): float(value) for pid, value in rows}
    if match_threshold is not None:
        bar = float(match_threshold)
        score = {pid: value for pid, value in score.items() if value >= bar}
    ranked = sorted(score, key=lambda pid: (-score[pid], pid))
    if match_threshold is not None or len(ranked) == len(kept):
        return ranked
    return ranked + sorted(pid for pid in kept if pid not in score)


def by_likely_rejects(kept: IdValues, match_threshold: float | None) -> list[int] | None:
    """`kept` (in capture-time order) sorted the cull pass's way
    (`GallerySort.LIKELY_REJECTS`: the face verdicts' flagged first, then the
    rest; each lowest score first, then the unscored), with `match_threshold`
    only the scored ones at or above it: the packed scores placed by photo id
    and sorted stably on 16 bits (numpy's radix sort). None when a stored
    score is not a whole number of hundredths on 0..100: the caller sorts in
    SQL (~100-140 ms at 100,000 photos)."""
    if not len(kept):
        return []
    db = Photo._meta.database
    keys_sql = _SCORE_KEYS_SQL_PG if dialect_of(db).is_postgres else _SCORE_KEYS_SQL
    text, odd = db.execute_sql(keys_sql).fetchone()
    if odd:
        return None
    import numpy as np

    k = _int64(kept)
    packed = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)
    keys = _score_keys(k, packed >> SCORE_BITS, (packed & NOT_SCORED).astype(np.uint16))
    if match_threshold is not None:
        hit = (keys != NOT_SCORED) & (keys / 100.0 >= float(match_threshold))
        k, keys = k[hit], keys[hit]
    flagged = ordered_id_values(FLAGGED_SQL, [])  # a face verdict's likely rejects lead
    if len(flagged) and len(k):
        lead = np.isin(k, _int64(flagged))
        keys = np.where(lead, keys, keys + FLAGGED_AFTER).astype(np.uint16)
    out: list[int] = k[np.argsort(keys, kind="stable")].tolist()
    return out


def _score_keys(kept: Any, scored: Any, hundredths: Any) -> Any:
    """Each of `kept`'s score in hundredths (`NOT_SCORED` for none), uint16:
    through a table indexed by photo id, or a binary search where the ids lie
    too far apart for one."""
    import numpy as np

    if not len(scored):
        return np.full(len(kept), NOT_SCORED, dtype=np.uint16)
    top = max(int(kept.max()), int(scored.max()))
    if min(int(kept.min()), int(scored.min())) >= 0 and top <= 8 * len(kept) + 1_000_000:
        table = np.full(top + 1, NOT_SCORED, dtype=np.uint16)
        table[scored] = hundredths
        return table[kept]
    order = np.argsort(scored)
    scored, hundredths = scored[order], hundredths[order]
    at = np.minimum(np.searchsorted(scored, kept), len(scored) - 1)
    found = scored[at] == kept
    return np.where(found, hundredths[at], NOT_SCORED).astype(np.uint16)


def _membership(ids: Sequence[int] | IdValues, members: IdValues) -> tuple[Any, Any] | None:
    """(`ids` as an int64 array, whether each is in `members`) through a boolean
    table indexed by id, or None where a set costs less or the table would not
    fit: a short list, numpy not loaded yet (never imported here, as
    `parse_ids`), an id negative or far larger than the lists."""
    if len(ids) < _IN_NUMPY_FROM or not len(members) or "numpy" not in sys.modules:
        return None
    import numpy as np

    r, m = _int64(ids), _int64(members)
    low, top = min(int(r.min()), int(m.min())), max(int(r.max()), int(m.max()))
    if low < 0 or top > 8 * (len(r) + len(m)) + 1_000_000:
        return None
    table = np.zeros(top + 1, dtype=bool)
    table[m] = True
    return r, table[r]


def _int64(ids: Sequence[int] | IdValues) -> Any:
    import numpy as np

    if isinstance(ids, np.ndarray):
        return ids.astype(np.int64, copy=False)
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


def gallery_content_types() -> list[str]:
    """Content types the LLM has given to live photos, most frequent first."""
    rows = Photo._meta.database.execute_sql(
        "SELECT d.content_type, COUNT(*) AS n FROM description d JOIN photo p"
        " ON p.id = d.photo_id WHERE p.deleted_at IS NULL"
        " GROUP BY d.content_type ORDER BY n DESC, d.content_type"
    ).fetchall()
    return [str(name) for name, _ in rows]


def gallery_tags(limit: int = 200) -> list[str]:
    """Active tag names, most used first (the tag filter's choices)."""
    rows = Photo._meta.database.execute_sql(
        "SELECT t.name, COUNT(*) AS n FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id"
        " WHERE pt.removed_at IS NULL GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?",
        [limit],
    ).fetchall()
    return [str(name) for name, _ in rows]
