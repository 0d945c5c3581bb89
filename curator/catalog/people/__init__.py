"""People in the catalog: the faces stage's tables (m017) and the people found in
them (m025, m026). The stage's one write path (`store`) and its summary's
columns (`summary`); the people filters (`filters`) and coverage
(`coverage`); people and their names (`persons`, `naming`, `region_names`);
the photographer's edits, logged for undo (`edits`); forgetting them all
(`forget`, `scrub`); the People view's reads (`tiles`).
"""
