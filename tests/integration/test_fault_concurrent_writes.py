"""Fault suite, concurrency: decisions keep being committed while the
pipeline's write path commits thousands of results — no "database is
locked", and every decision is there afterwards, through both paths:

- the CLI (`curator rate/keep/label/pick` subprocesses, four at a time);
- the GUI's (`ui.review.session.ReviewSession`, the loupe's object, in this process:
  rate, keep, reject, undo, redo, each committed before the cursor moves).

The writer is a child process running `CatalogWriter.apply_technical` (the
one write path of the technical stage, in the runner's batches of 32, one
IMMEDIATE transaction each) on 3,000+ generated results
(tests/integration/fault_writer_child.py). "Every decision present" is
checked against a replay of the same commands and keys on a catalog nobody
else writes: per photo, the same decision log and the same final state.
(tests/integration/test_concurrent_decisions.py has the stand-in writer that
holds the lock in long transactions.)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.paths import resolve_paths
from curator.ui.review.session import ReviewSession
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import REPO, curator_subprocess, import_json, run_cli
from tests.integration.fault_helpers import catalog_snapshot, report

RESULTS = 3000
GUI_ROUNDS = 2
_WAIT_S = 180


def _cli_waves(p: list[str]) -> list[list[tuple[str, ...]]]:
    """Two waves of four commands on disjoint photos (0–11): the order inside
    a wave does not matter to the result."""
    return [
        [
            ("rate", "--stars", "3", p[0], p[1], p[2]),
            ("keep", p[3], p[4], p[5]),
            ("label", "--color", "red", p[6], p[7], p[8]),
            ("pick", p[9], p[10], p[11]),
        ],
        [
            ("rate", "--stars", "5", p[0]),
            ("reject", p[3]),
            ("label", "--color", "blue", p[6]),
            ("pick", "--clear", p[9]),
        ],
    ]


def _gui_session(
    ids: list[int], on_decision: Callable[[], None], *, undo: bool, waits: list[float]
) -> None:
    """The loupe's keys on photos `ids`: per round, a rating (which also keeps
    in the cull pass) then keep or reject; with `undo`, Ctrl+Z then Ctrl+Shift+Z
    after every third photo. (Undo takes the newest action in the catalog's
    log, whoever made it — so it runs while no CLI command does, to stay
    comparable with the replay.)"""
    session = ReviewSession(lambda _pass: list(ids), on_decision)
    session.start("cull")

    def timed(key: Callable[[], None]) -> None:
        t0 = time.monotonic()
        key()  # returns once the decision is committed
        waits.append(time.monotonic() - t0)

    for round_ in range(GUI_ROUNDS):
        for n, pid in enumerate(ids):
            assert session.go_to(pid)
            timed(lambda: session.rate(round_ % 5 + 1))  # noqa: B023 (called at once)
            timed(session.reject if round_ % 2 else session.pick)
            if undo and n % 3 == 0:
                timed(session.undo)
                timed(session.redo)


def _per_photo(snapshot: dict[str, object]) -> dict[str, list[tuple[object, ...]]]:
    """Each photo's decisions in order, an undo pointing within the photo's own list."""
    log = snapshot["decisions"]
    assert isinstance(log, list)
    local: dict[int, int] = {}
    out: dict[str, list[tuple[object, ...]]] = {}
    for i, (path, kind, old, new, pass_, undoes) in enumerate(log):
        rows = out.setdefault(path, [])
        local[i] = len(rows)
        rows.append((kind, old, new, pass_, None if undoes is None else local[undoes]))
    return out


def _state(snapshot: dict[str, object]) -> dict[str, tuple[object, ...]]:
    photos = snapshot["photos"]
    assert isinstance(photos, dict)
    return {
        path: (p["cull"], p["rating"], p["picked"], p["label"])
        for path, p in photos.items()
        if "generated" not in path
    }


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + _WAIT_S
    while not path.exists():  # a condition, bounded by the child staying alive
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the writer never committed"
        time.sleep(0.05)


def _decide(
    photos: list[Path], catalog: Path, on_gui_decision: Callable[[], None], waits: list[float]
) -> list[tuple[tuple[str, ...], int, str]]:
    """Both paths at once: the CLI waves as subprocesses while the GUI session
    runs here; then the GUI's undo/redo round (the pipeline still writing)."""
    results = []
    with Catalog.open(catalog):
        gui_ids = _gui_ids(photos[12:])
        for wave in _cli_waves([str(p) for p in photos[:12]]):
            procs = [curator_subprocess(*command) for command in wave]
            _gui_session(gui_ids, on_gui_decision, undo=False, waits=waits)  # CLI running
            for command, proc in zip(wave, procs, strict=True):
                _out, err = proc.communicate(timeout=_WAIT_S)
                results.append((command, proc.returncode, err))
        _gui_session(gui_ids, on_gui_decision, undo=True, waits=waits)
    return results


