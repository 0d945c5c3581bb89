"""People in the catalog: the faces stage's tables (m017).

- `store`: the one write path of the faces stage (a photo's faces and its
  summary row, replaced together with the stage's StageRun) and the reads
  (a photo's faces, the summaries of many photos, what needs the stage).
- `summary`: the faces summary's columns, from its one table
  (`records.FACES_SUMMARY`): what the store writes and every reader selects.
- `filters`: the gallery's and search's people filters as SQL over the narrow
  summary table (CLOSED EYES, SOFT FACE, people / no people, a face count).
- `coverage`: per person, how many of their photos are kept, and the photos
  of the people with no kept photo.
"""
