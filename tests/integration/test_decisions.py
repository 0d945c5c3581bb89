"""Decisions from the command line: state, the append-only log, bad input."""

from __future__ import annotations

from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli


def _state() -> dict[str, tuple[str, int | None, bool]]:
    return {Path(p["path"]).name: (p["cull"], p["rating"], p["picked"]) for p in list_json()}


def test_keep_reject_pick_rate_and_the_log(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "a.jpg", 300, 200)
    b = make_jpeg(lib / "b.jpg", 301, 200)
    import_json(lib)
    assert _state() == {"a.jpg": ("unreviewed", None, False), "b.jpg": ("unreviewed", None, False)}

    assert run_cli("keep", str(a))[0] == 0
    assert run_cli("rate", "--stars", "4", str(a))[0] == 0
    assert run_cli("pick", str(b))[0] == 0  # a pick keeps too
    assert _state() == {"a.jpg": ("kept", 4, False), "b.jpg": ("kept", None, True)}
    assert run_cli("reject", str(b))[0] == 0  # a reject drops the pick
    assert run_cli("rate", "--stars", "0", str(a))[0] == 0
    assert _state() == {"a.jpg": ("kept", None, False), "b.jpg": ("rejected", None, False)}

    code, out, _ = run_cli("keep", str(a))  # already kept: nothing logged
    assert code == 0 and "0 photo(s) changed" in out

    with Catalog.open(resolve_paths().catalog):
        log = [
            (Path(str(d["photo_id"])).name, d["kind"], d["old"], d["new"]) for d in decision_log()
        ]
    kinds = [(k, o, n) for _, k, o, n in log]
    assert kinds == [
        ("cull", "unreviewed", "kept"),
        ("rating", None, "4"),
        ("pick", "0", "1"),
        ("cull", "unreviewed", "kept"),
        ("cull", "kept", "rejected"),
        ("pick", "1", "0"),
        ("rating", "4", None),
    ]


def test_bad_decisions_are_refused_clearly(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "a.jpg", 300, 200)
    import_json(lib)
    code, _, err = run_cli("rate", "--stars", "7", str(a))
    assert code == 2 and "1 to 5" in err
    code, _out, err = run_cli("keep", str(a), str(tmp_path / "elsewhere.jpg"))
    assert code == 2 and "not in the catalog" in err
    assert _state()["a.jpg"][0] == "kept"  # the known photo was still decided


def test_color_labels_from_the_command_line(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "a.jpg", 300, 200)
    import_json(lib)
    assert run_cli("label", "--color", "Red", str(a))[0] == 0
    assert [p["label"] for p in list_json()] == ["red"]
    code, _, err = run_cli("label", "--color", "magenta", str(a))
    assert code == 2 and "red, yellow, green, blue, purple" in err
    assert run_cli("label", "--color", "none", str(a))[0] == 0
    assert [p["label"] for p in list_json()] == [None]
    with Catalog.open(resolve_paths().catalog):
        log = [(d["kind"], d["old"], d["new"]) for d in decision_log()]
    assert log == [("label", None, "red"), ("label", "red", None)]
    # A label is not a judgment: the photo is still unreviewed.
    assert _state()["a.jpg"] == ("unreviewed", None, False)
