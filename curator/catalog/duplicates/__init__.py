"""Near-duplicates in the catalog (issue 83), no Qt, no numpy.

- `reads`: what the search reads (each live photo's fingerprint and moment,
  the hashes alone for an import's new photos, the pairs marked apart) and
  the groups as stored;
- `store`: the one write path of the groups and of "not a duplicate";
- `resolve`: a group merged into its keeper as one undoable step.
The search itself is pure (curator.duplicates); pipeline.stages.duplicates
runs it between the two.
"""
