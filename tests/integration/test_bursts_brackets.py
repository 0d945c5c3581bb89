"""Bursts and exposure brackets from generated camera files (issue 10 §3).

The library (tests/bracket_scenes.py): a five-frame bracket (EV 0/−0.7/+0.7/
−1.3/+1.3 rendered in linear light, within one second, ExposureBiasValue in
EXIF), a three-frame burst in one second ordered by ImageNumber (their names
run the other way) with one shaken frame, and two different scenes in the
same second. No CLIP weights anywhere: the structural signature groups them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.catalog import judgments
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.paths_codec import decode_path
from curator.catalog.writer import Attempted, CatalogWriter
from curator.imaging.technical import measure_file
from curator.imaging.types import TechnicalMeasurement, TechnicalRequest
from curator.ml.bursts import find_bursts
from curator.pipeline.stages.score import regroup_bursts
from curator.pipeline.stages.technical import STAGE_VERSION
from curator.settings import Settings
from tests.bracket_scenes import BRACKET_EVS, library_specs, write_frame
from tests.integration.cli_helpers import import_json, list_json

BRACKET = {
    f"bracket_{i}_{'m' if ev < 0 else 'p'}{abs(ev):.1f}.jpg" for i, ev in enumerate(BRACKET_EVS)
}
METERED = "bracket_0_p0.0.jpg"
BURST_IN_ORDER = ("burst_c.jpg", "burst_b.jpg", "burst_a.jpg")  # ImageNumber 101, 102, 103
SHAKEN = "burst_b.jpg"
MODEL = "no-clip/none"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("brackets")
    for spec in library_specs():
        write_frame(folder, spec)
    return folder


@pytest.fixture(scope="module")
def measured(
    library: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, TechnicalMeasurement]:
    cache = tmp_path_factory.mktemp("cache")
    return {
        path.name: measure_file(TechnicalRequest(str(path), str(cache)))
        for path in sorted(library.iterdir())
    }


def _groups(rows: Iterator[tuple[str, int | None, bool]]) -> dict[str, tuple[list[str], str]]:
    """{first name: (names in the stored capture order, best name)} from (path, group, best)."""
    by_group: dict[int, list[tuple[str, bool]]] = {}
    for path, group, best in rows:
        if group is not None:
            by_group.setdefault(group, []).append((os.path.basename(path), best))
    out = {}
    for members in by_group.values():
        names = [n for n, _ in members]
        (best,) = [n for n, b in members if b]
        out[min(names)] = (sorted(names), best)
    return out


def test_an_import_without_clip_groups_the_bracket_and_the_burst(library: Path) -> None:
    result = import_json(library, "--stages", "technical,embed,score")
    assert result["stages"]["embed"].get("skipped"), result["stages"]  # no weights: no embeddings
    photos = list_json()
    assert all(not p["embeddings"] for p in photos)
    groups = _groups((p["path"], p["burst_group"], p["burst_best"]) for p in photos)
    assert {frozenset(names) for names, _ in groups.values()} == {
        frozenset(BRACKET),
        frozenset(BURST_IN_ORDER),
    }  # the two different scenes of one second stay apart
    bracket_best = next(best for names, best in groups.values() if METERED in names)
    burst_best = next(best for names, best in groups.values() if SHAKEN in names)
    assert bracket_best == METERED  # never the −1.3 EV frame (nor any other) over the metered one
    assert burst_best != SHAKEN


def test_exif_and_signature_reach_the_catalog(
    measured: dict[str, TechnicalMeasurement], tmp_path: Path
) -> None:
    with Catalog.open(tmp_path / "c.sqlite") as cat:
        writer = CatalogWriter(cat.db, STAGE_VERSION)
        writer.apply_technical([Attempted(m) for m in measured.values()])
        rows = {os.path.basename(decode_path(p.path)): p for p in Photo.select()}
    under = rows["bracket_3_m1.3.jpg"]
    assert under.exposure_bias == pytest.approx(-1.3)
    assert under.capture_subsec == 150
    assert rows["burst_a.jpg"].sequence_number == 103
    assert rows["burst_a.jpg"].capture_subsec is None  # no SubSecTimeOriginal written
    assert rows["turn_1.jpg"].exposure_bias is None  # no ExposureBiasValue written
    assert all(isinstance(p.struct_sig, bytes) and len(p.struct_sig) > 2 for p in rows.values())


def test_the_same_folder_groups_the_same_whatever_the_import_order(
    measured: dict[str, TechnicalMeasurement], tmp_path: Path
) -> None:
    names = sorted(measured)
    orders = [names, names[::-1], names[1::2] + names[0::2]]
    groupings, capture_orders, id_orders = [], [], []
    for k, order in enumerate(orders):
        with Catalog.open(tmp_path / f"c{k}.sqlite") as cat:
            writer = CatalogWriter(cat.db, STAGE_VERSION)
            for name in order:  # one batch per file: photo ids follow this order
                writer.apply_technical([Attempted(measured[name])])
            assert regroup_bursts(MODEL, Settings()) == 2
            rows = list(Photo.select(Photo.id, Photo.path, Photo.burst_group, Photo.burst_best))
            by_id = {p.id: os.path.basename(decode_path(p.path)) for p in rows}
            id_orders.append(tuple(by_id[i] for i in sorted(by_id)))
            groupings.append(_groups((by_id[p.id], p.burst_group, p.burst_best) for p in rows))
            capture_orders.append(
                sorted(
                    tuple(by_id[pid] for pid in burst.photo_ids)
                    for burst in find_bursts(judgments.burst_frames(MODEL))
                )
            )
    assert len(set(id_orders)) == 3  # the photo ids really differ between the imports
    assert groupings[0] == groupings[1] == groupings[2]
    assert capture_orders[0] == capture_orders[1] == capture_orders[2]
    # Inside one second the sub-seconds, then the camera's ImageNumber order the
    # frames, not their names (nor their photo ids).
    assert BURST_IN_ORDER in capture_orders[0]
    assert tuple(sorted(BRACKET, reverse=True)) in capture_orders[0]
