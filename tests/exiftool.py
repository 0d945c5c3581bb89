"""Finding exiftool for the XMP read-back tests.

`make test` installs it when it is missing (Debian's libimage-exiftool-perl,
or the same Perl program from the npm registry into .venv/exiftool); a test
that needs it and finds none skips with how to install it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def exiftool_command() -> list[str]:
    """The argv prefix that runs exiftool, or a skip saying how to get it."""
    found = shutil.which("exiftool")
    if found is not None:
        return [found]
    venv = Path(sys.prefix)
    for root in (venv, REPO / ".venv"):
        script = root / "exiftool" / "package" / "bin" / "exiftool"
        perl = shutil.which("perl")
        if script.is_file() and perl is not None:
            return [perl, str(script)]
    pytest.skip(
        "exiftool is not installed, so sidecars can't be read back by it: install it "
        "(Debian/Ubuntu: sudo apt-get install libimage-exiftool-perl; `make test` "
        "does this when it can, or fetches it from the npm registry)."
    )


def read_tags(path: Path, *args: str) -> dict[str, Any]:
    """What exiftool reads from one file (`-j -struct -G1` plus `args`), as a dict
    keyed "Group:Tag" (e.g. "XMP-xmp:Rating"); a skip when exiftool is missing."""
    out = subprocess.run(
        [*exiftool_command(), "-j", "-struct", "-G1", *args, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    tags: dict[str, Any] = json.loads(out.stdout)[0]
    return tags
