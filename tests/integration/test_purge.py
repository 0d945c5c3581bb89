"""`curator purge-rejected`: rejected photos go to the OS trash (a temp
Freedesktop trash here, see the `os_trash` fixture), become tombstones with
their decisions kept, and their bytes never come back on a re-import.

Every file purged here is a copy in tmp_path; the shared fixtures are
guarded (tests/conftest.py refuses to trash them)."""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import send2trash

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, photo_id_for_path
from curator.catalog.judgments import store_embeddings, training_set
from curator.catalog.models import Photo, PhotoPath
from curator.catalog.projects import add_photos, create_project
from curator.catalog.purge import plan_purge
from curator.catalog.queries import GalleryQuery, gallery_query_ids
from curator.export.plan import plan_export
from curator.export.types import ExportRequest
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli


@contextmanager
def _catalog() -> Iterator[Catalog]:
    with Catalog.open(resolve_paths().catalog) as cat:
        yield cat


def _photo_id(path: Path) -> int:
    """The photo holding `path`, as its primary path or a duplicate: which copy of
    A is primary depends on which the parallel import measured first."""
    with _catalog():
        photo_id = photo_id_for_path(str(path))
    assert photo_id is not None, path
    return photo_id


def _library(tmp_path: Path, fixtures_dir: Path) -> dict[str, Path]:
    """A: rejected, with a duplicate copy; B: rejected (a camera JPEG, copied);
    C: kept. All imported (technical stage)."""
    lib = tmp_path / "lib"
    (lib / "copies").mkdir(parents=True)
    files = {
        "A": make_jpeg(lib / "A.jpg", 400, 300, pattern="texture"),
        "B": Path(shutil.copy2(fixtures_dir / "jpeg" / "canon_sd300_1-6s_soft.jpg", lib / "B.jpg")),
        "C": make_jpeg(lib / "C.jpg", 320, 240, pattern="quadrants"),
    }
    files["A2"] = Path(shutil.copy2(files["A"], lib / "copies" / "A2.jpg"))
    summary = import_json(lib, "--stages", "technical")
    assert summary["new"] == 3 and summary["duplicates"] == 1, summary
    for name in ("A", "B"):
        assert run_cli("reject", str(files[name]))[0] == 0
    assert run_cli("keep", str(files["C"]))[0] == 0
    return files


