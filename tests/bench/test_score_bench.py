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
    # −2 EV scores below the original on every source, +2 EV on all but two
    # (issue 20): the colour chart's original reads −0.8 EV (a RAW decoded dark:
    # +2 EV brings it nearer right) and the dusk street's +2 EV frame clips only
    # its sliver of sky.
    assert level_below_original_share(expo, -2.0) == 1.0
    assert level_below_original_share(expo, 2.0) >= 0.9
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


@pytest.mark.bench
def test_issue_20_judgments_against_a_naive_baseline(fixtures_dir: Path) -> None:
    """Noise, shake in every direction, curved shake, exposure read in EV,
    night, snow, low-key and high-key scenes (tests/bench/judgment_series.py),
    with the naive measures in the same run; the before → after table is in
    tests/bench/score_bench.md."""
    from tests.bench.judgment_series import exposure_checks, sharpness_checks
    from tests.bench.score_series import (
        SMALL_EXPOSURE_SOURCES,
        fixture_sources,
        sharpness_sources,
    )

    sources = sharpness_sources(fixtures_dir)
    sharp = sharpness_checks(sources, fixtures_dir)
    expo = exposure_checks(sources + fixture_sources(fixtures_dir, SMALL_EXPOSURE_SOURCES))
    print("\n" + format_table(sharp) + "\n\n" + format_table(expo))

    def right(rows: list[dict[str, str]], check: str) -> int:
        (row,) = [r for r in rows if r["check"].startswith(check)]
        return int(row["right (ours)"].split("/")[0])

    n = len(sources)
    assert right(sharp, "sharp + noise sd 6") >= n - 2  # noise is not sharpness
    assert right(sharp, "σ 4 blur + noise sd 6") == n
    assert right(sharp, "σ 4 blur + noise sd 16") >= n // 2
    for angle in (0, 45, 90, 135):
        assert right(sharp, f"shake 21 px at {angle}°") >= n - 1
    assert right(sharp, "curved shake 30 px") >= n - 3
    assert right(sharp, "sharp subject 5 %") >= n - 2
    # Missed focus (imaging.focus): a soft central subject on a sharp scene is BLUR on
    # most sources (10 %: 13 of 19, 25 %: 18), and no frame that is not missed focus
    # (originals, sharp subjects on bokeh, shakes, blur + noise) carries the note.
    assert right(sharp, "missed focus, subject 10%") >= n // 2 + 2
    assert right(sharp, "missed focus, subject 25%") >= n - 2
    assert right(sharp, "missed focus, 10% + noise sd 6") >= n // 2
    (notes,) = [r["right (ours)"] for r in sharp if r["check"].startswith("not missed focus")]
    assert notes.split("/")[0] == notes.split("/")[1], notes
    assert right(sharp, "4032 px") == 2
    reads = {
        r["check"].split(" EV")[0]: float(r["ours"].split()[0])
        for r in expo
        if "reads" in r["check"]
    }
    assert abs(reads["-1.3"] + 1.3) <= 0.3 and abs(reads["-2.0"] + 2.0) <= 0.3
    assert reads["+3.0"] >= 2.0
    assert all(r["ours"].startswith("right") for r in expo if ":" in r["check"]), expo
