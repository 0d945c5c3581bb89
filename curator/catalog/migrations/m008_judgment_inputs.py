"""Schema v8: the inputs of better judgments.

New `photo` columns: `exposure_ev` (EV against a well-exposed rendering,
negative under), `exposure_bias` (EXIF ExposureBiasValue), `capture_subsec`
(ms), `sequence_number` (the camera's counter), `struct_sig` (the structural
signature: imaging) and `sharpness_note` (why a measured sharpness is NULL).
"""

VERSION = 8
NAME = "judgment inputs"

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN exposure_ev REAL",
    "ALTER TABLE photo ADD COLUMN exposure_bias REAL",
    "ALTER TABLE photo ADD COLUMN capture_subsec INTEGER",
    "ALTER TABLE photo ADD COLUMN sequence_number INTEGER",
    "ALTER TABLE photo ADD COLUMN struct_sig BLOB",
    "ALTER TABLE photo ADD COLUMN sharpness_note TEXT",
]
