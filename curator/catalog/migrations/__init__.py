"""Numbered, append-only schema migrations.

The schema version lives in SQLite's `PRAGMA user_version`. Each migration is
a module `m<NNN>_<name>.py` exposing `VERSION` and `STATEMENTS` (plain SQL, so a
migration never changes meaning when the peewee models evolve). Never edit a
migration that has shipped: add a new one. `MIGRATIONS` is ordered by VERSION
and the versions are 1..N without gaps (a test checks it), but for the numbers
in `RESERVED`: numbers set aside for another branch that did not use them
(18, ingest's, which landed without a schema change). A theme's migrations
have a room of their own (`studio`, `people`), numbered in the one sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator.catalog.migrations import (
    m001_initial,
    m002_decision,
    m003_judgments,
    m004_gallery_indexes,
    m005_missing_photos,
    m006_projects_labels,
    m007_search,
    m008_judgment_inputs,
    m009_metadata_filters,
    m010_other_tools,
    m011_judgments_leaned_on,
    m012_rescore_indexes,
    m013_rotation,
    m014_deleted_index,
    m015_raw_jpeg_pairs,
    m016_preference_scores,
    m023_cull_proposals,
    m028_unjudged_figures,
    m031_accepted_proposals,
)
from curator.catalog.migrations.duplicates import m033_duplicates
from curator.catalog.migrations.people import (
    m017_faces,
    m024_face_looks,
    m025_people,
    m027_ready_unless_away,
    m029_laughing,
)
from curator.catalog.migrations.proofing import m032_client_galleries
from curator.catalog.migrations.studio import (
    m019_seats,
    m020_personal_taste,
    m021_camera_cull_index,
    m022_file_name_trigrams,
    m026_people_edits,
    m030_window_feed,
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    foreign_keys_off: bool = False  # rebuilds a table: run with PRAGMA foreign_keys OFF
    # The statements on PostgreSQL (catalog.backends.pg_schema), where the SQLite
    # ones translated would not do; None: translated.
    postgres: tuple[str, ...] | None = None


MIGRATIONS: tuple[Migration, ...] = (
    Migration(m001_initial.VERSION, "initial", tuple(m001_initial.STATEMENTS)),
    Migration(m002_decision.VERSION, "decision log", tuple(m002_decision.STATEMENTS)),
    Migration(m003_judgments.VERSION, "judgments", tuple(m003_judgments.STATEMENTS)),
    Migration(
        m004_gallery_indexes.VERSION,
        "gallery indexes",
        tuple(m004_gallery_indexes.STATEMENTS),
    ),
    Migration(
        m005_missing_photos.VERSION,
        "missing photos",
        tuple(m005_missing_photos.STATEMENTS),
    ),
    Migration(
        m006_projects_labels.VERSION,
        "projects, labels, external imports",
        tuple(m006_projects_labels.STATEMENTS),
        foreign_keys_off=m006_projects_labels.FOREIGN_KEYS_OFF,
    ),
    Migration(m007_search.VERSION, "text search", tuple(m007_search.STATEMENTS)),
    Migration(
        m008_judgment_inputs.VERSION,
        "judgment inputs",
        tuple(m008_judgment_inputs.STATEMENTS),
    ),
    Migration(
        m009_metadata_filters.VERSION,
        "metadata filter indexes",
        tuple(m009_metadata_filters.STATEMENTS),
    ),
    Migration(
        m010_other_tools.VERSION,
        "other tools' keywords, captions and XMP state",
        tuple(m010_other_tools.STATEMENTS),
    ),
    Migration(
        m011_judgments_leaned_on.VERSION,
        "noise, drive mode, taste interval",
        tuple(m011_judgments_leaned_on.STATEMENTS),
    ),
    Migration(
        m012_rescore_indexes.VERSION,
        "gallery indexes a rescore does not rewrite",
        tuple(m012_rescore_indexes.STATEMENTS),
    ),
    Migration(
        m013_rotation.VERSION,
        "rotation",
        tuple(m013_rotation.STATEMENTS),
        foreign_keys_off=m013_rotation.FOREIGN_KEYS_OFF,
    ),
    Migration(
        m014_deleted_index.VERSION, "purged photos index", tuple(m014_deleted_index.STATEMENTS)
    ),
    Migration(
        m015_raw_jpeg_pairs.VERSION,
        "RAW+JPEG pairs",
        tuple(m015_raw_jpeg_pairs.STATEMENTS),
    ),
    Migration(
        m016_preference_scores.VERSION,
        "taste scores in their own table",
        tuple(m016_preference_scores.STATEMENTS),
    ),
    Migration(m017_faces.VERSION, "faces", tuple(m017_faces.STATEMENTS)),
    Migration(
        m019_seats.VERSION,
        "the seat of each decision",
        tuple(m019_seats.STATEMENTS),
        postgres=tuple(m019_seats.POSTGRES_STATEMENTS),
    ),
    Migration(
        m020_personal_taste.VERSION,
        "a taste model per photographer",
        tuple(m020_personal_taste.STATEMENTS),
        postgres=tuple(m020_personal_taste.POSTGRES_STATEMENTS),
    ),
    Migration(
        m021_camera_cull_index.VERSION,
        "the camera and the pass state in one index",
        tuple(m021_camera_cull_index.STATEMENTS),
        postgres=tuple(m021_camera_cull_index.POSTGRES_STATEMENTS),
    ),
    Migration(
        m022_file_name_trigrams.VERSION,
        "file names by trigram",
        tuple(m022_file_name_trigrams.STATEMENTS),
        postgres=tuple(m022_file_name_trigrams.POSTGRES_STATEMENTS),
    ),
    Migration(
        m023_cull_proposals.VERSION,
        "proposals (cull for me)",
        tuple(m023_cull_proposals.STATEMENTS),
        postgres=tuple(m023_cull_proposals.POSTGRES_STATEMENTS),
    ),
    Migration(
        m024_face_looks.VERSION,
        "how faces look: smile, looking, head pose",
        tuple(m024_face_looks.STATEMENTS),
    ),
    Migration(m025_people.VERSION, "face descriptors and people", tuple(m025_people.STATEMENTS)),
    Migration(
        m026_people_edits.VERSION,
        "people edits, undoable; other seats told",
        tuple(m026_people_edits.STATEMENTS),
        postgres=tuple(m026_people_edits.POSTGRES_STATEMENTS),
    ),
    Migration(
        m027_ready_unless_away.VERSION,
        "a subject is ready unless seen looking away",
        tuple(m027_ready_unless_away.STATEMENTS),
    ),
    Migration(
        m028_unjudged_figures.VERSION,
        "a sharpness figure not judged is NULL",
        tuple(m028_unjudged_figures.STATEMENTS),
    ),
    Migration(
        m029_laughing.VERSION,
        "a key face's eyes narrowed in a laugh",
        tuple(m029_laughing.STATEMENTS),
    ),
    Migration(
        m030_window_feed.VERSION,
        "every window in step: the desk of each decision, the change feed",
        tuple(m030_window_feed.STATEMENTS),
        postgres=tuple(m030_window_feed.POSTGRES_STATEMENTS),
    ),
    Migration(
        m031_accepted_proposals.VERSION,
        "the proposals an accept ended, for its undo anywhere",
        tuple(m031_accepted_proposals.STATEMENTS),
        postgres=tuple(m031_accepted_proposals.POSTGRES_STATEMENTS),
    ),
    Migration(
        m032_client_galleries.VERSION,
        "client galleries: their photos, the client's hearts and comments",
        tuple(m032_client_galleries.STATEMENTS),
        postgres=tuple(m032_client_galleries.POSTGRES_STATEMENTS),
    ),
    Migration(
        m033_duplicates.VERSION,
        "near-duplicates: the fingerprint, the groups, pairs marked apart",
        tuple(m033_duplicates.STATEMENTS),
        postgres=tuple(m033_duplicates.POSTGRES_STATEMENTS),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

RESERVED: frozenset[int] = frozenset({18})
