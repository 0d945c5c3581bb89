"""Finding photos: text search (SQLite FTS5), semantic search and more-like-this
(CLIP embeddings). No Qt: the CLI and the GUI drive the same functions."""
