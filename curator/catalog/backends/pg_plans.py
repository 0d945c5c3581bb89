"""What PostgreSQL's planner needs to plan the gallery's lists well (timings at
100,000 photos: docs/decisions/catalog.md).

Three aids, made at each writable open (`ensure_plan_aids`):
- **The camera filter**: `photo_camera_stats` (`CAMERA_STATISTICS`), and
  `photo_camera_cull` (`CAMERA_CULL_INDEX`) for index-only review passes; one
  ANALYZE when either was made.
- **The scores, read by photo**: primary keys that `INCLUDE (score)`
  (`SCORE_KEYS`), swapped once per catalog.
- **The failed lane**: `stage_run_failed_technical` (`FAILED_INDEX`).

Accelerators, not schema: a role that may not make them opens the catalog all
the same. `ensure_plan_aids` changes nothing when all is there and never raises.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

CAMERA_CULL_INDEX = "photo_camera_cull"
CAMERA_STATISTICS = "photo_camera_stats"
FAILED_INDEX = "stage_run_failed_technical"
_CAMERA = "COALESCE(camera_model, camera_make)"
EXPRESSION_STATISTICS_SINCE = 140000  # server_version_num
# The score tables and their primary keys' columns: each key's index carries the score.
SCORE_KEYS = {"photo_preference": "photo_id", "taste_score": "owner, photo_id"}


def present(db: Any) -> tuple[bool, bool, bool]:
    """(the camera index is there, the camera statistics are there, the failed
    lane's index is there) in the catalog's schema."""
    index, stats, failed = db.execute_sql(
        "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexname = ?), EXISTS (SELECT 1 FROM pg_statistic_ext s"
        " JOIN pg_namespace n ON n.oid = s.stxnamespace"
        " WHERE n.nspname = current_schema() AND s.stxname = ?),"
        " EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexname = ?)",
        (CAMERA_CULL_INDEX, CAMERA_STATISTICS, FAILED_INDEX),
    ).fetchone()
    return bool(index), bool(stats), bool(failed)


def uncovered_score_keys(db: Any) -> list[str]:
    """The score tables whose primary key's index does not carry the score yet."""
    rows = db.execute_sql(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND i.indisprimary"
        " AND c.relname IN ('photo_preference', 'taste_score') AND i.indnatts = i.indnkeyatts"
    ).fetchall()
    return sorted(str(name) for (name,) in rows)


def ensure_plan_aids(db: Any) -> str | None:
    """Make what is missing (module docstring); None when all is there, else the
    sentence saying what could not be made (logged, never raised)."""
    index, stats, failed = present(db)
    want_stats = int(db.server_version or 0) >= EXPRESSION_STATISTICS_SINCE
    uncovered = uncovered_score_keys(db)
    if index and (stats or not want_stats) and failed and not uncovered:
        return None
    try:
        with db.atomic("IMMEDIATE"):  # under the write lock: asked again, as another
            index, stats, failed = present(db)  # seat opening at once may have made them
            if not index or (want_stats and not stats):
                _make_camera_aids(db, want_stats)
            if not failed:
                db.execute_sql(
                    f"CREATE INDEX IF NOT EXISTS {FAILED_INDEX} ON stage_run (photo_id)"
                    " WHERE stage = 'technical' AND status = 'failed'"
                )
            for table in uncovered_score_keys(db):
                _cover_score_key(db, table)
    except Exception as exc:  # a role that may not create in the schema, or own the tables
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sentence = (
            f"could not add the gallery's planner aids ({first}); the camera filter and "
            "score sorts under a filter are slower until a seat whose role owns the "
            "catalog's tables opens it"
        )
        log.info("Catalog planner aids skipped: %s", sentence)
        return sentence
    return None


def _make_camera_aids(db: Any, want_stats: bool) -> None:
    db.execute_sql(
        f"CREATE INDEX IF NOT EXISTS {CAMERA_CULL_INDEX} ON photo ({_CAMERA}, cull)"
        " INCLUDE (id, camera_model, camera_make) WHERE deleted_at IS NULL"
    )
    if want_stats:
        db.execute_sql(
            f"CREATE STATISTICS IF NOT EXISTS {CAMERA_STATISTICS} ON ({_CAMERA}) FROM photo"
        )
    db.execute_sql("ANALYZE photo")


def _cover_score_key(db: Any, table: str) -> None:
    """`table`'s primary key on the same columns, its index carrying the score
    (the constraint keeps its name: ADD ... USING INDEX renames the index)."""
    building = f"{table}_pkey_covering"
    db.execute_sql(f"DROP INDEX IF EXISTS {building}")
    db.execute_sql(
        f"CREATE UNIQUE INDEX {building} ON {table} ({SCORE_KEYS[table]}) INCLUDE (score)"
    )
    db.execute_sql(
        f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey,"
        f" ADD CONSTRAINT {table}_pkey PRIMARY KEY USING INDEX {building}"
    )
