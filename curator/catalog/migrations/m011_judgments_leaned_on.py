"""Schema v11: judgments a photographer can lean on.

- `photo.noise_level`: noise sd in grey levels at the 1024 px working scale.
- `photo.drive_mode`: `single`, `continuous` or `bracket` from EXIF and maker notes.
- `photo.sequence_index`: the frame's place in the camera's sequence.
- `taste_model.spearman_low` / `spearman_high`: a 95 % bootstrap interval of
  the held-out Spearman.
NULL where not measured or not recorded.
"""

VERSION = 11
NAME = "noise, drive mode, taste interval"

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN noise_level REAL",
    "ALTER TABLE photo ADD COLUMN drive_mode TEXT",
    "ALTER TABLE photo ADD COLUMN sequence_index INTEGER",
    "ALTER TABLE taste_model ADD COLUMN spearman_low REAL",
    "ALTER TABLE taste_model ADD COLUMN spearman_high REAL",
]
