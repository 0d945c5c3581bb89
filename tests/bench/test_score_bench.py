"""Score bench (issue 10 §1): the technical scores against degradation series
with ground truth (tests/bench/score_series.py), with the issue's budgets.

Prints the per-series table (Spearman between degradation and score loss, the
share of scores at exactly 0 or 100) and the goal lines; the numbers before the
issue are in tests/bench/score_bench.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.bench.score_series import (
    HIGH_KEY,
    LOW_KEY,
    UNDEREXPOSED,
    SeriesResult,
    decode_source,
    extreme_share,
    format_table,
    goal_lines,
    level_below_original_share,
    level_ratio,
    luma_of,
    per_source_spearman,
    pooled_values,
    run_bench,
    strictly_ordered_share,
    summary_rows,
)
from tests.imaging_helpers import fixture


@pytest.fixture(scope="module")
def results() -> dict[str, SeriesResult]:
    fixtures = fixture("jpeg").parent  # fails clearly when the camera fixtures are missing
    found = run_bench(fixtures)
    print("\n" + format_table(summary_rows(found)))
    print("\n".join(goal_lines(found, fixtures)))
    return {r.series.name.split()[0]: r for r in found}


@pytest.mark.bench
def test_exposure_series(results: dict[str, SeriesResult]) -> None:
    expo = results["exposure"]
    # −2 EV and +2 EV score below the original on every source.
    assert level_below_original_share(expo, -2.0) == 1.0
    assert level_below_original_share(expo, 2.0) == 1.0
    # An under-exposed bracket frame (−1.3 EV) scores below its metered sibling. Not
    # asserted on every source: an original with 6-8 % of its highlights clipped
    # (canon_sd300 in the sun) loses that clipping at −1.3 EV, and this synthetic
    # bracket cannot recover the detail a real one would (its highlights stay flat).
    assert level_below_original_share(expo, -1.3) >= 0.9
    rhos = per_source_spearman(expo)
    assert float(np.mean(list(rhos.values()))) >= 0.8, rhos
    # Not 72–95 % of the scores at exactly 100 (or 0) any more.
    assert extreme_share(pooled_values(expo)) <= 0.15


@pytest.mark.bench
def test_low_key_and_high_key_are_not_punished_but_under_exposure_is(fixtures_dir: Path) -> None:
    from curator.imaging.metrics import measure_exposure

    def judged(name: str) -> tuple[float, float | None]:
        rgb = decode_source(fixtures_dir / name)
        m = measure_exposure(luma_of(rgb), rgb)
        return m.score, m.ev

    for name in (LOW_KEY, HIGH_KEY):
        score, ev = judged(name)
        assert score >= 90 and ev is not None and abs(ev) <= 0.3, (name, score, ev)
    score, ev = judged(UNDEREXPOSED)
    assert score < 20 and ev is not None and ev <= -2.0, (score, ev)


@pytest.mark.bench
def test_sharpness_series(results: dict[str, SeriesResult]) -> None:
    blur, shake, rescale, subject = (
        results[k] for k in ("gaussian", "camera", "down-then-up", "sharp")
    )
    # A 4 % sharp subject keeps at least half the sharp original's score.
    assert min(level_ratio(subject, 0.04)) >= 0.5
    # A 21 px shake at 1440 px scores at most half the original.
    assert max(level_ratio(shake, 21.0)) <= 0.5
    # Blur strictly ordered on at least 90 % of the sources.
    assert strictly_ordered_share(blur) >= 0.9
    assert strictly_ordered_share(rescale) >= 0.9
    # At most 15 % of all sharpness scores at exactly 0 or 100.
    values = [v for r in (blur, shake, rescale, subject) for v in pooled_values(r)]
    assert extreme_share(values) <= 0.15
    for series in (blur, shake, rescale):
        rhos = per_source_spearman(series)
        assert float(np.mean(list(rhos.values()))) >= 0.9, (series.series.name, rhos)