def _gui_ids(photos: list[Path]) -> list[int]:
    from curator.catalog.queries import list_photos

    wanted = {str(p) for p in photos}
    return [int(r["id"]) for r in list_photos() if r["path"] in wanted]


@pytest.mark.slow
def test_decisions_commit_while_the_pipeline_writes_thousands_of_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [make_jpeg(lib / f"p{i:02d}.jpg", 200 + i, 150) for i in range(24)]
    assert import_json(lib, "--stages", "technical")["new"] == 24
    catalog = resolve_paths().catalog
    ready, stop, done = tmp_path / "ready", tmp_path / "stop", tmp_path / "done"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.fault_writer_child",
            str(catalog),
            str(ready),
            str(stop),
            str(done),
            str(RESULTS),
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    gui_actions = 0
    waits: list[float] = []

    def counted() -> None:
        nonlocal gui_actions
        gui_actions += 1

    try:
        _wait_for(ready, writer)
        began = time.monotonic()
        results = _decide(photos, catalog, counted, waits)
        ended = time.monotonic()
    finally:
        stop.write_text("1")
        _out, writer_err = writer.communicate(timeout=_WAIT_S)
    assert writer.returncode == 0, writer_err
    written = json.loads(done.read_text())
    failures = [(c, code, err) for c, code, err in results if code != 0]
    assert failures == []
    assert not any("locked" in err or "Traceback" in err for _c, _code, err in results)
    assert "locked" not in writer_err
    during = sum(1 for t in written["commits"] if began <= t <= ended)
    assert during > 0  # the writer kept committing while the decisions were made

    snapshot = catalog_snapshot(catalog)
    generated = [p for p in snapshot["photos"] if "generated" in p]
    assert len(generated) == written["results"] >= RESULTS  # every result is there

    # The same commands and keys on a catalog nobody else writes.
    with monkeypatch.context() as m:
        m.setenv("CURATOR_HOME", str(tmp_path / "reference"))
        assert import_json(lib, "--stages", "technical")["new"] == 24
        for wave in _cli_waves([str(p) for p in photos[:12]]):
            for command in wave:
                assert run_cli(*command)[0] == 0
        with Catalog.open(resolve_paths().catalog):
            gui_ids = _gui_ids(photos[12:])
            for _wave in range(2):
                _gui_session(gui_ids, lambda: None, undo=False, waits=[])
            _gui_session(gui_ids, lambda: None, undo=True, waits=[])
        reference = catalog_snapshot(resolve_paths().catalog)

    assert _state(snapshot) == _state(reference)
    ours = {p: rows for p, rows in _per_photo(snapshot).items() if "generated" not in p}
    assert ours == _per_photo(reference)
    rows = sum(len(r) for r in ours.values())
    report(
        "concurrent-writes",
        pipeline_results=written["results"],
        pipeline_commits=len(written["commits"]),
        commits_during_decisions=during,
        cli_commands=len(results),
        gui_actions=gui_actions,
        decision_rows=rows,
        decisions_phase_s=round(ended - began, 1),
        gui_commit_ms_p50=round(1000 * statistics.median(waits)),
        gui_commit_ms_p95=round(1000 * statistics.quantiles(waits, n=20)[-1]),
        gui_commit_ms_max=round(1000 * max(waits)),
        writer_batch_ms_mean=round(1000 * (ended - began) / max(1, during)),
        locked_errors=0,
    )
