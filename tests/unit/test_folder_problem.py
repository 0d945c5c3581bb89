"""One answer to "can this folder be imported?" (`fs.folders.folder_problem`), with
one set of sentences that `curator import`, the entry point's routing
(`curator FOLDER`) and the scan all give for the same folder (the window's
import says it too: tests/ui/test_gallery.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.__main__ import gui_argument_problem
from curator.cli import COMMANDS
from curator.fs.folders import FolderProblemKind, folder_problem
from curator.pipeline.stages.scan import ScanReport, scan_folder
from tests.integration.cli_helpers import is_human_sentence, run_cli
from tests.unprivileged import as_unprivileged
from tests.unprivileged import open_tmp as open_tmp_folder


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    with open_tmp_folder() as base:
        yield base


def test_an_importable_folder_has_no_problem(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "photos")
    assert folder_problem(tmp_path / "photos") is None
    assert folder_problem(tmp_path / "link") is None  # a link to a folder is that folder


def test_each_problem_has_its_kind_and_sentence(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_1.JPG"
    photo.write_bytes(b"\xff\xd8")
    missing = folder_problem(tmp_path / "nope")
    a_file = folder_problem(photo)
    through_a_file = folder_problem(photo / "sub")
    assert missing is not None and a_file is not None and through_a_file is not None
    assert missing.kind is FolderProblemKind.MISSING
    assert missing.message == f"Folder not found: there is no folder at {tmp_path / 'nope'}."
    assert missing.line == f"folder not found: there is no folder at {tmp_path / 'nope'}."
    assert a_file.kind is FolderProblemKind.NOT_A_FOLDER
    assert a_file.message == (
        f"Not a folder: {photo} is a file; give the folder that holds the photos ({tmp_path})."
    )
    assert through_a_file.kind is FolderProblemKind.NOT_A_FOLDER
    for problem in (missing, a_file, through_a_file):
        assert is_human_sentence(problem.message) and str(problem) == problem.message


def test_a_folder_curator_may_not_read(open_tmp: Path) -> None:
    locked = open_tmp / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        kind, problem = as_unprivileged(lambda: folder_problem(locked))  # type: ignore[misc]
    finally:
        locked.chmod(0o755)
    assert kind == "ok" and problem is not None
    assert problem.kind is FolderProblemKind.NOT_ALLOWED
    assert problem.message == (
        f"Permission denied: Curator is not allowed to read the folder {locked}."
    )


def test_a_home_folder_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    problem = folder_problem("~/Pictures")
    assert problem is not None and str(tmp_path / "Pictures") in problem.message
    (tmp_path / "Pictures").mkdir()
    assert folder_problem("~/Pictures") is None


def test_the_cli_the_entry_point_and_the_scan_say_the_same(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_1.JPG"
    photo.write_bytes(b"\xff\xd8")
    for folder in (tmp_path / "nope", photo):
        problem = folder_problem(folder)
        assert problem is not None
        code, _out, err = run_cli("import", str(folder))
        assert (code, err) == (2, f"curator: {problem.line}\n")
        assert gui_argument_problem(str(folder), COMMANDS) == problem.line
        report = ScanReport()
        assert list(scan_folder(folder, report=report)) == []
        (skipped,) = report.problems
        assert skipped.message == f"{problem.message} Its photos were skipped."
    # A word that is no folder and no command is still an unknown command.
    assert "unknown command" in (gui_argument_problem("frobnicate", COMMANDS) or "")
