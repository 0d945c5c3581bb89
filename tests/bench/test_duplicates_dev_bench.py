"""Near-duplicates' development set (tests/bench/duplicates_dev.py): the
product's groups (imaging.fingerprint + duplicates.groups, with the moments)
beside the plain pHash at its usual line and the turned pHash, in one run:
pair precision and recall, and the burst pairs each puts together. Figures
printed and written to duplicates_dev.json; the product must hold issue 83's
goals on this set (precision ≥ 0.99, recall ≥ 0.97, no burst frame grouped)."""

from __future__ import annotations

import json

import pytest

from tests.bench.duplicates_dev import (
    PHASH_LINE,
    Scores,
    phash,
    pictures,
    product_scored,
    scored,
    turned_phash,
)
from tests.bench.results import write_results

pytestmark = pytest.mark.bench


def _figures(s: Scores) -> dict[str, object]:
    return {
        "true_pairs": s.true_pairs,
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "false_pairs": s.false_found,
        "bursts_grouped": s.bursts_grouped,
    }


def test_the_fingerprints_on_the_development_set() -> None:
    pics = list(pictures())
    figures: dict[str, object] = {"pictures": len(pics)}
    product = product_scored(pics)
    figures["product"] = _figures(product)
    figures["product_pixels_only"] = _figures(product_scored(pics, moments=False))
    for name, fingerprint in (("phash", phash), ("turned_phash", turned_phash)):
        for line in (8, PHASH_LINE, 12):
            figures[f"{name}@{line}"] = _figures(scored(pics, fingerprint, line))
    print(json.dumps(figures, indent=2))
    write_results("duplicates_dev", figures)
    assert figures["pictures"] == len({(p.source, p.variant) for p in pics})
    assert product.precision >= 0.99 and product.recall >= 0.97, figures["product"]
    assert product.bursts_grouped == 0, figures["product"]
