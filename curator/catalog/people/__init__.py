"""People in the catalog: the faces stage's tables (m017) and the people found in
them (m025, m026). The stage's one write path (`store`), its summary's
columns (`summary`) and its key faces' one reader (`key_faces`); the people
filters (`filters`) and coverage (`coverage`); people and their names
(`persons`, `naming`, `region_names`); the photographer's edits, logged for
undo (`edits`); forgetting them all (`forget`, `scrub`); the People view's
reads (`tiles`).
"""
