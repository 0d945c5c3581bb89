"""The people filters, as SQL over the faces summary (`photo_faces`, m017).

Used by the gallery's filter bar and by search (`eyes:closed`, `faces:2+`):
- `eyes:closed` — a key face's eyes are closed (the CLOSED EYES badge);
- `eyes:open` — every key face's eyes are open;
- `face:soft` — a key face is clearly softer than the photo (SOFT FACE);
- `face:smiling` — every key face smiles (issue 49, m024);
- `looking:camera` — every key face looks at the camera ("everyone looking
  at the camera");
- `person:nokeep` — the photos of every person (named, or seen often) with
  no kept photo (issue 50 §4: catalog.people.coverage);
- `faces:N`, `faces:N+`, `faces:N-M` — how many faces were found (judged
  or only counted); `faces:0` is "no people" (the stage looked and found
  none); `faces:1+` is "people".
A photo the faces stage has not looked at yet matches none of them (it is
neither with nor without people until it is judged).

The gallery's People filter (`GALLERY_PEOPLE`) is the same conditions by
name; `FLAGGED_SQL` is what the cull pass's likeliest-rejects order puts
first (catalog.queries, catalog.gallery_filters).

`people_condition(kind, value)` turns one filter into a SQL condition on
the photo's id column (`photo_col`), with its parameters; None when the
value is not one of these forms (the caller treats the token as a word).

Invariants: only the narrow summary table is read (its partial indexes for
the two badges, m024's for smiling and looking), except by `person:nokeep`
(the people's tables, one grouped pass); parameters are always bound, never
formatted in.
"""

from __future__ import annotations

import re

from curator.catalog.people.coverage import no_keep_ids

_COUNT = re.compile(r"^(\d+)(\+|-(\d+))?$")
MAX_FACES_WORD = 1000  # a count beyond any photo's (the stage keeps at most 200)

CLOSED_EYES_SQL = "SELECT photo_id AS id FROM photo_faces WHERE closed_eyes = 1"
SOFT_FACE_SQL = "SELECT photo_id AS id FROM photo_faces WHERE soft_face = 1"
EYES_OPEN_SQL = "SELECT photo_id AS id FROM photo_faces WHERE eyes_open = 1"
SMILING_SQL = "SELECT photo_id AS id FROM photo_faces WHERE smiling = 1"
LOOKING_SQL = "SELECT photo_id AS id FROM photo_faces WHERE looking = 1"
# The photos a face verdict puts first in the cull pass's "likeliest rejects
# first": a key face with closed eyes or clearly soft (two partial indexes).
FLAGGED_SQL = (
    "SELECT photo_id AS id FROM photo_faces WHERE closed_eyes = 1"
    " UNION SELECT photo_id AS id FROM photo_faces WHERE soft_face = 1"
)

# One person's photos (MetadataFilter.person: the People view's click), as
# `curator list --person` finds them (catalog.people.naming.photos_of_person);
# the gallery's query keeps only live photos.
PERSON_SQL = (
    "SELECT DISTINCT f.photo_id AS id FROM face_person fp"
    " JOIN face f ON f.id = fp.face_id WHERE fp.person_id = ?"
)

# The gallery's People filter (MetadataFilter.people, in the Filter popup): its values.
GALLERY_PEOPLE = {
    "people": ("faces", "1+"),
    "no people": ("faces", "0"),
    "closed eyes": ("eyes", "closed"),
    "soft face": ("face", "soft"),
    "smiling": ("face", "smiling"),
    "looking at the camera": ("looking", "camera"),
    "people with no kept photo": ("person", "nokeep"),
}


def faces_between(low: int, high: int | None) -> tuple[str, list[object]]:
    """The photos with `low`..`high` faces (None: no upper bound), as a subquery."""
    if high is None:
        return "SELECT photo_id AS id FROM photo_faces WHERE faces >= ?", [low]
    return "SELECT photo_id AS id FROM photo_faces WHERE faces BETWEEN ? AND ?", [low, high]


def people_ids(kind: str, value: str) -> tuple[str, list[object]] | None:
    """One people filter as the SELECT of its photo ids (column `id`) and its
    parameters; None when it is not one (see the module docstring)."""
    kind, value = kind.lower(), value.lower()
    if kind == "eyes" and value in ("closed", "open"):
        return (CLOSED_EYES_SQL if value == "closed" else EYES_OPEN_SQL), []
    if kind == "face" and value in ("soft", "smiling"):
        return (SOFT_FACE_SQL if value == "soft" else SMILING_SQL), []
    if kind == "looking" and value == "camera":
        return LOOKING_SQL, []
    if kind == "person" and value == "nokeep":
        return no_keep_ids()
    if kind == "faces":
        m = _COUNT.match(value)
        if m is None:
            return None
        low = min(int(m.group(1)), MAX_FACES_WORD)
        if m.group(2) == "+":
            return faces_between(low, None)
        if m.group(3) is not None:
            high = min(int(m.group(3)), MAX_FACES_WORD)
            return faces_between(min(low, high), max(low, high))
        return faces_between(low, low)
    return None


def people_condition(
    kind: str, value: str, photo_col: str = "p.id"
) -> tuple[str, list[object]] | None:
    """One people filter as (`photo_col` IN (…), params); None when not one."""
    found = people_ids(kind, value)
    return None if found is None else (f"{photo_col} IN ({found[0]})", found[1])
