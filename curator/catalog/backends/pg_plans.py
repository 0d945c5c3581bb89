"""What PostgreSQL's planner needs to plan the gallery's camera filter well.

The camera filter is `COALESCE(camera_model, camera_make) = ?`, served by
m009's `photo_camera`. That index is partial (`deleted_at IS NULL`), and the
planner takes no statistics from a partial index's expressions: it guessed
0.5 % of the photos for any camera, where a studio's main body is more like
15 %. With that guess it sorted every photo of the camera for a first page
(100,000 photos, 14,000 of one camera: 10 ms) instead of walking the
capture-time index until 500 match (0.7 ms), and joined "camera + kept, by
preference" in an order that cost 25-45 ms. So, at each writable open:

- `photo_camera_stats`: statistics on the camera expression itself
  (`CREATE STATISTICS` on an expression: PostgreSQL 14 and newer; an older
  server keeps its guess and its plans);
- `photo_camera_cull`: (camera, cull), so a review pass under a camera filter
  finds its photos in the index (2,800 of 14,000 for "kept") rather than
  filtering the camera's rows in the heap. With the statistics alone the
  planner walked the scores' order for "camera + kept, by preference" (65-80
  ms); with both, 9-14 ms;
- one ANALYZE of `photo` when either was made, so the plans are right from
  this open on rather than from autovacuum's next visit.

Like the trigram index (backends.pg_trigram) these are accelerators, not
schema: SQLite plans the same filter with its own hints (gallery_filters'
`+id IN`), a catalog without them is complete and correct, and a role that
may not create them opens the catalog all the same (the log says why).

Invariant: `ensure_camera_plans` changes nothing when both are there (one
catalog read), and never raises.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

CAMERA_CULL_INDEX = "photo_camera_cull"
CAMERA_STATISTICS = "photo_camera_stats"
_CAMERA = "COALESCE(camera_model, camera_make)"
EXPRESSION_STATISTICS_SINCE = 140000  # server_version_num


def present(db: Any) -> tuple[bool, bool]:
    """(the index is there, the statistics are there) in the catalog's schema."""
    index, stats = db.execute_sql(
        "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexname = ?), EXISTS (SELECT 1 FROM pg_statistic_ext s"
        " JOIN pg_namespace n ON n.oid = s.stxnamespace"
        " WHERE n.nspname = current_schema() AND s.stxname = ?)",
        (CAMERA_CULL_INDEX, CAMERA_STATISTICS),
    ).fetchone()
    return bool(index), bool(stats)


def ensure_camera_plans(db: Any) -> str | None:
    """Make what is missing (module docstring); None when all is there, else the
    sentence saying what could not be made (logged, never raised)."""
    index, stats = present(db)
    want_stats = int(db.server_version or 0) >= EXPRESSION_STATISTICS_SINCE
    if index and (stats or not want_stats):
        return None
    try:
        with db.atomic("IMMEDIATE"):
            db.execute_sql(
                f"CREATE INDEX IF NOT EXISTS {CAMERA_CULL_INDEX} ON photo ({_CAMERA}, cull)"
                " INCLUDE (id) WHERE deleted_at IS NULL"
            )
            if want_stats:
                db.execute_sql(
                    f"CREATE STATISTICS IF NOT EXISTS {CAMERA_STATISTICS} ON ({_CAMERA}) FROM photo"
                )
            db.execute_sql("ANALYZE photo")
    except Exception as exc:  # a role that may not create in the schema
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sentence = (
            f"could not add the camera filter's index and statistics ({first}); "
            "the camera filter is slower until a seat whose role may create them opens the catalog"
        )
        log.info("Catalog camera plans skipped: %s", sentence)
        return sentence
    return None
