"""Schema v8: the inputs of better judgments (issue 10).

- `photo.exposure_ev`: the exposure estimate in EV relative to a
  well-exposed rendering (negative = under-exposed), beside `exposure_score`
  so the side panel can say "≈ −1.3 EV". NULL when not measured.
- `photo.exposure_bias`: EXIF ExposureBiasValue (EV) — what the camera was
  told; brackets carry 0/−0.7/+0.7/…
- `photo.capture_subsec`: EXIF SubSecTimeOriginal as milliseconds (0–999),
  so frames of one second order by capture.
- `photo.sequence_number`: the camera's burst/sequence counter where the
  EXIF has one (NULL otherwise).
- `photo.struct_sig`: an exposure-invariant structural signature of the frame
  (bytes; see imaging for the encoding), compared to group bursts and
  brackets without CLIP.
- `photo.sharpness_note`: why a sharpness score is NULL ("too small to
  judge") when the photo was measured but cannot be judged.
"""

VERSION = 8

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN exposure_ev REAL",
    "ALTER TABLE photo ADD COLUMN exposure_bias REAL",
    "ALTER TABLE photo ADD COLUMN capture_subsec INTEGER",
    "ALTER TABLE photo ADD COLUMN sequence_number INTEGER",
    "ALTER TABLE photo ADD COLUMN struct_sig BLOB",
    "ALTER TABLE photo ADD COLUMN sharpness_note TEXT",
]
