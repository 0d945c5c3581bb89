"""`curator import` takes the ratings a library already has in its XMP."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, decision_state, photo_id_for_path
from curator.paths import resolve_paths
from curator.records import ColorLabel
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, status_json
from tests.xmp_helpers import bag, embed_in_jpeg, packet, write_sidecar

NS = 1_000_000_000
PAST = 1_500_000_000 * NS


def _by_name() -> dict[str, dict[str, object]]:
    return {Path(str(p["path"])).name: p for p in list_json()}


def _log() -> list[dict[str, object]]:
    with Catalog.open(resolve_paths().catalog):
        return decision_log()


def _label(path: Path) -> ColorLabel | None:
    with Catalog.open(resolve_paths().catalog):
        pid = photo_id_for_path(str(path))
        assert pid is not None
        return decision_state(pid).label


def test_sidecars_and_embedded_xmp_become_decisions_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 300, 200)
    write_sidecar(
        lib / "a.xmp",
        packet('xmp:Rating="4" xmp:Label="Red"', bag("dc:subject", ["Harbour", "Boats"])),
        PAST,
    )
    embed_in_jpeg(make_jpeg(lib / "b.jpg", 301, 200), packet('xmp:Rating="-1"'))
    make_jpeg(lib / "c.jpg", 302, 200)  # no XMP at all
    write_sidecar(lib / "d.jpg.xmp", packet('digiKam:PickLabel="3"'), PAST)
    make_jpeg(lib / "d.jpg", 303, 200)

    first = import_json(lib)
    assert first["new"] == 4 and first["xmp_applied"] == 3
    photos = _by_name()
    assert (photos["a.jpg"]["cull"], photos["a.jpg"]["rating"]) == ("kept", 4)
    assert {t["name"] for t in photos["a.jpg"]["tags"]} >= {"harbour", "boats"}  # type: ignore[attr-defined,index]
    assert photos["b.jpg"]["cull"] == "rejected"
    assert (photos["c.jpg"]["cull"], photos["c.jpg"]["rating"]) == ("unreviewed", None)
    assert (photos["d.jpg"]["cull"], photos["d.jpg"]["picked"]) == ("kept", True)
    assert _label(lib / "a.jpg") is ColorLabel.RED
    log = _log()
    assert log and {d["pass"] for d in log} == {"xmp"}

    # A re-import of the unchanged library writes nothing.
    again = import_json(lib)
    assert again["unchanged"] == 4 and again["xmp_applied"] == 0
    assert len(_log()) == len(log)

    # Lightroom changed a's rating after the import: the next import takes it.
    later = time.time_ns() + 3600 * NS
    write_sidecar(
        lib / "a.xmp",
        packet('xmp:Rating="2" xmp:Label="Red"', bag("dc:subject", ["Harbour", "Boats"])),
        later,
    )
    changed = import_json(lib)
    assert changed["xmp_applied"] == 1 and changed["unchanged"] == 4
    assert _by_name()["a.jpg"]["rating"] == 2
    assert [d["kind"] for d in _log()[len(log) :]] == ["rating"]


def test_a_library_rated_elsewhere_trains_the_taste_model_on_import(
    tmp_path: Path, tiny_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    lib = tmp_path / "lib"
    lib.mkdir()
    t0 = datetime(2024, 7, 1, 8, 0, 0)
    for i in range(24):
        path = make_jpeg(
            lib / f"p{i:02d}.jpg",
            320 + 8 * i,
            240,
            captured_at=t0 + timedelta(minutes=5 * (i + 1)),
            pattern="texture" if i % 2 else "quadrants",
        )
        write_sidecar(path.with_suffix(".xmp"), packet(f'xmp:Rating="{i % 5 + 1}"'), PAST)
    result = import_json(lib)
    assert result["new"] == 24 and result["xmp_applied"] == 24
    assert result["stages"]["embed"] == {"done": 24}
    assert result["stages"]["score"]["new_model_version"] == 1
    assert result["stages"]["score"]["scored"] == 24
    taste = status_json()["taste"]
    assert taste["version"] == 1 and taste["samples"] == 24
    assert all(p["preference_score"] is not None for p in list_json())
