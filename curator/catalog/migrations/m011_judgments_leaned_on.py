"""Schema v11: judgments a photographer can lean on (issue 20).

- `photo.noise_level`: the frame's noise (standard deviation in grey levels at
  the 1024 px working scale), estimated where the frame is flat and taken off
  the sharpness measure; NULL when not measured.
- `photo.drive_mode`: what the camera says the shot was — `single`,
  `continuous` or `bracket` — from the EXIF exposure mode and the maker note
  (Sony, Canon, Nikon, Fujifilm, Panasonic); NULL when the file does not say.
- `photo.sequence_index`: the frame's place in the camera's sequence (1, 2, …)
  where the maker note records it; NULL otherwise.
- `taste_model.spearman_low` / `spearman_high`: a 95 % bootstrap interval of
  the held-out Spearman (resampling groups of look-alikes), so a figure from
  30 decisions says how uncertain it is.
"""

VERSION = 11

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN noise_level REAL",
    "ALTER TABLE photo ADD COLUMN drive_mode TEXT",
    "ALTER TABLE photo ADD COLUMN sequence_index INTEGER",
    "ALTER TABLE taste_model ADD COLUMN spearman_low REAL",
    "ALTER TABLE taste_model ADD COLUMN spearman_high REAL",
]
