"""The studio's migrations (issue 34: several seats on one catalog, and the
gallery's budgets on 100,000 photos): v19 the seat of each decision, v20 a
taste model per photographer, v21 the camera and pass state in one index, v22
the file names' trigram index (SQLite), v26 the people edits' log (undo) and
the other seats told of people's changes, v30 the desk of each decision (two
windows of one seat) and the embedded catalog's change feed. Numbered and
append-only as the rest (`catalog.migrations`); a room of their own so the
folder stays findable."""
