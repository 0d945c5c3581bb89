"""`curator search …` on photos imported from the camera fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from curator.catalog import decisions, judgments
from curator.catalog.db import Catalog
from curator.catalog.paths_codec import photo_ids_for_paths
from curator.catalog.types import CullState
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json, run_cli

NAMES = ("canon_sd300_1-6s_soft.jpg", "jolla_leaf_soft.jpg", "nikon_d70s_dark.jpg")


@pytest.fixture
def library(fixtures_dir: Path, tmp_path: Path) -> dict[str, Path]:
    """Three camera JPEGs in a folder of their own, imported, two of them described."""
    lib = tmp_path / "lib"
    lib.mkdir()
    files = {}
    for name in NAMES:
        files[name] = lib / name
        shutil.copy2(fixtures_dir / "jpeg" / name, files[name])
    import_json(lib, "--stages", "technical")
    with Catalog.open(resolve_paths().catalog):
        canon, jolla, nikon = (photo_ids_for_paths([str(files[n])])[0] for n in NAMES)
        for pid, subject, tags in (
            (canon, "Fishing boats in the old harbour at dusk", ["boat", "sea"]),
            (jolla, "A leaf on wet stones by the harbour wall", ["leaf", "sea"]),
        ):
            judgments.store_description(
                pid,
                subject=subject,
                content_type="still_life",
                lighting_critique="soft, even light",
                artistic_mood="quiet",
                tags=tags,
                model="test-model",
                prompt_version="1",
            )
        decisions.set_rating(canon, 4)
        decisions.set_cull(canon, CullState.KEPT)
        decisions.set_rating(jolla, 2)
        decisions.add_tag(nikon, "night")
    return files


def _search(*args: str) -> list[dict[str, Any]]:
    code, out, err = run_cli("search", *args, "--json")
    assert code == 0, err
    hits: list[dict[str, Any]] = json.loads(out)
    return hits


def test_words_and_filters_find_the_described_photos(library: dict[str, Path]) -> None:
    hits = _search("harb")
    assert {h["path"] for h in hits} == {
        str(library["canon_sd300_1-6s_soft.jpg"]),
        str(library["jolla_leaf_soft.jpg"]),
    }
    first = hits[0]
    assert set(first) >= {"path", "score", "why", "rating", "cull", "picked", "subject", "tags"}
    assert all(h["score"] > 0 and "subject" in h["why"] for h in hits)

    (only,) = _search("tag:sea", "rating>=4", "kept", "harbour")
    assert only["path"] == str(library["canon_sd300_1-6s_soft.jpg"])
    assert only["rating"] == 4 and only["cull"] == "kept" and only["picked"] is False
    assert only["tags"] == ["boat", "sea"]
    assert only["subject"] == "Fishing boats in the old harbour at dusk"

    (night,) = _search("nig")  # a user tag, no description
    assert night["path"] == str(library["nikon_d70s_dark.jpg"]) and night["subject"] is None
    (by_name,) = _search("jolla")  # the file name
    assert by_name["why"] == "file name"
    assert len(_search("type:still-life")) == 2
    assert len(_search("harbour", "--limit", "1")) == 1
    assert _search('"harbour wall"')[0]["path"] == str(library["jolla_leaf_soft.jpg"])


def test_text_output_is_one_line_per_hit(library: dict[str, Path]) -> None:
    code, out, err = run_cli("search", "sea")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert {line.split("  [")[0] for line in lines} == {
        str(library["canon_sd300_1-6s_soft.jpg"]),
        str(library["jolla_leaf_soft.jpg"]),
    }
    assert all(line.endswith("(tags)") for line in lines)  # both have "sea" as a tag
    assert "[kept ★★★★]" in out and "[kept ★★]" in out  # a rating keeps an unreviewed photo
    code, out, _ = run_cli("search", "zeppelin")
    assert code == 0 and out.strip() == "No photo matches."


def test_a_renamed_file_is_found_by_its_new_name(library: dict[str, Path]) -> None:
    old = library["nikon_d70s_dark.jpg"]
    new = old.with_name("midnight_market.jpg")
    old.rename(new)
    import_json(old.parent, "--stages", "technical")
    (hit,) = _search("midnight")
    assert hit["path"] == str(new) and "night" in hit["tags"]
    assert _search("d70s") == []


def test_junk_queries_never_fail(library: dict[str, Path]) -> None:
    for junk in ('"', "*", "AND", "(", "-", "NEAR(", "rating>=", "tag:", "🌅"):
        code, out, err = run_cli("search", junk, "--json")
        assert code == 0, (junk, err)
        assert isinstance(json.loads(out), list)


def test_usage_errors_exit_2(library: dict[str, Path], tmp_path: Path) -> None:
    code, _, err = run_cli("search")
    assert code == 2 and "give something to search for" in err
    code, _, err = run_cli("search", "--like", str(tmp_path / "nowhere.jpg"))
    assert code == 2 and "not in the catalog" in err
    code, _, err = run_cli("search", "sea", "--like", str(library["jolla_leaf_soft.jpg"]))
    assert code == 2 and "not both" in err
    code, _, err = run_cli("search", "sea", "--limit", "-1")
    assert code == 2


def test_semantic_and_like_say_why_they_cannot_run(library: dict[str, Path]) -> None:
    """No CLIP weights here (and none embedded): one sentence each, exit 3."""
    code, out, err = run_cli("search", "golden hour", "--semantic")
    assert (code, out) == (3, "")
    assert err.startswith("curator: ") and "curator models pull" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = run_cli("search", "--like", str(library["jolla_leaf_soft.jpg"]))
    assert code == 3 and err.startswith("curator: ") and len(err.strip().splitlines()) == 1


def test_semantic_and_like_rank_with_a_real_clip(
    fixtures_dir: Path, tmp_path: Path, tiny_clip: Path
) -> None:
    """The tiny random-weight CLIP end to end: embedded at import, then the same
    text ranks the same way twice, --like leaves the photo itself out, and
    --limit 0 returns every other photo."""
    lib = tmp_path / "clip-lib"
    lib.mkdir()
    for name in NAMES:
        shutil.copy2(fixtures_dir / "jpeg" / name, lib / name)
    import_json(lib, "--stages", "technical,embed")
    first = _search("--semantic", "a boat in a harbour")
    assert len(first) == 3 and {Path(h["path"]).name for h in first} == set(NAMES)
    scores = [h["score"] for h in first]
    assert scores == sorted(scores, reverse=True) and all(-1.0 <= s <= 1.0 for s in scores)
    assert _search("--semantic", "a boat in a harbour") == first
    assert len(_search("--semantic", "a boat in a harbour", "--limit", "1")) == 1
    like = _search("--like", str(lib / NAMES[0]), "--limit", "0")
    assert {Path(h["path"]).name for h in like} == set(NAMES[1:])
