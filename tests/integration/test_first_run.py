"""A new user's first minutes, as real subprocesses: the GUI without a display
says one sentence (not Qt's abort), the CLI needs no display, and
`curator --self-test` passes from the virtualenv."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from curator.install.display import NO_DISPLAY
from tests.faces_helpers import installed_model

REPO = Path(__file__).resolve().parents[2]


def _env_without_display(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["CURATOR_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _curator(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curator", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display servers are Linux's")
def test_the_gui_without_a_display_exits_1_with_one_sentence(curator_home: Path) -> None:
    done = _curator(env=_env_without_display(curator_home))
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == f"curator: {NO_DISPLAY}"
    assert not (curator_home / "catalog.sqlite").exists()  # it stopped before anything


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display servers are Linux's")
def test_the_cli_needs_no_display(curator_home: Path) -> None:
    done = _curator("status", "--json", env=_env_without_display(curator_home))
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), dict)


def test_self_test_passes_from_the_venv(curator_home: Path) -> None:
    done = _curator("--self-test", env=_env_without_display(curator_home))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in ("resources", "catalog", "import", "thumbnail"):
        assert any(line.startswith("ok") and f" {step}:" in line for line in lines), step
    assert any(line.startswith("skip") and " describe:" in line for line in lines)
    installed_model()  # the faces step runs the model it finds (its own test: test_self_test_faces)
    assert any(
        line.startswith("ok") and " faces: the face model runs on " in line for line in lines
    )
    assert lines[-1].startswith("self-test passed")
    assert not (curator_home / "catalog.sqlite").exists()  # the user's catalog untouched


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display servers are Linux's")
def test_curator_demo_without_a_display_writes_the_folder_and_says_how_to_import(
    curator_home: Path,
) -> None:
    done = _curator("demo", env=_env_without_display(curator_home))
    assert done.returncode == 0, done.stderr
    assert NO_DISPLAY in done.stderr
    assert "curator import" in done.stdout
    assert (curator_home / "Demo photos" / "bracket_1.jpg").is_file()
