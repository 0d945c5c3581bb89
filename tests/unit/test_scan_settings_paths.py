"""Scanning, settings and locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.paths import resolve_paths
from curator.pipeline.stages.scan import ScanReport, scan_folder
from curator.settings import SettingsError, load_settings


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_scan_is_recursive_case_insensitive_and_sorted(tmp_path: Path) -> None:
    for name in (
        "b/IMG_1.CR3",
        "a/x.JPeG",
        "a/y.tif",
        "top.NEF",
        "c/d/e/deep.heic",
        "c/notes.txt",
        "c/x.xmp",
    ):
        _touch(tmp_path / name)
    found = [Path(c.path).relative_to(tmp_path).as_posix() for c in scan_folder(tmp_path)]
    # A folder's own files first, then its subfolders, each in name order.
    assert found == ["top.NEF", "a/x.JPeG", "a/y.tif", "b/IMG_1.CR3", "c/d/e/deep.heic"]


def test_scan_skips_hidden_and_excluded_and_survives_loops(tmp_path: Path) -> None:
    _touch(tmp_path / "ok.jpg")
    _touch(tmp_path / ".trash" / "gone.jpg")
    _touch(tmp_path / "._ok.jpg")
    _touch(tmp_path / "cache" / "previews" / "ab.jpg")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deeper").symlink_to(tmp_path / "sub", target_is_directory=True)
    report = ScanReport()
    found = [c.path for c in scan_folder(tmp_path, exclude=[tmp_path / "cache"], report=report)]
    assert found == [str(tmp_path / "ok.jpg")]
    assert report.problems == []


def test_scan_yields_broken_links_without_stat(tmp_path: Path) -> None:
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "missing.jpg")
    (cand,) = list(scan_folder(tmp_path))
    assert cand.size is None and cand.mtime_ns is None


def test_missing_root_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    report = ScanReport()
    assert list(scan_folder(tmp_path / "nope", report=report)) == []
    assert len(report.problems) == 1


def test_settings_file_and_env(tmp_path: Path) -> None:
    f = tmp_path / "settings.json"
    f.write_text('{"decode_workers": 3, "preview_long_edge": 2048}')
    s = load_settings(f, env={"CURATOR_DECODE_WORKERS": "5"})
    assert (s.decode_workers, s.preview_long_edge) == (5, 2048)
    with pytest.raises(SettingsError, match="preview_long_edge"):
        load_settings(None, env={"CURATOR_PREVIEW_LONG_EDGE": "10"})
    f.write_text("{broken")
    with pytest.raises(SettingsError, match="can't be read"):
        load_settings(f, env={})


def test_curator_home_relocates_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURATOR_HOME", str(tmp_path / "h"))
    p = resolve_paths()
    assert p.catalog == tmp_path / "h" / "catalog.sqlite"
    assert p.cache_dir == tmp_path / "h" / "cache"
    assert p.settings_file == tmp_path / "h" / "settings.json"
    explicit = resolve_paths(tmp_path / "x.sqlite")
    assert explicit.catalog == tmp_path / "x.sqlite"


def test_default_locations_come_from_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CURATOR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", "/tmp/xdg-data")
    monkeypatch.setenv("XDG_CACHE_HOME", "/tmp/xdg-cache")
    p = resolve_paths()
    assert p.catalog == Path("/tmp/xdg-data/Curator/catalog.sqlite")
    assert p.cache_dir == Path("/tmp/xdg-cache/Curator")
