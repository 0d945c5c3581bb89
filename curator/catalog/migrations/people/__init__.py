"""The faces' and people's migrations: v17 the faces and each photo's faces
summary (issue 32), v24 how faces look — smile, gaze, head pose (issue 49),
v25 face descriptors and people (issue 50), v27 a subject counted ready unless
seen looking away (issue 49). Numbered and append-only as the rest
(`catalog.migrations`); a room of their own so the folder stays findable."""
