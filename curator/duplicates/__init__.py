"""Near-duplicates: the same picture stored twice, found, grouped and kept once.

Pure (no Qt, no catalog): the catalog gives the photos' fingerprints and
moments (catalog.duplicates), these modules say which are the same picture,
and the catalog writes what was decided.
- `index`: candidate pairs through an index over the fingerprints' hashes,
  never all pairs;
- `likeness`: how alike two candidates' grids are, at their best turn and scale;
- `moments`: whether two photos' EXIF says they are different moments
  (a burst's frames, a bracket's, a re-shot pose);
- `groups`: the groups, made from the pairs both say are one picture;
- `keeper`: which copy a group suggests keeping, and why.
"""
