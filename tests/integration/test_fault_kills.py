"""Fault suite, kills: 20 SIGKILLs at seeded random moments of a real `curator
import` (a subprocess), with CLI decisions made between them, each resumed by
the next import — and the final catalog equals an uninterrupted run's with the
same decisions: same photos, hashes, measurements and scores, stage results,
decision log; no duplicates; every cached preview whole.

The moments: most kills wait until the import has committed a seeded random
1–2 more photos, then a seeded random 0–200 ms more (so they land while
photos decode, mid-batch, or mid-write); every fourth kill instead lands a
seeded random 0–2 s after the process starts (start-up, migration, scan). The
waits are for conditions (rows committed), bounded by generous deadlines;
the extra random delays only pick the moment, nothing depends on them.
(tests/integration/test_pipeline_crash_and_kill.py has the single-kill case.)
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import curator_subprocess, import_json, run_cli
from tests.integration.fault_helpers import assert_cache_whole, catalog_snapshot, report

KILLS = 20
# Enough photos that 20 kills land before the import's end however fast it
# runs: a kill waits for the next commit, and one commit holds what decoded in
# the writer's 250 ms flush — about 5 photos on an idle 2-core machine, where
# 60 photos were all committed after ~13 kills (and the non-early kills that
# follow can't land: the import ends first), failing the 40-attempt bound.
PHOTOS = 150
SEED = 20261122
_DEADLINE_S = 120  # per import: only a hang reaches it


def _committed(db_path: Path) -> int:
    """Photos whose technical result is committed (0 while there is no catalog)."""
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
        try:
            return int(
                con.execute(
                    "SELECT count(*) FROM stage_run WHERE stage='technical' AND status='done'"
                ).fetchone()[0]
            )
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _paths_in(db_path: Path) -> list[str]:
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return sorted(os.fsdecode(bytes(r[0])) for r in con.execute("SELECT path FROM photo"))
        finally:
            con.close()
    except sqlite3.Error:
        return []


def _decision(rng: random.Random, path: str) -> tuple[str, ...]:
    kind = rng.choice(["keep", "reject", "pick", "rate", "label", "keep-clear"])
    if kind == "rate":
        return ("rate", "--stars", str(rng.randint(0, 5)), path)
    if kind == "label":
        return ("label", "--color", rng.choice(["red", "green", "blue", "none"]), path)
    if kind == "keep-clear":
        return ("keep", "--clear", path)
    return (kind, path)


def _kill_one(
    proc: subprocess.Popen[str], rng: random.Random, catalog: Path, *, early: bool
) -> tuple[bool, int]:
    """SIGKILL `proc` at the chosen moment; (was it still running, photos committed)."""
    deadline = time.monotonic() + _DEADLINE_S
    if early:
        time.sleep(rng.uniform(0.0, 2.0))  # a random moment, not a wait for anything
    else:
        target = _committed(catalog) + rng.randint(1, 2)
        while _committed(catalog) < target and proc.poll() is None:
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.2))
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)
    with contextlib.suppress(ProcessLookupError):  # decoder children left: cleaned up
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    return alive, _committed(catalog)


@pytest.mark.slow
def test_twenty_kills_with_decisions_between_equal_an_uninterrupted_run(
    tmp_path: Path, curator_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(PHOTOS):
        pattern = "texture" if i % 2 else "quadrants"
        make_jpeg(lib / f"img{i:03d}.jpg", 1200 + i, 900, pattern=pattern)
    catalog = curator_home / "catalog.sqlite"
    rng = random.Random(SEED)
    decisions: list[tuple[str, ...]] = []
    kills_mid_import = delivered = 0
    trace: list[tuple[int, int, int, bool]] = []
    started = time.monotonic()
    attempts = 0
    while delivered < KILLS:  # an import that ended before its kill does not count
        k, attempts = attempts, attempts + 1
        assert attempts <= 2 * KILLS, trace
        before = _committed(catalog)
        proc = curator_subprocess(
            "import", str(lib), "--workers", "1", "--no-progress", start_new_session=True
        )
        alive, after = _kill_one(proc, rng, catalog, early=k % 4 == 3)
        delivered += alive
        trace.append((k, before, after, alive))
        kills_mid_import += alive and after < PHOTOS
        assert after >= before  # a kill never loses committed work
        paths = _paths_in(catalog)
        if paths:  # a decision between two kills, through the CLI
            command = _decision(rng, rng.choice(paths))
            code, _out, err = run_cli(*command)
            assert code == 0, (command, err)
            decisions.append(command)
    killed_s = time.monotonic() - started
    resumed = import_json(lib)  # the last resume runs to the end
    assert resumed["failed"] == 0 and resumed["found"] == PHOTOS
    killed = catalog_snapshot(catalog)

    reference_home = tmp_path / "reference"
    with monkeypatch.context() as m:
        m.setenv("CURATOR_HOME", str(reference_home))
        t0 = time.monotonic()
        assert import_json(lib)["new"] == PHOTOS
        uninterrupted_s = time.monotonic() - t0
        for command in decisions:
            assert run_cli(*command)[0] == 0
    reference = catalog_snapshot(reference_home / "catalog.sqlite")

    assert kills_mid_import >= KILLS * 3 // 4, trace  # most land before the import's end
    assert len(killed["photos"]) == PHOTOS and killed["extra"] == []  # no duplicates
    hashes = [p["content_hash"] for p in killed["photos"].values()]
    assert len(set(hashes)) == PHOTOS and None not in hashes
    for key in ("photos", "stages", "decisions", "extra"):
        assert killed[key] == reference[key], key
    assert len(killed["decisions"]) >= len(decisions) // 2  # most commands changed something
    cached = assert_cache_whole(curator_home / "cache", killed)
    report(
        "kills",
        kills=KILLS,
        imports_started=attempts,
        mid_import=kills_mid_import,
        photos=PHOTOS,
        decision_commands=len(decisions),
        decision_rows=len(killed["decisions"]),
        cache_files_checked=cached,
        killed_phase_s=round(killed_s, 1),
        final_resume_new=resumed["new"],
        uninterrupted_import_s=round(uninterrupted_s, 1),
        identical=json.dumps(True),
    )
