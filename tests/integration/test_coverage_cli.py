"""Coverage on the command line (issue 50 §4): `curator people` says per person
how many photos are kept, and `curator cull --propose --keep N` keeps a good
frame of grandmother before taste fills the rest, and names who is left
without a keep (text and `--json`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.models import Photo, PhotoPreference
from tests.coverage_helpers import faces_of, person
from tests.integration.cli_helpers import run_cli

T0 = datetime(2025, 6, 1, 12, 0, 0)


def _photo(i: int, taste: float, **kw: object) -> int:
    pid = int(
        Photo.create(
            path=f"/wedding/IMG_{i:04d}.jpg".encode(),
            content_hash=f"wedding{i}",
            captured_at=T0 + timedelta(seconds=30 * i),
            sharpness_score=kw.pop("sharpness_score", 80.0),
            exposure_score=95.0,
            exposure_ev=0.0,
            highlight_clip=0.01,
            **kw,
        ).id
    )
    PhotoPreference.create(photo=pid, score=taste, model_version=1)
    return pid


def _wedding(where: Path) -> dict[str, int]:
    """The couple in five photos (one kept), grandmother in one the photographer's
    taste ranks last, Ben's uncle only in a blurred one."""
    with Catalog.open(where):
        couple, granny, uncle = person("Anna"), person("Grandmother"), person("Ben's uncle")
        ids = {f"c{i}": _photo(i, 90.0 - i) for i in range(1, 6)}
        ids["kept"] = _photo(9, 50.0, cull="kept")
        for pid in (*ids.values(),):
            faces_of(pid, couple)
        ids["granny"] = _photo(20, 5.0)
        faces_of(ids["granny"], granny)
        ids["uncle"] = _photo(30, 99.0, sharpness_score=6.0)
        faces_of(ids["uncle"], uncle)
        return ids


def test_people_counts_kept_and_a_target_keeps_grandmother(curator_home: Path) -> None:
    ids = _wedding(curator_home / "catalog.sqlite")
    code, out, err = run_cli("people", "--json")
    assert code == 0, err
    kept = {p["name"]: (p["photos"], p["kept"]) for p in json.loads(out)}
    assert kept == {"Anna": (6, 1), "Grandmother": (1, 0), "Ben's uncle": (1, 0)}
    code, out, err = run_cli("cull", "--propose", "--keep", "2", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["keep"] == 2 and report["beyond_target"] == 0
    assert [p["name"] for p in report["no_keep"]] == ["Ben's uncle"]
    code, out, err = run_cli("list", "--json")
    assert code == 0, err
    proposed = {p["id"]: p["proposal"]["verdict"] for p in json.loads(out) if p.get("proposal")}
    assert proposed[ids["granny"]] == "keep" and proposed[ids["c1"]] == "keep"
    assert proposed[ids["uncle"]] == "reject" and proposed[ids["c2"]] == "reject"
    code, out, err = run_cli("cull", "--propose", "--keep", "2")
    assert code == 0, err
    assert "  1 person has no keep: Ben's uncle." in out.splitlines()
