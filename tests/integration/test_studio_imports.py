"""Seats importing on one PostgreSQL catalog (issue 34 §2): a shared drive
mounted at another place on each seat keeps one photo one photo (the
`root_map` setting), and two seats importing the same folder at once
create no duplicate. Each seat is a real `curator` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo, PhotoPath
from tests.integration.cli_helpers import REPO
from tests.ui.conftest import make_library

N = 10


def seat(url: str, *args: str, user: str, env: dict[str, str] | None = None) -> Any:
    """`curator --catalog URL ARGS…` as `user`'s seat; its output (parsed, if JSON)."""
    done = subprocess.run(
        [sys.executable, "-m", "curator", "--catalog", url, *args],
        cwd=REPO,
        env={**os.environ, "CURATOR_SEAT_USER": user, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if "--json" in args else done.stdout


@pytest.fixture
def drive(tmp_path: Path) -> tuple[Path, Path]:
    """The studio's drive: a shoot at `mac/Studio` (the lead's mount), and the same
    files reached at `linux/studio` (an assistant's mount of the same drive)."""
    mac = tmp_path / "mac" / "Studio"
    make_library(mac / "shoot", N)
    (tmp_path / "linux").mkdir()
    linux = tmp_path / "linux" / "studio"
    linux.symlink_to(mac, target_is_directory=True)
    return mac, linux


def _import(url: str, folder: Path, user: str, env: dict[str, str] | None = None) -> Any:
    return seat(
        url,
        "import",
        str(folder),
        "--stages",
        "technical",
        "--no-progress",
        "--json",
        user=user,
        env=env,
    )


def test_a_shared_drive_mounted_elsewhere_keeps_one_photo_one_photo(
    pg_url: str, drive: tuple[Path, Path]
) -> None:
    mac, linux = drive
    mapped = {"CURATOR_ROOT_MAP": f"{mac}={linux}"}
    assert _import(pg_url, mac / "shoot", "lead")["new"] == N
    again = _import(pg_url, linux / "shoot", "assistant", mapped)
    assert again["new"] == 0 and again.get("duplicate", 0) == 0, again
    # The assistant lists and decides by the paths of their own mount…
    listed = seat(pg_url, "list", "--json", user="assistant", env=mapped)
    assert len(listed) == N and all(p["path"].startswith(str(linux)) for p in listed)
    seat(pg_url, "reject", str(linux / "shoot" / "IMG_0003.jpg"), user="assistant", env=mapped)
    # …and the lead sees the same photos at theirs, with the assistant's decision.
    by_lead = {p["path"]: p for p in seat(pg_url, "list", "--json", user="lead")}
    assert by_lead[str(mac / "shoot" / "IMG_0003.jpg")]["cull"] == "rejected"
    with Catalog.open(pg_url):
        assert Photo.select().count() == N and PhotoPath.select().count() == 0


def test_without_the_mapping_the_other_mount_is_another_path_of_the_same_photos(
    pg_url: str, drive: tuple[Path, Path]
) -> None:
    """What the mapping prevents: the same bytes at a second path are the same
    photo still (content identity), but with a path of each seat's."""
    mac, linux = drive
    _import(pg_url, mac / "shoot", "lead")
    _import(pg_url, linux / "shoot", "assistant")
    with Catalog.open(pg_url):
        assert Photo.select().count() == N and PhotoPath.select().count() == N


def test_two_seats_importing_one_folder_at_once_make_no_duplicate(
    pg_url: str, drive: tuple[Path, Path]
) -> None:
    mac, linux = drive
    mapped = {"CURATOR_ROOT_MAP": f"{mac}={linux}"}
    args = ("import", "--stages", "technical", "--no-progress", "--json")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "curator", "--catalog", pg_url, args[0], str(folder), *args[1:]],
            cwd=REPO,
            env={**os.environ, "CURATOR_SEAT_USER": user, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder, user, env in (
            (mac / "shoot", "lead", {}),
            (linux / "shoot", "assistant", mapped),
        )
    ]
    reports = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        reports.append(json.loads(out))
    assert sum(r["new"] for r in reports) == N, reports
    with Catalog.open(pg_url) as cat:
        assert Photo.select().count() == N and PhotoPath.select().count() == 0
        hashes = cat.db.execute_sql("SELECT count(DISTINCT content_hash) FROM photo").fetchone()
        assert hashes[0] == N
