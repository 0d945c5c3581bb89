"""Driving a real darktable for the opt-in interoperability tests (`CURATOR_TEST_DARKTABLE=1`).

`darktable_import(files, workdir)` starts darktable with its own `--configdir`,
`--library` and `--cachedir` under `workdir` (the user's darktable is never
touched), on a private Xvfb display when there is no `DISPLAY`, imports each
file through darktable's Lua API (darktable.database.import, what File ▸
import does, sidecars included), quits through the GUI action
`global/quit` (so darktable closes its library cleanly), and reads what
darktable recorded from `library.db` and `data.db`:

- stars: `images.flags & 7` (DT_VIEW_RATINGS_MASK), rejected: `images.flags & 8`
  (DT_IMAGE_REJECTED, darktable ≥ 3.0);
- labels: `color_labels.color` (0 red, 1 yellow, 2 green, 3 blue, 4 purple);
- tags: `tagged_images` joined with `data.db`'s `tags` (darktable's own
  `darktable|…` tags left out).

The golden sidecars in tests/data/darktable/ were recorded from the same
darktable (Debian's 4.2.1) with keys pressed under Xvfb (see the README there).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

COLORS = ("Red", "Yellow", "Green", "Blue", "Purple")


@dataclass(frozen=True)
class DarktableImage:
    """What darktable's library says about one imported file."""

    stars: int
    rejected: bool
    labels: tuple[str, ...]
    tags: tuple[str, ...]


def darktable_binary() -> str:
    """The darktable program, or a skip saying how to install it."""
    found = shutil.which("darktable")
    if found is None:
        pytest.skip("darktable is not installed (Debian/Ubuntu: apt-get install darktable)")
    return found


@contextlib.contextmanager
def _display() -> Iterator[dict[str, str]]:
    """An environment with a DISPLAY: the caller's, or a private Xvfb."""
    env = dict(os.environ)
    if env.get("DISPLAY"):
        yield env
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("darktable needs a display: install Xvfb (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    # -displayfd: Xvfb picks a free display itself and writes its number when ready.
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as ready:
            number = ready.readline().strip().decode()
        if not number.isdigit():
            pytest.fail("Xvfb did not start")
        env["DISPLAY"] = f":{number}"
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _lua(files: Sequence[Path], log: Path) -> str:
    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    paths = ", ".join(quote(str(f)) for f in files)
    return f"""
local dt = require "darktable"
-- luarc runs while darktable still builds its window; importing then can
-- deadlock the Lua thread against the GUI (seen with a fresh Xvfb), so wait
-- until the lighttable view is up, then a moment more.
for _ = 1, 600 do
  local ok, view = pcall(function() return dt.gui.current_view() end)
  if ok and view ~= nil and tostring(view.id) == "lighttable" then break end
  dt.control.sleep(100)
end
dt.control.sleep(1000)
local log = io.open({quote(str(log))}, "w")
for _, path in ipairs({{{paths}}}) do
  local ok, err = pcall(dt.database.import, path)
  log:write(path, "\\t", tostring(ok), "\\t", tostring(err), "\\n")
end
log:write("done\\n")
log:close()
dt.gui.action("global/quit", 0, "", "", 1.0)
"""


def darktable_import(
    files: Sequence[Path], workdir: Path, *, config: dict[str, str] | None = None
) -> dict[str, DarktableImage]:
    """Import `files` into a fresh darktable library; file name → what darktable recorded.

    `config` lines go into darktablerc first (e.g. {"write_sidecar_files": "never"}).
    """
    binary = darktable_binary()
    configdir = workdir / "darktable-config"
    configdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "darktable-lua.log"
    (configdir / "luarc").write_text(_lua(files, log), encoding="utf-8")
    if config:
        rc = "".join(f"{key}={value}\n" for key, value in config.items())
        (configdir / "darktablerc").write_text(rc, encoding="utf-8")
    library = workdir / "library.db"
    errors = workdir / "darktable-stderr.txt"
    with _display() as env, open(errors, "wb") as stderr:
        proc = subprocess.Popen(
            [
                binary,
                "--configdir",
                str(configdir),
                "--library",
                str(library),
                "--cachedir",
                str(workdir / "darktable-cache"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            # The Lua script imports synchronously (SQLite commits each image),
            # writes "done", then asks darktable to quit. Give the quit its time;
            # a darktable that does not go (a job still running) is stopped: its
            # library is read as committed.
            deadline = time.monotonic() + 180
            while not _done(log) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    tail = errors.read_text(encoding="utf-8", errors="replace")[-2000:]
    assert _done(log), f"darktable did not import: {tail}"
    return read_library(library, configdir / "data.db")


def _done(log: Path) -> bool:
    return log.exists() and log.read_text(encoding="utf-8").endswith("done\n")


def read_library(library: Path, data: Path) -> dict[str, DarktableImage]:
    """File name → stars, reject, labels and tags, from darktable's databases."""
    conn = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS data", (f"file:{data}?mode=ro",))
        labels: dict[int, list[str]] = {}
        for imgid, color in conn.execute("SELECT imgid, color FROM color_labels ORDER BY color"):
            labels.setdefault(int(imgid), []).append(COLORS[int(color)])
        tags: dict[int, list[str]] = {}
        rows = conn.execute(
            "SELECT ti.imgid, t.name FROM tagged_images ti JOIN data.tags t ON t.id = ti.tagid "
            "WHERE t.name NOT LIKE 'darktable|%' ORDER BY t.name"
        )
        for imgid, name in rows:
            tags.setdefault(int(imgid), []).append(str(name))
        out: dict[str, DarktableImage] = {}
        for imgid, name, flags in conn.execute("SELECT id, filename, flags FROM images"):
            out[str(name)] = DarktableImage(
                stars=int(flags) & 7,
                rejected=bool(int(flags) & 8),
                labels=tuple(labels.get(int(imgid), ())),
                tags=tuple(tags.get(int(imgid), ())),
            )
        return out
    finally:
        conn.close()
