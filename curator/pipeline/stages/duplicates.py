"""The near-duplicates step: plan (catalog reads) → run (curator.duplicates,
pure) → apply (catalog.duplicates.store, one transaction).

`place_new` runs after each import's measurements (the score step, and a
watch's regrouping as frames arrive): only the photos whose fingerprint was
not compared yet are looked up in the index, against every photo; the groups
they touch are searched anew and written. `regroup_all` searches the whole
catalog (`curator duplicates --rescan`, a pair marked apart). Neither loads
numpy or OpenCV when there is nothing to compare.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator.catalog.duplicates import reads, store


@dataclass(frozen=True)
class Placed:
    """What a step found: the photos compared, the groups written."""

    looked: int
    groups: int


def place_new() -> Placed:
    """Compare the photos not compared yet with the catalog's (see above)."""
    new = reads.unlooked()
    if not new:
        return Placed(0, 0)
    from curator.duplicates.groups import find_groups, linked

    partners = linked(reads.hash_rows(), new)
    touched = set(new) | partners
    for members in reads.stored_groups(touched).values():
        touched.update(members)
    groups = find_groups(reads.duplicate_inputs(touched), reads.pairs_apart())
    store.write_groups([g.photo_ids for g in groups], touched=touched, looked=new)
    return Placed(len(new), len(groups))


def regroup_all() -> Placed:
    """Search the whole catalog's groups anew and write them."""
    from curator.duplicates.groups import find_groups

    inputs = reads.duplicate_inputs()
    groups = find_groups(inputs, reads.pairs_apart())
    store.write_groups(
        [g.photo_ids for g in groups], touched=None, looked=[p.photo_id for p in inputs]
    )
    return Placed(len(inputs), len(groups))
