"""Near-duplicates' development set (tests/bench/duplicates_dev.py): the plain
pHash at its usual line against the turned pHash of the inner frame, side by
side in one run: pair precision and recall, and the burst pairs each groups.
Figures printed and written to duplicates_dev.json; nothing asserted beyond
the set being what it says (the line is chosen from these figures)."""

from __future__ import annotations

import json

import pytest

from tests.bench.duplicates_dev import BURSTS, PHASH_LINE, phash, pictures, scored, turned_phash
from tests.bench.results import write_results

pytestmark = pytest.mark.bench


def test_the_fingerprints_on_the_development_set() -> None:
    pics = list(pictures())
    figures: dict[str, object] = {"pictures": len(pics), "bursts": len(BURSTS)}
    for name, fingerprint in (("phash", phash), ("turned_phash", turned_phash)):
        for line in (6, 8, PHASH_LINE, 12):
            s = scored(pics, fingerprint, line)
            figures[f"{name}@{line}"] = {
                "true_pairs": s.true_pairs,
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "false_pairs": s.false_found,
                "bursts_grouped": s.bursts_grouped,
            }
    print(json.dumps(figures, indent=2))
    write_results("duplicates_dev", figures)
    assert figures["pictures"] == len({(p.source, p.variant) for p in pics})
