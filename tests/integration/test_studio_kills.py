"""kill -9 on a studio catalog (issue 34 §5): during an import, with two seats
deciding, kill a deciding seat and the importing seat, or the PostgreSQL
server itself (restarted): no decision a seat was told is saved is lost, no
photo is added twice, and the seats still running carry on (they wait the
server out and reconnect) or say why in a sentence.

Every seat is a real process: `curator import` and two deciding seats
(tests/integration/studio_seat_child.py, one line per acknowledged decision)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.models import Decision, Photo, PhotoPath
from tests.integration.cli_helpers import python_subprocess
from tests.ui.conftest import make_library

N = 36


def _importer(url: str, folder: Path) -> subprocess.Popen[str]:
    return python_subprocess(
        "-m", "curator", "--catalog", url, "import", str(folder),
        "--stages", "technical", "--no-progress",
        env={"CURATOR_SEAT_USER": "lead", "CURATOR_DECODE_WORKERS": "1"},
    )  # fmt: skip


def _seat(url: str, user: str, count: int, seed: int) -> subprocess.Popen[str]:
    return python_subprocess(
        "-m", "tests.integration.studio_seat_child", url, user, str(count), str(seed)
    )


def _read_lines(proc: subprocess.Popen[str], at_least: int, timeout: float = 120) -> list[str]:
    """Lines the seat printed until it printed `at_least` (it keeps running)."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while len(lines) < at_least:
        assert time.monotonic() < deadline, "the seat made no progress"
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(
                f"the seat ended early: {proc.stderr.read() if proc.stderr else ''}"
            )
        lines.append(line.strip())
    return lines


def _acknowledged(lines: list[str]) -> list[tuple[int, str]]:
    return [(int(pid), value) for pid, value in (ln.split() for ln in lines if ln != "done")]


def _verify(url: str, told: dict[str, list[tuple[int, str]]], killed: set[str]) -> None:
    """0 lost (every acknowledged decision is in the log with its seat), 0
    duplicate photos, at most one unacknowledged decision per killed seat."""
    with Catalog.open(url) as cat:
        for user, decided in told.items():
            rows = [
                (int(d.photo_id), str(d.new_value))
                for d in Decision.select().where(Decision.seat_user == user).order_by(Decision.id)
            ]
            assert rows[: len(decided)] == decided, f"{user}'s acknowledged decisions"
            assert len(rows) <= len(decided) + (1 if user in killed else 0)
        assert Photo.select().count() == N and PhotoPath.select().count() == 0
        distinct = cat.db.execute_sql("SELECT count(DISTINCT content_hash) FROM photo").fetchone()
        assert distinct[0] == N


def _finish_import(url: str, folder: Path) -> None:
    again = _importer(url, folder)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err


def test_killing_a_deciding_seat_and_the_importing_seat_loses_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "shoot"
    make_library(folder, N, first=0)
    importer = _importer(pg_url, folder)
    doomed, steady = _seat(pg_url, "assistant", 400, 1), _seat(pg_url, "lead", 30, 2)
    try:
        told_doomed = _read_lines(doomed, 10)
        doomed.send_signal(signal.SIGKILL)  # mid-decision, as likely as not
        doomed.wait(30)
        importer.send_signal(signal.SIGKILL)  # mid-import
        importer.wait(30)
        told_steady = _read_lines(steady, 31)
        assert told_steady[-1] == "done"
        steady.wait(30)
    finally:
        for proc in (importer, doomed, steady):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    _finish_import(pg_url, folder)
    _verify(
        pg_url,
        {"assistant": _acknowledged(told_doomed), "lead": _acknowledged(told_steady)},
        killed={"assistant"},
    )


def test_killing_the_server_mid_import_loses_nothing_and_the_seats_carry_on(
    pg_url: str, pg_server: object, tmp_path: Path
) -> None:
    folder = tmp_path / "shoot"
    make_library(folder, N, first=100)
    importer = _importer(pg_url, folder)
    seats = {"lead": _seat(pg_url, "lead", 40, 3), "assistant": _seat(pg_url, "assistant", 40, 4)}
    told: dict[str, list[str]] = {}
    try:
        for user, proc in seats.items():
            told[user] = _read_lines(proc, 8)
        pg_server.kill()  # type: ignore[attr-defined]
        time.sleep(1.0)  # the server stays down a moment: the seats must wait it out
        pg_server.start()  # type: ignore[attr-defined]
        for user, proc in seats.items():
            told[user] += _read_lines(proc, 41 - len(told[user]))
            assert told[user][-1] == "done"
            assert proc.wait(60) == 0
        _, err = importer.communicate(timeout=300)
    finally:
        for proc in (importer, *seats.values()):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if importer.returncode != 0:  # the run stopped with its sentence: the next one ends it
        assert "Traceback" not in err and err.strip(), err
        _finish_import(pg_url, folder)
    _verify(pg_url, {u: _acknowledged(lines) for u, lines in told.items()}, killed=set())
