"""Schema v3: descriptions, tags, embeddings, taste models, burst flags.

- `description`: one per photo, with the model and prompt version.
- `tag` + `photo_tag`: normalised names; `source` ai|user; `removed_at` keeps a
  removed AI tag as feedback.
- `embedding`: per (photo, model id), float32 LE, L2-normalised.
- `taste_model`: append-only; `weights` float32 w (rating = x·w + bias);
  `precision` the float32 inverse normal matrix in standardised space
  (`mean`, `scale`).
- `photo.burst_best`: the suggested best frame of its burst.
"""

VERSION = 3
NAME = "judgments"

CONTENT_TYPES = (
    "portrait",
    "street",
    "family",
    "landscape",
    "still_life",
    "architecture",
    "abstract",
    "other",
)

STATEMENTS = [
    f"""
    CREATE TABLE description (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL UNIQUE REFERENCES photo (id) ON DELETE CASCADE,
        subject TEXT,
        content_type TEXT NOT NULL DEFAULT 'other'
            CHECK (content_type IN ({", ".join(repr(c) for c in CONTENT_TYPES)})),
        lighting_critique TEXT,
        artistic_mood TEXT,
        model TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        created_at DATETIME NOT NULL
    )
    """,
    """
    CREATE TABLE tag (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    )
    """,
    """
    CREATE TABLE photo_tag (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('ai', 'user')),
        confidence REAL,
        removed_at DATETIME,
        created_at DATETIME NOT NULL,
        UNIQUE (photo_id, tag_id)
    )
    """,
    "CREATE INDEX photo_tag_tag ON photo_tag (tag_id)",
    """
    CREATE TABLE embedding (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        created_at DATETIME NOT NULL,
        UNIQUE (photo_id, model)
    )
    """,
    """
    CREATE TABLE taste_model (
        id INTEGER PRIMARY KEY,
        version INTEGER NOT NULL UNIQUE,
        embedding_model TEXT NOT NULL,
        trained_at DATETIME NOT NULL,
        n_samples INTEGER NOT NULL,
        alpha REAL NOT NULL,
        spearman REAL,
        bias REAL NOT NULL,
        weights BLOB NOT NULL,
        mean BLOB NOT NULL,
        scale BLOB NOT NULL,
        precision BLOB NOT NULL
    )
    """,
    "ALTER TABLE photo ADD COLUMN burst_best INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX photo_burst ON photo (burst_group)",
]
