"""Schema v28: a sharpness figure not judged is NULL.

`noise_level`, `laplacian_var` and `sharpness_tile_p90` of frames too small to
judge were at the frame's own scale (a 400 px frame's noise read 11.9), not
the working scale, so they are cleared; the writer stores none since
(`records.SharpnessMeasure.judged`). One UPDATE (translated for PostgreSQL).
"""

VERSION = 28
NAME = "a sharpness figure not judged is NULL"

STATEMENTS = [
    "UPDATE photo SET noise_level = NULL, laplacian_var = NULL, sharpness_tile_p90 = NULL"
    " WHERE sharpness_score IS NULL AND (noise_level IS NOT NULL"
    " OR laplacian_var IS NOT NULL OR sharpness_tile_p90 IS NOT NULL)",
]
