"""The export dialog's sentences and its remembered choices (no Qt)."""

from __future__ import annotations

import json
from pathlib import Path

from curator.export.types import ExportedFile, ExportProgress, ExportResult, FileStatus
from curator.ui.export.choices import (
    LONG_EDGE_DEFAULT,
    ExportChoices,
    ExportChoicesFile,
)
from curator.ui.export.text import preview_text, progress_text, summary_text


def _result(
    *statuses: FileStatus, cancelled: bool = False, message: str | None = None
) -> ExportResult:
    files = [
        ExportedFile(
            f"approved/IMG_{i}.jpg",
            f"/photos/IMG_{i}.jpg",
            s,
            message if s is FileStatus.FAILED else None,
        )
        for i, s in enumerate(statuses)
    ]
    return ExportResult(Path("/out"), files, cancelled=cancelled)


def test_preview_counts_new_and_existing_and_names_the_folder() -> None:
    result = _result(FileStatus.PLANNED, FileStatus.PLANNED, FileStatus.SKIPPED_EXISTING)
    text = preview_text(result, Path("/out/approved"))
    assert text == (
        "2 photos will go out to /out/approved (1 already there will be left as they are)."
    )
    everything_there = _result(FileStatus.SKIPPED_EXISTING)
    assert preview_text(everything_there).startswith("All 1 photo are already in /out/approved")


def test_preview_of_nothing_says_why() -> None:
    empty = ExportResult(Path("/out"))
    assert preview_text(empty).startswith("Nothing to export: no photo is approved yet")
    text = preview_text(empty, project="Wedding", left_out=3)
    assert text == (
        "Nothing to export: the project 'Wedding' has no photo to send "
        "(3 rejected, missing or deleted)."
    )


def test_progress_shows_count_rate_and_time_left() -> None:
    assert progress_text(ExportProgress(0, 40, 0, 0.0)) == "0 / 40"
    text = progress_text(ExportProgress(10, 40, 0, 5.0, "a.jpg"))
    assert text == "10 / 40 · 2.0 photos/s · about 15 s left"
    assert "left" not in progress_text(ExportProgress(40, 40, 0, 5.0))


def test_summary_names_exported_existing_and_the_first_failure() -> None:
    result = _result(
        FileStatus.EXPORTED,
        FileStatus.SKIPPED_EXISTING,
        FileStatus.FAILED,
        FileStatus.FAILED,
        message="The original file is missing",
    )
    text = summary_text(result, Path("/out/approved"))
    assert text.startswith("1 photo exported to /out/approved, 1 already there, 2 failed.")
    assert text.endswith("First failure: IMG_2.jpg: The original file is missing.")


def test_a_cancelled_summary_tells_how_to_finish() -> None:
    result = _result(FileStatus.EXPORTED, FileStatus.EXPORTED, cancelled=True)
    assert summary_text(result) == "Cancelled: 2 exported; run Export again to finish."


def test_choices_round_trip_and_bad_files_give_defaults(tmp_path: Path) -> None:
    store = ExportChoicesFile(tmp_path / "config")
    assert store.load() == ExportChoices()
    chosen = ExportChoices(dest="/media/card", project="Wedding", renditions=True, long_edge=3000)
    store.save(chosen)
    assert ExportChoicesFile(tmp_path / "config").load() == chosen
    store.file.write_text(json.dumps({"dest": 5, "long_edge": 99, "renditions": "yes"}))
    assert store.load() == ExportChoices(long_edge=LONG_EDGE_DEFAULT)
    store.file.write_text("{not json")
    assert store.load() == ExportChoices()


def test_an_error_that_stopped_the_export_is_in_the_summary() -> None:
    result = _result(FileStatus.EXPORTED)
    result.error = "The manifest could not be written (disk full)."
    text = summary_text(result, Path("/out/approved"))
    assert text == (
        "1 photo exported to /out/approved. The manifest could not be written (disk full)."
    )
