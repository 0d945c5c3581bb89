"""What Curator writes into a rendition is valid EXIF and XMP (issue 80 §7):
`exiftool -validate` finds no warning in a rendition that it did not find in
its original — the tags the standard requires are there, each in the
standard's type, no maker note pointing into the original's bytes — for every
JPEG camera fixture, exported through `curator export --renditions`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.exiftool import exiftool_command
from tests.integration.cli_helpers import import_json, run_cli


def _warnings(path: Path) -> set[str]:
    out = subprocess.run(
        [*exiftool_command(), "-validate", "-warning", "-a", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return {
        line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Warning")
    }


def test_a_rendition_adds_no_exiftool_warning_to_its_original(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    originals = sorted((fixtures_dir / "jpeg").glob("*.jpg"))
    for original in originals:
        shutil.copy(original, shoot / original.name)
    import_json(shoot, "--stages", "technical")
    code, _, err = run_cli("rate", "--stars", "5", *map(str, shoot.glob("*.jpg")))
    assert code == 0, err
    out = tmp_path / "out"
    code, _, err = run_cli("export", "--approved", str(out), "--renditions", "800", "--no-progress")
    assert code == 0, err
    renditions = sorted(out.rglob("*.jpg"))
    assert len(renditions) == len(originals)
    added = {
        r.name: sorted(_warnings(r) - _warnings(shoot / r.name))
        for r in renditions
        if _warnings(r) - _warnings(shoot / r.name)
    }
    assert not added, added
