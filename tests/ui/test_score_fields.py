"""Issue 10 §1 end to end: the technical stage's exposure estimate and "too small to
judge" reach the catalog through the writer, the gallery row, the side panel and
the CLIP badge's sentence."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.paths_codec import encode_path
from curator.catalog.queries import gallery_rows
from curator.catalog.writer import Attempted, CatalogWriter
from curator.imaging.types import TechnicalMeasurement, TechnicalRequest
from curator.pipeline.stages.technical import STAGE_VERSION, run_technical
from curator.ui.common.guard import ErrorReporter
from curator.ui.gallery.flags import photo_flags, tooltip
from curator.ui.loupe.info_panel import InfoPanel

UNDER = "jpeg/exiv2_D7000_underexposed.jpg"  # 520 x 344, nearly black
LOW_KEY = "jpeg/sony_a200_unset_clock.jpg"  # 1391 x 2463, low-key on black


def test_exposure_ev_and_the_sharpness_note_reach_the_panel(
    tmp_path: Path, qtbot: QtBot, fixtures_dir: Path
) -> None:
    cache = tmp_path / "cache"
    paths = {name: fixtures_dir / name for name in (UNDER, LOW_KEY)}  # read in place
    outcomes = [run_technical(TechnicalRequest(str(p), str(cache))) for p in paths.values()]
    assert all(isinstance(o, TechnicalMeasurement) for o in outcomes)
    under = outcomes[0]
    assert isinstance(under, TechnicalMeasurement) and under.exposure and under.sharpness
    assert under.sharpness.score is None and under.sharpness.note == "too small to judge"
    assert under.exposure.ev is not None and under.exposure.ev <= -3

    with Catalog.open(tmp_path / "c.sqlite") as cat:
        CatalogWriter(cat.db, STAGE_VERSION).apply_technical([Attempted(o) for o in outcomes])
        ids = {
            name: int(Photo.get(Photo.path == encode_path(str(path))).id)
            for name, path in paths.items()
        }
        rows = gallery_rows(ids.values())
    dark, fine = rows[ids[UNDER]], rows[ids[LOW_KEY]]
    assert dark.exposure_ev == under.exposure.ev
    assert dark.sharpness_score is None and dark.sharpness_note == "too small to judge"
    assert fine.sharpness_score is not None and fine.sharpness_note is None
    assert fine.exposure_ev is not None and abs(fine.exposure_ev) <= 0.3

    flags = photo_flags(dark, 70.0)
    assert flags.shows("exposure") and not flags.shows(
        "sharpness"
    )  # unjudged sharpness is no blur warning
    expected_ev = f"≈ \u2212{abs(dark.exposure_ev):.1f} EV"
    assert f"Under-exposed ({expected_ev})" in tooltip(dark, flags)
    assert not photo_flags(fine, 70.0).shows("exposure")  # low-key is a choice

    panel = InfoPanel(ErrorReporter(), match_threshold=70.0)
    qtbot.addWidget(panel)
    panel.show_photo(dark, None)
    assert panel.values["Sharpness"].text() == "too small to judge"
    assert panel.values["Exposure score"].text() == (
        f"{dark.exposure_score:.0f} / 100 · {expected_ev}"
    )
    panel.show_photo(fine, None)
    assert panel.values["Sharpness"].text() == f"{fine.sharpness_score:.0f} / 100"
    assert panel.values["Exposure score"].text().endswith("EV")


def test_ev_text_rounds_to_a_tenth_with_a_real_minus_sign() -> None:
    from curator.cull.table import ev_text

    assert ev_text(-1.3) == "≈ \u22121.3 EV"
    assert ev_text(0.66) == "≈ +0.7 EV"
    assert ev_text(0.04) == "≈ 0 EV" and ev_text(-0.0) == "≈ 0 EV"
    assert ev_text(None) == ""


def test_the_panel_says_the_models_honest_quality_and_the_noise(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """Issue 20: the side panel shows the taste model's held-out Spearman with its
    interval (early marked), and the noise taken off the sharpness."""
    from curator.catalog.queries import photo_details
    from tests.taste_helpers import store_model

    with Catalog.open(tmp_path / "c.sqlite"):
        pid = Photo.create(path=b"/lib/a.jpg", content_hash="a", sharpness_score=81.0,
                           noise_level=3.25).id  # fmt: skip
        row = gallery_rows([pid])[pid]
        assert photo_details(pid).taste is None  # type: ignore[union-attr]
        store_model(spearman=0.41, samples=14)
        early = photo_details(pid)
        store_model(spearman=0.62, samples=48)
        full = photo_details(pid)
    panel = InfoPanel(ErrorReporter(), match_threshold=70.0)
    qtbot.addWidget(panel)
    panel.show_photo(row, early)
    assert panel.values["Taste model"].text() == (
        "v1, 14 decisions (early model), held-out Spearman 0.41 (0.31 to 0.51)"
    )
    assert panel.values["Sharpness"].text() == "81 / 100 · noise 3.2"
    panel.show_photo(row, full)
    assert panel.values["Taste model"].text() == (
        "v2, 48 decisions, held-out Spearman 0.62 (0.52 to 0.72)"
    )


def test_a_missed_focus_score_says_why_in_the_panel_and_the_tooltip(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """Issue 20: a score lowered because the subject is soft keeps its reason
    (imaging.focus's note) next to the number, and in the BLUR tooltip."""
    from curator.imaging.focus import MISSED_FOCUS_NOTE

    with Catalog.open(tmp_path / "c.sqlite"):
        pid = Photo.create(path=b"/lib/m.jpg", content_hash="m", sharpness_score=12.4,
                           sharpness_note=MISSED_FOCUS_NOTE).id  # fmt: skip
        row = gallery_rows([pid])[pid]
    assert row.sharpness_note == MISSED_FOCUS_NOTE
    panel = InfoPanel(ErrorReporter(), match_threshold=70.0)
    qtbot.addWidget(panel)
    panel.show_photo(row, None)
    assert panel.values["Sharpness"].text() == "12 / 100 · focus missed the subject"
    flags = photo_flags(row, 70.0)
    assert flags.shows("sharpness")
    assert "Probably blurred (sharpness 12 / 100: focus missed the subject)" in tooltip(row, flags)
