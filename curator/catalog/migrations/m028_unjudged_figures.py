"""Schema v28: a sharpness figure not judged is NULL (issue 73 §3).

The technical stage stored a frame's noise sd (`noise_level`), Laplacian
variance (`laplacian_var`) and tile percentile (`sharpness_tile_p90`) even
where the frame was too small to judge (under 640 px on the long edge, or a
strip: no sharpness score, the note "too small to judge"). Those figures are
read at the frame's own scale, not at the working scale every judged row has
(a 400 px frame's noise reads 11.9), so they are cleared: a photo without a
sharpness score keeps none of them. The writer stores none since
(`records.SharpnessMeasure.judged`). One UPDATE of the few such rows, plain
SQL (translated for PostgreSQL); no photo is measured again.
"""

VERSION = 28

STATEMENTS = [
    "UPDATE photo SET noise_level = NULL, laplacian_var = NULL, sharpness_tile_p90 = NULL"
    " WHERE sharpness_score IS NULL AND (noise_level IS NOT NULL"
    " OR laplacian_var IS NOT NULL OR sharpness_tile_p90 IS NOT NULL)",
]
