"""Decisions made while another process writes the catalog (an import) never
fail: the write lock is taken up front and a busy catalog is waited out."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from curator.catalog import decisions
from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log
from curator.catalog.models import CullState, Photo
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import curator_subprocess, import_json, run_cli

# A stand-in for an import's writer: back-to-back IMMEDIATE transactions that
# read, hold the lock a little and write, until told to stop.
_WRITER = textwrap.dedent(
    """
    import random, sqlite3, sys, time
    from pathlib import Path
    catalog, ready, stop, done = sys.argv[1:5]
    db = sqlite3.connect(catalog, isolation_level=None, timeout=60)
    commits = 0
    while not Path(stop).exists():
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT COUNT(*) FROM photo").fetchone()
        time.sleep(random.uniform(0.005, 0.15))
        db.execute("UPDATE stage_run SET updated_at = updated_at")
        db.execute("COMMIT")
        commits += 1
        if commits == 1:
            Path(ready).write_text("1")
        time.sleep(random.uniform(0, 0.01))
    Path(done).write_text(str(commits))
    """
)


def _wait_for_file(path: Path, proc: subprocess.Popen[str]) -> None:
    # Polls a condition (the writer's first commit), bounded by the process
    # staying alive and a generous timeout; not a timing assumption.
    import time

    deadline = time.monotonic() + 60
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the concurrent writer never started"
        time.sleep(0.05)


def test_cli_decisions_never_fail_while_another_process_writes(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [make_jpeg(lib / f"p{i:02d}.jpg", 200 + i, 150) for i in range(12)]
    assert import_json(lib)["new"] == 12
    catalog = resolve_paths().catalog
    ready, stop, done = tmp_path / "ready", tmp_path / "stop", tmp_path / "done"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(catalog), str(ready), str(stop), str(done)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_file(ready, writer)
        pairs = [(str(photos[2 * i]), str(photos[2 * i + 1])) for i in range(6)]
        commands = [("keep", *pair) for pair in pairs]
        commands += [("rate", "--stars", "3", *pair) for pair in pairs]
        results = []
        for start in range(0, len(commands), 2):  # two decision commands at a time
            procs = [curator_subprocess(*cmd) for cmd in commands[start : start + 2]]
            results += [(p.args, *p.communicate(timeout=300), p.returncode) for p in procs]
    finally:
        stop.write_text("1")
        writer.wait(timeout=60)
    failures = [(args, err) for args, _out, err, code in results if code != 0]
    assert failures == []
    assert not any("locked" in err or "Traceback" in err for _a, _o, err, _c in results)
    assert int(done.read_text()) > 1  # the writer kept committing meanwhile

    with Catalog.open(catalog):
        state = {(p.cull, p.rating) for p in Photo.select()}
        assert state == {("kept", 3)}
        log = decision_log()
        assert sorted(d["kind"] for d in log) == ["cull"] * 12 + ["rating"] * 12


def test_a_multi_path_command_is_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`curator keep a b`: both photos are decided, or (an error on b) neither."""
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "a.jpg", 200, 150)
    b = make_jpeg(lib / "b.jpg", 210, 150)
    import_json(lib)
    real_set_cull = decisions.set_cull
    calls: list[int] = []

    def failing_on_second(photo_id: int, state: CullState, **kw: str) -> list[object]:
        calls.append(photo_id)
        if len(calls) == 2:
            raise decisions.DecisionError("b can't be decided")
        return list(real_set_cull(photo_id, state, **kw))

    monkeypatch.setattr(decisions, "set_cull", failing_on_second)
    code, _out, err = run_cli("keep", str(a), str(b))
    assert code == 2 and "can't be decided" in err and len(calls) == 2
    with Catalog.open(resolve_paths().catalog):
        assert {p.cull for p in Photo.select()} == {"unreviewed"}  # a was rolled back
        assert decision_log() == []
    monkeypatch.setattr(decisions, "set_cull", real_set_cull)
    code, out, _err = run_cli("keep", str(a), str(b))
    assert code == 0 and "2 photo(s) changed" in out
    with Catalog.open(resolve_paths().catalog):
        assert {p.cull for p in Photo.select()} == {"kept"}
        # One command, one undo step (`curator undo` takes both back at once).
        assert len({d["at"] for d in decision_log()}) == 1


def test_loupe_decisions_never_fail_while_another_process_writes(tmp_path: Path) -> None:
    """The GUI's path (the same decision functions, in-process) under the same load."""
    from curator.catalog import judgments

    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(4):
        make_jpeg(lib / f"p{i}.jpg", 200 + i, 150)
    import_json(lib)
    catalog = resolve_paths().catalog
    ready, stop, done = tmp_path / "ready", tmp_path / "stop", tmp_path / "done"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(catalog), str(ready), str(stop), str(done)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_file(ready, writer)
        with Catalog.open(catalog):
            ids = [int(p.id) for p in Photo.select().order_by(Photo.id)]
            for round_ in range(5):
                for pid in ids:
                    decisions.set_cull(pid, CullState.KEPT if round_ % 2 else CullState.REJECTED)
                    decisions.set_rating(pid, round_ + 1, pass_="rating")
                    judgments.add_user_tag(pid, f"round {round_}")
                assert decisions.undo_last() is not None
                assert decisions.redo_last() is not None
            assert {(p.cull, p.rating) for p in Photo.select()} == {("rejected", 5)}
    finally:
        stop.write_text("1")
        writer.wait(timeout=60)
    assert int(done.read_text()) > 1
