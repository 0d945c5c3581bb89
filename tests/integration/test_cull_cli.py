"""`curator cull --propose` / `--accept` and the `proposal` of `curator list
--json` (issue 42, bar K1) on a held-out shoot made from real photos: sharp
originals and blurred copies, imported and measured by the real technical
stage; the target kept exactly, accepting leaving exactly N kept."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, undo_last
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json, list_json, run_cli

SHARP = ("canon_ixus40_portrait_content", "nokia83_5G", "olympus_ep3_iso1600", "iphone6_hdr_NO")


def _shoot(fixtures_dir: Path, folder: Path) -> tuple[list[Path], list[Path]]:
    """Each sharp original at 1600 px, and a copy blurred by sigma 5 px."""
    folder.mkdir()
    sharp, blurred = [], []
    for name in SHARP:
        img = cv2.imread(str(fixtures_dir / "jpeg" / f"{name}.jpg"))
        scale = 1600 / max(img.shape[:2])
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(folder / f"{name}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        soft = cv2.GaussianBlur(img, (0, 0), 5)
        cv2.imwrite(str(folder / f"{name}_soft.jpg"), soft, [cv2.IMWRITE_JPEG_QUALITY, 92])
        sharp.append(folder / f"{name}.jpg")
        blurred.append(folder / f"{name}_soft.jpg")
    return sharp, blurred


def _cli_json(*args: str) -> dict[str, object]:
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    result: dict[str, object] = json.loads(out)
    return result


def test_propose_list_accept_on_a_held_out_shoot(fixtures_dir: Path, tmp_path: Path) -> None:
    sharp, blurred = _shoot(fixtures_dir, tmp_path / "shoot")
    import_json(tmp_path / "shoot", "--stages", "technical")

    report = _cli_json("cull", "--propose", str(tmp_path / "shoot"), "--keep", "2")
    assert (report["photos"], report["keep"], report["reject"]) == (8, 2, 6)
    assert report["acceptable"] == 4 and report["short"] is False
    by_path = {Path(p["path"]).name: p for p in list_json()}
    for path in blurred:
        proposal = by_path[path.name]["proposal"]
        assert proposal["verdict"] == "reject" and proposal["reasons"] == ["blur"]
        assert 0.5 <= proposal["confidence"] <= 1.0
    kept = [p for p in sharp if by_path[p.name]["proposal"]["verdict"] == "keep"]
    assert len(kept) == 2
    assert sum(by_path[p.name]["proposal"]["highlight"] for p in sharp) == 1
    assert all(p["cull"] == "unreviewed" for p in by_path.values())  # never a decision

    # Proposing again replaces: no target keeps every sharp frame.
    report = _cli_json("cull", "--propose", "--genre", "event")
    assert (report["keep"], report["reject"]) == (4, 4)
    assert report["genre"] == "event" and report["kept_for"] == {}  # no faces: no words
    report = _cli_json("cull", "--propose", "--keep-percent", "25")
    assert report["keep"] == 2
    report = _cli_json("cull", "--propose", "--keep", "6")
    assert report["keep"] == 4 and report["short"] is True
    code, out, _ = run_cli("cull", "--propose", "--keep", "6")
    assert "Only 4 frame(s) passed every check" in out

    run_cli("cull", "--propose", "--keep", "2")
    code, out, err = run_cli("cull", "--accept")
    assert code == 0, err
    assert "Accepted 2 keep(s) and 6 reject(s)" in out
    culls = sorted(p["cull"] for p in list_json())
    assert culls.count("kept") == 2 and culls.count("rejected") == 6
    assert all("proposal" not in p for p in list_json())  # each decision ended its proposal
    with Catalog.open(resolve_paths().catalog):
        assert {d["pass"] for d in decision_log()} == {"proposal"}
        undone = undo_last()  # one step
        assert undone is not None and len(undone) == 8
    assert {p["cull"] for p in list_json()} == {"unreviewed"}


def test_nothing_to_accept_and_bad_usage(tmp_path: Path) -> None:
    code, out, _ = run_cli("cull", "--accept")
    assert code == 0 and "No proposals" in out
    code, out, _ = run_cli("cull", "--propose")
    assert code == 0 and "Nothing to propose" in out
    assert run_cli("cull", "--propose", "--keep", "-1")[0] == 2
    assert run_cli("cull", "--propose", "--keep-percent", "150")[0] == 2
    assert run_cli("cull", "--propose", "--project", "nope")[0] == 2
    assert run_cli("cull", "--propose", str(tmp_path / "nope"))[0] == 2
    assert run_cli("cull", "--accept", "--keep", "3")[0] == 2
    assert run_cli("cull", "--propose", "--keeps")[0] == 2
    with pytest.raises(SystemExit):
        run_cli("cull")  # --propose or --accept
