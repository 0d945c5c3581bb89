"""Culling from the terminal (issue 80): one rule for a star wherever it is
given, the terminal's own undo and redo, failed photos never proposed,
counted or accepted, and a target without a taste model that never ranks a
frame too small to judge above a judged sharp one. Real photos (the camera
fixtures, resized) measured by the real technical stage."""

from __future__ import annotations

import json
from pathlib import Path

import cv2

from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.integration.test_cull_cli import SHARP


def _shoot(fixtures_dir: Path, folder: Path) -> dict[str, Path]:
    """The originals at 1600 px, a touch soft (sharp enough, not the sharpest:
    as most frames of a shoot), one of them also as a 100 px thumbnail (too
    small to judge; well exposed), one blurred out of use, and a truncated JPEG."""
    folder.mkdir()
    made: dict[str, Path] = {}
    for name in SHARP:
        img = cv2.imread(str(fixtures_dir / "jpeg" / f"{name}.jpg"))
        scale = 1600 / max(img.shape[:2])
        big = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        big = cv2.GaussianBlur(big, (0, 0), 1.5)
        cv2.imwrite(str(folder / f"{name}.jpg"), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
        made[name] = folder / f"{name}.jpg"
    img = cv2.imread(str(fixtures_dir / "jpeg" / f"{SHARP[0]}.jpg"))
    tiny = cv2.resize(img, (75, 100), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(folder / "tiny.jpg"), tiny, [cv2.IMWRITE_JPEG_QUALITY, 92])
    made["tiny"] = folder / "tiny.jpg"
    soft = cv2.GaussianBlur(cv2.imread(str(made[SHARP[0]])), (0, 0), 6)
    cv2.imwrite(str(folder / "soft.jpg"), soft, [cv2.IMWRITE_JPEG_QUALITY, 92])
    made["soft"] = folder / "soft.jpg"
    whole = (folder / f"{SHARP[1]}.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(whole[: len(whole) // 3])
    made["truncated"] = folder / "truncated.jpg"
    return made


def _by_name() -> dict[str, dict[str, object]]:
    return {Path(str(p["path"])).name: p for p in list_json()}


def test_a_rating_from_the_terminal_keeps_the_photo(fixtures_dir: Path, tmp_path: Path) -> None:
    shoot = _shoot(fixtures_dir, tmp_path / "shoot")
    import_json(tmp_path / "shoot", "--stages", "technical")
    code, _, err = run_cli("rate", "--stars", "5", str(shoot[SHARP[0]]))
    assert code == 0, err
    assert _by_name()[shoot[SHARP[0]].name]["cull"] == "kept"
    code, _, err = run_cli("reject", str(shoot[SHARP[1]]))
    run_cli("rate", "--stars", "2", str(shoot[SHARP[1]]))
    assert _by_name()[shoot[SHARP[1]].name]["cull"] == "rejected"  # a reject stays one
    code, out, _ = run_cli("search", "kept")
    assert shoot[SHARP[0]].name in out


def test_a_failed_photo_is_never_proposed_counted_or_accepted(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    _shoot(fixtures_dir, tmp_path / "shoot")
    result = import_json(tmp_path / "shoot", "--stages", "technical")
    assert result["failed"] == 1
    code, out, err = run_cli("cull", "--propose", "--keep", "2", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["photos"] == len(SHARP) + 2 and report["failed"] == 1
    assert "proposal" not in _by_name()["truncated.jpg"]
    code, out, _ = run_cli("cull", "--propose", "--keep", "2")
    assert f"Proposed a first cull of {len(SHARP) + 2} photo(s)" in out
    assert "1 photo left out: Curator could not read it" in out
    run_cli("cull", "--accept")
    assert _by_name()["truncated.jpg"]["cull"] == "unreviewed"


def test_without_taste_a_frame_too_small_to_judge_ranks_after_the_judged(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    _shoot(fixtures_dir, tmp_path / "shoot")
    import_json(tmp_path / "shoot", "--stages", "technical")
    shown = _by_name()
    assert shown["tiny.jpg"]["sharpness_score"] is None  # too small to judge
    judged = [n for n in shown if n not in ("tiny.jpg", "truncated.jpg", "soft.jpg")]
    assert all(30 < float(shown[n]["sharpness_score"] or 0) < 85 for n in judged), shown
    code, out, err = run_cli("cull", "--propose", "--keep", "1", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert "no taste model yet" in report["ranked_by"]
    shown = _by_name()
    kept = [n for n, p in shown.items() if (p.get("proposal") or {}).get("verdict") == "keep"]
    assert len(kept) == 1 and kept[0] in judged, kept
    code, out, _ = run_cli("cull", "--propose", "--keep", "2")
    assert "ranked by the measures (no taste model yet)" in out


def test_undo_and_redo_on_the_command_line(fixtures_dir: Path, tmp_path: Path) -> None:
    shoot = _shoot(fixtures_dir, tmp_path / "shoot")
    import_json(tmp_path / "shoot", "--stages", "technical")
    code, out, err = run_cli("undo")
    assert code == 1 and "Nothing to undo" in err
    run_cli("reject", str(shoot[SHARP[0]]), str(shoot[SHARP[1]]))
    run_cli("rate", "--stars", "4", str(shoot[SHARP[2]]))
    code, out, err = run_cli("undo")
    assert code == 0, err
    assert f"Undone: rating of {shoot[SHARP[2]].name} (4 → —)" in out
    assert f"Undone: cull of {shoot[SHARP[2]].name} (kept → unreviewed)" in out
    assert _by_name()[shoot[SHARP[2]].name]["cull"] == "unreviewed"
    code, out, err = run_cli("undo", "--json")
    undone = json.loads(out)["undone"]
    assert sorted(s["file"] for s in undone) == sorted([shoot[SHARP[0]].name, shoot[SHARP[1]].name])
    assert all(s["to"] == "unreviewed" and s["changed_by"] is None for s in undone)
    code, out, err = run_cli("redo", "--json")
    assert code == 0 and len(json.loads(out)["redone"]) == 2
    assert _by_name()[shoot[SHARP[0]].name]["cull"] == "rejected"


def test_the_cull_reads_in_the_terminal_without_json(fixtures_dir: Path, tmp_path: Path) -> None:
    """`curator list` says each photo's decisions, badges and proposal in words."""
    shoot = _shoot(fixtures_dir, tmp_path / "shoot")
    import_json(tmp_path / "shoot", "--stages", "technical")
    run_cli("rate", "--stars", "3", str(shoot[SHARP[2]]))
    run_cli("cull", "--propose", "--keep", "2")
    code, out, err = run_cli("list")
    assert code == 0, err
    text = out.replace("\n         ↳", " ↳")  # a photo's line with its notes
    by_name = {
        name: next(line for line in text.splitlines() if f"/{name}" in line)
        for name in ("tiny.jpg", "soft.jpg", shoot[SHARP[2]].name, "truncated.jpg")
    }
    assert "sharp too small to judge" in by_name["tiny.jpg"]
    assert "BLUR" in by_name["soft.jpg"] and "proposed: reject — blur" in by_name["soft.jpg"]
    assert "[kept ★★★]" in by_name[shoot[SHARP[2]].name]
    assert "failed" in by_name["truncated.jpg"] and "proposed" not in by_name["truncated.jpg"]
    # Every badge is a search word: the blurred ones, listed by it.
    code, out, err = run_cli("search", "blur")
    assert code == 0, err
    assert [Path(line.split("  ")[0]).name for line in out.splitlines()] == ["soft.jpg"]
    code, out, err = run_cli("search", "blur", "kept")
    assert code == 0 and out.strip() == "No photo matches.", (out, err)


def test_status_says_what_the_taste_model_waits_for(tmp_path: Path) -> None:
    code, out, err = run_cli("status")
    assert code == 0, err
    assert "needs at least 10 decisions on embedded photos; you have 0 decisions" in out
    assert "trains after" not in out


def test_undoing_an_accept_in_the_terminal_brings_the_proposals_back(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    _shoot(fixtures_dir, tmp_path / "shoot")
    import_json(tmp_path / "shoot", "--stages", "technical")
    run_cli("cull", "--propose", "--keep", "2")
    proposed = {n: p["proposal"] for n, p in _by_name().items() if "proposal" in p}
    assert len(proposed) == len(SHARP) + 2
    code, _, err = run_cli("cull", "--accept")
    assert code == 0, err
    assert all("proposal" not in p for p in _by_name().values())  # each decision ended one
    code, _, err = run_cli("undo")  # another process than the accept's
    assert code == 0, err
    shown = _by_name()
    assert {n: shown[n].get("proposal") for n in proposed} == proposed
    assert all(shown[n]["cull"] == "unreviewed" for n in proposed)
    code, _, err = run_cli("redo")
    assert code == 0, err
    shown = _by_name()
    assert sorted(shown[n]["cull"] for n in proposed).count("kept") == 2
    assert all("proposal" not in shown[n] for n in proposed)


def test_a_shoot_culled_from_the_terminal_as_the_guide_says(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    """The guide's terminal cull, end to end and without --json: import, the
    blurred ones by a word, a proposal of a target with each reject's reason,
    accept, undo, redo, a star that keeps, export, a person named and found."""
    import shutil

    from tests.faces_helpers import FACES_DATA, PORTRAITS, installed_model

    installed_model()
    shoot = _shoot(fixtures_dir, tmp_path / "shoot")
    for name in PORTRAITS:  # each person twice: a second frame, a little smaller
        shutil.copy(FACES_DATA / name, tmp_path / "shoot" / name)
        img = cv2.imread(str(FACES_DATA / name))
        again = cv2.resize(img, None, fx=0.9, fy=0.9, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(tmp_path / "shoot" / f"again_{name}"), again)
    code, out, err = run_cli("import", str(tmp_path / "shoot"), "--no-progress")
    assert code == 0 and "Import finished" in out, err
    code, out, _ = run_cli("search", "blur")
    assert [Path(line.split("  ")[0]).name for line in out.splitlines()] == ["soft.jpg"]
    code, out, _ = run_cli("cull", "--propose", "--keep", "3", "--show")
    assert code == 0 and "Proposed a first cull" in out and "rejects:" in out
    assert "soft.jpg: proposed: reject — blur" in out  # each reject with its reason
    code, out, _ = run_cli("list")
    proposed = [line for line in out.splitlines() if "proposed: reject" in line]
    assert proposed and all(" — " in line for line in proposed)  # each with its reason
    code, out, _ = run_cli("cull", "--accept")
    assert code == 0 and "Accepted" in out
    kept = {n for n, p in _by_name().items() if p["cull"] == "kept"}
    assert len(kept) == 3
    code, out, _ = run_cli("undo")
    assert code == 0 and "Undone" in out
    assert not any(p["cull"] == "kept" for p in _by_name().values())
    code, out, _ = run_cli("redo")
    assert code == 0 and {n for n, p in _by_name().items() if p["cull"] == "kept"} == kept
    rated = next(n for n, p in _by_name().items() if p["cull"] == "rejected" and n != "soft.jpg")
    code, _, err = run_cli("keep", "--clear", str(tmp_path / "shoot" / rated))
    assert code == 0, err
    run_cli("rate", "--stars", "5", str(tmp_path / "shoot" / rated))
    assert _by_name()[rated]["cull"] == "kept"  # the star kept it
    code, out, err = run_cli("export", "--approved", str(tmp_path / "out"), "--no-progress")
    assert code == 0, err
    assert any(p.name == rated for p in (tmp_path / "out").rglob("*.jpg"))
    code, out, err = run_cli("people", "--json")
    assert code == 0 and json.loads(out), (out, err)
    person = json.loads(out)[0]["id"]
    assert run_cli("people", "name", str(person), "Grace")[0] == 0
    code, out, err = run_cli("search", "person:grace")
    assert code == 0 and out.strip(), err
    assert shoot  # the shoot's own files, as made
