"""`curator WORD` routing: commands, unknown words, missing paths and files exit
before anything imports Qt; an existing folder still opens the window."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from curator import __main__ as entry
from curator import cli

REPO = Path(__file__).resolve().parents[2]

# Runs `curator ARGS…` in a fresh interpreter, then reports whether Qt was imported.
_PROBE = (
    "import sys\n"
    "from curator.__main__ import main\n"
    "rc = main(sys.argv[1:])\n"
    "print('qt-imported' if any(m.startswith('PySide6') for m in sys.modules) else 'no-qt')\n"
    "sys.exit(rc)\n"
)


def _curator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(REPO)
    env.pop("QT_QPA_PLATFORM", None)  # without a display, reaching Qt would abort
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unknown_word_is_an_unknown_command_with_suggestions(tmp_path: Path) -> None:
    done = _curator("imprt", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "curator: unknown command 'imprt' (did you mean import?)"
    assert "no-qt" in done.stdout


def test_an_unknown_word_with_nothing_close_gets_no_suggestion(tmp_path: Path) -> None:
    done = _curator("zzyzx", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("curator: unknown command 'zzyzx'")
    assert "did you mean" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "no-qt" in done.stdout


def test_a_path_that_does_not_exist_says_there_is_no_folder(tmp_path: Path) -> None:
    missing = tmp_path / "holiday" / "2019"
    done = _curator("--catalog", str(tmp_path / "c.sqlite"), str(missing), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"curator: folder not found: there is no folder at {missing}."
    assert "no-qt" in done.stdout
    assert not (tmp_path / "c.sqlite").exists()  # nothing was opened or created


def test_a_file_instead_of_a_folder_is_a_sentence(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0001.JPG"
    photo.write_bytes(b"\xff\xd8")
    done = _curator(str(photo), cwd=tmp_path)
    assert done.returncode == 2
    assert "not a folder" in done.stderr and "is a file" in done.stderr
    assert str(tmp_path) in done.stderr  # names the folder to give instead
    assert "no-qt" in done.stdout


def test_a_command_word_still_runs_the_command(tmp_path: Path) -> None:
    done = _curator("--catalog", str(tmp_path / "c.sqlite"), "status", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "0 photos in the catalog" in done.stdout
    assert "no-qt" in done.stdout


def test_an_existing_folder_opens_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    fake_app = types.ModuleType("curator.app")
    fake_app.main = lambda args: seen.append(list(args)) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "curator.app", fake_app)
    monkeypatch.setattr("curator.app", fake_app, raising=False)
    assert entry.main([str(tmp_path)]) == 0
    assert entry.main([]) == 0  # no folder: the window opens on the catalog
    assert seen == [[str(tmp_path)], []]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("lst", ["list"]), ("doctr", ["doctor"]), ("model", ["models"]), ("zzzz", [])],
)
def test_suggestions_come_from_the_command_list(word: str, expected: list[str]) -> None:
    problem = entry.gui_argument_problem(word, cli.COMMANDS)
    assert problem is not None
    for name in expected:
        assert f"did you mean {name}" in problem
    if not expected:
        assert "did you mean" not in problem
