"""Schema v1: photos, their extra paths, per-stage runs and the error log.

Paths are stored as BLOBs of the file system's bytes (os.fsencode) so that
names which are not valid UTF-8 keep their exact identity. All `*_at`
columns are naive UTC ISO timestamps except `photo.captured_at`, which is the
camera's own (naive, local) clock.
"""

VERSION = 1
NAME = "initial"

STATEMENTS = [
    """
    CREATE TABLE photo (
        id INTEGER PRIMARY KEY,
        path BLOB NOT NULL UNIQUE,
        content_hash TEXT UNIQUE,
        size INTEGER,
        mtime_ns INTEGER,
        format TEXT,
        width INTEGER,
        height INTEGER,
        orientation INTEGER NOT NULL DEFAULT 1,
        captured_at DATETIME,
        camera_make TEXT,
        camera_model TEXT,
        lens TEXT,
        iso INTEGER,
        exposure_time REAL,
        f_number REAL,
        focal_length REAL,
        preview_key TEXT,
        thumbnail_key TEXT,
        metrics_source TEXT,
        sharpness_score REAL,
        laplacian_var REAL,
        sharpness_tile_p90 REAL,
        exposure_score REAL,
        highlight_clip REAL,
        shadow_clip REAL,
        mean_luminance REAL,
        notes TEXT,
        cull TEXT NOT NULL DEFAULT 'unreviewed'
            CHECK (cull IN ('unreviewed', 'kept', 'rejected')),
        rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
        picked INTEGER NOT NULL DEFAULT 0,
        deleted_at DATETIME,
        preference_score REAL,
        preference_model_version INTEGER,
        burst_group INTEGER,
        imported_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
    )
    """,
    "CREATE INDEX photo_captured_at ON photo (captured_at)",
    """
    CREATE TABLE photo_path (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        path BLOB NOT NULL UNIQUE,
        added_at DATETIME NOT NULL
    )
    """,
    "CREATE INDEX photo_path_photo ON photo_path (photo_id)",
    """
    CREATE TABLE stage_run (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        stage_version TEXT,
        failure_reason TEXT,
        updated_at DATETIME NOT NULL,
        UNIQUE (photo_id, stage)
    )
    """,
    "CREATE INDEX stage_run_stage_status ON stage_run (stage, status)",
    """
    CREATE TABLE error_log (
        id INTEGER PRIMARY KEY,
        stage TEXT NOT NULL,
        photo_id INTEGER REFERENCES photo (id) ON DELETE SET NULL,
        path BLOB,
        attempt INTEGER NOT NULL DEFAULT 1,
        max_attempts INTEGER NOT NULL DEFAULT 1,
        error_type TEXT NOT NULL,
        message TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        created_at DATETIME NOT NULL
    )
    """,
    "CREATE INDEX error_log_photo ON error_log (photo_id)",
]
