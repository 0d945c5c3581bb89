"""The CLI's contract: exit codes, messages, JSON shapes."""

from __future__ import annotations

from pathlib import Path

from curator.figures import shown_figures
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli, status_json


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    code, _out, err = run_cli("import", str(tmp_path / "nope"))
    assert code == 2
    assert "folder not found" in err and "Traceback" not in err


def test_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    f = make_jpeg(tmp_path / "one.jpg", 64, 64)
    code, _, err = run_cli("import", str(f))
    assert code == 2 and "not a folder" in err


def test_unusable_catalog_exits_3_and_is_left_alone(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("not a database at all\n" * 50)
    code, _, err = run_cli("status", "--catalog", str(bogus))
    assert code == 3 and "not a Curator catalog" in err
    assert bogus.read_text().startswith("not a database")


def test_unknown_stage(tmp_path: Path) -> None:
    code, _, err = run_cli("import", str(tmp_path), "--stages", "technical,teleport")
    assert code == 2 and "teleport" in err and "known stages: technical" in err


def test_invalid_setting_from_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CURATOR_DECODE_WORKERS", "lots")
    code, _, err = run_cli("status")
    assert code == 3 and "decode_workers" in err


def test_catalog_option_picks_another_catalog(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 120, 90)
    other = tmp_path / "elsewhere" / "mine.sqlite"
    code, _, err = run_cli("import", str(lib), "--catalog", str(other), "--no-progress")
    assert code == 0, err
    assert other.exists()
    assert status_json()["photos"] == 0  # the default catalog is untouched
    code, out, _ = run_cli("status", "--catalog", str(other), "--json")
    assert '"photos": 1' in out


def test_status_and_list_json_shapes(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 640, 480, make="Nikon", model="Z 6")
    (lib / "b.jpg").write_bytes(b"")
    summary = import_json(lib)
    assert set(summary) >= {"found", "new", "duplicates", "moved", "unchanged", "failed"}
    status = status_json()
    assert status["photos"] == 2
    assert status["stages"]["technical"] == {
        "pending": 0,
        "running": 0,
        "done": 1,
        "failed": 1,
        "skipped": 0,
    }
    # The empty file can't be measured, so it is not "pending" for the later stages.
    assert status["stages"]["describe"]["pending"] == 0
    assert sum(status["stages"]["embed"].values()) == 1
    assert status["failed"] == [
        {"path": str(lib / "b.jpg"), "stage": "technical", "reason": status["failed"][0]["reason"]}
    ]
    photos = {Path(p["path"]).name: p for p in list_json()}
    a = photos["a.jpg"]
    for key in (
        "other_paths",
        "content_hash",
        "format",
        "size",
        "captured_at",
        "camera_make",
        "camera_model",
        "lens",
        "iso",
        "exposure_time",
        "f_number",
        "focal_length",
        *(f.name for f in shown_figures()),  # every stored figure shown, as declared
    ):
        assert key in a
    assert (a["camera_make"], a["camera_model"], a["format"]) == ("Nikon", "Z 6", "jpeg")
    assert a["size"] == (lib / "a.jpg").stat().st_size
    assert photos["b.jpg"]["stages"]["technical"]["status"] == "failed"
    assert "empty" in photos["b.jpg"]["stages"]["technical"]["reason"]


def test_human_output_mentions_failures(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "z.jpg").write_bytes(b"")
    code, out, _ = run_cli("import", str(lib), "--no-progress")
    assert code == 0
    assert "1 failed" in out and "curator status" in out
    code, out, _ = run_cli("status")
    assert "z.jpg" in out and "empty" in out


def test_entry_point_routes_subcommands_after_the_catalog_option(tmp_path: Path) -> None:
    import contextlib
    import io

    from curator.__main__ import _first_positional, main

    assert _first_positional(["--catalog", "x.sqlite", "status"]) == "status"
    assert _first_positional(["--catalog", "x.sqlite", "/photos"]) == "/photos"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--catalog", str(tmp_path / "c.sqlite"), "status", "--json"])
    assert code == 0 and '"photos": 0' in out.getvalue()


def test_the_command_line_works_on_the_catalog_the_window_opened_last(tmp_path: Path) -> None:
    from curator.paths import RecentCatalogs, resolve_paths

    shoot = tmp_path / "shoot"
    shoot.mkdir()
    make_jpeg(shoot / "a.jpg", 320, 240)
    other = tmp_path / "studio" / "other.sqlite"
    code, _, err = run_cli("--catalog", str(other), "import", str(shoot), "--no-progress")
    assert code == 0, err
    assert list_json() == []  # nothing remembered yet: the default catalog, still empty

    RecentCatalogs(resolve_paths().config_dir).add(other)  # File ▸ Open Catalog… did
    assert [Path(p["path"]).name for p in list_json()] == ["a.jpg"]
    code, out, err = run_cli("--catalog", str(tmp_path / "third.sqlite"), "list", "--json")
    assert (code, out.strip()) == (0, "[]"), err  # --catalog still wins

    other.unlink()  # a remembered catalog that is gone: back to the default
    assert list_json() == []