def _purge(*args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli("purge-rejected", "--yes", "--json", *args)
    return code, json.loads(out), err


def test_purge_trashes_every_copy_tombstones_and_a_reimport_brings_none_back(
    tmp_path: Path, fixtures_dir: Path, os_trash: Path
) -> None:
    files = _library(tmp_path, fixtures_dir)
    a_id, b_id, c_id = (_photo_id(files[k]) for k in "ABC")
    with _catalog():
        decisions_before = {pid: decision_log(pid) for pid in (a_id, b_id)}
    sizes = {k: p.stat().st_size for k, p in files.items()}

    code, report, err = _purge()

    assert code == 0, err
    assert report["trashed"] == 3 and report["failed"] == 0
    assert report["freed_bytes"] == sizes["A"] + sizes["A2"] + sizes["B"]
    assert report["skipped_missing"] == 0 and report["photos_deleted"] == 2
    assert {f["path"] for f in report["files"]} == {str(files[k]) for k in ("A", "A2", "B")}
    # In the trash, each with its .trashinfo naming where it came from; C untouched.
    for key in ("A", "A2", "B"):
        assert not files[key].exists()
        assert (os_trash / "files" / files[key].name).stat().st_size == sizes[key]
        info = (os_trash / "info" / f"{files[key].name}.trashinfo").read_text()
        assert f"Path={files[key]}" in info
    assert files["C"].exists()
    with _catalog():
        for pid in (a_id, b_id):
            photo = Photo.get_by_id(pid)
            assert photo.deleted_at is not None and photo.cull == "rejected"
            assert decision_log(pid) == decisions_before[pid]  # the log is untouched
        assert all(b"\x00deleted:" in bytes(p.path) for p in PhotoPath.select())
        assert gallery_query_ids(GalleryQuery()) == [c_id]
        assert plan_purge().photos == ()
    assert [p["id"] for p in list_json()] == [c_id]

    # The files come back from the trash to their places, plus another copy of B
    # elsewhere: none of it is imported again.
    for key in ("A", "A2", "B"):
        shutil.copy2(os_trash / "files" / files[key].name, files[key])
    shutil.copy2(files["B"], tmp_path / "lib" / "copies" / "B-again.jpg")
    summary = import_json(tmp_path / "lib", "--stages", "technical")
    assert summary["skipped_deleted"] == 4, summary
    assert summary["new"] == 0 and summary["restored"] == 0 and summary["duplicates"] == 0
    assert [p["id"] for p in list_json()] == [c_id]
    lib = str(tmp_path / "lib")
    code, out, _ = run_cli("import", lib, "--no-progress", "--stages", "technical")
    assert code == 0 and "4 skipped (trashed before)" in out
    with _catalog():
        assert Photo.select().count() == 3  # no photo was added for the restored files


def test_tombstones_leave_exports_training_and_projects(
    tmp_path: Path, fixtures_dir: Path, os_trash: Path
) -> None:
    files = _library(tmp_path, fixtures_dir)
    ids = {k: _photo_id(files[k]) for k in "ABC"}
    with _catalog():
        create_project("Trip")
        add_photos("Trip", list(ids.values()))
        rng = np.random.default_rng(0)
        store_embeddings("m", [(pid, rng.random(8, dtype=np.float32)) for pid in ids.values()])
        assert set(training_set("m").photo_ids) == set(ids.values())
    assert _purge()[0] == 0
    with _catalog():
        assert training_set("m").photo_ids == [ids["C"]]
        plan = plan_export(ExportRequest(dest=tmp_path / "out", project="Trip"))
        assert [f.source for f in plan.files] == [str(files["C"])]
        assert {why for _path, why in plan.left_out} == {"deleted"}


def test_a_purge_the_trash_cannot_take_loses_nothing(
    tmp_path: Path, fixtures_dir: Path, os_trash: Path
) -> None:
    files = _library(tmp_path, fixtures_dir)
    os_trash.parent.mkdir(parents=True, exist_ok=True)
    os_trash.write_text("not a folder")  # the trash is unusable

    code, report, err = _purge()

    assert code == 1
    assert report["trashed"] == 0 and report["failed"] == 3 and report["freed_bytes"] == 0
    assert all("left where it is" in f["reason"] for f in report["files"])
    assert err.count("could not be moved to the trash") == 3
    assert all(p.exists() for p in files.values())
    with _catalog():
        assert Photo.select().where(Photo.deleted_at.is_null(False)).count() == 0
    assert len(plan_purge_now()) == 2  # a later purge can try again


def plan_purge_now() -> list[int]:
    with _catalog():
        return [p.photo_id for p in plan_purge().photos]


def test_one_copy_failing_keeps_that_photo_whole(
    tmp_path: Path, fixtures_dir: Path, os_trash: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _library(tmp_path, fixtures_dir)
    a_id, b_id = _photo_id(files["A"]), _photo_id(files["B"])
    real = send2trash.send2trash

    def refuse_a2(path: str) -> None:
        if Path(path).name == "A2.jpg":
            raise PermissionError(13, "Permission denied", path)
        real(path)

    with monkeypatch.context() as m:
        m.setattr(send2trash, "send2trash", refuse_a2)
        code, report, _err = _purge()

    assert code == 1
    assert report["trashed"] == 2 and report["failed"] == 1
    assert report["photos_deleted"] == 1 and report["photos_kept"] == 1
    failed = [f for f in report["files"] if not f["trashed"]]
    assert failed[0]["path"] == str(files["A2"]) and "permission" in failed[0]["reason"]
    assert files["A2"].exists() and not files["A"].exists()
    with _catalog():
        assert Photo.get_by_id(a_id).deleted_at is None  # partly trashed: not a tombstone
        assert Photo.get_by_id(b_id).deleted_at is not None
        # What is left of A (its other copy) is still in the plan for another try.
        assert [(p.photo_id, [f.path for f in p.files]) for p in plan_purge().photos] == [
            (a_id, [str(files["A2"])])
        ]


def test_dry_run_touches_nothing_and_missing_files_are_counted(
    tmp_path: Path, fixtures_dir: Path, os_trash: Path
) -> None:
    files = _library(tmp_path, fixtures_dir)
    files["A2"].unlink()  # a copy already gone from disk (the test's own tmp file)

    code, out, err = run_cli("purge-rejected", "--dry-run", "--json")

    assert code == 0, err
    report = json.loads(out)
    assert report["photos"] == 2 and report["skipped_missing"] == 1
    assert {f["path"] for f in report["files"]} == {str(files["A"]), str(files["B"])}
    assert report["total_bytes"] == files["A"].stat().st_size + files["B"].stat().st_size
    assert files["A"].exists() and files["B"].exists() and not os_trash.exists()
    code, out, _ = run_cli("purge-rejected", "--dry-run")
    assert code == 0 and out.startswith("Would move: 2 rejected photos (2 files, ")
    with _catalog():
        assert Photo.select().where(Photo.deleted_at.is_null(False)).count() == 0


def test_without_yes_and_no_terminal_it_refuses(
    tmp_path: Path, fixtures_dir: Path, os_trash: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _library(tmp_path, fixtures_dir)
    with monkeypatch.context() as m:
        m.setattr(sys, "stdin", io.StringIO("y\n"))  # not a TTY
        code, _out, err = run_cli("purge-rejected")
    assert code == 2 and "--yes" in err
    assert all(p.exists() for p in files.values()) and not os_trash.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "moved"), [("n\n", False), ("y\n", True)])
def test_on_a_terminal_it_asks_first(
    tmp_path: Path,
    fixtures_dir: Path,
    os_trash: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    moved: bool,
) -> None:
    files = _library(tmp_path, fixtures_dir)
    size = sum(files[k].stat().st_size for k in ("A", "A2", "B"))
    with monkeypatch.context() as m:
        m.setattr(sys, "stdin", _Terminal(answer))
        code, out, _err = run_cli("purge-rejected")
    assert code == 0
    from curator.purge.run import human_size

    assert f"Move 2 photos ({human_size(size)}) to the trash? [y/N]" in out
    assert all(f"  {files[k]}  (" in out for k in ("A", "A2", "B"))  # listed first
    assert files["B"].exists() is not moved
    if moved:
        assert f"freeing {human_size(size)}" in out


def test_nothing_rejected_nothing_to_confirm(
    tmp_path: Path, os_trash: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    kept = make_jpeg(lib / "K.jpg", 320, 240, pattern="texture")
    assert import_json(lib, "--stages", "technical")["new"] == 1
    code, report, _err = _purge()
    assert code == 0 and report["trashed"] == 0 and report["files"] == []
    with monkeypatch.context() as m:
        m.setattr(sys, "stdin", io.StringIO(""))  # no terminal, no --yes: nothing to ask
        code, out, _err = run_cli("purge-rejected")
    assert code == 0 and out.startswith("Nothing to move: 0 rejected photos")
    assert kept.exists() and not os_trash.exists()


def test_a_deleted_photos_bytes_over_a_live_photos_file_do_not_become_it(
    tmp_path: Path, fixtures_dir: Path, os_trash: Path
) -> None:
    """`cp trashed-B C.jpg`: C's photo lost its bytes (missing, decisions kept);
    B's bytes are skipped, not a new photo nor an edit of C."""
    files = _library(tmp_path, fixtures_dir)
    c_id = _photo_id(files["C"])
    assert _purge()[0] == 0
    shutil.copyfile(os_trash / "files" / "B.jpg", files["C"])
    summary = import_json(tmp_path / "lib", "--stages", "technical")
    assert summary["skipped_deleted"] == 1 and summary["changed"] == 0 and summary["new"] == 0
    with _catalog():
        c = Photo.get_by_id(c_id)
        assert c.missing_since is not None and c.deleted_at is None and c.cull == "kept"
        assert Photo.select().count() == 3
