"""Bad input: each bad file lands in the Failed lane with a human sentence, the rest goes on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.imaging.types import TechnicalFailure, TechnicalRequest
from curator.pipeline.stages.scan import ScanReport, scan_folder
from curator.pipeline.stages.technical import run_technical
from tests.imaging_helpers import fixture, make_jpeg, png_bomb
from tests.integration.cli_helpers import import_json, is_human_sentence, list_json, status_json
from tests.unprivileged import MEASURING, as_unprivileged
from tests.unprivileged import open_tmp as open_tmp_folder


def _reasons() -> dict[str, str]:
    return {Path(f["path"]).name: f["reason"] for f in status_json()["failed"]}


def test_each_bad_file_fails_alone_with_a_reason(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "good.jpg", 800, 600, pattern="texture")
    (lib / "zero.jpg").write_bytes(b"")
    good_bytes = (lib / "good.jpg").read_bytes()
    (lib / "truncated.jpg").write_bytes(good_bytes[: len(good_bytes) // 2])
    raw = fixture("raw/Canon550D_MagicLantern_colorchart.dng").read_bytes()
    (lib / "truncated.dng").write_bytes(raw[: len(raw) // 3])
    (lib / "notes.jpg").write_text("shopping list: milk, film, batteries\n" * 20)
    (lib / "bomb.png").write_bytes(png_bomb())
    (lib / "broken_link.jpg").symlink_to(lib / "does-not-exist.jpg")
    (lib / "loop.jpg").symlink_to(lib / "loop.jpg")
    (lib / "sub").mkdir()
    (lib / "sub" / "back_up").symlink_to(lib, target_is_directory=True)  # a folder loop

    result = import_json(lib)
    bad = {
        "zero.jpg",
        "truncated.jpg",
        "truncated.dng",
        "notes.jpg",
        "bomb.png",
        "broken_link.jpg",
        "loop.jpg",
    }
    assert result["found"] == len(bad) + 1  # the folder loop did not multiply files
    assert result["new"] == 1 and result["failed"] == len(bad)

    reasons = _reasons()
    assert set(reasons) == bad
    for name, reason in reasons.items():
        assert is_human_sentence(reason), (name, reason)
    assert "empty" in reasons["zero.jpg"]
    assert "cut short" in reasons["truncated.jpg"] or "incomplete" in reasons["truncated.jpg"]
    assert "text" in reasons["notes.jpg"]
    assert "safety limit" in reasons["bomb.png"]
    assert (
        "broken link" in reasons["broken_link.jpg"]
        or "does not exist" in reasons["broken_link.jpg"]
    )
    assert "loop" in reasons["loop.jpg"]

    # The failures are recorded with their technical detail in the error log.
    from curator.catalog.models import ErrorLog

    assert ErrorLog.select().where(ErrorLog.stage == "technical").count() == len(bad)

    # Nothing was modified: originals keep their bytes.
    assert (lib / "good.jpg").read_bytes() == good_bytes
    assert (lib / "notes.jpg").read_text().startswith("shopping list")

    # A re-import does not retry known failures (same bytes) and adds nothing.
    again = import_json(lib)
    assert again["failed"] == len(bad) and again["unchanged"] == 1 and again["new"] == 0
    assert ErrorLog.select().count() == len(bad)


def test_odd_file_names_import_fine(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    latin1 = os.fsdecode(b"caf\xe9 \xe0 Paris.jpg")  # not valid UTF-8
    long_name = "a-very-long-name-" * 14 + ".JPG"  # 242 characters
    for i, name in enumerate(
        [latin1, long_name, "spaces and ü ñ 東京 ;'\".jpeg", "-starts-with-dash.jpg"]
    ):
        make_jpeg(lib / name, 320 + i * 16, 240, pattern="texture")
    result = import_json(lib)
    assert result["new"] == 4 and result["failed"] == 0
    paths = {p["path"] for p in list_json()}
    assert str(lib / latin1) in paths  # the exact bytes, as surrogate escapes (os.fsdecode)
    assert str(lib / long_name) in paths
    assert import_json(lib)["unchanged"] == 4  # the exact bytes of the name are the identity


def test_hidden_files_and_own_cache_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    (lib / ".hidden_dir").mkdir(parents=True)
    make_jpeg(lib / "seen.JPEG", 320, 240)
    make_jpeg(lib / ".hidden.jpg", 320, 240)
    make_jpeg(lib / ".hidden_dir" / "x.jpg", 320, 240)
    (lib / "sidecar.xmp").write_text("<x/>")
    # Point the cache *inside* the imported folder: its previews must not be imported.
    monkeypatch.setenv("CURATOR_HOME", str(lib / "curator-home"))
    first = import_json(lib)
    assert first["found"] == 1 and first["new"] == 1
    assert any((lib / "curator-home" / "cache").rglob("*.jpg"))
    assert import_json(lib)["found"] == 1


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temp folder that `nobody` can enter (pytest's tmp_path is root-only)."""
    with open_tmp_folder() as base:
        yield base


def test_unreadable_file_fails_with_a_reason(open_tmp: Path) -> None:
    base = open_tmp
    secret = make_jpeg(base / "secret.jpg", 320, 240)
    secret.chmod(0)
    cache = base / "cache"
    request = TechnicalRequest(path=str(secret), cache_dir=str(cache))
    try:
        kind, value = as_unprivileged(lambda: run_technical(request), MEASURING)  # type: ignore[misc]
    finally:
        secret.chmod(0o644)
    assert kind == "ok"
    assert isinstance(value, TechnicalFailure)
    assert value.error_type == "PermissionDeniedError" and not value.transient
    assert "not allowed to read" in value.message and is_human_sentence(value.message)


def test_unreadable_folder_is_reported_and_the_scan_goes_on(open_tmp: Path) -> None:
    base = open_tmp
    (base / "locked").mkdir()
    make_jpeg(base / "ok.jpg", 320, 240)
    make_jpeg(base / "locked" / "inside.jpg", 320, 240)
    (base / "locked").chmod(0)

    def scan() -> tuple[list[str], list[tuple[str, str]]]:
        report = ScanReport()
        found = [c.path for c in scan_folder(base, report=report)]
        return found, [(p.path, p.message) for p in report.problems]

    try:
        kind, (found, problems) = as_unprivileged(scan)  # type: ignore[misc]
    finally:
        (base / "locked").chmod(0o755)
    assert kind == "ok"
    assert found == [str(base / "ok.jpg")]
    assert [p for p, _ in problems] == [str(base / "locked")]
    assert problems[0][1].startswith("Permission denied: Curator is not allowed to read")
